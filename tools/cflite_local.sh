#!/bin/bash
# What the ClusterFuzzLite workflows run, on this machine and at a small size:
# .clusterfuzzlite/build.sh in the environment the OSS-Fuzz builder gives it
# (clang, the sanitizer and fuzzer flags, LIB_FUZZING_ENGINE, SRC, WORK, OUT),
# then each target it put in $OUT fuzzed from its seed corpus (code-change and
# batch modes: here SECONDS each, default 5) and the corpus pruned (prune
# mode: libFuzzer's -merge=1). Exit 1 if a target crashed, 2 if the build or
# the layout of $OUT is wrong.
#
#   bash tools/cflite_local.sh [SECONDS] [WORKDIR]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-5}
work=${2:-$root/build/cflite}
mkdir -p "$work/src" "$work/work" "$work/out" "$work/corpus"
ln -sfn "$root" "$work/src/lockstep"
export CC=clang-19 CXX=clang++-19 SRC=$work/src WORK=$work/work OUT=$work/out
export CFLAGS="-O1 -g -fsanitize=address,undefined -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CXXFLAGS=$CFLAGS LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
bash "$root/.clusterfuzzlite/build.sh" >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 2; }
status=0
for target in program_schedule trace_parser program_parser; do
  [ -x "$OUT/$target" ] && [ -f "$OUT/${target}_seed_corpus.zip" ] || { echo "$target: not built into \$OUT"; exit 2; }
  corpus=$work/corpus/$target
  rm -rf "$corpus" "$corpus.pruned" && mkdir -p "$corpus" "$corpus.pruned"
  unzip -q -o "$OUT/${target}_seed_corpus.zip" -d "$corpus"
  dict=()
  [ -f "$OUT/$target.dict" ] && dict=("-dict=$OUT/$target.dict")
  if ! "$OUT/$target" "${dict[@]}" -max_total_time="$seconds" -artifact_prefix="$work/$target-" "$corpus" \
      >"$work/$target.log" 2>&1; then
    echo "$target: CRASHED (see $work/$target.log)"
    status=1
    continue
  fi
  "$OUT/$target" -merge=1 "$corpus.pruned" "$corpus" >"$work/$target.prune.log" 2>&1 || { echo "$target: prune failed"; status=1; }
  echo "$target: fuzzed ${seconds}s, corpus $(ls "$corpus" | wc -l) -> pruned $(ls "$corpus.pruned" | wc -l)"
done
exit $status
