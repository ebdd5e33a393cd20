#!/usr/bin/env bash
# Installs Debian's prometheus package (prometheus and promtool) when missing, idempotently: the alert
# rules' unit tests (promtool test rules) and the scrape test (a real Prometheus) need both.
# Used by `npm test` (scripts/test.sh) and so by `.ci/run`.
set -euo pipefail

if command -v prometheus >/dev/null && command -v promtool >/dev/null; then exit 0; fi
command -v apt-get >/dev/null || { echo "monitoring-tools: prometheus/promtool missing and no apt-get: install Prometheus 2.x yourself (PROMETHEUS_BIN, PROMTOOL_BIN name them)" >&2; exit 1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
echo "monitoring-tools: installing Debian's prometheus package (prometheus, promtool)" >&2
as_root apt-get update -qq >/dev/null
# The package's service is not started: tests start their own Prometheus on loopback and stop it.
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends prometheus >/dev/null
prometheus --version >/dev/null
