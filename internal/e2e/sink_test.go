package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// received is one LogRecord as the sink wrote it, with the resource it came with.
type received struct {
	record   plog.LogRecord
	resource pcommon.Map
}

// readSink parses the sink's file exporter output: one OTLP JSON export request per line.
// A line still being written (no newline yet) is left for the next poll.
func readSink(path string) ([]received, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	} else {
		return nil, nil
	}
	var out []received
	var unmarshaler plog.JSONUnmarshaler
	for n, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		logs, err := unmarshaler.UnmarshalLogs(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n+1, err)
		}
		for i := 0; i < logs.ResourceLogs().Len(); i++ {
			rl := logs.ResourceLogs().At(i)
			for j := 0; j < rl.ScopeLogs().Len(); j++ {
				records := rl.ScopeLogs().At(j).LogRecords()
				for k := 0; k < records.Len(); k++ {
					out = append(out, received{record: records.At(k), resource: rl.Resource().Attributes()})
				}
			}
		}
	}
	return out, nil
}

func stringAttr(m pcommon.Map, key string) string {
	v, ok := m.Get(key)
	if !ok {
		return ""
	}
	return v.AsString()
}
