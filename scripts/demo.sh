#!/usr/bin/env bash
# `npm run demo`: all of Playlog on this machine with synthetic listeners (see scripts/demo/main.ts).
# This wrapper only makes sure dependencies exist, since the demo itself is TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d node_modules ]]; then
  echo "demo: first run: installing dependencies with npm ci (about a minute)…"
  started=$SECONDS
  npm ci --no-audit --no-fund
  echo "demo: dependencies installed in $((SECONDS - started)) s"
fi
exec node --import tsx scripts/demo/main.ts "$@"
