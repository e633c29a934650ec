// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package translator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/catalog"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/dedup"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonpdata"
	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/status"
)

// fixtureTranslate maps one JSON object in the given body mode.
func fixtureTranslate(t testing.TB, mode BodyMode, raw string) (plog.LogRecord, Info) {
	t.Helper()
	lr := plog.NewLogRecord()
	info, err := New(mode, nil).Translate([]byte(raw), nil, lr)
	require.NoError(t, err)
	return lr, info
}

// fixtureData wraps the members of a data object in an envelope.
func fixtureData(members string) string {
	if members == "" {
		return `{"log_id":"900","data":{}}`
	}
	return `{"log_id":"900","data":{` + members + `}}`
}

func TestTranslateTimestamp(t *testing.T) {
	tests := []struct {
		name string
		date string // JSON value of data.date; empty means absent
		want time.Time
	}{
		{name: "milliseconds", date: `"2024-01-15T10:30:00.123Z"`, want: time.Date(2024, 1, 15, 10, 30, 0, 123e6, time.UTC)},
		{name: "whole seconds", date: `"2024-01-15T10:30:00Z"`, want: time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)},
		{name: "offset", date: `"2024-01-15T11:30:00.001+01:00"`, want: time.Date(2024, 1, 15, 10, 30, 0, 1e6, time.UTC)},
		{name: "missing"},
		{name: "null", date: `null`},
		{name: "empty", date: `""`},
		{name: "unparseable", date: `"yesterday at noon"`},
		{name: "date only", date: `"2024-01-15"`},
		{name: "epoch number", date: `1705314600123`},
		{name: "object", date: `{"$date":"2024-01-15T10:30:00.123Z"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			members := `"type":"s"`
			if tt.date != "" {
				members += `,"date":` + tt.date
			}
			lr, _ := fixtureTranslate(t, BodyEvent, fixtureData(members))
			if tt.want.IsZero() {
				assert.Zero(t, lr.Timestamp())
				return
			}
			assert.Equal(t, tt.want.UnixNano(), int64(lr.Timestamp()))
		})
	}
}

// The outcome classes of the catalog decide severity; the expectations are
// taken from event-types.tsv by hand, not from the catalog under test.
func TestTranslateSeverityAndEventName(t *testing.T) {
	long64 := strings.Repeat("a", 64)
	tests := []struct {
		code     string // JSON value of data.type
		severity plog.SeverityNumber
		text     string
		event    string
		outcome  string
		category string
		typeName string
	}{
		{`"f"`, 17, "ERROR", "auth0.f", "failure", "auth.login.fail", "Failed Login"},
		{`"fp"`, 17, "ERROR", "auth0.fp", "failure", "auth.login.fail", "Failed Login (Incorrect Password)"},
		{`"limit_wc"`, 17, "ERROR", "auth0.limit_wc", "failure", "system.notification", "Blocked Account"},
		{`"pwd_leak"`, 17, "ERROR", "auth0.pwd_leak", "failure", "other", "Breached password"},
		{`"api_limit"`, 17, "ERROR", "auth0.api_limit", "failure", "system.notification", ""},
		{`"fapi"`, 17, "ERROR", "auth0.fapi", "failure", "", ""}, // legacy: no category
		{`"w"`, 13, "WARN", "auth0.w", "warning", "auth.login.notification", "Warning During Login"},
		{`"depnote"`, 13, "WARN", "auth0.depnote", "warning", "system.notification", "Deprecation Notice"},
		{`"resource_cleanup"`, 13, "WARN", "auth0.resource_cleanup", "warning", "other", ""},
		{`"s"`, 9, "INFO", "auth0.s", "success", "auth.login.success", "Success Login"},
		{`"seacft"`, 9, "INFO", "auth0.seacft", "success", "auth.token_exchange.success", ""},
		{`"sapi"`, 9, "INFO", "auth0.sapi", "success", "management.success", "Success API Operation"},
		{`"mfar"`, 9, "INFO", "auth0.mfar", "info", "other", "MFA Required"},
		{`"du"`, 9, "INFO", "auth0.du", "info", "", "Deleted User"},
		{`"passkey_autofill_started"`, 13, "WARN", "auth0.passkey_autofill_started", "unknown", "", ""},
		{`"` + long64 + `"`, 13, "WARN", "auth0." + long64, "unknown", "", ""},
		{`"` + long64 + `a"`, 13, "WARN", "auth0.unknown", "unknown", "", ""},
		{`"FP"`, 13, "WARN", "auth0.unknown", "unknown", "", ""},
		{`"f-p"`, 13, "WARN", "auth0.unknown", "unknown", "", ""},
		{`"fp "`, 13, "WARN", "auth0.unknown", "unknown", "", ""},
		{`"é"`, 13, "WARN", "auth0.unknown", "unknown", "", ""},
		{`""`, 13, "WARN", "auth0.unknown", "unknown", "", ""},
		{`null`, 13, "WARN", "auth0.unknown", "unknown", "", ""},
		{`7`, 13, "WARN", "auth0.unknown", "unknown", "", ""},
		{`{"code":"fp"}`, 13, "WARN", "auth0.unknown", "unknown", "", ""},
		{`["fp"]`, 13, "WARN", "auth0.unknown", "unknown", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			lr, _ := fixtureTranslate(t, BodyEvent, fixtureData(`"type":`+tt.code))
			assert.Equal(t, tt.severity, lr.SeverityNumber())
			assert.Equal(t, tt.text, lr.SeverityText())
			assert.Equal(t, tt.event, lr.EventName())
			attrs := lr.Attributes()
			outcome, _ := fixtureAttrStr(attrs, attrOutcome)
			assert.Equal(t, tt.outcome, outcome)
			category, hasCategory := fixtureAttrStr(attrs, attrCategory)
			assert.Equal(t, tt.category, category)
			assert.Equal(t, tt.category != "", hasCategory)
			typeName, hasName := fixtureAttrStr(attrs, attrTypeName)
			if tt.typeName != "" {
				assert.Equal(t, tt.typeName, typeName)
			}
			assert.Equal(t, tt.outcome != "unknown", hasName, "auth0.type_name only for known codes")
			code, hasType := fixtureAttrStr(attrs, attrType)
			if strings.HasPrefix(tt.code, `"`) && tt.code != `""` {
				assert.Equal(t, strings.Trim(tt.code, `"`), code, "auth0.type keeps the code as sent")
			} else {
				assert.False(t, hasType, "auth0.type only from a non-empty string")
			}
		})
	}
}

