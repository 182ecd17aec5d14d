package sdnotify

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// MaxMessage is the longest message taken, as systemd's NOTIFY_BUFFER_MAX;
// a longer one is cut short by the kernel and dropped.
const MaxMessage = 4096

// Socket is a run's notification socket. One goroutine reads it, by
// [Socket.Serve]; the read deadline ([Socket.SetReadDeadline]) lets that
// reader keep a watchdog.
type Socket struct {
	conn *net.UnixConn
	name string        // NOTIFY_SOCKET: "@" for the abstract namespace
	done chan struct{} // closed when Serve has returned

	mu     sync.Mutex // orders deadlines against Finish
	ending bool       // set by Finish: a read deadline means "all read"
}

// Name returns the socket's name as NOTIFY_SOCKET gives it to the child:
// "@" starts a name in the abstract namespace.
func (s *Socket) Name() string { return s.name }

// Env returns the NOTIFY_SOCKET=name entry of the child's environment.
func (s *Socket) Env() string { return "NOTIFY_SOCKET=" + s.name }

// SetReadDeadline sets the time at which Serve calls its expired function
// if no message has come; a zero t means none. Once Finish has begun it
// does nothing, so that no deadline delays the end.
func (s *Socket) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ending {
		return nil
	}
	return s.conn.SetReadDeadline(t)
}

// Close closes a socket whose reader was never started; nil is a no-op.
func (s *Socket) Close() error {
	if s == nil {
		return nil
	}
	return s.conn.Close()
}

// Finish ends Serve once it has handled every message already sent, waits
// for it to return, and closes the socket. The supervisor calls it when
// the run's leader has exited but is not yet reaped, so that a last
// message (STOPPING=1 right before the exit) still counts: a zombie's
// process group is still known. Serve must have been started.
func (s *Socket) Finish() error {
	s.mu.Lock()
	s.ending = true
	err := s.conn.SetReadDeadline(time.Now())
	s.mu.Unlock()
	<-s.done
	if cerr := s.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// Serve reads the socket until it is closed or, after Finish, until no
// message sent before is left. It calls handle with each message, and
// expired each time the read deadline passes; both run on Serve's
// goroutine. Messages cut short or without credentials come with Sender 0.
func (s *Socket) Serve(handle func(Message), expired func()) {
	defer close(s.done)
	buf := make([]byte, MaxMessage+1)
	oob := make([]byte, oobSize)
	for {
		pid, msg, err := s.receive(buf, oob)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if s.finishing() {
				s.drain(buf, oob, handle)
				return
			}
			expired()
			continue
		}
		if err != nil {
			return // closed: the run is over
		}
		handle(Parse(pid, msg))
	}
}

// finishing reports whether Finish has begun.
func (s *Socket) finishing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ending
}

// drain handles what was sent before Finish and is still in the socket.
func (s *Socket) drain(buf, oob []byte, handle func(Message)) {
	// Reads without waiting; an error here only ends the drain.
	if s.conn.SetReadDeadline(time.Time{}) != nil {
		return
	}
	for {
		pid, msg, err := s.receiveNow(buf, oob)
		if err != nil {
			return // EAGAIN: all read
		}
		handle(Parse(pid, msg))
	}
}
