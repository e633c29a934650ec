// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package auth0logstream

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"
	"golang.org/x/net/netutil"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/dedup"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/inspector"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonframe"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonpdata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/translator"
)

const transportHTTP = "http"

// logsReceiver serves Auth0's Custom Webhook log stream.
type logsReceiver struct {
	cfg        *Config
	set        receiver.Settings
	logger     *zap.Logger
	next       consumer.Logs
	consume    translator.ConsumeFunc // next behind the push path's obsreport; bound once
	telemetry  *metadata.TelemetryBuilder
	auth       *authChecker   // tokens and required headers (auth.go)
	health     *healthTracker // set in Start (health.go)
	dedup      *dedup.Set     // nil when deduplication is off
	enrich     *enricher      // geoip and user agent, opened in Start
	retryAfter string
	now        func() time.Time

	states sync.Pool // *requestState, reused across requests

	server     *http.Server
	shutdownWG sync.WaitGroup

	sources      sources              // pull mode and the persisted dedup window (pull.go)
	inspector    *inspector.Inspector // nil when off; see inspect.go
	inspectorSrv *inspector.Server
}

// requestState is the per-request working memory, pooled so that a busy
// receiver does not allocate buffers and iterators for every request.
type requestState struct {
	scanner *jsonframe.Scanner
	batch   *translator.Batch
}

func newLogsReceiver(cfg *Config, set receiver.Settings, next consumer.Logs) (*logsReceiver, error) {
	obsrecv, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID:             set.ID,
		Transport:              transportHTTP,
		ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	telemetry, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	r := &logsReceiver{
		telemetry:  telemetry,
		cfg:        cfg,
		set:        set,
		logger:     set.Logger,
		next:       next,
		consume:    observedConsumer(obsrecv, next),
		retryAfter: retryAfterSeconds(cfg),
		now:        time.Now,
		enrich:     &enricher{},
		inspector:  newInspector(cfg),
	}
	if r.auth, err = newAuthChecker(cfg); err != nil {
		return nil, err
	}
	for _, d := range r.auth.duplicates {
		r.logger.Warn("Duplicate token in the configuration", zap.String("detail", d))
	}
	if cfg.Deduplication.Enabled {
		r.dedup = dedup.New(cfg.Deduplication.MaxEntries)
	}
	r.states.New = func() any {
		return &requestState{scanner: jsonframe.NewScanner(jsonpdata.Valid), batch: r.newBatch()}
	}
	return r, nil
}

// newBatch is the translation and batching every source uses, so that an
// event yields the same record however it arrived.
func (r *logsReceiver) newBatch() *translator.Batch {
	return translator.NewBatch(translator.New(r.cfg.Body.mode(), r.enrich), r.dedup, metadata.ScopeName, r.set.BuildInfo.Version)
}

func (r *logsReceiver) getState() *requestState { return r.states.Get().(*requestState) }

func (r *logsReceiver) putState(st *requestState) {
	st.scanner.Release()
	st.batch.Release()
	r.states.Put(st)
}

// observedConsumer hands one chunk to next and waits for its answer, which
// decides the HTTP status (or the pull checkpoint): nothing is acknowledged
// before it is accepted. obs counts it under the source's transport. Made
// once per source: a method value per request would allocate.
func observedConsumer(obs *receiverhelper.ObsReport, next consumer.Logs) translator.ConsumeFunc {
	return func(ctx context.Context, logs plog.Logs) error {
		n := logs.LogRecordCount()
		ctx = obs.StartLogsOp(ctx)
		err := next.ConsumeLogs(ctx, logs)
		obs.EndLogsOp(ctx, metadataFormat, n, err)
		return err
	}
}

const metadataFormat = "auth0"

