package validate

import (
	"slices"
	"testing"
)

const (
	kubeDir       = "../kubernetes"
	helmValues    = "../helm/values.yaml"
	operatorFile  = "../operator/opentelemetrycollector.yaml"
	rootConfig    = "../../otelcol-config.yaml"
	dockerfile    = "../../Dockerfile"
	builderConfig = "../../builder-config.yaml"
	// Files in kubeDir that kustomization.yaml must not list.
	kustomizationFile = "kustomization.yaml"
	secretExample     = "secret.example.yaml"
)

// loadKube decodes every manifest in deploy/kubernetes, the Secret example
// included, so that references to it can be checked.
func loadKube(t *testing.T) *Manifests {
	t.Helper()
	files, err := YAMLFiles(kubeDir)
	if err != nil {
		t.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return f == kustomizationFile })
	m, err := LoadDir(kubeDir, files)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func requireNoProblems(t *testing.T, p Problems) {
	t.Helper()
	for _, err := range p {
		t.Error(err)
	}
}
