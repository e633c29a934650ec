// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package jsonpdata

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestValidAgreesWithTheParser(t *testing.T) {
	for text, want := range map[string]bool{
		`{}`: true, `[]`: true, `42`: true, `-0.5e3`: true, `"s"`: true, `null`: true, ` {"a":[1,{"b":false}]} `: true,
		`{`: false, `{"a"}`: false, `[1,]`: false, `01`: false, `tru`: false, `{} {}`: false, `"\x"`: false, ``: false,
		strings.Repeat("[", MaxNesting) + strings.Repeat("]", MaxNesting):     true,
		strings.Repeat("[", MaxNesting+1) + strings.Repeat("]", MaxNesting+1): false,
	} {
		assert.Equal(t, want, Valid([]byte(text)), "%q", text)
	}
}

// Members reads the members one by one, so a caller can route each value;
// the grammar is the same ReadObject uses.
func TestMembersRouteValues(t *testing.T) {
	var p Parser
	p.Begin([]byte(` {"id":"x1", "data":{"n":1,"s":"\u00e9"}, "skip":[true,null]} `), []int{3, 2, 2})
	it, capacity, err := p.Object()
	require.NoError(t, err)
	assert.Equal(t, 3, capacity)
	got := map[string]any{}
	for {
		key, ok, err := it.Next()
		require.NoError(t, err)
		if !ok {
			break
		}
		switch key {
		case "id":
			s, err := p.String()
			require.NoError(t, err)
			got[key] = s
		case "data":
			m := pcommon.NewMap()
			var seen []string
			require.NoError(t, p.ReadObject(m, func(k string, _ pcommon.Value) { seen = append(seen, k) }))
			assert.Equal(t, []string{"n", "s"}, seen)
			got[key] = m.AsRaw()
		default:
			v := pcommon.NewValueEmpty()
			require.NoError(t, p.Value(v))
			got[key] = v.AsRaw()
		}
	}
	require.NoError(t, p.End())
	assert.Equal(t, map[string]any{
		"id":   "x1",
		"data": map[string]any{"n": int64(1), "s": "é"},
		"skip": []any{true, nil},
	}, got)
}

func TestLimitsAreTypedErrors(t *testing.T) {
	var p Parser
	p.Begin([]byte(strings.Repeat(`{"a":`, MaxNesting+1)+"1"+strings.Repeat("}", MaxNesting+1)), nil)
	assert.ErrorIs(t, p.ReadObject(pcommon.NewMap(), nil), ErrTooDeep)
	var wide strings.Builder
	wide.WriteString("{")
	for i := range MaxMembers + 1 {
		if i > 0 {
			wide.WriteString(",")
		}
		wide.WriteString(`"k` + strconv.Itoa(i) + `":0`)
	}
	wide.WriteString("}")
	p.Begin([]byte(wide.String()), nil)
	assert.ErrorIs(t, p.ReadObject(pcommon.NewMap(), nil), ErrTooWide)
	p.Begin([]byte(`{"a":1} x`), nil)
	require.NoError(t, p.ReadObject(pcommon.NewMap(), nil))
	assert.ErrorContains(t, p.End(), "unexpected data after a JSON value")
}

// BenchmarkReadObject measures the parser alone, with and without the
// capacity hints the framer counts.
func BenchmarkReadObject(b *testing.B) {
	raw := []byte(`{"date":"2024-01-15T10:30:00.123Z","type":"fp","description":"Wrong email or password.","connection":"Username-Password-Authentication","client_id":"kZfdGcbADF2uMqiNqmKerl7Qf70MSipj","ip":"203.0.113.9","user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)","details":{"error":{"message":"Wrong email or password.","oauthError":"invalid_grant"},"session_id":"s1"},"user_id":"","user_name":"a@example.com","strategy":"auth0","strategy_type":"database","log_id":"90020240115103000123","scope":["openid","profile"]}`)
	for name, hints := range map[string][]int{"hints=none": nil, "hints=exact": {14, 2, 2, 2}} {
		b.Run(name, func(b *testing.B) {
			var p Parser
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				m := pcommon.NewMap()
				p.Begin(raw, hints)
				if err := p.ReadObject(m, nil); err != nil {
					b.Fatal(err)
				}
				if err := p.End(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
