#!/usr/bin/env bash
# Installs the dbt starter's Python packages (analytics/requirements.txt: dbt-core, dbt-duckdb, duckdb and
# everything they need, each pinned) into a virtual environment, .tools/dbt-venv, when missing or when the
# requirements changed (cached by their hash). About 15 s from PyPI. Used by `npm test` (scripts/test.sh),
# so by `.ci/run`; analysts run it once before `dbt build` (analytics/README.md).
#
#   bash scripts/analytics-tools.sh      then .tools/dbt-venv/bin/dbt
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="$PWD/.tools/dbt-venv"
STAMP="$PWD/.tools/stamps/dbt-venv"
REQUIREMENTS=analytics/requirements.txt
want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
mkdir -p "$(dirname "$STAMP")"
if [[ -x "$VENV/bin/dbt" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then exit 0; fi

command -v python3 >/dev/null || { echo "analytics-tools: python3 is required (dbt runs on it)" >&2; exit 1; }
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  # Debian splits venv out of python3.
  command -v apt-get >/dev/null || { echo "analytics-tools: python3's venv module is missing: install it (Debian: python3-venv)" >&2; exit 1; }
  as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
  echo "analytics-tools: installing Debian's python3-venv" >&2
  as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi
started=$SECONDS
echo "analytics-tools: installing dbt into $VENV (analytics/requirements.txt)" >&2
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS"
"$VENV/bin/dbt" --version >/dev/null
printf '%s' "$want" >"$STAMP"
echo "analytics-tools: dbt ready in $((SECONDS - started)) s ($("$VENV/bin/dbt" --version 2>/dev/null | grep -m1 -o 'installed: [0-9.]*'))" >&2
