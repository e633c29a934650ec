package validate

import (
	"fmt"
	"path"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// The values every deployment artefact must agree on.
const (
	ReceiverPort     int32 = 8383
	ReceiverPortName       = "http-auth0"
	ReceiverPath           = "/api/logs"
	HealthPort       int32 = 13133
	HealthPath             = "/"
	Replicas         int32 = 3
	TokenEnv               = "AUTH0_LOG_STREAM_TOKEN"
	QueueEnv               = "AUTH0_QUEUE_DIR"
	// ImageConfigPath is where the image's CMD looks for the config.
	ImageConfigPath = "/etc/otelcol-auth0/config.yaml"
	// BinaryPath is the image's ENTRYPOINT; the Helm chart runs /<command.name>.
	BinaryPath = "/otelcol-auth0"
)

const mib = 1 << 20

// Problems collects check failures with a common prefix.
type Problems []error

func (p *Problems) add(format string, args ...any) { *p = append(*p, fmt.Errorf(format, args...)) }

// StatefulSet returns the single StatefulSet.
func (m *Manifests) StatefulSet() (*appsv1.StatefulSet, error) {
	return exactlyOne(m.StatefulSets, "StatefulSet")
}

// exactlyOne returns the only item of a kind the manifests must hold once.
func exactlyOne[T any](items []*T, kind string) (*T, error) {
	if len(items) != 1 {
		return nil, fmt.Errorf("want exactly one %s, found %d", kind, len(items))
	}
	return items[0], nil
}

// Collector returns the StatefulSet's collector container (the first one).
func Collector(sts *appsv1.StatefulSet) (*corev1.Container, error) {
	if len(sts.Spec.Template.Spec.Containers) == 0 {
		return nil, fmt.Errorf("StatefulSet %s has no container", sts.Name)
	}
	return &sts.Spec.Template.Spec.Containers[0], nil
}

// ResolvePort turns a named or numbered port into the container's number.
func ResolvePort(c *corev1.Container, port intstr.IntOrString) (int32, bool) {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) ||
			(port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return p.ContainerPort, true
		}
	}
	return 0, false
}

func envVar(c *corev1.Container, name string) *corev1.EnvVar {
	for i := range c.Env {
		if c.Env[i].Name == name {
			return &c.Env[i]
		}
	}
	return nil
}

func (m *Manifests) secretHasKey(name, key string) bool {
	for _, s := range m.Secrets {
		if s.Name == name {
			_, inData := s.Data[key]
			_, inString := s.StringData[key]
			return inData || inString
		}
	}
	return false
}

func (m *Manifests) configMap(name string) *corev1.ConfigMap {
	for _, cm := range m.ConfigMaps {
		if cm.Name == name {
			return cm
		}
	}
	return nil
}

