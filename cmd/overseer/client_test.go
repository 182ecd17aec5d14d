//go:build linux

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shortDir returns a new directory, mode 0700, with a path short enough for
// a socket.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ovs")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// client runs a client subcommand in this process.
func client(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// "overseer serve" runs the file and answers the clients; SIGTERM stops
// it, and its socket is removed.
func TestServeAndClients(t *testing.T) {
	dir := shortDir(t)
	sock := filepath.Join(dir, "c.sock")
	file := writeFile(t, "Procfile", "web: exec "+prog+" trap:USR1 out:hello sleep\n")
	p := startCommand(t, "serve", "-f", file, "-socket", sock)
	p.waitLine("overseer: control socket at " + sock)
	p.waitLine("web | hello")

	code, out, errOut := client(t, "status", "-socket", sock)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, regexp.MustCompile(`(?m)^ID\s+STATE\s+PID\s+RESTARTS\s+UPTIME\s+STATUS$`), out)
	assert.Regexp(t, regexp.MustCompile(`(?m)^web\s+running\s+\d+\s+0\s+\d+s\s*$`), out)

	code, out, errOut = client(t, "logs", "-socket", sock, "web")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "hello\n", out)

	code, _, errOut = client(t, "restart", "-socket", sock, "web")
	require.Equal(t, 0, code, errOut)
	p.waitLine("web | hello")
	_, out, _ = client(t, "status", "-socket", sock)
	assert.Regexp(t, regexp.MustCompile(`(?m)^web\s+running\s+\d+\s+1\s`), out)

	code, _, errOut = client(t, "upgrade", "-socket", sock, "web", "--", prog, "trap:USR1", "out:upgraded", "sleep")
	require.Equal(t, 0, code, errOut)
	p.waitLine("web | upgraded")

	// logs -f: what was kept, then what comes.
	logs := startCommand(t, "logs", "-socket", sock, "-f", "web")
	logs.waitLine("upgraded")
	code, _, errOut = client(t, "restart", "-socket", sock, "web")
	require.Equal(t, 0, code, errOut)
	logs.waitLine("upgraded")
	logs.signal(syscall.SIGTERM)

	code, _, errOut = client(t, "stop", "-socket", sock, "nope")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "overseer stop: ")
	assert.Contains(t, errOut, "not found")

	code, _, errOut = client(t, "stop", "-socket", sock, "web")
	require.Equal(t, 0, code, errOut)
	_, out, _ = client(t, "status", "-socket", sock)
	assert.Regexp(t, regexp.MustCompile(`(?m)^web\s+interrupted\s+\d+\s+3\s+-\s`), out)
	p.waitLine("overseer: every process has ended; still serving")

	// Started again through the socket after everything had ended.
	code, _, errOut = client(t, "restart", "-socket", sock, "web")
	require.Equal(t, 0, code, errOut)
	p.waitLine("web | upgraded")

	p.signal(syscall.SIGTERM)
	assert.Equal(t, 0, p.exitCode(), p.stderrText())
	assert.NoFileExists(t, sock)
}

func TestServeRefusesLiveSocket(t *testing.T) {
	dir := shortDir(t)
	sock := filepath.Join(dir, "c.sock")
	file := writeFile(t, "Procfile", "web: exec "+prog+" out:hello sleep\n")
	p := startCommand(t, "serve", "-f", file, "-socket", sock)
	p.waitLine("overseer: control socket at")

	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"serve", "-f", file, "-socket", sock}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "another server is running at "+sock)
	assert.NotContains(t, stdout.String(), "hello", "nothing started")

	p.signal(syscall.SIGINT)
	assert.Equal(t, 0, p.exitCode())
}

func TestServeUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"serve"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "-f FILE is required")

	dir := shortDir(t)
	require.NoError(t, os.Chmod(dir, 0o777))
	file := writeFile(t, "Procfile", "web: exec "+prog+" out:never\n")
	stdout.Reset()
	stderr.Reset()
	assert.Equal(t, 2, run([]string{"serve", "-f", file, "-socket", filepath.Join(dir, "c.sock")}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "others can write to it")
	assert.NotContains(t, stdout.String(), "never")
}

func TestClientUsage(t *testing.T) {
	sock := filepath.Join(shortDir(t), "c.sock")
	for _, args := range [][]string{
		{"status", "extra"},
		{"stop"},
		{"stop", "a", "b"},
		{"restart"},
		{"upgrade", "web"},
		{"upgrade", "web", "--"},
		{"logs"},
		{"logs", "-bogus", "web"},
	} {
		code, _, errOut := client(t, append([]string{args[0], "-socket", sock}, args[1:]...)...)
		assert.Equal(t, 2, code, "%q: %s", args, errOut)
	}
	code, _, errOut := client(t, "status", "-socket", sock)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no server at "+sock)
}

func TestHelp(t *testing.T) {
	code, out, _ := client(t, "help")
	assert.Equal(t, 0, code)
	for _, sub := range []string{"run", "serve", "status", "stop", "restart", "upgrade", "logs"} {
		assert.Contains(t, out, "overseer "+sub+" ", sub)
	}
	code, _, errOut := client(t, "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "overseer serve")
	assert.True(t, strings.Contains(errOut, "-http"), "and the flags")
}
