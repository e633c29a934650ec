// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	corev1 "k8s.io/api/core/v1"
	kjson "sigs.k8s.io/json"
)

// KubeDeployment is the push StatefulSet of deploy/kubernetes with the
// collector config of the ConfigMap item mounted at ImageConfigPath.
func KubeDeployment(m *Manifests) (Deployment, error) {
	sts := m.Push()
	return kubeDeployment(m, "deploy/kubernetes", sts.Spec.Template.Spec, sts.Spec.VolumeClaimTemplates, false)
}

func kubeDeployment(m *Manifests, name string, pod corev1.PodSpec, claims []corev1.PersistentVolumeClaim, puller bool) (Deployment, error) {
	if len(pod.Containers) == 0 {
		return Deployment{}, fmt.Errorf("%s has no container", name)
	}
	c := pod.Containers[0]
	raw, err := mountedConfig(m, pod, c)
	if err != nil {
		return Deployment{}, fmt.Errorf("%s: %w", name, err)
	}
	cfg, err := ParseConfig([]byte(raw))
	if err != nil {
		return Deployment{}, fmt.Errorf("%s collector config: %w", name, err)
	}
	d := Deployment{
		Name: name, Config: cfg, Env: c.Env, Ports: c.Ports,
		Probes:    map[string]*corev1.Probe{"livenessProbe": c.LivenessProbe, "readinessProbe": c.ReadinessProbe},
		Resources: c.Resources, Claims: claims, Mounts: c.VolumeMounts, Puller: puller,
	}
	if e := findEnv(c.Env, "GOMEMLIMIT"); e != nil {
		d.GoMemLimit = e.Value
	}
	return d, nil
}

func mountedConfig(m *Manifests, pod corev1.PodSpec, c corev1.Container) (string, error) {
	for _, v := range pod.Volumes {
		for _, vm := range c.VolumeMounts {
			if v.ConfigMap == nil || vm.Name != v.Name {
				continue
			}
			for _, item := range v.ConfigMap.Items {
				if path.Join(vm.MountPath, item.Path) != ImageConfigPath {
					continue
				}
				for _, cm := range m.ConfigMaps {
					if cm.Name == v.ConfigMap.Name {
						if raw, ok := cm.Data[item.Key]; ok {
							return raw, nil
						}
					}
				}
			}
		}
	}
	return "", fmt.Errorf("no ConfigMap item is mounted at %s", ImageConfigPath)
}

// OperatorDeployment is the Operator resource as the pods it creates.
func OperatorDeployment(oc *OperatorCollector) Deployment {
	s := oc.Spec
	d := Deployment{
		Name: "deploy/operator", Config: s.Config, Env: s.Env, Resources: s.Resources,
		Claims: s.VolumeClaimTemplates, Mounts: s.VolumeMounts, Operator: true,
	}
	if e := findEnv(s.Env, "GOMEMLIMIT"); e != nil {
		d.GoMemLimit = e.Value
	}
	return d
}

// CoalesceValues merges user values into a chart's defaults as current Helm
// releases do (v3.21, v4.1.3; coalesceTablesFullKey): maps merge key by key,
// anything else from the user wins, and a user null deletes the key only when
// the defaults have that key. A null for a key the defaults lack stays, and the
// chart renders it as `key: null`. (Older releases dropped those nulls too,
// which is why a test that drops every null could not see fault 1 of issue 9.)
// Both arguments are modified.
func CoalesceValues(user, defaults map[string]any) map[string]any {
	for key, def := range defaults {
		uv, ok := user[key]
		switch {
		case !ok:
			user[key] = def
		case uv == nil:
			delete(user, key)
		case asMap(uv) != nil && asMap(def) != nil:
			CoalesceValues(asMap(uv), asMap(def))
		}
	}
	return user
}

// Nulls lists the paths of the null values in a tree.
func Nulls(v any, at string) []string {
	var out []string
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if val == nil {
				out = append(out, at+k)
			}
			out = append(out, Nulls(val, at+k+".")...)
		}
	case []any:
		for i, val := range t {
			out = append(out, Nulls(val, fmt.Sprintf("%s[%d].", strings.TrimSuffix(at, "."), i))...)
		}
	}
	sort.Strings(out)
	return out
}

// CompileSchema compiles a chart's values.schema.json.
func CompileSchema(data []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("values.schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("values.schema.json")
}

// chartEnv is what the chart's pod template sets before extraEnvs (_pod.tpl).
var chartEnv = []corev1.EnvVar{
	fieldRef("MY_POD_IP", "status.podIP"), fieldRef("OTEL_K8S_NODE_NAME", "spec.nodeName"),
	fieldRef("OTEL_K8S_NODE_IP", "status.hostIP"), fieldRef("OTEL_K8S_NAMESPACE", "metadata.namespace"),
	fieldRef("OTEL_K8S_POD_NAME", "metadata.name"), fieldRef("OTEL_K8S_POD_IP", "status.podIP"),
}

func fieldRef(name, path string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: path}}}
}

// HelmDeployment merges user values into the chart's defaults, validates the
// result against the chart's schema, and returns the pods the chart would
// render. Nulls that survive the merge are problems: this project uses null
// only to remove a default, and a surviving one reaches the collector.
func HelmDeployment(user, defaults map[string]any, schema *jsonschema.Schema) (Deployment, []error) {
	var p problems
	vals := CoalesceValues(user, defaults)
	for _, at := range Nulls(vals, "") {
		p.add("%s: null, but the chart's defaults have no such key, so Helm renders it as null instead of removing it", at)
	}
	if err := schema.Validate(jsonTree(vals)); err != nil {
		p.add("values.schema.json: %v", err)
	}
	if vals["mode"] != "statefulset" {
		p.add("mode %v: want statefulset; only it gives each replica its own queue volume", vals["mode"])
	}
	d := Deployment{Name: "deploy/helm", Config: asMap(vals["config"]), Probes: map[string]*corev1.Probe{}}
	var extraEnv []corev1.EnvVar
	for _, f := range []struct {
		key  []string
		into any
	}{
		{[]string{"extraEnvs"}, &extraEnv},
		{[]string{"resources"}, &d.Resources},
		{[]string{"statefulset", "volumeClaimTemplates"}, &d.Claims},
		{[]string{"extraVolumeMounts"}, &d.Mounts},
	} {
		if err := decodeValue(get(vals, f.key...), f.into); err != nil {
			p.add("%s: %v", strings.Join(f.key, "."), err)
		}
	}
	for _, name := range []string{"livenessProbe", "readinessProbe"} {
		var pr corev1.Probe
		if err := decodeValue(vals[name], &pr); err != nil {
			p.add("%s: %v", name, err)
		}
		d.Probes[name] = &pr
	}
	d.Env = append(append([]corev1.EnvVar{}, chartEnv...), extraEnv...)
	if limit, ok := d.Resources.Limits[corev1.ResourceMemory]; ok && vals["useGOMEMLIMIT"] == true {
		d.GoMemLimit = fmt.Sprintf("%dMiB", ChartGoMemLimit(limit)>>20)
	}
	for i, err := range p {
		p[i] = fmt.Errorf("%s: %w", d.Name, err)
	}
	return d, p
}

func decodeValue(v, into any) error {
	js, err := json.Marshal(v)
	if err != nil {
		return err
	}
	strictErrs, err := kjson.UnmarshalStrict(js, into)
	if err == nil && len(strictErrs) > 0 {
		err = strictErrs[0]
	}
	return err
}

// jsonTree converts a tree to the types the schema validator expects.
func jsonTree(v any) any {
	js, _ := json.Marshal(v)
	out, _ := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	return out
}
