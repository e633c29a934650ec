// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package pull

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/mgmtapi"
)

// fakeAPI serves ids "1".."n" (zero-padded to sort) in pages, with a next
// link "next:<last>", and [] with the same link once caught up.
type fakeAPI struct {
	mu       sync.Mutex
	ids      []string
	fetches  []mgmtapi.Cursor
	failNext int // fetches to fail before answering
	resolved mgmtapi.StartResolution
	resolves int
}

func id(i int) string { return fmt.Sprintf("900%06d", i) }

func newFakeAPI(n int) *fakeAPI {
	f := &fakeAPI{resolved: mgmtapi.StartResolution{From: id(0)}}
	for i := 1; i <= n; i++ {
		f.ids = append(f.ids, id(i))
	}
	return f
}

func (f *fakeAPI) add(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.ids = append(f.ids, id(len(f.ids)+1))
	}
}

func (f *fakeAPI) Fetch(_ context.Context, cur mgmtapi.Cursor) (*mgmtapi.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches = append(f.fetches, cur)
	if f.failNext > 0 {
		f.failNext--
		return nil, &mgmtapi.TransientError{Op: "logs", Attempts: 1, Last: errors.New("scripted")}
	}
	from, take := cur.From, cur.Take
	if cur.Next != "" {
		_, err := fmt.Sscanf(cur.Next, "next:%s", &from)
		if err != nil {
			return nil, err
		}
	}
	p := &mgmtapi.Page{RateLimitRemaining: -1}
	for _, x := range f.ids {
		if x > from && len(p.Events) < take {
			p.Events = append(p.Events, []byte(`{"log_id":"`+x+`"}`))
			p.LogIDs = append(p.LogIDs, x)
			p.Dates = append(p.Dates, time.Unix(int64(len(p.Events)), 0))
		}
	}
	last := from
	if n := len(p.LogIDs); n > 0 {
		last = p.LogIDs[n-1]
	}
	p.Next = "next:" + last
	return p, nil
}

func (f *fakeAPI) ResolveStart(context.Context, mgmtapi.Start, time.Time) (mgmtapi.StartResolution, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resolves++
	return f.resolved, nil
}

func (f *fakeAPI) Fetches() []mgmtapi.Cursor {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mgmtapi.Cursor(nil), f.fetches...)
}

// sink records accepted pages; refuse decides each attempt's answer.
type sink struct {
	mu       sync.Mutex
	accepted []string // log_ids, in order
	attempts int
	refuse   func(attempt int, events [][]byte) error
	onCall   func()
}

func (s *sink) consume(_ context.Context, events [][]byte) error {
	s.mu.Lock()
	s.attempts++
	n := s.attempts
	refuse := s.refuse
	s.mu.Unlock()
	if s.onCall != nil {
		s.onCall()
	}
	if refuse != nil {
		if err := refuse(n, events); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range events {
		s.accepted = append(s.accepted, string(e[len(`{"log_id":"`):len(e)-2]))
	}
	return nil
}

func (s *sink) Accepted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.accepted...)
}

type recTel struct {
	mu              sync.Mutex
	pages, events   int
	dropped, newest int
}

func (r *recTel) PageFetched(_ context.Context, n int) {
	r.mu.Lock()
	r.pages++
	r.events += n
	r.mu.Unlock()
}
func (r *recTel) PageDropped(_ context.Context, n int) { r.mu.Lock(); r.dropped += n; r.mu.Unlock() }
func (r *recTel) NewestEmitted(time.Time)              { r.mu.Lock(); r.newest++; r.mu.Unlock() }

func testConfig() Config {
	return Config{PageSize: 3, PollInterval: 20 * time.Millisecond, RetryInitial: 5 * time.Millisecond, RetryMax: 20 * time.Millisecond}
}

// runUntil runs the poller until cond holds (or 10 s pass), then stops it.
func runUntil(t *testing.T, p *Poller, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatal("condition not reached within 10s")
		}
		time.Sleep(2 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func ids(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, id(i))
	}
	return out
}

