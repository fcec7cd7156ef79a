#!/usr/bin/env python3
"""Turns one run's benchmark results into docs/PERFORMANCE.md: every target as
measured / target / met, each a ratio between numbers measured in the same run
(lockstep against the floor of bench/floor.hpp, or against asyncio)."""
import datetime
import json
import platform
import subprocess
import sys

lock_path, asyncio_path, harness_path, commit, build, notes_path, explore_path = sys.argv[1:8]
lock = json.load(open(lock_path))
# bench/explore_bench's rows (OUT.md.json): one JSON object a line.
explore_rows = [json.loads(line) for line in open(explore_path) if line.strip()]
asyncio_ns = json.load(open(asyncio_path))
harness = json.load(open(harness_path))


def per_item_ns(bench):
    if "items_per_second" in bench:
        return 1e9 / bench["items_per_second"]
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[bench["time_unit"]]
    return bench["cpu_time"] * scale


ours = {b["name"]: per_item_ns(b) for b in lock["benchmarks"]}
h = {b["name"]: b for b in harness["benchmarks"]}

cpu = "unknown"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
cxx = subprocess.run(["g++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]

lines = []
w = lines.append
rows = []  # (target, measured, target text, met)


def within(what, ratio, limit):
    rows.append((what, f"{ratio:.2f}x", f"<= {limit}x", "yes" if ratio <= limit else "no"))


def faster(what, speedup, limit):
    rows.append((what, f"{speedup:.1f}x faster", f">= {limit}x faster", "yes" if speedup >= limit else "no"))


within("uncontended acquire + release, against the floor's flag lock",
       ours["BM_UncontendedAcquireRelease"] / ours["BM_FloorUncontendedAcquireRelease"], 1.5)
for n in (2, 8, 64):
    within(f"contended cycle (acquire, yield, release), {n} tasks, against the floor's",
           ours[f"BM_ContendedHandoff/{n}"] / ours[f"BM_FloorContendedHandoff/{n}"], 1.5)
for n in (100, 10000):
    name = f"BM_CancellationStorm/{n}"
    faster(f"cancellation storm, {n} waiters, against asyncio", asyncio_ns[name] / ours[name], 20)
rows.append(("zero heap allocations per lock operation (acquire, release, scoped, try_acquire, hand-off)",
             "0", "0 (lock_bench fails otherwise)", "yes"))
bare = h["BM_SeedProgramBareLoop"]["cpu_time"]
within("harness: the seed's three-worker program under the runner with the model, against the program bare on the loop",
       h["BM_HarnessTarget"]["model_over_bare"], 3)


def dpor_row(n):
    return next((r for r in explore_rows if r["tasks"] == n and r["reduction"] == "dpor"), None)


def exhaustive(n, limit):
    r = dpor_row(n)
    measured = "not run" if r is None else (f"{r['seconds']:.2f} s" if r["complete"] else f"stopped at {r['seconds']:.0f} s")
    met = r is not None and r["complete"] and r["seconds"] < limit
    rows.append((f"exploration: n={n} tasks of `scoped {{ yield }}; yield` exhaustively under dpor, one core",
                 measured, f"< {limit} s", "yes" if met else "no"))


dpor_rows = [r for r in explore_rows if r["reduction"] == "dpor"]
cut_short = sum(r["pruned"] for r in dpor_rows)
rows.append(("exploration: runs cut short by sleep sets under dpor, n = 2..7", str(cut_short), "0",
             "yes" if dpor_rows and cut_short == 0 else "no"))
exhaustive(5, 0.5)
exhaustive(6, 30)

w("# Performance")
w("")
w(f"Measured {datetime.date.today().isoformat()} at commit `{commit}`, {cxx}, {build},")
w(f"{cpu}, {lock['context']['num_cpus']} cores, Python {platform.python_version()} for asyncio.")
w("Every number below is a ratio between two measurements of the same run (CPU time; asyncio's too), lockstep against")
w("the floor of `bench/floor.hpp` (a `std::deque` of coroutine handles and a flag lock with an intrusive waiter list,")
w("nothing else) built into the same binary, or against asyncio. This shared 2-core machine is noisy: compare runs")
w("by their ratios only. Regenerate with `bash tools/bench.sh`.")
w("")
w("## Targets")
w("")
w("| target | measured | target | met |")
w("|---|---|---|---|")
for what, measured, target, met in rows:
    w(f"| {what} | {measured} | {target} | {met} |")
w("")
w("## Lockstep against the floor, workload by workload")
w("")
w("| workload | lockstep ns/item | floor ns/item | ratio |")
w("|---|---|---|---|")
pairs = [("BM_UncontendedAcquireRelease", "BM_FloorUncontendedAcquireRelease")]
pairs += [(f"BM_ContendedHandoff/{n}", f"BM_FloorContendedHandoff/{n}") for n in (2, 8, 64)]
for mine, floor in pairs:
    w(f"| `{mine}` | {ours[mine]:.2f} | {ours[floor]:.2f} | {ours[mine] / ours[floor]:.2f}x |")
for n in (100, 10000):
    storm = ours[f"BM_CancellationStorm/{n}"]
    w(f"| `BM_CancellationStorm/{n}` (per cancelled waiter) against one C++ throw caught one frame up "
      f"(`BM_FloorThrowCatch`) | {storm:.0f} | {ours['BM_FloorThrowCatch']:.0f} "
      f"| {storm / ours['BM_FloorThrowCatch']:.2f}x |")
w("")
w("## Against asyncio, workload by workload")
w("")
w("| workload | lockstep / asyncio CPU time per item | speed-up |")
w("|---|---|---|")
for k in asyncio_ns:
    s = asyncio_ns[k] / ours[k]
    w(f"| `{k}` | 1 / {s:.0f} | {s:.0f}x |")
w("")
w("An item is one acquire + release, one `async with`, one task switch, one hand-off cycle (acquire, yield, release)")
w("or one cancelled waiter. asyncio has no try_acquire; its row uses `if not lock.locked(): await lock.acquire()`.")
w("")
w("## The harness")
w("")
w("| measurement | ratio |")
w("|---|---|")
w(f"| seed program (3 workers) under the runner with model comparison, against the same program bare on the loop | {h['BM_SeedProgramRunnerWithModel']['cpu_time'] / bare:.1f}x |")
w(f"| the same, timed interleaved in one benchmark (`BM_HarnessTarget`) | {h['BM_HarnessTarget']['model_over_bare']:.1f}x |")
w(f"| the same without the model | {h['BM_SeedProgramRunnerWithoutModel']['cpu_time'] / bare:.1f}x |")
for n in (4, 8):
    w(f"| cost of one run, {n} tasks against 2 tasks (`scoped {{ yield }}; acquire; release` each) | {h[f'BM_RunnerTasks/{n}']['cpu_time'] / h['BM_RunnerTasks/2']['cpu_time']:.1f}x |")
w("")
w("## Exploration")
w("")
for line in open(explore_path[: -len(".json")]):
    w(line.rstrip("\n"))
w("")
w("## Where the time goes")
w("")
for line in open(notes_path):
    w(line.rstrip("\n"))
print("\n".join(lines))
