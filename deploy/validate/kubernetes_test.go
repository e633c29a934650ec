package validate

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestKubernetesManifestsPassAllChecks(t *testing.T) {
	m := loadKube(t)
	counts := map[string]int{
		"StatefulSet": len(m.StatefulSets), "Service": len(m.Services),
		"ConfigMap": len(m.ConfigMaps), "Secret": len(m.Secrets), "Ingress": len(m.Ingresses),
		"HorizontalPodAutoscaler": len(m.HPAs), "PodDisruptionBudget": len(m.PDBs),
	}
	want := map[string]int{
		"StatefulSet": 1, "Service": 2, "ConfigMap": 1, "Secret": 1, "Ingress": 1,
		"HorizontalPodAutoscaler": 1, "PodDisruptionBudget": 1,
	}
	for kind, n := range want {
		if counts[kind] != n {
			t.Errorf("%s: found %d, want %d", kind, counts[kind], n)
		}
	}
	requireNoProblems(t, m.CheckAll())
}

func TestKustomizationListsEveryManifestButTheSecret(t *testing.T) {
	k, err := LoadKustomization(kubeDir + "/" + kustomizationFile)
	if err != nil {
		t.Fatal(err)
	}
	files, err := YAMLFiles(kubeDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		listed := slices.Contains(k.Resources, f)
		switch f {
		case kustomizationFile:
		case secretExample:
			if listed {
				t.Errorf("%s is listed: applying it would replace the real token with the placeholder", f)
			}
		default:
			if !listed {
				t.Errorf("%s is not listed in %s", f, kustomizationFile)
			}
		}
	}
	for _, r := range k.Resources {
		if !slices.Contains(files, r) {
			t.Errorf("%s lists %s, which does not exist", kustomizationFile, r)
		}
	}
}

func TestSecretExampleHoldsOnlyAPlaceholder(t *testing.T) {
	m := loadKube(t)
	for _, s := range m.Secrets {
		for key, v := range s.StringData {
			if !strings.Contains(v, "REPLACE") {
				t.Errorf("Secret %s key %s: want an obvious placeholder, not a usable token", s.Name, key)
			}
		}
		if len(s.Data) > 0 {
			t.Errorf("Secret %s: use stringData with a placeholder, not data", s.Name)
		}
	}
}

