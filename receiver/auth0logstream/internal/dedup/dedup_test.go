package dedup

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEvictsOldestFirst(t *testing.T) {
	d := New(3)
	k := func(s string) uint64 { return d.Key(s) }
	d.Add([]uint64{k("a"), k("b"), k("c")})
	assert.True(t, d.Contains(k("a")))
	d.Add([]uint64{k("d")}) // evicts a
	assert.False(t, d.Contains(k("a")))
	for _, id := range []string{"b", "c", "d"} {
		assert.True(t, d.Contains(k(id)), id)
	}
	d.Add([]uint64{k("b")}) // already known: no eviction
	assert.True(t, d.Contains(k("b")))
	assert.True(t, d.Contains(k("c")))
	assert.Len(t, d.set, 3)
	d.Add([]uint64{k("e"), k("f")}) // evicts b, c
	assert.False(t, d.Contains(k("b")))
	assert.False(t, d.Contains(k("c")))
	assert.Len(t, d.set, 3)
}

// TestDedupMemoryPerEntry measures what the README promises for
// max_entries: the bytes a full set allocates, per entry. TotalAlloc only
// grows, so a collection during the measurement cannot skew it.
func TestMemoryPerEntry(t *testing.T) {
	const n = 100_000
	seed := New(1)
	keys := make([]uint64, 0, n)
	for i := range n {
		keys = append(keys, seed.Key("900020240115103000"+strconv.Itoa(i)))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	d := New(n)
	d.Add(keys)
	runtime.ReadMemStats(&after)
	perEntry := float64(after.TotalAlloc-before.TotalAlloc) / n
	t.Logf("dedup memory: %.1f bytes per entry at %d entries", perEntry, n)
	assert.Len(t, d.set, n)
	assert.Less(t, perEntry, 48.0, "the README documents about 32 bytes per entry")
	assert.Greater(t, perEntry, 8.0, "a ring slot alone is 8 bytes: the measurement is broken")
}
