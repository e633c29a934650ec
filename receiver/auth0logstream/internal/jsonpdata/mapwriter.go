// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package jsonpdata

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/xpdata"
)

// MapWriter fills an empty pcommon.Map with the same result as its Put
// methods would give, faster: pcommon.Map scans for the key on every put,
// xpdata.MapBuilder appends without looking. MapWriter appends while every
// name is new and, the moment one repeats, hands what it has to the map and
// lets the map's own upsert decide from there on (a repeated name keeps its
// first place and takes its last value).
//
// Between Start and Finish the map must not be read or written but through
// the MapWriter. A MapWriter is reused across maps.
type MapWriter struct {
	b      xpdata.MapBuilder
	names  memberNames
	m      pcommon.Map
	direct bool // a name has repeated: puts go straight to m
}

// Start begins filling m, which must be empty, sized for capacity members.
func (w *MapWriter) Start(m pcommon.Map, capacity int) {
	w.b = xpdata.MapBuilder{} // drops what an abandoned map left behind
	w.b.EnsureCapacity(capacity)
	w.names.reset()
	w.m, w.direct = m, false
}

// PutEmpty adds k with an empty value, or empties k's value if k is there
// already, and returns the value. It is valid until the next put.
func (w *MapWriter) PutEmpty(k string) pcommon.Value {
	if !w.direct {
		if w.names.add(k) {
			return w.b.AppendEmpty(k)
		}
		w.handOver()
	}
	return w.m.PutEmpty(k)
}

// PutStr sets k to the string v.
func (w *MapWriter) PutStr(k, v string) { w.PutEmpty(k).SetStr(v) }

// PutDouble sets k to the number v.
func (w *MapWriter) PutDouble(k string, v float64) { w.PutEmpty(k).SetDouble(v) }

// PutEmptySlice sets k to an empty slice and returns it.
func (w *MapWriter) PutEmptySlice(k string) pcommon.Slice { return w.PutEmpty(k).SetEmptySlice() }

// Finish completes the map; from here on it is used directly.
func (w *MapWriter) Finish() {
	if !w.direct {
		w.handOver()
	}
	w.m = pcommon.Map{}
}

func (w *MapWriter) handOver() {
	w.b.UnsafeIntoMap(w.m)
	w.direct = true
}

// memberNames remembers the names put so far, to tell whether a name
// repeats. A 64-bit filter over a cheap hash of each name answers "new"
// for almost every name of a real event without comparing strings; only a
// filter hit is confirmed against the names before it.
type memberNames struct {
	filter uint64
	names  []string
}

func (n *memberNames) reset() {
	n.filter = 0
	clear(n.names) // drop the previous text's substrings
	n.names = n.names[:0]
}

// add records name and reports whether it is new.
func (n *memberNames) add(name string) bool {
	bit := uint64(1) << (nameHash(name) & 63)
	if n.filter&bit != 0 {
		for _, seen := range n.names {
			if seen == name {
				return false
			}
		}
	}
	n.filter |= bit
	n.names = append(n.names, name)
	return true
}

// nameHash mixes a name's length with its first, middle and last bytes:
// enough to spread the names of one object over 64 bits.
func nameHash(name string) uint {
	l := uint(len(name))
	if l == 0 {
		return 0
	}
	return l*0x9e + uint(name[0])*0x3b + uint(name[l/2])*0x5f + uint(name[l-1])*0x0d
}
