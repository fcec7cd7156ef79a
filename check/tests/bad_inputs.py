#!/usr/bin/env python3
"""Runs the lockstep command over a corpus of bad inputs.

Each case runs in a fresh temporary folder holding only its input files. A
case passes when the command exits with the expected status (2 for bad usage or
input, 0 for help), its message matches the case's regex, it finishes within
10 s, it did not crash (no signal, no status >= 128, no sanitizer report), its
messages hold no control byte but newline (user input is escaped), an error
prints nothing on stdout, and it leaves no file behind in the folder.

usage: bad_inputs.py LOCKSTEP_BINARY
"""
import os
import re
import subprocess
import sys
import tempfile

TIMEOUT = 10

GOOD_PROGRAM = "task 1: acquire; yield; release\ntask 2: acquire; release\n"
PASSING_TRACE = "lockstep v2 / task 1: acquire; release / 0\n"
NINE_TASKS = "".join(f"task {k}: yield\n" for k in range(1, 10))
# Checkpoint cases start from a real checkpoint of this program, made by the
# binary under test (see checkpoint_cases).
CHECKPOINT_PROGRAM = "task 1: acquire; yield; release\ntask 2: acquire; yield; release\ntask 3: acquire; release\n"

# Every flag of every command: the help must list them all.
FLAGS = {
    "explore": ["preemptions", "reduction", "no-sleep-sets", "budget", "max-executions", "checkpoint", "resume", "workers",
                "split", "out", "trace-out"],
    "random": ["runs", "seed", "out", "trace-out"],
    "pct": ["runs", "depth", "seed", "out", "trace-out"],
    "replay": ["then", "seed", "depth", "out", "trace-out"],
    "shrink": ["out"],
    "show": ["svg", "html"],
    "campaign": ["programs", "budget", "preemptions", "out"],
}

USAGE_LINE = r"usage: lockstep"


def case(name, args, pattern, files=None, status=2, stream="stderr"):
    return {"name": name, "args": args, "pattern": pattern, "files": files or {}, "status": status,
            "stream": stream}


P = {"p.prog": GOOD_PROGRAM}
T = {"t.trace": PASSING_TRACE}


def whole(flag, low, high, got):
    return rf"--{flag}: expected a whole number from {low} to {high}, got '{re.escape(got)}'"


SPLIT = r"--split: expected K/N with 1 <= K <= N <= 4096 \(like 1/4\), got '{}'"
BUDGET = r"--budget: expected a number of seconds greater than 0 and at most 1000000000 \(like 30 or 0\.5\), got {}"

