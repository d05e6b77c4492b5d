#!/usr/bin/env bash
# run.sh — the WebSocket load benchmark of bench/RESULTS.md: starts `cartmate serve` on a free
# port (rate limit off, warnings-only log), then runs ws_load in three modes against it:
# idle sessions (memory per session), closed loop (peak turns/s) and open loop at a target rate
# (latency percentiles). Usage: bench/ws_load/run.sh [BUILD_DIR] [SESSIONS] [RATE] [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
sessions="${2:-1000}"
rate="${3:-5000}"
seconds="${4:-10}"
cartmate="${CARTMATE:-$build/runtime/cli/cartmate}"
load="${WS_LOAD:-$build/bench/ws_load/ws_load}"
for f in "$cartmate" "$load"; do
  [ -x "$f" ] || { echo "run.sh: $f is missing; build the cartmate and ws_load targets" >&2; exit 2; }
done

out="$(mktemp -d)"
cd "$root"
"$cartmate" serve --server.port=0 --log.level=warn --rate_limit.turns_per_second=0 \
  --limits.max_connections=20000 >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$out"' EXIT
port=""
for _ in $(seq 1 300); do
  port="$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$out/server.log" | head -1)"
  [ -n "$port" ] && break
  kill -0 $pid 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "run.sh: the server did not start" >&2; exit 1; }
echo "server pid $pid port $port; $(nproc) cores"

echo "== idle: $sessions sessions held 5 s (server memory per idle session)"
"$load" --port="$port" --pid="$pid" --sessions="$sessions" --idle --warmup=1 --duration=5
echo "== closed loop: $sessions sessions, next turn as soon as the last one ends"
"$load" --port="$port" --pid="$pid" --sessions="$sessions" --warmup=2 --duration="$seconds"
echo "== open loop: $sessions sessions, $rate turns/s in total"
"$load" --port="$port" --pid="$pid" --sessions="$sessions" --rate="$rate" --warmup=2 --duration="$seconds"
echo "server RSS after the runs: $(grep VmRSS /proc/$pid/status | tr -s ' ')"
