//go:build linux

package control

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

// The joiner puts pieces together, per process and stream, sends a line
// at its maximum as a piece, and a run's unfinished line as it is when
// another run writes.
func TestJoiner(t *testing.T) {
	var got []overseer.Line
	j := joiner{emit: func(l overseer.Line) { got = append(got, l) }}
	at := time.Unix(100, 0)
	line := func(id string, s overseer.Stream, seq uint64, pid int, text string, partial bool) overseer.Line {
		return overseer.Line{ID: id, Stream: s, Seq: seq, PID: pid, Time: at.Add(time.Duration(seq)), Text: text, Partial: partial}
	}
	out, errs := overseer.StreamStdout, overseer.StreamStderr
	j.add(line("a", out, 1, 7, "ab", true))
	j.add(line("a", errs, 2, 7, "whole", false)) // another stream: not in the way
	j.add(line("b", out, 3, 8, "x", true))
	j.add(line("a", out, 4, 7, "cd", true))
	j.add(line("a", out, 5, 7, "e", false))
	assert.True(t, j.waiting(), "b's line")
	j.add(line("b", out, 6, 9, "y", false)) // a new run of b
	assert.False(t, j.waiting())
	assert.Equal(t, []overseer.Line{
		line("a", errs, 2, 7, "whole", false),
		line("a", out, 1, 7, "abcde", false), // the Seq and Time of its first piece
		line("b", out, 3, 8, "x", true),      // unfinished
		line("b", out, 6, 9, "y", false),
	}, got)

	got = nil
	big := strings.Repeat("z", maxJoin-1)
	j.add(line("c", out, 1, 7, big, true))
	j.add(line("c", out, 2, 7, "12", true)) // over maxJoin: the first goes alone
	j.add(line("d", errs, 3, 7, "p", true))
	j.flushID("c")
	j.flushAll()
	assert.Equal(t, []overseer.Line{
		line("c", out, 1, 7, big, true),
		line("c", out, 2, 7, "12", true),
		line("d", errs, 3, 7, "p", true),
	}, got)
}

// The lines go a batch at a time, each batch one JSON line: kept lines
// read at once make one; then the end.
func TestLogsBatches(t *testing.T) {
	o := overseer.NewOverseer()
	t.Cleanup(func() { o.StopAll() })
	_, err := o.Add("many", "/bin/sh", "-c", "i=0; while [ $i -lt 500 ]; do echo line-$i; i=$((i+1)); done; echo done; exec sleep 1000")
	require.NoError(t, err)
	lines := make(chan overseer.Line, 1024)
	stop := o.WatchLogs(lines)
	defer stop()
	require.NoError(t, o.Start("many"))
	waitLine(t, lines, "done")
	path := filepath.Join(socketDir(t), "c.sock")
	start(t, &Server{Path: path}, o)

	conn, err := net.Dial("unix", path)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintln(conn, `{"op":"logs","id":"many"}`)
	require.NoError(t, err)
	sc := bufio.NewScanner(conn)
	sc.Buffer(nil, 1<<20)
	var wire []string
	for sc.Scan() {
		wire = append(wire, sc.Text())
	}
	require.NoError(t, sc.Err())
	require.Len(t, wire, 2, "one batch, then the end")
	var b LogBatch
	require.NoError(t, json.Unmarshal([]byte(wire[0]), &b))
	assert.Len(t, b.Lines, 501)
	assert.Equal(t, "line-0", b.Lines[0].Text)
	assert.JSONEq(t, `{"ok":true}`, wire[1])
}

// A follower gets an unfinished line (a prompt) once nothing follows it,
// and its rest when it comes.
func TestLogsFollowUnfinished(t *testing.T) {
	o := overseer.NewOverseer()
	t.Cleanup(func() { o.StopAll() })
	_, err := o.Add("ask", "/bin/sh", "-c", "trap 'echo answered' USR1; printf 'name? '; while :; do sleep 0.05; done")
	require.NoError(t, err)
	path := filepath.Join(socketDir(t), "c.sock")
	start(t, &Server{Path: path}, o)
	c, err := Dial(path)
	require.NoError(t, err)
	defer c.Close()
	got := make(chan overseer.Line, 16)
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan error, 1)
	go func() {
		ended <- c.Logs(ctx, Request{IDs: []string{"ask"}, Follow: true}, eachLine(func(l overseer.Line) error {
			got <- l
			return nil
		}))
	}()
	require.NoError(t, o.Start("ask"))
	select {
	case l := <-got:
		assert.Equal(t, "name? ", l.Text)
		assert.True(t, l.Partial)
	case <-time.After(10 * time.Second):
		t.Fatal("no prompt")
	}
	require.NoError(t, o.SignalMain("ask", syscall.SIGUSR1)) // not to its sleep, whose death sh would tell
	select {
	case l := <-got:
		assert.Equal(t, "answered", l.Text)
		assert.False(t, l.Partial)
	case <-time.After(10 * time.Second):
		t.Fatal("no answer")
	}
	cancel()
	select {
	case err := <-ended:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("Logs did not return once its context was done")
	}
}
