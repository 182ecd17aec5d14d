//go:build linux

package main

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/cmd/overseer/internal/control"
)

// logProc is a process of serveLogs: a shell script, then "done" (on
// stderr with stderr set: the order of lines is kept within one stream
// only).
type logProc struct {
	id, script string
	maxLine    int // MaxLineBytes; 0 for the default
	stderr     bool
}

// serveLogs serves an Overseer with procs, started one after the other,
// each once the one before has printed "done", so that their lines are in
// that order; the processes then sleep.
func serveLogs(t *testing.T, procs ...logProc) (string, *overseer.Overseer) {
	t.Helper()
	o := overseer.NewOverseer()
	lines := make(chan overseer.Line, 1024)
	stop := o.WatchLogs(lines)
	defer stop()
	sock, _ := serveHere(t, o)
	for _, p := range procs {
		done := "; echo done"
		if p.stderr {
			done += " >&2"
		}
		c, err := o.Add(p.id, "/bin/sh", "-c", p.script+done+"; exec sleep 1000")
		require.NoError(t, err)
		c.MaxLineBytes = p.maxLine
		require.NoError(t, o.Start(p.id))
		timeout := time.After(10 * time.Second)
		for done := false; !done; {
			select {
			case l := <-lines:
				done = l.ID == p.id && l.Text == "done"
			case <-timeout:
				t.Fatalf("%s: no line done", p.id)
			}
		}
	}
	return sock, o
}

// logsOK runs "overseer logs" with args, which must succeed, and returns
// what it printed.
func logsOK(t *testing.T, sock string, args ...string) string {
	t.Helper()
	code, out, errOut := ask(t, sock, "logs", args...)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)
	return out
}

// One process, several, all: each line with the name of its process,
// padded to the longest of those printed, "!" for stderr; an unknown name
// is an error that names it.
func TestLogsProcesses(t *testing.T) {
	sock, _ := serveLogs(t,
		logProc{id: "a", script: "echo a1"},
		logProc{id: "b", script: "echo b1 >&2", stderr: true},
		logProc{id: "long-name", script: "echo l1"},
	)
	assert.Equal(t, "a | a1\na | done\n", logsOK(t, sock, "a"))
	assert.Equal(t, "b ! b1\nb ! done\n", logsOK(t, sock, "b"))
	all := "a         | a1\na         | done\nb         ! b1\nb         ! done\nlong-name | l1\nlong-name | done\n"
	assert.Equal(t, all, logsOK(t, sock))
	assert.Equal(t, all, logsOK(t, sock, "long-name", "b", "a"), "in the order read, whatever the order of the names")
	assert.Equal(t, "a | a1\na | done\nb ! b1\nb ! done\n", logsOK(t, sock, "b", "a"))

	code, out, errOut := ask(t, sock, "logs", "a", "nope")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "overseer logs: process not found: \"nope\"\n", errOut)
}

