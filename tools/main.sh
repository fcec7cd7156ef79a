#!/usr/bin/env bash
# The main job: the verification campaign. Builds the harness, then explores
# every standard program (check/programs/) exhaustively up to a preemption
# bound and runs PCT and random schedules for a time budget (default 60 s),
# ending with one table. Extra arguments go to `lockstep campaign`, e.g.
#   bash tools/main.sh --budget 600 --preemptions 3
set -euo pipefail
source "$(dirname "$0")/setup.sh"
lockstep_ensure_packages
lockstep_configure build/gcc g++ -Dwerror=true
ninja -C "$LOCKSTEP_ROOT/build/gcc" check/lockstep examples/workers >/dev/null
echo "== the seed example"
"$LOCKSTEP_ROOT/build/gcc/examples/workers"
echo "== the verification campaign"
cd "$LOCKSTEP_ROOT"
exec build/gcc/check/lockstep campaign --programs check/programs "$@"
