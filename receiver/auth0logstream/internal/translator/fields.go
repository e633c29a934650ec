// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package translator

import (
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/catalog"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonpdata"
)

// Attribute names. Semantic-convention names where one exists, auth0.* otherwise.
const (
	attrLogRecordUID = "log.record.uid"
	attrType         = "auth0.type"
	attrTypeName     = "auth0.type_name"
	attrOutcome      = "auth0.outcome"
	attrCategory     = "auth0.category"
	attrScope        = "auth0.scope"
	attrSessionID    = "session.id"
	AttrParseError   = "auth0.parse_error" // on a record that holds an unreadable value
	attrGeoCountry   = "geo.country.iso_code"
	attrGeoLocality  = "geo.locality.name"
	attrGeoLat       = "geo.location.lat"
	attrGeoLon       = "geo.location.lon"
	attrGeoContinent = "geo.continent.code"
	attrServiceName  = "service.name"
	attrTenantName   = "auth0.tenant.name"
	attrEnvironment  = "auth0.environment.name"
	serviceNameAuth0 = "auth0"
)

// stringFieldAttribute names the attribute that carries a top-level string
// field of an Auth0 event. A switch, not a map: it runs for every field of
// every event, and compiles to a few length and byte comparisons.
func stringFieldAttribute(field string) string {
	switch field {
	case "user_id":
		return "user.id"
	case "user_name":
		return "user.name"
	case "ip":
		return "client.address"
	case "user_agent":
		return "user_agent.original"
	case "client_id":
		return "auth0.client.id"
	case "client_name":
		return "auth0.client.name"
	case "connection":
		return "auth0.connection.name"
	case "connection_id":
		return "auth0.connection.id"
	case "strategy":
		return "auth0.strategy"
	case "strategy_type":
		return "auth0.strategy_type"
	case "hostname":
		return "auth0.hostname"
	case "audience":
		return "auth0.audience"
	case "organization_id":
		return "auth0.organization.id"
	case "organization_name":
		return "auth0.organization.name"
	}
	return ""
}

// locationFields maps the older location_info object to geo.* attributes.
var locationFields = map[string]string{
	"country_code":   attrGeoCountry,
	"city_name":      attrGeoLocality,
	"continent_code": attrGeoContinent,
}

// fieldMapper sets time, severity, event name and attributes from an
// event's top-level members. The parser calls field as it finishes each
// member of "data", so the mapping costs no second walk over the event.
//
// The attributes it sets are written through a MapWriter, which skips
// pdata's per-put key scan; the record's attribute map is complete, and
// usable directly, once finish returns.
type fieldMapper struct {
	lr    plog.LogRecord
	attrs jsonpdata.MapWriter // reused: it keeps its buffers across events
	info  Info
	code  string
	logID string // data.log_id, used when the envelope has none
}

// start resets every field but attrs, which Start resets keeping its buffers
// (a MapWriter is not copied: it holds an atomic).
func (m *fieldMapper) start(lr plog.LogRecord, attrCapacity int) {
	m.lr, m.info, m.code, m.logID = lr, Info{}, "", ""
	m.attrs.Start(lr.Attributes(), attrCapacity)
}

func (m *fieldMapper) field(k string, v pcommon.Value) {
	switch k {
	case logIDField:
		if v.Type() == pcommon.ValueTypeStr {
			m.logID = v.Str()
		}
	case "type":
		if v.Type() == pcommon.ValueTypeStr {
			m.code = v.Str()
		}
	case "date":
		if ts, ok := parseDate(v); ok {
			m.lr.SetTimestamp(ts)
		}
	case "tenant_name":
		m.info.Tenant = nonEmptyStr(v)
	case "environment_name":
		m.info.Environment = nonEmptyStr(v)
	case "scope":
		putScope(&m.attrs, v)
	case "details":
		if v.Type() == pcommon.ValueTypeMap {
			if sid, ok := v.Map().Get("session_id"); ok {
				putStr(&m.attrs, attrSessionID, sid)
			}
		}
	case "location_info":
		if v.Type() == pcommon.ValueTypeMap {
			putLocation(&m.attrs, v.Map())
		}
	default:
		if name := stringFieldAttribute(k); name != "" {
			putStr(&m.attrs, name, v)
		}
	}
}

