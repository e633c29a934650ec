// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0gen

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func decode(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, raw)
	}
	return m
}

func TestSameSeedSameEvents(t *testing.T) {
	a, b := New(42, Options{}), New(42, Options{})
	other := New(43, Options{})
	differs := false
	for i := range 2000 {
		ea, eb, eo := a.Next(), b.Next(), other.Next()
		if !bytes.Equal(ea.JSON, eb.JSON) || ea.LogID != eb.LogID || ea.Type != eb.Type {
			t.Fatalf("event %d differs for the same seed:\n%s\n%s", i, ea.JSON, eb.JSON)
		}
		if !bytes.Equal(ea.JSON, eo.JSON) {
			differs = true
		}
	}
	if !differs {
		t.Fatal("seeds 42 and 43 produced identical streams")
	}
}

func TestLogIDsUnique(t *testing.T) {
	const n = 100_000
	seen := make(map[string]struct{}, n+10_000)
	g := New(7, Options{})
	for range n {
		e := g.Next()
		if len(e.LogID) != 56 || strings.Trim(e.LogID, "0123456789") != "" {
			t.Fatalf("log_id %q is not 56 digits", e.LogID)
		}
		if _, dup := seen[e.LogID]; dup {
			t.Fatalf("duplicate log_id %s", e.LogID)
		}
		seen[e.LogID] = struct{}{}
	}
	// Same start time, different seed: the ids must still not collide.
	g2 := New(8, Options{})
	for range 10_000 {
		if id := g2.Next().LogID; func() bool { _, ok := seen[id]; return ok }() {
			t.Fatalf("log_id %s of seed 8 also produced by seed 7", id)
		}
	}
}

func TestEventsAreValidEnvelopes(t *testing.T) {
	g := New(1, Options{})
	for i := range 20_000 {
		e := g.Next()
		env := decode(t, e.JSON)
		data, ok := env["data"].(map[string]any)
		if !ok {
			t.Fatalf("event %d: no data object: %s", i, e.JSON)
		}
		if env["log_id"] != e.LogID || data["log_id"] != e.LogID {
			t.Fatalf("event %d: log_id mismatch: envelope %v, data %v, Event %s", i, env["log_id"], data["log_id"], e.LogID)
		}
		if data["type"] != e.Type {
			t.Fatalf("event %d: data.type %v, Event.Type %s", i, data["type"], e.Type)
		}
		date, _ := data["date"].(string)
		if len(date) != len("2025-01-15T10:30:00.000Z") || !strings.HasSuffix(date, "Z") {
			t.Fatalf("event %d: date %q is not RFC 3339 UTC with milliseconds", i, date)
		}
		if _, err := time.Parse(time.RFC3339Nano, date); err != nil {
			t.Fatalf("event %d: date %q: %v", i, date, err)
		}
		for _, k := range []string{"description", "client_id", "client_name", "ip", "user_agent", "hostname", "tenant_name", "environment_name", "$event_schema"} {
			if _, ok := data[k]; !ok {
				t.Fatalf("event %d (%s): missing %s", i, e.Type, k)
			}
		}
		if e.Failure() {
			details, _ := data["details"].(map[string]any)
			errObj, _ := details["error"].(map[string]any)
			if msg, _ := errObj["message"].(string); msg == "" {
				t.Fatalf("failure event %d (%s) has no details.error.message: %s", i, e.Type, e.JSON)
			}
		}
	}
}

func TestFailureRatio(t *testing.T) {
	cases := []struct {
		name     string
		opt      float64
		min, max float64
	}{
		{"default", 0, 0.13, 0.17},
		{"thirty percent", 0.3, 0.28, 0.32},
		{"none", -1, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			const n = 50_000
			g := New(3, Options{FailureRatio: tc.opt})
			fails := 0
			for range n {
				e := g.Next()
				if e.Failure() != (e.Outcome == Failure) {
					t.Fatalf("Failure() disagrees with Outcome for %s", e.Type)
				}
				if e.Failure() {
					fails++
				}
			}
			got := float64(fails) / n
			if got < tc.min || got > tc.max {
				t.Fatalf("failure ratio %.4f, want within [%.2f, %.2f]", got, tc.min, tc.max)
			}
		})
	}
}

