//go:build linux

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// hostile is what a process writes to take over the terminal: a clipboard
// write (OSC 52), a title (OSC 0, unterminated), a device control string,
// an APC, an 8-bit CSI (UTF-8 encoded, and a bare byte), a screen clear, a
// cursor move, and a carriage return that fakes the line of another
// process. Colour (SGR) is the only sequence that may pass, on a terminal.
const hostile = `printf 'a\033]52;c;aGk=\007b\033P1$qm\033\\c\033_x\033\\d\302\2332Je\2332Jf\033[2J\033[1Ag\033[31mred\033[0m\rweb   | fake\n'; ` +
	`printf 'h\033]0;pwned\n'; printf 'x\377y\n'`

// checkSafe fails when out holds an escape sequence other than SGR (none
// at all without colour), a C1 control, or a control character other than
// newline and tab.
func checkSafe(t *testing.T, out string, colour bool) {
	t.Helper()
	rest := out
	if colour {
		rest = wellFormedSGR.ReplaceAllString(out, "")
	}
	assert.NotContains(t, rest, "\x1b", "an escape sequence other than SGR")
	assert.NotContains(t, rest, "\r")
	assert.NotContains(t, rest, "\u009b")
	assert.NotContains(t, rest, "\x9b")
	assert.NotContains(t, rest, "\u0090")
	assert.NotRegexp(t, regexp.MustCompile("[\x00-\x08\x0b-\x1f\x7f]"), rest)
}

// With colour off (not a terminal), nothing but the text passes; bytes
// that are not UTF-8 pass as they are.
func TestHostileOutputInAPipe(t *testing.T) {
	file := writeFile(t, "overseer.yaml", "processes:\n  hostile:\n    command: "+yamlQuote(hostile)+"\n    restart: never\n")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-f", file, "-http", ""}, &stdout, &stderr), stderr.String())
	out := stdout.String()
	checkSafe(t, out, false)
	assert.Contains(t, out, "hostile | abcdefgredweb   | fake\n", "the text, on its own line")
	assert.Contains(t, out, "hostile | h\n", "an unterminated OSC ends with its line")
	assert.Contains(t, out, "hostile | x\xffy\n", "bytes that are not UTF-8 pass unchanged")
}

// yamlQuote quotes s as a YAML single-quoted scalar.
func yamlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// On a terminal (a pty), with colour on, the processes' colours pass and
// nothing else.
func TestHostileOutputOnATerminal(t *testing.T) {
	file := writeFile(t, "overseer.yaml", "processes:\n  hostile:\n    command: "+yamlQuote(hostile)+"\n    restart: never\n")
	ptm, pts, err := pty.Open()
	require.NoError(t, err)
	defer ptm.Close()
	// No output processing: "\n" stays "\n", so that a "\r" would be the
	// command's.
	tio, err := unix.IoctlGetTermios(int(pts.Fd()), unix.TCGETS)
	require.NoError(t, err)
	tio.Oflag &^= unix.OPOST
	require.NoError(t, unix.IoctlSetTermios(int(pts.Fd()), unix.TCSETS, tio))

	cmd := exec.Command(bin, "-f", file, "-http", "")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NO_COLOR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = pts, &stderr
	require.NoError(t, cmd.Start())
	require.NoError(t, pts.Close())
	read := make(chan []byte, 1)
	go func() {
		out, _ := io.ReadAll(ptm) // ends with EIO once the command has closed the pty
		read <- out
	}()
	require.NoError(t, cmd.Wait(), stderr.String())
	var out string
	select {
	case b := <-read:
		out = string(b)
	case <-time.After(30 * time.Second):
		t.Fatal("the pty was not closed")
	}
	require.Contains(t, out, "\x1b[", "colour is on")
	checkSafe(t, out, true)
	assert.Contains(t, out, "\x1b[31mred\x1b[0m", "the process's colours pass")
	assert.Contains(t, out, "x\uFFFDy", "on a terminal, bytes that are not UTF-8 show as U+FFFD")
}

// "overseer logs" and "overseer status" print what a process wrote, and
// its STATUS=, without the sequences.
func TestHostileLogsAndStatus(t *testing.T) {
	sock := filepath.Join(shortDir(t), "c.sock")
	file := writeFile(t, "overseer.yaml", `processes:
  web:
    args: [`+prog+`, "out:a\e]0;pwned\e\\b\rweb | fake\x9b2J", "status:up\e]52;c;aGk=\aok\eP1$qm\e\\\r\x9b2J", sleep]
    ready: notify
`)
	p := startCommand(t, "serve", "-f", file, "-socket", sock, "-http", "")
	p.waitLines("web | abweb | fake", "web * running: upok") // in either order: the line and READY=1 come by different ways

	code, out, errOut := client(t, "logs", "-socket", sock, "web")
	require.Equal(t, 0, code, errOut)
	checkSafe(t, out, false)
	assert.Equal(t, "web | abweb | fake\n", out)

	code, out, errOut = client(t, "status", "-socket", sock)
	require.Equal(t, 0, code, errOut)
	checkSafe(t, out, false)
	assert.Regexp(t, `(?m)^web\s+running\s+\d+\s+0\s+\S+\s+\S+\s+\S+\s+upok$`, out) // UPTIME CPU MEM, then STATUS

	p.signal(syscall.SIGINT)
	assert.Equal(t, 0, p.exitCode(), p.stderrText())
}
