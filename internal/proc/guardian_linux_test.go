package proc

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// A host killed by SIGKILL takes the process groups it registered with
// the guardian along: the guardian, re-executed from the host's own
// binary, sees the end of its pipe and kills them.
func TestGuardianKillsTheGroupsOfADeadHost(t *testing.T) {
	host := exec.Command(os.Args[0])
	host.Env = append(os.Environ(), modeEnv+"="+modeHost, "GORACE=atexit_sleep_ms=0")
	host.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	host.Stderr = os.Stderr
	out, err := host.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, host.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	child, err := strconv.Atoi(line[:len(line)-1])
	require.NoError(t, err, "the host printed %q", line)
	t.Cleanup(func() { _ = syscall.Kill(-child, syscall.SIGKILL) }) // ESRCH once the guardian did its job

	require.True(t, alive(child), "the child %d is not running", child)
	require.NoError(t, host.Process.Kill())
	_ = host.Wait() // killed: its status says nothing
	testbuild.Eventually(t, func() bool { return !alive(child) }, "pid %d outlived its host", child)
}

// alive reports whether pid runs: it exists and is not a zombie (an orphan
// is reaped by whoever adopted it, which may be slow).
func alive(pid int) bool {
	st, ok := ReadStat(pid)
	return ok && st.State != 'Z' && st.State != 'X'
}
