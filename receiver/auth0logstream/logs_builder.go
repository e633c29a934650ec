package auth0logstream

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/metadata"
)

// maxRecordsPerConsume bounds how many records one request holds in memory
// before they are handed to the pipeline. Auth0 batches are far smaller; the
// bound keeps a huge body from being held as one huge plog.Logs.
const maxRecordsPerConsume = 1000

// noEventsError means the body held no usable Auth0 event at all.
type noEventsError struct{ firstProblem error }

func (e *noEventsError) Error() string {
	if e.firstProblem == nil {
		return "body holds no Auth0 event"
	}
	return "body holds no Auth0 event: " + e.firstProblem.Error()
}

// errInFlight: a log_id of this batch is held by another batch in flight.
var errInFlight = errors.New("an event of this batch is being delivered by another request; retry")

// consumeError is the pipeline's answer, kept apart from input problems.
type consumeError struct{ err error }

func (e *consumeError) Error() string { return e.err.Error() }
func (e *consumeError) Unwrap() error { return e.err }

type consumeFunc func(ctx context.Context, logs plog.Logs) error

// requestStats counts what one request contained.
type requestStats struct {
	accepted   int // records handed to the pipeline and accepted
	events     int // well-formed events, duplicates included
	duplicates int
	malformed  int
}

// logsBuilder is the valueSink of one request: it translates each value,
// drops duplicates, groups records per tenant and hands them to the
// pipeline in bounded chunks.
type logsBuilder struct {
	ctx      context.Context
	tr       *translator
	dedup    *dedupSet
	consume  consumeFunc
	version  string
	observed pcommon.Timestamp
	logs     plog.Logs
	groups   []tenantGroup
	scratch  plog.LogRecord
	pending  int      // records in logs
	keys     []uint64 // dedup keys of the records in logs
	seen     map[uint64]struct{}
	// retryInFlight makes value fail with errInFlight on a log_id another
	// batch holds in flight, instead of dropping it as a duplicate: a pulled
	// page is retried until that batch is accepted or given up.
	retryInFlight bool
	stats         requestStats
	firstError    error
}

type tenantGroup struct {
	tenant, environment string
	records             plog.LogRecordSlice
}

func newLogsBuilder(tr *translator, dedup *dedupSet, version string) *logsBuilder {
	b := &logsBuilder{tr: tr, dedup: dedup, version: version, scratch: plog.NewLogRecord()}
	if dedup != nil {
		b.seen = make(map[uint64]struct{})
	}
	return b
}

// reset prepares the builder for a new request.
func (b *logsBuilder) reset(ctx context.Context, consume consumeFunc, observed pcommon.Timestamp) {
	b.ctx, b.consume, b.observed = ctx, consume, observed
	b.releaseClaims()
	b.newChunk()
	b.stats = requestStats{}
	b.firstError = nil
	clear(b.seen)
}

// release drops the references to a finished request's data, so that a
// pooled builder does not keep it alive.
func (b *logsBuilder) release() {
	b.releaseClaims()
	b.ctx, b.consume = nil, nil
	b.logs = plog.Logs{}
	clear(b.groups)
	b.groups = b.groups[:0]
}

// releaseClaims gives up the dedup claims of a chunk that was never
// accepted, so that a retry (or another source) can deliver those events.
func (b *logsBuilder) releaseClaims() {
	if b.dedup != nil && len(b.keys) > 0 {
		b.dedup.release(b.keys)
		b.keys = b.keys[:0]
	}
}

func (b *logsBuilder) newChunk() {
	b.logs = plog.NewLogs()
	b.groups = b.groups[:0]
	b.pending = 0
	b.keys = b.keys[:0]
}

func (b *logsBuilder) value(raw []byte) error {
	info, err := b.tr.translate(raw, b.scratch)
	if err != nil {
		b.scratch = plog.NewLogRecord() // drop the partial translation
		if errors.Is(err, errTrailingData) {
			return err // the framer splits the values and comes back
		}
		return b.malformed(raw, err)
	}
	b.stats.events++
	if b.dedup != nil && info.logID != "" {
		key := b.dedup.key(info.logID)
		_, dup := b.seen[key]
		if !dup {
			claimed, inFlight := b.dedup.claim(key)
			if inFlight && b.retryInFlight {
				b.scratch = plog.NewLogRecord()
				return errInFlight
			}
			dup = !claimed
		}
		if dup {
			b.stats.duplicates++
			b.scratch = plog.NewLogRecord()
			return nil
		}
		b.seen[key] = struct{}{}
		b.keys = append(b.keys, key)
	}
	b.scratch.SetObservedTimestamp(b.observed)
	b.scratch.MoveTo(b.group(info.tenant, info.environment).AppendEmpty())
	return b.added()
}

// malformed keeps an unreadable value as a WARN record holding its text, so
// one bad line never costs the rest of the batch and nothing vanishes.
func (b *logsBuilder) malformed(raw []byte, reason error) error {
	b.stats.malformed++
	if b.firstError == nil {
		b.firstError = reason
	}
	lr := b.group("", "").AppendEmpty()
	lr.SetObservedTimestamp(b.observed)
	lr.SetSeverityNumber(plog.SeverityNumberWarn)
	lr.SetSeverityText("WARN")
	lr.Body().SetStr(validUTF8(string(raw)))
	lr.Attributes().PutStr(attrParseError, reason.Error())
	return b.added()
}

func (b *logsBuilder) added() error {
	b.pending++
	// Only flush once a real event is known: a body of nothing but garbage
	// must be refused as a whole, not half delivered.
	if b.pending >= maxRecordsPerConsume && b.stats.events > 0 {
		return b.flush()
	}
	return nil
}

// finish hands over what is left once the whole body has been read.
func (b *logsBuilder) finish() error {
	if b.stats.events == 0 {
		return &noEventsError{firstProblem: b.firstError}
	}
	return b.flush()
}

func (b *logsBuilder) flush() error {
	if b.pending == 0 {
		return nil
	}
	logs, n := b.logs, b.pending
	keys := b.keys
	if err := b.consume(b.ctx, logs); err != nil {
		return &consumeError{err: err}
	}
	b.stats.accepted += n
	if b.dedup != nil {
		b.dedup.add(keys)
	}
	b.newChunk()
	return nil
}

// group returns the records of one tenant's ResourceLogs: several streams
// may share one URL, and the tenant is a resource, not a record, property.
func (b *logsBuilder) group(tenant, environment string) plog.LogRecordSlice {
	for i := range b.groups {
		if g := &b.groups[i]; g.tenant == tenant && g.environment == environment {
			return g.records
		}
	}
	rl := b.logs.ResourceLogs().AppendEmpty()
	res := rl.Resource().Attributes()
	res.PutStr(attrServiceName, serviceNameAuth0)
	if tenant != "" {
		res.PutStr(attrTenantName, tenant)
	}
	if environment != "" {
		res.PutStr(attrEnvironment, environment)
	}
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	sl.Scope().SetVersion(b.version)
	b.groups = append(b.groups, tenantGroup{tenant: tenant, environment: environment, records: sl.LogRecords()})
	return sl.LogRecords()
}

var _ valueSink = (*logsBuilder)(nil)

// describe summarises a request for debug logs and the 200 response.
func (s requestStats) describe() string {
	return fmt.Sprintf("accepted=%d duplicates=%d malformed=%d", s.accepted, s.duplicates, s.malformed)
}
