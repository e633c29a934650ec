package fleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// sinkReader follows the sink's file exporter output (one OTLP JSON export request per line)
// and counts each log.record.uid. It reads only what was appended since the last poll: the
// file grows to hundreds of megabytes during the run.
type sinkReader struct {
	path    string
	offset  int64
	counts  map[string]int
	first   map[string]int64 // file offset of the line where a log_id first appeared
	records int
}

func newSinkReader(path string) *sinkReader {
	return &sinkReader{path: path, counts: map[string]int{}, first: map[string]int64{}}
}

// size is the file's current length: a cheap snapshot of what the sink had received, to be
// compared with first offsets later.
func (s *sinkReader) size() (int64, error) {
	fi, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// Only the fields the test needs; encoding/json skips the bodies.
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

// poll reads the complete lines appended since the last call; a line still being written
// (no newline yet) is left for the next one.
func (s *sinkReader) poll() error {
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(s.offset, io.SeekStart); err != nil {
		return err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	end := bytes.LastIndexByte(data, '\n')
	if end < 0 {
		return nil
	}
	for line := range bytes.Lines(data[:end+1]) {
		at := s.offset
		s.offset += int64(len(line))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var logs otlpLogs
		if err := json.Unmarshal(line, &logs); err != nil {
			return fmt.Errorf("%s at offset %d: %w", s.path, at, err)
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
	}
	return nil
}