// One event with every mapped field gives exactly the attributes of issue 2.
func TestTranslateAllAttributes(t *testing.T) {
	raw := `{"log_id":"90020240115103000123","data":{
		"date":"2024-01-15T10:30:00.123Z","type":"fp","description":"Wrong email or password.",
		"log_id":"90020240115103000123","tenant_name":"acme-prod","environment_name":"prod-eu-1",
		"ip":"2001:db8:85a3::8a2e:370:7334","client_ip":null,"user_agent":"Chrome 120.0.0 / Mac OS X 10.15.7",
		"is_mobile":false,"user_id":"auth0|65a4f2c1","user_name":"jane.doe@acme.example",
		"client_id":"AaiyAPdpYdesoKnqjj8HJqRn4T5titww","client_name":"Acme Web",
		"connection":"Username-Password-Authentication","connection_id":"con_0aBcDeFgHiJkLmNo",
		"strategy":"auth0","strategy_type":"database","hostname":"login.acme.example",
		"audience":"https://api.acme.example/","scope":"openid profile email",
		"organization_id":"org_W2x3Y4z5","organization_name":"acme-partners",
		"details":{"session_id":"f2Zc8kQ1VbN7yT3r","error":{"message":"Wrong email or password."}},
		"location_info":{"country_code":"DE","country_code3":"DEU","country_name":"Germany","city_name":"Berlin",
			"latitude":52.5167,"longitude":13.4,"time_zone":"Europe/Berlin","continent_code":"EU"},
		"unknown_future_field":{"a":1}}}`
	lr, info := fixtureTranslate(t, BodyEvent, raw)
	want := map[string]any{
		"log.record.uid":          "90020240115103000123",
		"auth0.type":              "fp",
		"auth0.type_name":         "Failed Login (Incorrect Password)",
		"auth0.outcome":           "failure",
		"auth0.category":          "auth.login.fail",
		"user.id":                 "auth0|65a4f2c1",
		"user.name":               "jane.doe@acme.example",
		"client.address":          "2001:db8:85a3::8a2e:370:7334",
		"user_agent.original":     "Chrome 120.0.0 / Mac OS X 10.15.7",
		"session.id":              "f2Zc8kQ1VbN7yT3r",
		"auth0.client.id":         "AaiyAPdpYdesoKnqjj8HJqRn4T5titww",
		"auth0.client.name":       "Acme Web",
		"auth0.connection.name":   "Username-Password-Authentication",
		"auth0.connection.id":     "con_0aBcDeFgHiJkLmNo",
		"auth0.strategy":          "auth0",
		"auth0.strategy_type":     "database",
		"auth0.hostname":          "login.acme.example",
		"auth0.audience":          "https://api.acme.example/",
		"auth0.scope":             []any{"openid", "profile", "email"},
		"auth0.organization.id":   "org_W2x3Y4z5",
		"auth0.organization.name": "acme-partners",
		"geo.country.iso_code":    "DE",
		"geo.locality.name":       "Berlin",
		"geo.location.lat":        52.5167,
		"geo.location.lon":        13.4,
		"geo.continent.code":      "EU",
	}
	assert.Equal(t, want, lr.Attributes().AsRaw())
	assert.Equal(t, Info{LogID: "90020240115103000123", Tenant: "acme-prod", Environment: "prod-eu-1"}, info)
	assert.Equal(t, time.Date(2024, 1, 15, 10, 30, 0, 123e6, time.UTC).UnixNano(), int64(lr.Timestamp()))
}

