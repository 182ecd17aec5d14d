//go:build linux

package main

// The tests of the keys that say what runs, how it restarts and stops, and
// what is kept of it (see keyrun_test.go for the harness).

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/cmd/overseer/internal/control"
)

// command is a shell line, run through /bin/sh -c; a name alone with a
// string is short for it.
func TestKeyCommand(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  long: {command: 'echo "sum $((2+3))"', restart: never}
  short: 'echo "short $((1+1))" | tr a-z A-Z'
`)
		k.wait("long | sum 5")
		k.wait("short | SHORT 2")
		assert.Equal(t, 0, k.finish(nil), k.p.stderrText())
	})
}

// args is exec'd as it is: no shell expands, splits or globs it.
func TestKeyArgs(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  p: {args: [/bin/echo, '$PATH', 'a  b', '*', '$((1+1))'], restart: never}
`)
		assert.Equal(t, "p | $PATH a  b * $((1+1))", k.text(k.wait("p | ")))
		assert.Equal(t, 0, k.finish(nil), k.p.stderrText())
	})
}

// dir is the working directory, taken from the file's directory when
// relative; without it a process runs in the file's directory, whatever
// the command's own.
func TestKeyDir(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := newKeys(t, mode, `processes:
  rel: {command: pwd, dir: sub/dir, restart: never}
  abs: {command: pwd, dir: '{dir}/other', restart: never}
  none: {command: pwd, restart: never}
`)
		require.NoError(t, os.MkdirAll(filepath.Join(k.dir, "sub", "dir"), 0o755))
		require.NoError(t, os.Mkdir(filepath.Join(k.dir, "other"), 0o755))
		k.start()
		k.wait("rel | " + filepath.Join(k.dir, "sub", "dir"))
		k.wait("abs | " + filepath.Join(k.dir, "other"))
		k.wait("none | " + k.dir)
		assert.Equal(t, 0, k.finish(nil), k.p.stderrText())
	})
}

// env adds variables to the host's environment, replacing those of the
// same name, taken literally; as a mapping or a list of NAME=value.
func TestKeyEnv(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  mapping:
    command: 'printf "%s|%s|%s|%s\n" "$GREETING" "$LITERAL" "$HOME" "$${PATH:+path-kept}"'
    env: {GREETING: hello, LITERAL: "$PATH", HOME: /nowhere}
    restart: never
  list:
    command: 'printf "%s|%s|%s|%s\n" "$GREETING" "$LITERAL" "$HOME" "$${PATH:+path-kept}"'
    env: ["GREETING=hi there", "LITERAL=$PATH", "HOME=/elsewhere"]
    restart: never
`)
		k.wait("mapping | hello|$PATH|/nowhere|path-kept")
		k.wait("list | hi there|$PATH|/elsewhere|path-kept")
		assert.Equal(t, 0, k.finish(nil), k.p.stderrText())
	})
}

// group labels a process: the dashboard has it, and serve's status.
func TestKeyGroup(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  web: {command: 'exec sleep 1000', group: frontend}
  db: {command: 'exec sleep 1000'}
`, dashboardFlags...)
		k.wait("web * running")
		k.wait("db * running")
		var procs []struct{ ID, Group string }
		k.getJSON("/api/processes", &procs)
		groups := make(map[string]string)
		for _, p := range procs {
			groups[p.ID] = p.Group
		}
		assert.Equal(t, map[string]string{"web": "frontend", "db": ""}, groups, "the dashboard")
		if mode == "serve" {
			resp, err := control.Do(k.socket, control.Request{Op: control.OpStatus})
			require.NoError(t, err)
			groups = make(map[string]string)
			for _, p := range resp.Processes {
				groups[p.ID] = p.Group
			}
			assert.Equal(t, map[string]string{"web": "frontend", "db": ""}, groups, "the control socket's status")
		}
		assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
	})
}

