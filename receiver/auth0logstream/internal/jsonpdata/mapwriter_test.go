// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package jsonpdata

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// collidingNames returns two different names whose filter bits are equal,
// so that memberNames must confirm a hit by comparing strings.
func collidingNames(t *testing.T) (string, string) {
	byBit := map[uint]string{}
	for i := range 1000 {
		name := "k" + strconv.Itoa(i)
		bit := nameHash(name) & 63
		if other, ok := byBit[bit]; ok {
			return other, name
		}
		byBit[bit] = name
	}
	t.Fatal("no two names share a filter bit")
	return "", ""
}

func TestMemberNames(t *testing.T) {
	a, b := collidingNames(t)
	var n memberNames
	assert.True(t, n.add(a))
	assert.True(t, n.add(b), "a filter hit on a different name is still a new name")
	assert.True(t, n.add(""))
	assert.False(t, n.add(a))
	assert.False(t, n.add(b))
	assert.False(t, n.add(""))
	n.reset()
	assert.True(t, n.add(a), "reset forgets the previous object's names")
}

// A repeated name must give exactly what pcommon.Map.PutEmpty gives: the
// first place and the last value, at every depth, whatever the hints say.
func TestReadObjectRepeatedNames(t *testing.T) {
	a, b := collidingNames(t)
	texts := []string{
		`{"a":1,"b":2,"a":3}`,
		`{"a":{"x":1},"a":"y","c":[{"d":1,"d":[2]}]}`,
		`{"a":1,"b":{},"a":{"x":[{"y":1,"y":{}}]},"c":2,"b":3}`,
		`{"` + a + `":1,"` + b + `":2,"` + a + `":3,"` + b + `":{"` + a + `":4}}`,
		`{"e":{},"f":{"g":{}},"e":[],"h":1}`,
	}
	hintSets := map[string]func(int) []int{
		"none":      func(int) []int { return nil },
		"too small": func(n int) []int { return make([]int, n) },
		"too large": func(n int) []int {
			h := make([]int, n)
			for i := range h {
				h[i] = 50
			}
			return h
		},
	}
	var p Parser
	for _, text := range texts {
		for name, hints := range hintSets {
			t.Run(text+"/hints "+name, func(t *testing.T) {
				got := pcommon.NewMap()
				p.Begin([]byte(text), hints(16))
				var seen []string
				require.NoError(t, p.ReadObject(got, func(k string, _ pcommon.Value) { seen = append(seen, k) }))
				require.NoError(t, p.End())
				want := putEmptyOracle(t, []byte(text))
				assert.Empty(t, orderDiffers(want, got))
				assert.Equal(t, want.Len(), got.Len())

				ref := pcommon.NewMap()
				p.Begin([]byte(text), nil)
				require.NoError(t, p.ReadObject(ref, nil))
				require.NoError(t, p.End())
				assert.True(t, ref.Equal(got))
				assert.Len(t, seen, countMembers(t, text), "onMember sees every member, repeated ones too")
			})
		}
	}
}

// countMembers counts the root object's members as written, repeats included.
func countMembers(t *testing.T, text string) int {
	var p Parser
	p.Begin([]byte(text), nil)
	it, _, err := p.Object()
	require.NoError(t, err)
	n := 0
	for {
		_, ok, err := it.Next()
		require.NoError(t, err)
		if !ok {
			return n
		}
		n++
		require.NoError(t, p.Value(pcommon.NewValueEmpty()))
	}
}

// The builders are reused: an object that fails half way must not leave
// members behind for the next one.
func TestReadObjectAfterAnError(t *testing.T) {
	var p Parser
	p.Begin([]byte(`{"a":1,"b":{"c":2,"d":tru}}`), nil)
	require.Error(t, p.ReadObject(pcommon.NewMap(), nil))
	_ = p.End()
	got := pcommon.NewMap()
	p.Begin([]byte(`{"x":{"y":1}}`), nil)
	require.NoError(t, p.ReadObject(got, nil))
	require.NoError(t, p.End())
	assert.Equal(t, map[string]any{"x": map[string]any{"y": int64(1)}}, got.AsRaw())
}

// A MapWriter gives exactly the map pcommon.Map's own puts give, order
// included, with repeats early, late, or not at all, and it is reusable
// after a map it did not finish.
func TestMapWriterMatchesMapPuts(t *testing.T) {
	a, b := collidingNames(t)
	type put struct {
		k string
		v float64 // < 0: a string
	}
	sequences := [][]put{
		{{"x", 1}, {"y", -1}, {"z", 2}},
		{{"x", 1}, {"x", 2}, {"y", -1}, {"x", -1}, {"z", 3}},
		{{a, 1}, {b, 2}, {a, 3}, {"", 4}, {"", -1}},
		{{"x", -1}, {"y", 2}, {"z", 3}, {"y", 4}},
		{},
	}
	var w MapWriter
	abandoned := pcommon.NewMap()
	w.Start(abandoned, 4)
	w.PutStr("left", "behind")
	for i, seq := range sequences {
		for _, capacity := range []int{0, 2, 16} {
			want, got := pcommon.NewMap(), pcommon.NewMap()
			w.Start(got, capacity)
			for j, p := range seq {
				if p.v < 0 {
					want.PutStr(p.k, strconv.Itoa(j))
					w.PutStr(p.k, strconv.Itoa(j))
				} else {
					want.PutDouble(p.k, p.v)
					w.PutDouble(p.k, p.v)
				}
			}
			w.Finish()
			assert.Empty(t, orderDiffers(want, got), "sequence %d, capacity %d", i, capacity)
			assert.Equal(t, want.AsRaw(), got.AsRaw(), "sequence %d, capacity %d", i, capacity)
		}
	}
}
