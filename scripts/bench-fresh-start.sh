#!/usr/bin/env bash
# `npm run bench:fresh-start [-- --cold]`: the first-hour wait, measured. Clones this checkout's
# HEAD into a temporary directory and runs `npm start` there as a new user would, printing when
# each setup step ended, when the dashboard answered /healthz and when the demo model was listed
# by the API. --cold uses an empty npm cache (everything downloaded); the default uses yours.
# BENCH_REF=<commit> measures another commit of this repository (e.g. before a change).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
if [ "${1:-}" = "--cold" ]; then export npm_config_cache="$work/npm-cache"; fi
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
key="osp_bench_$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')"
log="$work/start.log"
pid=""
cleanup() {
  [ -n "$pid" ] && kill -- "-$pid" 2>/dev/null && sleep 2
  [ -n "${BENCH_KEEP_LOG:-}" ] && cp "$log" "$BENCH_KEEP_LOG"
  rm -rf "$work"
}
trap cleanup EXIT

t0=$(date +%s.%N)
elapsed() { echo "$(date +%s.%N) - $t0" | bc | xargs printf '%6.1f'; }
ref=${BENCH_REF:-HEAD}
git clone -q "$repo" "$work/osprey"
git -C "$work/osprey" checkout -q "$(git -C "$repo" rev-parse "$ref")"
echo "$(elapsed) s  cloned ($(git -C "$repo" rev-parse --short "$ref")); load average $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$work/osprey"
OSPREY_PORT=$port OSPREY_HOST=127.0.0.1 OSPREY_API_KEY=$key OSPREY_DATA_DIR="$work/data" \
  setsid npm start >"$log" 2>&1 &
pid=$!

seen=0
healthy=""
while kill -0 "$pid" 2>/dev/null; do
  # Setup prints "    <step>: N s (CPU: …)" when a step ends.
  while IFS= read -r line; do echo "$(elapsed) s  $line"; done < <(tail -n +$((seen + 1)) "$log" |
    sed 's/\x1b\[[0-9;]*m//g' | grep -E '^    .*: [0-9]+ s( |$)' || true)
  seen=$(wc -l <"$log")
  if [ -z "$healthy" ] && curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    healthy=1
    echo "$(elapsed) s  dashboard answers /healthz"
  fi
  if [ -n "$healthy" ] && curl -fs -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/v1/models" 2>/dev/null |
    grep -q '"house-prices"'; then
    echo "$(elapsed) s  demo model listed by GET /api/v1/models: usable"
    echo "load average now $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; node $(node -v), npm $(npm -v); cache: ${npm_config_cache:-warm (yours)}"
    exit 0
  fi
  sleep 0.5
done
echo "npm start exited early:" >&2
tail -n 40 "$log" >&2
exit 1