func (m *Manifests) service(name string) *corev1.Service {
	for _, s := range m.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// CheckAll runs every check against a full manifest set.
func (m *Manifests) CheckAll() Problems {
	var all Problems
	for _, check := range []func() Problems{
		m.CheckNames, m.CheckStatefulSet, m.CheckCollectorConfig, m.CheckServices,
		m.CheckIngress, m.CheckHPA, m.CheckPDB,
	} {
		all = append(all, check()...)
	}
	return all
}

// CheckNames checks names, labels and port names against the API server's
// syntax rules, which strict decoding alone does not enforce.
func (m *Manifests) CheckNames() Problems {
	var p Problems
	for key := range m.Files {
		name := key[strings.Index(key, "/")+1:]
		for _, msg := range validation.IsDNS1123Subdomain(name) {
			p.add("%s: name: %s", key, msg)
		}
	}
	metas := []*metav1.ObjectMeta{}
	for _, s := range m.StatefulSets {
		metas = append(metas, &s.ObjectMeta, &s.Spec.Template.ObjectMeta)
		for _, c := range s.Spec.Template.Spec.Containers {
			for _, port := range c.Ports {
				for _, msg := range validation.IsValidPortName(port.Name) {
					p.add("container port %q: %s", port.Name, msg)
				}
			}
			for _, e := range c.Env {
				for _, msg := range validation.IsEnvVarName(e.Name) {
					p.add("env %q: %s", e.Name, msg)
				}
			}
		}
	}
	for _, s := range m.Services {
		metas = append(metas, &s.ObjectMeta)
	}
	for _, meta := range metas {
		for k, v := range meta.Labels {
			for _, msg := range validation.IsQualifiedName(k) {
				p.add("%s: label key %q: %s", meta.Name, k, msg)
			}
			for _, msg := range validation.IsValidLabelValue(v) {
				p.add("%s: label %q value %q: %s", meta.Name, k, v, msg)
			}
		}
	}
	return p
}

// CheckStatefulSet checks the workload: replicas, selector, ports, probes,
// resources, security context, Secret/ConfigMap references and volumes.
func (m *Manifests) CheckStatefulSet() Problems {
	var p Problems
	sts, err := m.StatefulSet()
	if err != nil {
		return Problems{err}
	}
	if sts.Spec.Replicas == nil || *sts.Spec.Replicas != Replicas {
		p.add("StatefulSet replicas: want %d", Replicas)
	}
	if err := selects(sts.Spec.Selector, sts.Spec.Template.Labels); err != nil {
		p.add("StatefulSet selector: %v", err)
	}
	if svc := m.service(sts.Spec.ServiceName); svc == nil || svc.Spec.ClusterIP != corev1.ClusterIPNone {
		p.add("StatefulSet serviceName %q: want a headless Service (clusterIP: None)", sts.Spec.ServiceName)
	}
	c, err := Collector(sts)
	if err != nil {
		return append(p, err)
	}
	if c.Image == "" {
		p.add("container %s: no image", c.Name)
	}
	if got, ok := ResolvePort(c, intstr.FromString(ReceiverPortName)); !ok || got != ReceiverPort {
		p.add("container port %s: want %d", ReceiverPortName, ReceiverPort)
	}
	if _, ok := ResolvePort(c, intstr.FromInt32(HealthPort)); !ok {
		p.add("container port %d (health_check): missing", HealthPort)
	}
	p = append(p, checkProbe("readinessProbe", c, c.ReadinessProbe)...)
	p = append(p, checkProbe("livenessProbe", c, c.LivenessProbe)...)
	p = append(p, checkResources(c)...)
	p = append(p, checkSecurity(&sts.Spec.Template.Spec, c)...)
	p = append(p, m.checkEnvRefs(c)...)
	p = append(p, checkQueueVolume(sts, c)...)
	p = append(p, m.checkVolumes(sts, c)...)
	return p
}

func selects(sel *metav1.LabelSelector, podLabels map[string]string) error {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return fmt.Errorf("empty selector would match every pod")
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return err
	}
	if !s.Matches(labels.Set(podLabels)) {
		return fmt.Errorf("%s does not match pod labels %v", s, podLabels)
	}
	return nil
}

func checkProbe(name string, c *corev1.Container, pr *corev1.Probe) Problems {
	var p Problems
	if pr == nil || pr.HTTPGet == nil {
		p.add("%s: want an HTTP GET on the health_check extension", name)
		return p
	}
	if pr.HTTPGet.Path != HealthPath {
		p.add("%s path %q: want %q", name, pr.HTTPGet.Path, HealthPath)
	}
	if port, ok := ResolvePort(c, pr.HTTPGet.Port); !ok || port != HealthPort {
		p.add("%s port %s: want container port %d", name, pr.HTTPGet.Port.String(), HealthPort)
	}
	return p
}

func checkResources(c *corev1.Container) Problems {
	var p Problems
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := c.Resources.Requests[name]
		lim, hasLim := c.Resources.Limits[name]
		if !hasReq || !hasLim {
			p.add("resources %s: want both a request and a limit", name)
			continue
		}
		if req.Cmp(lim) > 0 {
			p.add("resources %s: request %s above limit %s", name, req.String(), lim.String())
		}
	}
	return p
}