func TestPagesInOrderCheckpointAfterEach(t *testing.T) {
	api := newFakeAPI(8)
	store := &MemoryCheckpoints{}
	s := &sink{}
	tel := &recTel{}
	p, err := New(testConfig(), api, store, s.consume, tel, nil)
	require.NoError(t, err)
	runUntil(t, p, func() bool { return len(s.Accepted()) == 8 && len(api.Fetches()) >= 5 })

	assert.Equal(t, ids(1, 8), s.Accepted())
	// The resolved start, then the last log_id of each page.
	assert.Equal(t, []string{id(0), id(3), id(6), id(8)}, store.Saves())
	f := api.Fetches()
	assert.Equal(t, mgmtapi.Cursor{From: id(0), Take: 3}, f[0])
	assert.Equal(t, "next:"+id(3), f[1].Next, "the rel=next link is followed")
	assert.Equal(t, 1, api.resolves)
	tel.mu.Lock()
	assert.Equal(t, 8, tel.events)
	assert.GreaterOrEqual(t, tel.pages, 4)
	tel.mu.Unlock()
}

func TestResumesFromCheckpointWithoutResolving(t *testing.T) {
	api := newFakeAPI(6)
	store := &MemoryCheckpoints{}
	require.NoError(t, store.Save(context.Background(), id(4)))
	s := &sink{}
	p, err := New(testConfig(), api, store, s.consume, nil, nil)
	require.NoError(t, err)
	runUntil(t, p, func() bool { return len(s.Accepted()) == 2 })
	assert.Equal(t, ids(5, 6), s.Accepted())
	assert.Equal(t, 0, api.resolves)
	assert.Equal(t, id(4), api.Fetches()[0].From)
}

func TestRetryableRefusalRetriesTheSamePage(t *testing.T) {
	api := newFakeAPI(6)
	store := &MemoryCheckpoints{}
	s := &sink{refuse: func(attempt int, _ [][]byte) error {
		if attempt >= 2 && attempt <= 5 { // the second page is refused 4 times
			return errors.New("memory limiter: data refused")
		}
		return nil
	}}
	p, err := New(testConfig(), api, store, s.consume, nil, nil)
	require.NoError(t, err)
	var savesDuringRefusal []string
	s.onCall = func() {
		s.mu.Lock()
		a := s.attempts
		s.mu.Unlock()
		if a == 5 {
			savesDuringRefusal = store.Saves()
		}
	}
	runUntil(t, p, func() bool { return len(s.Accepted()) == 6 })
	assert.Equal(t, ids(1, 6), s.Accepted(), "nothing skipped, nothing twice")
	assert.Equal(t, []string{id(0), id(3)}, savesDuringRefusal, "no checkpoint past a refused page")
	assert.Equal(t, []string{id(0), id(3), id(6)}, store.Saves())
	// Fetches: page 1, page 2 (retried in place, not refetched), then the rest.
	assert.Equal(t, "next:"+id(3), api.Fetches()[1].Next)
	assert.Equal(t, "next:"+id(6), api.Fetches()[2].Next)
}

func TestPermanentRefusalMovesOn(t *testing.T) {
	api := newFakeAPI(6)
	store := &MemoryCheckpoints{}
	tel := &recTel{}
	s := &sink{refuse: func(attempt int, _ [][]byte) error {
		if attempt == 1 {
			return consumererror.NewPermanent(errors.New("bad data"))
		}
		return nil
	}}
	p, err := New(testConfig(), api, store, s.consume, tel, nil)
	require.NoError(t, err)
	runUntil(t, p, func() bool { return len(s.Accepted()) == 3 })
	assert.Equal(t, ids(4, 6), s.Accepted())
	assert.Equal(t, []string{id(0), id(3), id(6)}, store.Saves(), "the checkpoint moved past the dropped page")
	tel.mu.Lock()
	assert.Equal(t, 3, tel.dropped)
	tel.mu.Unlock()
}

func TestShutdownDuringRefusalCommitsNothing(t *testing.T) {
	api := newFakeAPI(3)
	store := &MemoryCheckpoints{}
	s := &sink{refuse: func(int, [][]byte) error { return errors.New("queue is full") }}
	p, err := New(testConfig(), api, store, s.consume, nil, nil)
	require.NoError(t, err)
	runUntil(t, p, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.attempts >= 3
	})
	assert.Equal(t, []string{id(0)}, store.Saves(), "only the resolved start; the refused page is not committed")
	assert.Empty(t, s.Accepted())
}

