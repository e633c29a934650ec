// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package dedup remembers recently delivered event IDs. Auth0 delivers at
// least once, so a retried batch would otherwise reach the backend twice;
// and a collector that both receives the stream and pulls the Management
// API sees most events twice.
package dedup

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
)

// Set remembers the IDs delivered, up to a fixed number, forgetting the
// oldest first. It is safe for concurrent use.
//
// It stores 64-bit seeded hashes rather than the IDs: about 32 bytes per
// entry (a map slot plus a ring slot; TestMemoryPerEntry measures it), and
// a false match needs a 64-bit collision. The seed is random, and stored
// with a snapshot, so a window restored after a restart still matches.
type Set struct {
	// seed is read for every event and replaced only by Restore, before
	// deliveries start: an atomic keeps Key off the mutex.
	seed atomic.Uint64

	mu   sync.Mutex
	set  map[uint64]struct{}
	ring []uint64 // insertion order, for eviction
	next int      // ring position of the next insertion
	adds uint64   // keys added so far: tells a saver whether anything changed
	// claimed holds keys of batches in flight (a request, a pulled page)
	// that the pipeline has not accepted yet, so that two deliveries of one
	// event racing each other do not both emit it.
	claimed map[uint64]struct{}
}

// New returns a Set of at most maxEntries IDs.
func New(maxEntries int) *Set {
	var seed [8]byte
	_, _ = rand.Read(seed[:]) // never fails on supported platforms
	d := &Set{
		set:     make(map[uint64]struct{}, maxEntries),
		ring:    make([]uint64, 0, maxEntries),
		claimed: make(map[uint64]struct{}),
	}
	d.seed.Store(binary.LittleEndian.Uint64(seed[:]))
	return d
}

// Key is the hash under which id is remembered.
func (d *Set) Key(id string) uint64 {
	var h xxhash.Digest
	h.ResetWithSeed(d.seed.Load())
	_, _ = h.WriteString(id)
	return h.Sum64()
}

// Contains reports whether key was added and not yet forgotten.
func (d *Set) Contains(key uint64) bool {
	d.mu.Lock()
	_, ok := d.set[key]
	d.mu.Unlock()
	return ok
}

// Claim reserves key for a batch in flight. claimed is false when the key
// was delivered already (a duplicate) or is held by another batch in
// flight (inFlight): that one may still fail, so the caller must neither
// emit the event again nor drop it, but try again later.
func (d *Set) Claim(key uint64) (claimed, inFlight bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.set[key]; ok {
		return false, false
	}
	if _, ok := d.claimed[key]; ok {
		return false, true
	}
	d.claimed[key] = struct{}{}
	return true, false
}

// Release gives up the claims of a batch the pipeline did not accept.
func (d *Set) Release(keys []uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		delete(d.claimed, k)
	}
}

// Add records keys of events the pipeline has accepted, and ends their claims.
func (d *Set) Add(keys []uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		delete(d.claimed, k)
		d.addLocked(k)
	}
}

func (d *Set) addLocked(k uint64) {
	if _, ok := d.set[k]; ok {
		return
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