// restart says which ended runs are started again.
func TestKeyRestart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy string
		exit   int
		runs   int    // 0: restarted again and again
		final  string // the last change printed
		state  string // in serve's status
		code   int
	}{
		{"never after a failure", "never", 1, 1, "finished (exit 1)", "finished", 1},
		{"on-failure after a success", "on-failure", 0, 1, "finished (exit 0)", "finished", 0},
		{"on-failure after a failure", "on-failure", 1, 3, "fatal (exit 1, gave up after 2 restarts in a row: last exit code 1)", "fatal", 1},
		{"always after a success", "always", 0, 0, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forModes(t, func(t *testing.T, mode string) {
				k := startKeys(t, mode, fmt.Sprintf(`processes:
  p:
    command: 'echo run; exit %d'
    restart: %s
    max_restarts: 2
    %s
`, tt.exit, tt.policy, fastBackoff))
				if tt.runs == 0 {
					// Successes are restarted without end: beyond max_restarts.
					k.wait("p * starting (restart 4)")
					assert.Equal(t, tt.code, k.interrupt(), k.p.stderrText())
					return
				}
				code := k.finish(func() {
					state, restarts := k.status("p")
					assert.Equal(t, tt.state, state)
					assert.Equal(t, tt.runs-1, restarts)
				})
				assert.Equal(t, tt.code, code, k.p.stderrText())
				assert.Equal(t, tt.runs, k.count("p | run"), k.output())
				assert.Equal(t, tt.runs-1, k.count("p * starting (restart "), k.output())
				assert.Equal(t, "p * "+tt.final, k.text(slices.IndexFunc(k.lines, func(l keyLine) bool {
					return strings.HasPrefix(l.text, "p * finished") || strings.HasPrefix(l.text, "p * fatal")
				})))
			})
		})
	}
}

// max_restarts is how many restarts in a row after failures are made
// before the process is given up (fatal); -1 is no limit.
func TestKeyMaxRestarts(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 2, -1} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			forModes(t, func(t *testing.T, mode string) {
				k := startKeys(t, mode, fmt.Sprintf(`processes:
  p:
    command: 'echo run; exit 1'
    max_restarts: %d
    %s
`, n, fastBackoff))
				if n < 0 {
					k.wait("p * starting (restart 7)") // beyond the default of 5
					assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
					return
				}
				code := k.finish(func() {
					state, restarts := k.status("p")
					assert.Equal(t, "fatal", state)
					assert.Equal(t, n, restarts)
				})
				assert.Equal(t, 1, code)
				assert.Equal(t, n+1, k.count("p | run"), k.output())
				k.wait(fmt.Sprintf("p * fatal (exit 1, gave up after %d restarts in a row", n))
				assert.Contains(t, k.p.stderrText(), "p: gave up")
			})
		})
	}
}

// reset_after: a run longer than it resets the count of restarts in a
// row, so that max_restarts never runs out for a process that fails after
// running a while. Here every run lasts 200ms, more than reset_after; with
// max_restarts 1 the second failure would otherwise be the last.
func TestKeyResetAfter(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  p:
    command: 'echo x >> {dir}/runs; n=$(($(wc -l < {dir}/runs))); echo "run $n"; [ "$n" -ge 3 ] && exit 0; sleep 0.2; exit 1'
    max_restarts: 1
    reset_after: 50ms
    `+fastBackoff+`
`)
		code := k.finish(func() {
			state, restarts := k.status("p")
			assert.Equal(t, "finished", state)
			assert.Equal(t, 2, restarts)
		})
		assert.Equal(t, 0, code, "%s\n%s", k.output(), k.p.stderrText())
		k.wait("p | run 3")
		k.wait("p * finished (exit 0)")
		assert.Equal(t, -1, k.index("p * fatal"))
	})
}

// backoff is the delay between restarts: min the first, times factor for
// each further one, at most max; jitter false makes each delay exactly
// that (jitter draws it between min and that).
func TestKeyBackoff(t *testing.T) {
	t.Parallel()
	const ms = time.Millisecond
	tests := []struct {
		name    string
		backoff string
		max     int             // max_restarts
		delays  []time.Duration // lower bounds of the delays before each restart
	}{
		// The first delay is min, jitter or not (the default is 100ms).
		{"min", "{min: 300ms}", 1, []time.Duration{300 * ms}},
		// The default factor is 2: 200ms.
		{"factor", "{min: 100ms, factor: 5, jitter: false}", 2, []time.Duration{100 * ms, 500 * ms}},
		// With jitter (the default) the second delay is drawn from 50ms
		// to 500ms.
		{"jitter", "{min: 50ms, max: 10s, factor: 10, jitter: false}", 2, []time.Duration{50 * ms, 500 * ms}},
		// Without max (the default is 30s), the second delay would be 50s:
		// the process would not be fatal before the test gives up.
		{"max", "{min: 50ms, max: 100ms, factor: 1000, jitter: false}", 3, []time.Duration{50 * ms, 100 * ms, 100 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forModes(t, func(t *testing.T, mode string) {
				k := startKeys(t, mode, fmt.Sprintf(`processes:
  p:
    command: 'echo run; exit 1'
    max_restarts: %d
    backoff: %s
`, tt.max, tt.backoff), "-timestamps")
				assert.Equal(t, 1, k.finish(nil))
				k.wait("p * fatal")
				at := 0
				for n, want := range tt.delays {
					b := k.waitFrom(at, "p * backoff")
					s := k.waitFrom(b, fmt.Sprintf("p * starting (restart %d)", n+1))
					k.atLeast(b, s, want)
					at = s
				}
			})
		})
	}
}

// start_delay is waited before the first start.
func TestKeyStartDelay(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  p: {command: 'echo up; exec sleep 1000', start_delay: 400ms}
`, "-timestamps")
		k.atLeast(k.wait("p * starting"), k.wait("p * running"), 400*time.Millisecond)
		k.wait("p | up")
		assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
	})
}

