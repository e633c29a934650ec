// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package pulltest runs the auth0logstream receiver in-process, through its
// public factory, against the Management API emulator (internal/auth0emu).
package pulltest

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0emu"
	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream"
)

var storageID = component.MustNewID("file_storage")

// memHost is a host with contrib's in-memory test storage as file_storage:
// each receiver Start gets empty clients (a fresh checkpoint).
func memHost() component.Host {
	return storagetest.NewStorageHost().WithExtension(storageID, storagetest.NewInMemoryStorageExtension("pulltest"))
}

// diskHost is a host with contrib's file-backed test storage in dir as
// file_storage: what a receiver's clients hold is written when they close
// and read back by the next receiver, as a file_storage directory outlives
// a collector process.
func diskHost(dir string) component.Host {
	return storagetest.NewStorageHost().WithExtension(storageID, storagetest.NewFileBackedStorageExtension("pulltest", dir))
}

// startEmu starts an emulator with n events dated over the last hour.
func startEmu(t testing.TB, opts auth0emu.Options, n int) (*auth0emu.Server, []auth0gen.Event) {
	t.Helper()
	emu := auth0emu.New(opts)
	require.NoError(t, emu.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = emu.Close() })
	var evs []auth0gen.Event
	if n > 0 {
		var err error
		evs, err = emu.Generate(7, n, auth0gen.Options{Start: time.Now().Add(-time.Hour)})
		require.NoError(t, err)
	}
	return emu, evs
}

// config builds a receiver configuration from YAML-like keys, the way a
// collector does, so the tests drive the documented keys.
func config(t testing.TB, raw map[string]any) *auth0logstream.Config {
	t.Helper()
	cfg := auth0logstream.NewFactory().CreateDefaultConfig().(*auth0logstream.Config)
	require.NoError(t, confmap.NewFromStringMap(raw).Unmarshal(cfg))
	require.NoError(t, cfg.Validate())
	return cfg
}

// pullOnly is a pull-only configuration against emu; extra keys of
// management_api override the defaults here.
func pullOnly(emu *auth0emu.Server, extra map[string]any) map[string]any {
	mc := map[string]any{
		"domain":                  auth0emu.DefaultDomain,
		"endpoint":                emu.URL(),
		"client_id":               auth0emu.DefaultClientID,
		"client_secret":           auth0emu.DefaultClientSecret,
		"page_size":               100,
		"poll_interval":           "100ms",
		"max_requests_per_second": 50,
		"start_at":                "24h",
		"storage":                 "file_storage",
	}
	for k, v := range extra {
		mc[k] = v
	}
	return map[string]any{"endpoint": "", "retry_after": "250ms", "management_api": mc}
}

func settings(logger *zap.Logger) receiver.Settings {
	set := receivertest.NewNopSettings(auth0logstream.NewFactory().Type())
	set.ID = component.NewID(auth0logstream.NewFactory().Type()) // stable across restarts, like a real config
	if logger != nil {
		set.Logger = logger
	}
	return set
}

// start runs a receiver until the test ends (or stop is called).
func start(t testing.TB, cfg *auth0logstream.Config, next consumer.Logs, h component.Host, logger *zap.Logger) (stop func()) {
	t.Helper()
	rcv, err := auth0logstream.NewFactory().CreateLogs(context.Background(), settings(logger), cfg, next)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), h))
	var once sync.Once
	stop = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			require.NoError(t, rcv.Shutdown(ctx))
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond every 10 ms for up to timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !testproc.WaitUntil(timeout, 10*time.Millisecond, cond) {
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
	}
}

// uids counts records per log.record.uid.
func uids(logs []plog.Logs) map[string]int {
	out := map[string]int{}
	for _, l := range logs {
		for i := range l.ResourceLogs().Len() {
			sls := l.ResourceLogs().At(i).ScopeLogs()
			for j := range sls.Len() {
				lrs := sls.At(j).LogRecords()
				for k := range lrs.Len() {
					v, _ := lrs.At(k).Attributes().Get("log.record.uid")
					out[v.Str()]++
				}
			}
		}
	}
	return out
}

// allOnce checks every event arrived exactly once.
func allOnce(t testing.TB, sink *consumertest.LogsSink, evs []auth0gen.Event) {
	t.Helper()
	got := uids(sink.AllLogs())
	var missing, twice []string
	for _, ev := range evs {
		switch got[ev.LogID] {
		case 0:
			missing = append(missing, ev.LogID)
		case 1:
		default:
			twice = append(twice, ev.LogID)
		}
	}
	require.Empty(t, missing, "missing events")
	require.Empty(t, twice, "events delivered more than once")
	require.Len(t, got, len(evs), "no record that the emulator did not serve")
}

// listeningSockets counts this process's TCP sockets in LISTEN state.
func listeningSockets(t testing.TB) int {
	t.Helper()
	listening := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for i, line := range strings.Split(string(b), "\n") {
			fields := strings.Fields(line)
			if i == 0 || len(fields) < 10 {
				continue
			}
			if fields[3] == "0A" { // TCP_LISTEN
				listening[fields[9]] = true
			}
		}
	}
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err != nil {
			continue
		}
		if inode, ok := strings.CutPrefix(target, "socket:["); ok && listening[strings.TrimSuffix(inode, "]")] {
			n++
		}
	}
	return n
}

var testClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
