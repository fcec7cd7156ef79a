#!/usr/bin/env python3
"""Seeded generator of random valid programs of lockstep's language.

    python3 check/asyncio/generate.py --seed 1 --count 2000

prints COUNT programs in compact form (`task 1: ... | task 2: ...`), one per
line; the same seed always prints the same lines (Python's random.Random,
whose seeded sequence is stable across versions). Every line passes the
language's rules (language.validate, a port of model/src/program.cpp).

About half of the programs are random mixes of every op, weighted; the other
half start from one of the interesting shapes below, with random parameters,
and then get random ops mixed in:

  self-cancel          a task cancels itself, with or without try/uncancel
  timeout-instant      a cancel at the instant a timeout fires (a sleep with
                       the same deadline as the acquire_timeout)
  timeout-edge         acquire_timeout with 0, negative, started late
  try-cancelled        try_acquire while cancelled waiters are queued
  gather-fail          gather with a failing or cancelled child
  await-swallow        await of a task that swallows its cancellation in try
  lock-order           two tasks taking two locks in opposite order
  guard-release        guard_release, and release inside scoped
  uncancel-other       a parked task cancelled and uncancelled by another before
                       it resumes (its wait object stays cancelled)
  timeout-block        timeout blocks around sleeps, awaits, gathers, errors,
                       caught cancellations and each other (nested deadlines,
                       the same instant, an outside cancel)
"""

from __future__ import annotations

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import language  # noqa: E402
from language import BadProgram, Op  # noqa: E402

# Relative weights of the ops in random mixes.
WEIGHTS = {
    "acquire": 12,
    "release": 8,
    "try_acquire": 4,
    "acquire_timeout": 7,
    "scoped": 8,
    "guard_release": 3,  # only inside scoped
    "yield": 12,
    "sleep": 7,
    "throw": 3,
    "cancel": 6,
    "uncancel": 3,
    "spawn": 3,
    "await": 4,
    "gather": 3,
    "try": 5,
    "timeout": 4,
    "raise_cancelled": 1,
}


