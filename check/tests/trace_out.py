#!/usr/bin/env python3
"""`--trace-out FILE` on every command that runs a program: the run's trace is
written pass or fail, and `show` shows it and `replay` replays it.

- random, pct, explore (alone, and with --workers 2), replay: on a passing
  program, the trace's verdict is pass; show exits 0; replay exits 0 with
  "replayed N steps: pass";
- the same on a broken lock (a mutant's lockstep): the trace is the failing
  run's, and replaying it with that lock reproduces the failure (exit 1).

usage: trace_out.py LOCKSTEP_BINARY MUTANT_LOCKSTEP_BINARY
"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from checklist import Checklist  # noqa: E402  (check/tests/checklist.py)
import summary  # noqa: E402  tools/summary.py

binary, mutant = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
PROGRAM = "task 1: acquire; yield; release\ntask 2: acquire; release\ntask 3: yield; acquire; release\n"
# The mutant (release wakes nobody) leaves a waiter queued: a failure here.
FAILING = "task 1: acquire; yield; release\ntask 2: acquire; release\n"
CHECKS = Checklist()
check = CHECKS.check


def line_of(out, name):
    """The command's summary line (tools/summary.py), or {} (then the check fails)."""
    try:
        return summary.read(out, name)
    except summary.SummaryError:
        return {}


def run(exe, args, folder):
    r = subprocess.run([exe] + args, cwd=folder, capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout + r.stderr


with tempfile.TemporaryDirectory(prefix="lockstep-trace-out-") as folder:
    for name, text in (("p.prog", PROGRAM), ("f.prog", FAILING)):
        with open(os.path.join(folder, name), "w") as f:
            f.write(text)
    subprocess.run([binary, "random", "p.prog", "--runs", "1", "--trace-out", "seed.trace"], cwd=folder, check=True,
                   capture_output=True)
    commands = {
        "random": ["random", "p.prog", "--runs", "20"],
        "pct": ["pct", "p.prog", "--runs", "20", "--depth", "2"],
        "explore": ["explore", "p.prog", "--preemptions", "2"],
        "explore --workers 2": ["explore", "p.prog", "--workers", "2"],
        "explore stopped early": ["explore", "p.prog", "--max-executions", "3", "--checkpoint", "c"],
        "replay": ["replay", "seed.trace"],
        "replay --then random": ["replay", "seed.trace", "--then", "random", "--seed", "3"],
    }
    for label, args in commands.items():
        out_file = os.path.join(folder, "t.trace")
        if os.path.exists(out_file):
            os.remove(out_file)
        code, out = run(binary, args + ["--trace-out", "t.trace"], folder)
        check(code == 0 and os.path.exists(out_file), f"{label}: passes and writes its trace", out)
        if not os.path.exists(out_file):
            continue
        with open(out_file) as f:
            trace = f.read()
        check(trace.startswith("lockstep trace v2\n") and "\nverdict: pass\n" in trace,
              f"{label}: the trace is a passing run's", trace)
        code, out = run(binary, ["show", "t.trace"], folder)
        check(code == 0 and line_of(out, "show").get("failure", "missing") is None, f"{label}: show shows it", out)
        code, out = run(binary, ["replay", "t.trace"], folder)
        check(code == 0 and line_of(out, "replay").get("verdict") == "pass", f"{label}: replay replays it", out)

    # On a broken lock: the failing run's trace, which reproduces.
    for label, args in {"random": ["random", "f.prog", "--runs", "50"],
                        "explore": ["explore", "f.prog"],
                        "explore --workers 2": ["explore", "f.prog", "--workers", "2"]}.items():
        code, out = run(mutant, args + ["--trace-out", "t.trace"], folder)
        check(code == 1 and "FAILURE" in out, f"mutant {label}: the failure is found", out)
        with open(os.path.join(folder, "t.trace")) as f:
            trace = f.read()
        check("\nverdict: pass" not in trace, f"mutant {label}: the trace is the failing run's", trace)
        code, out = run(mutant, ["replay", "t.trace"], folder)
        check(code == 1 and line_of(out, "replay").get("verdict") == "fail",
              f"mutant {label}: replaying it reproduces the failure", out)

CHECKS.finish()
