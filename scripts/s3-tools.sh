#!/usr/bin/env bash
# Builds the S3-compatible server the data-lake tests and benchmark write to, when missing or when its pin
# changed (cached in .tools/): Versity's S3 Gateway (versitygw, Apache-2.0), an S3 protocol server over a
# POSIX directory (buckets are directories, objects files published atomically), from the Go module proxy
# at a pinned version. A real server, not a mock: signed requests (SigV4), S3's XML errors, path-style
# addressing. Chosen because it builds fastest of the real ones: ~1.5 min on 2 cores from an empty Go
# module and build cache (SeaweedFS, the other candidate the proxy serves, takes far longer). Used by
# `npm test` (scripts/test.sh), so by `.ci/run`; test/support/s3-server.ts starts .tools/bin/versitygw.
#
#   bash scripts/s3-tools.sh
set -euo pipefail
cd "$(dirname "$0")/.."

VERSITYGW_VERSION=v1.8.0
# The stamp holds the pin and how it was built, so a changed pin or recipe rebuilds it.
KEY="$VERSITYGW_VERSION ldflags-version"
BIN="$PWD/.tools/bin"
STAMP="$PWD/.tools/stamps/versitygw"
mkdir -p "$BIN" "$(dirname "$STAMP")"

if [[ -x "$BIN/versitygw" && -f "$STAMP" && "$(cat "$STAMP")" == "$KEY" ]]; then
  echo "s3-tools: versitygw $VERSITYGW_VERSION ready (cached: $BIN/versitygw)" >&2
  exit 0
fi
command -v go >/dev/null || { echo "s3-tools: go is required (versitygw is built from the Go module proxy)" >&2; exit 1; }
echo "s3-tools: building versitygw $VERSITYGW_VERSION (go install; about 1.5 min the first time)" >&2
started=$SECONDS
# go install pkg@version ignores the current module, so no -mod flag is needed; CGO off: a static binary,
# no C compiler involved. -X stamps the version its --version prints (its Makefile does the same).
CGO_ENABLED=0 GOBIN="$BIN" go install -trimpath -ldflags "-s -w -X main.Version=$VERSITYGW_VERSION" \
  "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
printf '%s' "$KEY" >"$STAMP"
echo "s3-tools: versitygw $VERSITYGW_VERSION ready, built in $((SECONDS - started)) s ($BIN/versitygw)" >&2
