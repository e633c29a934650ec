// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package inspector

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkRecordLifecycle is the inspector's own cost per request, without
// the handler around it: what BenchmarkInspectorOverhead (in the receiver
// package) measures inside the noise of a whole request.
func BenchmarkRecordLifecycle(b *testing.B) {
	event := []byte(`{"log_id":"90020250603547705007290527456614213341877740738934088155","data":{"date":"2025-06-03T11:30:00.000Z",` +
		`"type":"fp","description":"Wrong email or password.","ip":"203.0.113.250","user_name":"alice@example.com",` +
		`"details":{"error":{"message":"Wrong email or password."}},"client_id":"kT3nY8rV0pQ2sL5mW9xZ1aB4cD6eF7gH",` +
		`"client_name":"Acme Web Portal","tenant_name":"acme-prod","description2":"` + strings.Repeat("x", 600) + `"}}`)
	req := httptest.NewRequest(http.MethodPost, "/api/logs", nil)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer not-the-token")
	auth := req.Header["Authorization"]
	in := New(Settings{MaskPII: true})
	b.Run("unauthorized", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec := in.Begin(req)
			rec.Authorization(auth, false)
			rec.Answer(http.StatusUnauthorized, "Authorization header does not match the configured token")
			in.Commit(rec)
		}
	})
	b.Run("accepted-with-sample", func(b *testing.B) {
		b.SetBytes(int64(len(event)))
		b.ReportAllocs()
		for b.Loop() {
			rec := in.Begin(req)
			rec.Authorization(auth, true)
			rec.Authenticated()
			rec.Event(event)
			rec.Format(FormatJSONLines)
			rec.Counts(1, 0, 0, int64(len(event)))
			rec.Answer(http.StatusOK, "")
			in.Commit(rec)
		}
	})
	b.Run("off", func(b *testing.B) {
		var off *Inspector
		b.ReportAllocs()
		for b.Loop() {
			rec := off.Begin(req)
			rec.Authorization(auth, true)
			rec.Authenticated()
			rec.Event(event)
			rec.Answer(http.StatusOK, "")
			off.Commit(rec)
		}
	})
}
