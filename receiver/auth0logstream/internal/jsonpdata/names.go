// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package jsonpdata

// memberNames remembers the names read so far in one object, to tell
// whether a name repeats. A 64-bit filter over a cheap hash of each name
// answers "new" for almost every name of a real event without comparing
// strings; only a filter hit is confirmed against the names before it.
type memberNames struct {
	filter uint64
	names  []string
}

func (n *memberNames) reset() {
	n.filter = 0
	clear(n.names) // drop the previous text's substrings
	n.names = n.names[:0]
}

// add records name and reports whether it is new to the object.
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
