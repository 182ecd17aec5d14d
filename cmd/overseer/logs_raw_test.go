//go:build linux

package main

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer"
)

// rawText is a line that is not UTF-8.
const rawText = "caf\xe9 \xff\xfe\x1b]0;title\a end"

// serveRaw serves an Overseer whose process "raw" has printed rawText.
func serveRaw(t *testing.T) string {
	t.Helper()
	o := overseer.NewOverseer()
	_, err := o.Add("raw", prog, "out:"+rawText, "out:done", "sleep")
	require.NoError(t, err)
	lines := make(chan overseer.Line, 16)
	stop := o.WatchLogs(lines)
	defer stop()
	sock, _ := serveHere(t, o)
	require.NoError(t, o.Start("raw"))
	timeout := time.After(10 * time.Second)
	for done := false; !done; {
		select {
		case l := <-lines:
			done = l.Text == "done"
		case <-timeout:
			t.Fatal("no line done")
		}
	}
	return sock
}

// "overseer logs -raw" writes a line's exact bytes, escape sequences
// included; without -raw, in a pipe, bytes that are not UTF-8 stay as they
// are and only what a terminal would act on goes (TestHostileLogsAndStatus).
func TestLogsWritesExactBytes(t *testing.T) {
	sock := serveRaw(t)
	code, out, errOut := ask(t, sock, "logs", "-raw", "raw")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "raw | "+rawText+"\nraw | done\n", out)

	code, out, errOut = ask(t, sock, "logs", "raw")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "raw | caf\xe9 \xff\xfe end\nraw | done\n", out)
}

// On a terminal, the bytes that are not UTF-8 show as U+FFFD.
func TestLogsReplacesOnTerminal(t *testing.T) {
	sock := serveRaw(t)
	ptm, tty, err := pty.Open()
	require.NoError(t, err)
	defer ptm.Close()
	read := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(ptm) // EIO once the tty is closed: the end
		read <- b
	}()
	var errb bytes.Buffer
	t.Setenv("NO_COLOR", "1") // the name's colour is not what is tested
	code := runLogs([]string{"-socket", sock, "raw"}, tty, &errb)
	require.NoError(t, tty.Close())
	require.Equal(t, 0, code, errb.String())
	var got []byte
	select {
	case got = <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal's output did not end")
	}
	assert.Equal(t, "raw | caf\uFFFD \uFFFD\uFFFD end\r\nraw | done\r\n", string(got))
}

func TestIsTerminal(t *testing.T) {
	f, err := os.Create(t.TempDir() + "/out")
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f))
	assert.False(t, isTerminal(&bytes.Buffer{}))
}
