#!/usr/bin/env bash
# Installs Debian's Chromium when missing, idempotently: the web app's Playwright suite drives it
# (browsers cannot be downloaded on these machines; Playwright is pointed at this one). Used by
# scripts/test-web.sh and so by `npm test` and `.ci/run`. CHROMIUM_PATH names another Chromium.
set -euo pipefail

chromium=${CHROMIUM_PATH:-/usr/lib/chromium/chromium}
if [[ -x "$chromium" ]]; then exit 0; fi
command -v apt-get >/dev/null || { echo "browser-tools: $chromium missing and no apt-get: install Chromium and set CHROMIUM_PATH to its binary" >&2; exit 1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
echo "browser-tools: installing Debian's chromium package" >&2
as_root apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
[[ -x "$chromium" ]] || { echo "browser-tools: the chromium package did not install $chromium: set CHROMIUM_PATH" >&2; exit 1; }
