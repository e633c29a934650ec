// Package dedup remembers recently delivered event IDs. Auth0 delivers at
// least once, so a retried batch would otherwise reach the backend twice.
package dedup

import (
	"hash/maphash"
	"sync"
)

// Set remembers the IDs delivered, up to a fixed number, forgetting the
// oldest first. It is safe for concurrent use.
//
// It stores 64-bit hashes rather than the IDs: about 32 bytes per entry (a
// map slot plus a ring slot; TestMemoryPerEntry measures it), and a false
// match needs a 64-bit collision.
type Set struct {
	seed maphash.Seed

	mu   sync.Mutex
	set  map[uint64]struct{}
	ring []uint64 // insertion order, for eviction
	next int      // ring position of the next insertion
}

// New returns a Set of at most maxEntries IDs.
func New(maxEntries int) *Set {
	return &Set{
		seed: maphash.MakeSeed(),
		set:  make(map[uint64]struct{}, maxEntries),
		ring: make([]uint64, 0, maxEntries),
	}
}

// Key is the hash under which id is remembered.
func (d *Set) Key(id string) uint64 { return maphash.String(d.seed, id) }

// Contains reports whether key was added and not yet forgotten.
func (d *Set) Contains(key uint64) bool {
	d.mu.Lock()
	_, ok := d.set[key]
	d.mu.Unlock()
	return ok
}

// Add records keys of events the pipeline has accepted.
func (d *Set) Add(keys []uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		if _, ok := d.set[k]; ok {
			continue
		}
		if len(d.ring) < cap(d.ring) {
			d.ring = append(d.ring, k)
		} else {
			delete(d.set, d.ring[d.next])
			d.ring[d.next] = k
			d.next = (d.next + 1) % len(d.ring)
		}
		d.set[k] = struct{}{}
	}
}
