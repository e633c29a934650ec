// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package soak

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestLeastSquares(t *testing.T) {
	xs := []float64{0, 1, 2, 3, 4}
	ys := make([]float64, len(xs))
	for i, x := range xs {
		ys[i] = 3*x + 7
	}
	slope, intercept, mean := leastSquares(xs, ys)
	if math.Abs(slope-3) > 1e-9 || math.Abs(intercept-7) > 1e-9 || math.Abs(mean-13) > 1e-9 {
		t.Fatalf("slope %v intercept %v mean %v, want 3, 7, 13", slope, intercept, mean)
	}
	if s, _, m := leastSquares([]float64{2, 2}, []float64{1, 3}); s != 0 || m != 2 {
		t.Fatalf("equal x: slope %v mean %v, want 0 and 2", s, m)
	}
}

// TestLastQuarterTrend: a flat noisy series passes, a steady climb fails, only the last
// quarter counts, and too few samples is not a pass.
func TestLastQuarterTrend(t *testing.T) {
	const duration = 3600.0
	r := rand.New(rand.NewPCG(1, 2))
	var ts, flat, climbing, earlyGrowth []float64
	for s := 0.0; s <= duration; s += 60 {
		ts = append(ts, s)
		noise := (r.Float64() - 0.5) * 4 // ±2 around 100
		flat = append(flat, 100+noise)
		climbing = append(climbing, 100+s/60+noise) // +1 per minute: +15 over the quarter
		earlyGrowth = append(earlyGrowth, 100+min(s, duration/2)/10+noise)
	}
	if tr := LastQuarterTrend("flat", "x", ts, flat, duration, 1); !tr.Pass {
		t.Errorf("flat series failed: %+v", tr)
	}
	tr := LastQuarterTrend("climbing", "x", ts, climbing, duration, 1)
	if tr.Pass {
		t.Errorf("climbing series passed: %+v", tr)
	}
	// The slope's standard error with this noise is about 1 over the quarter; allow 3.
	if math.Abs(tr.Rise-15) > 3 {
		t.Errorf("rise %v, want 15 ± 3", tr.Rise)
	}
	if tr.Samples != 16 {
		t.Errorf("%d samples in the last quarter, want 16 (45..60 min)", tr.Samples)
	}
	if tr := LastQuarterTrend("early growth", "x", ts, earlyGrowth, duration, 1); !tr.Pass {
		t.Errorf("growth that stopped before the last quarter failed: %+v", tr)
	}
	// The floor: a rise of 15 on a mean of ~110 is over 5% (5.5) but under a floor of 20.
	if tr := LastQuarterTrend("climbing", "x", ts, climbing, duration, 20); !tr.Pass || tr.Bound != 20 {
		t.Errorf("floor not applied: %+v", tr)
	}
	if tr := LastQuarterTrend("short", "x", ts[:3], flat[:3], 120, 1); tr.Pass || tr.Note == "" {
		t.Errorf("three samples must not pass: %+v", tr)
	}
	// A falling series passes whatever its size.
	falling := make([]float64, len(ts))
	for i, s := range ts {
		falling[i] = 1000 - s
	}
	if tr := LastQuarterTrend("falling", "x", ts, falling, duration, 0); !tr.Pass || tr.Rise >= 0 {
		t.Errorf("falling series: %+v", tr)
	}
}