func TestEmptyPageWaitsPollIntervalAndKeepsTheLink(t *testing.T) {
	api := newFakeAPI(2)
	s := &sink{}
	cfg := testConfig()
	cfg.PollInterval = 150 * time.Millisecond
	p, err := New(cfg, api, &MemoryCheckpoints{}, s.consume, nil, nil)
	require.NoError(t, err)
	start := time.Now()
	added := false
	runUntil(t, p, func() bool {
		if !added && len(api.Fetches()) >= 3 {
			api.add(2)
			added = true
		}
		return len(s.Accepted()) == 4
	})
	elapsed := time.Since(start)
	assert.Equal(t, ids(1, 4), s.Accepted())
	f := api.Fetches()
	// page(1,2), [] , [] (after a poll interval), then the new events.
	require.GreaterOrEqual(t, len(f), 4)
	assert.Equal(t, "next:"+id(2), f[1].Next)
	assert.Equal(t, "next:"+id(2), f[2].Next, "the same next link after an empty page")
	assert.GreaterOrEqual(t, elapsed, 2*cfg.PollInterval, "two empty pages, each followed by poll_interval")
	assert.LessOrEqual(t, len(f), 2+int(elapsed/cfg.PollInterval)+1, "no polling faster than poll_interval once caught up")
}

func TestFullPagesDoNotWait(t *testing.T) {
	api := newFakeAPI(30)
	s := &sink{}
	cfg := testConfig()
	cfg.PollInterval = time.Hour // would stall the test if waited once
	p, err := New(cfg, api, &MemoryCheckpoints{}, s.consume, nil, nil)
	require.NoError(t, err)
	runUntil(t, p, func() bool { return len(s.Accepted()) == 30 })
	assert.Equal(t, ids(1, 30), s.Accepted())
}

func TestFetchErrorsBackOffAndContinue(t *testing.T) {
	api := newFakeAPI(3)
	api.failNext = 3
	s := &sink{}
	p, err := New(testConfig(), api, &MemoryCheckpoints{}, s.consume, nil, nil)
	require.NoError(t, err)
	runUntil(t, p, func() bool { return len(s.Accepted()) == 3 })
	f := api.Fetches()
	for i := range 4 {
		assert.Equal(t, id(0), f[i].From, "fetch %d retries the same cursor", i)
	}
}

func TestSaveFailureDoesNotStopThePull(t *testing.T) {
	api := newFakeAPI(6)
	store := &MemoryCheckpoints{Fail: errors.New("disk full")}
	s := &sink{}
	p, err := New(testConfig(), api, store, s.consume, nil, nil)
	require.NoError(t, err)
	runUntil(t, p, func() bool { return len(s.Accepted()) == 6 })
	assert.Equal(t, ids(1, 6), s.Accepted())
}

func TestConfigBounds(t *testing.T) {
	for _, n := range []int{0, 101} {
		cfg := testConfig()
		cfg.PageSize = n
		_, err := New(cfg, newFakeAPI(0), &MemoryCheckpoints{}, (&sink{}).consume, nil, nil)
		assert.Error(t, err, n)
	}
}

// memStorage is a storage.Client on a map.
type memStorage struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *memStorage) Get(_ context.Context, k string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[k], nil
}

func (s *memStorage) Set(_ context.Context, k string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = append([]byte(nil), v...)
	return nil
}

func (s *memStorage) Delete(_ context.Context, k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	return nil
}

func (s *memStorage) Batch(context.Context, ...*storage.Operation) error { return errors.New("unused") }
func (s *memStorage) Close(context.Context) error                        { return nil }

func TestStorageCheckpoints(t *testing.T) {
	ms := &memStorage{m: map[string][]byte{}}
	cp := &StorageCheckpoints{Client: ms, now: func() time.Time { return time.Unix(100, 0) }}
	ctx := context.Background()
	got, err := cp.Load(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)
	require.NoError(t, cp.Save(ctx, "90020250115"))
	got, err = cp.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, "90020250115", got)
	assert.JSONEq(t, `{"log_id":"90020250115","saved_at":"1970-01-01T00:01:40Z"}`, string(ms.m[CheckpointKey]))

	ms.m[CheckpointKey] = []byte("garbage")
	_, err = cp.Load(ctx)
	assert.ErrorContains(t, err, "unreadable")
}
