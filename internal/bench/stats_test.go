package bench

import (
	"strings"
	"testing"
	"time"
)

func TestSpreadOf(t *testing.T) {
	cases := []struct {
		in   []float64
		want Spread
	}{
		{nil, Spread{}},
		{[]float64{5}, Spread{5, 5, 5}},
		{[]float64{9, 1, 4}, Spread{1, 4, 9}},
		{[]float64{8, 2, 6, 4}, Spread{2, 5, 8}},
	}
	for _, c := range cases {
		if got := SpreadOf(c.in); got != c.want {
			t.Errorf("SpreadOf(%v) = %+v, want %+v", c.in, got, c.want)
		}
	}
	in := []float64{3, 1, 2}
	SpreadOf(in)
	if in[0] != 3 {
		t.Fatal("SpreadOf sorted its argument")
	}
}

func TestPercentileNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 200; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if got := Percentile(d, 99); got != 198*time.Millisecond {
		t.Errorf("p99 of 1..200 ms = %v, want 198ms", got)
	}
	if got := Percentile(d, 50); got != 100*time.Millisecond {
		t.Errorf("p50 = %v, want 100ms", got)
	}
	if got := Percentile(d[:1], 99); got != time.Millisecond {
		t.Errorf("p99 of one = %v", got)
	}
	if got := Percentile(nil, 99); got != 0 {
		t.Errorf("p99 of none = %v", got)
	}
}

func TestRatio(t *testing.T) {
	if Ratio(3, 2) != 1.5 || Ratio(1, 0) != 0 {
		t.Fatal("Ratio")
	}
}

func TestParseAccepted(t *testing.T) {
	text := `# HELP otelcol_receiver_accepted_log_records Number of log records successfully pushed into the pipeline.
# TYPE otelcol_receiver_accepted_log_records counter
otelcol_receiver_accepted_log_records{otel_scope_name="go.opentelemetry.io/collector/receiver/receiverhelper",receiver="auth0logstream",transport="http"} 1200
otelcol_receiver_accepted_log_records{receiver="otlp",transport="http"} 300 1700000000000
otelcol_receiver_accepted_log_records{receiver="otlp",transport="grpc"} 5
otelcol_receiver_refused_log_records{receiver="otlp",transport="http"} 7
`
	got, err := parseAccepted(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if got["auth0logstream"] != 1200 || got["otlp"] != 305 || len(got) != 2 {
		t.Fatalf("got %v", got)
	}
	if _, err := parseAccepted(strings.NewReader(`otelcol_receiver_accepted_log_records{receiver="x"} NaNx`)); err == nil {
		t.Fatal("bad value: no error")
	}
}
