#!/usr/bin/env python3
"""Runs every command of the README's `lockstep` example block, as documented.

The block starts with `L=build/gcc/check/lockstep`. Each command runs in a
scratch directory where `check/` is the source tree's and `build/gcc` is the
build directory under test; a trailing `# exits 1` comment means exit status 1
is expected, otherwise 0.

usage: cli_examples.py SOURCE_ROOT BUILD_ROOT
"""
import os
import re
import subprocess
import sys
import tempfile

source_root, build_root = sys.argv[1], sys.argv[2]
with open(os.path.join(source_root, "README.md"), encoding="utf-8") as f:
    readme = f.read()
match = re.search(r"```sh\n(L=build/gcc/check/lockstep\n.*?)```", readme, re.S)
if not match:
    sys.exit("README: no example block starting with L=build/gcc/check/lockstep")
lines = [line for line in match.group(1).splitlines() if line.strip()]

failures = 0
with tempfile.TemporaryDirectory() as scratch:
    os.symlink(os.path.join(source_root, "check"), os.path.join(scratch, "check"))
    os.makedirs(os.path.join(scratch, "build"))
    os.symlink(build_root, os.path.join(scratch, "build", "gcc"))
    variables = {}
    for line in lines:
        command, _, comment = line.partition("#")
        command = command.strip()
        assignment = re.fullmatch(r"([A-Z]+)=(\S+)", command)
        if assignment:
            variables[assignment.group(1)] = assignment.group(2)
            continue
        for name, value in variables.items():
            command = command.replace("$" + name, value)
        expected = 1 if comment.strip().startswith("exits 1") else 0
        result = subprocess.run(command, shell=True, cwd=scratch, capture_output=True, text=True, timeout=600)
        status = "ok" if result.returncode == expected else "FAILED"
        print(f"{status}: {command} (exit {result.returncode}, expected {expected})")
        if result.returncode != expected:
            failures += 1
            print(result.stdout[-3000:])
            print(result.stderr[-3000:])
print(f"{len(lines) - len(variables)} commands, {failures} failed")
sys.exit(1 if failures else 0)
