#!/usr/bin/env bash
# The whole test suite:
#   0. clang-format-19 over the tree (tools/format.sh), clang-tidy-19 over the
#      g++ build's sources (tools/tidy.sh): one pass each;
#   1. g++ build (werror), every meson suite;
#   2. clang++-19 build with AddressSanitizer + UndefinedBehaviorSanitizer
#      (werror), every suite; any sanitizer report fails the test it is in
#      (one mutant, 07, instead of the zoo: -Dmutants=one);
#   3. the unit tests once more under valgrind memcheck (g++ build);
#   4. a smoke fuzzing campaign (tools/fuzz.sh, 20 s per target);
#   5. the quick kill matrix (tools/kill_matrix.py --quick);
#   6. lockstep installed into a temporary prefix and used by three
#      out-of-tree consumers: pkg-config, CMake, meson subproject
#      (tools/consumers.sh).
# Ends with one line "N passed, N failed" counting test cases (each GoogleTest
# case counts on its own; the stages 4-6 count what their summary lines say)
# and exits non-zero if anything failed. A skipped test is listed and counted
# apart, never as passed ("N passed, N failed, N skipped"), and fails the
# command too, since tools/setup.sh installs every dependency.
set -uo pipefail
source "$(dirname "$0")/setup.sh"
lockstep_ensure_packages || exit 1

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export MESON_TESTTHREADS=${MESON_TESTTHREADS:-2}

total_passed=0
total_failed=0
skipped_tests=()

# stage_header LABEL: "== LABEL  [m:ss]", the time since the command started
# (the whole command is meant to take under 20 minutes on 2 cores).
stage_header() {
  printf '== %s  [%d:%02d]\n' "$1" $((SECONDS / 60)) $((SECONDS % 60))
}

# summary_field FILE NAME KEY: KEY of tool NAME's summary line in FILE
# (tools/summary.py); fails, saying why, if the line or the key is missing.
summary_field() {
  python3 "$LOCKSTEP_ROOT/tools/summary.py" get "$@"
}

