// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pipeline"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
)

// auth0Sender posts batches the way Auth0 does and retries on 503, so the
// contract checker sees the receiver as the pipeline sees it: through HTTP.
type auth0Sender struct {
	t      *testing.T
	url    string
	client *http.Client
	nextID atomic.Int64
}

func (*auth0Sender) Start() {}
func (*auth0Sender) Stop()  {}

func (s *auth0Sender) Generate() []receivertest.UniqueIDAttrVal {
	const batch = 5
	ids := make([]receivertest.UniqueIDAttrVal, batch)
	lines := make([]string, batch)
	for i := range ids {
		id := "contract-" + strconv.FormatInt(s.nextID.Add(1), 10)
		ids[i] = receivertest.UniqueIDAttrVal(id)
		lines[i] = envelope(id, "f")
	}
	body := strings.Join(lines, "\n")
	// Bounded: with the checker's 50% failure rate, 200 consecutive 503s
	// do not happen by chance.
	for range 200 {
		req, err := http.NewRequest(http.MethodPost, s.url, strings.NewReader(body))
		if err != nil {
			s.t.Error(err)
			return ids
		}
		req.Header.Set("Authorization", testToken)
		resp, err := s.client.Do(req)
		if err != nil {
			s.t.Error(err)
			return ids
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			// 200 delivered; 400 is the checker's permanent error: dropped on purpose.
			return ids
		}
	}
	s.t.Error("gave up after 200 attempts")
	return ids
}

// idAttrFactory wraps the real factory so that the checker's consumer finds
// each record's log.record.uid under the attribute name it expects.
type idAttrFactory struct{ receiver.Factory }

func (f idAttrFactory) CreateLogs(ctx context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	relabel, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					if v, ok := lr.Attributes().Get("log.record.uid"); ok {
						lr.Attributes().PutStr(receivertest.UniqueIDAttrName, v.Str())
					}
				}
			}
		}
		return next.ConsumeLogs(ctx, ld)
	})
	if err != nil {
		return nil, err
	}
	return f.Factory.CreateLogs(ctx, set, cfg, relabel)
}

func TestConsumeContract(t *testing.T) {
	cfg := testConfig(t)
	sender := &auth0Sender{
		t:      t,
		url:    "http://" + cfg.ServerConfig.NetAddr.Endpoint + cfg.Path,
		client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second},
	}
	receivertest.CheckConsumeContract(receivertest.CheckConsumeContractParams{
		T:             t,
		Factory:       idAttrFactory{NewFactory()},
		Signal:        pipeline.SignalLogs,
		Config:        cfg,
		Generator:     sender,
		GenerateCount: 200,
	})
}
