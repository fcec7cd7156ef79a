#!/usr/bin/env python3
"""Applies a .mutant file to a copy of the core source it names.

A mutant is one file of core/src/ with one defect. The file starts with
`# ...` comment lines (what breaks, and why the mutant is not equivalent),
then a `summary:` line and a `file:` line naming the source it patches
(core/src/NAME.cpp), then a list of exact find/replace blocks:

    @@ find
    <lines>
    @@ replace
    <lines>
    @@ end

Each find block must occur exactly once in the source (after the blocks
before it are applied), so a mutant that no longer fits the code fails the
build instead of silently testing nothing. The SOURCE given must be the file
the `file:` line names, so the build cannot patch the wrong file.

usage: apply_mutant.py MUTANT SOURCE OUTPUT
       apply_mutant.py --file MUTANT        prints the file the mutant names
"""
import os
import sys


def parse(path):
    blocks, mode, find, replace = [], None, [], []
    header = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if line.startswith("@@ "):
                marker = line.strip()
                if marker == "@@ find":
                    if mode == "replace":
                        blocks.append(("".join(find), "".join(replace)))
                    elif mode == "find":
                        sys.exit(f"{path}:{number}: find without replace")
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
            elif mode == "done":
                if line.strip():
                    sys.exit(f"{path}:{number}: text after '@@ end'")
            elif line.startswith("#") or not line.strip():
                continue
            else:
                key, sep, value = line.partition(":")
                if not sep or key not in ("summary", "file"):
                    sys.exit(f"{path}:{number}: expected '# comment', 'summary: ...' or 'file: ...'")
                if key in header:
                    sys.exit(f"{path}:{number}: a second '{key}:' line")
                header[key] = value.strip()
    if mode != "done" or not blocks:
        sys.exit(f"{path}: no complete find/replace block (missing '@@ end'?)")
    for key in ("summary", "file"):
        if not header.get(key):
            sys.exit(f"{path}: no '{key}:' line")
    named = header["file"]
    if not (named.startswith("core/src/") and named.endswith(".cpp") and "/" not in named[len("core/src/"):]):
        sys.exit(f"{path}: 'file: {named}' is not a source of core/src/ (core/src/NAME.cpp)")
    return header, blocks


def names_same_file(named, source, mutant):
    """Whether SOURCE is the file `named` (core/src/NAME.cpp) of this tree."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(mutant)))  # mutants/..
    if os.path.realpath(os.path.join(root, named)) == os.path.realpath(source):
        return True
    # A copy of the tree elsewhere: the last path components must agree.
    want = named.split("/")
    have = os.path.normpath(os.path.abspath(source)).split(os.sep)
    return have[-len(want):] == want


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--file":
        print(parse(sys.argv[2])[0]["file"])
        return
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-2].strip())
    mutant, source, output = sys.argv[1:4]
    header, blocks = parse(mutant)
    if not names_same_file(header["file"], source, mutant):
        sys.exit(f"{mutant}: names 'file: {header['file']}' but was given {source} "
                 "(mutants/meson.build's mutant_files must say the same file)")
    with open(source, encoding="utf-8") as f:
        text = f.read()
    for index, (find, replace) in enumerate(blocks, start=1):
        count = text.count(find)
        if count != 1:
            sys.exit(f"{mutant}: block {index} matches {count} times in {source}, not once:\n{find}")
        text = text.replace(find, replace)
    with open(output, "w", encoding="utf-8") as f:
        f.write(f"// GENERATED from {header['file']} by mutants/{os.path.basename(mutant)}: deliberately broken.\n")
        f.write(f"// {header['summary']}\n")
        f.write(text)


if __name__ == "__main__":
    main()
