#!/usr/bin/env python3
"""Applies a .mutant file to a copy of the lock's source.

A mutant is the real source with one defect: a list of exact find/replace
blocks. Each find block must occur exactly once in the source, so a mutant that
no longer fits the code fails the build instead of silently testing nothing.

usage: apply_mutant.py MUTANT SOURCE OUTPUT
"""
import sys


def parse(path):
    blocks, mode, find, replace = [], None, [], []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if line.startswith("@@ "):
                marker = line.strip()
                if marker == "@@ find":
                    if mode == "replace":
                        blocks.append(("".join(find), "".join(replace)))
                    mode, find, replace = "find", [], []
                elif marker == "@@ replace":
                    if mode != "find":
                        sys.exit(f"{path}:{number}: replace without find")
                    mode = "replace"
                elif marker == "@@ end":
                    if mode != "replace":
                        sys.exit(f"{path}:{number}: end without find and replace")
                    blocks.append(("".join(find), "".join(replace)))
                    mode = "done"
                else:
                    sys.exit(f"{path}:{number}: unknown marker {marker!r}")
            elif mode == "find":
                find.append(line)
            elif mode == "replace":
                replace.append(line)
    if mode != "done" or not blocks:
        sys.exit(f"{path}: no complete find/replace block (missing '@@ end'?)")
    return blocks


def main():
    mutant, source, output = sys.argv[1:4]
    with open(source, encoding="utf-8") as f:
        text = f.read()
    for index, (find, replace) in enumerate(parse(mutant), start=1):
        count = text.count(find)
        if count != 1:
            sys.exit(f"{mutant}: block {index} matches {count} times in {source}, not once:\n{find}")
        text = text.replace(find, replace)
    with open(output, "w", encoding="utf-8") as f:
        f.write(f"// GENERATED from {source} by {mutant}: a deliberately broken lock.\n")
        f.write(text)


if __name__ == "__main__":
    main()
