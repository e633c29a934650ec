// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package jsonframe

import "github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonstr"

// valueKind is what the first byte of a value says it is.
type valueKind uint8

const (
	kindUnknown   valueKind = iota
	kindContainer           // an object or an array
	kindString
	kindScalar // a number or a literal: it ends where something else starts
)

// maxHintedContainers bounds the member counts kept for one value, so that a
// hostile value made of millions of empty arrays costs no more than this.
const maxHintedContainers = 4096

// maxHintedDepth bounds the stack of containers being counted; the parser
// refuses anything nested deeper long before.
const maxHintedDepth = 128

// boundaryScanner finds where a JSON value ends without validating it (the
// parser does that), tracking only strings and nesting. It can be fed one
// value in several chunks. On the way it counts the members of every
// container, in document order: the parser uses the counts to allocate maps
// and slices at their final size in the same pass that found the boundary.
type boundaryScanner struct {
	started bool
	kind    valueKind
	depth   int
	inStr   bool
	escaped bool
	opened  bool  // the innermost container has not seen a member yet
	sizes   []int // members per container, document order
	open    []int // index in sizes of each counted open container
}

func (s *boundaryScanner) reset() {
	*s = boundaryScanner{sizes: s.sizes[:0], open: s.open[:0]}
}

func (s *boundaryScanner) scalar() bool { return s.kind == kindScalar }

// scan consumes b and returns how many bytes belong to the value and
// whether the value is complete.
func (s *boundaryScanner) scan(b []byte) (int, bool) {
	i := 0
	if !s.started && len(b) > 0 {
		s.started = true
		switch b[0] {
		case '{', '[':
			s.kind, s.depth = kindContainer, 1
			s.push()
		case '"':
			s.kind, s.inStr = kindString, true
		default:
			s.kind = kindScalar
		}
		i = 1
	}
	for ; i < len(b); i++ {
		c := b[i]
		if s.inStr {
			// Jump to the next quote or backslash: strings are most of an
			// event. A control character stops the jump too, and is passed
			// over: the parser rejects it.
			for !s.escaped {
				i = jsonstr.IndexSpecial(b, i)
				if i == len(b) {
					return len(b), false
				}
				if c = b[i]; c == '"' || c == '\\' {
					break
				}
				i++
			}
			switch {
			case s.escaped:
				s.escaped = false
			case c == '\\':
				s.escaped = true
			case c == '"':
				s.inStr = false
				if s.kind == kindString {
					return i + 1, true
				}
			}
			continue
		}
		if s.kind == kindScalar {
			switch c {
			case ' ', '\t', '\r', '\n', ',', ']', '}', '[', '{', '"':
				return i, true
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		if s.opened {
			s.opened = false
			if c != '}' && c != ']' {
				s.count(1)
			}
		}
		switch c {
		case '"':
			s.inStr = true
		case '{', '[':
			s.depth++
			s.push()
		case '}', ']':
			s.depth--
			s.pop()
			if s.depth == 0 {
				return i + 1, true
			}
		case ',':
			s.count(0)
		}
	}
	return len(b), false
}

// push starts counting a container's members.
func (s *boundaryScanner) push() {
	s.opened = true
	if len(s.open) >= maxHintedDepth {
		return
	}
	idx := -1
	if len(s.sizes) < maxHintedContainers {
		idx = len(s.sizes)
		s.sizes = append(s.sizes, 0)
	}
	s.open = append(s.open, idx)
}

func (s *boundaryScanner) pop() {
	if s.depth < len(s.open) {
		s.open = s.open[:s.depth]
	}
}

// count adds a member to the innermost container: set is 1 for its first
// member, 0 for a comma (which adds one more).
func (s *boundaryScanner) count(set int) {
	if s.depth == 0 || s.depth > len(s.open) {
		return
	}
	idx := s.open[s.depth-1]
	if idx < 0 {
		return
	}
	if set == 1 {
		s.sizes[idx] = 1
	} else {
		s.sizes[idx]++
	}
}

// hints returns the member counts of a complete container value, or nil.
func (s *boundaryScanner) hints() []int {
	if s.kind != kindContainer {
		return nil
	}
	return s.sizes
}

func trimSpaceLeft(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}
