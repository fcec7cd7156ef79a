#!/usr/bin/env python3
"""Encodes a program of the language as program_schedule input bytes (layout
v3, fuzz/decode.hpp), followed by schedule decisions, so that the seed corpus
starts from meaningful programs. Only what the layout can say is accepted: 1 to
5 tasks of 1 to 5 ops, bodies of one op, lock a or b, the argument ranges of
the layout; anything else is an error.

usage: encode_seed.py 'task 1: acquire; yield | task 2: acquire' [DECISION ...] > FILE
"""
import re
import sys

KINDS = ["acquire", "release", "try_acquire", "acquire_timeout", "scoped", "yield", "sleep", "throw", "cancel",
         "uncancel", "spawn", "await", "gather", "try", "guard_release", "timeout"]


def fail(message):
    sys.exit(f"encode_seed.py: {message}")


def split_ops(text):
    ops, depth, current = [], 0, ""
    for c in text:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if c == ";" and depth == 0:
            ops.append(current.strip())
            current = ""
        else:
            current += c
    if current.strip():
        ops.append(current.strip())
    return ops


def encode_op(text, tasks, task):
    m = re.fullmatch(r"(\w+)\s*([ab])?\s*(-?\d+)?\s*(\{(.*)\})?", text)
    if not m or (m.group(1) not in KINDS and m.group(1) != "raise_cancelled"):
        fail(f"cannot encode '{text}'")
    name, lock, number, body = m.group(1), m.group(2), m.group(3), m.group(5)
    kind = KINDS.index("throw" if name == "raise_cancelled" else name)
    a = 0
    if name in ("acquire", "release", "try_acquire", "acquire_timeout", "scoped"):
        a |= 1 if lock == "b" else 0
    if name in ("acquire_timeout", "timeout"):
        t = int(number)
        if not -1 <= t <= 2:
            fail(f"'{text}': timeouts -1 to 2 only")
        a |= (t + 1) * 2
    elif name == "sleep":
        t = int(number)
        if not -4 <= t <= 3:
            fail(f"'{text}': sleeps -4 to 3 only")
        a = t if t >= 0 else 8 + (-t - 1)
    elif name == "raise_cancelled":
        a = 1
    elif name == "cancel":
        a = int(number) - 1
    elif name == "uncancel" and number is not None:  # odd: task K's; even (no K): the running task's
        a = 1 + 2 * (int(number) - 1)
    elif name in ("spawn", "await", "gather"):
        a = int(number) - task - 1
        if a < 0 or a >= tasks - task:
            fail(f"'{text}': a higher task only")
    if not 0 <= a < 16:
        fail(f"'{text}': the argument does not fit the layout")
    out = [kind + 16 * a]
    if name in ("scoped", "try", "timeout"):
        inner = split_ops(body)
        if len(inner) != 1:
            fail(f"'{text}': a body of one op only")
        out += encode_op(inner[0], tasks, task)
    return out


def main():
    if len(sys.argv) < 2:
        fail("usage: encode_seed.py PROGRAM [DECISION ...]")
    program = sys.argv[1]
    try:
        decisions = [int(d) for d in sys.argv[2:]]
    except ValueError:
        fail("decisions are whole numbers")
    if any(not 0 <= d < 256 for d in decisions):
        fail("decisions are 0 to 255")
    lines = [t.strip() for t in re.split(r"\s*\|\s*|\n", program) if t.strip()]
    out = [len(lines) - 1]
    for number, line in enumerate(lines, start=1):
        ops = split_ops(line.split(":", 1)[1])
        if not 1 <= len(ops) <= 5:
            fail(f"task {number}: 1 to 5 ops")
        out.append(len(ops) - 1)
        for op in ops:
            out += encode_op(op, len(lines), number)
    sys.stdout.buffer.write(bytes(out + decisions))


main()