func checkSecurity(pod *corev1.PodSpec, c *corev1.Container) Problems {
	var p Problems
	sc := c.SecurityContext
	if sc == nil {
		return Problems{fmt.Errorf("container %s: no securityContext", c.Name)}
	}
	nonRoot := sc.RunAsNonRoot
	if nonRoot == nil && pod.SecurityContext != nil {
		nonRoot = pod.SecurityContext.RunAsNonRoot
	}
	if nonRoot == nil || !*nonRoot {
		p.add("securityContext: want runAsNonRoot: true")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		p.add("securityContext: want readOnlyRootFilesystem: true")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		p.add("securityContext: want allowPrivilegeEscalation: false")
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		p.add("securityContext: want capabilities.drop: [ALL]")
	}
	return p
}

func (m *Manifests) checkEnvRefs(c *corev1.Container) Problems {
	var p Problems
	token := envVar(c, TokenEnv)
	if token == nil || token.Value != "" || token.ValueFrom == nil || token.ValueFrom.SecretKeyRef == nil {
		p.add("env %s: want valueFrom.secretKeyRef, never a literal", TokenEnv)
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			continue
		}
		// An optional key (the next token of a rotation) is absent most of the time.
		if ref := e.ValueFrom.SecretKeyRef; ref != nil && !m.secretHasKey(ref.Name, ref.Key) && (ref.Optional == nil || !*ref.Optional) {
			p.add("env %s: Secret %q with key %q not found", e.Name, ref.Name, ref.Key)
		}
		if ref := e.ValueFrom.ConfigMapKeyRef; ref != nil {
			if cm := m.configMap(ref.Name); cm == nil || !hasKey(cm.Data, ref.Key) {
				p.add("env %s: ConfigMap %q with key %q not found", e.Name, ref.Name, ref.Key)
			}
		}
	}
	return p
}

func hasKey(m map[string]string, key string) bool {
	_, ok := m[key]
	return ok
}

func mountPath(c *corev1.Container, volume string) (string, bool) {
	for _, vm := range c.VolumeMounts {
		if vm.Name == volume {
			return vm.MountPath, true
		}
	}
	return "", false
}

// checkQueueVolume checks that the queue directory is on a per-replica
// persistent volume; on anything else a restart loses the acknowledged
// backlog.
func checkQueueVolume(sts *appsv1.StatefulSet, c *corev1.Container) Problems {
	var p Problems
	queue := envVar(c, QueueEnv)
	if queue == nil || queue.Value == "" {
		return Problems{fmt.Errorf("env %s: want a literal path on the queue volume", QueueEnv)}
	}
	onClaim := false
	for _, vct := range sts.Spec.VolumeClaimTemplates {
		if mp, ok := mountPath(c, vct.Name); ok && mp == queue.Value {
			onClaim = true
		}
		if _, ok := vct.Spec.Resources.Requests[corev1.ResourceStorage]; !ok {
			p.add("volumeClaimTemplate %s: no storage request", vct.Name)
		}
	}
	if !onClaim {
		p.add("%s=%s is not the mountPath of a volumeClaimTemplate", QueueEnv, queue.Value)
	}
	return p
}

func (m *Manifests) checkVolumes(sts *appsv1.StatefulSet, c *corev1.Container) Problems {
	var p Problems
	known := map[string]bool{}
	for _, vct := range sts.Spec.VolumeClaimTemplates {
		known[vct.Name] = true
	}
	for _, v := range sts.Spec.Template.Spec.Volumes {
		if known[v.Name] {
			p.add("volume %s: defined both as a volume and a volumeClaimTemplate", v.Name)
		}
		known[v.Name] = true
		if v.ConfigMap == nil {
			continue
		}
		cm := m.configMap(v.ConfigMap.Name)
		if cm == nil {
			p.add("volume %s: ConfigMap %q not found", v.Name, v.ConfigMap.Name)
			continue
		}
		for _, item := range v.ConfigMap.Items {
			if _, ok := cm.Data[item.Key]; !ok {
				p.add("volume %s: ConfigMap %q has no key %q", v.Name, cm.Name, item.Key)
			}
		}
	}
	for _, vm := range c.VolumeMounts {
		if !known[vm.Name] {
			p.add("volumeMount %s: no such volume or volumeClaimTemplate", vm.Name)
		}
	}
	return p
}

