#!/usr/bin/env bash
# Installs the official ListenBrainz Python client, liblistenbrainz, and its dependencies, each pinned
# (test/listenbrainz/liblistenbrainz-requirements.txt), into a virtual environment, .tools/liblistenbrainz,
# when missing or when the requirements changed (cached by their hash). A few seconds from PyPI. Used by
# `npm test` (scripts/test.sh), so by `.ci/run`: test/listenbrainz/liblistenbrainz.test.ts runs a real
# client, written by nobody here, against the API's ListenBrainz endpoints.
#
#   bash scripts/listenbrainz-client-tools.sh      then .tools/liblistenbrainz/bin/python
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="$PWD/.tools/liblistenbrainz"
STAMP="$PWD/.tools/stamps/liblistenbrainz"
REQUIREMENTS=test/listenbrainz/liblistenbrainz-requirements.txt
want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
mkdir -p "$(dirname "$STAMP")"
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then exit 0; fi

command -v python3 >/dev/null || { echo "listenbrainz-client-tools: python3 is required (liblistenbrainz runs on it)" >&2; exit 1; }
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  # Debian splits venv out of python3.
  command -v apt-get >/dev/null || { echo "listenbrainz-client-tools: python3's venv module is missing: install it (Debian: python3-venv)" >&2; exit 1; }
  as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
  echo "listenbrainz-client-tools: installing Debian's python3-venv" >&2
  as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi
started=$SECONDS
echo "listenbrainz-client-tools: installing liblistenbrainz into $VENV ($REQUIREMENTS)" >&2
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS"
version=$("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("liblistenbrainz"))')
printf '%s' "$want" >"$STAMP"
echo "listenbrainz-client-tools: liblistenbrainz $version ready in $((SECONDS - started)) s" >&2
