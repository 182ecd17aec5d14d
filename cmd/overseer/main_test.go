//go:build linux

package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeFile writes a file of the test and returns its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

func TestRunProcfile(t *testing.T) {
	file := writeFile(t, "Procfile", "# two quick ones\nhello: echo hi; echo oops >&2\nsum: echo $((1+2))\n")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-f", file, "-http", ""}, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	out := stdout.String()
	assert.Contains(t, out, "hello | hi\n")
	assert.Contains(t, out, "hello ! oops\n")
	assert.Contains(t, out, "sum   | 3\n")
	assert.Contains(t, out, "hello * finished (exit 0)\n")
	assert.NotContains(t, out, "\x1b[", "no colour when the output is not a terminal")
}

func TestRunBadFile(t *testing.T) {
	file := writeFile(t, "Procfile", "ok: true\nnot a process line\n")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-f", file, "-http", ""}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr.String(), file+":2")
	assert.Empty(t, stdout.String(), "nothing started")
}

func TestRunFatal(t *testing.T) {
	file := writeFile(t, "overseer.yaml", `processes:
  broken:
    command: exit 1
    restart: on-failure
    max_restarts: 0
`)
	var stdout, stderr bytes.Buffer
	code := run([]string{"-f", file, "-http", ""}, &stdout, &stderr)
	assert.Equal(t, 1, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
	assert.Contains(t, stderr.String(), "broken")
}

// Ctrl-C stops everything gracefully and the command exits 0; nothing it
// started is left running.
func TestInterruptStopsEverything(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "overseer")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	file := writeFile(t, "Procfile", "sleeper: echo pid $$; exec sleep 1000\n")
	cmd := exec.Command(bin, "-f", file, "-http", "127.0.0.1:0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	sc := bufio.NewScanner(stdout)
	pid, dashboard := 0, false
	for pid == 0 && sc.Scan() {
		line := sc.Text()
		dashboard = dashboard || strings.Contains(line, "dashboard at http://127.0.0.1:")
		if rest, ok := strings.CutPrefix(line, "sleeper | pid "); ok {
			pid, err = strconv.Atoi(rest)
			require.NoError(t, err)
		}
	}
	require.NotZero(t, pid)
	assert.True(t, dashboard, "the dashboard's address was printed")

	require.NoError(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)) // as the terminal does
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		require.NoError(t, err, "the command exits 0 after a clean stop")
	case <-time.After(20 * time.Second):
		t.Fatal("the command did not stop")
	}
	assert.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "the process outlived the command")
}

// A process with a log file has its output written there too, both
// streams, as it came.
func TestRunLogFile(t *testing.T) {
	file := writeFile(t, "overseer.yaml", `processes:
  logged:
    command: echo to-stdout; echo to-stderr >&2
    restart: never
    log: logs/logged.log
`)
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-f", file, "-http", ""}, &stdout, &stderr), "stderr: %s", stderr.String())
	data, err := os.ReadFile(filepath.Join(filepath.Dir(file), "logs", "logged.log"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "to-stdout\n")
	assert.Contains(t, string(data), "to-stderr\n")
	assert.Contains(t, stdout.String(), "logged | to-stdout\n", "the terminal still shows it")
}

// A job that fails makes the command fail, and its last words are printed
// before its end, none lost however fast it printed.
func TestRunFailedJobLosesNothing(t *testing.T) {
	file := writeFile(t, "overseer.yaml", `processes:
  job:
    command: 'seq 1 20000; echo "FAILED: 3 tests" >&2; exit 1'
    restart: never
`)
	var stdout, stderr bytes.Buffer
	code := run([]string{"-f", file, "-http", ""}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "job: exit 1")
	out := stdout.String()
	assert.Contains(t, out, "job | 20000\n")
	last := strings.Index(out, "job ! FAILED: 3 tests\n")
	end := strings.Index(out, "job * finished (exit 1)\n")
	require.True(t, last >= 0 && end >= 0, "%s", out[max(0, len(out)-500):])
	assert.Less(t, last, end, "the end of the run is printed after its last line")
	assert.Equal(t, 20000, strings.Count(out, "job | "))
}
