#!/usr/bin/env bash
# Builds the S3-compatible server the data-lake tests and benchmark write to, when missing or when its pin
# changed (cached in .tools/): Versity's S3 Gateway (versitygw), an S3 protocol server over a POSIX
# directory (buckets are directories, objects files published atomically), from the Go module proxy at
# a pinned version. A real server, not a mock: signed requests, S3's XML errors, path-style addressing.
# About a minute the first time on a 2-core machine. Used by `npm test` (scripts/test.sh), so by `.ci/run`.
#
#   bash scripts/s3-tools.sh      then test/support/s3-server.ts starts .tools/bin/versitygw
set -euo pipefail
cd "$(dirname "$0")/.."

VERSITYGW_VERSION=v1.8.0
BIN="$PWD/.tools/bin"
STAMP="$PWD/.tools/stamps/versitygw"
mkdir -p "$BIN" "$(dirname "$STAMP")"

if [[ -x "$BIN/versitygw" && -f "$STAMP" && "$(cat "$STAMP")" == "$VERSITYGW_VERSION" ]]; then exit 0; fi
command -v go >/dev/null || { echo "s3-tools: go is required (versitygw is built from the Go module proxy)" >&2; exit 1; }
echo "s3-tools: building versitygw $VERSITYGW_VERSION (go install; about a minute the first time)" >&2
started=$SECONDS
CGO_ENABLED=0 GOBIN="$BIN" go install -trimpath -ldflags "-s -w" "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
printf '%s' "$VERSITYGW_VERSION" >"$STAMP"
echo "s3-tools: versitygw $VERSITYGW_VERSION ready in $((SECONDS - started)) s ($BIN/versitygw)" >&2
