package auth0logstream

import (
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Attribute names. Semantic-convention names where one exists, auth0.* otherwise.
const (
	attrLogRecordUID  = "log.record.uid"
	attrType          = "auth0.type"
	attrTypeName      = "auth0.type_name"
	attrOutcome       = "auth0.outcome"
	attrCategory      = "auth0.category"
	attrScope         = "auth0.scope"
	attrSessionID     = "session.id"
	attrParseError    = "auth0.parse_error"
	attrGeoCountry    = "geo.country.iso_code"
	attrGeoLocality   = "geo.locality.name"
	attrGeoLat        = "geo.location.lat"
	attrGeoLon        = "geo.location.lon"
	attrGeoContinent  = "geo.continent.code"
	attrServiceName   = "service.name"
	attrTenantName    = "auth0.tenant.name"
	attrEnvironment   = "auth0.environment.name"
	serviceNameAuth0  = "auth0"
	envelopeDataField = "data"
	logIDField        = "log_id"
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

// eventInfo is what batching needs to know about a translated event.
type eventInfo struct {
	logID       string
	tenant      string
	environment string
}

// translator turns one Auth0 event (an envelope or a bare tenant log
// object) into a LogRecord.
type translator struct {
	body   BodyMode
	values *valueReader
	extra  pcommon.Map // envelope members other than log_id and data
	mapper fieldMapper
	// onDataMember is mapper.field, bound once: a method value made per
	// event would allocate.
	onDataMember func(string, pcommon.Value)
	enrich       *enricher // nil: no enrichment (enrich.go)
}

func newTranslator(body BodyMode) *translator {
	t := &translator{body: body, values: newValueReader(), extra: pcommon.NewMap()}
	t.onDataMember = t.mapper.field
	return t
}

// translate fills lr from raw, one JSON object. On error lr is left in an
// unspecified state and the caller records the event as malformed.
func (t *translator) translate(raw []byte, lr plog.LogRecord) (eventInfo, error) {
	t.extra.Clear()
	t.mapper.start(lr)
	env, err := t.values.readEvent(raw, lr.Body(), t.extra, t.onDataMember)
	if err != nil {
		return eventInfo{}, err
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
	info := t.mapper.finish(env.logID)
	t.enrich.record(data, lr.Attributes())

	switch t.body {
	case BodyRaw:
		lr.Body().SetStr(validUTF8(string(raw)))
	case BodyDescription:
		if d, ok := data.Get("description"); ok && d.Type() == pcommon.ValueTypeStr {
			lr.Body().SetStr(d.Str())
		} else {
			lr.Body().SetStr("")
		}
	}
	return info, nil
}

// fieldMapper sets time, severity, event name and attributes from an
// event's top-level members. The parser calls field as it finishes each
// member of "data", so the mapping costs no second walk over the event.
type fieldMapper struct {
	lr    plog.LogRecord
	attrs pcommon.Map
	info  eventInfo
	code  string
	logID string // data.log_id, used when the envelope has none
}

func (m *fieldMapper) start(lr plog.LogRecord) {
	*m = fieldMapper{lr: lr, attrs: lr.Attributes()}
	m.attrs.EnsureCapacity(16)
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
		m.info.tenant = nonEmptyStr(v)
	case "environment_name":
		m.info.environment = nonEmptyStr(v)
	case "scope":
		putScope(m.attrs, v)
	case "details":
		if v.Type() == pcommon.ValueTypeMap {
			if sid, ok := v.Map().Get("session_id"); ok {
				putStr(m.attrs, attrSessionID, sid)
			}
		}
	case "location_info":
		if v.Type() == pcommon.ValueTypeMap {
			putLocation(m.attrs, v.Map())
		}
	default:
		if name := stringFieldAttribute(k); name != "" {
			putStr(m.attrs, name, v)
		}
	}
}

// finish applies what needs every member seen; the envelope's log_id wins
// over the one inside data.
func (m *fieldMapper) finish(envelopeLogID string) eventInfo {
	if envelopeLogID != "" {
		m.logID = envelopeLogID
	}
	if m.logID != "" {
		m.attrs.PutStr(attrLogRecordUID, m.logID)
		m.info.logID = m.logID
	}
	setEventType(m.lr, m.attrs, m.code)
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
func setEventType(lr plog.LogRecord, attrs pcommon.Map, code string) {
	if code != "" {
		attrs.PutStr(attrType, code)
	}
	et, known := lookupEventType(code)
	if !known {
		lr.SetSeverityNumber(plog.SeverityNumberWarn)
		lr.SetSeverityText("WARN")
		if validTypeCode(code) {
			lr.SetEventName(eventNamePrefix + code)
		} else {
			lr.SetEventName(unknownEventName)
		}
		attrs.PutStr(attrOutcome, outcomeUnknown)
		return
	}
	lr.SetEventName(et.eventName)
	switch et.outcome {
	case outcomeFailure:
		lr.SetSeverityNumber(plog.SeverityNumberError)
		lr.SetSeverityText("ERROR")
	case outcomeWarning:
		lr.SetSeverityNumber(plog.SeverityNumberWarn)
		lr.SetSeverityText("WARN")
	default:
		lr.SetSeverityNumber(plog.SeverityNumberInfo)
		lr.SetSeverityText("INFO")
	}
	attrs.PutStr(attrTypeName, et.name)
	attrs.PutStr(attrOutcome, et.outcome)
	if et.category != "" {
		attrs.PutStr(attrCategory, et.category)
	}
}

// parseDate reads Auth0's ISO 8601 date. Anything else leaves the timestamp
// unset: ObservedTimestamp still says when the event arrived.
func parseDate(v pcommon.Value) (pcommon.Timestamp, bool) {
	if v.Type() != pcommon.ValueTypeStr {
		return 0, false
	}
	if ts, ok := parseAuth0Date(v.Str()); ok {
		return ts, true
	}
	ts, err := time.Parse(time.RFC3339Nano, v.Str())
	if err != nil {
		return 0, false
	}
	return pcommon.NewTimestampFromTime(ts), true
}

// parseAuth0Date reads the one layout Auth0 uses, 2024-01-15T10:30:00.123Z,
// without time.Parse's generality; every other form takes the slow path.
func parseAuth0Date(s string) (pcommon.Timestamp, bool) {
	if len(s) != len("2006-01-02T15:04:05.000Z") || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
		s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z' {
		return 0, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	milli, ok7 := digits(s[20:23])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) ||
		month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, milli*int(time.Millisecond), time.UTC)
	if t.Day() != day { // 2024-02-30 would roll over: let time.Parse reject it
		return 0, false
	}
	return pcommon.NewTimestampFromTime(t), true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func nonEmptyStr(v pcommon.Value) string {
	if v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// putStr sets a string attribute only when the source is a non-empty string:
// absent, null, empty and mistyped fields stay in the body only.
func putStr(attrs pcommon.Map, name string, v pcommon.Value) {
	if s := nonEmptyStr(v); s != "" {
		attrs.PutStr(name, s)
	}
}

// putScope accepts both shapes Auth0 sends: an array of strings or one
// space-separated string.
func putScope(attrs pcommon.Map, v pcommon.Value) {
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
		for i := 0; i < src.Len(); i++ {
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

func putLocation(attrs pcommon.Map, loc pcommon.Map) {
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
func putCoordinate(attrs pcommon.Map, name string, v pcommon.Value) {
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
