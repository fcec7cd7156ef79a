#!/usr/bin/env bash
# Runs the lock benchmarks (lockstep and the floor of bench/floor.hpp, one
# binary), the same workloads in asyncio, and the harness benchmarks in one go,
# and writes the report (ratios measured in this run) to OUT. Fails if
# acquire, release or a hand-off allocated.
# Also runs the exploration table (EXPLORE_BENCH, bench/explore_bench.cpp).
#   bench/run.sh LOCK_BENCH HARNESS_BENCH EXPLORE_BENCH OUT [BUILD DESCRIPTION]   (or: bash tools/bench.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$1" --benchmark_format=json --benchmark_min_time=0.3 --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_display_aggregates_only=true >"$out/lock.all.json"
python3 "$here/asyncio_bench.py" >"$out/asyncio.json"
"$2" --benchmark_format=json --benchmark_min_time=0.3 --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true >"$out/harness.all.json"
# The median of the three repetitions, under the benchmark's own name.
for f in lock harness; do
  python3 - "$out/$f.all.json" >"$out/$f.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["benchmarks"] = [dict(b, name=b["run_name"]) for b in d["benchmarks"] if b.get("aggregate_name") == "median"]
print(json.dumps(d))
PY
done
"$3" "$out/explore.md" --budget 30 >/dev/null
python3 "$here/report.py" "$out/lock.json" "$out/asyncio.json" "$out/harness.json" \
  "$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)" "${5:-the build given}" \
  "$here/NOTES.md" "$out/explore.md.json" >"$4"
cat "$4"
