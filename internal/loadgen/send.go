// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package loadgen

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

// Exchange is one POST as its sender saw it.
type Exchange struct {
	Status int
	// Body is the start of the answer, for error messages: at most answerKeep bytes.
	Body []byte
	// Latency runs from sending the request to the answer's status line and headers, or to
	// the transport error.
	Latency time.Duration
}

const (
	// answerKeep is how much of an answer is kept: the receivers' answers are short JSON.
	answerKeep = 4 << 10
	// answerDrain is how much more is read so that the connection can be reused; a server
	// that answers with more than this is not worth waiting for.
	answerDrain = 64 << 10
)

// Send POSTs body to url with header, Content-Type included. It is the one timed request of
// the load generator and of the benchmark driver (internal/bench), so that both measure a
// request the same way.
func Send(ctx context.Context, client *http.Client, url string, header http.Header, body []byte) (Exchange, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Exchange{}, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	x := Exchange{Latency: time.Since(t0)}
	if err != nil {
		return x, err
	}
	defer resp.Body.Close()
	x.Status = resp.StatusCode
	x.Body, _ = io.ReadAll(io.LimitReader(resp.Body, answerKeep))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, answerDrain))
	return x, nil
}

// Percentile is the nearest-rank percentile p (0 to 100) of sorted durations, 0 for none.
// The load generator's report and the benchmark driver both use it, so they give the same
// p99 for the same samples.
func Percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}