// TestChecksCatchBrokenManifests breaks one thing at a time in a good
// manifest set and expects the checks to name it: a check that cannot fail
// proves nothing.
func TestChecksCatchBrokenManifests(t *testing.T) {
	replaceConfig := func(old, new string) func(*testing.T, *Manifests) {
		return func(t *testing.T, m *Manifests) {
			cm := m.ConfigMaps[0]
			if !strings.Contains(cm.Data["config.yaml"], old) {
				t.Fatalf("config.yaml has no %q to replace", old)
			}
			cm.Data["config.yaml"] = strings.Replace(cm.Data["config.yaml"], old, new, 1)
		}
	}
	container := func(m *Manifests) *corev1.Container { return &m.StatefulSets[0].Spec.Template.Spec.Containers[0] }
	env := func(t *testing.T, m *Manifests, name string) *corev1.EnvVar {
		e := envVar(container(m), name)
		if e == nil {
			t.Fatalf("no env %s", name)
		}
		return e
	}
	cases := []struct {
		name   string
		break_ func(*testing.T, *Manifests)
		want   string
	}{
		{"two replicas", func(t *testing.T, m *Manifests) {
			n := int32(2)
			m.StatefulSets[0].Spec.Replicas = &n
		}, "StatefulSet replicas"},
		{"readiness on the receiver port", func(t *testing.T, m *Manifests) {
			container(m).ReadinessProbe.HTTPGet.Port = intstr.FromInt32(8383)
		}, "readinessProbe port"},
		{"liveness path", func(t *testing.T, m *Manifests) {
			container(m).LivenessProbe.HTTPGet.Path = "/healthz"
		}, "livenessProbe path"},
		{"no liveness probe", func(t *testing.T, m *Manifests) {
			container(m).LivenessProbe = nil
		}, "livenessProbe: want an HTTP GET"},
		{"receiver port renamed", func(t *testing.T, m *Manifests) {
			container(m).Ports[0].Name = "http"
		}, "container port http-auth0"},
		{"token as a literal", func(t *testing.T, m *Manifests) {
			e := env(t, m, TokenEnv)
			e.ValueFrom, e.Value = nil, "hunter2"
		}, "env AUTH0_LOG_STREAM_TOKEN: want valueFrom.secretKeyRef"},
		{"token key missing from the Secret", func(t *testing.T, m *Manifests) {
			env(t, m, TokenEnv).ValueFrom.SecretKeyRef.Key = "tok"
		}, `Secret "otelcol-auth0-token" with key "tok" not found`},
		{"ConfigMap key missing", func(t *testing.T, m *Manifests) {
			env(t, m, "OTLP_ENDPOINT").ValueFrom.ConfigMapKeyRef.Key = "endpoint"
		}, `ConfigMap "otelcol-auth0" with key "endpoint" not found`},
		{"no memory limit", func(t *testing.T, m *Manifests) {
			delete(container(m).Resources.Limits, corev1.ResourceMemory)
		}, "resources memory"},
		{"request above limit", func(t *testing.T, m *Manifests) {
			container(m).Resources.Requests[corev1.ResourceCPU] = resource.MustParse("4")
		}, "request 4 above limit"},
		{"writable root filesystem", func(t *testing.T, m *Manifests) {
			f := false
			container(m).SecurityContext.ReadOnlyRootFilesystem = &f
		}, "readOnlyRootFilesystem"},
		{"capabilities kept", func(t *testing.T, m *Manifests) {
			container(m).SecurityContext.Capabilities = nil
		}, "capabilities.drop"},
		{"queue off the volume", func(t *testing.T, m *Manifests) {
			env(t, m, QueueEnv).Value = "/tmp/queue"
		}, "is not the mountPath of a volumeClaimTemplate"},
		{"claim template renamed", func(t *testing.T, m *Manifests) {
			m.StatefulSets[0].Spec.VolumeClaimTemplates[0].Name = "data"
		}, "volumeMount queue: no such volume"},
		{"config not at the image's path", func(t *testing.T, m *Manifests) {
			for i, vm := range container(m).VolumeMounts {
				if vm.Name == "config" {
					container(m).VolumeMounts[i].MountPath = "/conf"
				}
			}
		}, "no ConfigMap item is mounted at /etc/otelcol-auth0/config.yaml"},
		{"label value invalid", func(t *testing.T, m *Manifests) {
			m.Services[0].Labels["app.kubernetes.io/name"] = "otelcol auth0"
		}, "label"},
		{"Service selects other pods", func(t *testing.T, m *Manifests) {
			m.Services[0].Spec.Selector = map[string]string{"app": "other"}
		}, "does not match pod labels"},
		{"Service targets a missing port", func(t *testing.T, m *Manifests) {
			m.Services[0].Spec.Ports[0].TargetPort = intstr.FromString("http")
		}, "targetPort http is not a container port"},
		{"headless Service with an IP", func(t *testing.T, m *Manifests) {
			for _, s := range m.Services {
				s.Spec.ClusterIP = ""
			}
		}, "want a headless Service"},
		{"Ingress without TLS", func(t *testing.T, m *Manifests) {
			m.Ingresses[0].Spec.TLS = nil
		}, "no TLS hosts"},
		{"Ingress on another path", func(t *testing.T, m *Manifests) {
			m.Ingresses[0].Spec.Rules[0].HTTP.Paths[0].Path = "/api"
		}, "no Exact or Prefix path /api/logs"},
		{"Ingress exposing the health port", func(t *testing.T, m *Manifests) {
			m.Ingresses[0].Spec.Rules[0].HTTP.Paths[0].Backend.Service.Port.Name = "health"
		}, "exposes container port 13133"},
		{"HPA on a Deployment", func(t *testing.T, m *Manifests) {
			m.HPAs[0].Spec.ScaleTargetRef.Kind = "Deployment"
		}, "targets apps/v1 Deployment"},
		{"HPA floor below the replicas", func(t *testing.T, m *Manifests) {
			n := int32(1)
			m.HPAs[0].Spec.MinReplicas = &n
		}, "minReplicas"},
		{"PDB selects other pods", func(t *testing.T, m *Manifests) {
			m.PDBs[0].Spec.Selector.MatchLabels = map[string]string{"app": "other"}
		}, "PDB otelcol-auth0"},
		{"PDB allows everything down", func(t *testing.T, m *Manifests) {
			all := intstr.FromInt32(3)
			m.PDBs[0].Spec.MaxUnavailable = &all
		}, "allows 3 of 3"},
		{"batch processor in the pipeline", replaceConfig(
			"processors: [memory_limiter, filter/failures]",
			"processors: [memory_limiter, filter/failures, batch]"),
			"batch processor acknowledges before the persistent queue"},
		{"memory_limiter not first", replaceConfig(
			"processors: [memory_limiter, filter/failures]",
			"processors: [filter/failures, memory_limiter]"),
			"memory_limiter must be the first processor"},
		{"limiter too close to the container limit", replaceConfig("limit_mib: 400", "limit_mib: 500"), "over 85%"},
		{"health_check on another port", replaceConfig(
			"${env:HEALTH_CHECK_ENDPOINT:-0.0.0.0:13133}", "0.0.0.0:13134"), "health_check listens on 13134"},
		{"receiver on another port, from the pod's env", func(t *testing.T, m *Manifests) {
			env(t, m, "AUTH0_RECEIVER_ENDPOINT").Value = "0.0.0.0:8080"
		}, "auth0logstream listens on 8080"},
		{"token in the config", replaceConfig("${env:AUTH0_LOG_STREAM_TOKEN}", "hunter2"), "authorization_token"},
		{"next token in the config", replaceConfig("${env:AUTH0_LOG_STREAM_TOKEN_NEXT:-}", "hunter3"), "authorization_tokens[0]"},
		{"next token as a default", replaceConfig("${env:AUTH0_LOG_STREAM_TOKEN_NEXT:-}", "${env:AUTH0_LOG_STREAM_TOKEN_NEXT:-hunter3}"), "authorization_tokens[0]"},
		{"next token key required", func(t *testing.T, m *Manifests) {
			env(t, m, "AUTH0_LOG_STREAM_TOKEN_NEXT").ValueFrom.SecretKeyRef.Optional = nil
		}, `Secret "otelcol-auth0-token" with key "next-token" not found`},
		{"queue not on disk", replaceConfig("storage: file_storage", "storage: null"), "sending_queue.storage"},
		{"duplicate key in the config", replaceConfig("receivers:\n", "receivers:\n  otlp: {}\nreceivers:\n"), "collector config"},
		{"GOMEMLIMIT in Kubernetes units", func(t *testing.T, m *Manifests) {
			env(t, m, "GOMEMLIMIT").Value = "410Mi"
		}, "GOMEMLIMIT"},
		{"GOMEMLIMIT below the limiter", func(t *testing.T, m *Manifests) {
			env(t, m, "GOMEMLIMIT").Value = "300MiB"
		}, "GOMEMLIMIT 300MiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := loadKube(t)
			tc.break_(t, m)
			problems := m.CheckAll()
			for _, err := range problems {
				if strings.Contains(err.Error(), tc.want) {
					return
				}
			}
			t.Errorf("no problem mentions %q; got %v", tc.want, problems)
		})
	}
}
