// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/pull"
)

var storageID = component.MustNewID("file_storage")

// fixedSettings keeps the receiver's ID across restarts: storage clients are
// per component ID, and NewNopSettings makes a new one each time.
func fixedSettings() receiver.Settings {
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type)
	return set
}

// memHost is a host whose file_storage is contrib's in-memory test storage:
// every Start gets empty clients.
func memHost() component.Host {
	return hostWith(storagetest.NewInMemoryStorageExtension("mem"))
}

// diskStorage is contrib's file-backed test storage on a new directory: a
// client's data is written when it closes and read by the next GetClient, so
// it outlives a receiver, as a file_storage directory outlives a collector.
func diskStorage(t *testing.T) *storagetest.TestStorage {
	return storagetest.NewFileBackedStorageExtension("disk", t.TempDir())
}

func hostWith(ext extension.Extension) component.Host {
	return storagetest.NewStorageHost().WithExtension(storageID, ext)
}

// stored reads key from the storage client the receiver of fixedSettings
// gets under name (checkpointStorageName, dedupStorageName).
func stored(t *testing.T, st *storagetest.TestStorage, name, key string) []byte {
	t.Helper()
	ctx := context.Background()
	client, err := st.GetClient(ctx, component.KindReceiver, fixedSettings().ID, name)
	require.NoError(t, err)
	b, err := client.Get(ctx, key)
	require.NoError(t, err)
	require.NoError(t, client.Close(ctx))
	return b
}

// fakeTenant is a scripted Management API over a fixed list of bare events.
type fakeTenant struct {
	t      *testing.T
	mu     sync.Mutex
	events []string // bare JSON, sorted by log_id
	ids    []string
	gets   int
	froms  []string // the from of each logs request
}

func newFakeTenant(t *testing.T, events ...string) *fakeTenant {
	ft := &fakeTenant{t: t}
	for _, e := range events {
		var m struct {
			LogID string `json:"log_id"`
		}
		require.NoError(t, json.Unmarshal([]byte(e), &m))
		ft.events = append(ft.events, e)
		ft.ids = append(ft.ids, m.LogID)
	}
	return ft
}

func (f *fakeTenant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/oauth/token":
		_, _ = w.Write([]byte(`{"access_token":"tok","token_type":"Bearer","expires_in":86400}`))
		return
	case "/api/v2/logs":
	default:
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer tok" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	q := r.URL.Query()
	if !q.Has("from") {
		_, _ = w.Write([]byte("[]")) // search mode: an empty tenant as far as start_at goes
		return
	}
	take, _ := strconv.Atoi(q.Get("take"))
	from := q.Get("from")
	f.froms = append(f.froms, from)
	var sel []string
	last := from
	for i, id := range f.ids {
		if id > from && len(sel) < take {
			// The API adds _id, a copy of log_id.
			sel = append(sel, strings.TrimSuffix(f.events[i], "}")+`,"_id":"`+id+`"}`)
			last = id
		}
	}
	w.Header().Set("Link", fmt.Sprintf(`<http://%s/api/v2/logs?from=%s&take=%d>; rel="next"`, r.Host, last, take))
	_, _ = w.Write([]byte("[" + strings.Join(sel, ",") + "]"))
}

// asked tells whether a logs request has asked for the events after from.
func (f *fakeTenant) asked(from string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Contains(f.froms, from)
}

// sampleEvents are bare tenant-log events of the last hour.
func sampleEvents(n int) []string {
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	types := []string{"fp", "s", "limit_wc", "zz_new_code", "sapi"}
	var out []string
	for i := range n {
		at := base.Add(time.Duration(i) * time.Second)
		id := fmt.Sprintf("900%s%039d", at.Format("20060102150405"), i)
		tenant := "acme-prod"
		if i%3 == 2 {
			tenant = "acme-dev"
		}
		out = append(out, fmt.Sprintf(`{"date":%q,"type":%q,"description":"event %d","ip":"203.0.113.%d","user_id":"auth0|u%d","user_name":"u%d@example.com","client_id":"cid","client_name":"App","connection":"Username-Password-Authentication","scope":"openid profile","details":{"session_id":"sess-%d","error":{"message":"x"}},"hostname":"acme.eu.auth0.com","tenant_name":%q,"environment_name":"prod-eu-1","log_id":%q}`,
			at.Format("2006-01-02T15:04:05.000Z"), types[i%len(types)], i, i%250, i, i, i, tenant, id))
	}
	return out
}

