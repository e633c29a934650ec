// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/geoip/geoiptest"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonframe"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonpdata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/translator"
)

// writeTestDB writes a City-edition database of geoiptest.Sample.
func writeTestDB(t testing.TB, edition geoiptest.Edition) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "GeoLite2-City.mmdb")
	geoiptest.Write(t, path, edition, geoiptest.Sample, geoiptest.Options{})
	return path
}

// attrsByUID maps each record's log.record.uid to its attributes.
func attrsByUID(t *testing.T, logs []plog.Logs) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, ld := range logs {
		for i := range ld.ResourceLogs().Len() {
			sls := ld.ResourceLogs().At(i).ScopeLogs()
			for j := range sls.Len() {
				lrs := sls.At(j).LogRecords()
				for k := range lrs.Len() {
					attrs := lrs.At(k).Attributes().AsRaw()
					uid, _ := attrs["log.record.uid"].(string)
					require.NotEmpty(t, uid)
					out[uid] = attrs
				}
			}
		}
	}
	return out
}

// expectedAdditions reads testdata/enrich/expected.json, with numbers as
// pdata has them: integers as int64, the rest as float64.
func expectedAdditions(t *testing.T) map[string]map[string]any {
	return expectedAttrs(t, "expected.json")
}

// expectedAttrs reads a golden file of attributes by log_id.
func expectedAttrs(t *testing.T, name string) map[string]map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "enrich", name))
	require.NoError(t, err)
	var parsed map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &parsed))
	out := map[string]map[string]any{}
	for uid, msg := range parsed {
		if strings.HasPrefix(uid, "_") {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(msg))
		d.UseNumber()
		var m map[string]any
		require.NoError(t, d.Decode(&m))
		for k, v := range m {
			if n, ok := v.(json.Number); ok {
				if i, err := n.Int64(); err == nil {
					m[k] = i
				} else {
					m[k], _ = n.Float64()
				}
			}
		}
		out[uid] = m
	}
	return out
}

// checkAdditions compares records translated with enrichment (got) with
// the same records translated without it (base): enrichment changes no
// attribute the translator set, and adds exactly want.
func checkAdditions(t *testing.T, base, got, want map[string]map[string]any) {
	t.Helper()
	require.Len(t, got, len(base))
	for uid, b := range base {
		g, ok := got[uid]
		if !assert.True(t, ok, "record %s missing", uid) {
			continue
		}
		added := map[string]any{}
		for k, v := range g {
			if bv, had := b[k]; had {
				assert.Equal(t, bv, v, "record %s: %s changed", uid, k)
			} else {
				added[k] = v
			}
		}
		for k := range b {
			assert.Contains(t, g, k, "record %s: %s removed", uid, k)
		}
		w := want[uid]
		if w == nil {
			w = map[string]any{}
		}
		assert.Equal(t, w, added, "record %s", uid)
	}
}

func postPayload(t *testing.T, url string) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "enrich", "payload.jsonl"))
	require.NoError(t, err)
	resp := post(t, url, testToken, bytes.NewReader(body))
	require.Equal(t, 200, resp.status, resp.body)
}

func baselineAttrs(t *testing.T) map[string]map[string]any {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "enrich", "payload.jsonl"))
	require.NoError(t, err)
	base := attrsByUID(t, []plog.Logs{decodeOnce(t, body)}) // no enricher
	require.Len(t, base, 10)
	return base
}

// TestEnrichGolden: the receiver, GeoIP on with a generated City database
// and the user-agent parser on, turns the golden payload into the golden
// additions: IPv4, IPv6 and IPv4-mapped addresses resolved; private,
// loopback, link-local and unparsable ones not; location_info kept as the
// event's own. The body mode does not matter:
// enrichment reads the event before the body is replaced.
func TestEnrichGolden(t *testing.T) {
	base := baselineAttrs(t)
	want := expectedAdditions(t)
	db := writeTestDB(t, geoiptest.City)
	for _, mode := range []BodyMode{BodyEvent, BodyRaw, BodyDescription} {
		t.Run(string(mode), func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Body = mode
			cfg.GeoIP.Database = db
			sink := &consumertest.LogsSink{}
			postPayload(t, startReceiver(t, cfg, sink))
			checkAdditions(t, base, attrsByUID(t, sink.AllLogs()), want)
		})
	}
	// The event's own location_info wins over the database, as a whole.
	assert.Equal(t, "US", base["90020250603000000000000000000000000000000000000000000004"]["geo.country.iso_code"])
}

