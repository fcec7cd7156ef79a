#!/bin/bash
# The commands of .github/workflows/explore-split.yml, so that the job matrix
# can be run (and is tested, check/tests/meson.build) on one machine:
#
#   tools/explore_split.sh build DIR
#       configure DIR (release, no test suites) and build the lockstep command
#   tools/explore_split.sh share LOCKSTEP PROGRAM K N OUT [FLAGS...]
#       explore share K of N of PROGRAM: OUT/share-K.txt is what it printed,
#       OUT/share-K.status its exit status, OUT/failure-K.trace a failure's trace
#   tools/explore_split.sh merge OUT N
#       merge the N shares (tools/merge_splits.py): exit 0 if all are complete
#       and pass, 1 if a share found a failure, 2 if one is missing or unfinished
set -u
case "${1:-}" in
  build)
    dir=$2
    [ -f "$dir/build.ninja" ] || meson setup "$dir" -Dbuildtype=release -Dtests=false >/dev/null || exit 2
    ninja -C "$dir" check/lockstep >/dev/null || exit 2
    echo "built $dir/check/lockstep"
    ;;
  share)
    lockstep=$2 program=$3 k=$4 n=$5 out=$6
    shift 6
    mkdir -p "$out"
    "$lockstep" explore "$program" --split "$k/$n" --out "$out/failure-$k.trace" "$@" >"$out/share-$k.txt" 2>&1
    status=$?
    echo "$status" >"$out/share-$k.status"
    cat "$out/share-$k.txt"
    # A failure is the merge's to report, so that every share's result is kept.
    [ "$status" -le 1 ] || exit "$status"
    ;;
  merge)
    exec python3 "$(dirname "$0")/merge_splits.py" "$2" "$3"
    ;;
  *)
    echo "usage: tools/explore_split.sh build DIR | share LOCKSTEP PROGRAM K N OUT [FLAGS...] | merge OUT N" >&2
    exit 2
    ;;
esac
