//go:build unix

package notify

import (
	"os"
	"syscall"
	"time"

	"github.com/overseer-go/overseer/internal/sockets"
)

// openLifeline returns a file for the lifeline named by OVERSEER_LIFELINE_FD
// (see internal/sockets.Layout), served by the runtime's poller so that
// Close ends a Read, or nil when there is none. The file holds a duplicate
// of the inherited fd (which stays open), so that closing it can never
// close another file that has come to use the inherited number.
func openLifeline() *os.File {
	n, ok := sockets.LifelineFromEnv(os.Getenv)
	if !ok {
		return nil
	}
	// A variable inherited from a parent may name an fd that is now
	// something else: read from nothing but a pipe.
	var st syscall.Stat_t
	if syscall.Fstat(n, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		return nil
	}
	syscall.ForkLock.RLock()
	fd, err := syscall.Dup(n)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil
	}
	// The supervisor gives each child an open file description of its own,
	// so O_NONBLOCK here changes no one else's. os.NewFile sees it and
	// hands the fd to the poller.
	if err := syscall.SetNonblock(fd, true); err != nil {
		_ = syscall.Close(fd)
		return nil
	}
	f := os.NewFile(uintptr(fd), "lifeline")
	// A file the poller does not serve has no deadlines, and Close would
	// not end a blocked Read: the stop function would hang.
	if err := f.SetReadDeadline(time.Time{}); err != nil {
		_ = f.Close()
		return nil
	}
	return f
}
