// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package validate

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

const (
	// ComponentLabel tells the push pods from the puller's.
	ComponentLabel = "app.kubernetes.io/component"
	// PushComponent is the push StatefulSet's component label.
	PushComponent = "collector"
	// PullerComponent is the puller's component label.
	PullerComponent = "puller"

	// ClientIDEnv and ClientSecretEnv carry the machine-to-machine
	// application's credentials into the puller's management_api section.
	ClientIDEnv     = "AUTH0_CLIENT_ID"
	ClientSecretEnv = "AUTH0_CLIENT_SECRET" //nolint:gosec // G101: the name of the variable, not a secret
)

// Workload is a StatefulSet or a Deployment of deploy/kubernetes, as far as
// the checks need it.
type Workload struct {
	Kind, Name string
	Replicas   *int32
	Selector   *metav1.LabelSelector
	Template   *corev1.PodTemplateSpec
	// Claims are a StatefulSet's volumeClaimTemplates, or for a Deployment
	// its persistentVolumeClaim volumes (named as the volume).
	Claims []corev1.PersistentVolumeClaim
	// Strategy is a Deployment's spec.strategy.type ("" for a StatefulSet).
	Strategy appsv1.DeploymentStrategyType
}

func (m *Manifests) workloads() []Workload {
	var out []Workload
	for _, s := range m.StatefulSets {
		out = append(out, Workload{
			Kind: "StatefulSet", Name: s.Name, Replicas: s.Spec.Replicas, Selector: s.Spec.Selector,
			Template: &s.Spec.Template, Claims: s.Spec.VolumeClaimTemplates,
		})
	}
	for _, d := range m.Deployments {
		w := Workload{
			Kind: "Deployment", Name: d.Name, Replicas: d.Spec.Replicas, Selector: d.Spec.Selector,
			Template: &d.Spec.Template, Strategy: d.Spec.Strategy.Type,
		}
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.PersistentVolumeClaim != nil {
				w.Claims = append(w.Claims, corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: v.Name}})
			}
		}
		out = append(out, w)
	}
	return out
}

func (m *Manifests) byComponent(component string) []Workload {
	var out []Workload
	for _, w := range m.workloads() {
		if w.Template.Labels[ComponentLabel] == component {
			out = append(out, w)
		}
	}
	return out
}

// checkWorkloads: one push StatefulSet and one puller workload, and nothing
// else, so that every workload goes through the checks.
func (m *Manifests) checkWorkloads() error {
	push, puller := m.byComponent(PushComponent), m.byComponent(PullerComponent)
	if len(push) != 1 || push[0].Kind != "StatefulSet" {
		return fmt.Errorf("want one StatefulSet with %s=%s (push), found %d workloads", ComponentLabel, PushComponent, len(push))
	}
	if len(puller) != 1 {
		return fmt.Errorf("want one workload with %s=%s (the puller), found %d", ComponentLabel, PullerComponent, len(puller))
	}
	if n := len(m.workloads()); n != 2 {
		return fmt.Errorf("want the push StatefulSet and the puller, found %d workloads", n)
	}
	return nil
}

// Push is the push StatefulSet.
func (m *Manifests) Push() *appsv1.StatefulSet {
	for _, s := range m.StatefulSets {
		if s.Spec.Template.Labels[ComponentLabel] == PushComponent {
			return s
		}
	}
	return nil
}

// Puller is the puller's workload.
func (m *Manifests) Puller() Workload {
	return m.byComponent(PullerComponent)[0]
}

// KubePullerDeployment is the puller of deploy/kubernetes with its mounted
// collector config.
func KubePullerDeployment(m *Manifests) (Deployment, error) {
	w := m.Puller()
	return kubeDeployment(m, "deploy/kubernetes puller", w.Template.Spec, w.Claims, true)
}

