package validate

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

func loadHelm(t *testing.T) *HelmValues {
	t.Helper()
	data, err := os.ReadFile(helmValues)
	if err != nil {
		t.Fatal(err)
	}
	var v HelmValues
	if err := StrictUnmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", helmValues, err)
	}
	return &v
}

func loadOperator(t *testing.T) *OperatorCollector {
	t.Helper()
	data, err := os.ReadFile(operatorFile)
	if err != nil {
		t.Fatal(err)
	}
	docs := SplitDocuments(data)
	if len(docs) != 1 {
		t.Fatalf("%s: want one document, found %d", operatorFile, len(docs))
	}
	var oc OperatorCollector
	if err := StrictUnmarshal(docs[0], &oc); err != nil {
		t.Fatalf("%s: %v", operatorFile, err)
	}
	return &oc
}

// kubeImage is the image the plain manifests run; every method deploys the same one.
func kubeImage(t *testing.T) string {
	t.Helper()
	sts, err := loadKube(t).StatefulSet()
	if err != nil {
		t.Fatal(err)
	}
	c, _ := Collector(sts)
	return c.Image
}

// checkTokenRef expects the token from the same Secret and key as the plain
// manifests, so that one `kubectl create secret` serves every method.
func checkTokenRef(t *testing.T, env []corev1.EnvVar) {
	t.Helper()
	m := loadKube(t)
	sts, _ := m.StatefulSet()
	c, _ := Collector(sts)
	want := envVar(c, TokenEnv).ValueFrom.SecretKeyRef
	got := envHas(env, TokenEnv)
	if got == nil || got.Value != "" || got.ValueFrom == nil || got.ValueFrom.SecretKeyRef == nil {
		t.Fatalf("env %s: want a secretKeyRef", TokenEnv)
	}
	if ref := got.ValueFrom.SecretKeyRef; ref.Name != want.Name || ref.Key != want.Key {
		t.Errorf("env %s from Secret %s/%s, want %s/%s as in deploy/kubernetes", TokenEnv, ref.Name, ref.Key, want.Name, want.Key)
	}
}

