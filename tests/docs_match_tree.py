#!/usr/bin/env python3
"""ARCHITECTURE.md's folder map and the files README.md names match the tree.

  docs_match_tree.py SOURCE_ROOT

Checks, failing with one line per mismatch:
  1. every folder in ARCHITECTURE.md's folder table exists, and every
     top-level folder of the tree is in the table;
  2. every file or folder named (in backticks) in ARCHITECTURE.md,
     README.md or CONTRIBUTING.md exists: a row's names are looked up under the row's folder,
     other names anywhere in the tree (`src/runner.cpp` matches
     check/src/runner.cpp);
  3. every program in examples/ is named in README.md;
  4. every mutant a test cites ("Kills 04, 07", "mutant 07-release-wakes-nobody")
     is a file of mutants/.
Build directories, dot-folders and names that only exist after a build (listed
in GENERATED below) are not part of the tree.
"""
import os
import re
import sys

# Names the docs use for files a build or a run writes, not source files.
GENERATED = {"NN-what-breaks.mutant", "lockstep.pc", "lockstep-check.pc", "lockstep-failure.trace", "compile_commands.json"}
PATH_EXTENSIONS = (".hpp", ".cpp", ".py", ".sh", ".md", ".prog", ".trace", ".mutant", ".build", ".txt",
                   ".png", ".svg", ".yml", ".yaml", ".in", ".cmake", ".dict", ".pc", ".json", ".html")
TOKEN = re.compile(r"`([^`\s]+)`")


def tree_paths(root):
    paths = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git" and not d.startswith("build") and d != "__pycache__"]
        rel = os.path.relpath(folder, root)
        if rel != ".":
            paths.add(rel.replace(os.sep, "/") + "/")
        for name in files:
            paths.add(os.path.normpath(os.path.join(rel, name)).replace(os.sep, "/"))
    return paths


def path_like(token):
    token = token.rstrip(",.:;")
    if token.startswith(("-", "http", "$", "<", "build/", "BUILD/")) or any(c in token for c in "(){}=*<>|\"'"):
        return None
    if token.startswith(".") and "/" not in token:
        return None  # an extension, `.mutant`
    if token.endswith("/") or token.endswith(PATH_EXTENSIONS):
        return token
    return None


def exists(token, paths, under=""):
    """A file or folder (`x/`) of the tree is `token` or ends with "/" + token."""
    wanted = token[2:] if token.startswith("./") else token
    return any((not under or path.startswith(under)) and (path == wanted or path.endswith("/" + wanted))
               for path in paths)


def folder_table(text):
    """Rows of ARCHITECTURE.md's '## Folders' table: (folder, row text)."""
    section = text.split("## Folders", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        match = re.match(r"\| `([^`]+)` \|(.*)\|\s*$", line)
        if match:
            rows.append((match.group(1), match.group(2)))
    return rows


def check_architecture(root, paths, problems):
    text = open(os.path.join(root, "ARCHITECTURE.md"), encoding="utf-8").read()
    rows = folder_table(text)
    listed = {folder.rstrip("/") for folder, _ in rows}
    if not rows:
        problems.append("ARCHITECTURE.md: no folder table under '## Folders'")
    for folder, row in rows:
        if folder not in paths and folder.rstrip("/") + "/" not in paths:
            problems.append(f"ARCHITECTURE.md: folder `{folder}` is not in the tree")
        for token in TOKEN.findall(row):
            name = path_like(token)
            under = folder if folder.endswith("/") else folder + "/"
            if name and name not in GENERATED and not exists(name, paths, under) and name not in paths:
                problems.append(f"ARCHITECTURE.md: the row `{folder}` names `{name}`, which is not under {folder}")
    for path in sorted(p for p in paths if p.endswith("/") and p.count("/") == 1 and not p.startswith(".")):
        if path.rstrip("/") not in listed:
            problems.append(f"ARCHITECTURE.md: the folder table does not list the top-level folder `{path}`")
    for path in sorted(p for p in paths if p.endswith("/") and p.count("/") == 2 and not p.startswith(".")):
        top, sub = path.split("/")[0], path.split("/")[1] + "/"
        row = " ".join(r for f, r in rows if f.rstrip("/") == top)
        if path not in text and sub not in row:
            problems.append(f"ARCHITECTURE.md: the folder `{path}` is named nowhere in it")
    rest = text.split("## Folders", 1)[0] + text.split("## Folders", 1)[1].split("\n## ", 1)[-1]
    check_names("ARCHITECTURE.md", rest, paths, problems)


def check_names(doc, text, paths, problems):
    for token in TOKEN.findall(text):
        name = path_like(token)
        if name and name not in GENERATED and not exists(name, paths):
            problems.append(f"{doc}: names `{name}`, which is not in the tree")


def check_readme(root, paths, problems):
    text = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    check_names("README.md", text, paths, problems)
    for path in sorted(p for p in paths if p.startswith("examples/") and p.endswith(".cpp")):
        if path not in text:
            problems.append(f"README.md: does not name the example `{path}`")


KILLS = re.compile(r"\bKills ((?:\d\d, )*\d\d)\b")
MUTANT_NAME = re.compile(r"\bmutants?/(\d\d-[a-z0-9-]+)|\bmutant (\d\d-[a-z0-9-]+)")


def check_cited_mutants(root, paths, problems):
    numbers = {p.split("/")[1][:2] for p in paths if p.startswith("mutants/") and p.endswith(".mutant")}
    names = {p.split("/")[1][:-len(".mutant")] for p in paths if p.startswith("mutants/") and p.endswith(".mutant")}
    for path in sorted(p for p in paths if re.match(r"(tests|check/tests|props|model/tests)/[^/]+\.(cpp|py)$", p)):
        for n, line in enumerate(open(os.path.join(root, path), encoding="utf-8"), 1):
            for group in KILLS.findall(line):
                for number in group.split(", "):
                    if number not in numbers:
                        problems.append(f"{path}:{n}: cites mutant {number}, which mutants/ does not have")
            for match in MUTANT_NAME.finditer(line):
                name = match.group(1) or match.group(2)
                if name not in names:
                    problems.append(f"{path}:{n}: cites mutant {name}, which mutants/ does not have")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: docs_match_tree.py SOURCE_ROOT")
    root = sys.argv[1]
    paths = tree_paths(root)
    problems = []
    check_architecture(root, paths, problems)
    check_readme(root, paths, problems)
    check_cited_mutants(root, paths, problems)
    check_names("CONTRIBUTING.md", open(os.path.join(root, "CONTRIBUTING.md"), encoding="utf-8").read(), paths, problems)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} mismatch(es) between the docs and the tree")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
