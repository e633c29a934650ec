// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package dedup

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A snapshot is the window as bytes, for a storage extension to keep across
// restarts: magic, version, seed, count, then the keys, oldest first.
const (
	snapshotMagic     = "A0DW"
	snapshotVersion   = 2
	snapshotHeaderLen = 4 + 1 + 8 + 4
)

// Snapshot encodes the window. changes is a counter that grows with every
// key added: a saver writes only when it moved since the last save.
func (d *Set) Snapshot() (b []byte, changes uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := len(d.ring)
	b = make([]byte, snapshotHeaderLen, snapshotHeaderLen+8*n)
	copy(b, snapshotMagic)
	b[4] = snapshotVersion
	binary.LittleEndian.PutUint64(b[5:], d.seed.Load())
	binary.LittleEndian.PutUint32(b[13:], uint32(n))
	start := 0
	if n == cap(d.ring) {
		start = d.next // full: the oldest is the next to be replaced
	}
	for i := range n {
		b = binary.LittleEndian.AppendUint64(b, d.ring[(start+i)%n])
	}
	return b, d.adds
}

// Changes is Snapshot's counter without the encoding: a saver checks it
// first, so an idle window is not encoded under the lock every event takes.
func (d *Set) Changes() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.adds
}

// Restore adopts a snapshot's seed and keys, oldest first, so that a
// smaller window keeps the newest ones. It must run before deliveries
// start: keys computed before it used the old seed. It returns how many
// keys the window holds.
func (d *Set) Restore(b []byte) (int, error) {
	if len(b) < snapshotHeaderLen || string(b[:4]) != snapshotMagic {
		return 0, errors.New("not a deduplication window")
	}
	if b[4] != snapshotVersion {
		return 0, fmt.Errorf("deduplication window version %d is not %d", b[4], snapshotVersion)
	}
	n := int(binary.LittleEndian.Uint32(b[13:]))
	if len(b) != snapshotHeaderLen+8*n {
		return 0, fmt.Errorf("deduplication window holds %d bytes, want %d for %d entries", len(b), snapshotHeaderLen+8*n, n)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seed.Store(binary.LittleEndian.Uint64(b[5:]))
	for i := range n {
		d.addLocked(binary.LittleEndian.Uint64(b[snapshotHeaderLen+8*i:]))
	}
	return len(d.set), nil
}
