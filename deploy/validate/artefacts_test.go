package validate

import (
	"os"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

const ocbVersion = "v0.161.0"

func loadStages(t *testing.T) []Stage {
	t.Helper()
	data, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	stages, err := ParseDockerfile(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 2 {
		t.Fatalf("want a two-stage build, found %d stages", len(stages))
	}
	return stages
}

func TestDockerfile(t *testing.T) {
	stages := loadStages(t)
	build, run := stages[0], stages[1]

	if !strings.HasPrefix(build.From, "golang:1.26") {
		t.Errorf("build stage FROM %s: want golang:1.26", build.From)
	}
	if !slices.Contains(build.Args("ENV"), "CGO_ENABLED=0") {
		t.Error("build stage: want ENV CGO_ENABLED=0, the runtime image has no libc")
	}
	runs := strings.Join(build.Args("RUN"), "\n")
	if !strings.Contains(runs, "go.opentelemetry.io/collector/cmd/builder@"+ocbVersion) {
		t.Errorf("build stage: want ocb pinned at %s", ocbVersion)
	}
	if !strings.Contains(runs, "builder --config=builder-config.yaml") {
		t.Error("build stage: want `builder --config=builder-config.yaml`")
	}

	if run.From != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("runtime FROM %s: want distroless static nonroot", run.From)
	}
	if got := run.Args("USER"); len(got) != 1 || !strings.HasPrefix(got[0], "65532") {
		t.Errorf("USER %v: want 65532, the nonroot user the manifests run as", got)
	}
	exposed := strings.Fields(strings.Join(run.Args("EXPOSE"), " "))
	for _, port := range []string{"8383", "13133"} {
		if !slices.Contains(exposed, port) {
			t.Errorf("EXPOSE %v: missing %s", exposed, port)
		}
	}
	copies := run.Args("COPY")
	if !slices.Contains(copies, "otelcol-config.yaml "+ImageConfigPath) {
		t.Errorf("COPY: want otelcol-config.yaml copied to %s", ImageConfigPath)
	}
	binary := ""
	for _, c := range copies {
		if f := strings.Fields(c); len(f) == 3 && f[0] == "--from=build" && f[2] == BinaryPath {
			binary = f[1]
		}
	}
	if binary == "" {
		t.Errorf("COPY: want the built binary copied to %s", BinaryPath)
	}
	checkBinaryMatchesBuilderConfig(t, binary)

	entry := execForm(t, run, "ENTRYPOINT")
	if !reflect.DeepEqual(entry, []string{BinaryPath}) {
		t.Errorf("ENTRYPOINT %v: want [%s] alone, so that the chart and the Operator can replace CMD", entry, BinaryPath)
	}
	if cmd := execForm(t, run, "CMD"); !reflect.DeepEqual(cmd, []string{"--config=" + ImageConfigPath}) {
		t.Errorf("CMD %v: want [--config=%s]", cmd, ImageConfigPath)
	}

	queueDir := queueDirOfStatefulSet(t)
	if vol := execForm(t, run, "VOLUME"); !reflect.DeepEqual(vol, []string{queueDir}) {
		t.Errorf("VOLUME %v: want [%s], the StatefulSet's queue mount", vol, queueDir)
	}
	if !slices.Contains(run.Args("ENV"), QueueEnv+"="+queueDir) {
		t.Errorf("ENV: want %s=%s", QueueEnv, queueDir)
	}
}

func execForm(t *testing.T, s Stage, cmd string) []string {
	t.Helper()
	args := s.Args(cmd)
	if len(args) != 1 {
		t.Fatalf("want one %s, found %d", cmd, len(args))
	}
	out, err := ExecForm(args[0])
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return out
}

// checkBinaryMatchesBuilderConfig ties the COPY source to where ocb writes
// the binary (dist.output_path/dist.name), relative to WORKDIR.
func checkBinaryMatchesBuilderConfig(t *testing.T, copied string) {
	t.Helper()
	data, err := os.ReadFile(builderConfig)
	if err != nil {
		t.Fatal(err)
	}
	var bc struct {
		Dist struct {
			Name       string `json:"name"`
			OutputPath string `json:"output_path"`
		} `json:"dist"`
	}
	if err := yaml.Unmarshal(data, &bc); err != nil {
		t.Fatal(err)
	}
	workdir := strings.Join(loadStages(t)[0].Args("WORKDIR"), "")
	want := path.Join(workdir, bc.Dist.OutputPath, bc.Dist.Name)
	if copied != want {
		t.Errorf("COPY --from=build %s: ocb writes the binary to %s", copied, want)
	}
}

func TestDockerfileParser(t *testing.T) {
	stages, err := ParseDockerfile([]byte("# c\nFROM a AS b\nRUN x \\\n  # inner comment\n  y\nFROM c\nCMD [\"z\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 2 || stages[0].Name != "b" || stages[1].From != "c" {
		t.Fatalf("stages: %+v", stages)
	}
	if got := stages[0].Args("RUN"); len(got) != 1 || strings.Join(strings.Fields(got[0]), " ") != "x y" {
		t.Errorf("continuation not joined: %q", got)
	}
	if _, err := ExecForm("/otelcol-auth0 --config=x"); err == nil {
		t.Error("shell form must be rejected: distroless has no /bin/sh")
	}
	if _, err := ParseDockerfile([]byte("RUN x\n")); err == nil {
		t.Error("an instruction before FROM must be rejected")
	}
}

func queueDirOfStatefulSet(t *testing.T) string {
	t.Helper()
	m := loadKube(t)
	sts, err := m.StatefulSet()
	if err != nil {
		t.Fatal(err)
	}
	c, err := Collector(sts)
	if err != nil {
		t.Fatal(err)
	}
	e := envVar(c, QueueEnv)
	if e == nil {
		t.Fatalf("StatefulSet: no %s", QueueEnv)
	}
	return e.Value
}

func kubeConfig(t *testing.T) CollectorConfig {
	t.Helper()
	m := loadKube(t)
	sts, _ := m.StatefulSet()
	c, _ := Collector(sts)
	raw, err := m.MountedConfig(sts, c)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseCollectorConfig([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestKubernetesConfigFollowsRootConfig keeps the ConfigMap's config equal to
// otelcol-config.yaml except for memory_limiter, so that a change to the
// distribution's pipeline is not silently missing from Kubernetes.
func TestKubernetesConfigFollowsRootConfig(t *testing.T) {
	data, err := os.ReadFile(rootConfig)
	if err != nil {
		t.Fatal(err)
	}
	root, err := ParseCollectorConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	kube := kubeConfig(t)
	for _, cfg := range []CollectorConfig{root, kube} {
		delete(asMap(cfg["processors"]), "memory_limiter")
	}
	for _, diff := range Diff(map[string]any(root), map[string]any(kube), "") {
		t.Errorf("deploy/kubernetes/configmap.yaml differs from otelcol-config.yaml: %s", diff)
	}
}

// Diff lists the paths at which two config trees differ.
func Diff(a, b any, at string) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		if !reflect.DeepEqual(a, b) {
			return []string{at + ": " + strings.TrimSpace(yamlString(a)) + " vs " + strings.TrimSpace(yamlString(b))}
		}
		return nil
	}
	var out []string
	for k := range am {
		out = append(out, Diff(am[k], bm[k], at+"."+k)...)
	}
	for k := range bm {
		if _, ok := am[k]; !ok {
			out = append(out, Diff(nil, bm[k], at+"."+k)...)
		}
	}
	slices.Sort(out)
	return out
}

func yamlString(v any) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}

func TestDiffFindsChanges(t *testing.T) {
	a := map[string]any{"x": map[string]any{"y": 1.0, "z": []any{"a"}}}
	b := map[string]any{"x": map[string]any{"y": 2.0, "z": []any{"a"}}, "w": true}
	got := Diff(a, b, "")
	if len(got) != 2 || !strings.HasPrefix(got[0], ".w") || !strings.HasPrefix(got[1], ".x.y") {
		t.Fatalf("Diff = %q", got)
	}
	if d := Diff(a, a, ""); d != nil {
		t.Fatalf("Diff of equal trees = %q", d)
	}
}

func envHas(env []corev1.EnvVar, name string) *corev1.EnvVar {
	for i := range env {
		if env[i].Name == name {
			return &env[i]
		}
	}
	return nil
}
