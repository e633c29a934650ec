package auth0logstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/pull"
)

// memStorage is a storage extension in memory. Its data outlives receivers,
// as a file_storage directory outlives a collector process.
type memStorage struct {
	component.StartFunc
	component.ShutdownFunc
	mu   sync.Mutex
	data map[string]map[string][]byte // client name -> key -> value
}

func newMemStorage() *memStorage { return &memStorage{data: map[string]map[string][]byte{}} }

func (m *memStorage) GetClient(_ context.Context, kind component.Kind, id component.ID, name string) (storage.Client, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := fmt.Sprintf("%s/%s/%s", kind, id, name)
	if m.data[key] == nil {
		m.data[key] = map[string][]byte{}
	}
	return &memClient{m: m, kv: m.data[key]}, nil
}

func (m *memStorage) value(name, key string) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, kv := range m.data {
		if strings.HasSuffix(k, "/"+name) {
			return kv[key]
		}
	}
	return nil
}

type memClient struct {
	m  *memStorage
	kv map[string][]byte
}

func (c *memClient) Get(_ context.Context, k string) ([]byte, error) {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	return bytes.Clone(c.kv[k]), nil
}

func (c *memClient) Set(_ context.Context, k string, v []byte) error {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	c.kv[k] = bytes.Clone(v)
	return nil
}

func (c *memClient) Delete(_ context.Context, k string) error {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	delete(c.kv, k)
	return nil
}

func (c *memClient) Batch(context.Context, ...*storage.Operation) error { return errors.New("unused") }
func (c *memClient) Close(context.Context) error                        { return nil }

type extHost struct {
	component.Host
	ext map[component.ID]component.Component
}

func (h extHost) GetExtensions() map[component.ID]component.Component { return h.ext }

var storageID = component.MustNewID("file_storage")

// fixedSettings keeps the receiver's ID across restarts: storage clients are
// per component ID, and NewNopSettings makes a new one each time.
func fixedSettings() receiver.Settings {
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type)
	return set
}

func hostWith(st *memStorage) component.Host {
	return extHost{Host: componenttest.NewNopHost(), ext: map[component.ID]component.Component{storageID: st}}
}