func pullConfig(t *testing.T, tenantURL string) *Config {
	cfg := testConfig(t)
	cfg.ServerConfig.NetAddr.Endpoint = ""
	mc := defaultManagementAPIConfig()
	mc.Domain = "acme.eu.auth0.com"
	mc.Endpoint = tenantURL
	mc.ClientID = "cid"
	mc.ClientSecret = "secret"
	mc.PageSize = 4
	mc.PollInterval = 50 * time.Millisecond
	mc.MaxRequestsPerSecond = 50
	mc.Storage = &storageID
	cfg.ManagementAPI.GetOrInsertDefault()
	*cfg.ManagementAPI.Get() = mc
	cfg.RetryAfter = 100 * time.Millisecond
	return cfg
}

func startPullReceiver(t *testing.T, cfg *Config, next consumer.Logs, host component.Host) func() {
	t.Helper()
	require.NoError(t, cfg.Validate())
	rcv, err := NewFactory().CreateLogs(context.Background(), fixedSettings(), cfg, next)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), host))
	var once sync.Once
	stop := func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			require.NoError(t, rcv.Shutdown(ctx))
		})
	}
	t.Cleanup(stop)
	return stop
}

func waitRecords(t *testing.T, sink *consumertest.LogsSink, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for sink.LogRecordCount() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d records after 10s, want %d", sink.LogRecordCount(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// byResource merges chunks into one plog.Logs with one ResourceLogs (of one
// ScopeLogs) per resource and scope, so that plogtest.CompareLogs matches the
// records however push and pull chunked them. It also returns each record's
// EventName (which CompareLogs does not compare) by its log.record.uid.
func byResource(chunks []plog.Logs) (plog.Logs, map[string]string) {
	out := plog.NewLogs()
	groups := map[string]plog.LogRecordSlice{}
	events := map[string]string{}
	for _, ld := range chunks {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				key := fmt.Sprint(rl.SchemaUrl(), rl.Resource().Attributes().AsRaw(), sl.SchemaUrl(), sl.Scope().Name(), sl.Scope().Version())
				into, ok := groups[key]
				if !ok {
					group := out.ResourceLogs().AppendEmpty()
					rl.Resource().CopyTo(group.Resource())
					scope := group.ScopeLogs().AppendEmpty()
					sl.Scope().CopyTo(scope.Scope())
					group.SetSchemaUrl(rl.SchemaUrl())
					scope.SetSchemaUrl(sl.SchemaUrl())
					into = scope.LogRecords()
					groups[key] = into
				}
				for _, lr := range sl.LogRecords().All() {
					uid, _ := lr.Attributes().Get("log.record.uid")
					events[uid.Str()] = lr.EventName()
					lr.CopyTo(into.AppendEmpty())
				}
			}
		}
	}
	return out, events
}

// TestPullRecordsEqualPushRecords sends the same events through push (as
// a stream's envelopes) and through pull (as the API's bare objects, with
// _id): every LogRecord is the same, ObservedTimestamp aside.
func TestPullRecordsEqualPushRecords(t *testing.T) {
	evs := sampleEvents(10)
	tenant := newFakeTenant(t, evs...)
	srv := httptest.NewServer(tenant)
	defer srv.Close()

	pulled := new(consumertest.LogsSink)
	startPullReceiver(t, pullConfig(t, srv.URL), pulled, memHost())
	waitRecords(t, pulled, len(evs))

	pushed := new(consumertest.LogsSink)
	url := startReceiver(t, testConfig(t), pushed)
	var body strings.Builder
	for i, e := range evs {
		fmt.Fprintf(&body, `{"log_id":%q,"data":%s}`+"\n", tenant.ids[i], e)
	}
	resp := post(t, url, testToken, strings.NewReader(body.String()))
	require.Equal(t, http.StatusOK, resp.status, resp.body)

	a, aEvents := byResource(pushed.AllLogs())
	b, bEvents := byResource(pulled.AllLogs())
	require.Len(t, aEvents, len(evs))
	require.Len(t, bEvents, len(evs))
	require.Equal(t, len(evs), a.LogRecordCount())
	require.Equal(t, len(evs), b.LogRecordCount())
	assert.NoError(t, plogtest.CompareLogs(a, b,
		plogtest.IgnoreObservedTimestamp(), plogtest.IgnoreResourceLogsOrder(),
		plogtest.IgnoreScopeLogsOrder(), plogtest.IgnoreLogRecordsOrder()))
	assert.Equal(t, aEvents, bEvents, "EventName by log.record.uid")
	js, err := (&plog.JSONMarshaler{}).MarshalLogs(b)
	require.NoError(t, err)
	assert.NotContains(t, string(js), `"key":"_id"`, "the API's _id is in no body or attribute")
	// Resource grouping: two tenants, two ResourceLogs per chunk.
	assert.Equal(t, 2, pulled.AllLogs()[0].ResourceLogs().Len())
}