// A string attribute exists only for a non-empty string source.
func TestTranslateStringAttributeOmitted(t *testing.T) {
	sources := map[string]string{
		"user_id": "user.id", "user_name": "user.name", "ip": "client.address", "user_agent": "user_agent.original",
		"client_id": "auth0.client.id", "client_name": "auth0.client.name", "connection": "auth0.connection.name",
		"connection_id": "auth0.connection.id", "strategy": "auth0.strategy", "strategy_type": "auth0.strategy_type",
		"hostname": "auth0.hostname", "audience": "auth0.audience", "organization_id": "auth0.organization.id",
		"organization_name": "auth0.organization.name",
	}
	shapes := map[string]string{"null": `null`, "empty": `""`, "number": `42`, "bool": `true`, "object": `{"v":"x"}`, "array": `["x"]`}
	for field, attr := range sources {
		t.Run(field+"/present", func(t *testing.T) {
			lr, _ := fixtureTranslate(t, BodyEvent, fixtureData(`"type":"s","`+field+`":"value-1"`))
			v, _ := fixtureAttrStr(lr.Attributes(), attr)
			assert.Equal(t, "value-1", v)
		})
		t.Run(field+"/absent", func(t *testing.T) {
			lr, _ := fixtureTranslate(t, BodyEvent, fixtureData(`"type":"s"`))
			_, ok := lr.Attributes().Get(attr)
			assert.False(t, ok)
		})
		for shape, value := range shapes {
			t.Run(field+"/"+shape, func(t *testing.T) {
				lr, _ := fixtureTranslate(t, BodyEvent, fixtureData(`"type":"s","`+field+`":`+value))
				_, ok := lr.Attributes().Get(attr)
				assert.False(t, ok, "%s must be omitted for %s", attr, value)
				// The source still survives in the body.
				_, inBody := lr.Body().Map().Get(field)
				assert.True(t, inBody)
			})
		}
	}
}

