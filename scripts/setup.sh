#!/usr/bin/env bash
# setup.sh — installs every Debian 12 package that building, testing and benchmarking CartMate
# needs, and the web tests' npm packages. Idempotent: installs only what is missing, and runs
# `apt-get update` at most once.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache git
  libcaf-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcurl4-openssl-dev libssl-dev libboost-dev
  libpq-dev libpqxx-dev libhiredis-dev libjemalloc-dev libopenblas-dev libstb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 openssl
  nodejs npm chromium chromium-driver
  postgresql-15 redis-server
)

missing=()
for p in "${packages[@]}"; do
  # A Node.js from another source (e.g. NodeSource) bundles npm and conflicts with Debian's npm
  # package: a working command counts as installed.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages of the web tests (ws, playwright-core; never a browser download: the tests use
# Debian's chromium). `npm ci` runs only when package-lock.json changed since the last install.
web="$(cd "$(dirname "$0")/.." && pwd)/tests/web"
stamp="$web/node_modules/.cartmate-installed-lock.json"
if ! cmp -s "$web/package-lock.json" "$stamp" 2>/dev/null; then
  echo "setup: npm ci in tests/web"
  (cd "$web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$web/package-lock.json" "$stamp"
fi
