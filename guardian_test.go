//go:build linux

package overseer

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/overseer-go/overseer/internal/proc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// guardianOf returns the pid of the live guardian of host, 0 for none.
func guardianOf(host int) int {
	for _, pid := range proc.Pids() {
		st, ok := proc.ReadStat(pid)
		if !ok || st.PPID != host || st.State == 'Z' {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if err == nil && bytes.HasPrefix(cmdline, []byte("overseer-guardian\x00")) {
			return pid
		}
	}
	return 0
}

// carriersOf returns the live processes that carry a run token of host in
// their environment: what host started, and what those started.
func carriersOf(host int) []int {
	prefix := []byte(proc.RunTokenEnv + "=" + strconv.Itoa(host) + ".")
	var found []int
	for _, pid := range proc.Pids() {
		if st, ok := proc.ReadStat(pid); !ok || st.State == 'Z' {
			continue
		}
		env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
		if err == nil && bytes.Contains(env, prefix) {
			found = append(found, pid)
		}
	}
	return found
}

// A guardian killed with SIGKILL is replaced at once, and the new one knows
// every live group: the host's death, after the guardian's, still leaves
// nothing behind.
func TestGuardianKilledIsReplaced(t *testing.T) {
	h := startHost(t, nil, "spawn:3", "sleep")
	pids := []int{h.pid(t, "leader:")}
	for range 3 {
		pids = append(pids, h.pid(t, "out:pid:"))
	}
	for _, pid := range pids {
		killAtEnd(t, pid)
	}
	host := h.cmd.Process.Pid
	var first int
	eventually(t, func() bool { first = guardianOf(host); return first != 0 }, "the host has no guardian")
	killAtEnd(t, first)

	require.NoError(t, syscall.Kill(first, syscall.SIGKILL))
	var second int
	eventually(t, func() bool {
		second = guardianOf(host)
		return second != 0 && second != first
	}, "the killed guardian %d was not replaced", first)
	killAtEnd(t, second)
	for _, pid := range pids {
		assert.False(t, processGone(pid), "pid %d died with the first guardian", pid)
	}

	require.NoError(t, h.cmd.Process.Kill())
	_ = h.cmd.Wait()
	for _, pid := range pids {
		eventually(t, func() bool { return processGone(pid) }, "pid %d outlived its host and its first guardian", pid)
	}
}

// A host killed while it starts many processes at once leaves none of them
// behind: those it had not yet registered with the guardian when it died
// included (the start window).
func TestHostKilledDuringStartsLeavesNothing(t *testing.T) {
	const copies, rounds = 200, 3
	for round := range rounds {
		cmd := startMany(t, copies)
		host := cmd.Process.Pid
		require.NoError(t, cmd.Process.Kill())
		_ = cmd.Wait()
		eventually(t, func() bool { return len(carriersOf(host)) == 0 },
			"round %d: processes of the killed host are still running: %v", round, carriersOf(host))
	}
}

// startMany runs testdata/host with -n copies, and returns once the first
// copy has started, while the others are starting.
func startMany(t *testing.T, copies int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(hostPath, "-n", strconv.Itoa(copies), childPath, "sleep")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = stdin.Close() // the host may be dead already
		for _, pid := range carriersOf(cmd.Process.Pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	first := make([]byte, len("leader:"))
	_, err = io.ReadFull(stdout, first)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(first), "leader:") || strings.HasPrefix(string(first), "error:"), "the host printed %q", first)
	return cmd
}
