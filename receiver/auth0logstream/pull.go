// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/mgmtapi"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/pull"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/status"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/translator"
)

// Glue between the receiver and pull mode: the storage clients, the poller,
// and a consume callback that sends every pulled event through the same
// translator and batching as a pushed one, with the same dedup set.

const (
	transportPull         = "auth0_management_api"
	checkpointStorageName = "management_api"
	dedupStorageName      = "deduplication"
)

// sources holds what runs beside the push server.
type sources struct {
	dedupStore *dedupStore

	cancel     context.CancelFunc
	done       chan struct{}
	cpClient   storage.Client
	api        *mgmtapi.Client
	newestUnix atomic.Int64 // date of the newest emitted event, unix nanos; 0 none
	remaining  atomic.Int64
}

// startSources loads the dedup window and starts pulling, as configured.
func (r *logsReceiver) startSources(ctx context.Context, host component.Host) error {
	if r.cfg.Deduplication.Enabled && r.dedup != nil && r.cfg.Deduplication.Storage != nil {
		client, err := storageClient(ctx, host, *r.cfg.Deduplication.Storage, r.set.ID, dedupStorageName)
		if err != nil {
			return errors.New("deduplication.storage: " + err.Error())
		}
		ds, err := startDedupStore(ctx, r.dedup, client, r.logger)
		if err != nil {
			_ = client.Close(ctx)
			return err
		}
		r.sources.dedupStore = ds
	}
	if mc := r.cfg.ManagementAPI.Get(); mc != nil {
		if err := r.startPull(ctx, host, mc); err != nil {
			return errors.Join(err, r.shutdownSources(ctx))
		}
	}
	return nil
}

func (r *logsReceiver) startPull(ctx context.Context, host component.Host, mc *ManagementAPIConfig) error {
	s := &r.sources
	client, err := storageClient(ctx, host, *mc.Storage, r.set.ID, checkpointStorageName)
	if err != nil {
		return errors.New("management_api.storage: " + err.Error())
	}
	s.cpClient = client
	tel := r.telemetry
	s.remaining.Store(-1)
	api, err := mgmtapi.New(mgmtapi.Settings{
		BaseURL:           mc.baseURL(),
		Audience:          mc.audience(),
		ClientID:          mc.ClientID,
		ClientSecret:      mc.ClientSecret,
		RequestsPerSecond: mc.MaxRequestsPerSecond,
		BackoffInitial:    pullRetryInitial(r.cfg),
		UserAgent:         "otelcol-auth0-logstream/" + r.set.BuildInfo.Version,
		Logger:            r.logger,
		Hooks: mgmtapi.Hooks{
			APIError: func(status int) {
				kind := "transport"
				if status != 0 {
					kind = strconv.Itoa(status)
				}
				tel.ReceiverAuth0logstreamPullAPIErrors.Add(context.Background(), 1,
					metric.WithAttributes(attribute.String("error.type", kind)))
			},
			RateLimitWait: func(reason string, d time.Duration) {
				tel.ReceiverAuth0logstreamPullRateLimitWait.Add(context.Background(), d.Seconds(),
					metric.WithAttributes(attribute.String("reason", reason)))
			},
			RateLimitRemaining: func(n int64) { s.remaining.Store(n) },
		},
	})
	if err != nil {
		return err
	}
	s.api = api
	if err := tel.RegisterReceiverAuth0logstreamPullLagCallback(func(_ context.Context, o metric.Float64Observer) error {
		if ns := s.newestUnix.Load(); ns != 0 {
			o.Observe(r.now().Sub(time.Unix(0, ns)).Seconds())
		}
		return nil
	}); err != nil {
		return err
	}
	if err := tel.RegisterReceiverAuth0logstreamPullRateLimitRemainingCallback(func(_ context.Context, o metric.Int64Observer) error {
		if n := s.remaining.Load(); n >= 0 {
			o.Observe(n)
		}
		return nil
	}); err != nil {
		return err
	}
	start, _ := mgmtapi.ParseStart(mc.StartAt) // Validate checked it
	obs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: r.set.ID, Transport: transportPull, ReceiverCreateSettings: r.set,
	})
	if err != nil {
		return err
	}
	pc := &pullConsumer{r: r, deliver: observedConsumer(obs, r.next), batch: r.newBatch()}
	poller, err := pull.New(pull.Config{
		PageSize:     mc.PageSize,
		PollInterval: mc.PollInterval,
		Start:        start,
		RetryInitial: pullRetryInitial(r.cfg),
		RetryMax:     max(r.cfg.RetryAfter*6, time.Second),
	}, api, &pull.StorageCheckpoints{Client: client}, pc.consume, pullTelemetry{tel: tel, s: s}, r.logger)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel, s.done = cancel, make(chan struct{})
	r.logger.Info("Auth0 Management API pull started",
		zap.String("base_url", mc.baseURL()), zap.Int("page_size", mc.PageSize),
		zap.Duration("poll_interval", mc.PollInterval), zap.Float64("max_requests_per_second", mc.MaxRequestsPerSecond),
		zap.Bool("deduplication", r.dedup != nil))
	go func() {
		defer close(s.done)
		if err := poller.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
			r.logger.Error("Auth0 Management API pull stopped", zap.Error(err))
		}
	}()
	return nil
}

