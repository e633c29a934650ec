// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

// Package pull reads tenant logs page by page from Auth0's Management API
// and hands each page to a consume callback, keeping a checkpoint (the
// log_id of the last event the pipeline accepted) in a store.
//
// The rules, page by page:
//   - fetch, consume, and only after consume succeeds save the checkpoint;
//   - a retryable consume error retries the same page after a backoff, so
//     nothing is skipped; a permanent one is logged and counted, and the
//     checkpoint moves on, so one bad page cannot stall the stream;
//   - an empty page (caught up) is the only time poll_interval is waited;
//   - shutdown (context canceled) never saves a page consume did not accept.
package pull

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.uber.org/zap"

	"github.com/auth0-otel/otelcol-auth0/receiver/auth0logstream/internal/mgmtapi"
)

// ConsumeFunc hands one page of raw events to the pipeline. A nil error
// means the pipeline accepted all of them.
type ConsumeFunc func(ctx context.Context, events [][]byte) error

// API is what the poller needs of the Management API (*mgmtapi.Client).
type API interface {
	Fetch(ctx context.Context, cur mgmtapi.Cursor) (*mgmtapi.Page, error)
	ResolveStart(ctx context.Context, st mgmtapi.Start, now time.Time) (mgmtapi.StartResolution, error)
}

// Telemetry receives the poller's self-telemetry. NopTelemetry does nothing.
type Telemetry interface {
	// PageFetched is called for every page fetched, empty ones included.
	PageFetched(ctx context.Context, events int)
	// PageDropped is called when the pipeline refused a page permanently.
	PageDropped(ctx context.Context, events int)
	// NewestEmitted is called with the newest date of a page the pipeline
	// accepted, for the lag gauge (now minus that date).
	NewestEmitted(t time.Time)
}

// NopTelemetry ignores everything.
type NopTelemetry struct{}

func (NopTelemetry) PageFetched(context.Context, int) {}
func (NopTelemetry) PageDropped(context.Context, int) {}
func (NopTelemetry) NewestEmitted(time.Time)          {}

// Defaults of the Config fields left zero.
const (
	DefaultRetryInitial = 1 * time.Second
	DefaultRetryMax     = 30 * time.Second
	saveTimeout         = 5 * time.Second
)

// Config tunes a Poller.
type Config struct {
	PageSize     int
	PollInterval time.Duration
	Start        mgmtapi.Start
	// RetryInitial and RetryMax bound the backoff between attempts of a page
	// the pipeline refused for now, and after an API call that failed.
	RetryInitial time.Duration
	RetryMax     time.Duration
}

// Poller runs the pull loop.
type Poller struct {
	cfg     Config
	api     API
	store   CheckpointStore
	consume ConsumeFunc
	tel     Telemetry
	logger  *zap.Logger
	now     func() time.Time
}

// New returns a poller. tel may be nil.
func New(cfg Config, api API, store CheckpointStore, consume ConsumeFunc, tel Telemetry, logger *zap.Logger) (*Poller, error) {
	if cfg.PageSize < 1 || cfg.PageSize > mgmtapi.MaxTake {
		return nil, fmt.Errorf("page size %d is not in 1..%d", cfg.PageSize, mgmtapi.MaxTake)
	}
	if cfg.PollInterval <= 0 {
		return nil, errors.New("poll interval must be positive")
	}
	if cfg.RetryInitial <= 0 {
		cfg.RetryInitial = DefaultRetryInitial
	}
	if cfg.RetryMax < cfg.RetryInitial {
		cfg.RetryMax = max(DefaultRetryMax, cfg.RetryInitial)
	}
	if tel == nil {
		tel = NopTelemetry{}
	}
	if logger == nil {
		logger = zap.NewNop()
	}
	return &Poller{cfg: cfg, api: api, store: store, consume: consume, tel: tel, logger: logger, now: time.Now}, nil
}

