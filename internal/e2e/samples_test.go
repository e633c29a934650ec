package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// expectation is one event of a sample file, as testdata/expected.json describes it. Keeping
// the outcome per log_id in data makes the samples and their expected routing reviewable
// side by side, and derived from shared/auth0/event-types.tsv rather than from this code.
type expectation struct {
	LogID          string `json:"log_id"`
	Type           string `json:"type"`
	Outcome        string `json:"outcome"`
	SeverityNumber int32  `json:"severity_number"`
	Forwarded      bool   `json:"forwarded"`
}

type sampleFile struct {
	File   string        `json:"file"`
	Format string        `json:"format"`
	Events []expectation `json:"events"`
}

// sample is a sample file's bytes, with the event date of each log_id read from the payload.
type sample struct {
	sampleFile
	body  []byte
	dates map[string]time.Time
}

func loadSamples(t *testing.T) []sample {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "testdata")
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Files []sampleFile `json:"files"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatalf("testdata/expected.json: %v", err)
	}
	formats := map[string]bool{}
	var samples []sample
	for _, f := range manifest.Files {
		body, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		envelopes := parseEnvelopes(t, f, body)
		dates := map[string]time.Time{}
		for _, env := range envelopes {
			d, err := time.Parse(time.RFC3339Nano, env.Data.Date)
			if err != nil {
				t.Fatalf("%s: log_id %s: date %q: %v", f.File, env.LogID, env.Data.Date, err)
			}
			dates[env.LogID] = d
		}
		if len(envelopes) != len(f.Events) {
			t.Fatalf("%s holds %d events, expected.json lists %d", f.File, len(envelopes), len(f.Events))
		}
		for i, e := range f.Events {
			if envelopes[i].LogID != e.LogID || envelopes[i].Data.Type != e.Type {
				t.Fatalf("%s event %d is %s/%s, expected.json says %s/%s",
					f.File, i, envelopes[i].LogID, envelopes[i].Data.Type, e.LogID, e.Type)
			}
		}
		formats[f.Format] = true
		samples = append(samples, sample{sampleFile: f, body: body, dates: dates})
	}
	for _, want := range []string{"jsonlines", "jsonarray", "jsonobject"} {
		if !formats[want] {
			t.Fatalf("testdata/expected.json has no %s sample", want)
		}
	}
	return samples
}

type envelope struct {
	LogID string `json:"log_id"`
	Data  struct {
		Date string `json:"date"`
		Type string `json:"type"`
	} `json:"data"`
}

// parseEnvelopes reads a sample in its declared format, which also checks that the file
// really is in that Auth0 Content Format.
func parseEnvelopes(t *testing.T, f sampleFile, body []byte) []envelope {
	t.Helper()
	var out []envelope
	switch f.Format {
	case "jsonlines":
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			var e envelope
			if err := json.Unmarshal(line, &e); err != nil {
				t.Fatalf("%s: %v", f.File, err)
			}
			out = append(out, e)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	case "jsonarray":
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s: %v", f.File, err)
		}
	case "jsonobject":
		var e envelope
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("%s: %v", f.File, err)
		}
		out = append(out, e)
	default:
		t.Fatalf("%s: unknown format %q", f.File, f.Format)
	}
	return out
}