// MountedConfig returns the collector config the container reads at
// ImageConfigPath, from the ConfigMap mounted there.
func (m *Manifests) MountedConfig(sts *appsv1.StatefulSet, c *corev1.Container) (string, error) {
	for _, v := range sts.Spec.Template.Spec.Volumes {
		if v.ConfigMap == nil {
			continue
		}
		mp, ok := mountPath(c, v.Name)
		if !ok {
			continue
		}
		cm := m.configMap(v.ConfigMap.Name)
		if cm == nil {
			continue
		}
		for _, item := range v.ConfigMap.Items {
			if path.Join(mp, item.Path) == ImageConfigPath {
				return cm.Data[item.Key], nil
			}
		}
	}
	return "", fmt.Errorf("no ConfigMap item is mounted at %s", ImageConfigPath)
}

// PodEnv returns the container's environment as the collector sees it:
// literal values as they are, and references as a placeholder, since only
// their presence matters for ${env:...} expansion.
func PodEnv(c *corev1.Container) map[string]string {
	env := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			env[e.Name] = "<from " + e.Name + " reference>"
		} else {
			env[e.Name] = e.Value
		}
	}
	return env
}

// CheckCollectorConfig checks the mounted collector config against the pod:
// ports, paths, the queue directory, the pipeline shape and memory figures.
func (m *Manifests) CheckCollectorConfig() Problems {
	sts, err := m.StatefulSet()
	if err != nil {
		return Problems{err}
	}
	c, err := Collector(sts)
	if err != nil {
		return Problems{err}
	}
	raw, err := m.MountedConfig(sts, c)
	if err != nil {
		return Problems{err}
	}
	cfg, err := ParseCollectorConfig([]byte(raw))
	if err != nil {
		return Problems{fmt.Errorf("collector config: %w", err)}
	}
	queueDir := ""
	if e := envVar(c, QueueEnv); e != nil {
		queueDir = e.Value
	}
	gml := ""
	if e := envVar(c, "GOMEMLIMIT"); e != nil {
		gml = e.Value
	}
	p := CheckCollectorConfigFor(cfg, PodEnv(c), queueDir)
	p = append(p, CheckMemory(cfg, c.Resources.Limits, gml)...)
	return p
}

// CheckCollectorConfigFor checks a collector config as it will be expanded
// with env: used for the StatefulSet and for the Operator resource alike.
func CheckCollectorConfigFor(cfg CollectorConfig, env map[string]string, queueDir string) Problems {
	var p Problems
	expand := func(what, s string) string {
		out, err := ExpandEnv(s, env)
		if err != nil {
			p.add("%s: %v", what, err)
		}
		return out
	}
	port := func(what string, path ...string) int32 {
		endpoint := expand(what, cfg.String(path...))
		n, err := EndpointPort(endpoint)
		if err != nil {
			p.add("%s endpoint %q: %v", what, endpoint, err)
		}
		return n
	}
	if got := port("auth0logstream", "receivers", "auth0logstream", "endpoint"); got != ReceiverPort {
		p.add("auth0logstream listens on %d, want %d", got, ReceiverPort)
	}
	if got := expand("path", cfg.String("receivers", "auth0logstream", "path")); got != "" && got != ReceiverPath {
		p.add("auth0logstream path %q, want %q", got, ReceiverPath)
	}
	if tok := cfg.String("receivers", "auth0logstream", "authorization_token"); tok != "${env:"+TokenEnv+"}" {
		p.add("authorization_token %q: want ${env:%s}, never a literal", tok, TokenEnv)
	}
	// Further tokens (rotation) come from the environment too, with no default but empty.
	tokens, _ := cfg.Get("receivers", "auth0logstream", "authorization_tokens")
	list, _ := tokens.([]any)
	for i, item := range list {
		tok, _ := item.(string)
		if m := envRef.FindStringSubmatch(tok); m == nil || m[0] != tok || m[2] != "" {
			p.add("authorization_tokens[%d] %v: want ${env:NAME} or ${env:NAME:-}, never a literal", i, item)
		}
	}
	if got := port("health_check", "extensions", "health_check", "endpoint"); got != HealthPort {
		p.add("health_check listens on %d, want %d", got, HealthPort)
	}
	if hp := cfg.String("extensions", "health_check", "path"); hp != "" && hp != HealthPath {
		p.add("health_check path %q, want %q (the probes use it)", hp, HealthPath)
	}
	if dir := expand("file_storage", cfg.String("extensions", "file_storage", "directory")); dir != queueDir {
		p.add("file_storage directory %q, want the queue volume %q", dir, queueDir)
	}
	for _, ext := range []string{"health_check", "file_storage"} {
		if !slices.Contains(cfg.Strings("service", "extensions"), ext) {
			p.add("service.extensions: %s not enabled", ext)
		}
	}
	if s := cfg.String("exporters", "otlp_http", "sending_queue", "storage"); s != "file_storage" {
		p.add("otlp_http sending_queue.storage %q: want file_storage", s)
	}
	p = append(p, checkPipeline(cfg)...)
	return p
}

