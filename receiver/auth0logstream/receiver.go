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

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/inspector"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
)

const transportHTTP = "http"

// logsReceiver serves Auth0's Custom Webhook log stream.
type logsReceiver struct {
	cfg        *Config
	set        receiver.Settings
	logger     *zap.Logger
	next       consumer.Logs
	obsrecv    *receiverhelper.ObsReport
	telemetry  *metadata.TelemetryBuilder
	token      *tokenChecker // nil when no token is configured
	dedup      *dedupSet     // nil when deduplication is off
	retryAfter string
	now        func() time.Time

	states sync.Pool // *requestState, reused across requests

	server     *http.Server
	shutdownWG sync.WaitGroup

	inspector    *inspector.Inspector // nil when off; see inspect.go
	inspectorSrv *inspector.Server
}

// requestState is the per-request working memory, pooled so that a busy
// receiver does not allocate buffers and iterators for every request.
type requestState struct {
	framer  *framer
	builder *logsBuilder
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
		obsrecv:    obsrecv,
		retryAfter: retryAfterSeconds(cfg),
		now:        time.Now,
		inspector:  newInspector(cfg),
	}
	if cfg.AuthorizationToken != "" {
		r.token = newTokenChecker(string(cfg.AuthorizationToken))
	}
	if cfg.Deduplication.Enabled {
		r.dedup = newDedupSet(cfg.Deduplication.MaxEntries)
	}
	r.states.New = func() any {
		return &requestState{
			framer:  newFramer(),
			builder: newLogsBuilder(newTranslator(cfg.Body), r.dedup, set.BuildInfo.Version),
		}
	}
	return r, nil
}

func (r *logsReceiver) getState() *requestState { return r.states.Get().(*requestState) }

func (r *logsReceiver) putState(st *requestState) {
	st.builder.release()
	r.states.Put(st)
}

// consume hands one chunk to the pipeline and waits for its answer, which
// decides the HTTP status: nothing is acknowledged before it is accepted.
func (r *logsReceiver) consume(ctx context.Context, logs plog.Logs) error {
	n := logs.LogRecordCount()
	ctx = r.obsrecv.StartLogsOp(ctx)
	err := r.next.ConsumeLogs(ctx, logs)
	r.obsrecv.EndLogsOp(ctx, metadataFormat, n, err)
	return err
}

const metadataFormat = "auth0"

func (r *logsReceiver) Start(ctx context.Context, host component.Host) error {
	if r.token == nil && !r.cfg.ServerConfig.Auth.HasValue() {
		r.logger.Warn("No authorization_token and no auth extension configured: anyone who can reach the endpoint can send events",
			zap.String("endpoint", r.cfg.ServerConfig.NetAddr.Endpoint))
	}
	ln, err := r.listen(ctx)
	if err != nil {
		return err
	}
	mux := http.HandlerFunc(r.ingest)
	srv, err := r.cfg.ServerConfig.ToServer(ctx, host.GetExtensions(), r.set.TelemetrySettings, mux,
		confighttp.WithErrorHandler(r.serverError),
		confighttp.WithDecoder("zstd", r.zstdDecoder))
	if err != nil {
		_ = ln.Close()
		return err
	}
	srv.Handler = r.gate(srv.Handler)
	srv.MaxHeaderBytes = r.cfg.MaxHeaderBytes
	r.server = srv

	r.logger.Info("Auth0 log stream receiver listening",
		zap.String("address", ln.Addr().String()),
		zap.String("path", r.cfg.Path),
		zap.Bool("token_required", r.token != nil),
		zap.Bool("deduplication", r.dedup != nil))

	r.shutdownWG.Add(1)
	go func() {
		defer r.shutdownWG.Done()
		if serr := srv.Serve(ln); serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(serr))
		}
	}()
	return r.startInspector(ctx)
}

// maxZstdWindow is the largest zstd window accepted. confighttp's decoder
// allows 512 MiB, allocated as soon as a frame announces it: ten bytes
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

// listen does what confighttp's ToListener does, with the connection limit
// slipped in beneath TLS: above it, http.Server would no longer see a
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
	err = errors.Join(err, r.stopInspector(ctx))
	r.telemetry.Shutdown()
	return err
}
