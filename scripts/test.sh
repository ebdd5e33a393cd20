#!/usr/bin/env bash
# The README's test command (`npm test`): services up (Prometheus' tools installed, the S3-compatible server built, dbt and the ListenBrainz Python client installed), then vitest (the global setup migrates a
# dedicated template database that every test file clones), then the web app's Playwright suite in Debian's Chromium
# (scripts/test-web.sh). Arguments go to vitest alone: `npm test -- test/api` runs just those files, without the browser suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
bash scripts/services.sh up
bash scripts/monitoring-tools.sh
bash scripts/s3-tools.sh
bash scripts/analytics-tools.sh
bash scripts/listenbrainz-client-tools.sh
if [[ $# -gt 0 ]]; then exec npx vitest run "$@"; fi
npx vitest run
bash scripts/test-web.sh
