#!/usr/bin/env python3
"""Runs the examples of the reference docs (docs/PROGRAMS.md, TRACES.md, CLI.md).

Fenced blocks, in order, in one scratch directory per document:
  ```prog file=NAME     a program: written to NAME, and it must be accepted
                        (`lockstep random NAME --runs 5` exits 0)
  ```trace file=NAME    a trace or checkpoint: written to NAME as is
  ```console            `$ COMMAND` lines, each followed by the output it
                        prints (stdout and stderr together) and, if it does not
                        exit 0, a last line `[exit N]`; a line `...` stands
                        for any number of lines, and a line ending in ` ...`
                        for any line that starts with what precedes the dots
Each document's directory starts with a copy of check/traces/. Commands run
with `lockstep` (the build's) and the mutants' `lockstep-NAME`
on PATH. CLI.md's section between `<!-- begin: lockstep --help -->` and
`<!-- end: lockstep --help -->` must be the output of `lockstep --help`, from
the same flag table the command parses with; --update rewrites it.

usage: doc_examples.py SOURCE_ROOT LOCKSTEP MUTANTS_DIR [--update]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

DOCS = ["docs/PROGRAMS.md", "docs/TRACES.md", "docs/CLI.md"]
BEGIN, END = "<!-- begin: lockstep --help -->\n", "<!-- end: lockstep --help -->\n"


def blocks(text):
    for match in re.finditer(r"^```(\w+)([^\n]*)\n(.*?)^```$", text, re.S | re.M):
        kind, info, body = match.group(1), match.group(2), match.group(3)
        line = text[:match.start()].count("\n") + 1
        yield kind, dict(re.findall(r"(\w+)=(\S+)", info)), body, line


def matches(expected, got):
    """Whether the lines of `got` match `expected`, where `...` matches any run of lines."""
    if not expected:
        return not got
    if expected[0] == "...":
        return any(matches(expected[1:], got[i:]) for i in range(len(got) + 1))
    same = expected[0] == got[0] if got else False
    if got and expected[0].endswith(" ...") and not same:
        same = got[0].startswith(expected[0][:-3])
    return same and matches(expected[1:], got[1:])


def run_console(body, cwd, env, where):
    failures = 0
    chunks = re.split(r"^\$ ", body, flags=re.M)[1:]
    for chunk in chunks:
        command, _, output = chunk.partition("\n")
        lines = output.splitlines()
        status = 0
        if lines and re.fullmatch(r"\[exit \d+\]", lines[-1]):
            status = int(lines.pop()[6:-1])
        result = subprocess.run(command, shell=True, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=300)
        got = result.stdout.splitlines()
        if result.returncode != status or not matches(lines, got):
            failures += 1
            print(f"FAILED: {where}: $ {command}\n  exit {result.returncode} (expected {status}); printed:")
            print("\n".join("    " + line for line in got[:60]))
        else:
            print(f"ok: {where}: $ {command}")
    return failures


def run_doc(path, env):
    failures = 0
    text = open(path, encoding="utf-8").read()
    with tempfile.TemporaryDirectory() as scratch:
        traces = os.path.join(ROOT, "check/traces")
        for name in os.listdir(traces):
            shutil.copy(os.path.join(traces, name), scratch)
        for kind, info, body, line in blocks(text):
            where = f"{os.path.relpath(path)}:{line}"
            if kind in ("prog", "trace"):
                name = info.get("file", f"example{line}.{kind}")
                with open(os.path.join(scratch, name), "w", encoding="utf-8") as f:
                    f.write(body)
            if kind == "prog":
                result = subprocess.run(["lockstep", "random", name, "--runs", "5"], cwd=scratch, env=env,
                                        capture_output=True, text=True, timeout=300)
                ok = result.returncode == 0
                failures += not ok
                print(f"{'ok' if ok else 'FAILED'}: {where}: program {name} is accepted and passes" +
                      ("" if ok else "\n" + result.stdout[-1500:] + result.stderr[-1500:]))
            elif kind == "console":
                failures += run_console(body, scratch, env, where)
    return failures


def help_section(root, env, update):
    path = os.path.join(root, "docs/CLI.md")
    text = open(path, encoding="utf-8").read()
    if BEGIN not in text or END not in text:
        print(f"FAILED: {path}: no {BEGIN.strip()} ... {END.strip()} section")
        return 1
    got = subprocess.run(["lockstep", "--help"], env=env, capture_output=True, text=True).stdout
    got = got.replace(os.path.join(root, "check/programs"), "SOURCE/check/programs")
    head, rest = text.split(BEGIN, 1)
    documented, tail = rest.split(END, 1)
    wanted = "```text\n" + got + "```\n"
    if documented == wanted:
        print("ok: docs/CLI.md's flag reference is `lockstep --help`")
        return 0
    if update:
        open(path, "w", encoding="utf-8").write(head + BEGIN + wanted + END + tail)
        print("updated docs/CLI.md's flag reference from `lockstep --help`")
        return 0
    print("FAILED: docs/CLI.md's flag reference differs from `lockstep --help` "
          "(regenerate: python3 check/tests/doc_examples.py . build/gcc/check/lockstep build/gcc/check/tests --update)")
    return 1


def main():
    global ROOT
    root, lockstep, mutants = (os.path.abspath(a) for a in sys.argv[1:4])
    ROOT = root
    with tempfile.TemporaryDirectory() as bindir:
        os.symlink(lockstep, os.path.join(bindir, "lockstep"))
        env = dict(os.environ, PATH=bindir + os.pathsep + mutants + os.pathsep + os.environ.get("PATH", ""))
        failures = help_section(root, env, "--update" in sys.argv)
        for doc in DOCS:
            failures += run_doc(os.path.join(root, doc), env)
    print(f"{failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
