#!/usr/bin/env python3
"""Runs a property-test binary built against a broken lock and passes only if
RapidCheck falsified a property (exit status 1 and "Falsifiable" printed), so a
crash or a pass cannot count as catching the bug.

usage: expect_falsified.py BINARY [ARGS...]
"""
import subprocess
import sys

result = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=900)
print(result.stdout[-4000:])
print(result.stderr[-2000:])
falsified = result.returncode == 1 and "Falsifiable" in result.stdout
print("falsified, as expected" if falsified else f"NOT falsified (exit {result.returncode})")
sys.exit(0 if falsified else 1)
