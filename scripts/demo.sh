#!/usr/bin/env bash
# demo.sh — quick start, first command: set up, build, and run the main job on the embedded
# default (in-memory stores, bundled catalog, offline language understanding).
# Arguments are passed to `cartmate run`, e.g. `scripts/demo.sh --for=5 --log.format=json`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh --target cartmate
exec build/runtime/cli/cartmate run "$@"