CASES = [
    # Numbers that used to wrap or be accepted as something else.
    case("runs -1 (ran 2^64 times)", ["random", "p.prog", "--runs", "-1"], whole("runs", 1, 1000000000, "-1"), P),
    case("runs 1e3", ["random", "p.prog", "--runs", "1e3"], whole("runs", 1, 1000000000, "1e3"), P),
    case("runs 0", ["random", "p.prog", "--runs", "0"], whole("runs", 1, 1000000000, "0"), P),
    case("runs with a space", ["random", "p.prog", "--runs", " 5"], whole("runs", 1, 1000000000, " 5"), P),
    case("runs in hex", ["random", "p.prog", "--runs", "0x10"], whole("runs", 1, 1000000000, "0x10"), P),
    case("runs with a sign", ["random", "p.prog", "--runs", "+5"], whole("runs", 1, 1000000000, "+5"), P),
    case("runs too large", ["random", "p.prog", "--runs", "1000000001"],
         whole("runs", 1, 1000000000, "1000000001"), P),
    case("runs empty", ["random", "p.prog", "--runs", ""],
         r"--runs: expected a whole number from 1 to 1000000000, got an empty value", P),
    case("workers -1 (forked hundreds)", ["explore", "p.prog", "--workers", "-1"], whole("workers", 1, 64, "-1"), P),
    case("workers 0", ["explore", "p.prog", "--workers", "0"], whole("workers", 1, 64, "0"), P),
    case("workers 65", ["explore", "p.prog", "--workers", "65"], whole("workers", 1, 64, "65"), P),
    case("seed -1", ["random", "p.prog", "--seed", "-1"], whole("seed", 0, 18446744073709551615, "-1"), P),
    case("seed 2^64", ["random", "p.prog", "--seed", "18446744073709551616"],
         whole("seed", 0, 18446744073709551615, "18446744073709551616"), P),
    case("seeds past 2^64-1", ["random", "p.prog", "--seed", "18446744073709551615", "--runs", "2"],
         r"--seed 18446744073709551615 with --runs 2 would pass the largest seed", P),
    case("depth 4294967297", ["pct", "p.prog", "--depth", "4294967297"], whole("depth", 1, 64, "4294967297"), P),
    case("depth 0", ["pct", "p.prog", "--depth", "0"], whole("depth", 1, 64, "0"), P),
    case("preemptions -1 (false pass)", ["explore", "p.prog", "--preemptions", "-1"],
         whole("preemptions", 0, 64, "-1"), P),
    case("preemptions 4294967295 (false pass)", ["explore", "p.prog", "--preemptions", "4294967295"],
         whole("preemptions", 0, 64, "4294967295"), P),
    case("preemptions 65", ["explore", "p.prog", "--preemptions", "65"], whole("preemptions", 0, 64, "65"), P),
    case("campaign preemptions -1", ["campaign", "--preemptions", "-1"], whole("preemptions", 0, 64, "-1")),
    case("max-executions 0", ["explore", "p.prog", "--max-executions", "0"],
         whole("max-executions", 1, 1000000000000, "0"), P),
    case("max-executions too large", ["explore", "p.prog", "--max-executions", "1000000000001"],
         whole("max-executions", 1, 1000000000000, "1000000000001"), P),
    case("budget 0", ["explore", "p.prog", "--budget", "0"], BUDGET.format("'0'"), P),
    case("budget -1", ["explore", "p.prog", "--budget", "-1"], BUDGET.format("'-1'"), P),
    case("budget nan", ["explore", "p.prog", "--budget", "nan"], BUDGET.format("'nan'"), P),
    case("budget inf", ["explore", "p.prog", "--budget", "inf"], BUDGET.format("'inf'"), P),
    case("budget 1e3", ["campaign", "--budget", "1e3"], BUDGET.format("'1e3'")),
    case("budget too large", ["campaign", "--budget", "1000000001"], BUDGET.format("'1000000001'")),
    case("budget empty", ["explore", "p.prog", "--budget", ""], BUDGET.format("an empty value"), P),
    case("split 1/-1", ["explore", "p.prog", "--split", "1/-1"], SPLIT.format("1/-1"), P),
    case("split 0/2", ["explore", "p.prog", "--split", "0/2"], SPLIT.format("0/2"), P),
    case("split 3/2", ["explore", "p.prog", "--split", "3/2"], SPLIT.format("3/2"), P),
    case("split 1/0", ["explore", "p.prog", "--split", "1/0"], SPLIT.format("1/0"), P),
    case("split a/b", ["explore", "p.prog", "--split", "a/b"], SPLIT.format("a/b"), P),
    case("split 1/2/3", ["explore", "p.prog", "--split", "1/2/3"], SPLIT.format("1/2/3"), P),
    case("split 1/4097", ["explore", "p.prog", "--split", "1/4097"], SPLIT.format("1/4097"), P),
    case("split without a slash", ["explore", "p.prog", "--split", "2"], SPLIT.format("2"), P),
    # Flags: typos, unknown, repeated, missing values, booleans with values.
    case("typo --preemption", ["explore", "p.prog", "--preemption", "2"],
         r"unknown flag --preemption; did you mean --preemptions\?", P),
    case("typo --run", ["random", "p.prog", "--run", "5"], r"unknown flag --run; did you mean --runs\?", P),
    case("transposed --bugdet", ["explore", "p.prog", "--bugdet", "5"],
         r"unknown flag --bugdet; did you mean --budget\?", P),
    case("another command's flag", ["random", "p.prog", "--depth", "3"],
         r"unknown flag --depth \(random has no such flag; pct, replay do\)", P),
    case("unknown flag", ["random", "p.prog", "--frobnicate", "1"], r"unknown flag --frobnicate\n", P),
    case("single dash", ["random", "p.prog", "-runs", "5"], r"unknown flag '-runs'; did you mean --runs\?", P),
    case("flag given twice", ["random", "p.prog", "--runs", "3", "--runs", "4"], r"--runs given twice", P),
    case("missing value at the end", ["random", "p.prog", "--runs"],
         r"--runs needs a value: N, a whole number from 1 to 1000000000", P),
    case("missing value before a flag", ["random", "p.prog", "--runs", "--seed", "3"],
         r"--runs needs a value: N, .*found the flag '--seed'", P),
    case("missing path value", ["show", "t.trace", "--svg"], r"--svg needs a value: FILE, a path", T),
    case("missing --html value", ["show", "t.trace", "--html"], r"--html needs a value: FILE, a path", T),
    case("a reduction it does not know", ["explore", "p.prog", "--reduction", "fast"], r"--reduction", P),
    case("--no-sleep-sets against --reduction dpor", ["explore", "p.prog", "--no-sleep-sets", "--reduction", "dpor"],
         r"--no-sleep-sets means --reduction none, not --reduction dpor", P),
    case("boolean with a value", ["explore", "p.prog", "--no-sleep-sets", "1"],
         r"--no-sleep-sets takes no value, got '1'", P),
    case("boolean with =value", ["explore", "p.prog", "--no-sleep-sets=1"],
         r"--no-sleep-sets takes no value, got '--no-sleep-sets=1'", P),
    case("an extra argument", ["random", "p.prog", "q.prog"],
         r"unexpected argument 'q.prog': random takes one PROGRAM", P),
    case("--then not a strategy", ["replay", "t.trace", "--then", "dfs"],
         r"--then: expected one of random, pct, got 'dfs'", T),
    case("--seed without --then", ["replay", "t.trace", "--seed", "3"], r"--seed needs --then", T),
    case("--depth without --then pct", ["replay", "t.trace", "--then", "random", "--depth", "3"],
         r"--depth needs --then pct", T),
    case("an empty --out", ["random", "p.prog", "--out", ""], r"--out: expected a path, got an empty value", P),
    # Commands and the combinations between flags.
    case("no command", [], r"lockstep: expected a command\n"),
    case("command typo", ["explor", "p.prog"], r"unknown command 'explor'; did you mean explore\?", P),
    case("a flag before any command", ["--runs", "3"], r"expected a command before '--runs'"),
    case("help for an unknown command", ["help", "bogus"], r"help: unknown command 'bogus'"),
    case("explore with nothing to explore", ["explore"], r"explore needs a PROGRAM file \(or --resume CHECKPOINT\)"),
    case("random without a program", ["random"], r"random needs a PROGRAM file"),
    case("an empty program name", ["random", ""], r"expected a PROGRAM file name, got an empty one"),
    case("program and --resume", ["explore", "p.prog", "--resume", "p.prog"],
         r"give a PROGRAM or --resume CHECKPOINT, not both", P),
    case("--resume with --preemptions", ["explore", "--resume", "c", "--preemptions", "2"],
         r"--preemptions cannot be used with --resume"),
    case("--workers with --split", ["explore", "p.prog", "--workers", "2", "--split", "1/2"],
         r"--workers and --split exclude each other", P),
    case("--workers with --max-executions", ["explore", "p.prog", "--workers", "2", "--max-executions", "5"],
         r"--max-executions cannot be used with --workers \(use --budget\)", P),
    case("--resume with --split", ["explore", "--resume", "c", "--split", "1/2"], r"--split cannot be used with --resume"),
    case("--trace-out is a folder", ["random", "p.prog", "--trace-out", "d"], r"--trace-out: d is a folder, not a file",
         {**P, "d/": None}),
    case("--trace-out in a missing folder", ["explore", "p.prog", "--trace-out", "nodir/t"],
         r"--trace-out: no such folder nodir", P),
    case("campaign takes no argument", ["campaign", "x"], r"campaign takes no argument, got 'x'"),
    # Files.
    case("a missing program", ["random", "nope.prog"], r"lockstep: no such file nope\.prog\n"),
    case("a folder as the program", ["random", "d"], r"lockstep: d is a folder, not a file", {"d/": None}),
    case("an empty program file", ["random", "empty.prog"], r"empty\.prog:1:1: a program has 1 to 8 tasks, not 0",
         {"empty.prog": ""}),
    case("a program with 9 tasks", ["explore", "nine.prog"], r"nine\.prog:9:6: .*task number from 1 to 8",
         {"nine.prog": NINE_TASKS}),
    case("a program with a syntax error", ["pct", "bad.prog"], r"bad\.prog:2:9: unknown operation 'aquire'",
         {"bad.prog": "task 1: acquire\ntask 2: aquire\n"}),
    case("uncancel of a task that does not exist", ["random", "u.prog"],
         r"u\.prog:2:1: task 1: 'uncancel 3' names a task that does not exist", {"u.prog": "task 1: uncancel 3\n"}),
    case("uncancel 0", ["random", "u.prog"], r"u\.prog:1:18: expected a task number from 1 to 8, found '0'",
         {"u.prog": "task 1: uncancel 0\n"}),
    case("a NUL byte in a program", ["random", "nul.prog"],
         r"nul\.prog:1:12: the control byte 0x00 \(lockstep reads text files\)",
         {"nul.prog": "task 1: acq\0uire; release\n"}),
    case("an escape byte in a program", ["explore", "esc.prog"], r"esc\.prog:2:9: the control byte 0x1b",
         {"esc.prog": "task 1: yield\ntask 2: \x1b[31macquire\n"}),
    case("a bell byte in a trace", ["replay", "bell.trace"], r"bell\.trace:1:3: the control byte 0x07",
         {"bell.trace": "lo\x07ckstep trace v1\n"}),
    case("a NUL byte in a checkpoint", ["explore", "--resume", "c"], r"c:2:10: the control byte 0x00",
         {"c": "lockstep explore checkpoint v4\nprogram: \0\n"}),
    case("/dev/zero as a program", ["random", "/dev/zero"], r"/dev/zero is larger than 1 MiB"),
    case("not a trace", ["replay", "g.trace"], r"g\.trace:1: not a lockstep trace",
         {"g.trace": "garbage\n"}),
    case("a folder as the trace", ["show", "d"], r"lockstep: d is a folder, not a file", {"d/": None}),
    case("a missing checkpoint", ["explore", "--resume", "c"], r"no such file c\n"),
    case("shrink a passing trace", ["shrink", "t.trace"], r"t\.trace: the trace passes: nothing to shrink", T),
    case("a control byte in a file name", ["random", "a\x1bb.prog"], r"no such file a\\x1bb\.prog"),
    case("a newline in a file name", ["show", "a\nb"], r"no such file a\\nb\n"),
    case("--out is a folder", ["random", "p.prog", "--out", "d"], r"--out: d is a folder, not a file",
         {**P, "d/": None}),
    case("--out in a missing folder", ["random", "p.prog", "--out", "nodir/x.trace"],
         r"--out: no such folder nodir for nodir/x\.trace", P),
    case("--svg in a missing folder", ["show", "t.trace", "--svg", "nodir/x.svg"], r"--svg: no such folder nodir",
         T),
    case("--html in a missing folder", ["show", "t.trace", "--html", "nodir/x.html"], r"--html: no such folder nodir",
         T),
    case("--html is a folder", ["show", "t.trace", "--html", "d"], r"--html: d is a folder, not a file",
         {**T, "d/": None}),
    case("--checkpoint is a folder", ["explore", "p.prog", "--checkpoint", "d"],
         r"--checkpoint: d is a folder, not a file", {**P, "d/": None}),
    case("campaign: a missing folder", ["campaign", "--programs", "nope"], r"lockstep: campaign: no such folder nope\n"),
    case("campaign: a file, not a folder", ["campaign", "--programs", "p.prog"],
         r"campaign: p\.prog is not a folder", P),
    case("campaign: no programs", ["campaign", "--programs", "d"], r"campaign: no \.prog files in d",
         {"d/": None, "d/notes.txt": "x"}),
    case("campaign: a bad program is named", ["campaign", "--programs", "d"],
         r"lockstep: d/b\.prog:1:9: unknown operation 'acquir'",
         {"d/": None, "d/a.prog": GOOD_PROGRAM, "d/b.prog": "task 1: acquir\n"}),
]