// -n is the last N lines of each process; with -grep or -since, the last N
// of those that pass. -grep and -since are applied by the server: -json
// prints what it sent.
func TestLogsTailGrepSince(t *testing.T) {
	sock, o := serveLogs(t,
		logProc{id: "p", script: "for i in 1 2 3 4 5 6; do echo line-$i; [ $i -le 3 ] && echo ERROR-$i; done"},
		logProc{id: "q", script: "echo q1; echo q2"},
	)
	assert.Equal(t, "p | line-6\np | done\n", logsOK(t, sock, "-n", "2", "p"))
	assert.Equal(t, "p | line-6\np | done\nq | q2\nq | done\n", logsOK(t, sock, "-n", "2"))
	assert.Empty(t, logsOK(t, sock, "-n", "0"))
	assert.Equal(t, "p | ERROR-2\np | ERROR-3\n", logsOK(t, sock, "-n", "2", "-grep", "^ERROR", "p"),
		"the last two that match, though not among the last two lines")
	assert.Equal(t, "p | ERROR-1\np | ERROR-2\np | ERROR-3\n", logsOK(t, sock, "-grep", "ERROR"))
	assert.Equal(t, "p | line-1\nq | q1\n", logsOK(t, sock, "-grep", `(?i)^(LINE-1|q1)$`))

	out := logsOK(t, sock, "-json", "-grep", "2$")
	var texts []string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var l overseer.Line
		require.NoError(t, json.Unmarshal([]byte(line), &l), line)
		texts = append(texts, l.ID+":"+l.Text)
	}
	assert.Equal(t, []string{"p:line-2", "p:ERROR-2", "q:q2"}, texts, "the server sent only the lines that match")

	// -since: a duration before now, or a time.
	assert.Equal(t, 13, strings.Count(logsOK(t, sock, "-since", "1h"), "\n"))
	assert.Empty(t, logsOK(t, sock, "-since", "0s"))
	c, err := o.Cmd("p")
	require.NoError(t, err)
	kept := c.Lines(0)
	pDone := kept[len(kept)-1].Time // read before q started
	c, err = o.Cmd("q")
	require.NoError(t, err)
	qFirst := c.Lines(0)[0].Time
	q := "q | q1\nq | q2\nq | done\n"
	assert.Equal(t, q, logsOK(t, sock, "-since", qFirst.Format(time.RFC3339Nano)))
	assert.Equal(t, q, logsOK(t, sock, "-since", pDone.Add(time.Nanosecond).Format(time.RFC3339Nano)))
	assert.Equal(t, "p | done\nq | done\n", logsOK(t, sock, "-since", pDone.Format(time.RFC3339Nano), "-n", "1"))
	assert.Equal(t, "q | done\n", logsOK(t, sock, "-since", pDone.Add(time.Nanosecond).Format(time.RFC3339Nano), "-grep", "done"))
}

// A line written in pieces prints whole, and -grep sees it whole; a line
// left unfinished (a prompt) prints as far as it goes.
func TestLogsJoinsPieces(t *testing.T) {
	sock, o := serveLogs(t,
		logProc{id: "p", script: "echo abcdefghijklmnopqrst; printf 'prompt> '; sleep 0.5; echo", maxLine: 8},
	)
	assert.Equal(t, "p | abcdefghijklmnopqrst\np | prompt> \np | done\n", logsOK(t, sock, "p"))
	assert.Equal(t, "p | abcdefghijklmnopqrst\n", logsOK(t, sock, "-grep", "ghij"), "across pieces")
	out := logsOK(t, sock, "-json", "p")
	assert.Contains(t, out, `"text":"abcdefghijklmnopqrst"}`)
	assert.NotContains(t, out, "partial")

	// A process waiting at its prompt.
	_, err := o.Add("u", "/bin/sh", "-c", "printf 'password: '; exec sleep 1000")
	require.NoError(t, err)
	require.NoError(t, o.Start("u"))
	c, err := o.Cmd("u")
	require.NoError(t, err)
	deadline := time.Now().Add(10 * time.Second)
	for len(c.Lines(0)) == 0 {
		require.True(t, time.Now().Before(deadline), "no line")
		time.Sleep(10 * time.Millisecond)
	}
	assert.Equal(t, "u | password: \n", logsOK(t, sock, "u"), "ended by the command")
	assert.Contains(t, logsOK(t, sock, "-json", "u"), `"text":"password: ","partial":true}`)
}

// -json prints each line as overseer.Line's JSON: the exact bytes of a
// line that is not UTF-8 in "bytes".
func TestLogsJSONKeepsBytes(t *testing.T) {
	sock := serveRaw(t)
	out := logsOK(t, sock, "-json", "raw")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2)
	var l overseer.Line
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &l))
	assert.Equal(t, rawText, l.Text)
	assert.Equal(t, "raw", l.ID)
	assert.Contains(t, lines[0], `"bytes":`)
}