// checkPipeline checks the pipeline fed by auth0logstream: memory_limiter
// first, and no batch processor, which would acknowledge events before they
// reach the persistent queue.
func checkPipeline(cfg CollectorConfig) Problems {
	var p Problems
	pipelines, _ := cfg.Get("service", "pipelines")
	found := false
	for name := range asMap(pipelines) {
		if !slices.Contains(cfg.Strings("service", "pipelines", name, "receivers"), "auth0logstream") {
			continue
		}
		found = true
		procs := cfg.Strings("service", "pipelines", name, "processors")
		if len(procs) == 0 || procs[0] != "memory_limiter" {
			p.add("pipeline %s: memory_limiter must be the first processor", name)
		}
		for _, proc := range procs {
			if proc == "batch" || strings.HasPrefix(proc, "batch/") {
				p.add("pipeline %s: %s processor acknowledges before the persistent queue", name, proc)
			}
		}
	}
	if !found {
		p.add("no pipeline has the auth0logstream receiver")
	}
	// The collector refuses to start on a reference to an undefined component.
	for name := range asMap(pipelines) {
		for _, kind := range []string{"receivers", "processors", "exporters"} {
			for _, id := range cfg.Strings("service", "pipelines", name, kind) {
				if _, ok := cfg.Get(kind, id); !ok {
					p.add("pipeline %s: %s %q is not defined", name, kind, id)
				}
			}
		}
	}
	for _, id := range cfg.Strings("service", "extensions") {
		if _, ok := cfg.Get("extensions", id); !ok {
			p.add("service.extensions: %q is not defined", id)
		}
	}
	return p
}

