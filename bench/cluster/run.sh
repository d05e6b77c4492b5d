#!/usr/bin/env bash
# run.sh — the cluster benchmark of bench/RESULTS.md: the same replay load in one process and
# through the 3-node example cluster on 127.0.0.1 (a client node that hosts no agent, so every
# agent request is remote), and one agent hop (get_product to discovery) local vs. remote.
#   bench/cluster/run.sh [BUILD_DIR] [SESSIONS] [ROUNDS]      (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
sessions=${2:-8}
rounds=${3:-50}
export CARTMATE=$build/runtime/cli/cartmate
for b in "$CARTMATE" "$build/bench/replay_bench" "$build/bench/agent_hop_bench"; do
  [[ -x $b ]] || { echo "missing $b (build with CARTMATE_BUILD_BENCH=ON)" >&2; exit 1; }
done
echo "== in process: replay_bench --sessions=$sessions --rounds=$rounds"
"$build/bench/replay_bench" --sessions="$sessions" --rounds="$rounds"
echo "== in process: agent_hop_bench"
"$build/bench/agent_hop_bench"
examples/cluster/start.sh >/tmp/cartmate-cluster-bench.log 2>&1 &
cluster=$!
trap 'kill -TERM $cluster 2>/dev/null; wait $cluster 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  grep -q '^chat:' /tmp/cartmate-cluster-bench.log && break
  kill -0 $cluster 2>/dev/null || { cat /tmp/cartmate-cluster-bench.log; exit 1; }
  sleep 0.5
done
echo "== 3-node cluster: replay_bench --sessions=$sessions --rounds=$rounds --config=examples/cluster/client.json"
"$build/bench/replay_bench" --sessions="$sessions" --rounds="$rounds" --config=examples/cluster/client.json
echo "== 3-node cluster: agent_hop_bench --config=examples/cluster/client.json"
"$build/bench/agent_hop_bench" --config=examples/cluster/client.json
