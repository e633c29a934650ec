package fleet

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// counter sums the samples of a collector's own Prometheus metric, whatever its labels and
// whether or not the exporter added a _total suffix.
func counter(metricsPort, name string) (float64, bool, error) {
	resp, err := testproc.Client.Get("http://127.0.0.1:" + metricsPort + "/metrics")
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, false, fmt.Errorf("metrics: %s", resp.Status)
	}
	var sum float64
	found := false
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name)
		if !ok || !(strings.HasPrefix(rest, "{") || strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "_total")) {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			return 0, false, fmt.Errorf("metrics line %q: %w", line, err)
		}
		sum += v
		found = true
	}
	return sum, found, sc.Err()
}
