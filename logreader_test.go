//go:build unix

package overseer

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// readLines calls Next until it has n lines, and returns them with the
// batches' Missed.
func readLines(t *testing.T, r *LogReader, n int) ([]Line, []MissedLines) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	var lines []Line
	var missed []MissedLines
	for len(lines) < n {
		b, err := r.Next(ctx)
		require.NoError(t, err, "after %d lines", len(lines))
		lines = append(lines, b.Lines...)
		missed = append(missed, b.Missed...)
	}
	return lines, missed
}

// A reader gets every line of every process, in Seq order per process,
// each process's lines numbered from 1, in batches.
func TestLogReaderEveryLine(t *testing.T) {
	const n = 3000
	o := newTestOverseer(t)
	r := o.NewLogReader(LogReaderConfig{})
	defer r.Close()
	ids := []string{"a", "b", "c"}
	for _, id := range ids {
		addChild(t, o, id, "lines:"+strconv.Itoa(n), "err:bye-"+id, "exit:0").BufferLines = 2 * n
	}
	require.NoError(t, o.SuperviseAll(context.Background()))
	lines, missed := readLines(t, r, 3*(n+1))
	assert.Empty(t, missed)
	last := map[string]uint64{}
	for _, l := range lines {
		require.Equal(t, last[l.ID]+1, l.Seq, l.ID)
		last[l.ID] = l.Seq
		if l.Stream == StreamStdout {
			require.Regexp(t, `^line-\d{7}$`, l.Text)
		}
	}
	for _, id := range ids {
		assert.Equal(t, uint64(n+1), last[id], id)
	}
	// Drained: a done context returns at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.Next(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}

// A reader that reads nothing while the rings let lines go is told how
// many it missed, of which process, and gets the rest; Dropped counts them.
func TestLogReaderMissed(t *testing.T) {
	o := newTestOverseer(t)
	r := o.NewLogReader(LogReaderConfig{})
	defer r.Close()
	c := addChild(t, o, "p", "lines:100", "exit:0")
	c.BufferBytes = 130 // "line-0000001" is 12 bytes: ten fit
	require.NoError(t, o.Supervise(context.Background(), "p"))
	lines, missed := readLines(t, r, 10)
	assert.Equal(t, []MissedLines{{ID: "p", Count: 90}}, missed)
	assert.Equal(t, uint64(91), lines[0].Seq)
	assert.Equal(t, "line-0000100", lines[9].Text)
	_, dropped := o.Dropped()
	assert.Equal(t, uint64(90), dropped)
}

// Tail begins with lines already kept; IDs limit the processes read, and
// a process added later is read when it is named (or none are).
func TestLogReaderTailAndIDs(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "a", "lines:50", "exit:0")
	addChild(t, o, "b", "lines:50", "exit:0")
	require.NoError(t, o.SuperviseAll(context.Background()))

	tail := o.NewLogReader(LogReaderConfig{IDs: []string{"a"}, Tail: 5})
	defer tail.Close()
	lines, _ := readLines(t, tail, 5)
	assert.Equal(t, []string{"line-0000046", "line-0000047", "line-0000048", "line-0000049", "line-0000050"}, texts(lines))
	for _, l := range lines {
		assert.Equal(t, "a", l.ID)
	}
	all := o.NewLogReader(LogReaderConfig{Tail: TailAll})
	defer all.Close()
	lines, _ = readLines(t, all, 100)
	assert.Len(t, lines, 100)

	// A process added later.
	addChild(t, o, "c", "lines:3", "exit:0")
	require.NoError(t, o.Supervise(context.Background(), "c"))
	lines, _ = readLines(t, all, 3)
	assert.Equal(t, []string{"line-0000001", "line-0000002", "line-0000003"}, texts(lines))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := tail.Next(ctx)
	assert.ErrorIs(t, err, context.Canceled, "c is not among the IDs of tail")
}

// Close ends a Next that waits, and the reader is let go by the outputs.
func TestLogReaderClose(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "p", "sleep")
	r := o.NewLogReader(LogReaderConfig{})
	errc := make(chan error, 1)
	go func() {
		_, err := r.Next(context.Background())
		errc <- err
	}()
	r.Close()
	r.Close() // harmless
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, ErrClosed)
	case <-time.After(waitTimeout):
		t.Fatal("Next did not return after Close")
	}
	c, err := o.Cmd("p")
	require.NoError(t, err)
	c.out.mu.Lock()
	assert.Empty(t, c.out.cursors)
	c.out.mu.Unlock()
	goleak.VerifyNone(t, ignoreGuardian)
}

// Lines of several processes in one batch come in the order they were
// read, and each process's in Seq order.
func TestLogReaderMergesByTime(t *testing.T) {
	at := func(s int) time.Time { return time.Unix(0, int64(s)) }
	read := []Line{
		{ID: "a", Seq: 1, Time: at(1)}, {ID: "a", Seq: 2, Time: at(5)}, {ID: "a", Seq: 3, Time: at(5)},
		{ID: "b", Seq: 1, Time: at(2)}, {ID: "b", Seq: 2, Time: at(5)},
		{ID: "c", Seq: 1, Time: at(0)}, {ID: "c", Seq: 2, Time: at(9)},
	}
	got := mergeByTime(nil, read, []segment{{0, 3}, {3, 5}, {5, 7}})
	var order []string
	for _, l := range got {
		order = append(order, fmt.Sprintf("%s%d", l.ID, l.Seq))
	}
	assert.Equal(t, []string{"c1", "a1", "b1", "a2", "a3", "b2", "c2"}, order)
}
