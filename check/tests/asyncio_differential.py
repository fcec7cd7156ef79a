#!/usr/bin/env python3
"""The CPython differential: every case (a program of the language and a list
of schedule decisions) runs on lockstep's loop and lock, compared with the
model at every step (steps_batch), and on CPython's asyncio under the same
decisions (check/asyncio/oracle.py); the step records must be identical, byte
for byte, and so must the end (ok, or the same deadlocked tasks).

Cases: every standard program (check/programs) and N programs generated from
a fixed seed by the campaign's generator (check::generate_program), each under
FIFO (no decisions: asyncio's own order) and under one list of random
decisions. Every installed python3, python3.12 and python3.13 runs the oracle;
where an interpreter is older than the behaviour lockstep follows, the oracle
emulates it and says so (check/asyncio/README.md); docs/SEMANTICS.md names
those differences (Versions).

With --no-model, STEPS_BATCH runs without the model (steps_batch --no-model)
and only CPython judges: a case mismatches when a step lockstep printed
differs from CPython's, or when lockstep ran to its end and the ends differ.
A run one of the harness's own model-free checks stopped early is not counted
against the core unless a step before it differs: that finding belongs to the
harness, not to CPython. The kill matrix's differential column runs a mutant's
steps_batch this way, with --python to pick one interpreter.

usage: asyncio_differential.py STEPS_BATCH [--no-model] [--python PATH]
                               [--generated N] [--seed S] [--show K]
Exit 0 with no mismatch, 1 with any mismatch or case the oracle cannot map,
2 for bad usage. The last line is a JSON summary (tools/summary.py),
{"summary":"asyncio_differential","cases":N,"programs":N,"pythons":{VERSION:{...}}}.
"""
import argparse
import glob
import json
import os
import random
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import summary as summary_line  # noqa: E402  tools/summary.py
ORACLE_DIR = os.environ.get("LOCKSTEP_ORACLE_DIR", os.path.join(ROOT, "check", "asyncio"))


def compact(text):
    lines = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return " | ".join(lines)


def split_results(output):
    """'=== n' blocks -> list of line lists."""
    blocks, current = [], None
    for line in output.splitlines():
        if line.startswith("=== "):
            current = []
            blocks.append(current)
        elif current is not None:
            current.append(line)
    return blocks


def oracle_batch():
    """Child mode: reads 'PROGRAM<TAB>DECISIONS' lines, prints '=== n' blocks."""
    sys.path.insert(0, ORACLE_DIR)
    import oracle  # noqa: E402

    out = []
    for n, line in enumerate(sys.stdin.read().splitlines(), start=1):
        program, _, decisions = line.partition("\t")
        out.append(f"=== {n}")
        try:
            out.extend(oracle.run_text(program, [int(d) for d in decisions.split()]))
        except Exception as error:  # an unmappable handle or a bad program: never a pass
            out.append(f"end: ORACLE {type(error).__name__}: {error}")
    sys.stdout.write("\n".join(out) + "\n")


