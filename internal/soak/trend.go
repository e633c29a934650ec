// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package soak

import (
	"fmt"
	"math"
)

// TrendFraction is the share of the mean a series may rise over the last quarter of the run.
const TrendFraction = 0.05

// Trend is the verdict on one series over the last quarter of the run: the least-squares
// slope of its samples, the rise that slope makes over the quarter, and the bound the rise
// must stay under, max(TrendFraction × mean, Floor).
type Trend struct {
	Series  string  `json:"series"`
	Unit    string  `json:"unit"`
	Samples int     `json:"samples"`
	Mean    float64 `json:"mean"`
	// SlopePerHour is in the series' unit per hour.
	SlopePerHour float64 `json:"slope_per_hour"`
	// Rise is slope × quarter duration: how much the fitted line climbs over the quarter.
	Rise  float64 `json:"rise"`
	Floor float64 `json:"floor"`
	Bound float64 `json:"bound"`
	Pass  bool    `json:"pass"`
	// Intercept and the quarter's start let a chart draw the fitted line.
	FromSeconds float64 `json:"from_seconds"`
	Intercept   float64 `json:"intercept"`
	Note        string  `json:"note,omitempty"`
}

// MinTrendSamples is the fewest samples a quarter needs for a slope worth judging.
const MinTrendSamples = 4

// LastQuarterTrend fits a least-squares line to the samples (ts in seconds since the start of
// the run, ys the values) whose time is in the last quarter of [0, duration] and judges it.
func LastQuarterTrend(series, unit string, ts, ys []float64, duration, floor float64) Trend {
	from := duration * 3 / 4
	tr := Trend{Series: series, Unit: unit, Floor: floor, FromSeconds: from}
	var qt, qy []float64
	for i := range ts {
		if ts[i] >= from && !math.IsNaN(ys[i]) {
			qt = append(qt, ts[i])
			qy = append(qy, ys[i])
		}
	}
	tr.Samples = len(qt)
	if tr.Samples < MinTrendSamples {
		tr.Note = fmt.Sprintf("only %d samples in the last quarter, need %d: use a shorter SOAK_INTERVAL", tr.Samples, MinTrendSamples)
		return tr
	}
	slope, intercept, mean := leastSquares(qt, qy)
	tr.Mean = mean
	tr.SlopePerHour = slope * 3600
	tr.Intercept = intercept
	tr.Rise = slope * (duration - from)
	tr.Bound = max(TrendFraction*math.Abs(mean), floor)
	tr.Pass = tr.Rise < tr.Bound
	return tr
}

// leastSquares returns the slope and intercept of the line y = slope·x + intercept that
// minimizes the squared residuals, and the mean of y. All x equal gives slope 0.
func leastSquares(xs, ys []float64) (slope, intercept, meanY float64) {
	n := float64(len(xs))
	var sx, sy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
	}
	mx, my := sx/n, sy/n
	var sxx, sxy float64
	for i := range xs {
		dx := xs[i] - mx
		sxx += dx * dx
		sxy += dx * (ys[i] - my)
	}
	if sxx == 0 {
		return 0, my, my
	}
	slope = sxy / sxx
	return slope, my - slope*mx, my
}
