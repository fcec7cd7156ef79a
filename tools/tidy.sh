#!/usr/bin/env bash
# Runs clang-tidy-19 with the root .clang-tidy on every C++ source of the
# project that BUILD_DIR compiles (its compile_commands.json; the mutant
# copies inside the build directory are left out), two at a time per core.
# Prints each warning and exits 1 if there is any.
#   bash tools/tidy.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: tools/tidy.sh BUILD_DIR" >&2; exit 2; }
build=$1
command -v clang-tidy-19 >/dev/null || { echo "tidy: clang-tidy-19 is not installed (tools/setup.sh installs it)" >&2; exit 2; }
[ -f "$build/compile_commands.json" ] || { echo "tidy: $build/compile_commands.json not found (configure it with meson)" >&2; exit 2; }
mapfile -t files < <(python3 - "$build" <<'PY'
import json, os, sys
build = os.path.realpath(sys.argv[1])
root = os.getcwd()
seen = set()
for entry in json.load(open(os.path.join(build, "compile_commands.json"))):
    path = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
    if path.startswith(root + os.sep) and not path.startswith(build + os.sep) and path not in seen:
        seen.add(path)
        print(os.path.relpath(path, root))
PY
)
[ ${#files[@]} -gt 0 ] || { echo "tidy: no project sources in $build/compile_commands.json" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 2 clang-tidy-19 -p "$build" --quiet >"$out" 2>/dev/null
warnings=$(grep -cE ': (warning|error): ' "$out")
grep -E ': (warning|error): ' -A3 "$out" | sed "s|$PWD/||"
echo "tidy: ${#files[@]} files checked, $warnings warning(s)"
[ "$warnings" -eq 0 ]
