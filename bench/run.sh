#!/usr/bin/env bash
# Runs the lock benchmarks, the same workloads in asyncio, and the harness
# benchmarks in one go, and writes docs/PERFORMANCE.md (ratios measured in
# this run). Fails if acquire, release or a hand-off allocated.
#   bench/run.sh LOCK_BENCH HARNESS_BENCH [BUILD DESCRIPTION]   (or: bash tools/bench.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$(mktemp -d)
"$1" --benchmark_format=json --benchmark_min_time=0.3 >"$out/lock.json"
python3 "$here/asyncio_bench.py" >"$out/asyncio.json"
"$2" --benchmark_format=json --benchmark_min_time=0.3 >"$out/harness.json"
python3 "$here/report.py" "$out/lock.json" "$out/asyncio.json" "$out/harness.json" \
  "$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)" "${3:-the build given}" \
  >"$root/docs/PERFORMANCE.md"
cat "$root/docs/PERFORMANCE.md"
