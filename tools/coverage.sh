#!/usr/bin/env bash
# Branch coverage of the lock's source (core/src/lock.cpp, core/include/lockstep/lock.hpp)
# by the unit, check and props suites: a g++ --coverage build in
# build/coverage, the suites run against the real lock, then gcovr.
#   bash tools/coverage.sh
set -euo pipefail
source "$(dirname "$0")/setup.sh"
LOCKSTEP_PACKAGES+=(gcovr)
lockstep_ensure_packages
# -O0 with --coverage hits a g++ 12 internal compiler error on the coroutine code
# (purge_dead_edges); debugoptimized builds.
lockstep_configure build/coverage g++ -Db_coverage=true -Dbuildtype=debugoptimized
cd "$LOCKSTEP_ROOT"
find build/coverage -name '*.gcda' -delete
ninja -C build/coverage >/dev/null
meson test -C build/coverage --suite unit --suite check --suite props >/dev/null || true
gcovr --root . --object-directory build/coverage --filter 'core/src/lock\.cpp' --filter 'core/include/lockstep/lock\.hpp' \
  --branches --exclude-unreachable-branches --exclude-throw-branches --txt-metric branch 2>/dev/null ||
  gcovr --root . --object-directory build/coverage --filter 'core/src/lock\.cpp' --filter 'core/include/lockstep/lock\.hpp' \
    --branches --exclude-unreachable-branches --exclude-throw-branches
