package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// KubernetesVersion is the API the manifests are checked against: the k8s.io/api release in go.mod.
const KubernetesVersion = "1.30"

// kinds lists every kind the Playlog charts render. A kind outside it fails on purpose: adding one
// means adding its Go type here, so nothing the charts render goes unchecked.
var kinds = map[string]func() any{
	"v1/ConfigMap":                           func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                              func() any { return &corev1.Secret{} },
	"v1/Service":                             func() any { return &corev1.Service{} },
	"v1/ServiceAccount":                      func() any { return &corev1.ServiceAccount{} },
	"v1/PersistentVolumeClaim":               func() any { return &corev1.PersistentVolumeClaim{} },
	"v1/Pod":                                 func() any { return &corev1.Pod{} },
	"apps/v1/Deployment":                     func() any { return &appsv1.Deployment{} },
	"apps/v1/StatefulSet":                    func() any { return &appsv1.StatefulSet{} },
	"batch/v1/Job":                           func() any { return &batchv1.Job{} },
	"batch/v1/CronJob":                       func() any { return &batchv1.CronJob{} },
	"networking.k8s.io/v1/Ingress":           func() any { return &networkingv1.Ingress{} },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"policy/v1/PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
	// The Prometheus Operator's CRDs (monitoring.*: off by default), at the version pinned in go.mod.
	"monitoring.coreos.com/v1/PodMonitor":     func() any { return &monitoringv1.PodMonitor{} },
	"monitoring.coreos.com/v1/PrometheusRule": func() any { return &monitoringv1.PrometheusRule{} },
}

// Problem is one thing wrong with one document of the input.
type Problem struct {
	Source string // file name, or "-" for standard input
	Index  int    // 1-based position of the document in its source
	Object string // kind/name, when it could be read
	Err    string
}

func (p Problem) String() string {
	where := fmt.Sprintf("%s: document %d", p.Source, p.Index)
	if p.Object != "" {
		where += " (" + p.Object + ")"
	}
	return where + ": " + p.Err
}

// Validate reads a stream of YAML documents (as `helm template` prints them) and returns what is
// wrong with them, and how many documents it checked.
func Validate(r io.Reader, source string) (problems []Problem, checked int, err error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	for index := 1; ; index++ {
		doc, readErr := reader.Read()
		if errors.Is(readErr, io.EOF) {
			return problems, checked, nil
		}
		if readErr != nil {
			return problems, checked, fmt.Errorf("%s: reading document %d: %w", source, index, readErr)
		}
		if isBlank(doc) {
			index--
			continue
		}
		checked++
		object, errs := validateDocument(doc)
		for _, e := range errs {
			problems = append(problems, Problem{Source: source, Index: index, Object: object, Err: e})
		}
	}
}

// isBlank tells a document that holds only comments and whitespace (helm prints those for
// templates that render nothing).
func isBlank(doc []byte) bool {
	for _, line := range strings.Split(string(doc), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed != "" && trimmed != "---" && !strings.HasPrefix(trimmed, "#") {
			return false
		}
	}
	return true
}

func validateDocument(doc []byte) (object string, problems []string) {
	// YAMLToJSONStrict rejects duplicate keys, which plain YAML decoding would silently merge.
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return "", []string{"not valid YAML: " + err.Error()}
	}
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return "", nil
	}
	var head struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := kjson.UnmarshalCaseSensitivePreserveInts(data, &head); err != nil {
		return "", []string{"not a Kubernetes object: " + err.Error()}
	}
	object = head.Kind + "/" + head.Metadata.Name
	if head.APIVersion == "" || head.Kind == "" {
		return object, []string{"apiVersion and kind are required"}
	}
	newObject, known := kinds[head.APIVersion+"/"+head.Kind]
	if !known {
		return object, []string{fmt.Sprintf("%s %s is not a kind this validator knows for Kubernetes %s: add its Go type to the kinds table", head.APIVersion, head.Kind, KubernetesVersion)}
	}
	typed := newObject()
	// Case-sensitive, like the API server: encoding/json would accept "Image" for "image".
	strictErrs, err := kjson.UnmarshalStrict(data, typed, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return object, []string{"wrong type: " + err.Error()}
	}
	for _, e := range strictErrs {
		problems = append(problems, e.Error())
	}
	return object, append(problems, checkObject(typed)...)
}