func TestPullCheckpointSurvivesRestart(t *testing.T) {
	evs := sampleEvents(9)
	tenant := newFakeTenant(t, evs[:5]...)
	srv := httptest.NewServer(tenant)
	defer srv.Close()
	st := diskStorage(t)
	cfg := pullConfig(t, srv.URL)

	first := new(consumertest.LogsSink)
	stop := startPullReceiver(t, cfg, first, hostWith(st))
	waitRecords(t, first, 5)
	stop()
	var rec struct {
		LogID string `json:"log_id"`
	}
	require.NoError(t, json.Unmarshal(stored(t, st, checkpointStorageName, pull.CheckpointKey), &rec))
	assert.Equal(t, tenant.ids[4], rec.LogID)

	tenant2 := newFakeTenant(t, evs...)
	tenant.mu.Lock()
	tenant.events, tenant.ids = tenant2.events, tenant2.ids
	tenant.mu.Unlock()
	second := new(consumertest.LogsSink)
	startPullReceiver(t, cfg, second, hostWith(st))
	waitRecords(t, second, 4)
	time.Sleep(150 * time.Millisecond) // a few more polls: nothing old comes back
	_, got := byResource(second.AllLogs())
	assert.Len(t, got, 4)
	assert.Equal(t, 4, second.LogRecordCount(), "each new event once")
	for _, id := range tenant2.ids[5:] {
		assert.Contains(t, got, id)
	}
}

// refusing refuses every ConsumeLogs until allowed.
type refusing struct {
	consumertest.LogsSink
	mu      sync.Mutex
	refuse  error
	refused int
}

func (r *refusing) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	r.mu.Lock()
	err := r.refuse
	if err != nil {
		r.refused++
	}
	r.mu.Unlock()
	if err != nil {
		return err
	}
	return r.LogsSink.ConsumeLogs(ctx, ld)
}

func (r *refusing) set(err error) {
	r.mu.Lock()
	r.refuse = err
	r.mu.Unlock()
}

func (r *refusing) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refused
}

func TestPullRetryableRefusalSkipsNothing(t *testing.T) {
	evs := sampleEvents(12)
	tenant := newFakeTenant(t, evs...)
	srv := httptest.NewServer(tenant)
	defer srv.Close()
	next := &refusing{}
	next.set(errors.New("sending queue is full"))
	startPullReceiver(t, pullConfig(t, srv.URL), next, memHost())
	deadline := time.Now().Add(10 * time.Second)
	for next.count() < 4 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	require.GreaterOrEqual(t, next.count(), 4)
	next.set(nil)
	waitRecords(t, &next.LogsSink, len(evs))
	_, got := byResource(next.AllLogs())
	assert.Len(t, got, len(evs))
	assert.Equal(t, len(evs), next.LogRecordCount(), "each event once")
}

func TestPullPermanentRefusalMovesOn(t *testing.T) {
	evs := sampleEvents(8)
	tenant := newFakeTenant(t, evs...)
	srv := httptest.NewServer(tenant)
	defer srv.Close()
	next := &refusing{}
	next.set(consumererror.NewPermanent(errors.New("bad")))
	st := diskStorage(t)
	stop := startPullReceiver(t, pullConfig(t, srv.URL), next, hostWith(st))
	// The poller saves a page's checkpoint before it asks for the next page;
	// the test storage writes it out when the receiver closes its client.
	deadline := time.Now().Add(10 * time.Second)
	for !tenant.asked(tenant.ids[7]) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	require.True(t, tenant.asked(tenant.ids[7]), "the poller moved past both pages")
	stop()
	var rec struct {
		LogID string `json:"log_id"`
	}
	require.NoError(t, json.Unmarshal(stored(t, st, checkpointStorageName, pull.CheckpointKey), &rec))
	assert.Equal(t, tenant.ids[7], rec.LogID, "the checkpoint is past the refused pages")
	assert.Equal(t, 2, next.count(), "two pages of 4, each refused once and passed")
	assert.Equal(t, 0, next.LogRecordCount())
}

