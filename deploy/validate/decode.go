// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package validate checks the deployment artifacts under deploy/ offline: the
// plain manifests (deploy/kubernetes), the Helm values (deploy/helm) and the
// Operator resource (deploy/operator).
//
// Each is decoded strictly (unknown, misspelled and duplicate fields are errors,
// as with `kubectl apply --validate=strict`), turned into a Deployment, and
// checked for the few invariants whose breakage loses data or crash-loops the
// pods: see Deployment.Problems. When a built collector is at hand, the tests
// also run its `validate` command on each rendered collector config.
//
// It is a module of its own so that the Kubernetes libraries never enter the
// collector's build.
package validate

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// StrictUnmarshal decodes YAML into out the way the API server's strict field
// validation does: duplicate keys, unknown fields and fields whose case differs
// from the schema are errors (encoding/json alone would accept "Replicas").
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

// kinds lists the apiVersion/kind pairs deploy/kubernetes may hold; anything
// else, such as a retired autoscaling/v2beta2, is an error, not skipped.
var kinds = map[string]func() any{
	"v1/ConfigMap":                           func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                              func() any { return &corev1.Secret{} },
	"v1/Service":                             func() any { return &corev1.Service{} },
	"apps/v1/StatefulSet":                    func() any { return &appsv1.StatefulSet{} },
	"apps/v1/Deployment":                     func() any { return &appsv1.Deployment{} },
	"networking.k8s.io/v1/Ingress":           func() any { return &networkingv1.Ingress{} },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"policy/v1/PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
	// Not an API object, but applied with the rest (kubectl apply -k).
	"kustomize.config.k8s.io/v1beta1/Kustomization": func() any { return &kustomization{} },
}

type kustomization struct {
	metav1.TypeMeta `json:",inline"`
	Resources       []string `json:"resources"`
}

var separator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// DecodeObject strictly decodes one manifest into its k8s.io/api type.
func DecodeObject(doc []byte) (any, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
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

// Manifests holds the objects of deploy/kubernetes that the checks read; the
// other kinds (Ingress) are decoded strictly and then dropped.
type Manifests struct {
	StatefulSets []*appsv1.StatefulSet
	Deployments  []*appsv1.Deployment
	ConfigMaps   []*corev1.ConfigMap
	Secrets      []*corev1.Secret
	Services     []*corev1.Service
	HPAs         []*autoscalingv2.HorizontalPodAutoscaler
	PDBs         []*policyv1.PodDisruptionBudget
}

// LoadDir strictly decodes every document of every *.yaml file in dir and
// in puller/ below it (the opt-in puller, a kustomization of its own).
func LoadDir(dir string) (*Manifests, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	puller, err := filepath.Glob(filepath.Join(dir, "puller", "*.yaml"))
	if err != nil {
		return nil, err
	}
	files = append(files, puller...)
	m := &Manifests{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		for i, doc := range separator.Split(string(data), -1) {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			obj, err := DecodeObject([]byte(doc))
			if err != nil {
				return nil, fmt.Errorf("%s document %d: %w", filepath.Base(file), i+1, err)
			}
			switch o := obj.(type) {
			case *appsv1.StatefulSet:
				m.StatefulSets = append(m.StatefulSets, o)
			case *appsv1.Deployment:
				m.Deployments = append(m.Deployments, o)
			case *corev1.ConfigMap:
				m.ConfigMaps = append(m.ConfigMaps, o)
			case *corev1.Secret:
				m.Secrets = append(m.Secrets, o)
			case *corev1.Service:
				m.Services = append(m.Services, o)
			case *autoscalingv2.HorizontalPodAutoscaler:
				m.HPAs = append(m.HPAs, o)
			case *policyv1.PodDisruptionBudget:
				m.PDBs = append(m.PDBs, o)
			}
		}
	}
	if len(m.Secrets) != 1 {
		return nil, fmt.Errorf("%s: want one Secret, found %d", dir, len(m.Secrets))
	}
	if err := m.checkWorkloads(); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return m, nil
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// OperatorCollector is the part of the Operator's OpenTelemetryCollector
// (opentelemetry.io/v1beta1) that deploy/operator uses, with the CRD's field
// names; a field outside it is rejected, as a misspelled one would be dropped by
// the API server's pruning.
type OperatorCollector struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        metav1.ObjectMeta `json:"metadata"`
	Spec            struct {
		Mode       string `json:"mode"`
		Image      string `json:"image"`
		Replicas   *int32 `json:"replicas,omitempty"`
		Autoscaler *struct {
			MinReplicas          *int32                                         `json:"minReplicas,omitempty"`
			MaxReplicas          *int32                                         `json:"maxReplicas,omitempty"`
			Behavior             *autoscalingv2.HorizontalPodAutoscalerBehavior `json:"behavior,omitempty"`
			TargetCPUUtilization *int32                                         `json:"targetCPUUtilization,omitempty"`
		} `json:"autoscaler,omitempty"`
		PodDisruptionBudget *struct {
			MinAvailable   *intstr.IntOrString `json:"minAvailable,omitempty"`
			MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
		} `json:"podDisruptionBudget,omitempty"`
		Ports []struct {
			corev1.ServicePort `json:",inline"`
			HostPort           int32 `json:"hostPort,omitempty"`
		} `json:"ports,omitempty"`
		Env                                  []corev1.EnvVar                                         `json:"env,omitempty"`
		Resources                            corev1.ResourceRequirements                             `json:"resources"`
		PodSecurityContext                   *corev1.PodSecurityContext                              `json:"podSecurityContext,omitempty"`
		SecurityContext                      *corev1.SecurityContext                                 `json:"securityContext,omitempty"`
		VolumeClaimTemplates                 []corev1.PersistentVolumeClaim                          `json:"volumeClaimTemplates,omitempty"`
		PersistentVolumeClaimRetentionPolicy *appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy `json:"persistentVolumeClaimRetentionPolicy,omitempty"`
		VolumeMounts                         []corev1.VolumeMount                                    `json:"volumeMounts,omitempty"`
		Config                               map[string]any                                          `json:"config"`
	} `json:"spec"`
}

// LoadOperator strictly decodes the Operator resource.
func LoadOperator(data []byte) (*OperatorCollector, error) {
	var oc OperatorCollector
	if err := StrictUnmarshal(data, &oc); err != nil {
		return nil, err
	}
	if oc.APIVersion != "opentelemetry.io/v1beta1" || oc.Kind != "OpenTelemetryCollector" {
		return nil, fmt.Errorf("%s/%s: want opentelemetry.io/v1beta1 OpenTelemetryCollector", oc.APIVersion, oc.Kind)
	}
	return &oc, nil
}
