// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package testproc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Received is one LogRecord as the sink wrote it, with the resource it came with.
type Received struct {
	Record   plog.LogRecord
	Resource pcommon.Map
}

// ReadSink parses the sink's file exporter output: one OTLP JSON export request per line.
// A line still being written (no newline yet) is left for the next poll.
func ReadSink(path string) ([]Received, error) {
	var out []Received
	tail := SinkTail{Path: path}
	err := tail.Poll(func(r Received) { out = append(out, r) })
	return out, err
}

// SinkTail reads a growing sink file incrementally: each Poll parses only the complete lines
// added since the previous one, so polling a large file stays cheap.
type SinkTail struct {
	Path   string
	offset int64
	line   int
}

// Poll calls fn for every record in the lines completed since the last Poll.
func (s *SinkTail) Poll(fn func(Received)) error {
	var unmarshaler plog.JSONUnmarshaler
	return s.PollLines(func(_ int64, line []byte) error {
		logs, err := unmarshaler.UnmarshalLogs(line)
		if err != nil {
			return fmt.Errorf("%s line %d: %w", s.Path, s.line, err)
		}
		for i := range logs.ResourceLogs().Len() {
			rl := logs.ResourceLogs().At(i)
			for j := range rl.ScopeLogs().Len() {
				records := rl.ScopeLogs().At(j).LogRecords()
				for k := range records.Len() {
					fn(Received{Record: records.At(k), Resource: rl.Resource().Attributes()})
				}
			}
		}
		return nil
	})
}

// PollLines calls fn for every non-blank line completed since the last poll, with the file
// offset where the line starts. It is for readers that decode only part of each export
// request, which matters when the file grows to hundreds of megabytes.
func (s *SinkTail) PollLines(fn func(offset int64, line []byte) error) error {
	f, err := os.Open(s.Path)
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
		s.line++
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := fn(at, line); err != nil {
			return err
		}
	}
	return nil
}

// StringAttr returns the attribute as a string, or "" when it is absent.
func StringAttr(m pcommon.Map, key string) string {
	v, ok := m.Get(key)
	if !ok {
		return ""
	}
	return v.AsString()
}
