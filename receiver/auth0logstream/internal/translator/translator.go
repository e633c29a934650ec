// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package translator turns Auth0 tenant log events into OpenTelemetry
// LogRecords. It is shared by every way events arrive (the log stream's
// push and the Management API's pull), so that an event yields the same
// record whichever way it came.
package translator

import (
	"errors"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/enrich/mgmt"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonpdata"
)

// BodyMode selects what a LogRecord's body holds.
type BodyMode uint8

const (
	// BodyEvent keeps the whole event as a structured map.
	BodyEvent BodyMode = iota
	// BodyDescription keeps only Auth0's human-readable description.
	BodyDescription
	// BodyRaw keeps the event's original JSON text.
	BodyRaw
)

const (
	envelopeDataField = "data"
	logIDField        = "log_id"
)

var (
	errEventNotObject = errors.New("event is not a JSON object")
	errDataNotObject  = errors.New(`"data" is not a JSON object`)
)

// Info is what batching needs to know about a translated event.
type Info struct {
	LogID       string
	Tenant      string
	Environment string
}

// Enricher adds attributes that the mapped ones imply (a location for
// client.address, a parsed user agent) to a record's attributes.
type Enricher interface {
	Enrich(attrs pcommon.Map)
}

// Translator turns one Auth0 event, an envelope {"log_id", "data"} or a bare
// tenant log object, into a LogRecord. It is reused across events and is not
// safe for concurrent use.
type Translator struct {
	body   BodyMode
	parser jsonpdata.Parser
	extra  pcommon.Map         // envelope members other than log_id and data
	extraW jsonpdata.MapWriter // fills extra: a bare event's every member lands there
	mapper fieldMapper
	// onDataMember is mapper.field, bound once: a method value made per
	// event would allocate.
	onDataMember func(string, pcommon.Value)
	enrich       Enricher // nil: none
	// attrCapacity sizes each record's attributes: the most any recent
	// record needed, within [minAttrCapacity, maxAttrCapacity]. Growing a
	// full attribute slice costs an allocation and a copy per record.
	attrCapacity int
}

const (
	minAttrCapacity = 16
	maxAttrCapacity = 32
)

// New returns a Translator that fills bodies as mode says; enrich may be nil.
func New(mode BodyMode, enrich Enricher) *Translator {
	t := &Translator{body: mode, extra: pcommon.NewMap(), enrich: enrich, attrCapacity: minAttrCapacity}
	t.onDataMember = t.mapper.field
	return t
}

// Translate fills lr from raw, one JSON value; hints are its container
// sizes, or nil. On error lr is left in an unspecified state and the caller
// records the event as malformed.
func (t *Translator) Translate(raw []byte, hints []int, lr plog.LogRecord) (Info, error) {
	info, err := t.read(raw, hints, lr)
	if err == nil {
		t.complete(raw, lr)
	}
	return info, err
}

// read is Translate's first half: it parses raw into lr and maps the
// event's own fields, which is all deduplication needs (Info.LogID).
func (t *Translator) read(raw []byte, hints []int, lr plog.LogRecord) (Info, error) {
	t.extra.Clear()
	t.mapper.start(lr, t.attrCapacity)
	t.parser.Begin(raw, hints)
	env, err := t.readEnvelope(lr.Body())
	if env.extraCount > 0 {
		t.extraW.Finish()
	}
	if endErr := t.parser.End(); err == nil {
		err = endErr
	}
	if err != nil {
		return Info{}, err
	}
	var data pcommon.Map
	if env.hasData {
		data = lr.Body().Map()
		// Unknown members of the envelope are kept rather than dropped:
		// nothing is lost for being unfamiliar. The event's own fields win.
		if env.extraCount > 0 {
			t.extra.Range(func(k string, v pcommon.Value) bool {
				if _, exists := data.Get(k); !exists {
					dst := data.PutEmpty(k)
					v.CopyTo(dst)
					t.mapper.field(k, dst)
				}
				return true
			})
		}
	} else {
		// A bare event: everything read is the event itself.
		data = lr.Body().SetEmptyMap()
		t.extra.MoveTo(data)
		if env.logID != "" {
			data.PutStr(logIDField, env.logID)
		}
		t.mapper.fields(data)
	}
	return t.mapper.finish(env.logID), nil
}

// complete is Translate's second half, the costlier one, so a batch runs it
// only for an event that is not a duplicate: it maps Management API calls,
// enriches and applies the body mode. lr is what read filled.
func (t *Translator) complete(raw []byte, lr plog.LogRecord) {
	data := lr.Body().Map()
	// Before the body mode replaces the map: these read the event.
	mgmt.Map(data, lr.Attributes())
	if t.enrich != nil {
		t.enrich.Enrich(lr.Attributes())
	}

	t.sizedAttributes(lr.Attributes().Len())

	switch t.body {
	case BodyRaw:
		lr.Body().SetStr(jsonpdata.ValidUTF8(string(raw)))
	case BodyDescription:
		if d, ok := data.Get("description"); ok && d.Type() == pcommon.ValueTypeStr {
			lr.Body().SetStr(d.Str())
		} else {
			lr.Body().SetStr("")
		}
	}
}

// sizedAttributes notes that a record needed n attributes.
func (t *Translator) sizedAttributes(n int) {
	if n > t.attrCapacity {
		t.attrCapacity = min(n, maxAttrCapacity)
	}
}

// envelope is what readEnvelope found around the event.
type envelope struct {
	logID      string
	hasData    bool
	extraCount int // members other than log_id and data
}

// readEnvelope reads the envelope's members: data is parsed straight into
// body, with no intermediate map, and mapped member by member as it is
// read; log_id is kept; anything else goes to t.extra. A bare event has no
// data member, and all of it lands in t.extra.
func (t *Translator) readEnvelope(body pcommon.Value) (envelope, error) {
	var env envelope
	if t.parser.Next() != jsonpdata.KindObject {
		return env, errEventNotObject
	}
	members, capacity, err := t.parser.Object()
	if err != nil {
		return env, err
	}
	for {
		key, ok, err := members.Next()
		if err != nil || !ok {
			if !env.hasData && err == nil {
				body.SetEmptyMap()
			}
			return env, err
		}
		switch {
		case key == envelopeDataField && !env.hasData:
			if t.parser.Next() != jsonpdata.KindObject {
				return env, errDataNotObject
			}
			env.hasData = true
			err = t.parser.ReadObject(body.SetEmptyMap(), t.onDataMember)
		case key == logIDField && env.logID == "" && t.parser.Next() == jsonpdata.KindString:
			env.logID, err = t.parser.String()
		default:
			if env.extraCount == 0 {
				// Sized only when needed: an envelope rarely has more.
				t.extraW.Start(t.extra, capacity)
			}
			env.extraCount++
			err = t.parser.Value(t.extraW.PutEmpty(key))
		}
		if err != nil {
			return env, err
		}
	}
}
