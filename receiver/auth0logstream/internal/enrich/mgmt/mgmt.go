// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package mgmt maps the request and the acting identity of Auth0
// Management API events (sapi, fapi, mgmt_api_read) to attributes.
//
// These events describe one HTTP call to the Management API:
//
//	details.request.method           "patch"
//	details.request.path             "/api/v2/clients/kT3n..."
//	details.request.ip               the caller's address
//	details.request.auth.user        {user_id, name, email}: the admin, when a user token was used
//	details.request.auth.strategy    "jwt"
//	details.response.statusCode      200
//
// The semantic conventions have names for the call (http.request.method,
// url.path, http.response.status_code, client.address) and for a user's
// e-mail (user.email), but no notion of an actor distinct from the user a
// record is about. The event's own user_id is already user.id, for every
// event type alike; a Management API call can be about another user (the
// path names the target), so the actor gets auth0.actor.* names and never
// overwrites user.id or user.name. user.email, which peers' Management API
// rules key on, is set to the actor's e-mail only when it cannot be pinned to
// someone else: when the record has no user.id or its user.id is the actor's.
package mgmt

import (
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Attribute names.
const (
	AttrType = "auth0.type" // read: the event's type code

	AttrMethod         = "http.request.method"
	AttrMethodOriginal = "http.request.method_original"
	AttrURLPath        = "url.path"
	AttrStatusCode     = "http.response.status_code"
	AttrClientAddress  = "client.address"
	AttrUserID         = "user.id" // read only: never overwritten
	AttrUserEmail      = "user.email"

	AttrActorID       = "auth0.actor.id"
	AttrActorName     = "auth0.actor.name"
	AttrActorEmail    = "auth0.actor.email"
	AttrActorStrategy = "auth0.actor.strategy"
	// AttrRequestIP holds details.request.ip when it differs from the
	// event's own ip (client.address).
	AttrRequestIP = "auth0.request.ip"
)

// IsManagementAPI reports whether code is a Management API event type.
func IsManagementAPI(code string) bool {
	switch code {
	case "sapi", "fapi", "mgmt_api_read":
		return true
	}
	return false
}

// Map adds the Management API attributes to attrs from event, the Auth0
// event's data object, when attrs' auth0.type is a Management API code.
// Fields that are absent, empty or of another type are skipped.
func Map(event, attrs pcommon.Map) {
	code, ok := attrs.Get(AttrType)
	if !ok || code.Type() != pcommon.ValueTypeStr || !IsManagementAPI(code.Str()) {
		return
	}
	details, ok := getMap(event, "details")
	if !ok {
		return
	}
	if req, ok := getMap(details, "request"); ok {
		mapRequest(req, attrs)
	}
	if resp, ok := getMap(details, "response"); ok {
		if v, ok := resp.Get("statusCode"); ok {
			if code, ok := statusCode(v); ok {
				attrs.PutInt(AttrStatusCode, code)
			}
		}
	}
}

func mapRequest(req, attrs pcommon.Map) {
	if m := getStr(req, "method"); m != "" {
		putMethod(attrs, m)
	}
	if p := getStr(req, "path"); p != "" {
		// The query, when the path carries one, is left in the body: it
		// holds search terms such as e-mail addresses.
		p, _, _ = strings.Cut(p, "?")
		if p != "" {
			attrs.PutStr(AttrURLPath, p)
		}
	}
	if ip := getStr(req, "ip"); ip != "" {
		if cur, ok := attrs.Get(AttrClientAddress); !ok {
			attrs.PutStr(AttrClientAddress, ip)
		} else if cur.AsString() != ip {
			attrs.PutStr(AttrRequestIP, ip)
		}
	}
	auth, ok := getMap(req, "auth")
	if !ok {
		return
	}
	if s := getStr(auth, "strategy"); s != "" {
		attrs.PutStr(AttrActorStrategy, s)
	}
	user, ok := getMap(auth, "user")
	if !ok {
		return
	}
	id := getStr(user, "user_id")
	if id != "" {
		attrs.PutStr(AttrActorID, id)
	}
	if n := getStr(user, "name"); n != "" {
		attrs.PutStr(AttrActorName, n)
	}
	if e := getStr(user, "email"); e != "" {
		attrs.PutStr(AttrActorEmail, e)
		if sameUser(attrs, id) {
			attrs.PutStr(AttrUserEmail, e)
		}
	}
}

// sameUser reports whether the record's user, if it has one, is the actor.
func sameUser(attrs pcommon.Map, actorID string) bool {
	if _, exists := attrs.Get(AttrUserEmail); exists {
		return false
	}
	uid, ok := attrs.Get(AttrUserID)
	if !ok {
		return true
	}
	return actorID != "" && uid.AsString() == actorID
}

// knownMethods are the methods the semantic conventions name; any other is
// recorded as _OTHER with the original in http.request.method_original.
var knownMethods = []string{"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE"}

func putMethod(attrs pcommon.Map, m string) {
	up := strings.ToUpper(m)
	for _, k := range knownMethods {
		if up == k {
			attrs.PutStr(AttrMethod, k)
			return
		}
	}
	attrs.PutStr(AttrMethod, "_OTHER")
	attrs.PutStr(AttrMethodOriginal, m)
}

// statusCode accepts the status as Auth0 sends it (a JSON number) and as a
// numeric string, within the range of HTTP status codes.
func statusCode(v pcommon.Value) (int64, bool) {
	var n int64
	switch v.Type() {
	case pcommon.ValueTypeInt:
		n = v.Int()
	case pcommon.ValueTypeDouble:
		f := v.Double()
		if f != float64(int64(f)) {
			return 0, false
		}
		n = int64(f)
	case pcommon.ValueTypeStr:
		i, err := strconv.ParseInt(strings.TrimSpace(v.Str()), 10, 64)
		if err != nil {
			return 0, false
		}
		n = i
	default:
		return 0, false
	}
	if n < 100 || n > 999 {
		return 0, false
	}
	return n, true
}

func getMap(m pcommon.Map, k string) (pcommon.Map, bool) {
	v, ok := m.Get(k)
	if !ok || v.Type() != pcommon.ValueTypeMap {
		return pcommon.Map{}, false
	}
	return v.Map(), true
}

func getStr(m pcommon.Map, k string) string {
	v, ok := m.Get(k)
	if !ok || v.Type() != pcommon.ValueTypeStr {
		return ""
	}
	return v.Str()
}
