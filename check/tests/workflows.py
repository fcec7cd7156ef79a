#!/usr/bin/env python3
"""The GitHub workflows (.github/workflows/) checked locally.

1. yamllint, strict, with the repository's .yamllint.
2. The ClusterFuzzLite workflows: PR fuzzing (code-change), batch fuzzing and
   corpus pruning, each building with .clusterfuzzlite/ (build_fuzzers,
   language c++); every target .clusterfuzzlite/build.sh copies out is a fuzz
   target of fuzz/meson.build with a seed corpus.
3. explore-split.yml's commands, run here the way the jobs run them: every
   `run:` step of the share job for K = 1..SHARES into one results folder (as
   the merge job's download gathers them), then the merge job's `run:` step;
   at a small size (check/programs/fifo.prog), with this build's lockstep in
   place of the job's release build, and the package and build steps skipped.
   The real lock's shares merge to "all schedules explored" (exit 0); a
   mutant's shares merge to a failure (exit 1); a missing share to exit 2.

usage: workflows.py SOURCE_ROOT LOCKSTEP MUTANT_LOCKSTEP
Exits 77 (skipped) if yamllint is not installed.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = 0


def expect(condition, message):
    global failures
    print(("ok: " if condition else "FAILED: ") + message)
    failures += not condition


def load(root, name):
    import yaml  # python3-yaml, which yamllint depends on
    with open(os.path.join(root, ".github/workflows", name), encoding="utf-8") as f:
        return yaml.safe_load(f)


def steps_using(workflow, action):
    return [s for job in workflow["jobs"].values() for s in job["steps"] if s.get("uses", "").startswith(action)]


def check_cflite(root):
    modes = {}
    for name in ("cflite_pr.yml", "cflite_batch.yml", "cflite_cron.yml"):
        workflow = load(root, name)
        builds = steps_using(workflow, "google/clusterfuzzlite/actions/build_fuzzers@")
        runs = steps_using(workflow, "google/clusterfuzzlite/actions/run_fuzzers@")
        expect(builds and all(s["with"]["language"] == "c++" for s in builds), f"{name} builds the c++ fuzzers")
        for step in runs:
            modes.setdefault(step["with"]["mode"], []).append(name)
    expect(modes.get("code-change") == ["cflite_pr.yml"], "pull requests are fuzzed (code-change)")
    expect(modes.get("batch") == ["cflite_batch.yml"], "batch fuzzing is scheduled")
    expect(modes.get("prune") == ["cflite_cron.yml"], "the corpus is pruned")
    build = open(os.path.join(root, ".clusterfuzzlite/build.sh")).read()
    targets = re.search(r'targets="([^"]+)"', build).group(1).split()
    fuzz_build = open(os.path.join(root, "fuzz/meson.build")).read()
    for t in targets:
        corpus = os.path.join(root, "fuzz/corpus", t)
        expect(f"'{t}'" in fuzz_build and os.path.isdir(corpus) and os.listdir(corpus),
               f"ClusterFuzzLite target {t} is a fuzz target with a seed corpus")


def run_matrix(root, workflow, lockstep, results, shares):
    """Runs the share job's steps for every K, then the merge job's; the merge's exit status."""
    env = dict(os.environ, PROGRAM=os.path.join(root, "check/programs/fifo.prog"), SHARES=str(shares))
    def run(command, k=None):
        if k is not None:
            command = command.replace("${{ matrix.share }}", str(k))
        command = command.replace("build/release/check/lockstep", lockstep).replace(" results", " " + results)
        return subprocess.run(command, shell=True, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    share_steps = [s["run"] for s in workflow["jobs"]["share"]["steps"] if "run" in s]
    local = [c for c in share_steps if "apt-get" not in c and "explore_split.sh build" not in c]
    for k in range(1, shares + 1):
        for command in local:
            result = run(command, k)
            if result.returncode != 0:
                print(f"share {k}: {command}: exit {result.returncode}\n{result.stdout}{result.stderr}")
    merge = [s["run"] for s in workflow["jobs"]["merge"]["steps"] if "run" in s]
    result = run(merge[0])
    print("  " + result.stdout.strip().replace("\n", "\n  "))
    return result.returncode


def check_explore_split(root, lockstep, mutant):
    workflow = load(root, "explore-split.yml")
    shares = int(workflow["env"]["SHARES"])
    expect(workflow["jobs"]["share"]["strategy"]["matrix"]["share"] == list(range(1, shares + 1)),
           f"the matrix has one job per share 1..{shares}")
    steps = [s.get("run", "") for s in workflow["jobs"]["share"]["steps"]]
    expect(any("tools/explore_split.sh build" in s for s in steps) and
           any("tools/explore_split.sh share" in s for s in steps), "the share jobs build and explore with tools/explore_split.sh")
    expect(workflow["jobs"]["merge"]["needs"] == "share", "the merge job waits for every share")
    with tempfile.TemporaryDirectory() as scratch:
        status = run_matrix(root, workflow, lockstep, os.path.join(scratch, "real"), shares)
        expect(status == 0, f"the real lock's {shares} shares merge to a pass (exit {status})")
        status = run_matrix(root, workflow, mutant, os.path.join(scratch, "mutant"), shares)
        expect(status == 1, f"a mutant's shares merge to a failure (exit {status})")
        os.remove(os.path.join(scratch, "real", "share-2.txt"))
        merged = subprocess.run(["bash", os.path.join(root, "tools/explore_split.sh"), "merge",
                                 os.path.join(scratch, "real"), str(shares)], capture_output=True, text=True)
        expect(merged.returncode == 2, f"a missing share makes the merge fail (exit {merged.returncode})")


def main():
    root, lockstep, mutant = (os.path.abspath(a) for a in sys.argv[1:4])
    if shutil.which("yamllint") is None:
        print("SKIPPED: yamllint is not installed (tools/setup.sh installs it: apt-get install yamllint)")
        sys.exit(77)
    lint = subprocess.run(["yamllint", "-s", "-c", os.path.join(root, ".yamllint"), ".github/workflows"],
                          cwd=root, capture_output=True, text=True)
    expect(lint.returncode == 0, "yamllint -s passes on .github/workflows" + ("" if lint.returncode == 0 else "\n" + lint.stdout))
    check_cflite(root)
    check_explore_split(root, lockstep, mutant)
    print(f"{failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
