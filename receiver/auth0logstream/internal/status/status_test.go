// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package status

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/consumer/consumererror"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/jsonframe"
)

func TestFromError(t *testing.T) {
	refused := errors.New("memory limit reached")
	tests := []struct {
		name      string
		err       error
		status    int
		reason    string
		retryable bool
	}{
		{"temporary refusal", &ConsumeError{Err: refused}, http.StatusServiceUnavailable, "retry later: memory limit reached", true},
		{"permanent refusal", &ConsumeError{Err: consumererror.NewPermanent(refused)}, http.StatusBadRequest, "rejected the data permanently", false},
		{"in flight elsewhere", &InFlightError{}, http.StatusServiceUnavailable, "being delivered by another request", true},
		{"too large", &jsonframe.ReadError{Err: &http.MaxBytesError{Limit: 10}}, http.StatusRequestEntityTooLarge, "limit of 10 bytes", false},
		{"no events", &NoEventsError{FirstProblem: errors.New("event is not a JSON object")}, http.StatusBadRequest, "no Auth0 event: event is not a JSON object", false},
		{"no events, no reason", &NoEventsError{}, http.StatusBadRequest, "body holds no Auth0 event", false},
		{"broken structure", &jsonframe.SyntaxError{Err: errors.New("malformed JSON: unexpected end of input")}, http.StatusBadRequest, "unexpected end of input", false},
		{"empty", jsonframe.ErrEmptyBody, http.StatusBadRequest, "request body is empty", false},
		{"slow body", &jsonframe.ReadError{Err: fmt.Errorf("read tcp 127.0.0.1:1->127.0.0.1:2: %w", os.ErrDeadlineExceeded)}, http.StatusRequestTimeout, "within read_timeout", false},
		{"broken gzip", &jsonframe.ReadError{Err: errors.New("gzip: invalid header")}, http.StatusBadRequest, "reading request body: gzip: invalid header", false},
		{"ours", errors.New("surprise"), http.StatusInternalServerError, "surprise", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, reason := FromError(tt.err)
			assert.Equal(t, tt.status, status)
			assert.Contains(t, reason, tt.reason)
			assert.Equal(t, tt.retryable, Retryable(tt.err))
		})
	}
	_, reason := FromError(&jsonframe.ReadError{Err: fmt.Errorf("read tcp 127.0.0.1:1->127.0.0.1:2: %w", os.ErrDeadlineExceeded)})
	assert.NotContains(t, reason, "127.0.0.1", "socket addresses stay out of the reason")
}
