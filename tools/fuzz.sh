#!/usr/bin/env bash
# The fuzzing campaign: builds every target with clang-19, libFuzzer, ASan and
# UBSan (build/fuzz), runs them all in parallel for SECONDS each (default 600)
# on a persistent corpus (build/fuzz-corpus/, seeded from fuzz/corpus/), shows
# progress, merges and minimises the corpus at the end, and prints a summary:
# execs, exec/s, coverage, new corpus entries, and crashes with their traces.
#
#   bash tools/fuzz.sh [SECONDS] [TARGET...]
# Exit status 1 if a target crashed. The last line is the summary line
# (tools/summary.py): {"summary":"fuzz","verdict":"pass"|"fail","targets":N,
# "seconds":S,"crashed":[TARGET...],"execs":{TARGET:N-or-null}}.
set -uo pipefail
source "$(dirname "$0")/setup.sh"
lockstep_ensure_packages || exit 1
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(program_schedule trace_parser program_parser checkpoint_reader argument_parser)

lockstep_configure build/fuzz clang++-19 -Dfuzzing=libfuzzer -Db_sanitize=address,undefined -Db_lundef=false \
  -Dtests=false -Dwerror=true -Dcpp_args=-g1 || exit 1
build_targets=(fuzz/crash_to_trace)
for t in "${targets[@]}"; do build_targets+=("fuzz/fuzz_$t"); done
ninja -C "$LOCKSTEP_ROOT/build/fuzz" "${build_targets[@]}" >"$LOCKSTEP_ROOT/build/fuzz.build.log" 2>&1 ||
  { tail -40 "$LOCKSTEP_ROOT/build/fuzz.build.log"; exit 1; }

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
bin=$LOCKSTEP_ROOT/build/fuzz/fuzz
work=$LOCKSTEP_ROOT/build/fuzz-campaign
corpora=$LOCKSTEP_ROOT/build/fuzz-corpus
mkdir -p "$work" "$corpora"
declare -A pid before

# drop_crashing_inputs T: takes every input that crashed T (an artifact is
# named after its content's SHA-1) out of T's corpus, so that the next start
# does not stop on it while loading the corpus.
drop_crashing_inputs() {
  local t=$1 hashes
  hashes=$(find "$work/$t" -maxdepth 1 -type f -regextype egrep -regex '.*/(crash|leak|timeout|oom)-[0-9a-f]{40}' |
    sed -E 's/.*-([0-9a-f]{40})$/\1/')
  [ -n "$hashes" ] || return 0
  find "$corpora/$t" -maxdepth 1 -type f -exec sha1sum {} + | grep -F -f <(echo "$hashes") | cut -c43- |
    while IFS= read -r input; do rm -f -- "$input"; done
}

# fuzz_target T: T in-process until the deadline. libFuzzer stops at a crash
# (its artifact is kept), so the target is started again on the same corpus
# until the time is used up, at most 20 times. In-process runs about three
# times as many inputs per second as -fork=1, which would have kept going by
# itself. Each start's final stats go to the log; the sum is T.execs.
# -timeout=10: an input still running after 10 s is a hang (a timeout-*
# artifact, reported like a crash); libFuzzer's default waits 20 minutes.
fuzz_target() {
  local t=$1 deadline=$2 starts=0 left dict=()
  [ -f "$LOCKSTEP_ROOT/fuzz/$t.dict" ] && dict=(-dict="$LOCKSTEP_ROOT/fuzz/$t.dict")
  : >"$work/$t.log"
  while left=$((deadline - $(date +%s))) && [ "$left" -gt 0 ] && [ $starts -lt 20 ]; do
    starts=$((starts + 1))
    (cd "$work/$t" && LOCKSTEP_FUZZ_ARTIFACTS="$work/$t" "$bin/fuzz_$t" "$corpora/$t" "${dict[@]}" \
      -max_total_time="$left" -timeout=10 -artifact_prefix="$work/$t/" -print_final_stats=1 >>"$work/$t.log" 2>&1) ||
      drop_crashing_inputs "$t"
  done
  sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$work/$t.log" |
    awk '{ n += $1 } END { print n + 0 }' >"$work/$t.execs"
}

deadline=$(( $(date +%s) + seconds ))
for t in "${targets[@]}"; do
  mkdir -p "$corpora/$t" "$work/$t"
  # An earlier campaign's artifacts are kept apart, not counted again.
  mkdir -p "$work/$t/earlier" && find "$work/$t" -maxdepth 1 -type f -exec mv -t "$work/$t/earlier" {} +
  cp -n "$LOCKSTEP_ROOT/fuzz/corpus/$t"/* "$corpora/$t/" 2>/dev/null
  before[$t]=$(ls "$corpora/$t" | wc -l)
  fuzz_target "$t" "$deadline" &
  pid[$t]=$!
done

# Progress: the latest status line of each target, every 10 s.
status_of() { grep -aE "^#[0-9]+.*(cov|exec/s)" "$work/$1.log" 2>/dev/null | tail -n 1; }
start=$(date +%s)
while :; do
  running=0
  for t in "${targets[@]}"; do kill -0 "${pid[$t]}" 2>/dev/null && running=1; done
  [ $running -eq 0 ] && break
  sleep 10
  echo "-- $(( $(date +%s) - start )) s"
  for t in "${targets[@]}"; do printf '   %-18s %s\n' "$t" "$(status_of "$t" | cut -c1-110)"; done
done
for t in "${targets[@]}"; do wait "${pid[$t]}"; done

# Merge and minimise each corpus.
for t in "${targets[@]}"; do
  rm -rf "$corpora/$t.min" && mkdir -p "$corpora/$t.min"
  "$bin/fuzz_$t" -merge=1 "$corpora/$t.min" "$corpora/$t" >"$work/$t.merge.log" 2>&1 &&
    rm -rf "$corpora/$t" && mv "$corpora/$t.min" "$corpora/$t"
done

echo
printf '%-18s %12s %10s %8s %12s %8s\n' target execs exec/s cov "corpus +/-" crashes
crashed=0
crashed_targets=()
execs_json=""
for t in "${targets[@]}"; do
  last=$(status_of "$t")
  execs=$(cat "$work/$t.execs" 2>/dev/null)
  rate=$([ -n "$execs" ] && echo $((execs / (seconds > 0 ? seconds : 1))))
  cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$last")
  after=$(ls "$corpora/$t" | wc -l)
  crashes=$(ls "$work/$t" | grep -cE '^(crash|leak|timeout|oom)-' )
  printf '%-18s %12s %10s %8s %12s %8s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$((after - before[$t]))" "$crashes"
  execs_json+="${execs_json:+,}\"$t\":${execs:-null}"
  if [ "$crashes" -gt 0 ]; then
    crashed=1
    crashed_targets+=("\"$t\"")
    for crash in "$work/$t"/crash-* "$work/$t"/leak-* "$work/$t"/timeout-* "$work/$t"/oom-*; do
      [ -f "$crash" ] || continue
      case "$crash" in *.trace) continue ;; esac
      echo "   $crash"
      if [ "$t" = program_schedule ]; then "$bin/crash_to_trace" "$crash" | sed 's/^/     /'; fi
    done
  fi
done
echo "corpora: $corpora (merged and minimised); logs: $work"
crashed_json=$(IFS=,; echo "[${crashed_targets[*]}]")
python3 "$LOCKSTEP_ROOT/tools/summary.py" print fuzz verdict="$([ $crashed -eq 0 ] && echo pass || echo fail)" \
  targets="${#targets[@]}" seconds="$seconds" crashed="$crashed_json" execs="{$execs_json}"
exit $crashed
