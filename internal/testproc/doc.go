// Package testproc starts the distribution's binaries as real processes for tests and reads
// what the sink collector wrote. Every process it starts is killed in t.Cleanup, so a failing
// or timed-out test leaves nothing running.
package testproc
