package auth0logstream

import (
	"encoding/binary"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
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

func TestMemberCountsAreHintsOnly(t *testing.T) {
	vr := newValueReader()
	vr.raw = []byte(`{"a":[1,2,{"b":"x,y}"}],"c":{},"d":[],"e":"\"{,"}`)
	vr.src = string(vr.raw)
	vr.countMembers()
	// Document order: outer object, a's array, the object in it, c, d.
	want := []int{4, 3, 1, 0, 0}
	if len(vr.sizes) != len(want) {
		t.Fatalf("sizes %v, want %v", vr.sizes, want)
	}
	for i := range want {
		if vr.sizes[i] != want[i] {
			t.Fatalf("sizes %v, want %v", vr.sizes, want)
		}
	}
}

// TestAuth0DateFastPath checks the fast date parser against time.Parse.
func TestAuth0DateFastPath(t *testing.T) {
	for _, s := range []string{
		"2024-01-15T10:30:00.123Z", "1999-12-31T23:59:59.999Z", "2024-02-29T00:00:00.000Z",
		"2023-02-29T00:00:00.000Z", "2024-13-01T00:00:00.000Z", "2024-01-15T24:00:00.000Z",
		"2024-01-15T10:30:00.12Z", "2024-01-15 10:30:00.123Z", "2024-01-15T10:30:00.1a3Z",
		"2024-01-15T10:30:00.123+01:00", "2024-01-15T10:30:00Z", "",
	} {
		want, err := time.Parse(time.RFC3339Nano, s)
		got, ok := parseDate(pcommon.NewValueStr(s))
		if (err == nil) != ok {
			t.Errorf("%q: ok=%v, time.Parse err=%v", s, ok, err)
			continue
		}
		if ok && got != pcommon.NewTimestampFromTime(want) {
			t.Errorf("%q: got %v, want %v", s, got.AsTime(), want)
		}
		if fast, fastOK := parseAuth0Date(s); fastOK && fast != got {
			t.Errorf("%q: fast path %v disagrees with %v", s, fast.AsTime(), got.AsTime())
		}
	}
}
