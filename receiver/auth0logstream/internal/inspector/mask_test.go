// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package inspector

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func masked1(t *testing.T, in string, loose bool) string {
	t.Helper()
	out, _ := sample(nil, []byte(in), true, loose)
	return string(out)
}

func TestMaskValidJSONAtAnyDepth(t *testing.T) {
	in := `{"log_id":"1","data":{"type":"fp","user_name":"alice@example.com","email" : "alice@example.com",` +
		`"description":"Wrong password","details":{"request":{"auth":{"user":{"EMAIL":"root@example.com","name":"Root Admin"}}},` +
		`"phone_number":+15551234567,"address":{"street":"1 Main St","city":"Springfield"},` +
		`"list":[{"given_name":"Alice"},{"family_name":"Doe, Jr."}]},"connection":"Username-Password"}}`
	out := masked1(t, in, false)
	for _, pii := range []string{"alice@example.com", "root@example.com", "Root Admin", "5551234567", "1 Main St", "Springfield", "Alice", "Doe"} {
		assert.NotContains(t, out, pii)
	}
	// Everything else is untouched and the result is still valid JSON.
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &v), out)
	data := v["data"].(map[string]any)
	assert.Equal(t, "***", data["user_name"])
	assert.Equal(t, "***", data["email"])
	assert.Equal(t, "Wrong password", data["description"])
	assert.Equal(t, "Username-Password", data["connection"])
	assert.Equal(t, "***", data["details"].(map[string]any)["address"])
	assert.Equal(t, "fp", data["type"])
}

func TestMaskKeysWithEscapes(t *testing.T) {
	out := masked1(t, `{"em\u0061il":"bob@example.com","x\"name":"keep","note":"the \"name\": is text"}`, false)
	assert.NotContains(t, out, "bob@example.com")
	assert.Contains(t, out, `"x\"name":"keep"`, "a key that merely contains a PII name is not a PII key")
	assert.Contains(t, out, `"note":"the \"name\": is text"`, "text inside a string is not a key")
}

func TestMaskValueCutByScanWindow(t *testing.T) {
	in := `{"description":"` + strings.Repeat("x", MaxScanBytes-40) + `","email":"` + strings.Repeat("e", 100) + `"}`
	out, cut := sample(nil, []byte(in), true, false)
	assert.True(t, cut)
	assert.NotContains(t, string(out), "eee")
	assert.LessOrEqual(t, len(out), MaxSampleBytes)
}

func TestMaskEmailPastTheSampleSize(t *testing.T) {
	// The value starts beyond the sample size but inside the scan window.
	in := `{"description":"` + strings.Repeat("x", MaxSampleBytes-20) + `","email":"alice@example.com"}`
	out, cut := sample(nil, []byte(in), true, false)
	assert.True(t, cut)
	assert.NotContains(t, string(out), "alice")
}

func TestMaskOff(t *testing.T) {
	in := `{"email":"alice@example.com"}`
	out, cut := sample(nil, []byte(in), false, true)
	assert.False(t, cut)
	assert.Equal(t, in, string(out))
}

