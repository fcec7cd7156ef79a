# Shared setup for tools/main.sh and tools/test.sh: installs the Debian
# packages lockstep needs if any is missing, and configures meson build
# directories. Sourced, not run. Safe to repeat: it reuses what is there.

LOCKSTEP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

LOCKSTEP_PACKAGES=(
  meson ninja-build pkg-config cmake python3
  g++ clang-19 libclang-rt-19-dev clang-tidy-19 clang-format-19
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  valgrind
  chromium yamllint
)

lockstep_ensure_packages() {
  local missing=() package
  for package in "${LOCKSTEP_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { echo "setup: apt-get install failed" >&2; return 1; }
}

# The options of build/gcc, shared by tools/main.sh and tools/test.sh so that
# neither reconfigures (and rebuilds) the other's build: warnings are errors,
# and debug information is line tables only (-g1: backtraces and valgrind and
# sanitizer reports keep FILE:LINE, a debugger loses locals) for about a
# quarter less compile time than -g. The sanitizer and fuzz builds take -g1 too.
LOCKSTEP_GCC_OPTIONS=(-Dwerror=true -Dcpp_args=-g1)
# The sanitizer build (tools/test.sh's second stage, tools/main.sh --sanitize);
# of the zoo only mutant 07, for the harness's failure paths.
LOCKSTEP_CLANG_ASAN_OPTIONS=(-Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dmutants=one -Dcpp_args=-g1)

# lockstep_configure DIR CXX [meson options...]
lockstep_configure() {
  local dir=$1 cxx=$2
  shift 2
  if [ -f "$LOCKSTEP_ROOT/$dir/build.ninja" ]; then
    # Reuse the build directory; make sure it has the options asked for. An
    # option added since the directory was set up is unknown to `meson
    # configure` until `meson setup --reconfigure` reads meson_options.txt
    # again (which, in meson 1.0, ignores -Dcpp_args: hence configure after).
    [ $# -eq 0 ] && return
    meson configure "$LOCKSTEP_ROOT/$dir" "$@" >/dev/null 2>&1 && return
    { meson setup --reconfigure "$LOCKSTEP_ROOT/$dir" "$LOCKSTEP_ROOT" &&
      meson configure "$LOCKSTEP_ROOT/$dir" "$@"; } >"$LOCKSTEP_ROOT/$dir.setup.log" 2>&1 ||
      { cat "$LOCKSTEP_ROOT/$dir.setup.log" >&2; return 1; }
    return
  fi
  mkdir -p "$(dirname "$LOCKSTEP_ROOT/$dir")"
  CXX=$cxx meson setup "$LOCKSTEP_ROOT/$dir" "$LOCKSTEP_ROOT" "$@" >"$LOCKSTEP_ROOT/$dir.setup.log" 2>&1 ||
    { cat "$LOCKSTEP_ROOT/$dir.setup.log" >&2; return 1; }
}
