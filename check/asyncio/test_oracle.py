#!/usr/bin/env python3
"""Tests of the CPython oracle that need nothing but Python:

    python3 check/asyncio/test_oracle.py      (or python3 -m unittest there)

The comparison with lockstep itself is crosscheck.py (needs the built
`lockstep` tool); the driver against asyncio's own loop is fifo_check.py.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import fifo_check  # noqa: E402
import generate  # noqa: E402
import language  # noqa: E402
import oracle  # noqa: E402


def run(text, decisions=(), native=False):
    return oracle.Oracle(language.parse_program(text), list(decisions), oracle.Flavour(native)).run()


def cli(*args, stdin=None):
    return subprocess.run([sys.executable, os.path.join(HERE, "oracle.py"), *args], input=stdin,
                          capture_output=True, text=True)


class Records(unittest.TestCase):
    def test_committed_trace_byte_for_byte(self):
        # check/traces/cancel_waiters.trace was written by lockstep itself.
        with open(os.path.join(ROOT, "check", "traces", "cancel_waiters.trace"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        program = "\n".join(l.strip() for l in lines[lines.index("program:") + 1:] if l.startswith("  task"))
        decisions = next(l for l in lines if l.startswith("decisions:")).split()[1:]
        expected = [l.strip().split(" ", 1)[1] for l in lines if l.startswith("  ") and l.strip()[0].isdigit()]
        self.assertEqual(run(program, map(int, decisions))[:-1], expected)

    def test_handoff(self):
        self.assertEqual(run("task 1: acquire; yield; release\ntask 2: acquire; release"), [
            "@0 t1,t2 #0: acquire a ok => t2,t1 | 1=ready:yield,2=ready | a=held(1)[] | -",
            "@0 t2,t1 #0: - => t1 | 1=ready:yield,2=parked:acquire | a=held(1)[2] | -",
            "@0 t1 #0: yield ok, release a ok, end ok => t2 | 1=ok,2=ready:acquire | a=free[2w] | -",
            "@0 t2 #0: acquire a ok, release a ok, end ok => - | 1=ok,2=ok | a=free[] | -",
            "end: ok",
        ])

    def test_uncancel_of_another_task(self):  # CN-UNCANCEL, DV-UNSPAWNED
        self.assertIn("uncancel 2 =0 ok, spawn 2 ok", run("task 1: uncancel 2; spawn 2 | task 2: yield")[0])
        steps = run("task 1: try { sleep 5 }; yield | task 2: cancel 1; uncancel 1")
        self.assertIn("cancel 1 yes, uncancel 1 =0 ok", steps[1])
        self.assertIn("sleep cancelled, /try caught-cancelled", steps[2])  # the cancelled sleep stays cancelled

    def test_decisions_index_the_queue_modulo_its_length(self):
        a = run("task 1: yield | task 2: yield | task 3: yield", [1])
        b = run("task 1: yield | task 2: yield | task 3: yield", [4])
        self.assertEqual(a, b)
        self.assertTrue(a[0].startswith("@0 t1,t2,t3 #1: - => t1,t3,t2"))

    def test_nonpositive_timeout_turns(self):
        lines = run("task 1: acquire_timeout 0; try_acquire")
        self.assertEqual([l.split(" => ")[1].split(" | ")[0] for l in lines[:-1]], ["i1", "r1", "t1", "-"])
        self.assertIn("acquire_timeout a timeout, try_acquire a yes", lines[3])

    def test_gather_turns_and_deadlock(self):
        lines = run("task 1: gather 2 | task 2: yield | task 3: acquire b; yield; acquire b")
        self.assertEqual(lines[:-1], [
            "@0 t1,t3 #0: - => t3,t2 | 1=parked:gather,2=ready,3=ready | a=free[] b=free[] | -",
            "@0 t3,t2 #0: acquire b ok => t2,t3 | 1=parked:gather,2=ready,3=ready:yield | a=free[] b=held(3)[] | -",
            "@0 t2,t3 #0: - => t3,t2 | 1=parked:gather,2=ready:yield,3=ready:yield | a=free[] b=held(3)[] | -",
            "@0 t3,t2 #0: yield ok => t2 | 1=parked:gather,2=ready:yield,3=parked:acquire | a=free[] b=held(3)[3] | -",
            "@0 t2 #0: yield ok, end ok => g1 | 1=parked:gather,2=ok,3=parked:acquire | a=free[] b=held(3)[3] | -",
            "@0 g1 #0: - => t1 | 1=ready:gather,2=ok,3=parked:acquire | a=free[] b=held(3)[3] | -",
            "@0 t1 #0: gather 2 =2 ok, end ok => - | 1=ok,2=ok,3=parked:acquire | a=free[] b=held(3)[3] | -",
        ])
        self.assertEqual(lines[-1], "end: deadlock 3")

    def test_values_in_the_order_given_and_errors_keep_their_origin(self):
        lines = run("task 1: gather 3 2 | task 2: yield | task 3: yield; yield")
        self.assertIn("gather 3 =32 ok, end ok", lines[-2])
        lines = run("task 1: try { await 2 } | task 2: await 3 | task 3: throw")
        self.assertIn("await 2 =3 error, /try =3 caught-error, end ok", lines[-2])

    def test_timers_fire_in_arming_order_and_stay_until_resume(self):
        lines = run("task 1: sleep 2 | task 2: sleep 2 | task 3: cancel 1")
        self.assertTrue(lines[2].startswith("@0 t3 #0: cancel 1 yes, end ok => t1 |"))
        self.assertTrue(lines[2].endswith("| 2:t1,2:t2"))  # the cancelled sleeper's timer stays
        self.assertTrue(lines[3].endswith("| 2:t2"))
        self.assertTrue(lines[4].startswith("@2 t2 #0: sleep ok"))

    def test_unwinding_scope_with_free_lock_is_skipped(self):
        lines = run("task 1: try { scoped { release; throw } }")
        self.assertIn("release a ok, throw error, /scoped a skipped, /try =1 caught-error, end ok", lines[0])

    def test_step_budget(self):
        saved = oracle.STEP_BUDGET
        oracle.STEP_BUDGET = 2
        try:
            self.assertEqual(run("task 1: yield; yield; yield")[-1], "end: step-budget")
        finally:
            oracle.STEP_BUDGET = saved


class Versions(unittest.TestCase):
    def test_uncancel_withdraws_a_pending_cancel(self):  # VR-UNCANCEL, 3.13
        self.assertIn("yield ok, end ok", run("task 1: cancel 1; uncancel; yield")[1])
        native = run("task 1: cancel 1; uncancel; yield", native=True)[1]
        self.assertIn("yield ok" if oracle.NATIVE_UNCANCEL_CLEARS else "yield cancelled", native)

    def test_timeout_counts_from_entry(self):  # WF-EXIT, 3.12
        program = "task 1: cancel 1; try { yield }; acquire_timeout 1 | task 2: acquire; sleep 3; release"
        self.assertIn("acquire_timeout a timeout", run(program)[3])
        native = run(program, native=True)[3]
        self.assertIn("timeout" if oracle.NATIVE_TIMEOUT_COUNTS else "cancelled", native)


class Cli(unittest.TestCase):
    def test_run_and_stderr_notes(self):
        done = cli("-", "--decisions", "1", stdin="task 1: yield | task 2: yield\n")
        self.assertEqual(done.returncode, 0)
        self.assertTrue(done.stdout.startswith("@0 t1,t2 #1: "))
        self.assertTrue(done.stdout.endswith("end: ok\n"))
        for line in done.stderr.splitlines():
            self.assertTrue(line.startswith("# emulated: "), line)

    def test_bad_program_exits_2(self):
        for text in ["task 2: yield", "task 1: acquire d", "task 1: await 1", "task 1: guard_release",
                     "task 1: sleep -1001", "task 1: gather 2 2 | task 2: yield", "task 1: spawn 2 | task 2: spawn 1",
                     "task 1: scoped {\n yield }"]:
            done = cli("-", stdin=text)
            self.assertEqual(done.returncode, 2, text)
            self.assertIn("bad program", done.stderr)
        self.assertEqual(cli("-", "--decisions", "x", stdin="task 1: yield").returncode, 2)
        self.assertEqual(cli(os.path.join(HERE, "no such file")).returncode, 2)

    def test_unmappable_exits_3(self):
        done = subprocess.run([sys.executable, "-c", (
            "import sys; sys.path.insert(0, sys.argv[1]); import oracle\n"
            "oracle.Oracle.entry_of = lambda self, h: (_ for _ in ()).throw(oracle.Unmappable('unmapped handle x'))\n"
            "sys.exit(oracle.main(['-']))"), HERE], input="task 1: yield", capture_output=True, text=True)
        self.assertEqual(done.returncode, 3)
        self.assertIn("cannot map: unmapped handle", done.stderr)


class Language(unittest.TestCase):
    def test_round_trip_of_the_standard_programs(self):
        folder = os.path.join(ROOT, "check", "programs")
        for name in sorted(os.listdir(folder)):
            if name.endswith(".prog"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    program = language.parse_program(f.read())
                self.assertEqual(language.parse_program(language.to_compact(program)), program, name)

    def test_printer(self):
        self.assertEqual(language.to_compact(language.parse_program("task 1: uncancel 1; uncancel")),
                         "task 1: uncancel 1; uncancel")
        text = "task 1: scoped b { acquire_timeout c -2; gather 3 2 } | task 2: try { sleep 0 } | task 3: spawn 4 | task 4: yield"
        self.assertEqual(language.to_compact(language.parse_program(text)), text)
        self.assertEqual(language.lock_count(language.parse_program(text)), 3)
        self.assertEqual(language.starts_at_once(language.parse_program(text)), [True, False, False, False])


class Generator(unittest.TestCase):
    def test_deterministic_and_valid(self):
        gen1, gen2 = generate.Gen(random.Random(7)), generate.Gen(random.Random(7))
        a = [gen1.program() for _ in range(300)]
        self.assertEqual(a, [gen2.program() for _ in range(300)])
        for line in a:
            self.assertEqual(language.to_compact(language.parse_program(line)), line)

    def test_every_op_appears(self):
        gen = generate.Gen(random.Random(1))
        seen = set()
        for _ in range(300):
            for ops in language.parse_program(gen.program()):
                seen.update(op.kind for op, _, _ in language._walk(ops))
        self.assertEqual(seen, set(language.OPS))


class Driver(unittest.TestCase):
    def test_zero_decisions_are_asyncios_own_order(self):
        gen = generate.Gen(random.Random(11))
        for _ in range(100):
            program = language.parse_program(gen.program())
            *real, arming_order = fifo_check.free_turns(program)
            if arming_order:
                self.assertEqual(fifo_check.oracle_turns(program), tuple(real), language.to_compact(program))


if __name__ == "__main__":
    unittest.main()
