package validate

import (
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// CollectorConfig is a collector configuration as a generic tree.
type CollectorConfig map[string]any

// ParseCollectorConfig parses collector YAML, rejecting duplicate keys: the
// collector itself would silently keep the last one.
func ParseCollectorConfig(data []byte) (CollectorConfig, error) {
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, err
	}
	var cfg CollectorConfig
	if err := json.Unmarshal(js, &cfg); err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, fmt.Errorf("empty collector config")
	}
	return cfg, nil
}

// NormalizeConfig turns a config tree decoded elsewhere (integers as int64,
// say) into the same shape ParseCollectorConfig produces, so that two trees
// can be compared.
func NormalizeConfig(tree any) (CollectorConfig, error) {
	js, err := json.Marshal(tree)
	if err != nil {
		return nil, err
	}
	return ParseCollectorConfig(js)
}

// Get walks a path of map keys and returns the value found there.
func (c CollectorConfig) Get(path ...string) (any, bool) {
	var cur any = map[string]any(c)
	for _, key := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[key]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// String returns the string at path, or "" if there is none.
func (c CollectorConfig) String(path ...string) string {
	v, _ := c.Get(path...)
	s, _ := v.(string)
	return s
}

// Number returns the number at path.
func (c CollectorConfig) Number(path ...string) (float64, bool) {
	v, ok := c.Get(path...)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// Strings returns the list of strings at path.
func (c CollectorConfig) Strings(path ...string) []string {
	v, _ := c.Get(path...)
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, item := range list {
		if s, ok := item.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

var envRef = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}`)

// ExpandEnv resolves ${env:NAME} and ${env:NAME:-default} the way the
// collector does, from env. A reference with neither a value nor a default
// is an error, since the collector would see an empty string.
func ExpandEnv(s string, env map[string]string) (string, error) {
	var missing []string
	out := envRef.ReplaceAllStringFunc(s, func(ref string) string {
		m := envRef.FindStringSubmatch(ref)
		if v, ok := env[m[1]]; ok {
			return v
		}
		if strings.Contains(ref, ":-") {
			return m[2]
		}
		missing = append(missing, m[1])
		return ""
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("unset variables without default: %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// EndpointPort returns the port of a host:port endpoint.
func EndpointPort(endpoint string) (int32, error) {
	_, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		return 0, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("port of %q: %w", endpoint, err)
	}
	return int32(p), nil
}

var goMemLimit = regexp.MustCompile(`^([0-9]+)(B|KiB|MiB|GiB|TiB)?$`)

// ParseGoMemLimit parses a GOMEMLIMIT value into bytes (Go accepts a plain
// byte count or a binary-unit suffix; "512Mi", the Kubernetes spelling, is
// not accepted by Go and is an error here too).
func ParseGoMemLimit(s string) (int64, error) {
	m := goMemLimit.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("GOMEMLIMIT %q: want digits with an optional B, KiB, MiB, GiB or TiB suffix", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, err
	}
	shift := map[string]uint{"": 0, "B": 0, "KiB": 10, "MiB": 20, "GiB": 30, "TiB": 40}[m[2]]
	return n << shift, nil
}
