#!/usr/bin/env bash
# Runs a command with a real `osprey start` on a free port and a temporary data directory,
# exporting OSPREY_URL and OSPREY_API_KEY to it; stops Osprey afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."
data_dir=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
api_key="osp_test_$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')"
OSPREY_DATA_DIR="$data_dir" OSPREY_PORT="$port" OSPREY_HOST=127.0.0.1 OSPREY_API_KEY="$api_key" LOG_LEVEL=warn \
  node cli/bin/osprey.js start > "$data_dir/osprey.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$data_dir"; }
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "osprey failed to start:"; cat "$data_dir/osprey.log"; exit 1; }
  sleep 0.5
done
OSPREY_URL="http://127.0.0.1:$port" OSPREY_API_KEY="$api_key" "$@"
