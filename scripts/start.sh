#!/usr/bin/env bash
# `npm start`: install and build if needed, then run Osprey with the demo on http://localhost:3000.
set -euo pipefail
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node cli/bin/osprey.js start --demo
