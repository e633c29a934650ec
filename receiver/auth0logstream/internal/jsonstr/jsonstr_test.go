// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package jsonstr

import (
	"math/rand/v2"
	"testing"
)

func indexSpecialByByte(b []byte, from int) int {
	for i := from; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
}

// Every byte value at every position of a word, and at the tail past the
// last whole word, after runs of plain bytes of every length.
func TestIndexSpecialEveryByte(t *testing.T) {
	for size := range 20 {
		for pos := range size {
			for c := range 256 {
				b := []byte("abcdefghijklmnopqrstuvwxyz")[:size]
				b[pos] = byte(c)
				for from := 0; from <= pos; from++ {
					if got, want := IndexSpecial(b, from), indexSpecialByByte(b, from); got != want {
						t.Fatalf("byte 0x%02x at %d of %d from %d: got %d, want %d", c, pos, size, from, got, want)
					}
				}
			}
		}
	}
}

// Several special bytes in one word, and high bytes (UTF-8 continuation
// bytes) that a borrow could turn into a wrong answer.
func TestIndexSpecialMixedWords(t *testing.T) {
	alphabet := []byte{'a', '"', '\\', 0x00, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xc3, 0xff, 0x5b, 0x5d}
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 40)
	for range 200_000 {
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		from := rng.IntN(len(b))
		if got, want := IndexSpecial(b, from), indexSpecialByByte(b, from); got != want {
			t.Fatalf("%q from %d: got %d, want %d", b, from, got, want)
		}
	}
	for _, s := range []string{"\xff\xff\xff\xff\xff\xff\xff\xff", "\x80\x80\x80\x80\x80\x80\x80\x80", "é日本語!", ""} {
		if got := IndexSpecial([]byte(s), 0); got != len(s) {
			t.Fatalf("%q has no special byte, got %d", s, got)
		}
	}
}
