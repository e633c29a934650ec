// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package translator

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/dedup"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonframe"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonpdata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/status"
)

// MaxRecordsPerConsume bounds how many records one batch holds in memory
// before they are handed to the pipeline. Auth0 batches are far smaller; the
// bound keeps a huge body from being held as one huge plog.Logs.
const MaxRecordsPerConsume = 1000

// ConsumeFunc hands records to the pipeline; its error is the pipeline's answer.
type ConsumeFunc func(ctx context.Context, logs plog.Logs) error

// Stats counts what one batch contained.
type Stats struct {
	Accepted   int // records handed to the pipeline and accepted
	Events     int // well-formed events, duplicates included
	Duplicates int
	Malformed  int
}

// Batch collects the records of one delivery (a request, a page): it
// translates each value, drops duplicates, groups records per tenant and
// hands them to the pipeline in bounded chunks. Nothing is acknowledged
// (added to the dedup set) before the pipeline has accepted it.
type Batch struct {
	ctx        context.Context
	tr         *Translator
	dedup      *dedup.Set
	consume    ConsumeFunc
	version    string
	scopeName  string
	observed   pcommon.Timestamp
	logs       plog.Logs
	groups     []tenantGroup
	scratch    plog.LogRecord
	pending    int      // records in logs
	keys       []uint64 // dedup keys of the records in logs
	seen       map[uint64]struct{}
	stats      Stats
	firstError error
	observer   Observer // nil: none
}

type tenantGroup struct {
	tenant, environment string
	records             plog.LogRecordSlice
}

// Observer sees each value a batch adds, as it adds it: for diagnostics
// (the request inspector). raw is valid only during the call.
type Observer interface {
	Event(raw []byte)
	Malformed(raw []byte, reason string)
}

// Observe reports the values of the next deliveries to o; nil stops it.
func (b *Batch) Observe(o Observer) { b.observer = o }

// NewBatch returns a Batch; dedup may be nil. scopeName and version name
// the instrumentation scope of every record.
func NewBatch(tr *Translator, d *dedup.Set, scopeName, version string) *Batch {
	b := &Batch{tr: tr, dedup: d, scopeName: scopeName, version: version, scratch: plog.NewLogRecord()}
	if d != nil {
		b.seen = make(map[uint64]struct{})
	}
	return b
}

// Reset prepares the batch for a new delivery.
func (b *Batch) Reset(ctx context.Context, consume ConsumeFunc, observed pcommon.Timestamp) {
	b.ctx, b.consume, b.observed = ctx, consume, observed
	b.releaseClaims()
	b.newChunk()
	b.stats = Stats{}
	b.firstError = nil
	clear(b.seen)
}

// Release drops the references to a finished delivery's data, so that a
// pooled batch does not keep it alive.
func (b *Batch) Release() {
	b.releaseClaims()
	b.ctx, b.consume, b.observer = nil, nil, nil
	b.logs = plog.Logs{}
	clear(b.groups)
	b.groups = b.groups[:0]
}

// Stats is what the batch has seen so far.
func (b *Batch) Stats() Stats { return b.stats }