// Run pulls until ctx is canceled and returns ctx's error, or an error of
// the checkpoint store at start.
func (p *Poller) Run(ctx context.Context) error {
	from, err := p.startingPoint(ctx)
	if err != nil {
		return err
	}
	cur := mgmtapi.Cursor{From: from, Take: p.cfg.PageSize}
	fetchFailures := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		started := p.now()
		page, err := p.api.Fetch(ctx, cur)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fetchFailures++
			wait := p.backoff(fetchFailures)
			p.logger.Warn("Fetching Auth0 logs failed; retrying",
				zap.Error(err), zap.Int("consecutive_failures", fetchFailures), zap.Duration("retry_in", wait))
			if err := mgmtapi.Sleep(ctx, wait); err != nil {
				return err
			}
			continue
		}
		fetchFailures = 0
		p.tel.PageFetched(ctx, len(page.Events))

		if len(page.Events) == 0 {
			p.logger.Debug("Pulled an empty page: caught up",
				zap.String("from", cur.From), zap.Bool("next_link", page.Next != ""),
				zap.Int64("rate_limit_remaining", page.RateLimitRemaining),
				zap.Duration("poll_interval", p.cfg.PollInterval))
			if page.Next != "" {
				cur.Next = page.Next
			}
			if err := mgmtapi.Sleep(ctx, p.cfg.PollInterval); err != nil {
				return err
			}
			continue
		}

		outcome, err := p.deliver(ctx, page)
		if err != nil {
			return err // canceled: nothing saved for this page
		}
		last := page.LastLogID()
		if last != "" {
			p.save(ctx, last)
			cur.From = last
		}
		// Follow the link when there is one; without it, continue after the
		// last log_id (a page without any log_id keeps the old `from`).
		cur.Next = page.Next
		p.logger.Debug("Pulled a page",
			zap.Int("events", len(page.Events)),
			zap.String("first_log_id", page.LogIDs[0]),
			zap.String("last_log_id", last),
			zap.String("outcome", outcome),
			zap.Int64("rate_limit_remaining", page.RateLimitRemaining),
			zap.Duration("took", p.now().Sub(started)))
	}
}

// startingPoint is the stored checkpoint, or start_at resolved (and saved,
// so that a restart before the first page begins at the same place).
func (p *Poller) startingPoint(ctx context.Context) (string, error) {
	cp, err := p.store.Load(ctx)
	if err != nil {
		return "", fmt.Errorf("reading the pull checkpoint: %w", err)
	}
	if cp != "" {
		p.logger.Info("Resuming the Auth0 log pull from the checkpoint", zap.String("from", cp))
		return cp, nil
	}
	for attempt := 1; ; attempt++ {
		res, err := p.api.ResolveStart(ctx, p.cfg.Start, p.now())
		if err == nil {
			if res.Warning != "" {
				p.logger.Warn(res.Warning)
			}
			p.logger.Info("No pull checkpoint yet: starting from start_at", zap.String("from", res.From))
			p.save(ctx, res.From)
			return res.From, nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		wait := p.backoff(attempt)
		p.logger.Warn("Resolving start_at failed; retrying", zap.Error(err), zap.Duration("retry_in", wait))
		if err := mgmtapi.Sleep(ctx, wait); err != nil {
			return "", err
		}
	}
}

// deliver consumes a page until the pipeline accepts it or refuses it
// permanently. It returns an error only when ctx is canceled first.
func (p *Poller) deliver(ctx context.Context, page *mgmtapi.Page) (string, error) {
	for attempt := 1; ; attempt++ {
		err := p.consume(ctx, page.Events)
		if err == nil {
			p.tel.NewestEmitted(page.Newest())
			if attempt > 1 {
				return fmt.Sprintf("accepted after %d attempts", attempt), nil
			}
			return "accepted", nil
		}
		if consumererror.IsPermanent(err) {
			p.tel.PageDropped(ctx, len(page.Events))
			p.logger.Error("The pipeline refused a page of Auth0 logs permanently; moving the checkpoint past it",
				zap.Error(err), zap.Int("events", len(page.Events)),
				zap.String("first_log_id", page.LogIDs[0]), zap.String("last_log_id", page.LastLogID()))
			return "dropped (permanent pipeline error)", nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		wait := p.backoff(attempt)
		p.logger.Debug("The pipeline refused a page for now; retrying the same page",
			zap.Error(err), zap.Int("attempt", attempt), zap.Duration("retry_in", wait))
		if err := mgmtapi.Sleep(ctx, wait); err != nil {
			return "", err
		}
	}
}

// save writes the checkpoint. It runs after the pipeline accepted the page,
// so it finishes even when shutdown has begun. A failure is logged: the
// page will be read again after a restart, and deduplication drops it.
func (p *Poller) save(ctx context.Context, logID string) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	if err := p.store.Save(sctx, logID); err != nil {
		p.logger.Warn("Saving the pull checkpoint failed; the page may be read again after a restart",
			zap.Error(err), zap.String("log_id", logID))
	}
}

func (p *Poller) backoff(n int) time.Duration {
	return mgmtapi.Backoff(p.cfg.RetryInitial, p.cfg.RetryMax, n)
}
