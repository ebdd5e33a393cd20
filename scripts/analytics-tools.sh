#!/usr/bin/env bash
# Installs the dbt starter's Python packages (analytics/requirements.txt: dbt-core, dbt-duckdb, duckdb and
# everything they need, each pinned) into a virtual environment, .tools/dbt-venv, when it is missing or the
# requirements changed since it was made (their sha256 is kept in .tools/stamps/dbt-venv); otherwise it only
# says so. Wheels only, from PyPI: about 15 s from scratch. Installs Debian's python3-venv when python3 has no
# venv module. Used by `npm test` (scripts/test.sh), so by `.ci/run`; analysts run it once before `dbt build`
# (analytics/README.md).
#
#   bash scripts/analytics-tools.sh      then .tools/dbt-venv/bin/dbt
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="$PWD/.tools/dbt-venv"
STAMP="$PWD/.tools/stamps/dbt-venv"
REQUIREMENTS=analytics/requirements.txt
log() { printf 'analytics-tools: %s\n' "$*" >&2; }
# The versions the stamp vouches for, read from the requirements (asking dbt itself takes a second).
pins() { grep -E '^(dbt-core|dbt-duckdb|duckdb)==' "$REQUIREMENTS" | tr '\n' ' ' | sed 's/ $//'; }
ready() { log "ready: $VENV/bin/dbt ($(pins); $1)"; }

want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [[ -x "$VENV/bin/dbt" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then ready "up to date"; exit 0; fi

command -v python3 >/dev/null || { log "python3 is required (dbt runs on it): install Python 3.9 or later"; exit 1; }
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  # Debian ships venv (and ensurepip) apart from python3.
  command -v apt-get >/dev/null || { log "python3's venv module is missing: install it (Debian and Ubuntu: python3-venv)"; exit 1; }
  as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
  log "installing Debian's python3-venv"
  as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi

started=$SECONDS
log "installing dbt into $VENV ($REQUIREMENTS changed or no venv yet)"
# A half-made venv (an interrupted run) is never reused: the stamp is written last.
rm -rf "$VENV" "$STAMP"
mkdir -p "$(dirname "$STAMP")"
python3 -m venv "$VENV"
# Wheels only: nothing is built here, so nothing a build step would download from elsewhere.
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input --only-binary :all: -r "$REQUIREMENTS"
"$VENV/bin/dbt" --version >/dev/null
printf '%s\n' "$want" >"$STAMP"
ready "installed in $((SECONDS - started)) s"