// PullerWorkloadProblems checks what makes the puller exactly one: the
// checkpoint is per collector, so a second puller emits every event again
// and spends the tenant's rate limit twice.
func PullerWorkloadProblems(m *Manifests) []error {
	var p problems
	w := m.Puller()
	if w.Replicas != nil && *w.Replicas != 1 {
		p.add("%s %s replicas %d: want exactly 1, one puller per tenant", w.Kind, w.Name, *w.Replicas)
	}
	// A StatefulSet never surges; a Deployment's RollingUpdate (the default)
	// starts the new pod before the old one stops.
	if w.Kind == "Deployment" && w.Strategy != appsv1.RecreateDeploymentStrategyType {
		strategy := w.Strategy
		if strategy == "" {
			strategy = appsv1.RollingUpdateDeploymentStrategyType + " (the default)"
		}
		p.add("Deployment %s strategy %s: want Recreate, a rollout must not run two pullers at once", w.Name, strategy)
	}
	for _, h := range m.HPAs {
		if ref := h.Spec.ScaleTargetRef; ref.Kind == w.Kind && ref.Name == w.Name {
			p.add("HorizontalPodAutoscaler %s scales the puller %s: it must stay at one replica", h.Name, w.Name)
		}
	}
	pod := labels.Set(w.Template.Labels)
	for _, s := range m.Services {
		if len(s.Spec.Selector) > 0 && labels.SelectorFromSet(s.Spec.Selector).Matches(pod) {
			p.add("Service %s selects the puller's pods: they serve no push, and must get no deliveries", s.Name)
		}
	}
	for _, b := range m.PDBs {
		if sel, err := metav1.LabelSelectorAsSelector(b.Spec.Selector); err == nil && sel.Matches(pod) {
			p.add("PodDisruptionBudget %s selects the puller's pods: it counts them with the push replicas", b.Name)
		}
	}
	if push := m.Push(); push != nil {
		if sel, err := metav1.LabelSelectorAsSelector(push.Spec.Selector); err == nil && sel.Matches(pod) {
			p.add("StatefulSet %s's selector matches the puller's pods", push.Name)
		}
	}
	if sel, err := metav1.LabelSelectorAsSelector(w.Selector); err != nil || !sel.Matches(pod) {
		p.add("%s %s: its selector does not match its own pod template", w.Kind, w.Name)
	}
	for i, err := range p {
		p[i] = fmt.Errorf("deploy/kubernetes puller: %w", err)
	}
	return p
}

// checkPullOnly: the puller pulls, and opens no push server.
func (d Deployment) checkPullOnly(p *problems, env map[string]string) {
	rcv := asMap(get(d.Config, "receivers", "auth0logstream"))
	endpoint, err := ExpandEnv(str(rcv, "endpoint"), env)
	if _, set := rcv["endpoint"]; !set || err != nil || endpoint != "" {
		p.add(`receiver endpoint %q: want "" (pull only); the puller has no Service, and a push server there is a port for nothing`, endpoint)
	}
	api := asMap(rcv["management_api"])
	if api == nil {
		p.add("receiver has no management_api section: the puller does not pull")
		return
	}
	if domain, err := ExpandEnv(str(api, "domain"), env); err != nil || domain == "" {
		p.add("management_api.domain %q: want the tenant's domain (%v)", str(api, "domain"), err)
	}
}

// checkPullCredentials: the machine-to-machine application's id and secret
// come from the Secret of deploy/kubernetes, never as literals.
func (d Deployment) checkPullCredentials(p *problems, secret *corev1.Secret) {
	for _, c := range []struct{ key, env string }{{"client_id", ClientIDEnv}, {"client_secret", ClientSecretEnv}} {
		if v := str(d.Config, "receivers", "auth0logstream", "management_api", c.key); v != "${env:"+c.env+"}" {
			p.add("management_api.%s %q: want ${env:%s}", c.key, v, c.env)
		}
		checkSecretEnv(p, d.Env, c.env, secret, true)
	}
}

// checkPullStorage: the checkpoint and the dedup window sit in the same
// file_storage as the sending queue, the one checkQueue puts on the claim.
func (d Deployment) checkPullStorage(p *problems) {
	for _, at := range [][]string{{"management_api", "storage"}, {"deduplication", "storage"}} {
		keys := append([]string{"receivers", "auth0logstream"}, at...)
		if v := get(d.Config, keys...); v != "file_storage" {
			p.add("%s %v: want file_storage, on the puller's volume (else a restart loses the checkpoint or the dedup window)", at[0]+"."+at[1], v)
		}
	}
}

// checkSecretEnv: env name is a secretKeyRef to a key of secret; required
// refuses optional refs (the pod would start without the value and fail).
func checkSecretEnv(p *problems, env []corev1.EnvVar, name string, secret *corev1.Secret, required bool) {
	e := findEnv(env, name)
	if e == nil || e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
		p.add("env %s: want valueFrom.secretKeyRef, never a literal", name)
		return
	}
	ref := e.ValueFrom.SecretKeyRef
	_, inData := secret.Data[ref.Key]
	_, inString := secret.StringData[ref.Key]
	if ref.Name != secret.Name || !(inData || inString) {
		p.add("env %s: Secret %s key %s, want a key of the Secret %s of deploy/kubernetes", name, ref.Name, ref.Key, secret.Name)
	}
	if required && ref.Optional != nil && *ref.Optional {
		p.add("env %s: optional secretKeyRef; without the key the pod would start and fail on an empty value", name)
	}
}
