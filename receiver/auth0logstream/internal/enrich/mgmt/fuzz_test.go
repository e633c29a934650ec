// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package mgmt

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

var mapped = []string{
	AttrMethod, AttrMethodOriginal, AttrURLPath, AttrStatusCode, AttrClientAddress, AttrUserEmail,
	AttrActorID, AttrActorName, AttrActorEmail, AttrActorStrategy, AttrRequestIP,
}

// FuzzMap checks, for any event, that Map adds only its own attributes,
// changes none that were there, and keeps methods and status codes within
// their conventions.
func FuzzMap(f *testing.F) {
	for _, js := range []string{
		`{"details":{"request":{"method":"patch","path":"/api/v2/clients/x","ip":"203.0.113.9","auth":{"user":{"user_id":"auth0|a","name":"A","email":"a@example.com"},"strategy":"jwt"}},"response":{"statusCode":200}}}`,
		`{"details":{"request":{"method":"PURGE","path":"?q"},"response":{"statusCode":"404"}}}`,
		`{"details":null}`, `{}`,
	} {
		f.Add(js, "sapi", "auth0|a")
	}
	f.Fuzz(func(t *testing.T, js, code, userID string) {
		var raw map[string]any
		if json.Unmarshal([]byte(js), &raw) != nil {
			return
		}
		event := pcommon.NewMap()
		if event.FromRaw(raw) != nil {
			return
		}
		attrs := pcommon.NewMap()
		attrs.PutStr(AttrType, code)
		attrs.PutStr(AttrUserID, userID)
		attrs.PutStr(AttrClientAddress, "198.51.100.1")
		before := attrs.AsRaw()
		Map(event, attrs)
		after := attrs.AsRaw()
		for k, v := range before {
			if after[k] != v {
				t.Fatalf("%s changed from %v to %v", k, v, after[k])
			}
		}
		for k := range after {
			if _, had := before[k]; !had && !slices.Contains(mapped, k) {
				t.Fatalf("added %s", k)
			}
		}
		if !IsManagementAPI(code) && len(after) != len(before) {
			t.Fatalf("type %q got %v", code, after)
		}
		if m, ok := after[AttrMethod].(string); ok && m != "_OTHER" && (m != strings.ToUpper(m) || !slices.Contains(knownMethods, m)) {
			t.Fatalf("method %q", m)
		}
		if c, ok := after[AttrStatusCode].(int64); ok && (c < 100 || c > 999) {
			t.Fatalf("status %d", c)
		}
	})
}