def interpreters():
    """python3 (and Debian's), and every newer python3.1x on PATH or in pyenv,
    one per version (patch releases differ: Debian's 3.11.2 Timeout, say)."""
    candidates = [shutil.which(n) for n in ("python3", "python3.12", "python3.13", "python3.14")] + ["/usr/bin/python3"]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/*/bin/python3.1[2-9]")))
    found, versions = [], set()
    for path in candidates:
        if not path:
            continue
        probe = subprocess.run([path, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                               capture_output=True, text=True)
        version = probe.stdout.strip()
        if probe.returncode != 0 or not version or version in versions:
            continue  # a shim for a version that is not active, or one already found
        versions.add(version)
        found.append((path, version))
    return found


def first_difference(got, want):
    """The first line index where the two blocks differ, or None."""
    for i in range(max(len(got), len(want))):
        if i >= len(got) or i >= len(want) or got[i] != want[i]:
            return i
    return None


def mismatch_at(got, want, model_free):
    """Where lockstep's block is wrong against CPython's, or None (see --no-model)."""
    first = first_difference(got, want)
    if first is None or not model_free:
        return first
    stopped = bool(got) and got[-1].startswith("end: stopped")
    if stopped and first >= len(got) - 1:
        return None  # the harness stopped the run; every step before agrees
    return first


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--oracle-batch":
        oracle_batch()
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("steps_batch")
    parser.add_argument("--generated", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=3, help="mismatches to print in full")
    parser.add_argument("--no-model", action="store_true", help="only CPython judges (steps_batch --no-model)")
    parser.add_argument("--python", default=None, help="this interpreter only, instead of every one found")
    args = parser.parse_args()
    if args.generated < 0:
        parser.error("--generated must be 0 or more")
    rng = random.Random(args.seed)

    # The lockstep side first: it also prints the generated programs' text.
    requests = []
    for path in sorted(glob.glob(os.path.join(ROOT, "check", "programs", "*.prog"))):
        with open(path, encoding="utf-8") as f:
            text = compact(f.read())
        requests.append((os.path.basename(path), text))
    for i in range(args.generated):
        requests.append((f"generated seed {args.seed + i}", f"GEN {args.seed + i}"))
    cases = []
    for name, head in requests:
        cases.append((name, head, []))
        cases.append((name, head, [rng.randrange(4) for _ in range(40)]))
    batch_input = "".join(f"{head}\t{' '.join(map(str, d))}\n" for _, head, d in cases)
    done = subprocess.run([args.steps_batch] + (["--no-model"] if args.no_model else []), input=batch_input, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        print(f"steps_batch failed (exit {done.returncode}): {done.stderr[-2000:]}")
        return 1
    try:
        batch = summary_line.read(done.stdout, "steps_batch", required=("cases",))
    except summary_line.SummaryError as e:
        print(f"steps_batch: {e}")
        return 1
    produced = split_results(done.stdout.rstrip("\n").rpartition("\n")[0])
    if len(produced) != len(cases) or batch["cases"] != len(cases):
        print(f"steps_batch answered {len(produced)} cases of {len(cases)}")
        return 1
    programs = []
    for (name, head, decisions), block in zip(cases, produced):
        if head.startswith("GEN "):
            programs.append(block[0][len("program: "):])
            del block[0]
        else:
            programs.append(head)
    oracle_input = "".join(f"{p}\t{' '.join(map(str, d))}\n" for p, (_, _, d) in zip(programs, cases))

    summary = {"summary": "asyncio_differential", "cases": len(cases), "programs": len(requests), "pythons": {}}
    failed = False
    pythons = interpreters() if args.python is None else [(args.python, args.python)]
    for python, version in pythons:
        result = subprocess.run([python, os.path.abspath(__file__), "--oracle-batch"], input=oracle_input,
                                capture_output=True, text=True, timeout=1800)
        expected = split_results(result.stdout)
        if result.returncode != 0 or len(expected) != len(cases):
            print(f"python {version}: the oracle failed (exit {result.returncode}): {result.stderr[-2000:]}")
            failed = True
            continue
        mismatches, unmapped, lockstep_failures, shown, first_case = 0, 0, 0, 0, None
        for (name, _, decisions), program, got, want in zip(cases, programs, produced, expected):
            if want and want[-1].startswith("end: ORACLE"):
                unmapped += 1
            if got and got[-1].startswith(("end: FAIL", "end: stopped")):  # the harness's own finding
                lockstep_failures += 1
            first = mismatch_at(got, want, args.no_model)
            if first is None:
                continue
            mismatches += 1
            if first_case is None:
                first_case = f"{name} / decisions {' '.join(map(str, decisions)) or 'none'}"
            if shown < args.show:
                shown += 1
                print(f"python {version}: MISMATCH {name}: {program} / decisions {' '.join(map(str, decisions))}")
                print(f"  at line {first + 1}:")
                print(f"    asyncio:  {want[first] if first < len(want) else '(nothing)'}")
                print(f"    lockstep: {got[first] if first < len(got) else '(nothing)'}")
        print(f"python {version}: {len(cases)} cases, {mismatches} mismatches, {unmapped} unmappable, "
              f"{lockstep_failures} where {'its own checks stopped lockstep' if args.no_model else 'lockstep disagreed with its model'}")
        summary["pythons"][version] = {"mismatches": mismatches, "unmappable": unmapped,
                                       "harness_failures": lockstep_failures, "first_mismatch": first_case}
        failed = failed or mismatches != 0 or unmapped != 0
    if not summary["pythons"]:
        print("no python3 found")
        failed = True
    print(json.dumps(summary, separators=(",", ":")))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