# Hand-written shapes of programs that reach corners of the semantics, by name;
# $t is a positive number of seconds, $t1 one more, $z zero or negative.
SHAPES = {
    "self-cancel": [
        "task 1: acquire; cancel 1; yield; release | task 2: acquire; release",
        "task 1: cancel 1; try { yield }; uncancel; acquire; release | task 2: acquire; yield; release",
        "task 1: cancel 1; uncancel; yield; acquire; release | task 2: acquire; release",
        "task 1: scoped { cancel 1; acquire b } | task 2: acquire b; yield; release b",
        "task 1: cancel 1; acquire_timeout $t; release | task 2: acquire; sleep $t; release",
        "task 1: cancel 1; acquire_timeout $z; try_acquire | task 2: yield",
        "task 1: cancel 1; try { await 2 }; uncancel | task 2: yield; acquire; release",
        "task 1: cancel 1; gather 2 3 | task 2: acquire; release | task 3: yield",
    ],
    "timeout-instant": [
        "task 1: acquire; sleep $t; release | task 2: acquire_timeout $t; release | task 3: sleep $t; cancel 2",
        "task 1: acquire; sleep $t; release | task 2: sleep $t; cancel 3 | task 3: acquire_timeout $t; release",
        "task 1: scoped { sleep $t } | task 2: try { acquire_timeout $t }; release | task 3: sleep $t; release",
        "task 1: acquire; sleep $t; release; cancel 2 | task 2: acquire_timeout $t; release",
    ],
    "timeout-edge": [
        "task 1: acquire; yield; release | task 2: acquire_timeout $z; release | task 3: acquire_timeout $z",
        "task 1: acquire_timeout $z; acquire | task 2: cancel 1; acquire_timeout $z",
        "task 1: acquire; sleep $t1; release | task 2: sleep $t; acquire_timeout 1; release",
        "task 1: acquire_timeout $z; yield | task 2: yield; cancel 1 | task 3: yield; yield",
        "task 1: try { cancel 1; acquire_timeout $t }; acquire_timeout $t | task 2: acquire; sleep $t; release",
    ],
    "try-cancelled": [
        "task 1: acquire; yield; cancel 2; cancel 3; release; try_acquire; release | task 2: acquire | task 3: acquire",
        "task 1: acquire; yield; cancel 2; release; try_acquire | task 2: acquire; release | task 3: yield; try_acquire",
        "task 1: try_acquire; yield; cancel 2; yield; release; yield; try_acquire | task 2: acquire_timeout 1",
    ],
    "gather-fail": [
        "task 1: try { gather 2 3 }; acquire; release | task 2: acquire; yield; throw | task 3: acquire; release",
        "task 1: gather 2 3 | task 2: yield; cancel 3 | task 3: sleep 1",
        "task 1: try { gather 2 3 4 } | task 2: throw | task 3: throw | task 4: acquire; release",
        "task 1: try { gather 3 2 }; uncancel | task 2: cancel 2; yield | task 3: yield",
        "task 4: yield; cancel 1 | task 1: gather 2 3 | task 2: acquire; sleep 1; release | task 3: acquire; release",
    ],
    "await-swallow": [
        "task 1: yield; cancel 2; await 2; acquire; release | task 2: try { sleep 2 }; acquire; release",
        "task 1: try { await 2 }; release | task 2: acquire; try { yield; yield } | task 3: cancel 1",
        "task 1: await 2 | task 2: try { acquire } ; uncancel; release | task 3: acquire; yield; cancel 1; release",
    ],
    "lock-order": [
        "task 1: acquire a; yield; acquire b; release b; release a | task 2: acquire b; yield; acquire a; release a; release b",
        "task 1: scoped a { yield; scoped b { yield } } | task 2: scoped b { yield; scoped a { yield } }",
        "task 1: scoped a { yield; acquire b } | task 2: scoped b { yield; acquire_timeout a $t }",
        "task 1: scoped a { yield; acquire b } | task 2: scoped b { yield; acquire c } | task 3: scoped c { yield; acquire a }",
    ],
    "guard-release": [
        "task 1: scoped { yield; guard_release; yield } | task 2: acquire; release",
        "task 1: scoped { release; yield } | task 2: acquire; yield; release",
        "task 1: scoped { guard_release; guard_release; throw } | task 2: scoped { yield }",
        "task 1: scoped { release; throw } | task 2: try { scoped { release; yield } }",
        "task 1: scoped { yield; release } | task 2: scoped { guard_release; acquire } | task 3: release",
    ],
    "timeout-block": [
        "task 1: timeout $t { sleep $t1 }; try_acquire | task 2: acquire; sleep $t; release",
        "task 1: timeout $t { sleep $t }; yield | task 2: sleep $t; cancel 1",
        "task 1: try { timeout $t { yield; throw } }; yield | task 2: timeout $z { throw }",
        "task 1: timeout $t1 { timeout $t { sleep $t1 }; sleep $t1 }; uncancel | task 2: sleep $t; cancel 1",
        "task 1: timeout $t { timeout $t { acquire; sleep $t1 } }; release | task 2: acquire; sleep $t; release",
        "task 1: timeout $t { await 2 }; yield | task 2: try { sleep $t1 }; yield",
        "task 1: timeout $t { try { gather 2 3 } }; uncancel | task 2: sleep $t1 | task 3: try { sleep $t1 }",
        "task 1: timeout $t { try { sleep $t1 }; yield }; acquire | task 2: scoped { timeout $z { yield } }",
        "task 1: scoped { timeout $t { acquire b } } | task 2: scoped b { sleep $t1; acquire }",
    ],
    "uncancel-other": [
        "task 1: try { sleep $t }; yield | task 2: cancel 1; uncancel 1",
        "task 1: acquire; yield; release | task 2: try { acquire }; release | task 3: cancel 2; uncancel 2",
        "task 1: try { await 2 }; uncancel | task 2: sleep $t | task 3: cancel 1; uncancel 1",
        "task 1: acquire; sleep $t; release | task 2: try { acquire_timeout $t1 } | task 3: cancel 2; uncancel 2",
        "task 1: try { gather 2 3 } | task 2: sleep $t | task 3: yield; cancel 1; uncancel 1; uncancel 2",
    ],
}


