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
CHECKPOINT_HEAD = "lockstep explore checkpoint v2\nprogram: task 1: acquire; release\n"

# Every flag of every command: the help must list them all.
FLAGS = {
    "explore": ["preemptions", "no-sleep-sets", "budget", "max-executions", "checkpoint", "resume", "workers",
                "split", "out"],
    "random": ["runs", "seed", "out"],
    "pct": ["runs", "depth", "seed", "out"],
    "replay": ["then", "seed", "depth", "out"],
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
         r"--max-executions cannot be used with --workers or --split", P),
    case("--split with --checkpoint", ["explore", "p.prog", "--split", "1/2", "--checkpoint", "c"],
         r"--checkpoint cannot be used with --workers or --split", P),
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
    case("a NUL byte in a program", ["random", "nul.prog"],
         r"nul\.prog:1:12: the control byte 0x00 \(lockstep reads text files\)",
         {"nul.prog": "task 1: acq\0uire; release\n"}),
    case("an escape byte in a program", ["explore", "esc.prog"], r"esc\.prog:2:9: the control byte 0x1b",
         {"esc.prog": "task 1: yield\ntask 2: \x1b[31macquire\n"}),
    case("a bell byte in a trace", ["replay", "bell.trace"], r"bell\.trace:1:3: the control byte 0x07",
         {"bell.trace": "lo\x07ckstep trace v1\n"}),
    case("a NUL byte in a checkpoint", ["explore", "--resume", "c"], r"c:2:10: the control byte 0x00",
         {"c": "lockstep explore checkpoint v2\nprogram: \0\n"}),
    case("/dev/zero as a program", ["random", "/dev/zero"], r"/dev/zero is larger than 1 MiB"),
    case("not a trace", ["replay", "g.trace"], r"g\.trace: trace line 1: not a lockstep trace",
         {"g.trace": "garbage\n"}),
    case("a folder as the trace", ["show", "d"], r"lockstep: d is a folder, not a file", {"d/": None}),
    case("a corrupt checkpoint", ["explore", "--resume", "c"], r"c: checkpoint line 6: 'x' is not a number",
         {"c": CHECKPOINT_HEAD + "bound: none\nsleep-sets: 1\nprefix: \nexecutions: x\n"}),
    case("a checkpoint with bound 4294967295 (false pass)", ["explore", "--resume", "c"],
         r"c: the checkpoint's bound must be none or 0 to 64, not '4294967295'",
         {"c": CHECKPOINT_HEAD + "bound: 4294967295\nsleep-sets: 1\n"}),
    case("a checkpoint with sleep-sets 7", ["explore", "--resume", "c"],
         r"c: the checkpoint's sleep-sets must be 0 or 1, not '7'",
         {"c": CHECKPOINT_HEAD + "bound: none\nsleep-sets: 7\n"}),
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
        CASES[-1]["must_list"] = [f"--{f}" for f in flags] + ["exit status: 0 pass; 1 a failure found",
                                                              "2 bad usage or input"]


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