# Help: exit 0, the usage on stdout, every flag listed.
for words in (["--help"], ["help"], ["-h"], ["explore", "--bogus", "--help"]):
    everything = [f"--{flag}" for flags in FLAGS.values() for flag in flags] + list(FLAGS)
    CASES.append(case("help: " + " ".join(words), words, USAGE_LINE, status=0, stream="stdout"))
    CASES[-1]["must_list"] = everything if words[0] != "explore" else [f"--{f}" for f in FLAGS["explore"]]
for command, flags in FLAGS.items():
    for words in ([command, "--help"], ["help", command], [command, "-h"]):
        CASES.append(case("help: " + " ".join(words), words, USAGE_LINE + " " + command, status=0, stream="stdout"))
        CASES[-1]["must_list"] = [f"--{f}" for f in flags] + ["exit status: 0 pass", "1 a failure found",
                                                              "2 bad usage or input", "128+N stopped by signal N"]


def fnv1a(data):
    h = 1469598103934665603
    for byte in data.encode("utf-8", "surrogateescape"):
        h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def seal(text, hash_too=True):
    """The checkpoint with its checksum (and program hash) recomputed, as a
    deliberate edit would leave it: the reader's other checks then apply."""
    lines = [line for line in text.splitlines() if not line.startswith("checksum:")]
    program = next(line[9:] for line in lines if line.startswith("program: "))
    if hash_too:
        lines = ["program-hash: " + fnv1a(program) if line.startswith("program-hash:") else line for line in lines]
    body = "".join(line + "\n" for line in lines)
    return body + "checksum: " + fnv1a(body) + "\n"


