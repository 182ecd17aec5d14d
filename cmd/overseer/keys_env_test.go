//go:build linux

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// env_file, at the top level and per process, and ${NAME} in a command:
// the values come from the files, the process's own file winning, and
// $$ leaves a reference to the shell.
func TestKeyEnvFile(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := newKeys(t, mode, `env_file: top.env
processes:
  hello:
    command: 'echo ${GREETING} ${WHO:-nobody} $${SHELL_SEES}'
    env_file: [hello.env]
    env: {SHELL_SEES: shell}
    restart: never
`)
		require.NoError(t, os.WriteFile(filepath.Join(k.dir, "top.env"), []byte("GREETING=hi\nWHO=top\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(k.dir, "hello.env"), []byte("WHO=env-file\n"), 0o644))
		k.start()
		k.wait("hello | hi env-file shell")
		assert.Equal(t, 0, k.finish(nil), k.p.stderrText())
	})
}

// A ${NAME} set nowhere keeps the file from running: exit 2, the file and
// line named, and what to write instead; nothing started.
func TestKeyEnvUndefined(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := newKeys(t, mode, `processes:
  ok: echo started
  hello:
    command: echo ${OVERSEER_TEST_UNDEFINED}
`)
		args := []string{"-f", k.file, "-http", ""}
		if mode == "serve" {
			args = append([]string{"serve", "-socket", filepath.Join(k.dir, "ctl.sock")}, args...)
		}
		p := startCommand(t, args...)
		out := k.exit2(p)
		assert.Contains(t, p.stderrText(), k.file+":4: hello.command: ${OVERSEER_TEST_UNDEFINED}: OVERSEER_TEST_UNDEFINED is not set")
		assert.Contains(t, p.stderrText(), "write $${OVERSEER_TEST_UNDEFINED} to leave it to the shell")
		assert.NotContains(t, out, "started")
	})
}

// exit2 reads p's output to its end, checks that it exited 2, and returns
// the output.
func (k *keyRun) exit2(p *process) string {
	k.t.Helper()
	k.p = p
	code := k.exit()
	assert.Equal(k.t, 2, code, "stdout: %s\nstderr: %s", k.output(), p.stderrText())
	return k.output()
}