// checkObject adds the few semantic rules that decoding cannot see and that the API server
// would reject at apply time (names, labels, selectors, containers).
func checkObject(obj any) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	meta := func(m metav1.ObjectMeta) {
		if m.Name == "" {
			add("metadata.name is required")
		} else {
			for _, msg := range validation.IsDNS1123Subdomain(m.Name) {
				add("metadata.name %q: %s", m.Name, msg)
			}
		}
		for key, value := range m.Labels {
			for _, msg := range validation.IsQualifiedName(key) {
				add("label key %q: %s", key, msg)
			}
			for _, msg := range validation.IsValidLabelValue(value) {
				add("label %s value %q: %s", key, value, msg)
			}
		}
	}
	// claims are a StatefulSet's volumeClaimTemplates, which its pods mount like volumes.
	podSpec := func(path string, spec corev1.PodSpec, claims ...corev1.PersistentVolumeClaim) {
		if len(spec.Containers) == 0 {
			add("%s.containers: at least one container is required", path)
		}
		names := map[string]bool{}
		all := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
		volumes := map[string]bool{}
		for _, v := range spec.Volumes {
			volumes[v.Name] = true
		}
		for _, c := range claims {
			volumes[c.Name] = true
		}
		for i, c := range all {
			where := fmt.Sprintf("%s container %d (%s)", path, i, c.Name)
			for _, msg := range validation.IsDNS1123Label(c.Name) {
				add("%s: name: %s", where, msg)
			}
			if names[c.Name] {
				add("%s: duplicate container name", where)
			}
			names[c.Name] = true
			if c.Image == "" {
				add("%s: image is required", where)
			}
			envNames := map[string]bool{}
			for _, e := range c.Env {
				for _, msg := range validation.IsEnvVarName(e.Name) {
					add("%s: env %q: %s", where, e.Name, msg)
				}
				if envNames[e.Name] {
					add("%s: env %q is set twice", where, e.Name)
				}
				envNames[e.Name] = true
			}
			for _, p := range c.Ports {
				for _, msg := range validation.IsValidPortNum(int(p.ContainerPort)) {
					add("%s: containerPort %d: %s", where, p.ContainerPort, msg)
				}
			}
			for _, m := range c.VolumeMounts {
				if !volumes[m.Name] {
					add("%s: volumeMount %q names no volume of the pod", where, m.Name)
				}
			}
		}
	}
	selects := func(path string, selector *metav1.LabelSelector, labels map[string]string) {
		if selector == nil || len(selector.MatchLabels) == 0 {
			add("%s.selector.matchLabels is required", path)
			return
		}
		for k, v := range selector.MatchLabels {
			if labels[k] != v {
				add("%s.selector.matchLabels %s=%s does not match the pod template's labels", path, k, v)
			}
		}
	}

	switch o := obj.(type) {
	case *appsv1.Deployment:
		meta(o.ObjectMeta)
		selects("spec", o.Spec.Selector, o.Spec.Template.Labels)
		podSpec("spec.template.spec", o.Spec.Template.Spec)
	case *appsv1.StatefulSet:
		meta(o.ObjectMeta)
		selects("spec", o.Spec.Selector, o.Spec.Template.Labels)
		podSpec("spec.template.spec", o.Spec.Template.Spec, o.Spec.VolumeClaimTemplates...)
	case *batchv1.Job:
		meta(o.ObjectMeta)
		podSpec("spec.template.spec", o.Spec.Template.Spec)
	case *batchv1.CronJob:
		meta(o.ObjectMeta)
		if len(o.Name) > 52 {
			add("metadata.name %q: a CronJob name must be at most 52 characters", o.Name)
		}
		if fields := strings.Fields(o.Spec.Schedule); len(fields) != 5 && !strings.HasPrefix(o.Spec.Schedule, "@") {
			add("spec.schedule %q: must have 5 fields (minute hour day-of-month month day-of-week)", o.Spec.Schedule)
		}
		podSpec("spec.jobTemplate.spec.template.spec", o.Spec.JobTemplate.Spec.Template.Spec)
	case *corev1.Pod:
		meta(o.ObjectMeta)
		podSpec("spec", o.Spec)
	case *corev1.Service:
		meta(o.ObjectMeta)
		for _, msg := range validation.IsDNS1035Label(o.Name) {
			add("metadata.name %q: a Service name %s", o.Name, msg)
		}
		if len(o.Spec.Ports) == 0 {
			add("spec.ports: at least one port is required")
		}
	case *corev1.ConfigMap:
		meta(o.ObjectMeta)
	case *corev1.Secret:
		meta(o.ObjectMeta)
	case *corev1.ServiceAccount:
		meta(o.ObjectMeta)
	case *corev1.PersistentVolumeClaim:
		meta(o.ObjectMeta)
	case *networkingv1.Ingress:
		meta(o.ObjectMeta)
	case *autoscalingv2.HorizontalPodAutoscaler:
		meta(o.ObjectMeta)
		if o.Spec.MinReplicas != nil && *o.Spec.MinReplicas > o.Spec.MaxReplicas {
			add("spec.minReplicas %d is above spec.maxReplicas %d", *o.Spec.MinReplicas, o.Spec.MaxReplicas)
		}
	case *policyv1.PodDisruptionBudget:
		meta(o.ObjectMeta)
	case *monitoringv1.PodMonitor:
		meta(o.ObjectMeta)
		if len(o.Spec.PodMetricsEndpoints) == 0 {
			add("spec.podMetricsEndpoints: at least one endpoint is required")
		}
	case *monitoringv1.PrometheusRule:
		meta(o.ObjectMeta)
		for _, group := range o.Spec.Groups {
			for i, rule := range group.Rules {
				if rule.Expr.String() == "" || (rule.Alert == "") == (rule.Record == "") {
					add("spec.groups[%s].rules[%d]: needs an expr and exactly one of alert and record", group.Name, i)
				}
			}
		}
	}
	return problems
}
