// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/catalog"
)

// The Auth0 Content Formats the samples must cover between them.
const (
	jsonLines  = "jsonlines"
	jsonArray  = "jsonarray"
	jsonObject = "jsonobject"
)

// OTLP severity numbers, written here rather than taken from the receiver so that the test
// checks its mapping: failure is ERROR, warning and unknown codes are WARN, the rest INFO.
const (
	severityInfo  = 9
	severityWarn  = 13
	severityError = 17
)

// expectation is what one sample event must look like at the sink, derived from the event
// itself: its type code's outcome comes from the receiver's catalog, the one table of codes,
// the severity from the outcome, and whether it arrives at all from the shipped
// otelcol-config.yaml, whose filter/failures drops everything below SEVERITY_NUMBER_WARN.
type expectation struct {
	LogID, Type    string
	Outcome        string
	EventName      string
	SeverityNumber int32
	Forwarded      bool
	Date           time.Time // data.date, the record's Timestamp
}

func expect(env envelope) (expectation, error) {
	date, err := time.Parse(time.RFC3339Nano, env.Data.Date)
	if err != nil {
		return expectation{}, err
	}
	e := expectation{LogID: env.LogID, Type: env.Data.Type, Outcome: catalog.OutcomeUnknown, Date: date}
	if et, ok := catalog.Lookup(e.Type); ok {
		e.Outcome = et.Outcome
	}
	switch e.Outcome {
	case catalog.OutcomeFailure:
		e.SeverityNumber = severityError
	case catalog.OutcomeWarning, catalog.OutcomeUnknown:
		e.SeverityNumber = severityWarn
	case catalog.OutcomeSuccess, catalog.OutcomeInfo:
		e.SeverityNumber = severityInfo
	default:
		return expectation{}, fmt.Errorf("type %s has outcome %q, which this test has no severity for", e.Type, e.Outcome)
	}
	e.Forwarded = e.SeverityNumber >= severityWarn
	e.EventName = catalog.UnknownEventName
	if catalog.ValidCode(e.Type) {
		e.EventName = catalog.EventNamePrefix + e.Type
	}
	return e, nil
}

// sample is one payload file of testdata/, its Content Format and its events in order.
type sample struct {
	file, format string
	body         []byte
	events       []expectation
}

// loadSamples reads every *.json and *.jsonl file in the top-level testdata/. The format
// comes from the file: .jsonl is JSON Lines, and a .json file is a JSON Array or a JSON
// Object by its first character. Each file is then parsed strictly in that format.
func loadSamples(t *testing.T) []sample {
	t.Helper()
	dir := filepath.Join(testproc.RepoRoot(t), "testdata")
	var files []string
	for _, pattern := range []string{"*.json", "*.jsonl"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	slices.Sort(files)

	var samples []sample
	formats := map[string]bool{}
	outcomes := map[string]bool{}
	ids := map[string]string{}
	for _, path := range files {
		name := filepath.Base(path)
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		smp := sample{file: name, format: formatOf(name, body), body: body}
		for _, env := range parseEnvelopes(t, smp, body) {
			e, err := expect(env)
			if err != nil {
				t.Fatalf("%s: log_id %s: %v", name, env.LogID, err)
			}
			// The receiver drops a log_id it has already accepted: a repeat would vanish.
			if other, dup := ids[e.LogID]; dup {
				t.Fatalf("%s: log_id %s is also in %s; every sample event needs its own", name, e.LogID, other)
			}
			ids[e.LogID] = name
			outcomes[e.Outcome] = true
			smp.events = append(smp.events, e)
		}
		if len(smp.events) == 0 {
			t.Fatalf("%s holds no events", name)
		}
		formats[smp.format] = true
		samples = append(samples, smp)
	}
	// Without each format and each outcome the test would pass while checking less.
	for _, want := range []string{jsonLines, jsonArray, jsonObject} {
		if !formats[want] {
			t.Fatalf("testdata/ has no %s sample", want)
		}
	}
	for _, want := range []string{catalog.OutcomeFailure, catalog.OutcomeWarning, catalog.OutcomeSuccess, catalog.OutcomeInfo, catalog.OutcomeUnknown} {
		if !outcomes[want] {
			t.Fatalf("testdata/ has no event whose outcome is %s", want)
		}
	}
	return samples
}

func formatOf(name string, body []byte) string {
	if strings.HasSuffix(name, ".jsonl") {
		return jsonLines
	}
	switch trimmed := bytes.TrimSpace(body); {
	case len(trimmed) > 0 && trimmed[0] == '[':
		return jsonArray
	case len(trimmed) > 0 && trimmed[0] == '{':
		return jsonObject
	}
	return "neither an array nor an object"
}

type envelope struct {
	LogID string `json:"log_id"`
	Data  struct {
		Date string `json:"date"`
		Type string `json:"type"`
	} `json:"data"`
}

// parseEnvelopes reads a sample in its format, which also checks that the file really is in
// that Auth0 Content Format: one object per line, one array, or exactly one object.
func parseEnvelopes(t *testing.T, s sample, body []byte) []envelope {
	t.Helper()
	var out []envelope
	switch s.format {
	case jsonLines:
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			var e envelope
			if err := json.Unmarshal(line, &e); err != nil {
				t.Fatalf("%s: %v", s.file, err)
			}
			out = append(out, e)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	case jsonArray:
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s: %v", s.file, err)
		}
	case jsonObject:
		var e envelope
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("%s: %v", s.file, err)
		}
		out = append(out, e)
	default:
		t.Fatalf("%s: %s", s.file, s.format)
	}
	for i, e := range out {
		if e.LogID == "" || e.Data.Type == "" {
			t.Fatalf("%s: event %d has no log_id or no data.type", s.file, i)
		}
	}
	return out
}
