#!/usr/bin/env python3
"""Runs a program and compares its standard output with a file, line by line."""
import subprocess
import sys

program, expected_path = sys.argv[1], sys.argv[2]
actual = subprocess.run([program], capture_output=True, text=True, check=True).stdout.splitlines()
with open(expected_path, encoding="utf-8") as f:
    expected = f.read().splitlines()
for number, (want, got) in enumerate(zip(expected, actual), start=1):
    if want != got:
        sys.exit(f"line {number}: expected {want!r}, got {got!r}")
if len(expected) != len(actual):
    sys.exit(f"expected {len(expected)} lines, got {len(actual)}")
print(f"{len(actual)} lines match")
