#!/usr/bin/env bash
# Lays out the JSON schemas that kubeconform checks the rendered charts against (scripts/chart-check.sh),
# from registries only: kubeconform would otherwise download them from GitHub at run time.
#
#   DEST/kubernetes/v<kube version>-local-strict/<kind>-<group>-<version>.json
#       the strict schemas (an unknown field is an error) of one Kubernetes version, as the PyPI package
#       kubernetes-validate ships them. They point at their shared _definitions.json by a kubernetes.io
#       address; that reference is made relative so that kubeconform reads the file beside them.
#   DEST/crds/<kind>-monitoring-v1.json
#       the Prometheus Operator's PodMonitor and PrometheusRule (the only custom resources the chart renders),
#       converted from the CRDs in the operator's Go module by kubeconform's own openapi2jsonschema.py, with
#       unknown fields refused at every level, the root included.
#
#   bash scripts/kube-schemas.sh DEST KUBE_VERSION KUBERNETES_VALIDATE_VERSION KUBECONFORM_VERSION PROMETHEUS_OPERATOR_VERSION
set -euo pipefail

dest=$1 kube_version=$2 kubernetes_validate_version=$3 kubeconform_version=$4 operator_version=$5
variant="v$kube_version-local-strict"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

module_dir() { # module@version -> its directory in the module cache, downloaded from the Go module proxy
  local dir
  dir=$(go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -d "$dir" ]] || { echo "kube-schemas: go mod download $1 failed" >&2; return 1; }
  printf '%s' "$dir"
}

rm -rf "$dest"
mkdir -p "$dest/kubernetes/$variant" "$dest/crds"

python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  -d "$work" "kubernetes-validate==$kubernetes_validate_version"
python3 - "$work"/kubernetes_validate-*.whl "$dest/kubernetes/$variant" "$variant" <<'EOF'
import json, os, sys, zipfile

wheel, out, variant = sys.argv[1:]
prefix = f'kubernetes_validate/kubernetes-json-schema/{variant}/'
count = 0
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if not name.startswith(prefix) or not name.endswith('.json'):
            continue
        schema = json.loads(archive.read(name))
        # Without its kubernetes.io $id, a schema's references resolve next to the file itself.
        schema.pop('$id', None)
        text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
        with open(os.path.join(out, name[len(prefix):]), 'w') as f:
            f.write(text)
        count += 1
if count == 0:
    sys.exit(f'kube-schemas: kubernetes-validate has no {variant} schemas')
print(f'kube-schemas: {count} Kubernetes schemas ({variant})')
EOF

# openapi2jsonschema.py needs PyYAML; the machine's Python usually has it, else it comes from PyPI.
if ! python3 -c 'import yaml' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check --target "$work/python" "pyyaml==6.0.3"
  export PYTHONPATH="$work/python"
fi
converter="$(module_dir "github.com/yannh/kubeconform@$kubeconform_version")/scripts/openapi2jsonschema.py"
crds="$(module_dir "github.com/prometheus-operator/prometheus-operator@$operator_version")/example/prometheus-operator-crd"
(cd "$dest/crds" && FILENAME_FORMAT='{kind}-{group}-{version}' DENY_ROOT_ADDITIONAL_PROPERTIES=1 \
  python3 "$converter" "$crds/monitoring.coreos.com_podmonitors.yaml" "$crds/monitoring.coreos.com_prometheusrules.yaml")
