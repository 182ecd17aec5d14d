package proc

import (
	"errors"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// IdleWatch lets one goroutine wait for a child's exit and, meanwhile, for
// its quiet output pipes to have something to read, so that an idle run
// parks one goroutine instead of one per pipe and one for the exit.
//
// It is an epoll instance of its own, itself polled by the Go runtime,
// holding the child's pidfd and the pipes that are parked: a reader that
// finds its pipe empty parks it (Park) and lets its goroutine end; Wait
// hands it back (its ready function) once the pipe is readable or at end
// of file, and hands back every parked pipe when the child has exited.
// Parking is level-triggered and one-shot: data that arrives while a pipe
// is being parked is reported at once, and a pipe is handed back once per
// Park.
type IdleWatch struct {
	ep    *os.File // the epoll instance, non-blocking, in the runtime's poller
	epfd  int
	pidfd int
	pid   int

	mu     sync.Mutex
	closed bool   // Wait has returned: Park says no
	parked []bool // by pipe: parked and not yet handed back
	added  []bool // by pipe: in the epoll set
	pipes  []int
}

// pidfdKey is the pidfd's key in the epoll set; a pipe's is its index.
const pidfdKey = -1

// WatchIdle returns a watch of p's exit and of pipes, or nil where there
// is none (no pidfd, or no epoll instance to be had): the caller then
// reads each pipe in a goroutine of its own and waits with WaitExit.
func (p *Process) WatchIdle(pipes []*os.File) *IdleWatch {
	if p.pidfd == nil {
		return nil
	}
	pidfd, ok := rawFd(p.pidfd)
	if !ok {
		return nil
	}
	w := &IdleWatch{pidfd: pidfd, pid: p.pid, parked: make([]bool, len(pipes)), added: make([]bool, len(pipes)), pipes: make([]int, len(pipes))}
	for i, f := range pipes {
		if w.pipes[i], ok = rawFd(f); !ok {
			return nil
		}
	}
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	w.epfd = epfd
	// Edge-triggered, as the runtime watches it for WaitExit: the exit is
	// looked at once per readiness.
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: pidfdKey}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, pidfd, &ev); err != nil {
		_ = unix.Close(epfd) // never used
		return nil
	}
	if err := unix.SetNonblock(epfd, true); err != nil {
		_ = unix.Close(epfd) // never used
		return nil
	}
	w.ep = os.NewFile(uintptr(epfd), "epoll")
	return w
}

// Park makes pipe i wait in the watch: Wait's ready gets it back once it
// is readable. It reports false when it cannot (Wait has returned, or the
// pipe cannot be watched): the caller goes on reading it itself.
func (w *IdleWatch) Park(i int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false
	}
	op := unix.EPOLL_CTL_MOD
	if !w.added[i] {
		op = unix.EPOLL_CTL_ADD
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLONESHOT, Fd: int32(i)}
	if err := unix.EpollCtl(w.epfd, op, w.pipes[i], &ev); err != nil {
		return false
	}
	w.added[i], w.parked[i] = true, true
	return true
}

// Wait returns once the child has exited, as WaitExit does (without
// reaping it). Meanwhile it calls ready with each parked pipe that has
// become readable; before it returns it calls ready with every pipe still
// parked, and Park says no from then on. ready is called under the
// watch's lock: it must not block, nor Park (it starts the reader's
// goroutine again, say).
func (w *IdleWatch) Wait(ready func(i int)) error {
	err := w.wait(ready)
	w.mu.Lock()
	w.closed = true
	for i, parked := range w.parked {
		if parked {
			w.parked[i] = false
			ready(i)
		}
	}
	_ = w.ep.Close() // nothing reads it any more, and Park no longer uses it
	w.mu.Unlock()
	if errors.Is(err, unix.EINVAL) {
		// Linux 5.3 has CLONE_PIDFD but not waitid(P_PIDFD), which came
		// with 5.4: wait as without a pidfd.
		return waitExitBlocking(w.pid)
	}
	return err
}

func (w *IdleWatch) wait(ready func(i int)) error {
	conn, err := w.ep.SyscallConn()
	if err != nil {
		return err
	}
	var (
		events [3]unix.EpollEvent
		werr   error
		exited bool
	)
	err = conn.Read(func(fd uintptr) bool {
		for {
			n, err := unix.EpollWait(int(fd), events[:], 0)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil {
				werr = err
				return true
			}
			if n == 0 {
				return false // wait until the epoll instance is readable
			}
			for _, ev := range events[:n] {
				if ev.Fd == pidfdKey {
					exited, werr = pidfdExited(w.pidfd)
					continue
				}
				w.mu.Lock()
				if i := int(ev.Fd); w.parked[i] {
					w.parked[i] = false
					ready(i)
				}
				w.mu.Unlock()
			}
			if exited || werr != nil {
				return true
			}
		}
	})
	if err != nil {
		return err
	}
	return werr
}

// rawFd returns the descriptor of f without File.Fd, which would make it
// blocking and take it out of the runtime's poller. f stays open as long
// as its owner keeps it: the watch uses the number only while it does.
func rawFd(f *os.File) (int, bool) {
	conn, err := f.SyscallConn()
	if err != nil {
		return 0, false
	}
	fd := -1
	if err := conn.Control(func(u uintptr) { fd = int(u) }); err != nil {
		return 0, false
	}
	return fd, true
}
