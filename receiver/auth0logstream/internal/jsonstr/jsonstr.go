// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package jsonstr holds what the framer and the parser both need of JSON
// text: where the plain run of a string's contents ends (string contents
// are most of a log event's bytes, and both walk them), and how to show a
// byte of it in an error message.
package jsonstr

import (
	"encoding/binary"
	"math/bits"
	"strconv"
)

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// IndexSpecial returns the index of the first byte of b at or after from
// that is a quote, a backslash or a control character (below 0x20), or
// len(b) if there is none. It tests eight bytes at a time: most strings in
// an event are a few words long, where a call to bytes.IndexByte per
// special byte costs more than the scan.
func IndexSpecial(b []byte, from int) int {
	i := from
	for ; i+8 <= len(b); i += 8 {
		if m := specialMask(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
}

// specialMask sets the high bit of w's special bytes. A borrow can also
// mark a byte above a special one, never below it, so the lowest mark is
// exact, which is all IndexSpecial reads.
func specialMask(w uint64) uint64 {
	quote := w ^ ('"' * lowBits)
	backslash := w ^ ('\\' * lowBits)
	return ((quote-lowBits)&^quote | (backslash-lowBits)&^backslash | (w-0x20*lowBits)&^w) & highBits
}

// QuoteByte shows a byte in an error message without echoing binary.
func QuoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	return "byte 0x" + strconv.FormatUint(uint64(c), 16)
}
