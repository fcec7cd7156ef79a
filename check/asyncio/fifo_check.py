#!/usr/bin/env python3
"""Self-check of oracle.py's driver: under all-zero decisions its steps must
be what asyncio's own, unmodified BaseEventLoop._run_once does.

Runs each program twice with the same translation (oracle.Oracle): once
driven one handle per step by the oracle, once by the real _run_once (on a
selector stand-in whose select(timeout) advances the virtual clock by
timeout instead of sleeping), recording which entry each ready handle was
and which events it logged. Timer handles, which the real loop runs as turns
of their own and the oracle runs as the timers fall due (DV-TIMER-TURN), are
left out of the second list; everything else must be equal, in order.

    python3 check/asyncio/fifo_check.py --seed 1 --count 500
    python3 check/asyncio/fifo_check.py check/programs/*.prog

Exit 0 if every program agrees. A difference would mean the one-step driver
reorders something (or DV-HEAP: four or more timers with one deadline).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
from asyncio import events

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate  # noqa: E402
import language  # noqa: E402
import oracle  # noqa: E402


class _ClockSelector:
    def __init__(self, loop):
        self.loop = loop

    def select(self, timeout):
        if timeout is None:  # nothing ready, no timer: asyncio would block for ever
            self.loop.stop()
        else:
            self.loop._now += timeout
        return []


class FreeOracle(oracle.Oracle):
    """The same translation, on a loop that keeps asyncio's own _run_once."""

    def __init__(self, program):
        super().__init__(program, [])
        loop = self.loop
        loop._run_once = lambda: asyncio.BaseEventLoop._run_once(loop)
        loop._selector = _ClockSelector(loop)
        self.turns = []
        self.fired = []  # (deadline, arming sequence) of each timer handle asyncio ran


def free_turns(program):
    o = FreeOracle(program)
    original = events.Handle._run

    def run(handle):
        if isinstance(handle, events.TimerHandle):
            o.fired.append(o.loop.timer_key(handle))
            return original(handle)
        entry = o.entry_of(handle)
        o.events = []
        original(handle)
        o.check_fatal()
        o.turns.append((entry, ", ".join(o.events) or "-"))

    events.Handle._run = run
    try:
        o.run()
    finally:
        events.Handle._run = original
    heap_order = o.fired == sorted(o.fired)
    return o.turns, o.lines[-1], heap_order


def oracle_turns(program):
    lines = oracle.Oracle(program, []).run()
    turns = []
    for line in lines[:-1]:
        head, rest = line.split(": ", 1)
        _, ready, pick = head.split()
        turns.append((ready.split(",")[int(pick[1:])], rest.split(" => ")[0]))
    return turns, lines[-1]


def main(argv):
    parser = argparse.ArgumentParser(description="the oracle's driver against asyncio's own _run_once")
    parser.add_argument("programs", nargs="*")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args(argv)
    if args.programs:
        texts = [open(p, encoding="utf-8").read() for p in args.programs]
    else:
        gen = generate.Gen(random.Random(args.seed))
        texts = [gen.program() for _ in range(args.count)]
    bad = heap = 0
    for text in texts:
        program = language.parse_program(text)
        mine = oracle_turns(program)
        *real, arming_order = free_turns(program)
        real = tuple(real)
        if mine != real:
            if arming_order:
                bad += 1
                print(f"DIFFERENT: {language.to_compact(program)}")
            else:
                heap += 1
                print(f"DV-HEAP (asyncio fired equal deadlines out of arming order): {language.to_compact(program)}")
            for i, (a, b) in enumerate(zip(mine[0] + [mine[1]], real[0] + [real[1]])):
                if a != b:
                    print(f"  turn {i + 1}: oracle {a}, asyncio {b}")
                    break
    print(f"{len(texts) - bad - heap} of {len(texts)} programs: the same turns as asyncio's _run_once; "
          f"{heap} differ only by DV-HEAP, {bad} otherwise")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