func TestMaskMalformedLines(t *testing.T) {
	tests := []struct {
		name, in string
		hidden   []string
		kept     []string
	}{
		{name: "truncated", in: `{"log_id":"9","data":{"email":"alice@exa`, hidden: []string{"alice"}, kept: []string{`"log_id":"9"`}},
		{name: "missing quote before key", in: `{"a":"b, "email":"bob@example.com","type":"f"}`, hidden: []string{"bob@example.com"}, kept: []string{`"type":"f"`}},
		{name: "single quotes", in: `{'user_name': 'carol', 'type': 'f'}`, hidden: []string{"carol"}, kept: []string{`'type': 'f'`}},
		{name: "form encoded", in: `email=dave@example.com&name=Dave+D&type=f`, hidden: []string{"dave@example.com", "Dave+D"}, kept: []string{"type=f"}},
		{name: "escaped JSON in a string", in: `"{\"family_name\":\"Erin\",\"ok\":1}"`, hidden: []string{"Erin"}, kept: []string{`\"ok\":1`}},
		{name: "object value", in: `{"address":{"street":"1 Main","zip":"12345"},"bad":}`, hidden: []string{"1 Main", "12345"}, kept: []string{`"bad":}`}},
		{name: "upper case", in: `{"PHONE_NUMBER": "+1555", oops`, hidden: []string{"+1555"}},
		{name: "word boundary", in: `{"username_hint":"frank","connection_name":"keep"`, kept: []string{"frank", "keep"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := masked1(t, tt.in, true)
			for _, h := range tt.hidden {
				assert.NotContains(t, out, h)
			}
			for _, k := range tt.kept {
				assert.Contains(t, out, k)
			}
		})
	}
}

func TestSampleIsDisplaySafe(t *testing.T) {
	in := "{\"a\":\"\x1b]0;pwned\x07\",\"b\":\"\xff\xfe\",\"c\":\"tab\there\"}\r"
	out, _ := sample(nil, []byte(in), true, true)
	s := string(out)
	assert.NotContains(t, s, "\x1b")
	assert.NotContains(t, s, "\x07")
	assert.NotContains(t, s, "\r")
	assert.Contains(t, s, "\t")
	assert.True(t, strings.Contains(s, "\uFFFD"))
}

func TestSampleReusesBuffer(t *testing.T) {
	buf := make([]byte, 0, MaxSampleBytes)
	out, _ := sample(buf, []byte(`{"x":1}`), true, false)
	assert.Equal(t, &buf[:1][0], &out[:1][0], "the sample is written into the given buffer")
	event := []byte(`{"log_id":"1","data":{"email":"a@b","type":"s"}}`)
	allocs := testing.AllocsPerRun(100, func() {
		out, _ = sample(out, event, true, false)
	})
	assert.Zero(t, allocs)
}

func FuzzSample(f *testing.F) {
	f.Add(`{"email":"SECRET"}`, "x")
	f.Add(`{"a":{"b":[{"email":"SECRET"}]}}`, "y")
	f.Fuzz(func(t *testing.T, prefix, suffix string) {
		// Any text: the sample is bounded, valid UTF-8, free of control
		// characters, for both rules and with masking off.
		for _, mode := range [][2]bool{{true, true}, {true, false}, {false, false}} {
			out, _ := sample(nil, []byte(prefix+suffix), mode[0], mode[1])
			require.LessOrEqual(t, len(out), MaxSampleBytes)
			require.True(t, utf8.Valid(out))
			for _, r := range string(out) {
				require.False(t, r < 0x20 && r != '\t' && r != '\n' || r == 0x7f, "control character %q", r)
			}
		}
		// A valid object with a PII member anywhere: the value never survives.
		if strings.Contains(prefix+suffix, "SECRETVALUE") {
			return
		}
		var p, s any
		if json.Unmarshal([]byte(prefix), &p) != nil || json.Unmarshal([]byte(suffix), &s) != nil {
			return
		}
		doc, err := json.Marshal(map[string]any{"p": p, "data": map[string]any{"email": "SECRETVALUE", "s": s}})
		require.NoError(t, err)
		out, _ := sample(nil, doc, true, false)
		if len(doc) <= MaxScanBytes {
			assert.NotContains(t, string(out), "SECRETVALUE")
		}
	})
}

func TestPrintable8(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			x := uint64(0)
			for i := 7; i >= 0; i-- {
				x = x<<8 | uint64(w[i])
			}
			if printable8(x) && (c < 0x20 || c >= 0x7f) {
				t.Fatalf("byte %#x at %d taken for printable", c, pos)
			}
			if c >= 0x20 && c < 0x7f && !printable8(x) {
				t.Fatalf("printable byte %#x at %d refused", c, pos)
			}
		}
	}
}