// TestPushAndPullShareTheDedupWindow: events pushed first are not emitted
// again when pull reads them.
func TestPushAndPullShareTheDedupWindow(t *testing.T) {
	evs := sampleEvents(8)
	tenant := newFakeTenant(t, evs...)
	srv := httptest.NewServer(tenant)
	defer srv.Close()

	cfg := pullConfig(t, srv.URL)
	cfg.ServerConfig.NetAddr.Endpoint = freeLocalAddr(t)
	sink := new(consumertest.LogsSink)
	// The tenant looks empty until the first five have been pushed.
	tenant.mu.Lock()
	all, allIDs := tenant.events, tenant.ids
	tenant.events, tenant.ids = nil, nil
	tenant.mu.Unlock()
	startPullReceiver(t, cfg, sink, memHost())
	var body strings.Builder
	for i := range 5 {
		fmt.Fprintf(&body, `{"log_id":%q,"data":%s}`+"\n", allIDs[i], all[i])
	}
	resp := post(t, "http://"+cfg.ServerConfig.NetAddr.Endpoint+cfg.Path, testToken, strings.NewReader(body.String()))
	require.Equal(t, http.StatusOK, resp.status, resp.body)
	tenant.mu.Lock()
	tenant.events, tenant.ids = all, allIDs
	tenant.mu.Unlock()

	waitRecords(t, sink, 8)
	time.Sleep(200 * time.Millisecond)
	_, got := byResource(sink.AllLogs())
	assert.Len(t, got, 8)
	assert.Equal(t, 8, sink.LogRecordCount(), "each log_id once across push and pull")
}

func TestPullStorageMustExist(t *testing.T) {
	cfg := pullConfig(t, "http://127.0.0.1:1")
	rcv, err := NewFactory().CreateLogs(context.Background(), fixedSettings(), cfg, consumertest.NewNop())
	require.NoError(t, err)
	err = rcv.Start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `management_api.storage: storage extension "file_storage" is not configured`)
	require.NoError(t, rcv.Shutdown(context.Background()))

	other := hostWith(storagetest.NewNonStorageExtension("other"))
	rcv, err = NewFactory().CreateLogs(context.Background(), fixedSettings(), cfg, consumertest.NewNop())
	require.NoError(t, err)
	err = rcv.Start(context.Background(), other)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `extension "file_storage" is not a storage extension`)
	require.NoError(t, rcv.Shutdown(context.Background()))
}

func TestDedupWindowSurvivesRestart(t *testing.T) {
	st := diskStorage(t)
	cfg := testConfig(t)
	cfg.Deduplication.Storage = &storageID
	evs := sampleEvents(6)
	var body strings.Builder
	for _, e := range evs {
		var m struct {
			LogID string `json:"log_id"`
		}
		require.NoError(t, json.Unmarshal([]byte(e), &m))
		fmt.Fprintf(&body, `{"log_id":%q,"data":%s}`+"\n", m.LogID, e)
	}

	first := new(consumertest.LogsSink)
	rcv, err := NewFactory().CreateLogs(context.Background(), fixedSettings(), cfg, first)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), hostWith(st)))
	url := "http://" + cfg.ServerConfig.NetAddr.Endpoint + cfg.Path
	require.Equal(t, http.StatusOK, post(t, url, testToken, strings.NewReader(body.String())).status)
	require.NoError(t, rcv.Shutdown(context.Background()))
	assert.Equal(t, 6, first.LogRecordCount())

	second := new(consumertest.LogsSink)
	rcv, err = NewFactory().CreateLogs(context.Background(), fixedSettings(), cfg, second)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), hostWith(st)))
	resp := post(t, url, testToken, strings.NewReader(body.String()))
	require.NoError(t, rcv.Shutdown(context.Background()))
	assert.Equal(t, http.StatusOK, resp.status)
	assert.Contains(t, resp.body, `"duplicates":6`)
	assert.Equal(t, 0, second.LogRecordCount(), "the restarted receiver remembers what the first delivered")

	// Without the storage, the same restart forgets.
	cfg.Deduplication.Storage = nil
	third := new(consumertest.LogsSink)
	startReceiver(t, cfg, third)
	require.Equal(t, http.StatusOK, post(t, url, testToken, strings.NewReader(body.String())).status)
	assert.Equal(t, 6, third.LogRecordCount())
}