// pullRetryInitial is the first wait after a refused page or a failed API
// call: a fifth of retry_after (1s by default), doubling up to 6x retry_after.
func pullRetryInitial(cfg *Config) time.Duration {
	return max(cfg.RetryAfter/5, 10*time.Millisecond)
}

// shutdownSources stops the pull (a page in flight is not committed unless
// the pipeline accepted it) and saves the dedup window.
func (r *logsReceiver) shutdownSources(ctx context.Context) error {
	s := &r.sources
	var errs []error
	// Each part is stopped once, and forgotten: Shutdown may follow a
	// failed Start that already stopped them.
	if s.cancel != nil {
		s.cancel()
		select {
		case <-s.done:
		case <-ctx.Done():
			errs = append(errs, ctx.Err())
		}
		s.cancel = nil
	}
	if s.api != nil {
		s.api.CloseIdleConnections()
		s.api = nil
	}
	if s.cpClient != nil {
		errs = append(errs, s.cpClient.Close(ctx))
		s.cpClient = nil
	}
	if s.dedupStore != nil {
		errs = append(errs, s.dedupStore.shutdown(ctx))
		s.dedupStore = nil
	}
	return errors.Join(errs...)
}

// pullConsumer feeds a page through the push path's translator and batch.
// It is used by the poller's one goroutine only.
type pullConsumer struct {
	r       *logsReceiver
	deliver translator.ConsumeFunc // next behind the pull path's obsreport
	batch   *translator.Batch
}

// consume hands one page to the pipeline. Its error is the pipeline's own
// (so that the poller can tell permanent from retryable), or an
// InFlightError when the push path holds one of the page's events.
func (pc *pullConsumer) consume(ctx context.Context, events [][]byte) error {
	b := pc.batch
	b.Reset(ctx, pc.deliver, pcommon.NewTimestampFromTime(pc.r.now()))
	defer b.Release()
	for _, raw := range events {
		if err := b.Add(raw, nil); err != nil {
			return unwrapConsume(err)
		}
	}
	if err := b.Flush(); err != nil {
		return unwrapConsume(err)
	}
	pc.r.countRemarks(ctx, b.Stats())
	return nil
}

func unwrapConsume(err error) error {
	var ce *status.ConsumeError
	if errors.As(err, &ce) {
		return ce.Err
	}
	return err
}

// pullTelemetry wires the poller's hooks to the mdatagen instruments.
type pullTelemetry struct {
	tel *metadata.TelemetryBuilder
	s   *sources
}

func (t pullTelemetry) PageFetched(ctx context.Context, events int) {
	t.tel.ReceiverAuth0logstreamPullPages.Add(ctx, 1)
	t.tel.ReceiverAuth0logstreamPullEvents.Add(ctx, int64(events))
}

func (t pullTelemetry) PageDropped(ctx context.Context, events int) {
	t.tel.ReceiverAuth0logstreamPullDroppedEvents.Add(ctx, int64(events))
}

func (t pullTelemetry) NewestEmitted(d time.Time) {
	if !d.IsZero() && d.UnixNano() > t.s.newestUnix.Load() {
		t.s.newestUnix.Store(d.UnixNano())
	}
}
