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

// Under WithLogBackpressure a LogReader loses nothing, however small the
// rings, as long as it reads; a Lossy one beside it, which reads nothing,
// is not waited for.
func TestLogReaderBackpressure(t *testing.T) {
	const n = 50_000
	o := newTestOverseer(t)
	WithLogBackpressure()(o)
	o.hub.stall = waitTimeout // a reader that reads is never taken for stuck
	paced := o.NewLogReader(LogReaderConfig{MaxLines: 100, ReuseText: true})
	defer paced.Close()
	lossy := o.NewLogReader(LogReaderConfig{Lossy: true})
	defer lossy.Close()
	addChild(t, o, "p", "lines:"+strconv.Itoa(n), "exit:0").BufferLines = 10
	errc := goSuperviseAll(context.Background(), o)
	got := uint64(0)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	for got < n {
		b, err := paced.Next(ctx)
		require.NoError(t, err, "after %d lines", got)
		require.Empty(t, b.Missed)
		for _, l := range b.Lines {
			got++
			require.Equal(t, got, l.Seq)
			require.Equal(t, fmt.Sprintf("line-%07d", got), l.Text)
		}
	}
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
	b, err := lossy.Next(ctx)
	require.NoError(t, err)
	require.Len(t, b.Missed, 1)
	assert.Equal(t, uint64(n-10), b.Missed[0].Count, "the lossy reader gets what the ring holds")
	assert.Len(t, b.Lines, 10)
}

// A paced reader that reads nothing holds the process up for a stall, then
// is stuck: the process goes on; once it reads again it is waited for
// again.
func TestLogReaderStuckThenReads(t *testing.T) {
	o := newTestOverseer(t)
	WithLogBackpressure()(o)
	o.hub.stall = 50 * time.Millisecond
	r := o.NewLogReader(LogReaderConfig{})
	defer r.Close()
	addChild(t, o, "p", "lines:5000", "exit:0").BufferLines = 10
	within(t, "Supervise", func() { require.NoError(t, o.Supervise(context.Background(), "p")) })
	lines, missed := readLines(t, r, 10)
	require.Len(t, missed, 1)
	assert.Equal(t, uint64(4990), missed[0].Count)
	assert.Equal(t, "line-0005000", lines[9].Text)

	// It has read: it is waited for again, and loses nothing of the next
	// run.
	o.hub.stall = waitTimeout
	require.NoError(t, o.Start("p"))
	lines, missed = readLines(t, r, 5000)
	assert.Empty(t, missed, "a reader that reads is waited for")
	assert.Equal(t, "line-0005000", lines[4999].Text)
}

// Readers made and closed while processes are added, print, and are
// removed: no race, no leak, no reader left in an output.
func TestLogReaderChurn(t *testing.T) {
	o := newTestOverseer(t)
	WithLogBackpressure()(o)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 {
			id := "p" + strconv.Itoa(i)
			addChild(t, o, id, "lines:2000", "exit:0").BufferLines = 50
			if err := o.Supervise(ctx, id); err != nil {
				t.Error(err)
				return
			}
			if err := o.Remove(id); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		r := o.NewLogReader(LogReaderConfig{Tail: TailAll, MaxLines: 7, Lossy: running && len(o.ListAll())%2 == 0})
		short, stop := context.WithTimeout(ctx, 5*time.Millisecond)
		for range 3 {
			if _, err := r.Next(short); err != nil {
				break
			}
		}
		stop()
		r.Close()
	}
	o.mu.Lock()
	assert.Empty(t, o.hub.readers)
	o.mu.Unlock()
	goleak.VerifyNone(t, ignoreGuardian)
}

// A reader that begins with kept lines (Tail) gets them from a Next that
// waits, at once, not at the next line printed.
func TestLogReaderTailWakes(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "p", "lines:3", "sleep")
	require.NoError(t, o.Start("p"))
	c, err := o.Cmd("p")
	require.NoError(t, err)
	eventually(t, func() bool { return c.out.lastSeq() == 3 }, "the lines are not kept")
	r := o.NewLogReader(LogReaderConfig{Tail: 2})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	b, err := r.Next(ctx)
	require.NoError(t, err)
	require.NoError(t, ctx.Err(), "Next waited for its context, not for the lines kept")
	assert.Equal(t, []string{"line-0000002", "line-0000003"}, texts(b.Lines))
}

// A batch ends once its Texts reach 1 MiB, over all the processes in it.
func TestLogReaderBatchBytes(t *testing.T) {
	o := newTestOverseer(t)
	r := o.NewLogReader(LogReaderConfig{MaxLines: 1 << 20})
	defer r.Close()
	for _, id := range []string{"a", "b", "c"} {
		// 5,000 lines of 100 bytes, all kept: 500 KB a process.
		addChild(t, o, id, "fill:5000", "exit:0").BufferLines = 5000
	}
	require.NoError(t, o.SuperviseAll(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	total := 0
	for {
		b, err := r.Next(ctx)
		if err != nil {
			break
		}
		size := 0
		for _, l := range b.Lines {
			size += len(l.Text)
		}
		assert.LessOrEqual(t, size, defaultBatchBytes+100, "one line may pass the bound, no more")
		total += len(b.Lines)
	}
	assert.Equal(t, 15000, total)
}
