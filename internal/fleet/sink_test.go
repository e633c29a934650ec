package fleet

import (
	"encoding/json"
	"fmt"

	"github.com/auth0-otel/otelcol-auth0/internal/testproc"
)

// sinkReader counts each log.record.uid in the sink's output. It decodes only the attributes
// (encoding/json skips the bodies): the file grows to hundreds of megabytes during the run.
type sinkReader struct {
	tail    testproc.SinkTail
	counts  map[string]int
	first   map[string]int64 // file offset of the line where a log_id first appeared
	records int
}

func newSinkReader(path string) *sinkReader {
	return &sinkReader{tail: testproc.SinkTail{Path: path}, counts: map[string]int{}, first: map[string]int64{}}
}

// size is the file's current length: a snapshot to compare with first offsets later.
func (s *sinkReader) size() (int64, error) { return s.tail.Size() }

// Only the fields the test needs.
type otlpLogs struct {
	ResourceLogs []struct {
		ScopeLogs []struct {
			LogRecords []struct {
				Attributes []struct {
					Key   string `json:"key"`
					Value struct {
						StringValue string `json:"stringValue"`
					} `json:"value"`
				} `json:"attributes"`
			} `json:"logRecords"`
		} `json:"scopeLogs"`
	} `json:"resourceLogs"`
}

// poll reads the complete lines appended since the last call.
func (s *sinkReader) poll() error {
	return s.tail.PollLines(func(at int64, line []byte) error {
		var logs otlpLogs
		if err := json.Unmarshal(line, &logs); err != nil {
			return fmt.Errorf("%s at offset %d: %w", s.tail.Path, at, err)
		}
		for _, rl := range logs.ResourceLogs {
			for _, sl := range rl.ScopeLogs {
				for _, lr := range sl.LogRecords {
					s.records++
					for _, a := range lr.Attributes {
						if a.Key == "log.record.uid" {
							id := a.Value.StringValue
							if s.counts[id] == 0 {
								s.first[id] = at
							}
							s.counts[id]++
							break
						}
					}
				}
			}
		}
		return nil
	})
}
