#!/usr/bin/env bash
# Benchmarks: builds an optimised build (release, LTO, no asserts) in
# build/bench and writes docs/PERFORMANCE.md (bench/run.sh): the lock against
# the physical floor and against asyncio, and what the harness costs, as
# ratios measured in one run. Fails if acquire, release or a hand-off allocates.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
lockstep_ensure_packages
lockstep_configure build/bench g++ -Dbuildtype=release -Db_lto=true -Db_ndebug=true -Dtests=false
ninja -C "$LOCKSTEP_ROOT/build/bench" bench/lock_bench bench/harness_bench bench/explore_bench >/dev/null
exec "$LOCKSTEP_ROOT/bench/run.sh" "$LOCKSTEP_ROOT/build/bench/bench/lock_bench" \
  "$LOCKSTEP_ROOT/build/bench/bench/harness_bench" "$LOCKSTEP_ROOT/build/bench/bench/explore_bench" \
  "$LOCKSTEP_ROOT/docs/PERFORMANCE.md" \
  "g++ -O3 with LTO, NDEBUG (meson release, b_lto)"
