#!/usr/bin/env bash
# Checks (default) or fixes the C++ formatting of the whole tree against the
# root .clang-format, with clang-format-19.
#   bash tools/format.sh          list the files that differ; exit 1 if any
#   bash tools/format.sh --fix    rewrite them in place
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:---check}
case $mode in --check|--fix) ;; *) echo "usage: tools/format.sh [--check|--fix]" >&2; exit 2 ;; esac
command -v clang-format-19 >/dev/null || { echo "format: clang-format-19 is not installed (tools/setup.sh installs it)" >&2; exit 2; }
mapfile -t files < <(find core model check fuzz props bench examples tests -name '*.cpp' -o -name '*.hpp' | sort)
[ ${#files[@]} -gt 0 ] || { echo "format: no C++ files found" >&2; exit 2; }
if [ "$mode" = --fix ]; then
  clang-format-19 -i "${files[@]}"
  echo "format: ${#files[@]} files formatted"
  exit 0
fi
bad=()
for file in "${files[@]}"; do
  clang-format-19 --dry-run --Werror "$file" >/dev/null 2>&1 || bad+=("$file")
done
for file in "${bad[@]}"; do echo "format: $file differs from .clang-format (bash tools/format.sh --fix)"; done
echo "format: ${#files[@]} files checked, ${#bad[@]} differ"
[ ${#bad[@]} -eq 0 ]
