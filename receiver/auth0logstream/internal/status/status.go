// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package status holds every error the ingest path can end with, and the
// HTTP status each one is answered with. The status is what tells Auth0
// whether to retry a batch, so each case says why it is what it is.
package status

import (
	"errors"
	"fmt"
	"net/http"
	"os"

	"go.opentelemetry.io/collector/consumer/consumererror"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonframe"
)

// NoEventsError means the body held no usable Auth0 event at all.
type NoEventsError struct{ FirstProblem error }

func (e *NoEventsError) Error() string {
	if e.FirstProblem == nil {
		return "body holds no Auth0 event"
	}
	return "body holds no Auth0 event: " + e.FirstProblem.Error()
}

// InFlightError means an event of the delivery is being delivered by
// another one (a concurrent request, or the Management API pull) that has
// not been accepted yet.
type InFlightError struct{}

func (*InFlightError) Error() string {
	return "an event of this batch is being delivered by another request; retry"
}

// ConsumeError is the pipeline's answer, kept apart from input problems.
type ConsumeError struct{ Err error }

func (e *ConsumeError) Error() string { return e.Err.Error() }
func (e *ConsumeError) Unwrap() error { return e.Err }

// Retryable reports whether err is worth delivering again later.
func Retryable(err error) bool {
	var (
		ce *ConsumeError
		fe *InFlightError
	)
	return errors.As(err, &fe) || (errors.As(err, &ce) && !consumererror.IsPermanent(ce.Err))
}

// FromError maps an ingest failure to the status that makes Auth0 do the
// right thing, and a reason that says what went wrong. The reason is built
// from our own words and the parsers' errors: never from request headers.
func FromError(err error) (int, string) {
	var (
		consumeErr *ConsumeError
		inFlight   *InFlightError
		tooLarge   *http.MaxBytesError
		noEvents   *NoEventsError
		readErr    *jsonframe.ReadError
		syntaxErr  *jsonframe.SyntaxError
	)
	switch {
	case errors.As(err, &consumeErr):
		// A permanent refusal will not succeed on retry: 400 stops Auth0
		// from trying the same batch again. Anything else (memory_limiter,
		// a full queue) is temporary: 503 makes Auth0 retry it later.
		if consumererror.IsPermanent(consumeErr.Err) {
			return http.StatusBadRequest, "pipeline rejected the data permanently: " + consumeErr.Err.Error()
		}
		return http.StatusServiceUnavailable, "pipeline cannot accept data now, retry later: " + consumeErr.Err.Error()
	case errors.As(err, &inFlight):
		// The other delivery may still fail: 503 has this one retried, and
		// by then the event is either delivered (a duplicate) or free.
		return http.StatusServiceUnavailable, err.Error()
	case errors.As(err, &tooLarge):
		// The same body will be too large next time: 413, not a retry.
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds the limit of %d bytes (after decompression)", tooLarge.Limit)
	case errors.As(err, &noEvents), errors.As(err, &syntaxErr), errors.Is(err, jsonframe.ErrEmptyBody):
		// Content that can never be read: retrying cannot help.
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, os.ErrDeadlineExceeded):
		// A slow sender may succeed next time. The message of a network
		// timeout names both sockets; the reason need not.
		return http.StatusRequestTimeout, "request body not received within read_timeout"
	case errors.As(err, &readErr):
		// Broken compression or a cut connection: the sender's fault.
		return http.StatusBadRequest, err.Error()
	default:
		// Ours: a retry may well succeed.
		return http.StatusInternalServerError, err.Error()
	}
}
