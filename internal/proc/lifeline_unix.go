//go:build unix

package proc

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// lifeline returns a read end of the lifeline for one child, to be closed
// once the child has started (see host.lifelineFile); the child learns of
// the host's death by end of file on it.
func lifeline() (*os.File, error) { return theHost.lifelineFile() }

// lifelineFile returns a read end of the lifeline for one child, to be
// closed once the child has started: a pipe whose write end the host holds
// until it dies, so that a child can learn of the host's end by waiting for
// end of file on it. Nothing is ever written to it. Where it can (Linux),
// each child gets an open file description of its own, so that one child
// setting O_NONBLOCK on its fd 3 does not change another's.
func (h *host) lifelineFile() (*os.File, error) {
	shared, err := h.sharedLifeline()
	if err != nil {
		return nil, err
	}
	if own, err := reopen(shared); err == nil {
		return own, nil
	}
	// No /proc: a duplicate shares the description, and its flags.
	fd, err := syscall.Dup(int(shared.Fd()))
	if err != nil {
		return nil, fmt.Errorf("overseer: lifeline: %w", err)
	}
	syscall.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), "lifeline"), nil
}

// sharedLifeline makes the lifeline once.
func (h *host) sharedLifeline() (*os.File, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lifeline == nil {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, fmt.Errorf("overseer: lifeline: %w", err)
		}
		h.lifeline, h.keep = r, w
	}
	return h.lifeline, nil
}

// reopen opens f again through /proc/self/fd: for a pipe, a new open file
// description of the same pipe.
func reopen(f *os.File) (*os.File, error) {
	return os.OpenFile("/proc/self/fd/"+strconv.Itoa(int(f.Fd())), os.O_RDONLY, 0)
}