// TestEnrichOnlyManagementByDefault: with the user-agent parser off and no
// database, enrichment adds nothing, and the Management API mapping, which is
// the translator's own and always on, is there in every body mode's input.
func TestEnrichOnlyManagementByDefault(t *testing.T) {
	base := baselineAttrs(t)
	mgmt := expectedAttrs(t, "expected_mgmt.json")
	require.Len(t, mgmt, 3, "the golden file has three Management API events")
	for uid, attrs := range mgmt {
		for k, v := range attrs {
			assert.Equal(t, v, base[uid][k], "record %s: %s", uid, k)
		}
	}
	cfg := testConfig(t)
	cfg.UserAgent.Enabled = false
	sink := &consumertest.LogsSink{}
	postPayload(t, startReceiver(t, cfg, sink))
	checkAdditions(t, base, attrsByUID(t, sink.AllLogs()), map[string]map[string]any{})
}

// TestEnrichCountryEdition: a Country database adds only what it has.
func TestEnrichCountryEdition(t *testing.T) {
	cfg := testConfig(t)
	cfg.GeoIP.Database = writeTestDB(t, geoiptest.Country)
	cfg.UserAgent.Enabled = false
	sink := &consumertest.LogsSink{}
	postPayload(t, startReceiver(t, cfg, sink))
	got := attrsByUID(t, sink.AllLogs())["90020250603000000000000000000000000000000000000000000002"]
	geo := map[string]any{}
	for k, v := range got {
		if strings.HasPrefix(k, "geo.") {
			geo[k] = v
		}
	}
	assert.Equal(t, map[string]any{"geo.continent.code": "AS", "geo.country.iso_code": "JP"}, geo)
}

func TestEnrichStartFailsOnBadDatabase(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.mmdb")
	require.NoError(t, os.WriteFile(corrupt, []byte("not a MaxMind DB, just text"), 0o600))
	for name, c := range map[string]struct{ path, want string }{
		"missing": {filepath.Join(dir, "missing.mmdb"), "no such file or directory"},
		"corrupt": {corrupt, "is not a readable MaxMind DB file"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.GeoIP.Database = c.path
			rcv, err := NewFactory().CreateLogs(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
			require.NoError(t, err, "the file is checked at start, not at creation")
			err = rcv.Start(context.Background(), componenttest.NewNopHost())
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.path)
			assert.Contains(t, err.Error(), c.want)
			require.NoError(t, rcv.Shutdown(context.Background()))
			// Nothing listens: a failed start left no server behind.
			_, derr := testClient().Get("http://" + cfg.ServerConfig.NetAddr.Endpoint + "/")
			assert.Error(t, derr)
		})
	}
}

func TestEnrichShutdownClosesDatabase(t *testing.T) {
	cfg := testConfig(t)
	cfg.GeoIP.Database = writeTestDB(t, geoiptest.City)
	rcv, err := NewFactory().CreateLogs(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	lr := rcv.(*logsReceiver)
	db := lr.enrich.geo
	assert.Equal(t, "GeoLite2-City", db.DatabaseType())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, rcv.Shutdown(ctx))
	assert.Empty(t, db.DatabaseType(), "closed")
	assert.Nil(t, lr.enrich.geo, "forgotten, so a second Shutdown closes nothing")
}

// decodeOnce runs the receiver's translation, without an enricher, over body.
func decodeOnce(tb testing.TB, body []byte) plog.Logs {
	tb.Helper()
	out := plog.NewLogs()
	b := translator.NewBatch(translator.New(translator.BodyEvent, nil), nil, "test", "test")
	b.Reset(context.Background(), func(_ context.Context, ld plog.Logs) error {
		ld.ResourceLogs().MoveAndAppendTo(out.ResourceLogs())
		return nil
	}, 1)
	sc := jsonframe.NewScanner(jsonpdata.Valid)
	sc.Reset(bytes.NewReader(body))
	if err := b.ReadAll(sc); err != nil {
		tb.Fatal(err)
	}
	return out
}