// ReadAll adds every token of sc, then hands over what is left. The
// returned error is the scanner's, or a *status.ConsumeError, or a
// *status.NoEventsError when nothing in the body was an event.
func (b *Batch) ReadAll(sc *jsonframe.Scanner) error {
	for sc.Next() {
		tok := sc.Token()
		var err error
		if tok.Malformed != nil {
			err = b.AddMalformed(tok.Raw, tok.Malformed)
		} else {
			err = b.Add(tok.Raw, tok.Hints)
		}
		if err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return b.Finish()
}

// releaseClaims gives up the dedup claims of a chunk the pipeline did not
// accept, so that a retry, or the other source, can deliver those events.
func (b *Batch) releaseClaims() {
	if b.dedup != nil && len(b.keys) > 0 {
		b.dedup.Release(b.keys)
		b.keys = b.keys[:0]
	}
}

func (b *Batch) newChunk() {
	b.logs = plog.NewLogs()
	b.groups = b.groups[:0]
	b.pending = 0
	b.keys = b.keys[:0]
}

// Add translates one value; one that is not a readable event is kept as
// malformed. The error is the pipeline's, when a full chunk was refused.
func (b *Batch) Add(raw []byte, hints []int) error {
	info, err := b.tr.read(raw, hints, b.scratch)
	if err != nil {
		b.scratch = plog.NewLogRecord() // drop the partial translation
		return b.AddMalformed(raw, err)
	}
	b.stats.Events++
	if b.observer != nil {
		b.observer.Event(raw)
	}
	if b.dedup != nil && info.LogID != "" {
		key := b.dedup.Key(info.LogID)
		_, dup := b.seen[key]
		if !dup {
			claimed, inFlight := b.dedup.Claim(key)
			if inFlight {
				// Another delivery holds it and may yet fail: neither emit
				// it twice nor drop it, but have this delivery retried.
				b.scratch = plog.NewLogRecord()
				return &status.InFlightError{}
			}
			dup = !claimed
		}
		if dup {
			b.stats.Duplicates++
			b.scratch = plog.NewLogRecord()
			return nil
		}
		b.seen[key] = struct{}{}
		b.keys = append(b.keys, key)
	}
	b.tr.complete(raw, b.scratch)
	b.scratch.SetObservedTimestamp(b.observed)
	b.scratch.MoveTo(b.group(info.Tenant, info.Environment).AppendEmpty())
	return b.added()
}

// AddMalformed keeps an unreadable value as a WARN record holding its text,
// so one bad line never costs the rest of the batch and nothing vanishes.
func (b *Batch) AddMalformed(raw []byte, reason error) error {
	b.stats.Malformed++
	if b.firstError == nil {
		b.firstError = reason
	}
	if b.observer != nil {
		b.observer.Malformed(raw, reason.Error())
	}
	lr := b.group("", "").AppendEmpty()
	lr.SetObservedTimestamp(b.observed)
	lr.SetSeverityNumber(plog.SeverityNumberWarn)
	lr.SetSeverityText("WARN")
	lr.Body().SetStr(jsonpdata.ValidUTF8(string(raw)))
	lr.Attributes().PutStr(AttrParseError, reason.Error())
	return b.added()
}

func (b *Batch) added() error {
	b.pending++
	// Only flush once a real event is known: a body of nothing but garbage
	// must be refused as a whole, not half delivered.
	if b.pending >= MaxRecordsPerConsume && b.stats.Events > 0 {
		return b.Flush()
	}
	return nil
}

// Finish hands over what is left once the whole delivery has been read. A
// body without a single event is refused as a whole.
func (b *Batch) Finish() error {
	if b.stats.Events == 0 {
		return &status.NoEventsError{FirstProblem: b.firstError}
	}
	return b.Flush()
}

// Flush hands over what is pending, events or not: a page of the
// Management API is a list of events the API vouches for, so even an
// unreadable one is forwarded (as a malformed record) rather than refused.
func (b *Batch) Flush() error {
	if b.pending == 0 {
		return nil
	}
	logs, n := b.logs, b.pending
	keys := b.keys
	if err := b.consume(b.ctx, logs); err != nil {
		return &status.ConsumeError{Err: err}
	}
	b.stats.Accepted += n
	if b.dedup != nil {
		b.dedup.Add(keys)
	}
	b.newChunk()
	return nil
}

// group returns the records of one tenant's ResourceLogs: several streams
// may share one URL, and the tenant is a resource, not a record, property.
func (b *Batch) group(tenant, environment string) plog.LogRecordSlice {
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
	sl.Scope().SetName(b.scopeName)
	sl.Scope().SetVersion(b.version)
	b.groups = append(b.groups, tenantGroup{tenant: tenant, environment: environment, records: sl.LogRecords()})
	return sl.LogRecords()
}
