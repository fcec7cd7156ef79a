#!/usr/bin/env bash
# How long libFuzzer's program_schedule target takes to find each mutant
# (mutants/), with ASan and UBSan, at most SECONDS each (default 120), two at
# a time, from the seed corpus (fuzz/corpus/) or from an empty one. Prints one
# line per mutant: found or not, seconds, execs, and the failure kind.
#   bash tools/fuzz_mutants.sh [SECONDS] [seeded|empty]
set -uo pipefail
source "$(dirname "$0")/setup.sh"
lockstep_ensure_packages || exit 1
seconds=${1:-120}
corpus=${2:-seeded}
lockstep_configure build/fuzz clang++-19 -Dfuzzing=libfuzzer -Db_sanitize=address,undefined -Db_lundef=false \
  -Dtests=false -Dwerror=true -Dcpp_args=-g1 || exit 1
# Only the classic mutants (01-14) have libFuzzer binaries (mutants/meson.build: classic_mutant_names).
mutants=$(cd "$LOCKSTEP_ROOT/mutants" && ls [0-1][0-9]-*.mutant | sed 's/\.mutant$//' | awk -F- '$1 <= 14')
ninja -C "$LOCKSTEP_ROOT/build/fuzz" $(for m in $mutants; do echo "fuzz/fuzz_program_schedule-$m"; done) \
  >"$LOCKSTEP_ROOT/build/fuzz.build.log" 2>&1 || { tail -30 "$LOCKSTEP_ROOT/build/fuzz.build.log"; exit 1; }
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1
work=$LOCKSTEP_ROOT/build/fuzz-mutants
rm -rf "$work" && mkdir -p "$work"
hunt() {
  local m=$1 dir=$work/$1
  mkdir -p "$dir/corpus"
  [ "$corpus" = seeded ] && cp "$LOCKSTEP_ROOT/fuzz/corpus/program_schedule"/* "$dir/corpus/"
  local start end
  start=$(date +%s.%N)
  (cd "$dir" && LOCKSTEP_FUZZ_ARTIFACTS="$dir" "$LOCKSTEP_ROOT/build/fuzz/fuzz/fuzz_program_schedule-$m" corpus \
    -max_total_time="$seconds" -artifact_prefix="$dir/" -print_final_stats=1 >"$dir/log" 2>&1)
  end=$(date +%s.%N)
  local crash
  crash=$(ls "$dir"/crash-* 2>/dev/null | head -n 1)
  local execs
  execs=$(grep -aoE "stat::number_of_executed_units: [0-9]+" "$dir/log" | grep -oE "[0-9]+$")
  if [ -z "$execs" ]; then execs=$(grep -aoE "^#[0-9]+" "$dir/log" | tail -n 1 | tr -d '#'); fi
  if [ -n "$crash" ]; then
    local kind
    kind=$(grep -aoE "lockstep: [a-z-]+:" "$dir/log" | head -n 1 | cut -d' ' -f2)
    printf '%-38s found in %6.1f s, %8s execs: %s\n' "$m" "$(awk "BEGIN { print $end - $start }")" "${execs:-?}" "$kind"
  else
    printf '%-38s NOT found in %s s (%s execs)\n' "$m" "$seconds" "${execs:-?}"
  fi
}
export -f hunt
export work seconds corpus LOCKSTEP_ROOT
printf '%s\n' $mutants | xargs -P 2 -I{} bash -c 'hunt {}'
