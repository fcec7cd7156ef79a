#!/usr/bin/env python3
"""Tests of the summary-line readers: tools/summary.py, and tools/merge_splits.py
on recorded `lockstep explore --split K/N` outputs in the summary-line form the
explore command prints (a share that passes, one that fails, one cut short, one
without a summary line, one for the wrong share, subtrees that do not add up).

With LOCKSTEP (the command), also that its summary lines are JSON that reads
back exactly, for a program file whose name holds a quote, a backslash, a tab,
a control byte, UTF-8 and a byte that is not UTF-8; and tools/count_results.py
on a JUnit log with a skipped test (counted as skipped, never as passed).

usage: test_summary.py [LOCKSTEP]   (exit 0 if every check holds)
"""
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import summary  # noqa: E402

failures = []


def expect(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def explore_line(k, n, verdict="pass", executions=12, done=2, total=4, complete=None):
    """A recorded explore summary line (the explore command's exact form)."""
    complete = verdict == "pass" if complete is None else complete
    return json.dumps({"summary": "explore", "verdict": verdict, "executions": executions, "pruned": 3,
                       "classes": executions, "distinct_traces": executions, "traces_capped": False,
                       "complete": complete, "bound": None, "reduction": "dpor", "scope": f"share {k}/{n}",
                       "subtrees_done": done, "subtrees_total": total, "elapsed_s": 0.25},
                      separators=(",", ":"))


def share_output(k, n, **kw):
    # What a share prints: prose for people, then the summary line.
    return (f"explored 12 executions in 2 of 4 subtrees (12 distinct traces) in 0.25 s\n"
            f"all schedules explored\nshare {k}/{n} complete: the other shares hold the rest of the tree\n"
            + explore_line(k, n, **kw) + "\n")


def merge(shares):
    """Writes OUT/share-K.txt and .status for each (text, status) and runs the merge."""
    with tempfile.TemporaryDirectory() as out:
        for k, (text, status) in enumerate(shares, start=1):
            with open(os.path.join(out, f"share-{k}.txt"), "w", encoding="utf-8") as f:
                f.write(text)
            with open(os.path.join(out, f"share-{k}.status"), "w") as f:
                f.write(f"{status}\n")
        done = subprocess.run([sys.executable, os.path.join(here, "merge_splits.py"), out, str(len(shares))],
                              capture_output=True, text=True)
    return done.returncode, done.stdout


def test_reader():
    text = "prose {not json}\n" + '{"summary":"random","verdict":"pass","runs":3}\n'
    expect(summary.read(text, "random")["runs"] == 3, "read() finds the last summary line")
    for bad, what in [("random: all passed\n", "no line"), ('{"verdict":"pass"}\n', "no summary key"),
                      ('{"summary":"random","verdict":"pass"\n', "a line cut short")]:
        try:
            summary.read(bad, "random")
            expect(False, f"read() refuses {what}")
        except summary.SummaryError:
            expect(True, f"read() refuses {what}")
    try:
        summary.read('{"summary":"pct","verdict":"pass"}', "random")
        expect(False, "read() refuses another tool's line")
    except summary.SummaryError:
        expect(True, "read() refuses another tool's line")
    try:
        summary.read('{"summary":"random"}', "random", required=("verdict",))
        expect(False, "read() refuses a line without a required key")
    except summary.SummaryError:
        expect(True, "read() refuses a line without a required key")
    expect(summary.line("x", {"b": 1, "a": "é\n"}) == '{"summary":"x","b":1,"a":"é\\n"}',
           "line() keeps the key order and escapes")


def test_merge():
    code, out = merge([(share_output(1, 2), 0), (share_output(2, 2), 0)])
    line = summary.read(out, "merge_splits")
    expect(code == 0 and line["verdict"] == "pass" and line["executions"] == 24, "two complete shares merge to a pass")
    code, out = merge([(share_output(1, 2), 0), (share_output(2, 2, verdict="fail"), 1)])
    expect(code == 1 and summary.read(out, "merge_splits")["verdict"] == "fail", "a failing share merges to a failure")
    code, _ = merge([(share_output(1, 2), 0), (share_output(2, 2, verdict="incomplete"), 0)])
    expect(code == 2, "a share cut short (verdict incomplete) is not covered")
    code, _ = merge([(share_output(1, 2), 0), (share_output(2, 2, verdict="pass", complete=False), 0)])
    expect(code == 2, "a share whose line says complete: false is not covered")
    code, _ = merge([(share_output(1, 2), 0), ("explored 12 executions\nall schedules explored\n", 0)])
    expect(code == 2, "a share without a summary line is not covered")
    code, _ = merge([(share_output(1, 2), 0), (share_output(1, 2), 0)])
    expect(code == 2, "a share whose line is for another share is refused")
    code, _ = merge([(share_output(1, 2), 0), (share_output(2, 2, done=1), 0)])
    expect(code == 2, "subtrees that do not add up to the tree are refused")


def test_count_results():
    junit = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="unit" tests="3">
<testcase classname="lockstep:unit" name="lock"/>
<testcase classname="lockstep:check" name="show --html in a real browser"><skipped/></testcase>
<testcase classname="lockstep:unit" name="loop"><failure/></testcase>
</testsuite></testsuites>
"""
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "t.junit.xml")
        with open(path, "w") as f:
            f.write(junit)
        done = subprocess.run([sys.executable, os.path.join(here, "count_results.py"), path, "1"],
                              capture_output=True, text=True)
        line = summary.read(done.stdout, "count_results")
        expect((line["passed"], line["failed"], line["skipped"]) == (1, 1, 1),
               f"count_results: a skipped test is skipped, not passed ({line})")
        expect(line["skipped_tests"] == ["lockstep:check / show --html in a real browser"],
               "count_results names the skipped test")
        done = subprocess.run([sys.executable, os.path.join(here, "count_results.py"), path + ".missing", "0"],
                              capture_output=True, text=True)
        expect(summary.read(done.stdout, "count_results")["failed"] == 1, "count_results: a missing log is a failure")


def test_lockstep_escapes(lockstep):
    name = b'a"b\\c\td\x01\xc3\xa9\xff.prog'
    with tempfile.TemporaryDirectory() as scratch:
        with open(os.path.join(os.fsencode(scratch), name), "w") as f:
            f.write("task 1: acquire; release\n")
        done = subprocess.run([lockstep, "random", name, "--runs", "2"], cwd=scratch, capture_output=True)
    last = done.stdout.decode("utf-8").splitlines()[-1]
    try:
        line = summary.read(last, "random")
    except summary.SummaryError as e:
        expect(False, f"lockstep random's summary line reads ({e}: {last})")
        return
    expect(line["program"] == 'a"b\\c\td\x01\u00e9\ufffd.prog' and line["verdict"] == "pass" and line["runs"] == 2,
           f"lockstep random's summary line escapes the program's name ({last})")


test_reader()
test_merge()
test_count_results()
if len(sys.argv) > 1:
    test_lockstep_escapes(os.path.abspath(sys.argv[1]))
print(f"{len(failures)} checks failed" if failures else "all checks hold")
sys.exit(1 if failures else 0)
