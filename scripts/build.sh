#!/usr/bin/env bash
# build.sh — configures and builds CartMate in ./build (Release with debug info, ccache when
# present). Extra arguments go to the build step, e.g. `scripts/build.sh --target cartmate`.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" "$@"
