#!/usr/bin/env bash
# The web app's suite (`npm run test:web`, also run by `npm test`): builds the app from its generated
# operations, makes sure Debian's Chromium is there, then Playwright drives it against a real stack
# (test/web/stack.ts: emulator, API, worker, scheduler). Extra arguments go to Playwright.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
bash scripts/services.sh up
bash scripts/browser-tools.sh
npm run --silent web:codegen -- --check
npm run --silent web:build
exec npx playwright test -c test/web/playwright.config.ts "$@"
