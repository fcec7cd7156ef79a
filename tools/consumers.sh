#!/usr/bin/env bash
# Builds lockstep, installs it into a temporary prefix, and builds and runs
# the three consumers in tests/consumers/ the way a user would:
#   pkgconfig         g++ -std=c++20 main.cpp $(pkg-config --cflags --libs lockstep-check)
#                     (and the same with clang++-19 where it is installed);
#   cmake             find_package(lockstep) with CMAKE_PREFIX_PATH, after the
#                     prefix has been moved (the CMake package is relocatable);
#   meson_subproject  subprojects/lockstep linked to this source tree; checks
#                     that lockstep built no test, benchmark, fuzz target,
#                     mutant or example there.
# The consumers compile at -O0, where a chain of 100,000 awaits overflows the
# stack unless the flags the packages carry reach them.
# Prints "consumer NAME: ok" per consumer; exits non-zero at the first failure.
# The last line, on success, is its summary line (tools/summary.py):
#   {"summary":"consumers","verdict":"pass","consumers":3,"names":[...],"compilers":[...]}
# CXX (default g++) builds lockstep and the consumers; LOCKSTEP_KEEP_TMP=1
# keeps the temporary folder for a look.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cxx=${CXX:-g++}
export CXX=$cxx

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lockstep-consumers.XXXXXX")
if [ "${LOCKSTEP_KEEP_TMP:-0}" = 1 ]; then
  trap 'echo "kept $tmp"' EXIT
else
  trap 'rm -rf "$tmp"' EXIT
fi

# quietly LOG COMMAND...: runs COMMAND with its output in $tmp/LOG; on failure
# shows the end of it.
quietly() {
  local log=$tmp/$1
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "FAILED: $*" >&2
    return 1
  fi
}

# consumer_dir NAME: a copy of tests/consumers/NAME (symlinks resolved), out
# of the tree.
consumer_dir() {
  cp -RL "$root/tests/consumers/$1" "$tmp/$1"
  echo "$tmp/$1"
}

# --- lockstep, installed into a fresh prefix
prefix=$tmp/prefix
quietly lockstep-setup.log meson setup "$tmp/build" "$root" --prefix="$prefix" -Dtests=false
quietly lockstep-install.log ninja -C "$tmp/build" install
libdir=$(meson introspect --buildoptions "$tmp/build" |
  python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "libdir"))')
echo "installed into $prefix ($(find "$prefix" -type f | wc -l) files, libdir $libdir)"

# --- (a) pkg-config
dir=$(consumer_dir pkgconfig)
flags=$(PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig pkg-config --cflags --libs lockstep-check)
echo "pkg-config --cflags --libs lockstep-check: $flags"
compilers=("$cxx")
if [ "$cxx" != clang++-19 ] && command -v clang++-19 >/dev/null; then
  compilers+=(clang++-19)
fi
for compiler in "${compilers[@]}"; do
  # -Werror: neither the .pc's flags nor the headers may draw a warning.
  # shellcheck disable=SC2086 # $flags is a list of words
  quietly "pkgconfig-$compiler.log" "$compiler" -std=c++20 -Wall -Wextra -Werror "$dir/main.cpp" $flags -o "$dir/consumer-$compiler"
  quietly "pkgconfig-$compiler.run.log" "$dir/consumer-$compiler"
done
echo "consumer pkgconfig: ok (${compilers[*]})"

# --- (b) CMake, from a moved prefix
mv "$prefix" "$tmp/moved-prefix"
prefix=$tmp/moved-prefix
dir=$(consumer_dir cmake)
quietly cmake-configure.log cmake -S "$dir" -B "$dir/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix"
quietly cmake-build.log cmake --build "$dir/build"
quietly cmake-run.log "$dir/build/consumer"
echo "consumer cmake: ok (prefix moved after installing)"

# --- (c) meson subproject
dir=$(consumer_dir meson_subproject)
mkdir "$dir/subprojects"
ln -s "$root" "$dir/subprojects/lockstep"
quietly meson-setup.log meson setup "$dir/build" "$dir" --wrap-mode=forcefallback
quietly meson-build.log ninja -C "$dir/build"
meson introspect --targets --tests --benchmarks "$dir/build" >"$tmp/meson-introspect.json"
# lockstep's targets there must all be its libraries and command (defined in
# core/, model/, check/meson.build), and nothing may be registered as a test.
python3 - "$tmp/meson-introspect.json" "$root" <<'EOF'
import json, os, sys
info = json.load(open(sys.argv[1]))
root = os.path.realpath(sys.argv[2])
shipped = {os.path.join(root, d, "meson.build") for d in ("core", "model", "check")}
ours = [t for t in info["targets"] if t.get("subproject") == "lockstep"]
drivers = [t["name"] + " (" + t["defined_in"] + ")" for t in ours if os.path.realpath(t["defined_in"]) not in shipped]
if not ours:
    sys.exit("no lockstep targets in the subproject build")
if drivers or info["tests"] or info["benchmarks"]:
    sys.exit("lockstep as a subproject built drivers: " + ", ".join(drivers) +
             f" ({len(info['tests'])} tests, {len(info['benchmarks'])} benchmarks)")
print("lockstep's targets in the subproject build: " + ", ".join(sorted(t["name"] for t in ours)))
EOF
quietly meson-run.log "$dir/build/consumer"
echo "consumer meson_subproject: ok"
python3 "$root/tools/summary.py" print consumers verdict=pass consumers=3 \
  names='["pkgconfig","cmake","meson_subproject"]' \
  compilers="$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "${compilers[@]}")"
