package auth0logstream

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
)

// The dedup window survives restarts when deduplication.storage names a
// storage extension: it is loaded at Start, saved every dedupSaveInterval
// while it changes, and at Shutdown. A crash loses at most the last
// interval's additions, whose pages the pull checkpoint has usually passed.

const (
	dedupStoreKey     = "auth0_dedup_window"
	dedupSaveInterval = time.Second
	dedupMagic        = "A0DW"
	dedupVersion      = 1
	dedupHeaderLen    = 4 + 1 + 16 + 4 // magic, version, SipHash key, count
)

// dedupStore saves and loads a dedupSet through a storage client.
type dedupStore struct {
	set    *dedupSet
	client storage.Client
	logger *zap.Logger

	mu        sync.Mutex // serialises saves
	savedAdds uint64
	stop      chan struct{}
	done      chan struct{}
}

// storageClient gets a storage client from the extension named id.
func storageClient(ctx context.Context, host component.Host, id component.ID, owner component.ID, name string) (storage.Client, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("storage extension %q is not configured (add it under extensions and service::extensions)", id)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("extension %q is not a storage extension", id)
	}
	return se.GetClient(ctx, component.KindReceiver, owner, name)
}

// startDedupStore loads the window and starts the periodic saver.
func startDedupStore(ctx context.Context, set *dedupSet, client storage.Client, logger *zap.Logger) (*dedupStore, error) {
	s := &dedupStore{set: set, client: client, logger: logger, stop: make(chan struct{}), done: make(chan struct{})}
	b, err := client.Get(ctx, dedupStoreKey)
	if err != nil {
		return nil, fmt.Errorf("reading the deduplication window: %w", err)
	}
	loaded := 0
	if b != nil {
		loaded, err = restoreDedup(set, b)
		if err != nil {
			// An unreadable window only costs duplicates; start a new one.
			logger.Warn("Stored deduplication window is unreadable; starting an empty one", zap.Error(err))
			loaded = 0
		}
	}
	if set.sip == nil {
		var key [16]byte
		if _, err := rand.Read(key[:]); err != nil {
			return nil, err
		}
		set.sip = &[2]uint64{binary.LittleEndian.Uint64(key[:8]), binary.LittleEndian.Uint64(key[8:])}
	}
	s.savedAdds = set.adds
	logger.Info("Deduplication window loaded from storage", zap.Int("entries", loaded))
	go s.loop()
	return s, nil
}

func (s *dedupStore) loop() {
	defer close(s.done)
	t := time.NewTicker(dedupSaveInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if err := s.save(context.Background()); err != nil {
				s.logger.Warn("Saving the deduplication window failed", zap.Error(err))
			}
		}
	}
}

// save writes the window if it changed since the last save.
func (s *dedupStore) save(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, adds := snapshotDedup(s.set)
	if adds == s.savedAdds {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.client.Set(ctx, dedupStoreKey, b); err != nil {
		return err
	}
	s.savedAdds = adds
	return nil
}

// shutdown stops the saver, saves a last time and closes the client.
func (s *dedupStore) shutdown(ctx context.Context) error {
	close(s.stop)
	<-s.done
	return errors.Join(s.save(ctx), s.client.Close(ctx))
}

// snapshotDedup encodes the window, oldest key first.
func snapshotDedup(d *dedupSet) ([]byte, uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := len(d.ring)
	b := make([]byte, dedupHeaderLen, dedupHeaderLen+8*n)
	copy(b, dedupMagic)
	b[4] = dedupVersion
	if d.sip != nil {
		binary.LittleEndian.PutUint64(b[5:], d.sip[0])
		binary.LittleEndian.PutUint64(b[13:], d.sip[1])
	}
	binary.LittleEndian.PutUint32(b[21:], uint32(n))
	start := 0
	if n == cap(d.ring) {
		start = d.next // full: the oldest is the next to be replaced
	}
	for i := range n {
		b = binary.LittleEndian.AppendUint64(b, d.ring[(start+i)%n])
	}
	return b, d.adds
}

// restoreDedup adopts the stored SipHash key and replays the keys, oldest
// first, so a smaller max_entries keeps the newest ones.
func restoreDedup(d *dedupSet, b []byte) (int, error) {
	if len(b) < dedupHeaderLen || string(b[:4]) != dedupMagic {
		return 0, errors.New("not a deduplication window")
	}
	if b[4] != dedupVersion {
		return 0, fmt.Errorf("deduplication window version %d is not %d", b[4], dedupVersion)
	}
	n := int(binary.LittleEndian.Uint32(b[21:]))
	if len(b) != dedupHeaderLen+8*n {
		return 0, fmt.Errorf("deduplication window holds %d bytes, want %d for %d entries", len(b), dedupHeaderLen+8*n, n)
	}
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = binary.LittleEndian.Uint64(b[dedupHeaderLen+8*i:])
	}
	d.sip = &[2]uint64{binary.LittleEndian.Uint64(b[5:]), binary.LittleEndian.Uint64(b[13:])}
	d.add(keys)
	return d.len(), nil
}

// sipHash24 is SipHash-2-4 (Aumasson and Bernstein) of s under the key
// (k0, k1): a keyed hash, so that log_ids cannot be chosen to collide
// without the key, and one whose key can be stored, unlike maphash's seed.
func sipHash24(k0, k1 uint64, s string) uint64 {
	v0 := k0 ^ 0x736f6d6570736575
	v1 := k1 ^ 0x646f72616e646f6d
	v2 := k0 ^ 0x6c7967656e657261
	v3 := k1 ^ 0x7465646279746573
	round := func() {
		v0 += v1
		v1 = bits.RotateLeft64(v1, 13)
		v1 ^= v0
		v0 = bits.RotateLeft64(v0, 32)
		v2 += v3
		v3 = bits.RotateLeft64(v3, 16)
		v3 ^= v2
		v0 += v3
		v3 = bits.RotateLeft64(v3, 21)
		v3 ^= v0
		v2 += v1
		v1 = bits.RotateLeft64(v1, 17)
		v1 ^= v2
		v2 = bits.RotateLeft64(v2, 32)
	}
	n := len(s)
	i := 0
	for ; i+8 <= n; i += 8 {
		m := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		v3 ^= m
		round()
		round()
		v0 ^= m
	}
	last := uint64(n&0xff) << 56
	for j := i; j < n; j++ {
		last |= uint64(s[j]) << (8 * (j - i))
	}
	v3 ^= last
	round()
	round()
	v0 ^= last
	v2 ^= 0xff
	round()
	round()
	round()
	round()
	return v0 ^ v1 ^ v2 ^ v3
}