func TestTranslateLogRecordUID(t *testing.T) {
	tests := []struct{ name, raw, want string }{
		{"outer and inner", `{"log_id":"outer","data":{"log_id":"inner","type":"s"}}`, "outer"},
		{"outer only", `{"log_id":"outer","data":{"type":"s"}}`, "outer"},
		{"no outer (test delivery)", `{"data":{"log_id":"inner","type":"s"}}`, "inner"},
		{"outer not a string", `{"log_id":900,"data":{"log_id":"inner","type":"s"}}`, "inner"},
		{"outer empty", `{"log_id":"","data":{"log_id":"inner","type":"s"}}`, "inner"},
		{"bare event", `{"log_id":"bare","type":"s","date":"2024-01-15T10:30:00.123Z"}`, "bare"},
		{"none", `{"type":"s"}`, ""},
		{"inner null", `{"data":{"log_id":null,"type":"s"}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr, info := fixtureTranslate(t, BodyEvent, tt.raw)
			got, ok := fixtureAttrStr(lr.Attributes(), attrLogRecordUID)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, info.LogID)
		})
	}
}

func TestTranslateScope(t *testing.T) {
	tests := []struct {
		scope string
		want  []any // nil: attribute absent
	}{
		{`"openid profile email"`, []any{"openid", "profile", "email"}},
		{`"  openid   read:users\tupdate:users "`, []any{"openid", "read:users", "update:users"}},
		{`"openid"`, []any{"openid"}},
		{`["openid","profile","offline_access"]`, []any{"openid", "profile", "offline_access"}},
		{`["read:users"]`, []any{"read:users"}},
		{`["openid","",null,7,"email"]`, []any{"openid", "email"}},
		{`""`, nil},
		{`"   "`, nil},
		{`[]`, nil},
		{`[""]`, nil},
		{`null`, nil},
		{`42`, nil},
		{`{"openid":true}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			lr, _ := fixtureTranslate(t, BodyEvent, fixtureData(`"type":"seacft","scope":`+tt.scope))
			v, ok := lr.Attributes().Get(attrScope)
			if tt.want == nil {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			require.Equal(t, pcommon.ValueTypeSlice, v.Type())
			assert.Equal(t, tt.want, v.Slice().AsRaw())
		})
	}
}