// DropNulls removes null values recursively, as Helm does when it merges
// values into a chart's defaults.
func DropNulls(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range t {
			if val != nil {
				out[k] = DropNulls(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = DropNulls(val)
		}
		return out
	default:
		return v
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// CheckMemory ties memory_limiter and GOMEMLIMIT ("" if unset) to the
// container's memory limit: the limiter must refuse work well before the
// kernel's OOM kill, and the Go heap target must sit between the two.
func CheckMemory(cfg CollectorConfig, limits corev1.ResourceList, gomemlimit string) Problems {
	var p Problems
	limit, ok := limits[corev1.ResourceMemory]
	if !ok {
		return Problems{fmt.Errorf("no memory limit to match memory_limiter against")}
	}
	limitBytes := limit.Value()
	limitMiB, ok1 := cfg.Number("processors", "memory_limiter", "limit_mib")
	spikeMiB, ok2 := cfg.Number("processors", "memory_limiter", "spike_limit_mib")
	if !ok1 || !ok2 {
		return Problems{fmt.Errorf("memory_limiter: want limit_mib and spike_limit_mib, to match %s", limit.String())}
	}
	hard := int64(limitMiB) * mib
	if hard > limitBytes*85/100 {
		p.add("memory_limiter limit_mib %v is over 85%% of the %s container limit", limitMiB, limit.String())
	}
	if hard < limitBytes/2 {
		p.add("memory_limiter limit_mib %v wastes over half of the %s container limit", limitMiB, limit.String())
	}
	if spikeMiB <= 0 || spikeMiB >= limitMiB {
		p.add("memory_limiter spike_limit_mib %v must be between 0 and limit_mib %v", spikeMiB, limitMiB)
	}
	if gomemlimit != "" {
		gml, err := ParseGoMemLimit(gomemlimit)
		switch {
		case err != nil:
			p.add("%v", err)
		case gml < hard || gml >= limitBytes:
			p.add("GOMEMLIMIT %s: want between limit_mib (%v MiB) and the container limit (%s)",
				gomemlimit, limitMiB, limit.String())
		}
	}
	return p
}

// CheckServices checks that every Service selects the collector pods and
// forwards to ports the container has, and that the ClusterIP Service
// carries both the receiver and the health ports.
func (m *Manifests) CheckServices() Problems {
	var p Problems
	sts, err := m.StatefulSet()
	if err != nil {
		return Problems{err}
	}
	c, err := Collector(sts)
	if err != nil {
		return Problems{err}
	}
	podLabels := sts.Spec.Template.Labels
	clusterIP := 0
	for _, svc := range m.Services {
		if err := selects(&metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, podLabels); err != nil {
			p.add("Service %s: %v", svc.Name, err)
		}
		targets := map[int32]bool{}
		for _, sp := range svc.Spec.Ports {
			target := sp.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(sp.Port)
			}
			n, ok := ResolvePort(c, target)
			if !ok {
				p.add("Service %s port %s: targetPort %s is not a container port", svc.Name, sp.Name, target.String())
			}
			targets[n] = true
		}
		if svc.Spec.ClusterIP == corev1.ClusterIPNone {
			continue
		}
		clusterIP++
		if svc.Spec.Type != "" && svc.Spec.Type != corev1.ServiceTypeClusterIP {
			p.add("Service %s: type %s, want ClusterIP behind the Ingress", svc.Name, svc.Spec.Type)
		}
		if !targets[ReceiverPort] || !targets[HealthPort] {
			p.add("Service %s: want ports targeting %d and %d", svc.Name, ReceiverPort, HealthPort)
		}
	}
	if clusterIP != 1 {
		p.add("want exactly one ClusterIP Service, found %d", clusterIP)
	}
	return p
}

// servicePortTarget resolves an Ingress backend port to the container port
// it finally reaches.
func (m *Manifests) servicePortTarget(svc *corev1.Service, c *corev1.Container, name string, number int32) (int32, bool) {
	for _, sp := range svc.Spec.Ports {
		if (name != "" && sp.Name == name) || (name == "" && sp.Port == number) {
			target := sp.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(sp.Port)
			}
			return ResolvePort(c, target)
		}
	}
	return 0, false
}

// CheckIngress checks TLS (Auth0 requires a publicly trusted certificate)
// and that /api/logs, and nothing else, reaches the receiver port.
func (m *Manifests) CheckIngress() Problems {
	var p Problems
	sts, err := m.StatefulSet()
	if err != nil {
		return Problems{err}
	}
	c, err := Collector(sts)
	if err != nil {
		return Problems{err}
	}
	if len(m.Ingresses) == 0 {
		return Problems{fmt.Errorf("no Ingress")}
	}
	for _, ing := range m.Ingresses {
		tlsHosts := map[string]bool{}
		for _, t := range ing.Spec.TLS {
			if t.SecretName == "" {
				p.add("Ingress %s: TLS entry without secretName", ing.Name)
			}
			for _, h := range t.Hosts {
				tlsHosts[h] = true
			}
		}
		if len(tlsHosts) == 0 {
			p.add("Ingress %s: no TLS hosts", ing.Name)
		}
		routed := false
		for _, rule := range ing.Spec.Rules {
			if rule.Host == "" || !tlsHosts[rule.Host] {
				p.add("Ingress %s: host %q is not covered by TLS", ing.Name, rule.Host)
			}
			if rule.HTTP == nil {
				continue
			}
			for _, path := range rule.HTTP.Paths {
				be := path.Backend.Service
				if be == nil {
					p.add("Ingress %s path %s: no Service backend", ing.Name, path.Path)
					continue
				}
				svc := m.service(be.Name)
				if svc == nil {
					p.add("Ingress %s path %s: Service %q not found", ing.Name, path.Path, be.Name)
					continue
				}
				target, ok := m.servicePortTarget(svc, c, be.Port.Name, be.Port.Number)
				if !ok {
					p.add("Ingress %s path %s: Service %s has no such port", ing.Name, path.Path, svc.Name)
					continue
				}
				if target != ReceiverPort {
					p.add("Ingress %s path %s: exposes container port %d, only %d belongs outside", ing.Name, path.Path, target, ReceiverPort)
				}
				if path.Path == ReceiverPath && path.PathType != nil && *path.PathType != "ImplementationSpecific" {
					routed = true
				}
			}
		}
		if !routed {
			p.add("Ingress %s: no Exact or Prefix path %s to the receiver", ing.Name, ReceiverPath)
		}
	}
	return p
}

// CheckHPA checks that the autoscaler drives the StatefulSet, on CPU, from
// the same floor as the StatefulSet's replica count.
func (m *Manifests) CheckHPA() Problems {
	var p Problems
	sts, err := m.StatefulSet()
	if err != nil {
		return Problems{err}
	}
	hpa, err := exactlyOne(m.HPAs, "HorizontalPodAutoscaler")
	if err != nil {
		return Problems{err}
	}
	ref := hpa.Spec.ScaleTargetRef
	if ref.APIVersion != "apps/v1" || ref.Kind != "StatefulSet" || ref.Name != sts.Name {
		p.add("HPA %s targets %s %s/%s, want apps/v1 StatefulSet/%s", hpa.Name, ref.APIVersion, ref.Kind, ref.Name, sts.Name)
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas != Replicas {
		p.add("HPA %s minReplicas: want %d, the StatefulSet's count", hpa.Name, Replicas)
	}
	if hpa.Spec.MaxReplicas <= Replicas {
		p.add("HPA %s maxReplicas %d leaves no room to scale", hpa.Name, hpa.Spec.MaxReplicas)
	}
	cpu := false
	for _, metric := range hpa.Spec.Metrics {
		if metric.Resource != nil && metric.Resource.Name == corev1.ResourceCPU {
			cpu = true
		}
	}
	if !cpu {
		p.add("HPA %s: want a CPU resource metric", hpa.Name)
	}
	if c, err := Collector(sts); err == nil {
		if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
			p.add("HPA %s: CPU utilization needs a CPU request on the container", hpa.Name)
		}
	}
	return p
}

// CheckPDB checks that the budget selects the collector pods and lets a
// drain proceed one pod at a time while the others keep serving.
func (m *Manifests) CheckPDB() Problems {
	var p Problems
	sts, err := m.StatefulSet()
	if err != nil {
		return Problems{err}
	}
	pdb, err := exactlyOne(m.PDBs, "PodDisruptionBudget")
	if err != nil {
		return Problems{err}
	}
	if err := selects(pdb.Spec.Selector, sts.Spec.Template.Labels); err != nil {
		p.add("PDB %s: %v", pdb.Name, err)
	}
	var allowed int
	switch {
	case pdb.Spec.MaxUnavailable != nil && pdb.Spec.MinAvailable == nil:
		n, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MaxUnavailable, int(Replicas), false)
		if err != nil {
			return append(p, err)
		}
		allowed = n
	case pdb.Spec.MinAvailable != nil && pdb.Spec.MaxUnavailable == nil:
		n, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, int(Replicas), true)
		if err != nil {
			return append(p, err)
		}
		allowed = int(Replicas) - n
	default:
		p.add("PDB %s: set exactly one of minAvailable and maxUnavailable", pdb.Name)
		return p
	}
	if allowed < 1 || allowed > int(Replicas)-2 {
		p.add("PDB %s allows %d of %d pods down at once, want 1", pdb.Name, allowed, Replicas)
	}
	return p
}
