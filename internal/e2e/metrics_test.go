// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// countKey is one label set of auth0.events.
type countKey struct {
	typ, outcome, connection, client, tenant string
}

// eventSpec is n events of one kind in the known input. The outcome is the
// type code's class in the catalog (event-types.tsv), written here by hand.
type eventSpec struct {
	n                               int
	typ, connection, client, tenant string
	wantType, wantOutcome, wantConn string
	wantClient                      string
	forwarded                       bool // at or above WARN: passes the logs pipeline's filter
}

const longClient = "Acme Customer Portal for the Northern Europe Region (Production Deployment, v2)"

// The known input, and the label set each kind must be counted under.
var metricsInput = []eventSpec{
	{n: 4, typ: "fp", connection: "Username-Password-Authentication", client: "Acme Web Portal", tenant: "acme-prod",
		wantType: "fp", wantOutcome: "failure", wantConn: "Username-Password-Authentication", wantClient: "Acme Web Portal", forwarded: true},
	{n: 3, typ: "s", connection: "Username-Password-Authentication", client: "Acme Web Portal", tenant: "acme-prod",
		wantType: "s", wantOutcome: "success", wantConn: "Username-Password-Authentication", wantClient: "Acme Web Portal"},
	// No connection, as on token exchanges: counted under "none".
	{n: 2, typ: "f", client: "Acme Web Portal", tenant: "acme-prod",
		wantType: "f", wantOutcome: "failure", wantConn: "none", wantClient: "Acme Web Portal", forwarded: true},
	// client_name "" (Auth0 sends it empty on Dashboard calls): "none" too.
	{n: 1, typ: "sapi", client: "", tenant: "acme-prod",
		wantType: "sapi", wantOutcome: "success", wantConn: "none", wantClient: "none"},
	// A name longer than the 64-character cap.
	{n: 2, typ: "limit_wc", connection: "Username-Password-Authentication", client: longClient, tenant: "acme-prod",
		wantType: "limit_wc", wantOutcome: "failure", wantConn: "Username-Password-Authentication", wantClient: longClient[:64], forwarded: true},
	// A connection outside AUTH0_METRICS_CONNECTION_NAMES, and a code that is not a code.
	{n: 1, typ: "Bad Code!", connection: "partner-saml", client: "Acme Web Portal", tenant: "acme-prod",
		wantType: "invalid", wantOutcome: "unknown", wantConn: "other", wantClient: "Acme Web Portal", forwarded: true},
	// Another tenant on the same stream URL.
	{n: 2, typ: "s", connection: "google-oauth2", client: "Acme Mobile", tenant: "acme-dev",
		wantType: "s", wantOutcome: "success", wantConn: "other", wantClient: "Acme Mobile"},
}