// stop_signal is what a stop sends, by name, with or without SIG, in any
// case. The program traps it and goes on, so stop_timeout ends it.
func TestKeyStopSignal(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ key, trapped string }{{"SIGUSR1", "USR1"}, {"hup", "HUP"}} {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			forModes(t, func(t *testing.T, mode string) {
				k := startKeys(t, mode, fmt.Sprintf(`processes:
  p: {args: [{prog}, "trap:%s", out:ready, sleep], stop_signal: %s, stop_timeout: 100ms}
`, tt.trapped, tt.key))
				k.wait("p | ready")
				k.stop("p")
				k.wait("p | got-" + tt.trapped)
				k.wait("p * interrupted")
				assert.Equal(t, 0, k.finish(nil), k.p.stderrText())
			})
		})
	}
}

// stop_timeout is how long a stop waits after the stop signal before
// SIGKILL. Both processes ignore SIGTERM; slow (the default, 10s) is
// stopped first, then fast: fast is killed while slow still waits.
func TestKeyStopTimeout(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  fast: {args: [{prog}, ignoreterm, out:ready, sleep], stop_timeout: 300ms}
  slow: {args: [{prog}, ignoreterm, out:ready, sleep]}
`, append([]string{"-timestamps"}, dashboardFlags...)...)
		k.wait("fast | ready")
		k.wait("slow | ready")

		// The stop of slow waits for its end: a second Ctrl-C below ends it,
		// or, if the test fails first, the end of the command.
		var stopping sync.WaitGroup
		defer func() {
			// An error only says that the command has ended already.
			_ = k.p.cmd.Process.Kill()
			stopping.Wait()
		}()
		stopping.Go(func() {
			if mode == "serve" {
				var stdout, stderr bytes.Buffer
				// Its outcome does not matter: slow is killed in the end.
				run([]string{"stop", "-socket", k.socket, "slow"}, &stdout, &stderr)
				return
			}
			req, err := http.NewRequest(http.MethodPost, k.dashboard+"/api/processes/slow/stop", nil)
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("X-Overseer-Token", k.token)
			resp, err := httpClient.Do(req)
			if err == nil { // else the dashboard closed first: slow is killed in the end
				resp.Body.Close()
			}
		})
		k.wait("slow * stopping")

		k.p.signal(syscall.SIGINT) // stops fast, and slow again
		stopped := k.wait("fast * stopping")
		killed := k.wait("fast * interrupted")
		assert.Equal(t, -1, k.index("slow * interrupted"), "slow, stopped first, waits longer:\n%s", k.output())
		k.atLeast(stopped, killed, 300*time.Millisecond)

		k.p.signal(syscall.SIGINT) // kills slow
		assert.Equal(t, 0, k.exit(), k.p.stderrText())
		k.wait("slow * interrupted")
	})
}

// buffer_lines and buffer_bytes bound the lines a process keeps of each
// stream, which "overseer logs" (serve) and the dashboard return; the
// terminal shows every line.
func TestKeyBuffer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		kept []string
	}{
		{"buffer_lines: 3", []string{"line-00008", "line-00009", "line-00010"}},
		{"buffer_bytes: 25", []string{"line-00009", "line-00010"}}, // 10 bytes each
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(strings.Fields(tt.key)[0], ":"), func(t *testing.T) {
			t.Parallel()
			forModes(t, func(t *testing.T, mode string) {
				k := startKeys(t, mode, `processes:
  p:
    command: 'for i in 1 2 3 4 5 6 7 8 9 10; do printf "line-%05d\n" $i; done; exec sleep 1000'
    `+tt.key+`
`, dashboardFlags...)
				k.wait("p | line-00010")
				assert.Equal(t, 10, k.count("p | line-"))
				assert.Equal(t, tt.kept, k.kept("p"))
				assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
			})
		})
	}
}

// max_line_bytes cuts a longer line into pieces.
func TestKeyMaxLineBytes(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  p: {command: 'echo abcdefghijklmnopqrst', max_line_bytes: 8, restart: never}
`)
		first := k.wait("p | ")
		assert.Equal(t, "p | abcdefgh", k.text(first))
		assert.Equal(t, "p | ijklmnop", k.text(k.waitFrom(first+1, "p | ")))
		assert.Equal(t, "p | qrst", k.text(k.waitFrom(first+2, "p | ")))
		assert.Equal(t, 0, k.finish(func() {
			// "overseer logs" puts the pieces together again.
			assert.Equal(t, "p | abcdefghijklmnopqrst\n", k.client("logs", "p"))
		}), k.p.stderrText())
	})
}