// finish applies what needs every member seen; the envelope's log_id wins
// over the one inside data.
func (m *fieldMapper) finish(envelopeLogID string) Info {
	if envelopeLogID != "" {
		m.logID = envelopeLogID
	}
	if m.logID != "" {
		m.attrs.PutStr(attrLogRecordUID, m.logID)
		m.info.LogID = m.logID
	}
	setEventType(m.lr, &m.attrs, m.code)
	m.attrs.Finish()
	return m.info
}

// fields maps every member of an event that is already a pdata map.
func (m *fieldMapper) fields(data pcommon.Map) {
	data.Range(func(k string, v pcommon.Value) bool {
		m.field(k, v)
		return true
	})
}

// setEventType applies what the catalog knows of code: severity, event name
// and the outcome attributes. Unknown codes are kept, at WARN, because a new
// code is as likely to be a new failure as anything else.
func setEventType(lr plog.LogRecord, attrs *jsonpdata.MapWriter, code string) {
	if code != "" {
		attrs.PutStr(attrType, code)
	}
	et, known := catalog.Lookup(code)
	if !known {
		lr.SetSeverityNumber(plog.SeverityNumberWarn)
		lr.SetSeverityText("WARN")
		if catalog.ValidCode(code) {
			lr.SetEventName(catalog.EventNamePrefix + code)
		} else {
			lr.SetEventName(catalog.UnknownEventName)
		}
		attrs.PutStr(attrOutcome, catalog.OutcomeUnknown)
		return
	}
	lr.SetEventName(et.EventName)
	switch et.Outcome {
	case catalog.OutcomeFailure:
		lr.SetSeverityNumber(plog.SeverityNumberError)
		lr.SetSeverityText("ERROR")
	case catalog.OutcomeWarning:
		lr.SetSeverityNumber(plog.SeverityNumberWarn)
		lr.SetSeverityText("WARN")
	default:
		lr.SetSeverityNumber(plog.SeverityNumberInfo)
		lr.SetSeverityText("INFO")
	}
	attrs.PutStr(attrTypeName, et.Name)
	attrs.PutStr(attrOutcome, et.Outcome)
	if et.Category != "" {
		attrs.PutStr(attrCategory, et.Category)
	}
}

func nonEmptyStr(v pcommon.Value) string {
	if v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// putStr sets a string attribute only when the source is a non-empty string:
// absent, null, empty and mistyped fields stay in the body only.
func putStr(attrs *jsonpdata.MapWriter, name string, v pcommon.Value) {
	if s := nonEmptyStr(v); s != "" {
		attrs.PutStr(name, s)
	}
}

// putScope accepts both shapes Auth0 sends: an array of strings or one
// space-separated string.
func putScope(attrs *jsonpdata.MapWriter, v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		fields := strings.Fields(v.Str())
		if len(fields) == 0 {
			return
		}
		s := attrs.PutEmptySlice(attrScope)
		s.EnsureCapacity(len(fields))
		for _, f := range fields {
			s.AppendEmpty().SetStr(f)
		}
	case pcommon.ValueTypeSlice:
		src := v.Slice()
		var dst pcommon.Slice
		for i := range src.Len() {
			e := src.At(i)
			if e.Type() != pcommon.ValueTypeStr || e.Str() == "" {
				continue
			}
			if dst == (pcommon.Slice{}) {
				dst = attrs.PutEmptySlice(attrScope)
				dst.EnsureCapacity(src.Len())
			}
			dst.AppendEmpty().SetStr(e.Str())
		}
	}
}

func putLocation(attrs *jsonpdata.MapWriter, loc pcommon.Map) {
	loc.Range(func(k string, v pcommon.Value) bool {
		switch k {
		case "latitude":
			putCoordinate(attrs, attrGeoLat, v)
		case "longitude":
			putCoordinate(attrs, attrGeoLon, v)
		default:
			if name, ok := locationFields[k]; ok {
				putStr(attrs, name, v)
			}
		}
		return true
	})
}

// putCoordinate accepts a number or a numeric string, as payloads differ.
func putCoordinate(attrs *jsonpdata.MapWriter, name string, v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		attrs.PutDouble(name, v.Double())
	case pcommon.ValueTypeInt:
		attrs.PutDouble(name, float64(v.Int()))
	case pcommon.ValueTypeStr:
		if f, err := strconv.ParseFloat(strings.TrimSpace(v.Str()), 64); err == nil {
			attrs.PutDouble(name, f)
		}
	}
}
