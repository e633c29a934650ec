package auth0logstream

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDedupEvictsOldestFirst(t *testing.T) {
	d := newDedupSet(3)
	k := func(s string) uint64 { return d.key(s) }
	d.add([]uint64{k("a"), k("b"), k("c")})
	assert.True(t, d.contains(k("a")))
	d.add([]uint64{k("d")}) // evicts a
	assert.False(t, d.contains(k("a")))
	for _, id := range []string{"b", "c", "d"} {
		assert.True(t, d.contains(k(id)), id)
	}
	d.add([]uint64{k("b")}) // already known: no eviction
	assert.True(t, d.contains(k("b")))
	assert.True(t, d.contains(k("c")))
	assert.Equal(t, 3, d.len())
	d.add([]uint64{k("e"), k("f")}) // evicts b, c
	assert.False(t, d.contains(k("b")))
	assert.False(t, d.contains(k("c")))
	assert.Equal(t, 3, d.len())
}

// TestDedupMemoryPerEntry measures what the README promises for
// max_entries: the bytes a full set allocates, per entry. TotalAlloc only
// grows, so a collection during the measurement cannot skew it.
func TestDedupMemoryPerEntry(t *testing.T) {
	const n = 100_000
	seed := newDedupSet(1)
	keys := make([]uint64, 0, n)
	for i := range n {
		keys = append(keys, seed.key("900020240115103000"+strconv.Itoa(i)))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	d := newDedupSet(n)
	d.add(keys)
	runtime.ReadMemStats(&after)
	perEntry := float64(after.TotalAlloc-before.TotalAlloc) / n
	t.Logf("dedup memory: %.1f bytes per entry at %d entries", perEntry, n)
	assert.Equal(t, n, d.len())
	assert.Less(t, perEntry, 48.0, "the README documents about 30 bytes per entry")
	assert.Greater(t, perEntry, 8.0, "a ring slot alone is 8 bytes: the measurement is broken")
}
