// Copyright The otelcol-auth0 Authors
// SPDX-License-Identifier: Apache-2.0

package soak

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// The sink's file exporter writes OTLP JSON; these are the two attributes the check needs,
// found by a byte scan rather than by decoding every export request, which at thousands of
// records per second for an hour would cost the collector under test a good share of the CPU.
var (
	uidMarker        = []byte(`{"key":"log.record.uid","value":{"stringValue":"`)
	parseErrorMarker = []byte(`{"key":"auth0.parse_error","value":`)
)

// SinkChecker follows the sink's output and matches it against acknowledged log_ids. The
// file exporter rotates its file (at 100 MB by default) into backups in the same directory:
// the checker reads every file whose name starts like the output file, keeps its place in
// each by inode, so a file renamed while it was being read is continued, and deletes backups
// it has read to the end, so that an hour of output does not fill the disk.
type SinkChecker struct {
	dir, stem, ext string

	mu      sync.Mutex
	offsets map[uint64]int64 // by inode
	pending map[string]struct{}
	early   map[string]struct{} // seen at the sink before their acknowledgement was recorded

	acked, records, parseErrors, sinkBytes int64
}

// NewSinkChecker follows the file exporter output at path.
func NewSinkChecker(path string) *SinkChecker {
	ext := filepath.Ext(path)
	return &SinkChecker{
		dir: filepath.Dir(path), stem: strings.TrimSuffix(filepath.Base(path), ext), ext: ext,
		offsets: map[uint64]int64{}, pending: map[string]struct{}{}, early: map[string]struct{}{},
	}
}

// Acked records log_ids that were acknowledged and that the pipeline must deliver.
func (c *SinkChecker) Acked(ids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		c.acked++
		if _, ok := c.early[id]; ok {
			delete(c.early, id)
			continue
		}
		c.pending[id] = struct{}{}
	}
}

// SinkCounts is what the sink holds so far.
type SinkCounts struct {
	Acked       int64 `json:"acked_forwarded_events"`
	Missing     int   `json:"missing"`
	Records     int64 `json:"sink_records_with_log_id"`
	ParseErrors int64 `json:"sink_malformed_records"`
	Bytes       int64 `json:"sink_bytes_read"`
}

// Counts returns the counts and up to n missing log_ids.
func (c *SinkChecker) Counts(n int) (SinkCounts, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var some []string
	for id := range c.pending {
		if len(some) == n {
			break
		}
		some = append(some, id)
	}
	return SinkCounts{Acked: c.acked, Missing: len(c.pending), Records: c.records, ParseErrors: c.parseErrors, Bytes: c.sinkBytes}, some
}

// Poll reads what was written since the last poll.
func (c *SinkChecker) Poll() error {
	entries, err := os.ReadDir(c.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	active := c.stem + c.ext
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, c.stem) || !strings.HasSuffix(name, c.ext) || e.IsDir() {
			continue
		}
		done, ino, err := c.readFile(filepath.Join(c.dir, name))
		if err != nil {
			return err
		}
		if done && name != active {
			// A backup is complete once renamed; what it holds has been counted. Its inode
			// may be reused by a new file, so its offset goes too.
			if err := os.Remove(filepath.Join(c.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			c.mu.Lock()
			delete(c.offsets, ino)
			c.mu.Unlock()
		}
	}
	return nil
}

// readFile scans the complete lines after the file's offset; done means it was read to its end.
func (c *SinkChecker) readFile(path string) (done bool, ino uint64, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, 0, nil // rotated away between ReadDir and Open; found under its new name next time
	}
	if err != nil {
		return false, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, 0, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false, 0, fmt.Errorf("%s: no inode", path)
	}
	c.mu.Lock()
	off := c.offsets[st.Ino]
	c.mu.Unlock()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return false, 0, err
	}
	// Bounded reads: an export request is a few MB at most.
	buf := make([]byte, 0, 1<<20)
	chunk := make([]byte, 1<<20)
	for {
		n, rerr := f.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if end := bytes.LastIndexByte(buf, '\n'); end >= 0 {
			c.scan(buf[:end+1])
			off += int64(end + 1)
			buf = append(buf[:0], buf[end+1:]...)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return false, 0, rerr
		}
	}
	c.mu.Lock()
	c.offsets[st.Ino] = off
	c.mu.Unlock()
	return len(buf) == 0 && off == fi.Size(), st.Ino, nil
}

// scan counts the records in complete lines and takes their log_ids off the pending set.
func (c *SinkChecker) scan(lines []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sinkBytes += int64(len(lines))
	c.parseErrors += int64(bytes.Count(lines, parseErrorMarker))
	rest := lines
	for {
		i := bytes.Index(rest, uidMarker)
		if i < 0 {
			return
		}
		rest = rest[i+len(uidMarker):]
		j := bytes.IndexByte(rest, '"')
		if j < 0 {
			return
		}
		id := string(rest[:j])
		rest = rest[j:]
		c.records++
		if _, ok := c.pending[id]; ok {
			delete(c.pending, id)
		} else {
			c.early[id] = struct{}{}
		}
	}
}