// -timestamps begins each line with the time it was read, RFC 3339 with
// milliseconds.
func TestLogsTimestamps(t *testing.T) {
	before := time.Now().Truncate(time.Millisecond)
	sock, _ := serveLogs(t, logProc{id: "p", script: "echo one"})
	after := time.Now()
	out := logsOK(t, sock, "-timestamps")
	stamped := regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(?:Z|[+-]\d\d:\d\d)) (p \| .*)$`)
	var rest []string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		m := stamped.FindStringSubmatch(line)
		require.NotNil(t, m, line)
		at, err := time.Parse(time.RFC3339, m[1])
		require.NoError(t, err)
		assert.False(t, at.Before(before) || at.After(after), "%v not in [%v, %v]", at, before, after)
		rest = append(rest, m[2])
	}
	assert.Equal(t, []string{"p | one", "p | done"}, rest)
}

// What a follower missed is said, in the command's way or as JSON.
func TestLogsPrintsMissed(t *testing.T) {
	for _, tt := range []struct {
		json bool
		want string
	}{
		{false, "web  * (12 lines not shown)\nweb  | next\n"},
		{true, `{"id":"web","missed":12}` + "\n"},
	} {
		var b strings.Builder
		w := bufio.NewWriter(&b)
		p := &logPrinter{w: w, json: tt.json, width: 4}
		p.batch(control.LogBatch{Missed: []control.MissedLines{{ID: "web", Count: 12}}, Lines: []overseer.Line{{ID: "web", Stream: overseer.StreamStdout, Text: "next"}}})
		require.NoError(t, w.Flush())
		assert.True(t, strings.HasPrefix(b.String(), tt.want), "%q", b.String())
	}
}

// logs -f ends with exit status 0 on Ctrl-C, and 1, saying so, when the
// server stops.
func TestLogsFollowEnds(t *testing.T) {
	dir := shortDir(t)
	sock := filepath.Join(dir, "c.sock")
	file := writeFile(t, "Procfile", "web: exec "+prog+" out:hello sleep\nworker: exec "+prog+" out:working sleep\n")
	p := startCommand(t, "serve", "-f", file, "-socket", sock, "-http", "")
	p.waitLines("web    | hello", "worker | working")

	interrupted := startCommand(t, "logs", "-socket", sock, "-f")
	interrupted.waitLines("web    | hello", "worker | working")
	interrupted.signal(syscall.SIGINT)
	assert.Equal(t, 0, interrupted.exitCode(), interrupted.stderrText())

	following := startCommand(t, "logs", "-socket", sock, "-f", "worker")
	following.waitLine("worker | working")
	p.signal(syscall.SIGTERM)
	assert.Equal(t, 0, p.exitCode(), p.stderrText())
	assert.Equal(t, 1, following.exitCode())
	assert.Contains(t, following.stderrText(), "overseer logs: no more lines: overseer: the server closed the connection ("+sock+"): it stopped, or went away")
}

// Without -f, logs ends with the lines the processes had when it asked,
// even from a process that never stops writing; -n N prints exactly N.
func TestLogsEndsWhileWriting(t *testing.T) {
	sock, o := serveLogs(t, logProc{id: "quiet", script: "echo q"})
	c, err := o.Add("busy", "/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo busy-$i; done")
	require.NoError(t, err)
	c.BufferLines = 100000
	require.NoError(t, o.Start("busy"))
	deadline := time.Now().Add(10 * time.Second)
	for p, _ := o.ToJSON("busy"); p.StdoutLines < 20000; p, _ = o.ToJSON("busy") {
		require.True(t, time.Now().Before(deadline), "busy is not busy")
		time.Sleep(10 * time.Millisecond)
	}
	for range 3 {
		out := logsOK(t, sock, "-n", "5", "busy")
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		require.Len(t, lines, 5, out)
		first, err := strconv.Atoi(strings.TrimPrefix(lines[0], "busy | busy-"))
		require.NoError(t, err, lines[0])
		for i, line := range lines {
			assert.Equal(t, "busy | busy-"+strconv.Itoa(first+i), line)
		}
		assert.Equal(t, "quiet | q\nquiet | done\n", logsOK(t, sock, "-grep", "^q|done", "-n", "5", "quiet"))
	}
	// Every line kept (or what the reader missed of them as the buffer
	// moved on), then the end.
	assert.Contains(t, logsOK(t, sock, "busy"), "busy | busy-")
}
