// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadatatest"
)

// sumOf reads an int64 sum from the test telemetry, across attribute sets.
func sumOf(t *testing.T, tel *componenttest.Telemetry, name string) int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	require.NoError(t, err, name)
	var total int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		total += dp.Value
	}
	return total
}

func TestSelfTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	url := startReceiverWith(t, testConfig(t), consumertest.NewNop(), metadatatest.NewSettings(tel))

	ok := post(t, url, testToken, jsonLines(envelope("1", "f"), `{"broken`, envelope("1", "f"), envelope("2", "s")))
	require.Equal(t, http.StatusOK, ok.status, ok.body)
	denied := post(t, url, "wrong", jsonLines(envelope("3", "f")))
	require.Equal(t, http.StatusUnauthorized, denied.status)

	// Three records reach the pipeline: two events and the malformed line.
	assert.Equal(t, int64(3), sumOf(t, tel, "otelcol_receiver_accepted_log_records"))
	assert.Equal(t, int64(0), sumOf(t, tel, "otelcol_receiver_refused_log_records"))
	metadatatest.AssertEqualReceiverAuth0logstreamMalformedEvents(t, tel,
		[]metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
	metadatatest.AssertEqualReceiverAuth0logstreamDuplicateEvents(t, tel,
		[]metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
	metadatatest.AssertEqualReceiverAuth0logstreamRejectedRequests(t, tel,
		[]metricdata.DataPoint[int64]{{Value: 1, Attributes: attribute.NewSet(attribute.Int("http.response.status_code", 401))}},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestRefusedRecordsAreCounted(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	url := startReceiverWith(t, testConfig(t), consumertest.NewErr(assert.AnError), metadatatest.NewSettings(tel))
	resp := post(t, url, testToken, jsonLines(envelope("1", "f"), envelope("2", "f")))
	require.Equal(t, http.StatusServiceUnavailable, resp.status)
	assert.Equal(t, int64(2), sumOf(t, tel, "otelcol_receiver_refused_log_records"))
}
