// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package pull

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// CheckpointStore keeps the log_id to continue after.
type CheckpointStore interface {
	// Load returns the saved log_id, or "" when there is none.
	Load(ctx context.Context) (string, error)
	Save(ctx context.Context, logID string) error
}

// CheckpointKey is the storage key of the checkpoint.
const CheckpointKey = "auth0_pull_checkpoint"

// checkpointRecord is what is stored: JSON, so that an operator can read it
// with the storage's own tools and later versions can add fields.
type checkpointRecord struct {
	LogID   string    `json:"log_id"`
	SavedAt time.Time `json:"saved_at"`
}

// StorageCheckpoints is a CheckpointStore on a storage extension's client.
type StorageCheckpoints struct {
	Client storage.Client
	Key    string // CheckpointKey when empty
	now    func() time.Time
}

func (s *StorageCheckpoints) key() string {
	if s.Key == "" {
		return CheckpointKey
	}
	return s.Key
}

// Load reads the checkpoint.
func (s *StorageCheckpoints) Load(ctx context.Context) (string, error) {
	b, err := s.Client.Get(ctx, s.key())
	if err != nil {
		return "", err
	}
	if b == nil {
		return "", nil
	}
	var rec checkpointRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return "", fmt.Errorf("stored checkpoint under %q is unreadable: %w", s.key(), err)
	}
	if rec.LogID == "" {
		return "", errors.New("stored checkpoint has no log_id")
	}
	return rec.LogID, nil
}

// Save writes the checkpoint.
func (s *StorageCheckpoints) Save(ctx context.Context, logID string) error {
	now := time.Now
	if s.now != nil {
		now = s.now
	}
	b, err := json.Marshal(checkpointRecord{LogID: logID, SavedAt: now().UTC()})
	if err != nil {
		return err
	}
	return s.Client.Set(ctx, s.key(), b)
}

// MemoryCheckpoints is a CheckpointStore in memory, for tests.
type MemoryCheckpoints struct {
	mu    sync.Mutex
	logID string
	saves []string
	// Fail, when set, is returned by Save.
	Fail error
}

func (m *MemoryCheckpoints) Load(context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.logID, nil
}

func (m *MemoryCheckpoints) Save(_ context.Context, logID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	m.logID = logID
	m.saves = append(m.saves, logID)
	return nil
}

// Saves lists every saved log_id in order.
func (m *MemoryCheckpoints) Saves() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.saves...)
}