// fakeTenant is a scripted Management API over a fixed list of bare events.
type fakeTenant struct {
	t      *testing.T
	mu     sync.Mutex
	events []string // bare JSON, sorted by log_id
	ids    []string
	gets   int
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

// flat is one record with its resource and scope, ObservedTimestamp cleared.
type flat struct {
	resource map[string]any
	scope    string
	record   plog.LogRecord
}

func flatten(logs []plog.Logs) map[string]flat {
	out := map[string]flat{}
	for _, l := range logs {
		for i := range l.ResourceLogs().Len() {
			rl := l.ResourceLogs().At(i)
			for j := range rl.ScopeLogs().Len() {
				sl := rl.ScopeLogs().At(j)
				for k := range sl.LogRecords().Len() {
					lr := plog.NewLogRecord()
					sl.LogRecords().At(k).CopyTo(lr)
					lr.SetObservedTimestamp(0)
					uid, _ := lr.Attributes().Get("log.record.uid")
					out[uid.Str()] = flat{resource: rl.Resource().Attributes().AsRaw(), scope: sl.Scope().Name() + "@" + sl.Scope().Version(), record: lr}
				}
			}
		}
	}
	return out
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
	startPullReceiver(t, pullConfig(t, srv.URL), pulled, hostWith(newMemStorage()))
	waitRecords(t, pulled, len(evs))

	pushed := new(consumertest.LogsSink)
	url := startReceiver(t, testConfig(t), pushed)
	var body strings.Builder
	for i, e := range evs {
		fmt.Fprintf(&body, `{"log_id":%q,"data":%s}`+"\n", tenant.ids[i], e)
	}
	resp := post(t, url, testToken, strings.NewReader(body.String()))
	require.Equal(t, http.StatusOK, resp.status, resp.body)

	a, b := flatten(pushed.AllLogs()), flatten(pulled.AllLogs())
	require.Len(t, a, len(evs))
	require.Len(t, b, len(evs))
	for id, p := range a {
		q, ok := b[id]
		require.True(t, ok, id)
		assert.Equal(t, p.resource, q.resource, id)
		assert.Equal(t, p.scope, q.scope, id)
		assert.Equal(t, p.record.Body().AsRaw(), q.record.Body().AsRaw(), id)
		assert.Equal(t, p.record.Attributes().AsRaw(), q.record.Attributes().AsRaw(), id)
		assert.Equal(t, p.record.Timestamp(), q.record.Timestamp(), id)
		assert.Equal(t, p.record.SeverityNumber(), q.record.SeverityNumber(), id)
		assert.Equal(t, p.record.SeverityText(), q.record.SeverityText(), id)
		assert.Equal(t, p.record.EventName(), q.record.EventName(), id)
		_, hasID := q.record.Body().Map().Get("_id")
		assert.False(t, hasID, "the API's _id is not in the body")
	}
	// Resource grouping: two tenants, two ResourceLogs per chunk.
	assert.Equal(t, 2, pulled.AllLogs()[0].ResourceLogs().Len())
}

func TestPullCheckpointSurvivesRestart(t *testing.T) {
	evs := sampleEvents(9)
	tenant := newFakeTenant(t, evs[:5]...)
	srv := httptest.NewServer(tenant)
	defer srv.Close()
	st := newMemStorage()
	cfg := pullConfig(t, srv.URL)

	first := new(consumertest.LogsSink)
	stop := startPullReceiver(t, cfg, first, hostWith(st))
	waitRecords(t, first, 5)
	stop()
	var rec struct {
		LogID string `json:"log_id"`
	}
	require.NoError(t, json.Unmarshal(st.value(checkpointStorageName, pull.CheckpointKey), &rec))
	assert.Equal(t, tenant.ids[4], rec.LogID)

	tenant2 := newFakeTenant(t, evs...)
	tenant.mu.Lock()
	tenant.events, tenant.ids = tenant2.events, tenant2.ids
	tenant.mu.Unlock()
	second := new(consumertest.LogsSink)
	startPullReceiver(t, cfg, second, hostWith(st))
	waitRecords(t, second, 4)
	time.Sleep(150 * time.Millisecond) // a few more polls: nothing old comes back
	got := flatten(second.AllLogs())
	assert.Len(t, got, 4)
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
	startPullReceiver(t, pullConfig(t, srv.URL), next, hostWith(newMemStorage()))
	deadline := time.Now().Add(10 * time.Second)
	for next.count() < 4 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	require.GreaterOrEqual(t, next.count(), 4)
	next.set(nil)
	waitRecords(t, &next.LogsSink, len(evs))
	got := flatten(next.AllLogs())
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
	st := newMemStorage()
	startPullReceiver(t, pullConfig(t, srv.URL), next, hostWith(st))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var rec struct {
			LogID string `json:"log_id"`
		}
		if b := st.value(checkpointStorageName, pull.CheckpointKey); b != nil && json.Unmarshal(b, &rec) == nil && rec.LogID == tenant.ids[7] {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
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
	startPullReceiver(t, cfg, sink, hostWith(newMemStorage()))
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
	got := flatten(sink.AllLogs())
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

	type notStorage struct {
		component.StartFunc
		component.ShutdownFunc
	}
	other := extHost{Host: componenttest.NewNopHost(), ext: map[component.ID]component.Component{storageID: notStorage{}}}
	rcv, err = NewFactory().CreateLogs(context.Background(), fixedSettings(), cfg, consumertest.NewNop())
	require.NoError(t, err)
	err = rcv.Start(context.Background(), other)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `extension "file_storage" is not a storage extension`)
	require.NoError(t, rcv.Shutdown(context.Background()))
}

func TestDedupWindowSurvivesRestart(t *testing.T) {
	st := newMemStorage()
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
