package main

import (
	"bytes"
	"strings"
	"testing"
)

const goodDeployment = `
# Source: playlog/templates/api/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: playlog-api
  labels:
    app.kubernetes.io/name: playlog
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/component: api
  template:
    metadata:
      labels:
        app.kubernetes.io/component: api
    spec:
      containers:
        - name: api
          image: playlog:1.0.0
          args: ["api"]
          ports:
            - name: http
              containerPort: 4000
          resources:
            requests:
              cpu: 100m
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
`

func validate(t *testing.T, manifest string) []Problem {
	t.Helper()
	problems, checked, err := Validate(strings.NewReader(manifest), "test.yaml")
	if err != nil {
		t.Fatalf("Validate returned an error: %v", err)
	}
	if checked == 0 {
		t.Fatalf("no document was checked")
	}
	return problems
}

func expectProblem(t *testing.T, manifest, want string) {
	t.Helper()
	problems := validate(t, manifest)
	for _, p := range problems {
		if strings.Contains(p.String(), want) {
			return
		}
	}
	t.Fatalf("expected a problem containing %q, got %v", want, problems)
}

func TestAcceptsAValidDeploymentAndSkipsEmptyDocuments(t *testing.T) {
	manifest := "---\n# Source: empty.yaml\n---\n" + goodDeployment + "\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: playlog\n"
	problems, checked, err := Validate(strings.NewReader(manifest), "test.yaml")
	if err != nil || len(problems) != 0 || checked != 2 {
		t.Fatalf("want 2 valid documents, got checked=%d problems=%v err=%v", checked, problems, err)
	}
}

func TestRejectsAnUnknownFieldWithItsPath(t *testing.T) {
	bad := strings.Replace(goodDeployment, "          args: [\"api\"]", "          args: [\"api\"]\n          imagePullPolicyy: Always", 1)
	expectProblem(t, bad, `unknown field "spec.template.spec.containers[0].imagePullPolicyy"`)
}

func TestRejectsAFieldSpelledWithTheWrongCase(t *testing.T) {
	bad := strings.Replace(goodDeployment, "image: playlog:1.0.0", "Image: playlog:1.0.0", 1)
	expectProblem(t, bad, `unknown field "spec.template.spec.containers[0].Image"`)
}

func TestRejectsAWrongType(t *testing.T) {
	bad := strings.Replace(goodDeployment, "containerPort: 4000", `containerPort: "4000"`, 1)
	expectProblem(t, bad, "wrong type")
}

func TestRejectsAnInvalidQuantity(t *testing.T) {
	bad := strings.Replace(goodDeployment, "memory: 256Mi", "memory: 256MB-ish", 1)
	expectProblem(t, bad, "wrong type")
}

func TestRejectsADuplicateKey(t *testing.T) {
	bad := strings.Replace(goodDeployment, "  replicas: 2", "  replicas: 2\n  replicas: 3", 1)
	expectProblem(t, bad, "not valid YAML")
}

func TestRejectsAKindItDoesNotKnow(t *testing.T) {
	expectProblem(t, "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: old\n", "not a kind this validator knows")
}

func TestRejectsASelectorThatMissesThePodLabels(t *testing.T) {
	bad := strings.Replace(goodDeployment, "      app.kubernetes.io/component: api\n  template", "      app.kubernetes.io/component: worker\n  template", 1)
	expectProblem(t, bad, "does not match the pod template's labels")
}

func TestRejectsAMountOfAMissingVolumeAndABadEnvName(t *testing.T) {
	bad := strings.Replace(goodDeployment, "          args: [\"api\"]", "          args: [\"api\"]\n          env:\n            - name: 1BAD\n              value: x\n          volumeMounts:\n            - name: tmp\n              mountPath: /tmp", 1)
	problems := validate(t, bad)
	joined := ""
	for _, p := range problems {
		joined += p.String() + "\n"
	}
	for _, want := range []string{`volumeMount "tmp" names no volume`, `env "1BAD"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("expected %q in:\n%s", want, joined)
		}
	}
}

func TestRejectsACronJobScheduleWithTheWrongNumberOfFields(t *testing.T) {
	cron := `apiVersion: batch/v1
kind: CronJob
metadata:
  name: playlog-scheduler
spec:
  schedule: "*/5 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: scheduler
              image: playlog:1.0.0
`
	expectProblem(t, cron, "must have 5 fields")
}

func TestCommandExitsNonZeroAndNamesTheObjectOnBadInput(t *testing.T) {
	var stdout, stderr bytes.Buffer
	bad := strings.Replace(goodDeployment, "replicas: 2", "replicas: two", 1)
	if code := run(nil, strings.NewReader(bad), &stdout, &stderr); code != 1 {
		t.Fatalf("want exit 1, got %d (stderr %s)", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "Deployment/playlog-api") {
		t.Fatalf("stderr does not name the object: %s", stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(nil, strings.NewReader(goodDeployment), &stdout, &stderr); code != 0 {
		t.Fatalf("want exit 0, got %d (stderr %s)", code, stderr.String())
	}
	if code := run(nil, strings.NewReader("# nothing\n"), &stdout, &stderr); code != 1 {
		t.Fatalf("empty input must fail, got %d", code)
	}
}

func TestAcceptsAStatefulSetMountingItsVolumeClaimTemplate(t *testing.T) {
	manifest := `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  serviceName: redis
  selector:
    matchLabels: {app: redis}
  template:
    metadata:
      labels: {app: redis}
    spec:
      containers:
        - name: redis
          image: redis:7.4-bookworm
          volumeMounts:
            - name: data
              mountPath: /data
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: ["ReadWriteOnce"]
        resources:
          requests:
            storage: 1Gi
`
	if problems := validate(t, manifest); len(problems) != 0 {
		t.Fatalf("want no problem, got %v", problems)
	}
}

const goodPrometheusRule = `
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: playlog
spec:
  groups:
    - name: playlog
      rules:
        - alert: PlaylogPollingStalled
          expr: max(playlog_polling_lag_seconds) > 1200
          for: 5m
          labels:
            severity: critical
`

func TestChecksThePrometheusOperatorsKinds(t *testing.T) {
	if problems := validate(t, goodPrometheusRule); len(problems) != 0 {
		t.Fatalf("want a valid PrometheusRule, got %v", problems)
	}
	expectProblem(t, strings.Replace(goodPrometheusRule, "          for: 5m", "          forr: 5m", 1), `unknown field "spec.groups[0].rules[0].forr"`)
	expectProblem(t, strings.Replace(goodPrometheusRule, "        - alert: PlaylogPollingStalled\n", "        - record: playlog:lag\n          alert: Both\n", 1), "exactly one of alert and record")
	expectProblem(t, "apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata:\n  name: playlog\nspec:\n  selector: {}\n", "at least one endpoint")
}
