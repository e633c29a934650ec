// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package dedup

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func TestClaimsInFlight(t *testing.T) {
	d := New(10)
	k := d.Key("a")
	claimed, inFlight := d.Claim(k)
	assert.True(t, claimed)
	assert.False(t, inFlight)
	claimed, inFlight = d.Claim(k)
	assert.False(t, claimed, "held by the first batch")
	assert.True(t, inFlight)
	d.Release([]uint64{k}) // the first batch was refused
	claimed, _ = d.Claim(k)
	assert.True(t, claimed, "free again after a refusal")
	d.Add([]uint64{k}) // accepted
	claimed, inFlight = d.Claim(k)
	assert.False(t, claimed)
	assert.False(t, inFlight, "delivered: a duplicate, not in flight")
}

func TestSnapshotRoundTrip(t *testing.T) {
	d := New(4)
	ids := []string{"a", "b", "c", "d", "e"} // a is evicted
	for _, id := range ids {
		d.Add([]uint64{d.Key(id)})
	}
	b, changes := d.Snapshot()
	assert.Equal(t, uint64(5), changes)
	assert.Equal(t, changes, d.Changes(), "Changes reads the counter Snapshot returns")

	e := New(3) // a smaller window keeps the newest
	n, err := e.Restore(b)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	for _, id := range []string{"c", "d", "e"} {
		assert.True(t, e.Contains(e.Key(id)), "%s survives with the stored seed", id)
	}
	for _, id := range []string{"a", "b"} {
		assert.False(t, e.Contains(e.Key(id)), id)
	}

	_, err = New(3).Restore(b[:len(b)-1])
	assert.ErrorContains(t, err, "want")
	_, err = New(3).Restore([]byte("nonsense-nonsense-nonsense"))
	assert.ErrorContains(t, err, "not a deduplication window")
}

func TestKeysDependOnTheSeed(t *testing.T) {
	a, b := New(1), New(1)
	assert.Equal(t, a.Key("x"), a.Key("x"))
	assert.NotEqual(t, a.Key("x"), b.Key("x"), "independent windows hash differently")
}