func placeholderEnv(env []corev1.EnvVar, extra map[string]string) map[string]string {
	out := PodEnv(&corev1.Container{Env: env})
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func TestHelmValues(t *testing.T) {
	v := loadHelm(t)
	if v.Mode != "statefulset" {
		t.Errorf("mode %q: want statefulset, for a queue volume per replica", v.Mode)
	}
	if got := v.Image.Repository + ":" + v.Image.Tag; got != kubeImage(t) {
		t.Errorf("image %s: want %s, as in deploy/kubernetes", got, kubeImage(t))
	}
	if "/"+v.Command.Name != BinaryPath {
		t.Errorf("command.name %q: the chart runs /<name>, the image's binary is %s", v.Command.Name, BinaryPath)
	}
	checkTokenRef(t, v.ExtraEnvs)

	// The chart merges `config` into defaults that this distribution does
	// not build or use; each must be removed with null.
	for _, p := range [][]string{
		{"receivers", "jaeger"}, {"receivers", "prometheus"}, {"receivers", "zipkin"}, {"receivers", "otlp"},
		{"processors", "batch"}, {"exporters", "debug"},
		{"service", "pipelines", "traces"}, {"service", "pipelines", "metrics"}, {"service", "pipelines", "logs"},
		{"processors", "memory_limiter", "limit_percentage"}, {"processors", "memory_limiter", "spike_limit_percentage"},
	} {
		if val, ok := CollectorConfig(v.Config).Get(p...); !ok || val != nil {
			t.Errorf("config.%s: want null, to remove the chart's default", strings.Join(p, "."))
		}
	}
	cfg, err := NormalizeConfig(DropNulls(v.Config))
	if err != nil {
		t.Fatal(err)
	}

	if len(v.Statefulset.VolumeClaimTemplates) != 1 {
		t.Fatalf("statefulset.volumeClaimTemplates: want one, for the queue")
	}
	claim := v.Statefulset.VolumeClaimTemplates[0].Name
	queueDir := ""
	for _, vm := range v.ExtraVolumeMounts {
		if vm.Name == claim {
			queueDir = vm.MountPath
		}
	}
	if queueDir == "" {
		t.Errorf("extraVolumeMounts: nothing mounts the claim %q", claim)
	}
	env := placeholderEnv(v.ExtraEnvs, map[string]string{"MY_POD_IP": "10.0.0.1"})
	requireNoProblems(t, CheckCollectorConfigFor(cfg, env, queueDir))

	gml := ""
	if v.UseGOMEMLIMIT != nil && *v.UseGOMEMLIMIT {
		// The chart sets GOMEMLIMIT to 80% of the memory limit.
		limit := v.Resources.Limits[corev1.ResourceMemory]
		gml = strconv.FormatInt(limit.Value()*80/100, 10)
	}
	requireNoProblems(t, CheckMemory(cfg, v.Resources.Limits, gml))
	requireNoProblems(t, checkResources(&corev1.Container{Resources: v.Resources}))

	for name, p := range v.Ports {
		if p.Enabled && name != ReceiverPortName {
			t.Errorf("ports.%s is enabled; only %s is served", name, ReceiverPortName)
		}
	}
	auth0 := v.Ports[ReceiverPortName]
	if !auth0.Enabled || auth0.ContainerPort != ReceiverPort || auth0.ServicePort != ReceiverPort {
		t.Errorf("ports.%s: want enabled on %d", ReceiverPortName, ReceiverPort)
	}

	probeContainer := &corev1.Container{Ports: []corev1.ContainerPort{{ContainerPort: HealthPort}}}
	requireNoProblems(t, checkProbe("livenessProbe", probeContainer, v.LivenessProbe))
	requireNoProblems(t, checkProbe("readinessProbe", probeContainer, v.ReadinessProbe))
	sec := &corev1.Container{Name: "chart", SecurityContext: v.SecurityContext}
	requireNoProblems(t, checkSecurity(&corev1.PodSpec{SecurityContext: v.PodSecurityContext}, sec))

	if !v.Autoscaling.Enabled || v.Autoscaling.MinReplicas != Replicas || v.Autoscaling.MaxReplicas <= Replicas {
		t.Errorf("autoscaling: want enabled from %d replicas up", Replicas)
	}
	if !v.PodDisruptionBudget.Enabled || v.PodDisruptionBudget.MaxUnavailable == nil {
		t.Error("podDisruptionBudget: want enabled with maxUnavailable")
	}
	checkHelmIngress(t, v)
}

func checkHelmIngress(t *testing.T, v *HelmValues) {
	t.Helper()
	ing := v.Ingress
	if !ing.Enabled || len(ing.TLS) == 0 || ing.TLS[0].SecretName == "" {
		t.Fatal("ingress: want enabled with TLS: Auth0 needs a trusted certificate")
	}
	routed := false
	for _, h := range ing.Hosts {
		if !slices.ContainsFunc(ing.TLS, func(tls networkingv1.IngressTLS) bool { return slices.Contains(tls.Hosts, h.Host) }) {
			t.Errorf("ingress host %s: not covered by TLS", h.Host)
		}
		for _, p := range h.Paths {
			if p.Port != v.Ports[ReceiverPortName].ServicePort {
				t.Errorf("ingress path %s: port %d is not the receiver's", p.Path, p.Port)
			}
			if p.Path == ReceiverPath {
				routed = true
			}
		}
	}
	if !routed {
		t.Errorf("ingress: no path %s", ReceiverPath)
	}
}

func TestOperatorResource(t *testing.T) {
	oc := loadOperator(t)
	if oc.APIVersion != "opentelemetry.io/v1beta1" || oc.Kind != "OpenTelemetryCollector" {
		t.Fatalf("%s/%s: want opentelemetry.io/v1beta1 OpenTelemetryCollector", oc.APIVersion, oc.Kind)
	}
	s := oc.Spec
	if s.Mode != "statefulset" {
		t.Errorf("mode %q: want statefulset", s.Mode)
	}
	if s.Image != kubeImage(t) {
		t.Errorf("image %q: want %s, the custom image", s.Image, kubeImage(t))
	}
	if s.Replicas == nil || *s.Replicas != Replicas {
		t.Errorf("replicas: want %d", Replicas)
	}
	if a := s.Autoscaler; a == nil || a.MinReplicas == nil || *a.MinReplicas != Replicas || a.MaxReplicas == nil || *a.MaxReplicas <= Replicas {
		t.Errorf("autoscaler: want from %d replicas up", Replicas)
	}
	checkTokenRef(t, s.Env)
	if !slices.ContainsFunc(s.Ports, func(p OperatorPort) bool { return p.Port == ReceiverPort }) {
		t.Errorf("ports: want %d; the Operator cannot infer it for this receiver", ReceiverPort)
	}

	queueDir := ""
	if e := envHas(s.Env, QueueEnv); e != nil {
		queueDir = e.Value
	}
	onClaim := false
	for _, vct := range s.VolumeClaimTemplates {
		for _, vm := range s.VolumeMounts {
			onClaim = onClaim || (vm.Name == vct.Name && vm.MountPath == queueDir)
		}
	}
	if !onClaim {
		t.Errorf("%s=%q is not the mountPath of a volumeClaimTemplate", QueueEnv, queueDir)
	}

	cfg, err := NormalizeConfig(s.Config)
	if err != nil {
		t.Fatal(err)
	}
	requireNoProblems(t, CheckCollectorConfigFor(cfg, placeholderEnv(s.Env, nil), queueDir))
	gml := ""
	if e := envHas(s.Env, "GOMEMLIMIT"); e != nil {
		gml = e.Value
	}
	requireNoProblems(t, CheckMemory(cfg, s.Resources.Limits, gml))
	requireNoProblems(t, checkResources(&corev1.Container{Resources: s.Resources}))
	sec := &corev1.Container{Name: "operator", SecurityContext: s.SecurityContext}
	requireNoProblems(t, checkSecurity(&corev1.PodSpec{SecurityContext: s.PodSecurityContext}, sec))

	for _, diff := range Diff(map[string]any(cfg), map[string]any(kubeConfig(t)), "") {
		t.Errorf("operator config differs from deploy/kubernetes/configmap.yaml: %s", diff)
	}
}

func TestChartDecodingIsStrict(t *testing.T) {
	var v HelmValues
	if err := StrictUnmarshal([]byte("mode: statefulset\nextraEnv: []\n"), &v); err == nil ||
		!strings.Contains(err.Error(), `unknown field "extraEnv"`) {
		t.Errorf("a misspelt chart key must be rejected, got %v", err)
	}
	var oc OperatorCollector
	if err := StrictUnmarshal([]byte("spec:\n  volumeClaimTemplate: []\n"), &oc); err == nil ||
		!strings.Contains(err.Error(), `unknown field "spec.volumeClaimTemplate"`) {
		t.Errorf("a misspelt CRD field must be rejected, got %v", err)
	}
}
