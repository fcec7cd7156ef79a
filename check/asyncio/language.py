"""lockstep's program language in Python: parser, rules and printer.

A port of model/src/program.cpp (grammar and rules in
model/include/lockstep/model/program.hpp), shared by oracle.py and
generate.py. Standard library only.

    task 1: acquire; sleep 2; release
    task 2: scoped b { yield; throw } | task 3: gather 4 5   (compact form)
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_TASKS = 8
MAX_LOCKS = 3
MAX_OPS_PER_TASK = 32
MAX_DEPTH = 4
MAX_GATHER = 4
MAX_TICKS = 1000

# name -> argument kind: none, signed (seconds, -1000..1000), task,
# optional_task (a task number or nothing: arg 0, the running task), tasks
OPS = {
    "acquire": "none",
    "release": "none",
    "try_acquire": "none",
    "acquire_timeout": "signed",
    "scoped": "none",
    "guard_release": "none",
    "yield": "none",
    "sleep": "signed",
    "throw": "none",
    "cancel": "task",
    "uncancel": "optional_task",
    "spawn": "task",
    "await": "task",
    "gather": "tasks",
    "try": "none",
    "timeout": "signed",
    "raise_cancelled": "none",
}
LOCK_OPS = {"acquire", "release", "try_acquire", "acquire_timeout", "scoped"}
BODY_OPS = {"scoped", "try", "timeout"}


class BadProgram(Exception):
    pass


@dataclass
class Op:
    kind: str
    arg: int = 0
    lock: int = 0
    tasks: list[int] = field(default_factory=list)
    body: list["Op"] = field(default_factory=list)


def lock_name(lock: int) -> str:
    return "abc"[lock]


class _Cursor:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.line = 1
        self.column = 1

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return "" if self.at_end() else self.text[self.pos]

    def advance(self):
        if self.text[self.pos] == "\n":
            self.line += 1
            self.column = 1
        else:
            self.column += 1
        self.pos += 1

    def skip_blanks(self):  # blanks and comments, not newlines
        while not self.at_end():
            c = self.peek()
            if c in " \t\r":
                self.advance()
            elif c == "#":
                while not self.at_end() and self.peek() != "\n":
                    self.advance()
            else:
                return

    def accept(self, c: str) -> bool:
        self.skip_blanks()
        if self.peek() != c:
            return False
        self.advance()
        return True

    def expect(self, c: str, what: str):
        if not self.accept(c):
            self.fail(f"expected {what}, found {self.describe_next()}")

    def word(self) -> str:
        self.skip_blanks()
        out = ""
        while not self.at_end() and (self.peek().isascii() and (self.peek().isalnum() or self.peek() == "_")):
            out += self.peek()
            self.advance()
        return out

    def number(self, what: str, low: int, high: int) -> int:
        self.skip_blanks()
        line, column = self.line, self.column
        digits = ""
        if low < 0 and self.peek() == "-":
            digits += "-"
            self.advance()
        while not self.at_end() and self.peek() in "0123456789":
            digits += self.peek()
            self.advance()
        value = None
        if digits not in ("", "-"):
            value = int(digits)
        if value is None or value < low or value > high:
            found = self.describe_next() if digits == "" else f"'{digits}'"
            raise BadProgram(f"line {line}, column {column}: expected {what} from {low} to {high}, found {found}")
        return value

    def fail(self, message: str):
        raise BadProgram(f"line {self.line}, column {self.column}: {message}")

    def describe_next(self) -> str:
        if self.at_end():
            return "the end of the text"
        c = self.peek()
        if c == "\n":
            return "the end of the line"
        if not c.isprintable() or not c.isascii():
            return "byte 0x" + c.encode("utf-8")[:1].hex()
        return f"'{c}'"


def _parse_ops(cur: _Cursor) -> list[Op]:
    ops = [_parse_op(cur)]
    while cur.accept(";"):
        ops.append(_parse_op(cur))
    return ops


def _parse_op(cur: _Cursor) -> Op:
    cur.skip_blanks()
    line, column = cur.line, cur.column
    name = cur.word()
    if not name:
        cur.fail(f"expected an operation, found {cur.describe_next()}")
    if name not in OPS:
        raise BadProgram(f"line {line}, column {column}: unknown operation '{name}'")
    op = Op(name)
    if name in LOCK_OPS:
        cur.skip_blanks()
        c = cur.peek()
        if c in ("a", "b", "c"):
            cur.advance()
            op.lock = "abc".index(c)
    arg = OPS[name]
    if arg == "signed":
        op.arg = cur.number("a number of virtual seconds", -MAX_TICKS, MAX_TICKS)
    elif arg == "task":
        op.arg = cur.number("a task number", 1, MAX_TASKS)
    elif arg == "optional_task":
        cur.skip_blanks()
        if cur.peek() != "" and cur.peek() in "0123456789":
            op.arg = cur.number("a task number", 1, MAX_TASKS)
    elif arg == "tasks":
        op.tasks.append(cur.number("a task number", 1, MAX_TASKS))
        while True:
            cur.skip_blanks()
            if cur.peek() == "" or cur.peek() not in "0123456789":
                break
            op.tasks.append(cur.number("a task number", 1, MAX_TASKS))
    if name in BODY_OPS:
        cur.expect("{", f"'{{' after {name}")
        op.body = _parse_ops(cur)
        cur.expect("}", f"'}}' closing the {name} body")
    if op.kind == "gather":
        if len(op.tasks) > MAX_GATHER:
            raise BadProgram(f"line {line}, column {column}: gather takes 1 to {MAX_GATHER} tasks")
        if len(set(op.tasks)) != len(op.tasks):
            raise BadProgram(f"line {line}, column {column}: '{op_text(op)}' names a task twice")
    return op


def _walk(ops, depth=1, in_scope=False):
    for op in ops:
        yield op, depth, in_scope
        yield from _walk(op.body, depth + 1, in_scope or op.kind == "scoped")


def _count(ops) -> int:
    return sum(1 + _count(op.body) for op in ops)


def _started_by(op: Op) -> list[int]:
    if op.kind == "spawn":
        return [op.arg]
    if op.kind == "gather":
        return list(op.tasks)
    return []


def validate(program: list[list[Op]]):
    """The rules of program.hpp; raises BadProgram naming the task and op."""
    n = len(program)
    if n == 0 or n > MAX_TASKS:
        raise BadProgram(f"a program has 1 to {MAX_TASKS} tasks, not {n}")
    started_by = [0] * n
    for t, ops in enumerate(program):
        me = t + 1
        where = f"task {me}"
        if not ops:
            raise BadProgram(f"{where} has no operations")
        if _count(ops) > MAX_OPS_PER_TASK:
            raise BadProgram(f"{where} has more than {MAX_OPS_PER_TASK} operations")
        for op, depth, in_scope in _walk(ops):
            text = f"{where}: '{op_text(op)}'"
            if depth > MAX_DEPTH:
                raise BadProgram(f"{text} nests deeper than {MAX_DEPTH}")
            if op.kind == "guard_release" and not in_scope:
                raise BadProgram(f"{text} is outside a scoped body")
            named = _started_by(op) + ([op.arg] if op.kind in ("cancel", "await", "uncancel") and op.arg else [])
            if any(k > n for k in named):
                raise BadProgram(f"{text} names a task that does not exist")
            if (op.kind == "await" and op.arg <= me) or (op.kind == "gather" and min(op.tasks) <= me):
                raise BadProgram(f"{text}: a task awaits only tasks with greater numbers")
            for k in _started_by(op):
                if k == me:
                    raise BadProgram(f"{where} starts itself")
                if started_by[k - 1] != 0:
                    raise BadProgram(f"task {k} is started more than once")
                started_by[k - 1] = me
    for t in range(n):
        at, hops = t, 0
        while started_by[at] != 0:
            if hops > n:
                raise BadProgram(f"task {t + 1} can never start: spawn cycle")
            at = started_by[at] - 1
            hops += 1


def parse_program(text: str) -> list[list[Op]]:
    """The text form (one task per line) or the compact form (' | ')."""
    cur = _Cursor(text)
    program: list[list[Op]] = []
    while True:
        cur.skip_blanks()
        while cur.accept("\n"):
            cur.skip_blanks()
        if cur.at_end():
            break
        line, column = cur.line, cur.column
        keyword = cur.word()
        if keyword != "task":
            found = f"'{keyword}'" if keyword else cur.describe_next()
            raise BadProgram(f"line {line}, column {column}: expected 'task', found {found}")
        number = cur.number("a task number", 1, MAX_TASKS)
        if number != len(program) + 1:
            raise BadProgram(f"line {line}, column {column}: tasks are numbered 1, 2, 3... in order; "
                             f"expected task {len(program) + 1}, found task {number}")
        cur.expect(":", "':' after the task number")
        program.append(_parse_ops(cur))
        cur.skip_blanks()
        if cur.accept("|"):
            continue
        if not cur.at_end() and not cur.accept("\n"):
            cur.fail(f"expected ';', '|' or the end of the line, found {cur.describe_next()}")
    try:
        validate(program)
    except BadProgram as error:
        raise BadProgram(f"line {cur.line}, column {cur.column}: {error}") from None
    return program


def starts_at_once(program: list[list[Op]]) -> list[bool]:
    at_once = [True] * len(program)
    for ops in program:
        for op, _, _ in _walk(ops):
            for k in _started_by(op):
                at_once[k - 1] = False
    return at_once


def lock_count(program: list[list[Op]]) -> int:
    highest = 0
    for ops in program:
        for op, _, _ in _walk(ops):
            if op.kind in LOCK_OPS:
                highest = max(highest, op.lock)
    return highest + 1


def op_text(op: Op) -> str:
    out = op.kind
    if op.kind in LOCK_OPS and op.lock != 0:
        out += " " + lock_name(op.lock)
    arg = OPS[op.kind]
    if arg in ("signed", "task") or (arg == "optional_task" and op.arg):
        out += f" {op.arg}"
    elif arg == "tasks":
        out += "".join(f" {t}" for t in op.tasks)
    if op.kind in BODY_OPS:
        out += " { " + ops_text(op.body) + " }"
    return out


def ops_text(ops: list[Op]) -> str:
    return "; ".join(op_text(op) for op in ops)


def to_text(program: list[list[Op]]) -> str:
    return "".join(f"task {k}: {ops_text(ops)}\n" for k, ops in enumerate(program, 1))


def to_compact(program: list[list[Op]]) -> str:
    return " | ".join(f"task {k}: {ops_text(ops)}" for k, ops in enumerate(program, 1))
