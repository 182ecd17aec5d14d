//go:build unix

package sockets

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// childEnv makes the test binary the child of TestLayoutHandoff.
const childEnv = "SOCKETS_TEST_CHILD"

func TestMain(m *testing.M) {
	testbuild.Main(m, testbuild.Mode(func() (int, bool) {
		if os.Getenv(childEnv) == "" {
			return 0, false
		}
		if err := child(); err != nil {
			fmt.Println(err)
			return 1, true
		}
		return 0, true
	}))
}

// child checks, in the child, what the layout in its environment says:
// LISTEN_FDS sockets from fd 3, then the lifeline, a pipe. It prints what
// it finds.
func child() error {
	n, err := strconv.Atoi(os.Getenv(ListenFDsEnv))
	if err != nil {
		return fmt.Errorf("%s: %v", ListenFDsEnv, err)
	}
	for i := range n {
		fd := FirstFD + i
		if _, err := syscall.Getsockname(fd); err != nil {
			return fmt.Errorf("fd %d: not a socket: %v", fd, err)
		}
	}
	life, ok := LifelineFromEnv(os.Getenv)
	if !ok {
		return fmt.Errorf("no lifeline in %q", os.Getenv(LifelineEnv))
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(life, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		return fmt.Errorf("lifeline fd %d: not a pipe (%v)", life, err)
	}
	fmt.Printf("listeners:%d names:%s lifeline:%d\n", n, os.Getenv(ListenFDNamesEnv), life)
	return nil
}
