#!/usr/bin/env python3
"""Merges the results of `lockstep explore PROGRAM --split K/N` for K = 1..N.

Reads OUT/share-K.txt and OUT/share-K.status (tools/explore_split.sh share).
Each share's output must end with explore's summary line (tools/summary.py):
    {"summary":"explore","verdict":"pass"|"fail"|"incomplete","executions":N,...,
     "complete":bool,"scope":"share K/N","subtrees_done":S,"subtrees_total":T,...}
Checks that every share ran, that its line is for share K/N, that it finished
its subtrees (verdict pass, complete) and that the shares' subtrees add up to
the whole tree; sums the executions. Ends with the merge's own summary line,
{"summary":"merge_splits","verdict":...,"shares":N,"merged":M,"executions":E,...}.
Exit 0: every schedule explored, no failure. 1: some share found a failure
(its trace is OUT/failure-K.trace). 2: a share is missing, unfinished or
unreadable, so the tree was not covered.

usage: merge_splits.py OUT N
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import summary  # noqa: E402


def read_share(out, k, n):
    try:
        text = open(os.path.join(out, f"share-{k}.txt"), encoding="utf-8", errors="replace").read()
        status = int(open(os.path.join(out, f"share-{k}.status")).read().strip())
    except (OSError, ValueError) as e:
        return None, f"share {k}/{n}: no result ({e})"
    keys = ("verdict", "executions", "complete", "scope", "subtrees_done", "subtrees_total")
    try:
        line = summary.read(text, "explore", required=keys)
    except summary.SummaryError as e:
        return None, f"share {k}/{n}: exit {status}, {e}"
    if line["verdict"] != "fail" and line["scope"] not in (None, f"share {k}/{n}"):
        return None, f"share {k}/{n}: its summary line is for {line['scope']!r}"
    return {"status": status, "executions": line["executions"], "subtrees": line["subtrees_done"],
            "tree": line["subtrees_total"], "verdict": line["verdict"],
            "complete": line["complete"] is True and line["verdict"] == "pass"}, None


def check_shares(out, n):
    shares, problems, failures = [], [], []
    for k in range(1, n + 1):
        share, problem = read_share(out, k, n)
        if problem:
            problems.append(problem)
            continue
        shares.append(share)
        if share["status"] == 1 or share["verdict"] == "fail":
            failures.append(f"share {k}/{n} found a failure: {os.path.join(out, f'failure-{k}.trace')}")
        elif share["status"] != 0 or not share["complete"]:
            problems.append(f"share {k}/{n}: exit {share['status']}, not complete")
    trees = {s["tree"] for s in shares}
    if len(trees) > 1:
        problems.append(f"the shares disagree on the tree's size: {sorted(trees)}")
    elif shares and not problems and not failures and sum(s["subtrees"] for s in shares) != trees.pop():
        problems.append("the shares' subtrees do not add up to the whole tree")
    return shares, problems, failures


def main():
    if len(sys.argv) != 3 or not sys.argv[2].isdigit() or int(sys.argv[2]) < 1:
        sys.exit("usage: merge_splits.py OUT N (N: the number of shares, at least 1)")
    out, n = sys.argv[1], int(sys.argv[2])
    shares, problems, failures = check_shares(out, n)
    executions = sum(s["executions"] for s in shares)
    subtrees = sum(s["subtrees"] for s in shares)
    for line in failures + problems:
        print(line)
    verdict, status = ("fail", 1) if failures else ("incomplete", 2) if problems else ("pass", 0)
    if failures:
        print(f"merged {len(shares)} of {n} shares: {executions} executions; FAILURE found")
    elif problems:
        print(f"merged {len(shares)} of {n} shares: {executions} executions; the tree is NOT covered")
    else:
        print(f"merged {n} shares: {executions} executions in {subtrees} subtrees; all schedules explored, no failure")
    print(summary.line("merge_splits", {"verdict": verdict, "shares": n, "merged": len(shares),
                                        "executions": executions, "subtrees": subtrees,
                                        "problems": failures + problems}))
    sys.exit(status)


if __name__ == "__main__":
    main()
