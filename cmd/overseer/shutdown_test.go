//go:build linux

package main

import (
	"bytes"
	"errors"
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
	"golang.org/x/sys/unix"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// stuckRun is the command with its stdout a pipe that nobody reads, and
// its stderr kept.
type stuckRun struct {
	t      *testing.T
	cmd    *exec.Cmd
	read   *os.File // stdout's read end, never read
	stderr testbuild.Buffer
	waited chan struct{}
	err    error
}

func (s *stuckRun) stderrText() string { return s.stderr.String() }

// startStuck starts the command with args, its stdout a pipe that nobody
// reads and that is full from the start, so that the command's writes
// block, and waits until it has started a process.
func startStuck(t *testing.T, args ...string) *stuckRun {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	s := &stuckRun{t: t, cmd: exec.Command(bin, args...), read: r, waited: make(chan struct{})}
	s.cmd.Stdout, s.cmd.Stderr = w, &s.stderr
	fillPipe(t, w)
	require.NoError(t, s.cmd.Start())
	require.NoError(t, w.Close())
	go func() {
		s.err = s.cmd.Wait()
		close(s.waited)
	}()
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		<-s.waited
	})
	// It catches signals before it starts processes: once one runs, a
	// signal is the command's to handle.
	testbuild.Eventually(t, func() bool { return hasChild(s.cmd.Process.Pid) }, "no process started; stderr: %s", testbuild.Later(s.stderrText))
	return s
}

// hasChild reports whether process pid has a child.
func hasChild(pid int) bool {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat") // a fixed pattern: cannot fail
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // ended meanwhile
		}
		// pid (comm) state ppid …: comm may hold spaces, so after the last ')'.
		fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}

// fillPipe writes to w until the pipe holds no more, so that the next write
// to it blocks: the pipe's pages fill with what the test writes, not with
// what the command happens to write in pieces that leave pages part empty.
func fillPipe(t *testing.T, w *os.File) {
	t.Helper()
	raw, err := w.SyscallConn()
	require.NoError(t, err)
	require.NoError(t, raw.Control(func(fd uintptr) {
		require.NoError(t, unix.SetNonblock(int(fd), true))
		defer func() { require.NoError(t, unix.SetNonblock(int(fd), false)) }()
		page := make([]byte, os.Getpagesize())
		for _, chunk := range [][]byte{page, page[:1]} { // pages, then the bytes left in the last
			for {
				_, err := unix.Write(int(fd), chunk)
				if err == unix.EAGAIN {
					break
				}
				require.NoError(t, err)
			}
		}
	}))
}

// ended reports whether the command ends before a generous deadline (not
// a measure of speed: the old command never ended), and its exit status.
func (s *stuckRun) ended() (int, bool) {
	select {
	case <-s.waited:
	case <-time.After(60 * time.Second):
		return 0, false
	}
	var ee *exec.ExitError
	if errors.As(s.err, &ee) {
		return ee.ExitCode(), true
	}
	require.NoError(s.t, s.err)
	return 0, true
}

// signal sends sig to the command.
func (s *stuckRun) signal(sig syscall.Signal) {
	s.t.Helper()
	require.NoError(s.t, s.cmd.Process.Signal(sig))
}

// chattyYAML is a process that prints without end, fast enough to fill
// any pipe, stopped with the stop_timeout given.
func chattyYAML(stopTimeout string) string {
	return "processes:\n  chatty:\n    command: exec yes a-line-of-chatty-output\n    stop_timeout: " + stopTimeout + "\n"
}

// With stdout a pipe that nobody reads, SIGTERM stops the processes and the
// command ends once it has waited for its output for the longest
// stop_timeout, saying that it gave up.
func TestStuckStdoutDoesNotHangTheStop(t *testing.T) {
	file := writeFile(t, "overseer.yaml", chattyYAML("1s"))
	s := startStuck(t, "-f", file, "-http", "")
	s.signal(syscall.SIGTERM)
	code, ok := s.ended()
	require.True(t, ok, "the command is still running after SIGTERM; stderr: %s", s.stderrText())
	assert.Equal(t, 0, code, s.stderrText())
	assert.Contains(t, s.stderrText(), "overseer: the output took nothing for 1s: gave up on about")
}

// A second signal ends the command at once, even while it waits for an
// output that takes nothing (here for an hour).
func TestSecondSignalEndsAStuckCommand(t *testing.T) {
	for _, mode := range []string{"-f", "serve"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			file := writeFile(t, "overseer.yaml", chattyYAML("1h"))
			args := []string{"-f", file, "-http", ""}
			if mode == "serve" {
				args = append([]string{"serve", "-socket", filepath.Join(shortDir(t), "c.sock")}, args...)
			}
			s := startStuck(t, args...)
			s.signal(syscall.SIGTERM)
			testbuild.Eventually(t, func() bool { return strings.Contains(s.stderrText(), "overseer: stopping") }, "%s", testbuild.Later(s.stderrText))
			s.signal(syscall.SIGTERM)
			_, ok := s.ended()
			require.True(t, ok, "the command is still running after a second SIGTERM; stderr: %s", s.stderrText())
			assert.Contains(t, s.stderrText(), "overseer: killing")
		})
	}
}

// SIGHUP (a closed terminal or ssh session) stops the processes as SIGTERM
// does: each gets its stop signal, and the command exits 0.
func TestHangupStopsGracefully(t *testing.T) {
	for _, mode := range []string{"-f", "serve", "start"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			marker := filepath.Join(dir, "got-term")
			file := writeFile(t, "overseer.yaml", `processes:
  web:
    command: trap 'touch `+marker+`; exit 0' TERM; echo up; while :; do sleep 0.05; done
`)
			args := []string{"-f", file, "-http", ""}
			switch mode {
			case "serve":
				args = append([]string{"serve", "-socket", filepath.Join(shortDir(t), "c.sock")}, args...)
			case "start":
				args = append([]string{"start"}, args...)
			}
			p := startCommand(t, args...)
			p.waitLine("web | up")
			p.signal(syscall.SIGHUP)
			assert.Equal(t, 0, p.exitCode(), p.stderrText())
			assert.FileExists(t, marker, "the process got its stop signal")
			assert.Contains(t, p.stderrText(), "overseer: stopping on SIGHUP")
		})
	}
}

// A process stopped through the control socket is no failure, even one
// that exits 1 on SIGTERM: the command goes on serving until Ctrl-C, then
// exits 0.
func TestStopFromControlSocketIsNoFailure(t *testing.T) {
	sock := filepath.Join(shortDir(t), "c.sock")
	file := writeFile(t, "Procfile", "web: exec "+prog+" trapterm:1 out:up sleep\n")
	p := startCommand(t, "serve", "-f", file, "-socket", sock)
	p.waitLine("web | up")
	code, _, errOut := client(t, "stop", "-socket", sock, "web")
	require.Equal(t, 0, code, errOut)
	p.waitLine("overseer: every process has ended; still serving the control socket (Ctrl-C to quit)")
	p.signal(syscall.SIGINT)
	assert.Equal(t, 0, p.exitCode(), p.stderrText())
	assert.NotContains(t, p.stderrText(), "failed")
}
