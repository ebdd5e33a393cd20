#!/usr/bin/env bash
# The README's test command (`npm test`): services up (and Prometheus' tools installed), then vitest (the global setup migrates a
# dedicated template database that every test file clones). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
bash scripts/services.sh up
bash scripts/monitoring-tools.sh
exec npx vitest run "$@"