// success_codes are exit codes that count as a success: no restart, and
// the command exits 0. Others still fail.
func TestKeySuccessCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		exit  int
		runs  int
		final string
		code  int
	}{
		{3, 1, "finished (exit 3)", 0},
		{4, 2, "fatal (exit 4, gave up after 1 restarts in a row: last exit code 4)", 1},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.exit), func(t *testing.T) {
			t.Parallel()
			forModes(t, func(t *testing.T, mode string) {
				k := startKeys(t, mode, fmt.Sprintf(`processes:
  p:
    command: 'echo run; exit %d'
    success_codes: [3]
    max_restarts: 1
    %s
`, tt.exit, fastBackoff))
				code := k.finish(func() {
					_, restarts := k.status("p")
					assert.Equal(t, tt.runs-1, restarts)
				})
				assert.Equal(t, tt.code, code, k.p.stderrText())
				assert.Equal(t, tt.runs, k.count("p | run"), k.output())
				k.wait("p * " + tt.final)
			})
		})
	}
}

// log writes both streams to a file, relative to the file's directory; the
// terminal shows them too.
func TestKeyLog(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  p: {command: 'echo to-stdout; echo to-stderr >&2', restart: never, log: logs/p.log}
`)
		assert.Equal(t, 0, k.finish(nil), k.p.stderrText())
		k.wait("p | to-stdout")
		k.wait("p ! to-stderr")
		data, err := os.ReadFile(filepath.Join(k.dir, "logs", "p.log"))
		require.NoError(t, err)
		assert.Contains(t, string(data), "to-stdout\n")
		assert.Contains(t, string(data), "to-stderr\n")
	})
}

// log_timestamps begins each line of the log file with the time it was
// written, RFC 3339 with milliseconds; the terminal is unchanged.
func TestKeyLogTimestamps(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		before := time.Now().Truncate(time.Millisecond)
		k := startKeys(t, mode, `processes:
  p: {command: 'echo one; echo two >&2; printf "three\nfour\n"', restart: never, log: p.log, log_timestamps: true}
  plain: {command: 'echo five', restart: never, log: plain.log}
`)
		assert.Equal(t, 0, k.finish(nil), k.p.stderrText())
		k.wait("p | one")
		k.wait("p ! two")
		after := time.Now()
		data, err := os.ReadFile(filepath.Join(k.dir, "p.log"))
		require.NoError(t, err)
		var texts []string
		for _, line := range strings.SplitAfter(string(data), "\n") {
			if line == "" {
				continue
			}
			stamp, text, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
			require.True(t, ok, "%q", line)
			require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$`, stamp)
			at, err := time.Parse(time.RFC3339, stamp)
			require.NoError(t, err)
			assert.False(t, at.Before(before) || at.After(after), "%v not in [%v, %v]", at, before, after)
			texts = append(texts, text)
		}
		assert.ElementsMatch(t, []string{"one", "two", "three", "four"}, texts, "%q", data)
		assert.Less(t, slices.Index(texts, "three"), slices.Index(texts, "four"))
		data, err = os.ReadFile(filepath.Join(k.dir, "plain.log"))
		require.NoError(t, err)
		assert.Equal(t, "five\n", string(data), "without log_timestamps")
	})
}

// pty runs a process on a terminal.
func TestKeyPTY(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  tty: {command: '[ -t 1 ] && echo tty || echo notty', pty: true, restart: never}
  pipe: {command: '[ -t 1 ] && echo tty || echo notty', pty: false, restart: never}
`)
		k.wait("tty | tty")
		k.wait("pipe | notty")
		assert.Equal(t, 0, k.finish(nil), k.p.stderrText())
	})
}
