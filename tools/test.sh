#!/usr/bin/env bash
# The whole test suite:
#   1. g++ build (werror), every meson suite;
#   2. clang++-19 build with AddressSanitizer + UndefinedBehaviorSanitizer
#      (werror), every suite; any sanitizer report fails the test it is in;
#   3. the unit tests once more under valgrind memcheck (g++ build);
#   4. a smoke fuzzing campaign (tools/fuzz.sh, 20 s per target);
#   5. the quick kill matrix (tools/kill_matrix.py --quick);
#   6. lockstep installed into a temporary prefix and used by three
#      out-of-tree consumers: pkg-config, CMake, meson subproject
#      (tools/consumers.sh).
# Ends with one line "N passed, N failed" counting test cases (each GoogleTest
# case counts on its own) and exits non-zero if anything failed.
set -uo pipefail
source "$(dirname "$0")/setup.sh"
lockstep_ensure_packages || exit 1

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export MESON_TESTTHREADS=${MESON_TESTTHREADS:-2}

total_passed=0
total_failed=0

# run_meson_tests LABEL BUILD_DIR LOGBASE [meson test args...]
run_meson_tests() {
  local label=$1 dir=$LOCKSTEP_ROOT/$2 logbase=$3
  shift 3
  echo "== $label"
  local status=0
  meson test -C "$dir" --logbase "$logbase" --print-errorlogs "$@" >"$dir/test-output.txt" 2>&1 || status=$?
  grep -E "^ *[0-9]+/[0-9]+ " "$dir/test-output.txt" | sed 's/^/   /'
  local counts
  # meson appends the wrapper's name to the log base (valgrind-valgrind.junit.xml).
  local junit
  junit=$(ls -t "$dir/meson-logs/$logbase"*.junit.xml 2>/dev/null | head -n 1)
  counts=$(python3 "$LOCKSTEP_ROOT/tools/count_results.py" "${junit:-/nonexistent}" "$status")
  local passed=${counts% *} failed=${counts#* }
  if [ "$failed" -ne 0 ]; then
    sed -n '/^--- /,$p' "$dir/test-output.txt" | tail -n 80
  fi
  echo "   $label: $passed passed, $failed failed"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

# build LABEL BUILD_DIR CXX [meson options...]
build() {
  local label=$1 dir=$2 cxx=$3
  shift 3
  echo "== build $label"
  if ! lockstep_configure "$dir" "$cxx" "$@" || ! ninja -C "$LOCKSTEP_ROOT/$dir" >"$LOCKSTEP_ROOT/$dir.build.log" 2>&1; then
    tail -n 60 "$LOCKSTEP_ROOT/$dir.build.log" 2>/dev/null
    echo "   build $label FAILED"
    total_failed=$((total_failed + 1))
    return 1
  fi
}

if build "g++" build/gcc g++ -Dwerror=true; then
  run_meson_tests "g++" build/gcc testlog
  run_meson_tests "valgrind memcheck (g++ build, unit tests)" build/gcc valgrind \
    --wrapper "valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect" \
    --timeout-multiplier 10 loop lock lock_misuse regression
fi

if build "clang++-19 + ASan + UBSan" build/clang-asan clang++-19 -Dwerror=true \
  -Db_sanitize=address,undefined -Db_lundef=false; then
  run_meson_tests "clang++-19 + ASan + UBSan" build/clang-asan testlog
fi

# extra_stage LABEL LOG SUMMARY_REGEX COMMAND...: runs a stage that is not a
# meson suite; on success prints the lines of its log that match SUMMARY_REGEX
# and counts one pass per such line.
extra_stage() {
  local label=$1 log=$LOCKSTEP_ROOT/build/$2 summary=$3
  shift 3
  echo "== $label"
  if "$@" >"$log" 2>&1; then
    grep -E "$summary" "$log" | cut -c1-160 | sed 's/^/   /'
    total_passed=$((total_passed + $(grep -cE "$summary" "$log")))
  else
    tail -n 40 "$log"
    echo "   $label FAILED"
    total_failed=$((total_failed + 1))
  fi
}

# 4. A smoke fuzzing campaign: every target for 20 s, in parallel (one pass
#    per target row of its summary).
extra_stage "fuzz smoke: libFuzzer + ASan + UBSan, 20 s per target" fuzz-smoke.log \
  "^(program_schedule|trace_parser|program_parser|checkpoint_reader|argument_parser) " bash "$LOCKSTEP_ROOT/tools/fuzz.sh" 20

# 5. The quick kill matrix: every mutant against every technique, and the
#    real lock against all of them (fails if a mutant survives exploration or
#    the properties, or the real lock fails anything); one pass per row.
ninja -C "$LOCKSTEP_ROOT/build/fuzz" >"$LOCKSTEP_ROOT/build/fuzz-mutants.build.log" 2>&1 ||
  echo "   (the libFuzzer mutant targets did not build; the matrix will say so)"
extra_stage "kill matrix (quick)" kill-matrix.log "^\| (real|[0-9][0-9]-)" \
  python3 "$LOCKSTEP_ROOT/tools/kill_matrix.py" --quick --fuzz-seconds 3

# 6. Installing and consuming: one pass per consumer that builds and runs.
extra_stage "consumers: pkg-config, CMake, meson subproject against an install" consumers.log \
  "^consumer [a-z_]+: ok" bash "$LOCKSTEP_ROOT/tools/consumers.sh"

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
