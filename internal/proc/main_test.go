//go:build unix

package proc

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// modeEnv gives the test binary another role: modeSleep, a child that
// waits to be killed; modeHost, a host that starts one such child under
// the guardian, prints its pid and waits to be killed; modeSpin, a child
// that keeps a core busy until killed; modeSpinThread, a child whose
// first thread waits while another keeps a core busy.
const (
	modeEnv        = "PROC_TEST_MODE"
	modeSleep      = "sleep"
	modeHost       = "host"
	modeSpin       = "spin"
	modeSpinThread = "spin-thread"
)

func init() {
	if os.Getenv(modeEnv) == modeSpinThread {
		// main, and so the mode, runs on the process's first thread.
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	testbuild.Main(m, testbuild.Mode(func() (int, bool) {
		switch os.Getenv(modeEnv) {
		case modeSleep:
			select {} // killed by the test, or by the guardian
		case modeHost:
			return hostMode(), true
		case modeSpin:
			for {
			} // busy until killed
		case modeSpinThread:
			go func() {
				for {
				} // busy until killed, on a thread of its own
			}()
			select {} // killed by the test
		}
		return 0, false
	}))
}

// hostMode starts a sleeping copy of the test binary in a process group of
// its own, registered with the guardian (expect, then watchGroup), prints its
// pid, and waits to be killed.
func hostMode() int {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), modeEnv+"="+modeSleep, "GORACE=atexit_sleep_ms=0")
	var pidfd int
	cmd.SysProcAttr = sysProcAttr(&pidfd, false)
	token := newRunToken()
	if err := expect(token, nil); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	if err := cmd.Start(); err != nil {
		abandoned(token)
		fmt.Println("error:", err)
		return 1
	}
	if err := watchGroup(cmd.Process.Pid, token); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println(cmd.Process.Pid)
	select {} // until the test kills this host
}
