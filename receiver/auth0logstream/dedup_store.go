// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/dedup"
)

// The dedup window survives restarts when deduplication.storage names a
// storage extension: it is loaded at Start, saved every dedupSaveInterval
// while it changes, and at Shutdown. A crash loses at most the last
// interval's additions, whose pages the pull checkpoint has usually passed.

const (
	dedupStoreKey     = "auth0_dedup_window"
	dedupSaveInterval = time.Second
)

// dedupStore saves and loads a dedup.Set through a storage client.
type dedupStore struct {
	set    *dedup.Set
	client storage.Client
	logger *zap.Logger

	mu           sync.Mutex // serializes saves
	savedChanges uint64
	stop         chan struct{}
	done         chan struct{}
}

// storageClient gets a storage client from the extension named id.
func storageClient(ctx context.Context, host component.Host, id, owner component.ID, name string) (storage.Client, error) {
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
func startDedupStore(ctx context.Context, set *dedup.Set, client storage.Client, logger *zap.Logger) (*dedupStore, error) {
	s := &dedupStore{set: set, client: client, logger: logger, stop: make(chan struct{}), done: make(chan struct{})}
	b, err := client.Get(ctx, dedupStoreKey)
	if err != nil {
		return nil, fmt.Errorf("reading the deduplication window: %w", err)
	}
	loaded := 0
	if b != nil {
		if loaded, err = set.Restore(b); err != nil {
			// An unreadable window only costs duplicates; start a new one.
			logger.Warn("Stored deduplication window is unreadable; starting an empty one", zap.Error(err))
			loaded = 0
		}
	}
	s.savedChanges = set.Changes()
	logger.Info("Deduplication window loaded from storage", zap.Int("entries", loaded))
	go s.loop() //nolint:gosec // G118: the saver outlives Start; shutdown stops it
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
	if s.set.Changes() == s.savedChanges {
		return nil
	}
	b, changes := s.set.Snapshot()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.client.Set(ctx, dedupStoreKey, b); err != nil {
		return err
	}
	s.savedChanges = changes
	return nil
}

// shutdown stops the saver, saves a last time and closes the client.
func (s *dedupStore) shutdown(ctx context.Context) error {
	close(s.stop)
	<-s.done
	return errors.Join(s.save(ctx), s.client.Close(ctx))
}
