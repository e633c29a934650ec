package validate

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Manifests holds every object found in a directory, by kind.
type Manifests struct {
	StatefulSets []*appsv1.StatefulSet
	Services     []*corev1.Service
	ConfigMaps   []*corev1.ConfigMap
	Secrets      []*corev1.Secret
	Ingresses    []*networkingv1.Ingress
	HPAs         []*autoscalingv2.HorizontalPodAutoscaler
	PDBs         []*policyv1.PodDisruptionBudget
	// Files maps each object ("Kind/name") to the file it came from.
	Files map[string]string
}

// kinds lists the only apiVersion/kind pairs accepted; anything else, such
// as a retired autoscaling/v2beta2, is an error rather than silently skipped.
var kinds = map[string]func() any{
	"v1/ConfigMap":                 func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                    func() any { return &corev1.Secret{} },
	"v1/Service":                   func() any { return &corev1.Service{} },
	"apps/v1/StatefulSet":          func() any { return &appsv1.StatefulSet{} },
	"networking.k8s.io/v1/Ingress": func() any { return &networkingv1.Ingress{} },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any {
		return &autoscalingv2.HorizontalPodAutoscaler{}
	},
	"policy/v1/PodDisruptionBudget": func() any { return &policyv1.PodDisruptionBudget{} },
}

var separator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// SplitDocuments splits a multi-document YAML stream. Documents holding only
// comments or whitespace are dropped.
func SplitDocuments(data []byte) [][]byte {
	var docs [][]byte
	for _, part := range separator.Split(string(data), -1) {
		if hasContent(part) {
			docs = append(docs, []byte(part))
		}
	}
	return docs
}

func hasContent(doc string) bool {
	for _, line := range strings.Split(doc, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return true
		}
	}
	return false
}

// StrictUnmarshal decodes YAML into out the way the API server's strict
// field validation does: duplicate keys, unknown fields and fields whose case
// differs from the schema are all errors (encoding/json alone would accept
// "Replicas" for "replicas").
func StrictUnmarshal(doc []byte, out any) error {
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strictErrs, err := kjson.UnmarshalStrict(js, out)
	if err != nil {
		return err
	}
	if len(strictErrs) > 0 {
		msgs := make([]string, len(strictErrs))
		for i, e := range strictErrs {
			msgs[i] = e.Error()
		}
		return fmt.Errorf("strict decoding: %s", strings.Join(msgs, "; "))
	}
	return nil
}

// DecodeObject decodes one Kubernetes manifest into its k8s.io/api type.
func DecodeObject(doc []byte) (any, error) {
	var tm metav1.TypeMeta
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, err
	}
	// Lenient here on purpose: only apiVersion and kind are wanted.
	if err := kjson.UnmarshalCaseSensitivePreserveInts(js, &tm); err != nil {
		return nil, err
	}
	newObj, ok := kinds[tm.APIVersion+"/"+tm.Kind]
	if !ok {
		return nil, fmt.Errorf("unsupported apiVersion/kind %q/%q", tm.APIVersion, tm.Kind)
	}
	obj := newObj()
	if err := StrictUnmarshal(doc, obj); err != nil {
		return nil, fmt.Errorf("%s: %w", tm.Kind, err)
	}
	return obj, nil
}

// LoadDir decodes every document of the given files in dir.
func LoadDir(dir string, files []string) (*Manifests, error) {
	m := &Manifests{Files: map[string]string{}}
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		for i, doc := range SplitDocuments(data) {
			obj, err := DecodeObject(doc)
			if err != nil {
				return nil, fmt.Errorf("%s document %d: %w", name, i+1, err)
			}
			if err := m.add(obj, name); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *Manifests) add(obj any, file string) error {
	var key string
	switch o := obj.(type) {
	case *appsv1.StatefulSet:
		m.StatefulSets = append(m.StatefulSets, o)
		key = "StatefulSet/" + o.Name
	case *corev1.Service:
		m.Services = append(m.Services, o)
		key = "Service/" + o.Name
	case *corev1.ConfigMap:
		m.ConfigMaps = append(m.ConfigMaps, o)
		key = "ConfigMap/" + o.Name
	case *corev1.Secret:
		m.Secrets = append(m.Secrets, o)
		key = "Secret/" + o.Name
	case *networkingv1.Ingress:
		m.Ingresses = append(m.Ingresses, o)
		key = "Ingress/" + o.Name
	case *autoscalingv2.HorizontalPodAutoscaler:
		m.HPAs = append(m.HPAs, o)
		key = "HorizontalPodAutoscaler/" + o.Name
	case *policyv1.PodDisruptionBudget:
		m.PDBs = append(m.PDBs, o)
		key = "PodDisruptionBudget/" + o.Name
	default:
		return fmt.Errorf("%s: unhandled type %T", file, obj)
	}
	if prev, dup := m.Files[key]; dup {
		return fmt.Errorf("%s defined twice (%s and %s)", key, prev, file)
	}
	m.Files[key] = file
	return nil
}

// YAMLFiles lists the .yaml and .yml files in dir, sorted.
func YAMLFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Kustomization is the part of kustomization.yaml this project uses; strict
// decoding into it flags anything else, such as a misspelt "resource:".
type Kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Resources  []string `json:"resources"`
}

// LoadKustomization reads and strictly decodes a kustomization file.
func LoadKustomization(path string) (*Kustomization, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k Kustomization
	if err := StrictUnmarshal(data, &k); err != nil {
		return nil, err
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		return nil, fmt.Errorf("not a Kustomization: %s/%s", k.APIVersion, k.Kind)
	}
	return &k, nil
}
