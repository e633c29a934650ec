package auth0logstream

import (
	"hash/maphash"
	"sync"
)

// dedupSet remembers the log_ids this receiver instance has delivered, up to
// a fixed number, forgetting the oldest first. Auth0 delivers at least once,
// so a retried batch would otherwise reach the backend twice.
//
// It stores 64-bit hashes rather than the IDs: with the default 100,000
// entries that is about 30 bytes per entry (a map slot plus a ring slot),
// and a false match needs a 64-bit collision.
type dedupSet struct {
	seed maphash.Seed
	// sip, when set, keys the hashes with SipHash-2-4 instead, whose key can
	// be stored: a window persisted across restarts (dedup_store.go) needs
	// hashes that are the same after the restart.
	sip *[2]uint64

	mu   sync.Mutex
	set  map[uint64]struct{}
	ring []uint64 // insertion order, for eviction
	next int      // ring position of the next insertion
	adds uint64   // keys added so far, to tell whether the window changed
	// pending are keys claimed by a batch in flight (push request or pulled
	// page) and not yet accepted, so two sources racing on one log_id do
	// not both emit it.
	pending map[uint64]struct{}
}

func newDedupSet(maxEntries int) *dedupSet {
	return &dedupSet{
		seed:    maphash.MakeSeed(),
		set:     make(map[uint64]struct{}, maxEntries),
		ring:    make([]uint64, 0, maxEntries),
		pending: make(map[uint64]struct{}),
	}
}

func (d *dedupSet) key(logID string) uint64 {
	if d.sip != nil {
		return sipHash24(d.sip[0], d.sip[1], logID)
	}
	return maphash.String(d.seed, logID)
}

func (d *dedupSet) contains(key uint64) bool {
	d.mu.Lock()
	_, ok := d.set[key]
	d.mu.Unlock()
	return ok
}

// claim reserves key for a batch in flight. claimed is false when the key
// was delivered already or is held by another batch in flight (inFlight).
func (d *dedupSet) claim(key uint64) (claimed, inFlight bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.set[key]; ok {
		return false, false
	}
	if _, ok := d.pending[key]; ok {
		return false, true
	}
	d.pending[key] = struct{}{}
	return true, false
}

// release gives up claims of a batch that was not accepted.
func (d *dedupSet) release(keys []uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		delete(d.pending, k)
	}
}

// add records keys of events the pipeline has accepted.
func (d *dedupSet) add(keys []uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		delete(d.pending, k)
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
		d.adds++
	}
}

func (d *dedupSet) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.set)
}
