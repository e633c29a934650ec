package validate

import (
	"strings"
	"testing"
)

const goodStatefulSet = `
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: x
spec:
  replicas: 3
  serviceName: x
  selector:
    matchLabels: {app: x}
  template:
    metadata:
      labels: {app: x}
    spec:
      containers:
        - name: x
          image: x
          resources:
            limits: {memory: 512Mi}
`

func TestDecodeObjectIsStrict(t *testing.T) {
	cases := []struct {
		name    string
		doc     string
		wantErr string // "" means it must decode
	}{
		{"valid", goodStatefulSet, ""},
		{"unknown field", strings.Replace(goodStatefulSet, "replicas: 3", "replica: 3", 1), `unknown field "spec.replica"`},
		{"field in the wrong case", strings.Replace(goodStatefulSet, "replicas: 3", "Replicas: 3", 1), `unknown field "spec.Replicas"`},
		{"unknown nested field", strings.Replace(goodStatefulSet, "image: x", "image: x\n          imagePullPolice: Always", 1), `unknown field`},
		{"duplicate key", strings.Replace(goodStatefulSet, "replicas: 3", "replicas: 3\n  replicas: 4", 1), `already set`},
		{"wrong type", strings.Replace(goodStatefulSet, "replicas: 3", "replicas: three", 1), `cannot unmarshal`},
		{"bad quantity", strings.Replace(goodStatefulSet, "512Mi", "512MB", 1), `quantities must match`},
		{"retired apiVersion", "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: x}\n", "unsupported apiVersion/kind"},
		{"kind not handled", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n", "unsupported apiVersion/kind"},
		{"not YAML", "apiVersion: v1\nkind: [", "yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeObject([]byte(tc.doc))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("want success, got %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("want an error mentioning %q, got none", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("want an error mentioning %q, got %v", tc.wantErr, err)
			}
		})
	}
}

func TestSplitDocumentsDropsCommentOnlyDocuments(t *testing.T) {
	stream := "# header only\n---\na: 1\n---   \n# just a comment\n---\nb: 2\n"
	docs := SplitDocuments([]byte(stream))
	if len(docs) != 2 {
		t.Fatalf("got %d documents, want 2: %q", len(docs), docs)
	}
	if !strings.Contains(string(docs[0]), "a: 1") || !strings.Contains(string(docs[1]), "b: 2") {
		t.Fatalf("wrong documents: %q", docs)
	}
}

func TestLoadKustomizationIsStrict(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/kustomization.yaml"
	writeFile(t, path, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresource:\n  - a.yaml\n")
	if _, err := LoadKustomization(path); err == nil || !strings.Contains(err.Error(), `unknown field "resource"`) {
		t.Fatalf("want the misspelt key rejected, got %v", err)
	}
}