def edit(text, old, new):
    assert old in text, (old, text)
    return text.replace(old, new, 1)


def checkpoint_cases(binary):
    """Bad checkpoints, each derived from a real one."""
    with tempfile.TemporaryDirectory(prefix="lockstep-bad-inputs-") as folder:
        with open(os.path.join(folder, "p.prog"), "w") as f:
            f.write(CHECKPOINT_PROGRAM)
        subprocess.run([binary, "explore", "p.prog", "--reduction", "sleep", "--max-executions", "3", "--checkpoint", "c"], cwd=folder,
                       check=True, capture_output=True)
        with open(os.path.join(folder, "c")) as f:
            good = f.read()
    lines = good.splitlines()
    last = len(lines)  # the checksum line
    level = next(line for line in lines if line.startswith("  3 0 0 0 0 |"))
    top = lines[last - 2]  # the deepest level: "  2 0 2 1 0 | ..."

    def c(name, text, pattern, args=None):
        return case("checkpoint: " + name, ["explore", "--resume", "c"] + (args or []), pattern, {"c": text})

    n = r"must be a whole number from 0 to 4611686018427387904, not '{}'"
    return [
        c("not a checkpoint", "hello\n", r"c:1: not a lockstep explore checkpoint \(expected 'lockstep explore checkpoint v4'\)"),
        c("an empty file", "", r"c:1: not a lockstep explore checkpoint"),
        c("version 3", edit(good, "checkpoint v4", "checkpoint v3"),
          r"c:1: a checkpoint v3; this build reads v4 only \(start the exploration again\)"),
        c("version 5", edit(good, "checkpoint v4", "checkpoint v5"), r"c:1: a checkpoint v5; this build reads v4 only"),
        c("its last line cut short", good[:-5], rf"c:{last}: the last line is cut short \(no newline at the end\)"),
        c("cut at a line's end", "".join(line + "\n" for line in lines[:9]),
          r"c:9: expected the closing 'checksum:' line: the checkpoint is cut short"),
        c("its checksum line gone", "".join(line + "\n" for line in lines[:-1]),
          rf"c:{last - 1}: expected the closing 'checksum:' line"),
        c("text after the checksum", good + "more\n", rf"c:{last + 1}: expected the closing 'checksum:' line"),
        c("a checksum not in hex", edit(good, lines[-1], "checksum: xyz"),
          rf"c:{last}: the checksum must be 16 hex digits, not 'xyz'"),
        c("one digit changed, checksum kept", edit(good, "executions: 3", "executions: 4"),
          rf"c:{last}: the checksum does not match the lines above it: the checkpoint was changed or damaged"),
        c("a swapped program (checksum fixed, hash kept)",
          seal(edit(good, "task 3: acquire; release", "task 3: release"), hash_too=False),
          r"c:3: the program does not match its hash: the checkpoint belongs to another program, or was edited"),
        c("a swapped program of another shape (hash and checksum forged)",
          seal(edit(good, "task 3: acquire; release", "task 3: acquire; release | task 4: yield")),
          r"c:\d+: the subtree does not fit the checkpoint's program \(explore: the program is not deterministic"),
        c("a program that does not parse", seal(edit(good, "task 3: acquire;", "task 3: aquire;")),
          r"c:2: program: line 1, column \d+: unknown operation 'aquire'"),
        c("bound -1 (false pass)", seal(edit(good, "bound: none", "bound: -1")),
          r"c:5: the bound must be none or 0 to 64, not '-1'"),
        c("bound 4294967295 (false pass)", seal(edit(good, "bound: none", "bound: 4294967295")),
          r"c:5: the bound must be none or 0 to 64, not '4294967295'"),
        c("bound 65", seal(edit(good, "bound: none", "bound: 65")), r"c:5: the bound must be none or 0 to 64, not '65'"),
        c("reduction fast", seal(edit(good, "reduction: sleep", "reduction: fast")),
          r"c:6: the reduction must be dpor, sleep or none, not 'fast'"),
        c("a dpor checkpoint begun", seal(edit(good, "reduction: sleep", "reduction: dpor")),
          r"c:\d+: a dpor checkpoint holds subtrees not begun \(0 levels\), not 5 levels"),
        c("a scope it does not know", seal(edit(good, "scope: all", "scope: most")),
          r"c:4: the scope must be 'all', 'prefix D...' or 'share K/N', not 'most'"),
        c("a share 3/2", seal(edit(good, "scope: all", "scope: share 3/2")), r"c:4: the scope must be"),
        c("executions -5", seal(edit(good, "executions: 3", "executions: -5")), r"c:7: executions " + n.format("-5")),
        c("executions 2^64", seal(edit(good, "executions: 3", "executions: 18446744073709551616")),
          r"c:7: executions " + n.format("18446744073709551616")),
        c("pruned 1e3", seal(edit(good, "pruned: 0", "pruned: 1e3")), r"c:8: pruned " + n.format("1e3")),
        c("more fingerprints announced than listed", seal(edit(good, "traces: 3", "traces: 4")),
          r"c:13: expected trace fingerprint 4 of 4 \(16 hex digits\), found 'classes: \d+'"),
        c("a fingerprint twice", seal(edit(good, lines[11], lines[10])),
          r"c:12: the fingerprints must be in increasing order, each once"),
        c("too many fingerprints", seal(edit(good, "traces: 3", "traces: 65537")),
          r"c:9: the trace count must be a whole number from 0 to 65536, not '65537'"),
        c("a huge subtree count", seal(edit(good, "subtrees: 1", "subtrees: 99999999999")),
          r"c:\d+: the subtree count must be a whole number from 0 to 1048576"),
        c("fewer levels than announced", seal(edit(good, "subtree: 5 levels", "subtree: 6 levels")),
          rf"c:{last}: expected level 6 of the subtree, found 'checksum: "),
        c("a choice past its options", seal(edit(good, top, top.replace("2 0 2 1 0", "2 0 2 2 0"))),
          rf"c:{last - 1}: level 5's choice must be a whole number from 0 to 1, not '2'"),
        c("delays that do not add up", seal(edit(good, top, top.replace("2 0 2 1 0", "2 0 7 1 0"))),
          rf"c:{last - 1}: level 5: 7 delays before it, but the levels above add up to 2"),
        c("a choice over the bound", seal(edit(edit(good, "bound: none", "bound: 2"), top, top.replace("2 0 2 1 0", "2 0 2 1 0"))),
          rf"c:{last - 1}: level 5: choice 1 passes the bound of 2 delays"),
        c("a frozen level below the prefix", seal(edit(good, level, level.replace("3 0 0 0 0", "3 0 0 0 1"))),
          r"c:\d+: level 1 is frozen but below the prefix"),
        c("options announced and listed differ", seal(edit(good, level, level.replace("| t1,t2,t3 |", "| t1,t2 |"))),
          r"c:\d+: level 1: 3 options announced, 2 listed"),
        c("a choice both explored and chosen", seal(edit(good, top, top.replace("| 0", "| 1"))),
          rf"c:{last - 1}: level 5: choice 1 is both being explored and done"),
        c("a level with one option", seal(edit(good, top, top.replace("2 0 2 1 0", "1 0 2 0 0"))),
          rf"c:{last - 1}: level 5: a decision has 2 or more options, not 1"),
        c("a bad sleep entry", seal(edit(good, top, top.replace("t3=t3/", "t3:t3/"))),
          rf"c:{last - 1}: level 5: "),
        c("--resume with --workers reads it too", seal(edit(good, "bound: none", "bound: -1")),
          r"c:5: the bound must be none or 0 to 64, not '-1'", ["--workers", "2"]),
    ]