func TestTranslateSessionID(t *testing.T) {
	tests := []struct{ details, want string }{
		{`{"session_id":"f2Zc8kQ1VbN7yT3r"}`, "f2Zc8kQ1VbN7yT3r"},
		{`{"session_id":"s1","prompts":[{"name":"login"}]}`, "s1"},
		{`{"session_id":""}`, ""},
		{`{"session_id":null}`, ""},
		{`{"session_id":12345}`, ""},
		{`{"other":"x"}`, ""},
		{`null`, ""},
		{`"session_id=s1"`, ""},
		{`["s1"]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.details, func(t *testing.T) {
			lr, _ := fixtureTranslate(t, BodyEvent, fixtureData(`"type":"s","details":`+tt.details))
			got, ok := fixtureAttrStr(lr.Attributes(), attrSessionID)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want != "", ok)
		})
	}
}

func TestTranslateLocationInfo(t *testing.T) {
	tests := []struct {
		name string
		loc  string
		want map[string]any
	}{
		{"numbers", `{"country_code":"DE","city_name":"Berlin","latitude":52.5167,"longitude":13.4,"continent_code":"EU"}`,
			map[string]any{attrGeoCountry: "DE", attrGeoLocality: "Berlin", attrGeoLat: 52.5167, attrGeoLon: 13.4, attrGeoContinent: "EU"}},
		{"numeric strings", `{"country_code":"JP","city_name":"Tokyo","latitude":"35.6895","longitude":" 139.6917 "}`,
			map[string]any{attrGeoCountry: "JP", attrGeoLocality: "Tokyo", attrGeoLat: 35.6895, attrGeoLon: 139.6917}},
		{"integers", `{"latitude":-23,"longitude":0}`, map[string]any{attrGeoLat: -23.0, attrGeoLon: 0.0}},
		{"unicode city", `{"city_name":"São Paulo","country_code":"BR"}`, map[string]any{attrGeoLocality: "São Paulo", attrGeoCountry: "BR"}},
		{"not numbers", `{"latitude":"north","longitude":true,"country_code":""}`, map[string]any{}},
		{"nulls", `{"latitude":null,"longitude":null,"city_name":null}`, map[string]any{}},
		{"only extras", `{"country_code3":"DEU","time_zone":"Europe/Berlin"}`, map[string]any{}},
		{"not an object", `"Berlin, DE"`, map[string]any{}},
		{"null", `null`, map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr, _ := fixtureTranslate(t, BodyEvent, fixtureData(`"type":"s","location_info":`+tt.loc))
			got := map[string]any{}
			lr.Attributes().Range(func(k string, v pcommon.Value) bool {
				if strings.HasPrefix(k, "geo.") {
					got[k] = v.AsRaw()
				}
				return true
			})
			assert.Equal(t, tt.want, got)
		})
	}
}

// In the default mode the body is data with every JSON type preserved.
func TestTranslateBodyEventKeepsTypes(t *testing.T) {
	raw := `{"log_id":"1","extra_envelope":"kept","data":{"type":"s","i":1,"neg":-5,"zero":0,"f":1.5,"exp":1e3,
		"big":9223372036854775808,"b":true,"bf":false,"n":null,"s":"x","empty":"","m":{"a":{"b":[1,"x",null,2.5,{"c":[]}]}},
		"arr":[],"obj":{},"isMobile":true,"is_mobile":false,"details":"a string","unknown":{"deep":[[["x"]]]}}}`
	lr, _ := fixtureTranslate(t, BodyEvent, raw)
	require.Equal(t, pcommon.ValueTypeMap, lr.Body().Type())
	body := lr.Body().Map()
	typeOf := func(k string) pcommon.ValueType {
		v, ok := body.Get(k)
		require.True(t, ok, "body lost %q", k)
		return v.Type()
	}
	assert.Equal(t, pcommon.ValueTypeInt, typeOf("i"))
	assert.Equal(t, pcommon.ValueTypeInt, typeOf("neg"))
	assert.Equal(t, pcommon.ValueTypeInt, typeOf("zero"))
	assert.Equal(t, pcommon.ValueTypeDouble, typeOf("f"))
	assert.Equal(t, pcommon.ValueTypeDouble, typeOf("exp"))
	assert.Equal(t, pcommon.ValueTypeDouble, typeOf("big"))
	assert.Equal(t, pcommon.ValueTypeBool, typeOf("b"))
	assert.Equal(t, pcommon.ValueTypeEmpty, typeOf("n"))
	assert.Equal(t, pcommon.ValueTypeStr, typeOf("empty"))
	assert.Equal(t, pcommon.ValueTypeSlice, typeOf("arr"))
	assert.Equal(t, pcommon.ValueTypeMap, typeOf("obj"))
	assert.Equal(t, pcommon.ValueTypeStr, typeOf("details"))
	want := map[string]any{
		"type": "s", "i": int64(1), "neg": int64(-5), "zero": int64(0), "f": 1.5, "exp": 1000.0,
		"big": 9223372036854775808.0, "b": true, "bf": false, "n": nil, "s": "x", "empty": "",
		"m":   map[string]any{"a": map[string]any{"b": []any{int64(1), "x", nil, 2.5, map[string]any{"c": []any{}}}}},
		"arr": []any{}, "obj": map[string]any{}, "isMobile": true, "is_mobile": false, "details": "a string",
		"unknown":        map[string]any{"deep": []any{[]any{[]any{"x"}}}},
		"extra_envelope": "kept",
	}
	assert.Equal(t, want, body.AsRaw())
}

func TestTranslateBodyModes(t *testing.T) {
	withDesc := `{"log_id":"1","data":{"type":"f","description":"Wrong email or password.","details":{"x":1}}}`
	noDesc := `{"log_id":"1","data":{"type":"f","details":null}}`
	numDesc := `{"log_id":"1","data":{"type":"f","description":42}}`
	bare := `{ "type": "s", "description": "test log", "date": "2024-01-15T10:30:00.123Z" }`

	lr, _ := fixtureTranslate(t, BodyDescription, withDesc)
	assert.Equal(t, "Wrong email or password.", lr.Body().Str())
	lr, _ = fixtureTranslate(t, BodyDescription, noDesc)
	assert.Equal(t, pcommon.ValueTypeStr, lr.Body().Type())
	assert.Equal(t, "", lr.Body().Str())
	lr, _ = fixtureTranslate(t, BodyDescription, numDesc)
	assert.Equal(t, "", lr.Body().Str())

	for _, raw := range []string{withDesc, noDesc, bare} {
		lr, _ = fixtureTranslate(t, BodyRaw, raw)
		assert.Equal(t, raw, lr.Body().Str(), "raw mode keeps the original text")
		// The mapping does not depend on the body mode.
		ev, _ := fixtureTranslate(t, BodyEvent, raw)
		assert.Equal(t, ev.Attributes().AsRaw(), lr.Attributes().AsRaw())
		assert.Equal(t, ev.EventName(), lr.EventName())
		assert.Equal(t, ev.SeverityNumber(), lr.SeverityNumber())
		assert.Equal(t, ev.Timestamp(), lr.Timestamp())
	}
}

// Raw mode through the framer: each event's own text, also inside an array.
func TestTranslateBodyRawThroughFramer(t *testing.T) {
	a, b := fixtureEnvelope("1", "s"), fixtureEnvelope("2", "fp")
	for name, body := range map[string]string{
		"lines": a + "\r\n" + b + "\r\n",
		"array": "[" + a + ", " + b + "]",
	} {
		t.Run(name, func(t *testing.T) {
			builder := NewBatch(New(BodyRaw, nil), nil, testScope, "test")
			res := fixtureDecode(strings.NewReader(body), builder, nil)
			require.NoError(t, res.err)
			var got []string
			for _, r := range fixtureRecords(res.logs) {
				got = append(got, r.lr.Body().Str())
			}
			assert.ElementsMatch(t, []string{a, b}, got)
		})
	}
}

func TestTranslateRejects(t *testing.T) {
	for name, raw := range map[string]string{
		"data string":  `{"log_id":"1","data":"x"}`,
		"data array":   `{"log_id":"1","data":[{"type":"s"}]}`,
		"data null":    `{"log_id":"1","data":null}`,
		"array":        `[{"type":"s"}]`,
		"number":       `42`,
		"trailing":     `{"type":"s"} {"type":"f"}`,
		"bad number":   `{"type":"s","n":-}`,
		"too deep":     `{"d":` + strings.Repeat("[", jsonpdata.MaxNesting+1) + strings.Repeat("]", jsonpdata.MaxNesting+1) + `}`,
		"unterminated": `{"type":"s"`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(BodyEvent, nil).Translate([]byte(raw), nil, plog.NewLogRecord())
			assert.Error(t, err)
		})
	}
}

// A translator is reused across events: nothing of one leaks into the next.
func TestTranslateReuseDoesNotLeak(t *testing.T) {
	tr := New(BodyEvent, nil)
	first := plog.NewLogRecord()
	_, err := tr.Translate([]byte(`{"log_id":"1","extra":"e","data":{"type":"fp","user_id":"u1","scope":"a b","tenant_name":"t1"}}`), nil, first)
	require.NoError(t, err)
	second := plog.NewLogRecord()
	info, err := tr.Translate([]byte(`{"data":{"type":"s"}}`), nil, second)
	require.NoError(t, err)
	assert.Equal(t, Info{}, info)
	assert.Equal(t, map[string]any{"type": "s"}, second.Body().Map().AsRaw())
	assert.Equal(t, map[string]any{attrType: "s", attrTypeName: "Success Login", attrOutcome: "success", attrCategory: "auth.login.success"},
		second.Attributes().AsRaw())
	// The first record is untouched by the second translation.
	assert.Equal(t, map[string]any{"type": "fp", "user_id": "u1", "scope": "a b", "tenant_name": "t1", "extra": "e"}, first.Body().Map().AsRaw())
}

func TestTranslateResourcesAndScope(t *testing.T) {
	builder := NewBatch(New(BodyEvent, nil), nil, testScope, "v1.2.3")
	res := fixtureDecode(bytes.NewReader(fixtureRead(t, "multi_tenant.jsonl")), builder, nil)
	require.NoError(t, res.err)
	require.Len(t, res.logs, 1)
	type resKey struct{ tenant, env string }
	perResource := map[resKey]int{}
	rls := res.logs[0].ResourceLogs()
	for i := range rls.Len() {
		rl := rls.At(i)
		attrs := rl.Resource().Attributes()
		svc, _ := fixtureAttrStr(attrs, attrServiceName)
		assert.Equal(t, "auth0", svc)
		tenant, hasTenant := fixtureAttrStr(attrs, attrTenantName)
		env, hasEnv := fixtureAttrStr(attrs, attrEnvironment)
		assert.Equal(t, tenant != "", hasTenant)
		assert.Equal(t, env != "", hasEnv)
		require.Equal(t, 1, rl.ScopeLogs().Len())
		sl := rl.ScopeLogs().At(0)
		assert.Equal(t, testScope, sl.Scope().Name())
		assert.Equal(t, "github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream", sl.Scope().Name())
		assert.Equal(t, "v1.2.3", sl.Scope().Version())
		k := resKey{tenant, env}
		_, dup := perResource[k]
		assert.False(t, dup, "one ResourceLogs per tenant, got two for %v", k)
		perResource[k] = sl.LogRecords().Len()
		for j := range sl.LogRecords().Len() {
			lr := sl.LogRecords().At(j)
			assert.Equal(t, fixtureObserved, lr.ObservedTimestamp())
			tn, _ := lr.Body().Map().Get("tenant_name")
			if tenant != "" {
				assert.Equal(t, tenant, tn.Str(), "record filed under the wrong tenant")
			}
		}
	}
	assert.Equal(t, map[resKey]int{
		{"acme-prod", "prod-eu-1"}:      2,
		{"globex-staging", "prod-us-3"}: 2,
		{"initech", ""}:                 2,
		{"", ""}:                        1,
	}, perResource)
}

// Every event of the mixed fixture maps to the catalog's severity and name.
func TestTranslateMixedFixture(t *testing.T) {
	res := fixtureDecodeBytes(fixtureRead(t, "jsonlines_mixed_types.jsonl"))
	require.NoError(t, res.err)
	outcomes := map[string]int{}
	codes := map[string]bool{}
	for _, r := range fixtureRecords(res.logs) {
		code, _ := fixtureAttrStr(r.lr.Attributes(), attrType)
		outcome, _ := fixtureAttrStr(r.lr.Attributes(), attrOutcome)
		codes[code] = true
		outcomes[outcome]++
		wantSev := map[string]plog.SeverityNumber{"failure": 17, "warning": 13, "unknown": 13, "success": 9, "info": 9}[outcome]
		assert.Equal(t, wantSev, r.lr.SeverityNumber(), code)
		assert.NotZero(t, r.lr.Timestamp(), code)
		assert.Equal(t, fixtureObserved, r.lr.ObservedTimestamp())
		if catalog.ValidCode(code) {
			assert.Equal(t, "auth0."+code, r.lr.EventName())
		} else {
			assert.Equal(t, "auth0.unknown", r.lr.EventName())
		}
	}
	assert.GreaterOrEqual(t, len(codes), 15)
	for _, o := range []string{"failure", "warning", "success", "info", "unknown"} {
		assert.Positive(t, outcomes[o], "no %s event in the fixture", o)
	}
}

func TestTranslateDedupWithinBatch(t *testing.T) {
	body := fixtureRead(t, "duplicates.jsonl")
	res := fixtureDecodeBytes(body)
	require.NoError(t, res.err)
	assert.Equal(t, 2, res.stats.Duplicates)
	ids := map[string]int{}
	for _, r := range fixtureRecords(res.logs) {
		id, _ := fixtureAttrStr(r.lr.Attributes(), attrLogRecordUID)
		ids[id]++
	}
	assert.Len(t, ids, 2)
	for id, n := range ids {
		assert.Equal(t, 1, n, id)
	}

	// Events without a log_id are never taken for duplicates.
	bare := `{"type":"s","description":"test"}`
	res = fixtureDecodeBytes([]byte(bare + "\n" + bare + "\n"))
	require.NoError(t, res.err)
	assert.Equal(t, 0, res.stats.Duplicates)
	assert.Len(t, fixtureRecords(res.logs), 2)

	// Deduplication off: everything is delivered.
	builder := NewBatch(New(BodyEvent, nil), nil, testScope, "test")
	res = fixtureDecode(bytes.NewReader(body), builder, nil)
	require.NoError(t, res.err)
	assert.Len(t, fixtureRecords(res.logs), 4)
}

func TestTranslateDedupAcrossRequests(t *testing.T) {
	body := fixtureRead(t, "jsonlines_mixed_types.jsonl")
	errPipeline := errors.New("memory limiter refused")
	failing := func(context.Context, plog.Logs) error { return errPipeline }

	t.Run("accepted then retried", func(t *testing.T) {
		builder := newTestBatch(BodyEvent, dedup.New(1000))
		first := fixtureDecode(bytes.NewReader(body), builder, nil)
		require.NoError(t, first.err)
		assert.Equal(t, 27, first.stats.Accepted)
		second := fixtureDecode(bytes.NewReader(body), builder, nil)
		require.NoError(t, second.err, "a batch of nothing but known duplicates is still a success")
		assert.Equal(t, 27, second.stats.Duplicates)
		assert.Empty(t, fixtureRecords(second.logs))
	})
	t.Run("refused then retried", func(t *testing.T) {
		builder := newTestBatch(BodyEvent, dedup.New(1000))
		first := fixtureDecode(bytes.NewReader(body), builder, failing)
		var ce *status.ConsumeError
		require.ErrorAs(t, first.err, &ce)
		assert.ErrorIs(t, first.err, errPipeline)
		second := fixtureDecode(bytes.NewReader(body), builder, nil)
		require.NoError(t, second.err)
		assert.Equal(t, 0, second.stats.Duplicates, "a refused event must not be remembered")
		assert.Len(t, fixtureRecords(second.logs), 27)
	})
	t.Run("partly refused large body", func(t *testing.T) {
		var sb strings.Builder
		const n = MaxRecordsPerConsume + 500
		for i := range n {
			sb.WriteString(fixtureEnvelope(fmt.Sprintf("big-%05d", i), "s") + "\n")
		}
		builder := NewBatch(New(BodyEvent, nil), dedup.New(10*n), testScope, "test")
		calls := 0
		failSecond := func(context.Context, plog.Logs) error {
			calls++
			if calls == 2 {
				return errPipeline
			}
			return nil
		}
		delivered := map[string]int{}
		collect := func(res fixtureResult) {
			for _, r := range fixtureRecords(res.logs) {
				id, _ := fixtureAttrStr(r.lr.Attributes(), attrLogRecordUID)
				delivered[id]++
			}
		}
		first := fixtureDecode(strings.NewReader(sb.String()), builder, failSecond)
		require.Error(t, first.err)
		collect(first)
		second := fixtureDecode(strings.NewReader(sb.String()), builder, nil)
		require.NoError(t, second.err)
		collect(second)
		// The sender retries the whole body: in the end each event arrives once.
		assert.Len(t, delivered, n)
		for id, c := range delivered {
			if c != 1 {
				t.Errorf("%s delivered %d times", id, c)
			}
		}
	})
}
