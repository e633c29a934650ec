// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package soak

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Panel is one series of the chart, with its verdict when it has one.
type Panel struct {
	Title string
	Unit  string
	Xs    []float64 // seconds since the start of the soak
	Ys    []float64
	Trend *Trend // fitted line over the last quarter; nil for series shown only
}

// ChartSVG draws the panels as small multiples, two per row: the series, the last quarter
// shaded, the least-squares line over it and the verdict in the panel title. duration is the
// soak's length in seconds, so every panel has the same time axis.
func ChartSVG(title string, duration float64, panels []Panel) string {
	const (
		cols       = 2
		pw, ph     = 440.0, 190.0 // panel size
		ml, mr     = 62.0, 30.0   // plot margins inside a panel
		mt, mb     = 28.0, 30.0
		top        = 40.0
		lineColour = "#4c72b0"
	)
	rows := (len(panels) + cols - 1) / cols
	width, height := cols*pw, top+float64(rows)*ph
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="24" font-size="15" text-anchor="middle">%s</text>`+"\n", width/2, html.EscapeString(title))
	if duration <= 0 {
		duration = 1
	}
	for i, p := range panels {
		x0 := float64(i%cols) * pw
		y0 := top + float64(i/cols)*ph
		plotW, plotH := pw-ml-mr, ph-mt-mb
		px := func(s float64) float64 { return x0 + ml + s/duration*plotW }
		lo, hi := yRange(p.Ys)
		py := func(v float64) float64 { return y0 + mt + plotH - (v-lo)/(hi-lo)*plotH }

		heading := p.Title + " (" + p.Unit + ")"
		color := "black"
		if p.Trend != nil {
			switch {
			case p.Trend.Samples < MinTrendSamples:
				heading += fmt.Sprintf(": %d samples in the last quarter, not judged", p.Trend.Samples)
				color = "#c0392b"
			case p.Trend.Pass:
				heading += fmt.Sprintf(": rise %s < bound %s, pass", short(p.Trend.Rise), short(p.Trend.Bound))
			default:
				heading += fmt.Sprintf(": rise %s ≥ bound %s, FAIL", short(p.Trend.Rise), short(p.Trend.Bound))
				color = "#c0392b"
			}
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="%s">%s</text>`+"\n", x0+ml, y0+mt-10, color, html.EscapeString(heading))
		// The last quarter, where the trend is judged.
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#f0f0f0"/>`+"\n",
			px(duration*3/4), y0+mt, px(duration)-px(duration*3/4), plotH)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#999"/>`+"\n", x0+ml, y0+mt, plotW, plotH)
		for _, v := range []float64{lo, (lo + hi) / 2, hi} {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", x0+ml-4, py(v)+4, short(v))
		}
		for _, s := range []float64{0, duration / 4, duration / 2, duration * 3 / 4, duration} {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", px(s), y0+mt+plotH+14, minutes(s))
		}
		var pts []string
		for j := range p.Xs {
			if !math.IsNaN(p.Ys[j]) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p.Xs[j]), py(p.Ys[j])))
			}
		}
		if len(pts) > 0 {
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`+"\n", lineColour, strings.Join(pts, " "))
		}
		if t := p.Trend; t != nil && t.Samples >= MinTrendSamples {
			slope := t.SlopePerHour / 3600
			y1, y2 := slope*t.FromSeconds+t.Intercept, slope*duration+t.Intercept
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="5,3"/>`+"\n",
				px(t.FromSeconds), clamp(py(y1), y0+mt, y0+mt+plotH), px(duration), clamp(py(y2), y0+mt, y0+mt+plotH), "#dd8452")
		}
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// yRange pads the data's range and always includes zero for series that never go negative,
// so that a flat line does not look like a cliff.
func yRange(ys []float64) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, y := range ys {
		if math.IsNaN(y) {
			continue
		}
		lo, hi = min(lo, y), max(hi, y)
	}
	if math.IsInf(lo, 1) {
		return 0, 1
	}
	if lo >= 0 {
		lo = 0
	}
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi + (hi-lo)*0.08
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(hi, v)) }

func minutes(s float64) string {
	if s < 600 {
		return fmt.Sprintf("%.1f min", s/60)
	}
	return fmt.Sprintf("%.0f min", s/60)
}

// short formats a value with 3 significant digits.
func short(v float64) string {
	switch a := math.Abs(v); {
	case a == 0:
		return "0"
	case a >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.3gk", v/1e3)
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}
