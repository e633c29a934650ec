// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package testproc

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ScrapeCounter reads a collector's own Prometheus endpoint and sums the samples of one
// counter, as ParseCounter does.
func ScrapeCounter(ctx context.Context, metricsURL, name, label string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metricsURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", metricsURL, resp.Status)
	}
	return ParseCounter(resp.Body, name, label)
}

// maxMetricsLine bounds one line of the exposition; the collector's are a few hundred bytes.
const maxMetricsLine = 1 << 20

// ParseCounter sums the samples of the metric name in Prometheus text format, grouped by the
// value of label (samples without it, or every sample when label is "", go under ""). The
// name matches with or without the _total suffix, which the exporter adds to counters
// depending on its version and settings. A metric whose name merely starts with name does
// not match. No sample at all gives an empty map, so callers can tell "absent" from 0.
func ParseCounter(r io.Reader, name, label string) (map[string]float64, error) {
	out := map[string]float64{}
	err := eachSample(r, func(metric string) bool { return counterName(metric, name) },
		func(_ string, labels map[string]string, v float64) { out[labels[label]] += v })
	return out, err
}

// ParseSums sums the samples of each of names over all their label sets, matching names as
// ParseCounter does. Metrics with no sample are absent from the result.
func ParseSums(r io.Reader, names ...string) (map[string]float64, error) {
	out := map[string]float64{}
	nameOf := func(metric string) (string, bool) {
		i := slices.IndexFunc(names, func(name string) bool { return counterName(metric, name) })
		if i < 0 {
			return "", false
		}
		return names[i], true
	}
	err := eachSample(r, func(metric string) bool { _, ok := nameOf(metric); return ok },
		func(metric string, _ map[string]string, v float64) {
			name, _ := nameOf(metric)
			out[name] += v
		})
	return out, err
}

// counterName reports whether metric is name, with or without the _total suffix.
func counterName(metric, name string) bool {
	return metric == name || metric == name+"_total"
}

// eachSample calls fn with every sample of a Prometheus text exposition whose metric name
// wanted accepts: its name, its labels (nil when it has none) and its value. Lines of other
// metrics are skipped unread, so their syntax does not matter.
func eachSample(r io.Reader, wanted func(metric string) bool, fn func(metric string, labels map[string]string, v float64)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxMetricsLine)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		metric, rest := splitName(line)
		if !wanted(metric) {
			continue
		}
		var labels map[string]string
		if strings.HasPrefix(rest, "{") {
			var err error
			if labels, rest, err = splitLabels(rest); err != nil {
				return fmt.Errorf("metrics line %q: %w", line, err)
			}
		}
		// The value comes first; an optional timestamp may follow it.
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return fmt.Errorf("metrics line %q: no value", line)
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return fmt.Errorf("metrics line %q: %w", line, err)
		}
		fn(metric, labels, v)
	}
	return sc.Err()
}

// splitName cuts a sample line after the metric name.
func splitName(line string) (name, rest string) {
	end := strings.IndexAny(line, "{ \t")
	if end < 0 {
		return line, ""
	}
	return line[:end], line[end:]
}

// splitLabels reads `{k="v",...}` at the start of s, with the escapes the format allows in
// label values (\\, \" and \n), and returns the labels and what follows the closing brace.
func splitLabels(s string) (map[string]string, string, error) {
	labels := map[string]string{}
	i := 1 // past '{'
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == ',') {
			i++
		}
		if i < len(s) && s[i] == '}' {
			return labels, s[i+1:], nil
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 || i+eq+1 >= len(s) || s[i+eq+1] != '"' {
			return nil, "", fmt.Errorf("label at %d: want name=\"value\"", i)
		}
		key := strings.TrimSpace(s[i : i+eq])
		i += eq + 2
		var v strings.Builder
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
				if s[i] == 'n' {
					v.WriteByte('\n')
					continue
				}
			}
			v.WriteByte(s[i])
		}
		if i >= len(s) {
			return nil, "", fmt.Errorf("label %s: unterminated value", key)
		}
		labels[key] = v.String()
		i++ // past the closing quote
	}
}
