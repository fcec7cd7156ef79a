#!/usr/bin/env bash
# The main job. Until the verification campaign lands, it builds and runs the
# seed example: three workers taking turns on one lock, in virtual time.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
lockstep_ensure_packages
lockstep_configure build/gcc g++ -Dwerror=true
ninja -C "$LOCKSTEP_ROOT/build/gcc" examples/workers >/dev/null
"$LOCKSTEP_ROOT/build/gcc/examples/workers"
