//go:build linux

package main

import (
	"bytes"
	"errors"
	"os/exec"
	"os/user"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// runBin runs the built command with args to its end, and returns its
// exit status and outputs.
func runBin(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return code, stdout.String(), stderr.String()
}

// user and limits reach the process: it runs as nobody, with nobody's
// HOME, USER and LOGNAME, and the open-file limit of the file, soft and
// hard.
func TestKeyUserAndLimits(t *testing.T) {
	testbuild.NeedRoot(t)
	t.Parallel()
	nobody, err := user.Lookup("nobody")
	require.NoError(t, err)
	file := writeFile(t, "overseer.yaml", `processes:
  p:
    command: 'id -u; id -g; echo "HOME=$HOME USER=$USER LOGNAME=$LOGNAME"; grep "Max open files" /proc/self/limits | tr -s " "'
    restart: never
    dir: /
    user: nobody
    limits: {nofile: 1234}
`)
	code, stdout, stderr := runBin(t, "-f", file, "-http", "")
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
	assert.Contains(t, stdout, "p | 65534\n")
	assert.Contains(t, stdout, "p | "+nobody.Gid+"\n")
	assert.Contains(t, stdout, "p | HOME="+nobody.HomeDir+" USER=nobody LOGNAME=nobody\n")
	assert.Contains(t, stdout, "p | Max open files 1234 1234 files \n")
}

// umask and nice reach the process.
func TestKeyUmaskNice(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "overseer.yaml", `processes:
  p:
    command: 'umask; cut -d " " -f 19 /proc/self/stat'
    restart: never
    umask: "027"
    nice: 7
`)
	code, stdout, stderr := runBin(t, "-f", file, "-http", "")
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
	assert.Contains(t, stdout, "p | 0027\n")
	assert.Contains(t, stdout, "p | 7\n")
}

// A bad value is an error at its line, and nothing runs.
func TestKeyLimitsBadValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ line, text string }{
		{"limits: {nofile: lots}", `:6: p.limits.nofile: "lots": want a whole number or unlimited`},
		{"user: no-such-user-overseer", `:6: p.user: no user "no-such-user-overseer" here`},
		{"nice: 42", ":6: p.nice: 42 is not a niceness (-20 to 19)"},
	} {
		file := writeFile(t, "overseer.yaml", `processes:
  p:
    command: echo ran
    restart: never
    dir: /
    `+tc.line+"\n")
		code, stdout, stderr := runBin(t, "-f", file, "-http", "")
		assert.Equal(t, 2, code, tc.line)
		assert.Contains(t, stderr, file+tc.text)
		assert.Empty(t, stdout, "nothing ran")
	}
}

// user_group, and the group of user: name:group, reach the process as its
// primary group.
func TestKeyUserGroup(t *testing.T) {
	testbuild.NeedRoot(t)
	t.Parallel()
	nogroup, err := user.LookupGroup("nogroup")
	if err != nil {
		t.Skipf("this system has no group nogroup: %v", err)
	}
	file := writeFile(t, "overseer.yaml", `processes:
  alone:
    command: 'echo "$(id -u) $(id -g)"'
    restart: never
    dir: /
    user_group: nogroup
  both:
    command: 'echo "$(id -u) $(id -g)"'
    restart: never
    dir: /
    user: nobody:nogroup
`)
	code, stdout, stderr := runBin(t, "-f", file, "-http", "")
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
	assert.Contains(t, stdout, "alone | 0 "+nogroup.Gid+"\n", "user_group alone keeps the host's user")
	assert.Contains(t, stdout, "both  | 65534 "+nogroup.Gid+"\n")
}
