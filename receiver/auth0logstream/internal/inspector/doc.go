// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package inspector keeps a bounded record of the last requests that reached
// the receiver's port and serves it, on a separate loopback listener, as an
// HTML page (GET /) and as JSON (GET /requests.json).
//
// It is the receiver's own request bin: a user whose Auth0 stream shows
// errors on its Health tab can see what arrived and what was answered,
// without sending security events to a third party.
//
// # What a record holds
//
// Time, remote address, method (known methods only, else "other"), path
// (percent-encoded, at most MaxPathBytes; the query string is never kept,
// only its length), Content-Type, Content-Encoding (MaxHeaderValueBytes
// each), Content-Length, the detected Content Format, the status answered and
// its reason (MaxReasonBytes), the accepted, duplicate and malformed counts,
// the decompressed bytes read, the time taken, a summary of the Authorization
// header and of each required header, and, for authenticated requests only, a
// sample of the body: the first event and the first malformed line, at most
// MaxSampleBytes each.
//
// Never kept: any Authorization or required header value. For those the
// record says only whether the header was present and whether it matched;
// for a non-matching Authorization header, also its length and whether it
// starts with "Bearer " (the most common mistake: Auth0 sends the token
// exactly as typed and adds no scheme of its own). The body of a request that
// did not pass authentication is never read by the inspector.
//
// # PII masking
//
// With masking on (the default), the values of the fields Auth0 can mask at
// the source (user_name, email, phone_number, name, given_name, family_name,
// address; compared case-insensitively) are replaced by "***" at any depth of
// the sample's JSON as the sample is taken, on the request path: what the
// ring holds is already masked, so PII is neither stored nor shown. A malformed line is masked by the same
// JSON-aware scan and then by a second, state-free textual rule (see
// maskLoose), because broken quoting can make a JSON scan take a key for
// string content. A value cut by the 4 KiB bound is masked to the end.
//
// The scan reads at most MaxScanBytes of a value and writes at most
// MaxSampleBytes, so its cost per request is bounded (about a microsecond
// for a typical event).
//
// # Memory bound
//
// Every stored field is bounded, so one record takes at most MaxRecordBytes
// (12 KiB: two samples of 4 KiB, 4 KiB for the other fields and the struct
// itself; TestRecordMemoryBound checks it with a maximal record). The ring
// holds max_requests records: max_requests × 12 KiB, 600 KiB at the default
// of 50. Each request in flight also holds one record (at most 12 KiB) until
// it is committed; their number is bounded by the receiver's max_connections.
//
// # Cost on the hot path
//
// When the inspector is off (no endpoint), the receiver holds a nil
// *Inspector and every Record method is a no-op on a nil receiver: nothing is
// allocated or locked. When it is on, a request takes a pooled Record, a few
// small string copies, one short lock at commit, and for an authenticated
// request a copy of at most two bounded samples into buffers that the Record
// and the ring slot swap instead of copying. Serving the page copies the
// ring under the lock and masks and formats outside it.
package inspector // import "github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/inspector"
