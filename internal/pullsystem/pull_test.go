// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package pullsystem

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0emu"
	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

const dedupOnFileStorage = "receivers::auth0logstream::deduplication::storage: file_storage"

// TestBackfillSurvivesKill backfills 20,000 events, kills the collector with
// SIGKILL in the middle and restarts it on the same file_storage directory
// (pull checkpoint, dedup window and sending queue): every event reaches the
// sink. Duplicates are counted: what the exporter's queue sends again after
// a crash, and pages re-read because the kill fell between a page's
// acceptance and its checkpoint.
func TestBackfillSurvivesKill(t *testing.T) {
	s := newStack(t, auth0emu.Options{})
	ids := s.generate(101, 20_000, 3*time.Hour)
	s.startSink()
	section := s.pullSection(100, 20, "file_storage")
	s.startCollector("collector-1", false, section, dedupOnFileStorage)

	if !testproc.WaitUntil(60*time.Second, 20*time.Millisecond, func() bool { s.pollSink(); return s.tally.Records >= 6000 }) {
		t.Fatalf("only %d events at the sink before the kill; want 6000", s.tally.Records)
	}
	served := s.emu.Stats().EventsServed
	if err := s.collector.Kill(); err == nil {
		t.Fatal("collector exited 0 on SIGKILL; want killed")
	}
	s.pollSink()
	t.Logf("kill -9 with %d events served by the emulator, %d at the sink", served, s.tally.Records)

	s.startCollector("collector-2", false, section, dedupOnFileStorage)
	s.waitDelivered(ids)
	st := s.emu.Stats()
	t.Logf("backfill+kill: events=%d delivered=%d sink_records=%d duplicates=%d; emulator served %d events in %d logs requests (%d tokens)",
		len(ids), len(ids)-len(s.tally.Missing(ids)), s.tally.Records, s.duplicates(), st.EventsServed, st.LogsRequests, st.TokensIssued)
	if extra := len(s.tally.Counts) - len(ids); extra != 0 {
		t.Errorf("%d log_ids at the sink that the emulator never served", extra)
	}
	if st.EventsServed > len(ids)+2*100 {
		t.Errorf("the restart re-read %d events; the checkpoint should limit that to about one page", st.EventsServed-len(ids))
	}
}

// TestPersistedDedupWindowAfterKill pulls 3,000 events, kills the collector
// with SIGKILL, and restarts it with its pull checkpoint on a fresh storage
// (so it reads all 3,000 again) but the dedup window on the old one: with
// deduplication.storage no event reaches the sink twice; without it, every
// one does.
func TestPersistedDedupWindowAfterKill(t *testing.T) {
	for _, tc := range []struct {
		name      string
		persisted bool
	}{{"persisted window", true}, {"no dedup storage", false}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t, auth0emu.Options{})
			ids := s.generate(202, 3000, time.Hour)
			s.startSink()
			var dedup []string
			if tc.persisted {
				dedup = []string{dedupOnFileStorage}
			}
			s.startCollector("collector-1", false, append([]string{s.pullSection(100, 20, "file_storage")}, dedup...)...)
			s.waitDelivered(ids)
			time.Sleep(1500 * time.Millisecond) // past the window's 1 s save interval
			if err := s.collector.Kill(); err == nil {
				t.Fatal("collector exited 0 on SIGKILL; want killed")
			}
			before := s.tally.Records
			servedBefore := s.emu.Stats().EventsServed

			fresh := t.TempDir()
			s.startCollector("collector-2", false, append([]string{
				s.pullSection(100, 20, "file_storage/fresh"),
				"extensions::file_storage/fresh: {directory: " + fresh + ", create_directory: true}",
				"service::extensions: [health_check, file_storage, file_storage/fresh]",
			}, dedup...)...)
			if !testproc.WaitUntil(60*time.Second, 100*time.Millisecond, func() bool {
				return s.emu.Stats().EventsServed >= servedBefore+len(ids)
			}) {
				t.Fatalf("the restarted collector did not read the %d events again", len(ids))
			}
			s.waitDelivered(ids)
			time.Sleep(2 * time.Second) // the exporter's batch flush (1 s) and the sink's file flush
			s.pollSink()
			dups := s.duplicates()
			t.Logf("%s: events=%d, sink records before the restart=%d, after=%d, duplicates=%d", tc.name, len(ids), before, s.tally.Records, dups)
			if before != len(ids) {
				t.Errorf("before the kill the sink held %d records, want %d", before, len(ids))
			}
			if tc.persisted && dups != 0 {
				t.Errorf("%d duplicates with the persisted window, want 0", dups)
			}
			if !tc.persisted && dups != len(ids) {
				t.Errorf("%d duplicates without dedup storage, want %d (every re-read event)", dups, len(ids))
			}
		})
	}
}

// TestPushAndPullOverlap runs push and pull in one collector over the same
// 5,000 events (posted as a stream's batches while the pull reads them):
// each log_id reaches the sink once.
func TestPushAndPullOverlap(t *testing.T) {
	s := newStack(t, auth0emu.Options{})
	opts := failuresOnly
	opts.Start = time.Now().Add(-time.Hour)
	evs, err := s.emu.Generate(303, 5000, opts)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.LogID
	}
	s.startSink()
	s.startCollector("collector", true, s.pullSection(100, 5, "file_storage"))

	// Four senders post the events in batches of 100, in the same order the
	// pull reads them, so both sources meet on the same log_ids.
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := w * 100; b < len(evs); b += 400 {
				body := auth0gen.Encode(auth0gen.JSONArray, evs[b:min(b+100, len(evs))])
				for range 3 {
					code, _, err := s.post(body)
					mu.Lock()
					statuses[code]++
					mu.Unlock()
					if err == nil && code == http.StatusOK {
						break
					}
					time.Sleep(500 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	s.waitDelivered(ids)
	if !testproc.WaitUntil(60*time.Second, 200*time.Millisecond, func() bool { return s.emu.Stats().EventsServed >= len(ids) }) {
		t.Fatalf("the pull did not read all %d events", len(ids))
	}
	time.Sleep(settleTime)
	s.pollSink()
	t.Logf("push+pull: events=%d sink_records=%d duplicates=%d push statuses=%v emulator served %d",
		len(ids), s.tally.Records, s.duplicates(), statuses, s.emu.Stats().EventsServed)
	if d := s.duplicates(); d != 0 {
		t.Errorf("%d log_ids reached the sink more than once", d)
	}
}