// TestEventCountsReachTheSink runs the collector with otelcol-config.yaml and the
// otelcol-metrics.yaml overlay, posts a known input (and part of it again, as Auth0's retries
// do), and checks the auth0.events counts that reach the OTLP destination, label set by
// label set, and that the logs pipeline still forwards exactly the failures and warnings.
// GeoIP is on, with a database the test writes and a third --config that points the receiver
// at it, as a user adds the setting.
func TestEventCountsReachTheSink(t *testing.T) {
	if os.Getenv("OTELCOL_BINARY") == "" {
		t.Skip("OTELCOL_BINARY is not set: run `make test-e2e` (it builds the collector and sets it)")
	}
	bin := testproc.Collector(t)
	root := testproc.RepoRoot(t)
	addrs := testproc.FreeAddrs(t, 4)
	sinkAddr, receiverAddr, healthAddr, metricsAddr := addrs[0], addrs[1], addrs[2], addrs[3]
	_, metricsPort, _ := net.SplitHostPort(metricsAddr)
	dir := t.TempDir()
	logsFile, metricsFile := filepath.Join(dir, "received.jsonl"), filepath.Join(dir, "received-metrics.jsonl")
	geoDB := filepath.Join(dir, "GeoLite2-Country.mmdb")
	writeCountryDB(t, geoDB, "81.2.69.0/24", "EU", "GB")
	geoOverlay := filepath.Join(dir, "geoip.yaml")
	if err := os.WriteFile(geoOverlay, []byte("receivers:\n  auth0logstream:\n    geoip:\n      database: "+geoDB+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	sink := testproc.Start(t, "sink", bin, []string{
		"SINK_ENDPOINT=" + sinkAddr, "SINK_OUTPUT_FILE=" + logsFile, "SINK_METRICS_FILE=" + metricsFile, "SINK_VERBOSITY=basic",
	}, "--config", filepath.Join(root, "internal", "run", "sink-config.yaml"))
	testproc.WaitListening(t, sink, sinkAddr)
	collector := testproc.Start(t, "collector", bin, []string{
		"AUTH0_RECEIVER_ENDPOINT=" + receiverAddr,
		"AUTH0_LOG_STREAM_TOKEN=" + testToken,
		"OTLP_ENDPOINT=http://" + sinkAddr,
		"AUTH0_QUEUE_DIR=" + t.TempDir(),
		"HEALTH_CHECK_ENDPOINT=" + healthAddr,
		"TELEMETRY_METRICS_PORT=" + metricsPort,
		"AUTH0_METRICS_CONNECTION_NAMES=^(Username-Password-Authentication)$",
	}, "--config", filepath.Join(root, "otelcol-config.yaml"), "--config", filepath.Join(root, "otelcol-metrics.yaml"),
		"--config", geoOverlay)
	testproc.WaitHealthy(t, collector, "http://"+healthAddr+"/")
	testproc.WaitListening(t, collector, receiverAddr)

	url := "http://" + receiverAddr + "/api/logs"
	body, want, total, forwarded := buildMetricsInput()
	if a := testproc.MustPost(t, url, testToken, body); a.Status != 200 {
		t.Fatalf("POST: got %d %s, want 200", a.Status, a.Body)
	}
	// Auth0 delivers at least once: the same batch again must not be counted again.
	if a := testproc.MustPost(t, url, testToken, body); a.Status != 200 || !strings.Contains(a.Body, fmt.Sprintf(`"duplicates":%d`, total)) {
		t.Fatalf("second POST: got %d %s, want 200 with %d duplicates", a.Status, a.Body, total)
	}

	got := waitForCounts(t, collector, sink, metricsFile, total)
	for k, n := range want {
		if got[k] != n {
			t.Errorf("auth0.events%+v = %d, want %d", k, got[k], n)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected label set auth0.events%+v = %d", k, n)
		}
	}

	// The logs pipeline is unchanged: the failures and warnings arrive, once each, and the
	// failed logins from 81.2.69.x carry the database's country.
	logs, err := testproc.ReadSink(logsFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != forwarded {
		t.Errorf("the sink holds %d log records, want the %d failures and warnings", len(logs), forwarded)
	}
	for _, r := range logs {
		a := r.Record.Attributes()
		if testproc.StringAttr(a, "auth0.type") != "fp" {
			continue
		}
		if c := testproc.StringAttr(a, "geo.country.iso_code"); c != "GB" {
			t.Errorf("fp record %s: geo.country.iso_code = %q, want GB", testproc.StringAttr(a, "log.record.uid"), c)
		}
		if n := testproc.StringAttr(a, "user_agent.name"); n != "Chrome" {
			t.Errorf("fp record: user_agent.name = %q, want Chrome", n)
		}
	}

	terminate(t, collector)
	terminate(t, sink)
}

// buildMetricsInput lays out metricsInput as one JSON Lines body, with the expected counts,
// how many events it holds and how many pass the logs pipeline's filter.
func buildMetricsInput() (body []byte, want map[countKey]int64, total, forwarded int) {
	var b bytes.Buffer
	want = map[countKey]int64{}
	for si, s := range metricsInput {
		for i := range s.n {
			total++
			if s.forwarded {
				forwarded++
			}
			id := fmt.Sprintf("900202506031200%02d%04d0000000000000000000000000000000000", si, i)
			fields := []string{
				`"log_id":"` + id + `"`, `"type":"` + s.typ + `"`, `"date":"2025-06-03T12:00:00.000Z"`,
				`"tenant_name":"` + s.tenant + `"`, `"client_name":"` + s.client + `"`, `"description":"e2e"`,
				`"ip":"81.2.69.142"`, `"user_agent":"Chrome 125.0.0 / Mac OS X 10.15.7"`,
			}
			if s.connection != "" {
				fields = append(fields, `"connection":"`+s.connection+`"`)
			}
			fmt.Fprintf(&b, `{"log_id":"%s","data":{%s}}`+"\n", id, strings.Join(fields, ","))
		}
		want[countKey{s.wantType, s.wantOutcome, s.wantConn, s.wantClient, s.tenant}] += int64(s.n)
	}
	return b.Bytes(), want, total, forwarded
}

// waitForCounts reads the sink's metrics file until the auth0.events counts add up to total,
// then for settleTime more, so that counts that must not come are seen too.
func waitForCounts(t *testing.T, collector, sink *testproc.Process, path string, total int) map[countKey]int64 {
	t.Helper()
	deadline := time.Now().Add(deliveryTimeout)
	var settleUntil time.Time
	for {
		got, sum := readCounts(t, path)
		if settleUntil.IsZero() && sum >= int64(total) {
			settleUntil = time.Now().Add(settleTime)
		}
		if !settleUntil.IsZero() && time.Now().After(settleUntil) {
			if sum != int64(total) {
				t.Errorf("auth0.events adds up to %d, want %d", sum, total)
			}
			return got
		}
		if settleUntil.IsZero() && time.Now().After(deadline) {
			t.Fatalf("after %v the sink has counted %d of %d events", deliveryTimeout, sum, total)
		}
		if collector.Exited() || sink.Exited() {
			t.Fatalf("a process exited while waiting (collector: %v, sink: %v)", collector.Exited(), sink.Exited())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// readCounts sums the auth0.events data points in the sink's metrics file by label set,
// checking on the way that each is a monotonic delta sum and that its resource names the
// same tenant as its label.
func readCounts(t *testing.T, path string) (map[countKey]int64, int64) {
	t.Helper()
	got := map[countKey]int64{}
	var sum int64
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return got, 0
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var u pmetric.JSONUnmarshaler
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		md, err := u.UnmarshalMetrics(line)
		if err != nil {
			continue // a line still being written; the next poll reads it whole
		}
		for i := range md.ResourceMetrics().Len() {
			rm := md.ResourceMetrics().At(i)
			resTenant := testproc.StringAttr(rm.Resource().Attributes(), "auth0.tenant.name")
			for j := range rm.ScopeMetrics().Len() {
				ms := rm.ScopeMetrics().At(j).Metrics()
				for k := range ms.Len() {
					m := ms.At(k)
					if m.Name() != "auth0.events" {
						continue
					}
					if m.Type() != pmetric.MetricTypeSum || !m.Sum().IsMonotonic() ||
						m.Sum().AggregationTemporality() != pmetric.AggregationTemporalityDelta {
						t.Fatalf("auth0.events is %s (monotonic %v), want a monotonic delta sum", m.Type(), m.Sum().IsMonotonic())
					}
					dps := m.Sum().DataPoints()
					for d := range dps.Len() {
						dp := dps.At(d)
						a := dp.Attributes()
						if a.Len() != 5 {
							t.Errorf("data point with %d labels, want 5: %v", a.Len(), a.AsRaw())
						}
						k := countKey{
							testproc.StringAttr(a, "auth0.type"), testproc.StringAttr(a, "auth0.outcome"),
							testproc.StringAttr(a, "auth0.connection.name"), testproc.StringAttr(a, "auth0.client.name"),
							testproc.StringAttr(a, "auth0.tenant.name"),
						}
						if k.tenant != resTenant {
							t.Errorf("data point tenant %q under resource tenant %q", k.tenant, resTenant)
						}
						got[k] += dp.IntValue()
						sum += dp.IntValue()
					}
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return got, sum
}

// writeCountryDB writes a GeoLite2-Country-shaped database with one network.
func writeCountryDB(t *testing.T, path, cidr, continent, country string) {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-Country", RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	_, network, err := net.ParseCIDR(cidr)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Insert(network, mmdbtype.Map{
		"continent": mmdbtype.Map{"code": mmdbtype.String(continent)},
		"country":   mmdbtype.Map{"iso_code": mmdbtype.String(country)},
	}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
