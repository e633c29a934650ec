package validate

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// HelmValues is the part of the opentelemetry-collector chart's values that
// deploy/helm/values.yaml sets, with the chart's key names. Decoding strictly
// into it catches a misspelt key, which Helm itself would silently ignore.
type HelmValues struct {
	Mode  string `json:"mode"`
	Image struct {
		Repository string `json:"repository"`
		Tag        string `json:"tag"`
		PullPolicy string `json:"pullPolicy,omitempty"`
		Digest     string `json:"digest,omitempty"`
	} `json:"image"`
	Command struct {
		Name      string   `json:"name"`
		ExtraArgs []string `json:"extraArgs,omitempty"`
	} `json:"command"`
	ReplicaCount       *int32                      `json:"replicaCount,omitempty"`
	Config             map[string]any              `json:"config"`
	Ports              map[string]HelmPort         `json:"ports"`
	ExtraEnvs          []corev1.EnvVar             `json:"extraEnvs"`
	UseGOMEMLIMIT      *bool                       `json:"useGOMEMLIMIT,omitempty"`
	Resources          corev1.ResourceRequirements `json:"resources"`
	PodSecurityContext *corev1.PodSecurityContext  `json:"podSecurityContext,omitempty"`
	SecurityContext    *corev1.SecurityContext     `json:"securityContext,omitempty"`
	LivenessProbe      *corev1.Probe               `json:"livenessProbe,omitempty"`
	ReadinessProbe     *corev1.Probe               `json:"readinessProbe,omitempty"`
	Statefulset        struct {
		VolumeClaimTemplates                 []corev1.PersistentVolumeClaim `json:"volumeClaimTemplates"`
		PodManagementPolicy                  string                         `json:"podManagementPolicy,omitempty"`
		PersistentVolumeClaimRetentionPolicy struct {
			Enabled     bool   `json:"enabled"`
			WhenDeleted string `json:"whenDeleted,omitempty"`
			WhenScaled  string `json:"whenScaled,omitempty"`
		} `json:"persistentVolumeClaimRetentionPolicy"`
	} `json:"statefulset"`
	ExtraVolumeMounts []corev1.VolumeMount `json:"extraVolumeMounts"`
	Autoscaling       struct {
		Enabled                        bool                                           `json:"enabled"`
		MinReplicas                    int32                                          `json:"minReplicas"`
		MaxReplicas                    int32                                          `json:"maxReplicas"`
		TargetCPUUtilizationPercentage int32                                          `json:"targetCPUUtilizationPercentage,omitempty"`
		Behavior                       *autoscalingv2.HorizontalPodAutoscalerBehavior `json:"behavior,omitempty"`
	} `json:"autoscaling"`
	PodDisruptionBudget struct {
		Enabled        bool                `json:"enabled"`
		MinAvailable   *intstr.IntOrString `json:"minAvailable,omitempty"`
		MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
	} `json:"podDisruptionBudget"`
	Ingress struct {
		Enabled          bool              `json:"enabled"`
		IngressClassName string            `json:"ingressClassName,omitempty"`
		Annotations      map[string]string `json:"annotations,omitempty"`
		Hosts            []struct {
			Host  string `json:"host"`
			Paths []struct {
				Path     string `json:"path"`
				PathType string `json:"pathType"`
				Port     int32  `json:"port"`
			} `json:"paths"`
		} `json:"hosts"`
		TLS []networkingv1.IngressTLS `json:"tls"`
	} `json:"ingress"`
}

// HelmPort is one entry of the chart's `ports` map.
type HelmPort struct {
	Enabled       bool   `json:"enabled"`
	ContainerPort int32  `json:"containerPort,omitempty"`
	ServicePort   int32  `json:"servicePort,omitempty"`
	HostPort      int32  `json:"hostPort,omitempty"`
	Protocol      string `json:"protocol,omitempty"`
	AppProtocol   string `json:"appProtocol,omitempty"`
}

// OperatorCollector is the part of the Operator's OpenTelemetryCollector
// (opentelemetry.io/v1beta1) that deploy/operator uses, with the CRD's field
// names; unknown fields are rejected as the API server would.
type OperatorCollector struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       struct {
		Mode       string `json:"mode"`
		Image      string `json:"image"`
		Replicas   *int32 `json:"replicas,omitempty"`
		Autoscaler *struct {
			MinReplicas             *int32                                         `json:"minReplicas,omitempty"`
			MaxReplicas             *int32                                         `json:"maxReplicas,omitempty"`
			Behavior                *autoscalingv2.HorizontalPodAutoscalerBehavior `json:"behavior,omitempty"`
			TargetCPUUtilization    *int32                                         `json:"targetCPUUtilization,omitempty"`
			TargetMemoryUtilization *int32                                         `json:"targetMemoryUtilization,omitempty"`
		} `json:"autoscaler,omitempty"`
		PodDisruptionBudget *struct {
			MinAvailable   *intstr.IntOrString `json:"minAvailable,omitempty"`
			MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
		} `json:"podDisruptionBudget,omitempty"`
		Ports                                []OperatorPort                                          `json:"ports,omitempty"`
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

// OperatorPort is an entry of spec.ports: a Service port plus a host port.
type OperatorPort struct {
	HostPort           int32 `json:"hostPort,omitempty"`
	corev1.ServicePort `json:",inline"`
}
