// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package validate

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"path"
	"regexp"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

const (
	// TokenEnv carries the Auth0 stream's token into ${env:...} in the config.
	TokenEnv = "AUTH0_LOG_STREAM_TOKEN" //nolint:gosec // G101: the name of the variable, not a token
	// ImageConfigPath is where the image's CMD reads the collector config.
	ImageConfigPath = "/etc/otelcol-auth0/config.yaml"
)

// Deployment is what the invariants need from one way of running the collector.
type Deployment struct {
	Name string
	// Config is the collector config the pods run, as a YAML/JSON tree.
	Config map[string]any
	// Env is the container's environment (for Helm, with the variables the
	// chart's pod template adds).
	Env   []corev1.EnvVar
	Ports []corev1.ContainerPort
	// Probes by field name (livenessProbe, readinessProbe).
	Probes    map[string]*corev1.Probe
	Resources corev1.ResourceRequirements
	Claims    []corev1.PersistentVolumeClaim
	Mounts    []corev1.VolumeMount
	// GoMemLimit is the GOMEMLIMIT value the container gets ("" for none).
	GoMemLimit string
	// Operator is set when the OpenTelemetry Operator runs the pods: it derives
	// the probes itself and parses service.telemetry.
	Operator bool
	// Puller is set for the pull-only collector: no push token, the
	// Management API credentials instead (puller.go).
	Puller bool
}

type problems []error

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Errorf(format, args...)) }

// Problems checks the invariants that matter for this distribution; secret is
// the Secret of deploy/kubernetes, which every method must read.
func (d Deployment) Problems(secret *corev1.Secret) []error {
	var p problems
	env := PlaceholderEnv(d.Env)
	d.checkProbes(&p, env)
	if d.Puller {
		d.checkPullOnly(&p, env)
		d.checkPullCredentials(&p, secret)
		d.checkPullStorage(&p)
	} else {
		d.checkToken(&p, secret)
	}
	d.checkQueue(&p, env)
	d.checkMemory(&p)
	if d.Operator {
		checkLiteralMetricsPorts(&p, d.Config)
	}
	for i, err := range p {
		p[i] = fmt.Errorf("%s: %w", d.Name, err)
	}
	return p
}

// checkProbes: both probes must reach the health_check extension; anywhere
// else the pods never become ready, or are restarted while healthy.
func (d Deployment) checkProbes(p *problems, env map[string]string) {
	if d.Operator {
		return // The Operator derives both from the health_check extension.
	}
	endpoint, err := ExpandEnv(str(d.Config, "extensions", "health_check", "endpoint"), env)
	if err != nil {
		p.add("health_check endpoint: %v", err)
		return
	}
	want, err := endpointPort(endpoint)
	if err != nil {
		p.add("health_check endpoint %q: %v", endpoint, err)
		return
	}
	wantPath := str(d.Config, "extensions", "health_check", "path")
	if wantPath == "" {
		wantPath = "/"
	}
	for _, name := range []string{"livenessProbe", "readinessProbe"} {
		pr := d.Probes[name]
		if pr == nil || pr.HTTPGet == nil {
			p.add("%s: want an HTTP GET on the health_check port %d", name, want)
			continue
		}
		switch port, ok := resolvePort(pr.HTTPGet.Port, d.Ports); {
		case !ok:
			p.add("%s port %q: no container port of that name", name, pr.HTTPGet.Port.String())
		case port != want:
			p.add("%s port %s: want the health_check port %d", name, pr.HTTPGet.Port.String(), want)
		}
		if pr.HTTPGet.Path != wantPath {
			p.add("%s path %q: health_check answers on %q", name, pr.HTTPGet.Path, wantPath)
		}
	}
}

// checkToken: the token comes from the one Secret of deploy/kubernetes, so
// that one `kubectl create secret` serves every method, and never as a literal.
func (d Deployment) checkToken(p *problems, secret *corev1.Secret) {
	if tok := str(d.Config, "receivers", "auth0logstream", "authorization_token"); tok != "${env:"+TokenEnv+"}" {
		p.add("authorization_token %q: want ${env:%s}", tok, TokenEnv)
	}
	checkSecretEnv(p, d.Env, TokenEnv, secret, false)
}

// checkQueue: the persistent sending queue must sit on a volumeClaimTemplate,
// one volume per replica that outlives the pod; elsewhere a restart loses the
// events already acknowledged to Auth0.
func (d Deployment) checkQueue(p *problems, env map[string]string) {
	queued := 0
	for name, exp := range asMap(d.Config["exporters"]) {
		if sq := asMap(asMap(exp)["sending_queue"]); sq != nil {
			if sq["storage"] != "file_storage" {
				p.add("exporter %s: sending_queue.storage %v, want file_storage", name, sq["storage"])
			}
			queued++
		}
	}
	if queued == 0 {
		p.add("no exporter has a sending_queue on file_storage")
	}
	dir, err := ExpandEnv(str(d.Config, "extensions", "file_storage", "directory"), env)
	if err != nil {
		p.add("file_storage directory: %v", err)
		return
	}
	for _, m := range d.Mounts {
		for _, c := range d.Claims {
			if m.Name == c.Name && path.Clean(m.MountPath) == path.Clean(dir) {
				return
			}
		}
	}
	p.add("file_storage directory %q is not the mountPath of a volumeClaimTemplate", dir)
}

