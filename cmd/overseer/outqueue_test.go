package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gatedWriter takes nothing until its gate is opened.
type gatedWriter struct {
	gate chan struct{}
	mu   sync.Mutex
	buf  bytes.Buffer
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	<-g.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.Write(p)
}

func (g *gatedWriter) String() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.String()
}

// An output that takes nothing holds up its writers for one stall at most:
// then what overflows the queue is dropped, counted, and said to be
// missing once the output moves again, in its place.
func TestOutQueueStuckOutput(t *testing.T) {
	g := &gatedWriter{gate: make(chan struct{})}
	q := newOutQueue(g, func(n uint64) string { return fmt.Sprintf("(%d dropped)\n", n) })
	line := strings.Repeat("x", 1023) + "\n"
	n := 3 * outQueueBytes / len(line) // three queues' worth: returns, so the writes did not block for good
	for range n {
		_, err := q.Write([]byte(line))
		require.NoError(t, err)
	}
	_, err := q.Write([]byte("last\n"))
	require.NoError(t, err)

	abort := make(chan struct{})
	close(abort)
	var stuck *stuckError
	require.ErrorAs(t, q.drain(outStall, abort), &stuck, "aborted while stuck")
	assert.True(t, stuck.aborted)

	close(g.gate)
	require.NoError(t, q.drain(defaultStop, nil))
	q.close(true)
	out := g.String()
	written := strings.Count(out, line)
	assert.Less(t, written, n, "some were dropped")
	tail := out[max(0, len(out)-100):]
	assert.Regexp(t, `\n\(\d+ dropped\)\n$`, tail, "the drop is told, last")
	var dropped int
	_, err = fmt.Sscanf(out[strings.LastIndex(out, "(")+1:], "%d dropped", &dropped)
	require.NoError(t, err)
	assert.Equal(t, n+1, written+dropped, "every line written or counted")
}

// An output that fails makes the queue drop what comes, and drain returns
// its error.
func TestOutQueueFailedOutput(t *testing.T) {
	q := newOutQueue(failingWriter{}, nil)
	_, err := q.Write([]byte("a\n"))
	require.NoError(t, err)
	assert.ErrorIs(t, q.drain(defaultStop, nil), errBroken)
	_, err = q.Write([]byte("b\n"))
	require.NoError(t, err)
	q.close(true)
}

var errBroken = errors.New("broken pipe")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errBroken }

// slowWriter takes each 4 KiB after a pause while slow is set, as a slow
// terminal or ssh link does.
type slowWriter struct {
	slow  atomic.Bool
	pause time.Duration
	mu    sync.Mutex
	buf   bytes.Buffer
}

func (s *slowWriter) Write(p []byte) (int, error) {
	if s.slow.Load() {
		time.Sleep(s.pause * time.Duration((len(p)+4095)/4096))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// An output slower than the queue, which takes a chunk in more than a stall
// but moves within each, is slow, not stuck: the writers wait for it and no
// line is dropped.
func TestOutQueueSlowOutputLosesNothing(t *testing.T) {
	w := &slowWriter{pause: outStall / 6} // a chunk takes outChunk/outPiece pauses: more than two stalls
	w.slow.Store(true)
	q := newOutQueue(w, func(n uint64) string { return fmt.Sprintf("(%d dropped)\n", n) })
	line := strings.Repeat("x", 1023) + "\n"
	n := (outQueueBytes + 2*outChunk) / len(line) // more than the queue holds: the writers wait
	for range n {
		_, err := q.Write([]byte(line))
		require.NoError(t, err)
	}
	w.slow.Store(false)
	require.NoError(t, q.drain(defaultStop, nil))
	q.close(true)
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.buf.String()
	assert.False(t, strings.Contains(out, "dropped"), "lines were dropped")
	assert.Equal(t, n, strings.Count(out, line), "lines written")
}
