#!/usr/bin/env python3
"""Checks ARCHITECTURE.md's dependency rules by reading every #include.

- core/ includes only the standard library and core's own headers;
- model/ includes only the standard library and model's own headers, and no
  coroutine header;
- check/ never includes a driver (tests, props, fuzz, bench, examples).
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
include = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
rules = {
    "core": lambda h: not h.startswith(("lockstep/model", "lockstep/check")),
    "model": lambda h: h != "coroutine" and (not h.startswith("lockstep/") or h.startswith("lockstep/model/")),
    "check": lambda h: not h.startswith(("gtest", "rapidcheck", "benchmark")),
}
errors = []
for folder, allowed in rules.items():
    for path in sorted((root / folder).rglob("*")):
        if path.suffix not in (".hpp", ".cpp", ".h", ".in") or "tests" in path.parts:
            continue
        for header in include.findall(path.read_text(encoding="utf-8")):
            if not allowed(header):
                errors.append(f"{path.relative_to(root)}: includes <{header}>, against the rules for {folder}/")
for error in errors:
    print(error)
print(f"{len(errors)} layering violation(s)")
sys.exit(1 if errors else 0)