func (r *logsReceiver) Start(ctx context.Context, host component.Host) error {
	r.health = newHealthTracker(host, r.now)
	// Enrichment first: every source translates with it.
	if err := r.enrich.start(r.cfg, r.logger); err != nil {
		return err
	}
	if err := r.startSources(ctx, host); err != nil {
		return r.abortStart(ctx, err)
	}
	if r.cfg.ServerConfig.NetAddr.Endpoint == "" {
		r.logger.Info("Push server off (endpoint is empty): pulling from the Management API only")
		return nil
	}
	if !r.auth.enabled() && !r.cfg.ServerConfig.Auth.HasValue() {
		r.logger.Warn("No authorization_token, no required_headers and no auth extension configured: anyone who can reach the endpoint can send events",
			zap.String("endpoint", r.cfg.ServerConfig.NetAddr.Endpoint))
	}
	ln, err := r.listen(ctx)
	if err != nil {
		return r.abortStart(ctx, err)
	}
	mux := http.HandlerFunc(r.ingest)
	srv, err := r.cfg.ServerConfig.ToServer(ctx, host.GetExtensions(), r.set.TelemetrySettings, mux,
		confighttp.WithErrorHandler(r.serverError),
		confighttp.WithDecoder("zstd", r.zstdDecoder))
	if err != nil {
		_ = ln.Close()
		return r.abortStart(ctx, err)
	}
	srv.Handler = r.gate(srv.Handler)
	srv.MaxHeaderBytes = r.cfg.MaxHeaderBytes
	r.server = srv

	r.logger.Info("Auth0 log stream receiver listening",
		zap.String("address", ln.Addr().String()),
		zap.String("path", r.cfg.Path),
		zap.Bool("token_required", r.auth.tokenCount() > 0),
		zap.Int("tokens", r.auth.tokenCount()),
		zap.Strings("required_headers", r.auth.headerNames()),
		zap.Bool("deduplication", r.dedup != nil),
		zap.String("geoip_database", r.cfg.GeoIP.Database),
		zap.Bool("user_agent", r.cfg.UserAgent.Enabled))

	r.shutdownWG.Add(1)
	go func() {
		defer r.shutdownWG.Done()
		if serr := srv.Serve(ln); serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(serr))
		}
	}()
	return r.startInspector(ctx)
}

// abortStart undoes what a failed Start had started.
func (r *logsReceiver) abortStart(ctx context.Context, err error) error {
	return errors.Join(err, r.shutdownSources(ctx), r.enrich.shutdown())
}

// maxZstdWindow is the largest zstd window accepted. confighttp v0.161.0's
// decoder allows 512 MiB, allocated as soon as a frame announces it: ten bytes
// would cost half a gigabyte. RFC 8878 asks decoders to support 8 MiB.
const maxZstdWindow = 8 << 20

func (r *logsReceiver) zstdDecoder(body io.ReadCloser) (io.ReadCloser, error) {
	window := uint64(maxZstdWindow)
	if limit := uint64(r.cfg.ServerConfig.MaxRequestBodySize); limit > 0 && limit < window {
		window = max(limit, zstd.MinWindowSize)
	}
	zr, err := zstd.NewReader(body,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxWindow(window),
		zstd.WithDecoderMaxMemory(uint64(r.cfg.ServerConfig.MaxRequestBodySize)+1))
	if err != nil {
		return nil, err
	}
	return zr.IOReadCloser(), nil
}

// listen does what confighttp v0.161.0's ServerConfig.ToListener does (listen
// on NetAddr, then wrap in TLS with h2 and http/1.1 offered), with the
// connection limit slipped in beneath TLS: above it, http.Server would no longer see a
// *tls.Conn and could neither negotiate HTTP/2 nor report TLS state.
func (r *logsReceiver) listen(ctx context.Context) (net.Listener, error) {
	ln, err := r.cfg.ServerConfig.NetAddr.Listen(ctx)
	if err != nil {
		return nil, err
	}
	if r.cfg.MaxConnections > 0 {
		// Bounds file descriptors and per-connection memory under a flood;
		// excess connections queue in the kernel instead of being refused.
		ln = netutil.LimitListener(ln, r.cfg.MaxConnections)
	}
	if tlsSettings := r.cfg.ServerConfig.TLS.Get(); tlsSettings != nil {
		tlsCfg, err := tlsSettings.LoadTLSConfig(ctx)
		if err != nil {
			_ = ln.Close()
			return nil, err
		}
		tlsCfg.NextProtos = []string{"h2", "http/1.1"}
		ln = tls.NewListener(ln, tlsCfg)
	}
	return ln, nil
}

// Shutdown stops accepting connections and waits for requests in flight, so
// each of them gets the pipeline's real answer rather than being cut off.
func (r *logsReceiver) Shutdown(ctx context.Context) error {
	var err error
	if r.server != nil {
		err = r.server.Shutdown(ctx)
	}
	r.shutdownWG.Wait()
	err = errors.Join(err, r.shutdownSources(ctx))
	err = errors.Join(err, r.stopInspector(ctx))
	r.telemetry.Shutdown()
	return errors.Join(err, r.enrich.shutdown())
}