// checkMemory ties memory_limiter and GOMEMLIMIT to the container's memory
// limit: limit_mib - spike_limit_mib < limit_mib < GOMEMLIMIT < limit, with
// GOMEMLIMIT at the chart's figure, so that the receiver answers 503 (Auth0
// retries) well before the kernel's OOM kill.
func (d Deployment) checkMemory(p *problems) {
	limit, ok := d.Resources.Limits[corev1.ResourceMemory]
	if !ok {
		p.add("no memory limit to match memory_limiter against")
		return
	}
	limitMiB, ok1 := number(d.Config, "processors", "memory_limiter", "limit_mib")
	spikeMiB, ok2 := number(d.Config, "processors", "memory_limiter", "spike_limit_mib")
	if !ok1 || !ok2 {
		p.add("memory_limiter: want limit_mib and spike_limit_mib, to match the %s limit", limit.String())
		return
	}
	if spikeMiB <= 0 || spikeMiB >= limitMiB {
		p.add("memory_limiter spike_limit_mib %v: want between 0 and limit_mib %v", spikeMiB, limitMiB)
	}
	want := ChartGoMemLimit(limit)
	if got, err := ParseGoMemLimit(d.GoMemLimit); err != nil || got != want {
		p.add("GOMEMLIMIT %q: want %dMiB, 80%% of the %s limit floored to MiB, as the chart computes", d.GoMemLimit, want>>20, limit.String())
	}
	if int64(limitMiB)<<20 >= want {
		p.add("memory_limiter limit_mib %v: want below GOMEMLIMIT (%dMiB)", limitMiB, want>>20)
	}
}

// checkLiteralMetricsPorts: the Operator reads service.telemetry into typed
// fields; a port it cannot read as an integer (such as "${env:PORT:-8888}")
// makes it replace the whole telemetry block with its defaults, silently.
func checkLiteralMetricsPorts(p *problems, cfg map[string]any) {
	metrics := asMap(get(cfg, "service", "telemetry", "metrics"))
	if addr, ok := metrics["address"]; ok {
		s, _ := addr.(string)
		if _, err := endpointPort(s); err != nil {
			p.add("service.telemetry.metrics.address %v: want host:port with a literal port", addr)
		}
	}
	readers, _ := metrics["readers"].([]any)
	for i, r := range readers {
		prom := asMap(get(asMap(r), "pull", "exporter", "prometheus"))
		if prom == nil {
			continue
		}
		if port, ok := prom["port"]; ok && !isInteger(port) {
			p.add("service.telemetry.metrics.readers[%d] prometheus port %v: want a literal integer; the Operator replaces the whole service.telemetry block otherwise", i, port)
		}
	}
}

// ChartGoMemLimit is the chart's GOMEMLIMIT for a memory limit
// (opentelemetry-collector.gomemlimit): 80%, floored to whole MiB.
func ChartGoMemLimit(limit resource.Quantity) int64 {
	return int64(math.Floor(float64(limit.Value())*0.8/(1<<20))) << 20
}

var goMemLimit = regexp.MustCompile(`^([0-9]+)(B|KiB|MiB|GiB|TiB)?$`)

// ParseGoMemLimit parses GOMEMLIMIT as Go does (bytes, or a binary-unit
// suffix; "410Mi", the Kubernetes spelling, is not accepted by Go).
func ParseGoMemLimit(s string) (int64, error) {
	m := goMemLimit.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("GOMEMLIMIT %q: want digits with an optional B, KiB, MiB, GiB or TiB suffix", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	shift := map[string]uint{"": 0, "B": 0, "KiB": 10, "MiB": 20, "GiB": 30, "TiB": 40}[m[2]]
	return n << shift, err
}

var envRef = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// ExpandEnv resolves ${env:NAME} and ${env:NAME:-default} as the collector
// does. A reference with neither a value nor a default is an error: the
// collector would read an empty string.
func ExpandEnv(s string, env map[string]string) (string, error) {
	var err error
	out := envRef.ReplaceAllStringFunc(s, func(ref string) string {
		m := envRef.FindStringSubmatch(ref)
		if v, ok := env[m[1]]; ok {
			return v
		}
		if m[2] == "" {
			err = fmt.Errorf("%s is not set and has no default", m[1])
		}
		return m[3]
	})
	return out, err
}

// PlaceholderEnv returns the environment as the collector sees it for
// expansion: literal values as they are, references as a placeholder.
func PlaceholderEnv(env []corev1.EnvVar) map[string]string {
	out := map[string]string{}
	for _, e := range env {
		out[e.Name] = e.Value
		if e.ValueFrom != nil {
			out[e.Name] = "placeholder"
		}
	}
	return out
}

// ParseConfig parses collector YAML, rejecting duplicate keys (the collector
// would silently keep the last).
func ParseConfig(data []byte) (map[string]any, error) {
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, err
	}
	var cfg map[string]any
	if err := json.Unmarshal(js, &cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

func endpointPort(endpoint string) (int32, error) {
	_, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(port, 10, 16)
	return int32(n), err
}

func resolvePort(port intstr.IntOrString, ports []corev1.ContainerPort) (int32, bool) {
	if port.Type == intstr.Int {
		return port.IntVal, true
	}
	for _, p := range ports {
		if p.Name == port.StrVal {
			return p.ContainerPort, true
		}
	}
	return 0, false
}

func findEnv(env []corev1.EnvVar, name string) *corev1.EnvVar {
	for i := range env {
		if env[i].Name == name {
			return &env[i]
		}
	}
	return nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func get(cfg map[string]any, keys ...string) any {
	var cur any = cfg
	for _, k := range keys {
		cur = asMap(cur)[k]
	}
	return cur
}

func str(cfg map[string]any, keys ...string) string {
	s, _ := get(cfg, keys...).(string)
	return s
}

func number(cfg map[string]any, keys ...string) (float64, bool) {
	switch n := get(cfg, keys...).(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func isInteger(v any) bool {
	switch n := v.(type) {
	case int, int64:
		return true
	case float64:
		return n == math.Trunc(n)
	}
	return false
}
