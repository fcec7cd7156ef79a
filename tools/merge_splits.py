#!/usr/bin/env python3
"""Merges the results of `lockstep explore PROGRAM --split K/N` for K = 1..N.

Reads OUT/share-K.txt and OUT/share-K.status (tools/explore_split.sh share).
Checks that every share ran, finished its subtrees ("share K/N complete") and
that the shares' subtrees add up to the whole tree; sums the executions.
Exit 0: every schedule explored, no failure. 1: some share found a failure
(its trace is OUT/failure-K.trace). 2: a share is missing, unfinished or
unreadable, so the tree was not covered.

usage: merge_splits.py OUT N
"""
import os
import re
import sys


def read_share(out, k, n):
    try:
        text = open(os.path.join(out, f"share-{k}.txt"), encoding="utf-8").read()
        status = int(open(os.path.join(out, f"share-{k}.status")).read().strip())
    except (OSError, ValueError) as e:
        return None, f"share {k}/{n}: no result ({e})"
    counts = re.search(r"^explored (\d+) executions in (\d+) of (\d+) subtrees", text, re.M)
    if counts is None:
        return None, f"share {k}/{n}: exit {status}, no 'explored N executions in S of T subtrees' line"
    return {"status": status, "executions": int(counts.group(1)), "subtrees": int(counts.group(2)),
            "tree": int(counts.group(3)), "complete": f"share {k}/{n} complete" in text}, None


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    shares, problems, failures = [], [], []
    for k in range(1, n + 1):
        share, problem = read_share(out, k, n)
        if problem:
            problems.append(problem)
            continue
        shares.append(share)
        if share["status"] == 1:
            failures.append(f"share {k}/{n} found a failure: {os.path.join(out, f'failure-{k}.trace')}")
        elif share["status"] != 0 or not share["complete"]:
            problems.append(f"share {k}/{n}: exit {share['status']}, not complete")
    trees = {s["tree"] for s in shares}
    if len(trees) > 1:
        problems.append(f"the shares disagree on the tree's size: {sorted(trees)}")
    elif shares and not problems and not failures and sum(s["subtrees"] for s in shares) != trees.pop():
        problems.append("the shares' subtrees do not add up to the whole tree")
    executions = sum(s["executions"] for s in shares)
    for line in failures + problems:
        print(line)
    if failures:
        print(f"merged {len(shares)} of {n} shares: {executions} executions; FAILURE found")
        sys.exit(1)
    if problems:
        print(f"merged {len(shares)} of {n} shares: {executions} executions; the tree is NOT covered")
        sys.exit(2)
    subtrees = sum(s["subtrees"] for s in shares)
    print(f"merged {n} shares: {executions} executions in {subtrees} subtrees; all schedules explored, no failure")


if __name__ == "__main__":
    main()
