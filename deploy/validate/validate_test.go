// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package validate

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

const (
	kubeDir      = "../kubernetes"
	helmValues   = "../helm/values.yaml"
	operatorFile = "../operator/opentelemetrycollector.yaml"
	// chartDir holds the vendored chart defaults and schema (see its README).
	chartDir = "testdata/chart-0.173.1"
)

// artifacts are the three deployment methods as decoded from deploy/, before
// any check; the breakage cases mutate them.
type artifacts struct {
	kube     *Manifests
	helm     map[string]any // deploy/helm/values.yaml, not yet merged
	operator *OperatorCollector
}

func load(t *testing.T) *artifacts {
	t.Helper()
	kube, err := LoadDir(kubeDir)
	if err != nil {
		t.Fatal(err)
	}
	helm, err := ParseConfig(read(t, helmValues))
	if err != nil {
		t.Fatalf("%s: %v", helmValues, err)
	}
	op, err := LoadOperator(read(t, operatorFile))
	if err != nil {
		t.Fatalf("%s: %v", operatorFile, err)
	}
	return &artifacts{kube: kube, helm: helm, operator: op}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// deployments turns the artifacts into Deployments, the Helm values merged
// into the vendored chart defaults, and collects every problem found.
func (a *artifacts) deployments(t *testing.T) ([]Deployment, []error) {
	t.Helper()
	defaults, err := ParseConfig(read(t, filepath.Join(chartDir, "values.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	schema, err := CompileSchema(read(t, filepath.Join(chartDir, "values.schema.json")))
	if err != nil {
		t.Fatal(err)
	}
	kube, err := KubeDeployment(a.kube)
	if err != nil {
		t.Fatal(err)
	}
	puller, err := KubePullerDeployment(a.kube)
	if err != nil {
		t.Fatal(err)
	}
	helm, all := HelmDeployment(a.helm, defaults, schema)
	ds := []Deployment{kube, helm, OperatorDeployment(a.operator), puller}
	for _, d := range ds {
		all = append(all, d.Problems(a.kube.Secrets[0])...)
	}
	all = append(all, PullerWorkloadProblems(a.kube)...)
	return ds, all
}

// configMap returns the ConfigMap of deploy/kubernetes with that name.
func configMap(t *testing.T, m *Manifests, name string) *corev1.ConfigMap {
	t.Helper()
	for _, cm := range m.ConfigMaps {
		if cm.Name == name {
			return cm
		}
	}
	t.Fatalf("no ConfigMap %s", name)
	return nil
}

// editConfig replaces from by to, once, in a ConfigMap's config.yaml.
func editConfig(t *testing.T, m *Manifests, name, from, to string) {
	t.Helper()
	cm := configMap(t, m, name)
	if !strings.Contains(cm.Data["config.yaml"], from) {
		t.Fatalf("ConfigMap %s config.yaml has no %q", name, from)
	}
	cm.Data["config.yaml"] = strings.Replace(cm.Data["config.yaml"], from, to, 1)
}

func TestDeploymentsHoldTheInvariants(t *testing.T) {
	ds, problems := load(t).deployments(t)
	for _, err := range problems {
		t.Error(err)
	}
	helm := ds[1].Config
	// The merge kept the chart's defaults we do not override and removed
	// the ones we null, as Helm does.
	if get(helm, "service", "telemetry", "resource", "k8s.pod.name") == nil {
		t.Error("merged config lost the chart's default service.telemetry.resource")
	}
	for _, gone := range [][]string{{"receivers", "otlp"}, {"processors", "batch"}, {"service", "pipelines", "traces"}} {
		if _, ok := asMap(get(helm, gone[:len(gone)-1]...))[gone[len(gone)-1]]; ok {
			t.Errorf("merged config still has %s", strings.Join(gone, "."))
		}
	}
	if ds[1].GoMemLimit != "409MiB" {
		t.Errorf("chart GOMEMLIMIT for 512Mi = %q, want 409MiB (floor of 409.6)", ds[1].GoMemLimit)
	}
}

// TestChecksCatchBreakage breaks one thing at a time; each invariant has at
// least one case, and the two faults of issue 9 have one each.
func TestChecksCatchBreakage(t *testing.T) {
	container := func(a *artifacts) *corev1.Container {
		return &a.kube.Push().Spec.Template.Spec.Containers[0]
	}
	puller := func(t *testing.T, a *artifacts) *appsv1.StatefulSet {
		t.Helper()
		for _, s := range a.kube.StatefulSets {
			if s.Name == "otelcol-auth0-puller" {
				return s
			}
		}
		t.Fatal("no StatefulSet otelcol-auth0-puller")
		return nil
	}
	pullerContainer := func(t *testing.T, a *artifacts) *corev1.Container {
		return &puller(t, a).Spec.Template.Spec.Containers[0]
	}
	var two int32 = 2
	opEnv := func(a *artifacts, name string) *corev1.EnvVar { return findEnv(a.operator.Spec.Env, name) }
	cases := []struct {
		name   string
		break_ func(t *testing.T, a *artifacts)
		want   string
	}{
		{"kube readiness probe on the receiver port", func(t *testing.T, a *artifacts) {
			container(a).ReadinessProbe.HTTPGet.Port = intstr.FromString("http-auth0")
		}, "readinessProbe port http-auth0: want the health_check port 13133"},
		{"helm liveness probe path", func(t *testing.T, a *artifacts) {
			set(a.helm, "/healthz", "livenessProbe", "httpGet", "path")
		}, `livenessProbe path "/healthz"`},
		{"kube token as a literal", func(t *testing.T, a *artifacts) {
			e := findEnv(container(a).Env, TokenEnv)
			e.ValueFrom, e.Value = nil, "hunter2"
		}, "never a literal"},
		{"operator token from another Secret", func(t *testing.T, a *artifacts) {
			opEnv(a, TokenEnv).ValueFrom.SecretKeyRef.Name = "auth0-token"
		}, "Secret auth0-token key token, want a key of the Secret otelcol-auth0-token"},
		{"helm token written into the config", func(t *testing.T, a *artifacts) {
			set(a.helm, "hunter2", "config", "receivers", "auth0logstream", "authorization_token")
		}, `authorization_token "hunter2"`},
		{"kube claim template renamed", func(t *testing.T, a *artifacts) {
			a.kube.Push().Spec.VolumeClaimTemplates[0].Name = "data"
		}, `deploy/kubernetes: file_storage directory "/var/lib/otelcol-auth0/queue" is not the mountPath of a volumeClaimTemplate`},
		{"operator queue off the volume", func(t *testing.T, a *artifacts) {
			opEnv(a, "AUTH0_QUEUE_DIR").Value = "/tmp/queue"
		}, `deploy/operator: file_storage directory "/tmp/queue"`},
		{"kube sending queue in memory", func(t *testing.T, a *artifacts) {
			editConfig(t, a.kube, "otelcol-auth0", "storage: file_storage", "storage: null")
		}, "deploy/kubernetes: exporter otlp_http: sending_queue.storage <nil>, want file_storage"},
		{"helm in deployment mode", func(t *testing.T, a *artifacts) { a.helm["mode"] = "deployment" }, "want statefulset"},
		{"kube memory limit cut, GOMEMLIMIT left", func(t *testing.T, a *artifacts) {
			container(a).Resources.Limits[corev1.ResourceMemory] = resource.MustParse("400Mi")
		}, `GOMEMLIMIT "409MiB": want 320MiB`},
		{"helm limiter above GOMEMLIMIT", func(t *testing.T, a *artifacts) {
			set(a.helm, 450.0, "config", "processors", "memory_limiter", "limit_mib")
		}, "limit_mib 450: want below GOMEMLIMIT (409MiB)"},
		{"operator GOMEMLIMIT at the old 410MiB", func(t *testing.T, a *artifacts) {
			opEnv(a, "GOMEMLIMIT").Value = "410MiB"
		}, `GOMEMLIMIT "410MiB": want 409MiB`},
		{"fault 1: helm null for a key the chart's defaults lack", func(t *testing.T, a *artifacts) {
			set(a.helm, nil, "config", "service", "telemetry", "metrics", "address")
		}, "config.service.telemetry.metrics.address: null"},
		{"fault 2: operator metrics port from an env var", func(t *testing.T, a *artifacts) {
			readers := get(a.operator.Spec.Config, "service", "telemetry", "metrics", "readers").([]any)
			set(asMap(readers[0]), "${env:TELEMETRY_METRICS_PORT:-8888}", "pull", "exporter", "prometheus", "port")
		}, "prometheus port ${env:TELEMETRY_METRICS_PORT:-8888}: want a literal integer"},
		{"helm misspelled chart key", func(t *testing.T, a *artifacts) { a.helm["extraEnv"] = []any{} }, "values.schema.json"},

		// The puller.
		{"puller replicas: 2", func(t *testing.T, a *artifacts) { puller(t, a).Spec.Replicas = &two },
			"StatefulSet otelcol-auth0-puller replicas 2: want exactly 1"},
		{"puller scaled by an HPA", func(t *testing.T, a *artifacts) {
			a.kube.HPAs[0].Spec.ScaleTargetRef.Name = "otelcol-auth0-puller"
		}, "HorizontalPodAutoscaler otelcol-auth0 scales the puller"},
		{"puller as a Deployment that surges", func(t *testing.T, a *artifacts) {
			sts := puller(t, a)
			dep := &appsv1.Deployment{ObjectMeta: sts.ObjectMeta}
			dep.Spec.Replicas, dep.Spec.Selector, dep.Spec.Template = sts.Spec.Replicas, sts.Spec.Selector, sts.Spec.Template
			a.kube.Deployments = append(a.kube.Deployments, dep)
			a.kube.StatefulSets = slices.DeleteFunc(a.kube.StatefulSets, func(s *appsv1.StatefulSet) bool { return s == sts })
		}, "Deployment otelcol-auth0-puller strategy RollingUpdate (the default): want Recreate"},
		{"puller pods selected by the push Service", func(t *testing.T, a *artifacts) {
			delete(a.kube.Services[0].Spec.Selector, ComponentLabel)
		}, "Service otelcol-auth0 selects the puller's pods"},
		{"puller client secret without its Secret reference", func(t *testing.T, a *artifacts) {
			e := findEnv(pullerContainer(t, a).Env, ClientSecretEnv)
			e.ValueFrom, e.Value = nil, "hunter2"
		}, "deploy/kubernetes puller: env AUTH0_CLIENT_SECRET: want valueFrom.secretKeyRef, never a literal"},
		{"puller client id gone from the pod", func(t *testing.T, a *artifacts) {
			c := pullerContainer(t, a)
			c.Env = slices.DeleteFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == ClientIDEnv })
		}, "env AUTH0_CLIENT_ID: want valueFrom.secretKeyRef"},
		{"puller client id from a key the Secret lacks", func(t *testing.T, a *artifacts) {
			findEnv(pullerContainer(t, a).Env, ClientIDEnv).ValueFrom.SecretKeyRef.Key = "client_id"
		}, "env AUTH0_CLIENT_ID: Secret otelcol-auth0-token key client_id"},
		{"puller client secret optional", func(t *testing.T, a *artifacts) {
			yes := true
			findEnv(pullerContainer(t, a).Env, ClientSecretEnv).ValueFrom.SecretKeyRef.Optional = &yes
		}, "env AUTH0_CLIENT_SECRET: optional secretKeyRef"},
		{"puller client secret written into the config", func(t *testing.T, a *artifacts) {
			editConfig(t, a.kube, "otelcol-auth0-puller", "${env:AUTH0_CLIENT_SECRET}", "hunter2")
		}, `management_api.client_secret "hunter2": want ${env:AUTH0_CLIENT_SECRET}`},
		{"puller liveness probe on another port", func(t *testing.T, a *artifacts) {
			pullerContainer(t, a).LivenessProbe.HTTPGet.Port = intstr.FromInt32(8888)
		}, "deploy/kubernetes puller: livenessProbe port 8888: want the health_check port 13133"},
		{"puller checkpoint in another storage", func(t *testing.T, a *artifacts) {
			editConfig(t, a.kube, "otelcol-auth0-puller", "  storage: file_storage\n    deduplication:", "  storage: file_storage/tmp\n    deduplication:")
		}, "management_api.storage file_storage/tmp: want file_storage"},
		{"puller dedup window not persisted", func(t *testing.T, a *artifacts) {
			editConfig(t, a.kube, "otelcol-auth0-puller", "      storage: file_storage\n    # Pull backs", "    # Pull backs")
		}, "deduplication.storage <nil>: want file_storage"},
		{"puller state volume off the claim", func(t *testing.T, a *artifacts) {
			findEnv(pullerContainer(t, a).Env, "AUTH0_STATE_DIR").Value = "/tmp/state"
		}, `deploy/kubernetes puller: file_storage directory "/tmp/state" is not the mountPath of a volumeClaimTemplate`},
		{"puller with a push server", func(t *testing.T, a *artifacts) {
			editConfig(t, a.kube, "otelcol-auth0-puller", `endpoint: ""`, "endpoint: 0.0.0.0:8383")
		}, `receiver endpoint "0.0.0.0:8383": want "" (pull only)`},
		{"puller memory limit raised, limiter left", func(t *testing.T, a *artifacts) {
			pullerContainer(t, a).Resources.Limits[corev1.ResourceMemory] = resource.MustParse("1Gi")
		}, `deploy/kubernetes puller: GOMEMLIMIT "409MiB": want 819MiB`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := load(t)
			tc.break_(t, a)
			_, problems := a.deployments(t)
			for _, err := range problems {
				if strings.Contains(err.Error(), tc.want) {
					return
				}
			}
			t.Errorf("no problem mentions %q; got %v", tc.want, problems)
		})
	}
}

func set(m map[string]any, v any, keys ...string) {
	for _, k := range keys[:len(keys)-1] {
		next := asMap(m[k])
		if next == nil {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = v
}

func TestCoalesceValuesLikeHelm(t *testing.T) {
	parse := func(s string) map[string]any {
		m, err := ParseConfig([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	defaults := parse("a: {p: 1, q: 2}\nb: [1, 2]\nc: 3\n")
	user := parse("a: {p: null, z: null}\nb: [3]\nd: null\n")
	got, _ := yaml.Marshal(CoalesceValues(user, defaults))
	// p is removed (a default), z and d stay null (not defaults), lists
	// are replaced, missing keys come from the defaults.
	want := "a:\n  q: 2\n  z: null\nb:\n- 3\nc: 3\nd: null\n"
	if string(got) != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
	if n := Nulls(CoalesceValues(user, defaults), ""); strings.Join(n, ",") != "a.z,d" {
		t.Errorf("Nulls = %v, want [a.z d]", n)
	}
}

func TestDecodingIsStrict(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\nspec: {replica: 3}\n", `unknown field "spec.replica"`},
		{"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\nspec: {Replicas: 3}\n", `unknown field "spec.Replicas"`},
		{"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresource: [a.yaml]\n", `unknown field "resource"`},
		{"apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\n", "unsupported apiVersion/kind"},
	} {
		if _, err := DecodeObject([]byte(tc.doc)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeObject(%q) = %v, want an error with %q", tc.doc, err, tc.want)
		}
	}
	op := "apiVersion: opentelemetry.io/v1beta1\nkind: OpenTelemetryCollector\nspec: {volumeClaimTemplate: []}\n"
	if _, err := LoadOperator([]byte(op)); err == nil || !strings.Contains(err.Error(), `unknown field "spec.volumeClaimTemplate"`) {
		t.Errorf("a misspelled CRD field must be rejected, got %v", err)
	}
	var env []corev1.EnvVar
	if err := decodeValue([]any{map[string]any{"name": "X", "valueFrom": map[string]any{"secretKeyref": nil}}}, &env); err == nil {
		t.Error("a misspelled field in a Helm value decoded into a k8s.io/api type must be rejected")
	}
}

var mibNearGOMEMLIMIT = regexp.MustCompile(`(?m)^.*GOMEMLIMIT.*$`)

// goMemLimitFigures returns the NNNMiB figures written on lines that mention
// GOMEMLIMIT, comments included.
func goMemLimitFigures(text string) []string {
	var out []string
	for _, line := range mibNearGOMEMLIMIT.FindAllString(text, -1) {
		for _, m := range regexp.MustCompile(`([0-9]+)MiB`).FindAllStringSubmatch(line, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// TestGOMEMLIMITCommentsMatchTheFigure keeps the prose next to GOMEMLIMIT at
// the figure the checks enforce (the chart's 80% of 512Mi, floored).
func TestGOMEMLIMITCommentsMatchTheFigure(t *testing.T) {
	want := ChartGoMemLimit(resource.MustParse("512Mi")) >> 20
	if got := goMemLimitFigures("#   410MiB GOMEMLIMIT: old figure"); len(got) != 1 || got[0] != "410" {
		t.Fatalf("figure extraction is broken: %v", got)
	}
	found := 0
	for _, f := range []string{kubeDir + "/statefulset.yaml", kubeDir + "/puller/statefulset.yaml", helmValues, operatorFile} {
		for _, fig := range goMemLimitFigures(string(read(t, f))) {
			found++
			if fig != strconv.FormatInt(want, 10) {
				t.Errorf("%s: %sMiB next to GOMEMLIMIT, the chart computes %dMiB", f, fig, want)
			}
		}
	}
	if found < 2 {
		t.Errorf("found %d GOMEMLIMIT figures in comments, want the statefulset's and the Helm values'", found)
	}
}

// TestDockerfilePinsTheMakefileOCBVersion: the image and `make build` must
// build with the same ocb.
func TestDockerfilePinsTheMakefileOCBVersion(t *testing.T) {
	m := regexp.MustCompile(`(?m)^OCB_VERSION := (\S+)$`).FindSubmatch(read(t, "../../Makefile"))
	if m == nil {
		t.Fatal("Makefile: no OCB_VERSION")
	}
	if want := "go.opentelemetry.io/collector/cmd/builder@" + string(m[1]); !strings.Contains(string(read(t, "../../Dockerfile")), want) {
		t.Errorf("Dockerfile does not install %s", want)
	}
}

// TestCollectorValidatesRenderedConfigs runs the built collector's `validate`
// on the config each method renders, with the environment its pods get, and
// checks that it refuses fault 1's config, so that a pass means something.
func TestCollectorValidatesRenderedConfigs(t *testing.T) {
	bin := os.Getenv("OTELCOL_BINARY")
	if bin == "" {
		t.Skip("OTELCOL_BINARY not set: no built collector to run `validate` with (make build, then OTELCOL_BINARY=_build/otelcol-auth0)")
	}
	a := load(t)
	ds, _ := a.deployments(t)
	for _, d := range ds {
		if out, err := runValidate(t, bin, d, a.kube); err != nil {
			t.Errorf("%s: collector validate failed: %v\n%s", d.Name, err, out)
		}
	}
	broken := load(t)
	set(broken.helm, nil, "config", "service", "telemetry", "metrics", "address")
	ds, _ = broken.deployments(t)
	out, err := runValidate(t, bin, ds[1], broken.kube)
	if err == nil || !strings.Contains(out, "invalid keys: address") {
		t.Errorf("collector validate accepted `address: null` (err %v):\n%s", err, out)
	}
	// The puller's config goes through the receiver's own validation too.
	broken = load(t)
	editConfig(t, broken.kube, "otelcol-auth0-puller", "  storage: file_storage\n    deduplication:", "\n    deduplication:")
	ds, _ = broken.deployments(t)
	out, err = runValidate(t, bin, ds[3], broken.kube)
	if err == nil || !strings.Contains(out, "management_api.storage is required") {
		t.Errorf("collector validate accepted a puller without a checkpoint storage (err %v):\n%s", err, out)
	}
}

func runValidate(t *testing.T, bin string, d Deployment, m *Manifests) (string, error) {
	t.Helper()
	cfg, err := yaml.Marshal(d.Config)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "validate", "--config=file:"+file)
	cmd.Env = podEnv(d.Env, m)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// podEnv resolves the container's environment as the kubelet would, with a
// placeholder token and the pod's own address on loopback.
func podEnv(env []corev1.EnvVar, m *Manifests) []string {
	out := []string{"HOME=" + os.TempDir()}
	for _, e := range env {
		v := e.Value
		switch {
		case e.ValueFrom == nil:
		case e.ValueFrom.SecretKeyRef != nil:
			v = "validate-placeholder-token"
		case e.ValueFrom.ConfigMapKeyRef != nil:
			for _, cm := range m.ConfigMaps {
				if cm.Name == e.ValueFrom.ConfigMapKeyRef.Name {
					v = cm.Data[e.ValueFrom.ConfigMapKeyRef.Key]
				}
			}
		case e.ValueFrom.FieldRef != nil && strings.HasSuffix(e.ValueFrom.FieldRef.FieldPath, "IP"):
			v = "127.0.0.1"
		default:
			v = "validate"
		}
		out = append(out, e.Name+"="+v)
	}
	return out
}

// TestLoadDirWantsOnePuller: a second puller workload in deploy/kubernetes
// (a copy under another name, or a Deployment beside the StatefulSet) is an
// error, not a workload the checks skip.
func TestLoadDirWantsOnePuller(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"", "puller"} {
		files, err := filepath.Glob(filepath.Join(kubeDir, sub, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("glob %s: %v %v", filepath.Join(kubeDir, sub), files, err)
		}
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o750); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, sub, filepath.Base(f)), read(t, f), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := LoadDir(dir); err != nil {
		t.Fatalf("the copy of %s does not load: %v", kubeDir, err)
	}
	second := strings.Replace(string(read(t, kubeDir+"/puller/statefulset.yaml")), "name: otelcol-auth0-puller\n", "name: otelcol-auth0-puller-2\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "puller-2.yaml"), []byte(second), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadDir(dir)
	if err == nil || !strings.Contains(err.Error(), "want one workload with app.kubernetes.io/component=puller (the puller), found 2") {
		t.Errorf("LoadDir with two pullers = %v, want the one-puller error", err)
	}
}
