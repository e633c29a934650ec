package jsonpdata

import (
	"encoding/binary"
	"testing"
)

// TestWordHasSpecial checks the word-at-a-time string scan against the
// byte-at-a-time rule for every byte value at every position.
func TestWordHasSpecial(t *testing.T) {
	for pos := range 8 {
		for b := range 256 {
			word := []byte("abcdefgh")
			word[pos] = byte(b)
			want := b == '"' || b == '\\' || b < 0x20
			if got := wordHasSpecial(binary.LittleEndian.Uint64(word)); got != want {
				t.Fatalf("byte 0x%02x at %d: got %v, want %v", b, pos, got, want)
			}
		}
	}
	// High bytes (UTF-8 continuation bytes) next to each other must not
	// borrow into a false answer either way.
	for _, word := range []string{"\xff\xff\xff\xff\xff\xff\xff\xff", "\x80\x80\x80\x80\x80\x80\x80\x80", "é日本語!"} {
		if len(word) < 8 {
			continue
		}
		if wordHasSpecial(binary.LittleEndian.Uint64([]byte(word))) {
			t.Fatalf("%q has no special byte", word)
		}
	}
}