# run_meson_tests LABEL BUILD_DIR LOGBASE [meson test args...]
run_meson_tests() {
  local label=$1 dir=$LOCKSTEP_ROOT/$2 logbase=$3
  shift 3
  stage_header "$label"
  local status=0
  # meson names the log LOGBASE.junit.xml, or LOGBASE-SETUP.junit.xml with --setup:
  # remove the old ones so that a run that wrote none cannot be read from an earlier one.
  rm -f "$dir/meson-logs/$logbase".junit.xml "$dir/meson-logs/$logbase"-*.junit.xml
  meson test -C "$dir" --logbase "$logbase" --print-errorlogs "$@" >"$dir/test-output.txt" 2>&1 || status=$?
  grep -E "^ *[0-9]+/[0-9]+ " "$dir/test-output.txt" | sed 's/^/   /'
  local junit counts=$dir/test-counts.txt
  junit=$(ls "$dir/meson-logs/$logbase".junit.xml "$dir/meson-logs/$logbase"-*.junit.xml 2>/dev/null | head -n 1)
  python3 "$LOCKSTEP_ROOT/tools/count_results.py" "${junit:-/nonexistent}" "$status" >"$counts"
  local passed failed skipped name
  passed=$(summary_field "$counts" count_results passed) || passed=0
  failed=$(summary_field "$counts" count_results failed) || failed=1
  skipped=$(summary_field "$counts" count_results skipped) || skipped=0
  if [ "$failed" -ne 0 ]; then
    sed -n '/^--- /,$p' "$dir/test-output.txt" | tail -n 80
  fi
  if [ "$skipped" -ne 0 ]; then
    while IFS= read -r name; do
      echo "   SKIPPED: $name"
      skipped_tests+=("$label: $name")
    done < <(summary_field "$counts" count_results skipped_tests)
  fi
  echo "   $label: $passed passed, $failed failed$([ "$skipped" -eq 0 ] || echo ", $skipped skipped")"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

# build LABEL BUILD_DIR CXX [meson options...]
build() {
  local label=$1 dir=$2 cxx=$3
  shift 3
  stage_header "build $label"
  if ! lockstep_configure "$dir" "$cxx" "$@" || ! ninja -C "$LOCKSTEP_ROOT/$dir" >"$LOCKSTEP_ROOT/$dir.build.log" 2>&1; then
    tail -n 60 "$LOCKSTEP_ROOT/$dir.build.log" 2>/dev/null
    echo "   build $label FAILED"
    total_failed=$((total_failed + 1))
    return 1
  fi
}

# check_stage LABEL LOG COMMAND...: one check over the whole tree; one pass
# if COMMAND exits 0, else one failure and the end of its output.
check_stage() {
  local label=$1 log=$LOCKSTEP_ROOT/build/$2
  shift 2
  stage_header "$label"
  mkdir -p "$LOCKSTEP_ROOT/build"
  if "$@" >"$log" 2>&1; then
    tail -n 1 "$log" | sed 's/^/   /'
    total_passed=$((total_passed + 1))
  else
    tail -n 60 "$log"
    echo "   $label FAILED"
    total_failed=$((total_failed + 1))
  fi
}

# 0. The style: every C++ file as .clang-format has it.
check_stage "clang-format-19 over the tree" format.log bash "$LOCKSTEP_ROOT/tools/format.sh" --check

if build "g++" build/gcc g++ "${LOCKSTEP_GCC_OPTIONS[@]}"; then
  # The lint: .clang-tidy (function size, bugprone-*, performance-*) on every
  # source the g++ build compiles.
  check_stage "clang-tidy-19 over the g++ build's sources" tidy.log bash "$LOCKSTEP_ROOT/tools/tidy.sh" build/gcc
  run_meson_tests "g++" build/gcc testlog
  # The root meson.build's test setup 'valgrind' (memcheck; a leak or an error fails the test).
  run_meson_tests "valgrind memcheck (g++ build, unit tests)" build/gcc valgrind \
    --setup valgrind loop lock lock_misuse regression api
fi

# The zoo is built once, in the g++ build: here only mutant 07 (-Dmutants=one),
# for the harness's failure paths under the sanitizers.
if build "clang++-19 + ASan + UBSan" build/clang-asan clang++-19 "${LOCKSTEP_CLANG_ASAN_OPTIONS[@]}"; then
  run_meson_tests "clang++-19 + ASan + UBSan" build/clang-asan testlog
fi

# extra_stage LABEL LOG NAME KEY COMMAND...: runs a stage that is not a meson
# suite; it passes if COMMAND exits 0 and its output ends with NAME's summary
# line with verdict "pass", which then counts KEY passes (the line's number of
# targets, subjects or consumers). A missing or unreadable line is a failure.
extra_stage() {
  local label=$1 log=$LOCKSTEP_ROOT/build/$2 name=$3 key=$4 verdict count
  shift 4
  stage_header "$label"
  if "$@" >"$log" 2>&1 && verdict=$(summary_field "$log" "$name" verdict) && [ "$verdict" = pass ] &&
    count=$(summary_field "$log" "$name" "$key"); then
    tail -n 1 "$log" | cut -c1-200 | sed 's/^/   /'
    echo "   $label: $count passed"
    total_passed=$((total_passed + count))
  else
    tail -n 40 "$log"
    echo "   $label FAILED"
    total_failed=$((total_failed + 1))
  fi
}

# 4. A smoke fuzzing campaign: every target for 20 s, in parallel (one pass
#    per target, from its summary line).
extra_stage "fuzz smoke: libFuzzer + ASan + UBSan, 20 s per target" fuzz-smoke.log fuzz targets \
  bash "$LOCKSTEP_ROOT/tools/fuzz.sh" 20

# 5. The quick kill matrix: every mutant against every technique, and the
#    real lock against all of them (fails if a mutant survives exploration or
#    the properties, or the real lock fails anything); one pass per subject
#    (a row of the matrix), from its summary line.
ninja -C "$LOCKSTEP_ROOT/build/fuzz" >"$LOCKSTEP_ROOT/build/fuzz-mutants.build.log" 2>&1 ||
  echo "   (the libFuzzer mutant targets did not build; the matrix will say so)"
extra_stage "kill matrix (quick)" kill-matrix.log kill_matrix subjects \
  python3 "$LOCKSTEP_ROOT/tools/kill_matrix.py" --quick --fuzz-seconds 3

# 6. Installing and consuming: one pass per consumer that builds and runs.
extra_stage "consumers: pkg-config, CMake, meson subproject against an install" consumers.log consumers consumers \
  bash "$LOCKSTEP_ROOT/tools/consumers.sh"

# A skipped test is not a pass: tools/setup.sh installs every dependency, so a
# skip means one is missing or broken, and the test command fails.
if [ ${#skipped_tests[@]} -ne 0 ]; then
  echo "${#skipped_tests[@]} skipped (a skip fails the test command: tools/setup.sh installs every dependency):"
  printf '   %s\n' "${skipped_tests[@]}"
  echo "$total_passed passed, $total_failed failed, ${#skipped_tests[@]} skipped"
  exit 1
fi
stage_header "end"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
