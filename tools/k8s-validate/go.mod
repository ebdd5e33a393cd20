// Decodes rendered Kubernetes manifests strictly into the typed API of one Kubernetes version
// (the oldest the chart supports, see charts/playlog/Chart.yaml kubeVersion), so that an unknown
// field or a wrong type fails in CI without a cluster or downloaded schemas.
module playlog.local/tools/k8s-validate

go 1.22.0

require (
	github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring v0.75.2
	k8s.io/api v0.30.14
	k8s.io/apimachinery v0.30.14
	sigs.k8s.io/json v0.0.0-20221116044647-bc3834ca7abd
	sigs.k8s.io/yaml v1.4.0
)

require (
	github.com/go-logr/logr v1.4.2 // indirect
	github.com/gogo/protobuf v1.3.2 // indirect
	github.com/google/gofuzz v1.2.0 // indirect
	github.com/json-iterator/go v1.1.12 // indirect
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // indirect
	github.com/modern-go/reflect2 v1.0.2 // indirect
	golang.org/x/net v0.26.0 // indirect
	golang.org/x/text v0.16.0 // indirect
	gopkg.in/inf.v0 v0.9.1 // indirect
	gopkg.in/yaml.v2 v2.4.0 // indirect
	k8s.io/klog/v2 v2.130.1 // indirect
	k8s.io/utils v0.0.0-20240502163921-fe8a2dddb1d0 // indirect
	sigs.k8s.io/structured-merge-diff/v4 v4.4.1 // indirect
)
