// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package mgmt

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// event turns JSON into the pdata map the receiver builds, with integers
// as Int values like the receiver's decoder makes them.
func event(t *testing.T, js string) pcommon.Map {
	t.Helper()
	var raw map[string]any
	d := json.NewDecoder(strings.NewReader(js))
	d.UseNumber()
	require.NoError(t, d.Decode(&raw))
	m := pcommon.NewMap()
	require.NoError(t, m.FromRaw(numbers(raw).(map[string]any)))
	return m
}

func numbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
		return x
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

// attrsFor is what the translator has already mapped: the type code and
// the top-level fields the test names.
func attrsFor(code string, kv ...string) pcommon.Map {
	m := pcommon.NewMap()
	m.PutStr(AttrType, code)
	for i := 0; i+1 < len(kv); i += 2 {
		m.PutStr(kv[i], kv[i+1])
	}
	return m
}

func TestMapAdminCall(t *testing.T) {
	// A user token: Auth0's own Management API explorer, as the receiver's
	// sample payload has it. The event's user_id is the admin's.
	ev := event(t, `{"type":"sapi","ip":"2001:db8::1","user_id":"auth0|admin01",
		"details":{"request":{"method":"patch","path":"/api/v2/clients/AaiyAPdp","query":{},
			"channel":"https://manage.auth0.com/","ip":"2001:db8::1",
			"auth":{"user":{"user_id":"auth0|admin01","name":"Ops Admin","email":"ops@acme.example"},
				"strategy":"jwt","credentials":{"jti":"571e6c8f2b"}}},
			"response":{"statusCode":200,"body":{"name":"Acme Web (SPA)"}}}}`)
	attrs := attrsFor("sapi", "client.address", "2001:db8::1", "user.id", "auth0|admin01")
	Map(ev, attrs)
	assert.Equal(t, map[string]any{
		AttrType: "sapi", AttrClientAddress: "2001:db8::1", AttrUserID: "auth0|admin01",
		AttrMethod: "PATCH", AttrURLPath: "/api/v2/clients/AaiyAPdp", AttrStatusCode: int64(200),
		AttrActorID: "auth0|admin01", AttrActorName: "Ops Admin", AttrActorEmail: "ops@acme.example",
		AttrActorStrategy: "jwt", AttrUserEmail: "ops@acme.example",
	}, attrs.AsRaw())
}

func TestMapActorIsNotTheRecordsUser(t *testing.T) {
	// The record's user.id names someone else: the actor never overwrites
	// it, and user.email is not set, so that user.* describes one person.
	ev := event(t, `{"details":{"request":{"method":"delete","path":"/api/v2/users/auth0|target",
		"auth":{"user":{"user_id":"auth0|admin01","email":"ops@acme.example"},"strategy":"jwt"}},
		"response":{"statusCode":204}}}`)
	attrs := attrsFor("sapi", "user.id", "auth0|target", "user.name", "target@example.com")
	Map(ev, attrs)
	assert.Equal(t, map[string]any{
		AttrType: "sapi", AttrUserID: "auth0|target", "user.name": "target@example.com",
		AttrMethod: "DELETE", AttrURLPath: "/api/v2/users/auth0|target", AttrStatusCode: int64(204),
		AttrActorID: "auth0|admin01", AttrActorEmail: "ops@acme.example", AttrActorStrategy: "jwt",
	}, attrs.AsRaw())
}

func TestMapMachineToken(t *testing.T) {
	// A machine-to-machine token (terraform), from the repository's
	// testdata/management.json: no user, the subject is the client.
	ev := event(t, `{"type":"mgmt_api_read","ip":"198.51.100.200",
		"details":{"request":{"method":"get","path":"/api/v2/users-by-email","query":{"email":"maria.lopez@example.com"},
			"channel":"api","ip":"198.51.100.200",
			"auth":{"subject":"Mg9Tq2Wz4Ys6Xv8Ur0Pt1On3Ml5Kj7Hi@clients","strategy":"jwt",
				"credentials":{"jti":"4b2a0f1c","scopes":["read:users"]}}},
			"response":{"statusCode":200,"body":{}}}}`)
	attrs := attrsFor("mgmt_api_read", "client.address", "198.51.100.200")
	Map(ev, attrs)
	assert.Equal(t, map[string]any{
		AttrType: "mgmt_api_read", AttrClientAddress: "198.51.100.200",
		AttrMethod: "GET", AttrURLPath: "/api/v2/users-by-email", AttrStatusCode: int64(200), AttrActorStrategy: "jwt",
	}, attrs.AsRaw())
}

