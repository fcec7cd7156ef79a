#!/usr/bin/env bash
# The main job: the verification campaign. Builds the harness, then explores
# every standard program (check/programs/) exhaustively up to a preemption
# bound and runs PCT and random schedules for a time budget (default 60 s),
# ending with one table. Extra arguments go to `lockstep campaign`, e.g.
#   bash tools/main.sh --budget 600 --preemptions 3
# With --sanitize first, the harness and the core are built with clang++-19,
# AddressSanitizer and UndefinedBehaviorSanitizer (build/clang-asan, as the
# test command builds it), so that a use-after-free or an overflow in the code
# under test fails the campaign at once instead of only when it happens to
# corrupt something (slower: a few minutes more to build, runs about 3x slower):
#   bash tools/main.sh --sanitize --budget 300
# The last line is main's summary line (tools/summary.py), read from the
# campaign's own: {"summary":"main","verdict":"pass"|"fail"|"interrupted"|"error",
# "campaign_exit":N,"programs":N,"generated_programs":N,"executions":N,"failure":KIND-or-null};
# after a crash: {"summary":"main","verdict":"fail","campaign_exit":N,"failure":"crash","trace":FILE-or-null}.
# The exit status is the campaign's.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
lockstep_ensure_packages
build=build/gcc
if [ "${1:-}" = --sanitize ]; then
  shift
  build=build/clang-asan
  lockstep_configure "$build" clang++-19 "${LOCKSTEP_CLANG_ASAN_OPTIONS[@]}"
  # Any report stops the process; the crash report then names the run.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1:strict_string_checks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
else
  lockstep_configure "$build" g++ "${LOCKSTEP_GCC_OPTIONS[@]}"
fi
ninja -C "$LOCKSTEP_ROOT/$build" check/lockstep examples/workers >/dev/null
echo "== the seed example"
"$LOCKSTEP_ROOT/$build/examples/workers"
echo "== the verification campaign"
cd "$LOCKSTEP_ROOT"
log=$(mktemp "${TMPDIR:-/tmp}/lockstep-main.XXXXXX")
trap 'rm -f "$log"' EXIT
status=0
# tee -i: a Ctrl-C reaches the campaign (which reports and stops), not the copy.
"$build/check/lockstep" campaign --programs check/programs "$@" | tee -i "$log" || status=$?
field() { python3 tools/summary.py get "$log" campaign "$1"; }
if [ "$(field failure 2>/dev/null)" = crash ]; then
  # The campaign crashed: its crash report's line names the trace of the run in progress.
  python3 tools/summary.py print main verdict=fail campaign_exit="$status" failure=crash trace="$(field trace)"
elif verdict=$(field verdict); then
  python3 tools/summary.py print main verdict="$verdict" campaign_exit="$status" programs="$(field programs)" \
    generated_programs="$(field generated_programs)" executions="$(field executions)" failure="$(field failure)"
else
  python3 tools/summary.py print main verdict=error campaign_exit="$status"
  [ "$status" -ne 0 ] || status=2
fi
exit "$status"
