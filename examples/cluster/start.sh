#!/usr/bin/env bash
# start.sh — starts the 3-node example cluster on 127.0.0.1 (gateway-1, catalog-1, shop-1) from
# this repository's build, waits until every agent kind is available, prints the cluster's status
# and keeps the nodes running until Ctrl-C (then stops them with SIGTERM, which drains).
# Extra arguments go to every node (e.g. --log.level=debug). Logs: build/cluster-logs/NODE.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${CARTMATE:-build/runtime/cli/cartmate}
[[ -x $bin ]] || { echo "no $bin: run scripts/build.sh first" >&2; exit 1; }
logs=build/cluster-logs
mkdir -p "$logs"
pids=()
stop() {
  trap - INT TERM EXIT
  [[ ${#pids[@]} -gt 0 ]] && kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "cluster stopped"
}
trap stop INT TERM EXIT
for node in shop catalog gateway; do
  "$bin" serve --config "examples/cluster/$node.json" "$@" >"$logs/$node.log" 2>&1 &
  pids+=($!)
done
# Ready when the gateway sees all six kinds available (at most 60 s: the catalog loads first).
for _ in $(seq 1 120); do
  status=$("$bin" status --config examples/cluster/gateway.json --json 2>/dev/null || true)
  [[ $(grep -o '"available":true' <<<"$status" | wc -l) -ge 6 ]] && break
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "a node exited; see $logs/" >&2; exit 1; }
  done
  sleep 0.5
done
"$bin" status --config examples/cluster/gateway.json
echo
echo "chat:   http://127.0.0.1:8080/   (WebSocket ws://127.0.0.1:8080/ws)"
echo "replay: $bin replay --config examples/cluster/client.json examples/conversations/"
echo "logs:   $logs/   stop: Ctrl-C"
wait
