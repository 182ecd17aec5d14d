//go:build linux

package main

// The tests of the hook keys: pre_start, post_stop and stop_command (see
// keyrun_test.go for the harness).

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pre_start runs its commands in order before each run, in the process's
// dir and with its env, their lines marked; one that fails fails the
// start under the policy, and the program never runs.
func TestKeyPreStart(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  ok:
    command: 'echo "program $(paste -sd " " state)"'
    restart: never
    log: ok.log
    env: {HOOK_V: v1}
    pre_start: ['echo "migrated $HOOK_V"; echo first > state', [/bin/sh, -c, 'echo second >> state; echo warn >&2']]
  bad:
    command: 'echo ran; touch ran'
    max_restarts: 1
    pre_start: ['echo checking', 'exit 3']
    `+fastBackoff+`
`)
		k.wait("ok | [pre_start] migrated v1")
		k.wait("ok ! [pre_start] warn")
		k.wait("ok | program first second")
		end := k.text(k.wait("bad * fatal ("))
		assert.Contains(t, end, `gave up after 1 restarts in a row: pre_start[1] "exit 3": exit status 3`)
		assert.Equal(t, 1, k.finish(func() {
			// overseer logs marks them too, and its -json says which hook.
			logs := k.client("logs", "ok")
			assert.Equal(t, "ok | [pre_start] migrated v1\nok ! [pre_start] warn\nok | program first second\n", logs)
			assert.Equal(t, 2, strings.Count(k.client("logs", "-json", "ok"), `"hook":"pre_start"`))
		}), k.p.stderrText())
		// The log file has the hooks' output as the program's.
		logFile, err := os.ReadFile(filepath.Join(k.dir, "ok.log"))
		require.NoError(t, err)
		assert.Equal(t, "migrated v1\nwarn\nprogram first second\n", string(logFile))
		assert.Equal(t, 2, k.count("bad | [pre_start] checking"), k.output())
		assert.Equal(t, -1, k.index("bad | ran"), k.output())
		assert.NoFileExists(t, filepath.Join(k.dir, "ran"), "the program ran")
	})
}

// post_stop runs its commands after each run, before the run is said to
// have ended; a failure changes nothing.
func TestKeyPostStop(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  p:
    command: 'echo run; exit 1'
    max_restarts: 1
    post_stop: ['echo "cleaned $PWD"', 'exit 9']
    `+fastBackoff+`
`)
		end := k.wait("p * fatal (")
		assert.Contains(t, k.text(end), "last exit code 1", "the program's failure, not the hook's")
		assert.Equal(t, 1, k.finish(nil), k.p.stderrText())
		assert.Equal(t, 2, k.count("p | [post_stop] cleaned "+k.dir), k.output())
		backoff := k.index("p * backoff")
		require.GreaterOrEqual(t, backoff, 0, k.output())
		assert.Less(t, k.index("p | [post_stop] cleaned"), backoff, "the run ends after its post_stop:\n%s", k.output())
	})
}

// stop_command stops the process in place of the stop signal, with
// MAINPID in its environment.
func TestKeyStopCommand(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  p:
    args: [{prog}, trapterm:0, out:ready, sleep]
    stop_signal: SIGUSR2         # not trapped: sent, it would kill the process
    stop_command: 'echo "stopping $MAINPID"; kill -TERM "$MAINPID"'
`)
		running := k.text(k.wait("p * running (pid "))
		pid, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(running, "p * running (pid "), ")"))
		require.NoError(t, err, running)
		k.wait("p | ready")
		k.stop("p")
		k.wait(fmt.Sprintf("p | [stop_command] stopping %d", pid))
		k.wait("p | term")
		k.wait("p * interrupted")
		assert.Equal(t, -1, k.index("p * interrupted (signal"), k.output())
		assert.Equal(t, 0, k.finish(nil), k.p.stderrText())
	})
}

// A bad hook value is an error at its line, and nothing runs.
func TestKeyHooksBadValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ line, text string }{
		{"pre_start: ./migrate", `:5: p.pre_start: want a list of commands`},
		{"pre_start: ['./a', '']", `:5: p.pre_start[1]: empty command`},
		{"post_stop: [\"a\\0b\"]", `:5: p.post_stop[0]: the command has a NUL byte`},
		{"post_stop: []", `:5: p.post_stop: empty list`},
		{"stop_command: ''", `:5: p.stop_command: empty command`},
		{"stop_command: {kill: 1}", `:5: p.stop_command: want a string, not a mapping`},
	} {
		file := writeFile(t, "overseer.yaml", `processes:
  p:
    command: echo ran
    restart: never
    `+tc.line+"\n")
		code, stdout, stderr := runBin(t, "-f", file, "-http", "")
		assert.Equal(t, 2, code, tc.line)
		assert.Contains(t, stderr, file+tc.text, tc.line)
		assert.Empty(t, stdout, "nothing ran")
	}
}
