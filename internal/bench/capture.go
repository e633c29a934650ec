// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/auth0-otel/otelcol-auth0/internal/auth0gen"
	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream"
)

// captureChunk is the events per request to the in-process receiver. The
// receiver hands the pipeline at most 1000 records at a time, so a chunk
// of that size arrives as one plog.Logs.
const captureChunk = 1000

// Decode runs events through a real auth0logstream receiver, started in
// this process with a capturing consumer, and returns the LogRecords it
// built, in the events' order. Sending these records as OTLP gives the
// otlp receiver exactly the work the auth0logstream receiver does, with no
// second implementation of the mapping to drift from the first.
func Decode(ctx context.Context, events []auth0gen.Event) (plog.Logs, error) {
	factory := auth0logstream.NewFactory()
	cfg := factory.CreateDefaultConfig().(*auth0logstream.Config)
	addr, err := testproc.LoopbackAddrs(1)
	if err != nil {
		return plog.Logs{}, err
	}
	cfg.ServerConfig.NetAddr.Endpoint = addr[0]
	cfg.Deduplication.Enabled = false
	sink := new(consumertest.LogsSink)
	rcv, err := factory.CreateLogs(ctx, receivertest.NewNopSettings(factory.Type()), cfg, sink)
	if err != nil {
		return plog.Logs{}, err
	}
	if err := rcv.Start(ctx, componenttest.NewNopHost()); err != nil {
		return plog.Logs{}, err
	}
	shutdown := func() error {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return rcv.Shutdown(sctx)
	}

	url := "http://" + addr[0] + "/api/logs"
	for from := 0; from < len(events); from += captureChunk {
		to := min(from+captureChunk, len(events))
		a, err := testproc.Post(ctx, url, "", auth0gen.Encode(auth0gen.JSONLines, events[from:to]))
		if err == nil && a.Status != http.StatusOK {
			err = fmt.Errorf("in-process receiver answered %d: %s", a.Status, a.Body)
		}
		if err != nil {
			return plog.Logs{}, errors.Join(err, shutdown())
		}
	}
	if err := shutdown(); err != nil {
		return plog.Logs{}, err
	}

	out := plog.NewLogs()
	for _, ld := range sink.AllLogs() {
		ld.ResourceLogs().MoveAndAppendTo(out.ResourceLogs())
	}
	if err := checkOrder(out, events); err != nil {
		return plog.Logs{}, err
	}
	return out, nil
}

// checkOrder makes sure record i is event i, which Slice relies on to pair
// each OTLP batch with the Auth0 batch of the same events.
func checkOrder(ld plog.Logs, events []auth0gen.Event) error {
	if n := ld.LogRecordCount(); n != len(events) {
		return fmt.Errorf("receiver built %d records from %d events", n, len(events))
	}
	i := 0
	var bad error
	forEachRecord(ld, func(_, _, _ int, lr plog.LogRecord) {
		uid, ok := lr.Attributes().Get("log.record.uid")
		if bad == nil && (!ok || uid.Str() != events[i].LogID) {
			bad = fmt.Errorf("record %d has log.record.uid %q, want %q", i, uid.AsString(), events[i].LogID)
		}
		i++
	})
	return bad
}

func forEachRecord(ld plog.Logs, fn func(rl, sl, lr int, rec plog.LogRecord)) {
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		sls := rls.At(i).ScopeLogs()
		for j := range sls.Len() {
			lrs := sls.At(j).LogRecords()
			for k := range lrs.Len() {
				fn(i, j, k, lrs.At(k))
			}
		}
	}
}

// Records indexes the LogRecords of a plog.Logs by their position, so that
// runs of them can be copied out as OTLP batches.
type Records struct {
	ld  plog.Logs
	loc []recordLoc
}

type recordLoc struct{ rl, sl, lr int }

// NewRecords indexes ld's records in order.
func NewRecords(ld plog.Logs) *Records {
	r := &Records{ld: ld, loc: make([]recordLoc, 0, ld.LogRecordCount())}
	forEachRecord(ld, func(i, j, k int, _ plog.LogRecord) {
		r.loc = append(r.loc, recordLoc{rl: i, sl: j, lr: k})
	})
	return r
}

// Len is the number of records.
func (r *Records) Len() int { return len(r.loc) }

// Slice copies records [from, to) into a new plog.Logs. Consecutive records
// whose resource and scope are equal share one ResourceLogs and ScopeLogs,
// as a sender batching them would put them.
func (r *Records) Slice(from, to int) plog.Logs {
	out := plog.NewLogs()
	var curRL plog.ResourceLogs
	var curSL plog.ScopeLogs
	haveRL, haveSL := false, false
	last := recordLoc{rl: -1, sl: -1}
	for _, at := range r.loc[from:to] {
		srcRL := r.ld.ResourceLogs().At(at.rl)
		srcSL := srcRL.ScopeLogs().At(at.sl)
		if at.rl != last.rl || at.sl != last.sl {
			if !haveRL || !sameResource(curRL, srcRL) {
				curRL = out.ResourceLogs().AppendEmpty()
				srcRL.Resource().CopyTo(curRL.Resource())
				curRL.SetSchemaUrl(srcRL.SchemaUrl())
				haveRL, haveSL = true, false
			}
			if !haveSL || !sameScope(curSL, srcSL) {
				curSL = curRL.ScopeLogs().AppendEmpty()
				srcSL.Scope().CopyTo(curSL.Scope())
				curSL.SetSchemaUrl(srcSL.SchemaUrl())
				haveSL = true
			}
			last = at
		}
		srcSL.LogRecords().At(at.lr).CopyTo(curSL.LogRecords().AppendEmpty())
	}
	return out
}

func sameResource(a, b plog.ResourceLogs) bool {
	return a.SchemaUrl() == b.SchemaUrl() && a.Resource().Attributes().Equal(b.Resource().Attributes())
}

func sameScope(a, b plog.ScopeLogs) bool {
	return a.SchemaUrl() == b.SchemaUrl() && a.Scope().Name() == b.Scope().Name() &&
		a.Scope().Version() == b.Scope().Version() && a.Scope().Attributes().Equal(b.Scope().Attributes())
}