def make_files(folder, files):
    for name, text in files.items():
        path = os.path.join(folder, name)
        if name.endswith("/"):
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(text.encode("utf-8", "surrogateescape"))


def listing(folder):
    found = set()
    for root, dirs, names in os.walk(folder):
        for name in dirs + names:
            found.add(os.path.relpath(os.path.join(root, name), folder))
    return found


def run_case(binary, c):
    problems = []
    with tempfile.TemporaryDirectory(prefix="lockstep-bad-inputs-") as folder:
        make_files(folder, c["files"])
        before = listing(folder)
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        try:
            result = subprocess.run([binary] + c["args"], cwd=folder, capture_output=True, timeout=TIMEOUT,
                                    env=env, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return [f"timed out after {TIMEOUT} s"]
        stdout = result.stdout.decode("utf-8", "replace")
        stderr = result.stderr.decode("utf-8", "replace")
        code = result.returncode
        if code < 0 or code >= 128:
            problems.append(f"crashed: exit status {code}")
        if code != c["status"]:
            problems.append(f"exit status {code}, expected {c['status']}")
        if re.search(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:", stderr):
            problems.append("a sanitizer report")
        text = stdout if c["stream"] == "stdout" else stderr
        if not re.search(c["pattern"], text):
            problems.append(f"{c['stream']} does not match /{c['pattern']}/")
        for needed in c.get("must_list", []):
            if needed not in text:
                problems.append(f"the usage text does not list {needed}")
        for name, data in (("stdout", result.stdout), ("stderr", result.stderr)):
            if re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", data):
                problems.append(f"{name} holds a control byte")
        if c["status"] != 0 and stdout:
            problems.append("an error printed on stdout: " + stdout[:200])
        if c["status"] == 0 and stderr:
            problems.append("help printed on stderr: " + stderr[:200])
        left = listing(folder) - before
        if left:
            problems.append("left files behind: " + ", ".join(sorted(left)))
        if problems:
            problems.append("stderr: " + stderr[-600:])
    return problems


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    CASES.extend(checkpoint_cases(binary))
    failed = 0
    for c in CASES:
        problems = run_case(binary, c)
        if problems:
            failed += 1
            print(f"FAILED: {c['name']}: {c['args']!r}")
            for p in problems:
                print("    " + p)
        else:
            print(f"ok: {c['name']}")
    print(f"{len(CASES) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
