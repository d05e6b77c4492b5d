#!/usr/bin/env bash
# test.sh — quick start, second command: set up, build everything, and run the whole test
# suite with ctest. Extra arguments go to ctest (e.g. `-R supervisor`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd build
ctest --output-on-failure -j2 --timeout 300 "$@"