// TestRealisticMix checks the shapes receivers must cope with all occur.
func TestRealisticMix(t *testing.T) {
	const n = 20_000
	g := New(11, Options{})
	types := map[string]int{}
	seen := map[string]bool{}
	total := 0
	for range n {
		e := g.Next()
		types[e.Type]++
		total += len(e.JSON)
		data := decode(t, e.JSON)["data"].(map[string]any)
		if _, ok := data["isMobile"]; ok {
			seen["isMobile"] = true
		}
		if _, ok := data["is_mobile"]; ok {
			seen["is_mobile"] = true
		}
		if _, ok := data["location_info"]; ok {
			seen["location_info"] = true
		}
		switch data["scope"].(type) {
		case []any:
			seen["scope array"] = true
		case string:
			seen["scope string"] = true
		}
		if strings.Contains(data["ip"].(string), ":") {
			seen["ipv6"] = true
		}
		if details, ok := data["details"].(map[string]any); ok {
			if p, ok := details["prompts"].([]any); ok && len(p) > 0 {
				seen["prompts"] = true
			}
			if e.Type == "sapi" && details["request"] != nil && details["response"] != nil {
				seen["sapi request/response"] = true
			}
		}
		if e.Outcome == Warning {
			seen["warning"] = true
		}
	}
	for _, want := range []string{"isMobile", "is_mobile", "location_info", "scope array", "scope string", "ipv6", "prompts", "sapi request/response", "warning"} {
		if !seen[want] {
			t.Errorf("no event with %s in %d events", want, n)
		}
	}
	major := 0
	for _, code := range []string{"s", "ssa", "seacft", "seccft", "sapi", "mgmt_api_read"} {
		if types[code] < n/50 {
			t.Errorf("type %s: %d of %d events, want a major share", code, types[code], n)
		}
		major += types[code]
	}
	if major < n*6/10 {
		t.Errorf("the six main types are %d of %d events, want most", major, n)
	}
	if avg := total / n; avg < 900 || avg > 1700 {
		t.Errorf("average event size %d bytes, want about 1-1.5 KB", avg)
	}
}

func TestOptionsShowInEvents(t *testing.T) {
	start := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	g := New(5, Options{Tenant: "t1", Environment: "dev-us-3", Start: start})
	data := decode(t, g.Next().JSON)["data"].(map[string]any)
	if data["tenant_name"] != "t1" || data["environment_name"] != "dev-us-3" {
		t.Fatalf("tenant/environment not applied: %v %v", data["tenant_name"], data["environment_name"])
	}
	if d := data["date"].(string); !strings.HasPrefix(d, "2030-06-01T00:00:00.") {
		t.Fatalf("date %s does not follow Start", d)
	}
}

func TestAppendJSONString(t *testing.T) {
	inputs := []string{"", "plain", `q"uote\back`, "ctl\x00\x01\x1f\n\r\t", "São Paulo ✓ 🚀", "<tag>&amp;"}
	for _, in := range inputs {
		out := appendJSONString(nil, in)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s: %v", in, out, err)
		}
		if back != in {
			t.Fatalf("round trip of %q gave %q", in, back)
		}
	}
	// Invalid UTF-8 must still yield valid JSON.
	out := appendJSONString(nil, "bad\xffbyte")
	var back string
	if err := json.Unmarshal(out, &back); err != nil || back != "bad\ufffdbyte" {
		t.Fatalf("invalid UTF-8: got %q, %v", back, err)
	}
}

func BenchmarkNext(b *testing.B) {
	g := New(1, Options{})
	size := 0
	for b.Loop() {
		size += len(g.Next().JSON)
	}
	b.SetBytes(int64(size / max(b.N, 1)))
}