class Gen:
    def __init__(self, rng: random.Random):
        self.rng = rng

    # ---- parameters -------------------------------------------------------

    def lock(self, locks: int) -> int:
        return self.rng.choice([0, 0, 0, 1, 1, 2][: {1: 3, 2: 5, 3: 6}[locks]])

    def seconds(self) -> int:
        return self.rng.choice([1, 1, 1, 2, 2, 3, 5])

    def signed_seconds(self) -> int:
        return self.rng.choice([-3, -1, 0, 0, 1, 1, 2, 3])

    # ---- random mixes -----------------------------------------------------

    def random_program(self) -> list[list[Op]]:
        rng = self.rng
        n = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8])
        locks = rng.choice([1, 1, 1, 2, 2, 3])
        started = set()  # tasks some op starts
        program = []
        for me in range(1, n + 1):
            budget = [rng.choice([2, 3, 4, 5, 6, 8, 10])]
            program.append(self.ops(me, n, locks, started, budget, depth=1, in_scope=False))
        return program

    def ops(self, me, n, locks, started, budget, depth, in_scope) -> list[Op]:
        out = []
        count = max(1, min(budget[0], self.rng.choice([1, 1, 2, 2, 3, 4])))
        for _ in range(count):
            if budget[0] <= 0:
                break
            op = self.op(me, n, locks, started, budget, depth, in_scope)
            if op is not None:
                out.append(op)
        if not out:
            budget[0] -= 1
            out.append(Op("yield"))
        return out

    def op(self, me, n, locks, started, budget, depth, in_scope) -> Op | None:
        rng = self.rng
        kinds = list(WEIGHTS)
        kind = rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        budget[0] -= 1
        if kind == "guard_release" and not in_scope:
            kind = "release"
        if kind in language.BODY_OPS and depth >= language.MAX_DEPTH:
            kind = "yield"
        later = [k for k in range(me + 1, n + 1)]
        free_later = [k for k in later if k not in started]
        if kind == "spawn":
            free = [k for k in range(1, n + 1) if k != me and k not in started]
            if not free:
                return Op("yield")
            k = rng.choice(free)
            started.add(k)
            return Op("spawn", arg=k)
        if kind == "gather":
            if not free_later:
                return Op("yield")
            size = rng.randint(1, min(language.MAX_GATHER, len(free_later)))
            children = sorted(rng.sample(free_later, size))
            if rng.random() < 0.3:
                rng.shuffle(children)
            started.update(children)
            return Op("gather", tasks=children)
        if kind == "await":
            if not later:
                return Op("yield")
            return Op("await", arg=rng.choice(later))
        if kind == "cancel":
            return Op("cancel", arg=rng.randint(1, n))
        if kind == "uncancel":  # half the running task's own, half task K's
            return Op("uncancel", arg=0 if rng.random() < 0.5 else rng.randint(1, n))
        if kind in ("acquire", "release", "try_acquire"):
            return Op(kind, lock=self.lock(locks))
        if kind == "acquire_timeout":
            return Op(kind, lock=self.lock(locks), arg=self.signed_seconds())
        if kind == "sleep":
            return Op(kind, arg=rng.choice([-1, 0, 1, 1, 2, 3]))
        if kind in language.BODY_OPS:
            body = self.ops(me, n, locks, started, budget, depth + 1, in_scope or kind == "scoped")
            lock = self.lock(locks) if kind == "scoped" else 0
            return Op(kind, lock=lock, arg=self.signed_seconds() if kind == "timeout" else 0, body=body)
        return Op(kind)

    # ---- shapes -----------------------------------------------------------

    def shape(self) -> tuple[str, str]:
        rng = self.rng
        t = self.seconds()
        z = rng.choice([0, -1, -5])
        name = rng.choice(list(SHAPES))
        text = rng.choice(SHAPES[name])
        text = text.replace("$t1", str(t + 1)).replace("$t", str(t)).replace("$z", str(z))
        # Shapes are written with task lines in any order; number them 1..n.
        parts = text.split(" | ")
        parts.sort(key=lambda p: int(p.split(":")[0].split()[1]))
        return name, " | ".join(parts)

    def mutate(self, program: list[list[Op]]) -> list[list[Op]]:
        """Mix a few random ops into a shape (keeping it valid, else unchanged)."""
        rng = self.rng
        n = len(program)
        locks = language.lock_count(program)
        started = set()
        for ops in program:
            for op, _, _ in language._walk(ops):
                started.update(language._started_by(op))
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            me = rng.randint(1, n)
            ops = program[me - 1]
            op = self.op(me, n, locks, started, [4], depth=2, in_scope=False)
            if op is not None:
                ops.insert(rng.randint(0, len(ops)), op)
        if n < language.MAX_TASKS and rng.random() < 0.3:
            program.append(self.ops(n + 1, n + 1, locks, started, [3], depth=1, in_scope=False))
        return program

    def program(self) -> str:
        for _ in range(1000):
            if self.rng.random() < 0.5:
                program = self.random_program()
            else:
                _, text = self.shape()
                program = self.mutate(language.parse_program(text))
            try:
                language.validate(program)
            except BadProgram:
                continue
            compact = language.to_compact(program)
            language.parse_program(compact)  # round trip
            return compact
        raise RuntimeError("generator: no valid program in 1000 tries")


def main(argv):
    parser = argparse.ArgumentParser(description="random valid lockstep programs, compact form, one per line")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args(argv)
    gen = Gen(random.Random(args.seed))
    out = sys.stdout
    for _ in range(args.count):
        out.write(gen.program() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
