#!/usr/bin/env bash
# `npm test`: every check and every test runner, then one line with the totals of all of them.
set -uo pipefail
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests || exit 1

mkdir -p test-results
rm -f test-results/*.json test-results/*.xml
status=0
step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "lint"
npm run --silent lint || status=1
step "typecheck"
npx turbo run typecheck --output-logs=errors-only || status=1

step "kafka broker (deploy/kafka)"
bash deploy/kafka/kafka.sh start || status=1
# The TLS node (KAFKA_TLS=1) is started by the tests that need it (test/support/kafka.ts).
trap 'bash deploy/kafka/kafka.sh stop >/dev/null 2>&1
  KAFKA_TLS=1 KAFKA_PORT=${KAFKA_TLS_PORT:-19392} bash deploy/kafka/kafka.sh stop >/dev/null 2>&1' EXIT

step "vitest (unit + integration)"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=1

step "pytest (Python SDK; live tests against a real osprey start)"
bash scripts/with-osprey.sh .venv/bin/python -m pytest sdk/python -q --junitxml=test-results/pytest.xml || status=1

step "totals"
node scripts/test-totals.mjs test-results || status=1
exit $status