func TestMapFailedCall(t *testing.T) {
	ev := event(t, `{"details":{"request":{"method":"delete","path":"/api/v2/users/auth0|6650f1a2?force=true","channel":"api"},
		"response":{"statusCode":403,"body":{"error":"Forbidden","errorCode":"insufficient_scope"}}}}`)
	attrs := attrsFor("fapi")
	Map(ev, attrs)
	assert.Equal(t, map[string]any{
		AttrType: "fapi", AttrMethod: "DELETE", AttrURLPath: "/api/v2/users/auth0|6650f1a2", AttrStatusCode: int64(403),
	}, attrs.AsRaw(), "the query stays out of url.path")
}

func TestMapRequestIP(t *testing.T) {
	ev := event(t, `{"details":{"request":{"ip":"203.0.113.9"}}}`)
	attrs := attrsFor("sapi")
	Map(ev, attrs)
	assert.Equal(t, "203.0.113.9", attrs.AsRaw()[AttrClientAddress], "fills client.address when the event has no ip")

	attrs = attrsFor("sapi", "client.address", "198.51.100.1")
	Map(ev, attrs)
	assert.Equal(t, map[string]any{AttrType: "sapi", AttrClientAddress: "198.51.100.1", AttrRequestIP: "203.0.113.9"}, attrs.AsRaw(),
		"a different request ip is kept beside the event's")
}

func TestMapMethods(t *testing.T) {
	for in, want := range map[string][]string{
		"get": {"GET"}, "POST": {"POST"}, "Patch": {"PATCH"}, "put": {"PUT"}, "delete": {"DELETE"},
		"options": {"OPTIONS"}, "head": {"HEAD"},
		"purge": {"_OTHER", "purge"}, "get ": {"_OTHER", "get "}, //nolint:gocritic // mapKey: the space is the case under test
	} {
		attrs := attrsFor("sapi")
		Map(event(t, `{"details":{"request":{"method":"`+in+`"}}}`), attrs)
		assert.Equal(t, want[0], attrs.AsRaw()[AttrMethod], in)
		if len(want) > 1 {
			assert.Equal(t, want[1], attrs.AsRaw()[AttrMethodOriginal], in)
		} else {
			assert.NotContains(t, attrs.AsRaw(), AttrMethodOriginal, in)
		}
	}
}

func TestMapStatusCodeShapes(t *testing.T) {
	for in, want := range map[string]any{
		`200`: int64(200), `201.0`: int64(201), `"404"`: int64(404), `" 500 "`: int64(500),
		`200.5`: nil, `"abc"`: nil, `null`: nil, `true`: nil, `{}`: nil, `99`: nil, `1000`: nil, `-200`: nil,
	} {
		attrs := attrsFor("sapi")
		Map(event(t, `{"details":{"response":{"statusCode":`+in+`}}}`), attrs)
		assert.Equal(t, want, attrs.AsRaw()[AttrStatusCode], in)
	}
}

func TestMapIgnoresOtherEventsAndShapes(t *testing.T) {
	full := `{"details":{"request":{"method":"get","path":"/api/v2/users","ip":"203.0.113.9",
		"auth":{"user":{"user_id":"auth0|a","email":"a@example.com"},"strategy":"jwt"}},"response":{"statusCode":200}}}`
	for _, code := range []string{"s", "f", "api_limit", "depnote", "seccft", ""} {
		attrs := attrsFor(code)
		Map(event(t, full), attrs)
		assert.Equal(t, map[string]any{AttrType: code}, attrs.AsRaw(), "type %q", code)
	}
	attrs := pcommon.NewMap() // no type at all
	Map(event(t, full), attrs)
	assert.Equal(t, 0, attrs.Len())

	for _, js := range []string{
		`{}`, `{"details":null}`, `{"details":"a string"}`, `{"details":{"request":"x","response":[]}}`,
		`{"details":{"request":{"method":7,"path":null,"ip":[],"auth":"jwt"}}}`,
		`{"details":{"request":{"method":"","path":"","ip":"","auth":{"user":"x","strategy":5}}}}`,
		`{"details":{"request":{"path":"?only=query","auth":{"user":{"user_id":3,"email":{}}}}}}`,
	} {
		attrs := attrsFor("sapi")
		Map(event(t, js), attrs)
		assert.Equal(t, map[string]any{AttrType: "sapi"}, attrs.AsRaw(), js)
	}
}

func TestIsManagementAPI(t *testing.T) {
	for _, c := range []string{"sapi", "fapi", "mgmt_api_read"} {
		assert.True(t, IsManagementAPI(c), c)
	}
	for _, c := range []string{"api_limit", "api_limit_warning", "s", "SAPI", "sapi ", ""} {
		assert.False(t, IsManagementAPI(c), c)
	}
}
