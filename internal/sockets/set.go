package sockets

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
)

// Set is the listening sockets of one process, opened once and handed to
// every run. A nil *Set is an empty one.
type Set struct {
	addrs []Addr     // as configured
	files []*os.File // blocking, close-on-exec in the supervisor
	bound []Addr     // as opened: the port chosen for port 0
	paths []unixPath // unix sockets to remove when closed
}

// unixPath is a socket file the Set made, known by its inode so that a
// file put in its place by someone else is never removed.
type unixPath struct {
	path     string
	dev, ino uint64
}

// Open opens a socket for each of addrs, in order, removing a stale unix
// socket (one that nothing listens on) in the way. On error none is left
// open.
func Open(addrs []Addr) (*Set, error) {
	if err := supported(); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &Set{addrs: slices.Clone(addrs)}
	for _, a := range addrs {
		f, bound, err := openSocket(a)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("listen on %s: %w", a, err)
		}
		s.files = append(s.files, f)
		s.bound = append(s.bound, bound)
		if a.Network == "unix" {
			if dev, ino, err := fileID(a.Address); err == nil {
				s.paths = append(s.paths, unixPath{path: a.Address, dev: dev, ino: ino})
			}
		}
	}
	return s, nil
}

// openSocket opens one socket, and returns it with the address it is
// bound to.
func openSocket(a Addr) (*os.File, Addr, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), a.Network, a.Address)
	if err != nil && a.Network == "unix" && errors.Is(err, syscall.EADDRINUSE) && staleSocket(a.Address) {
		if rerr := os.Remove(a.Address); rerr == nil {
			l, err = lc.Listen(context.Background(), a.Network, a.Address)
		}
	}
	if err != nil {
		return nil, Addr{}, err
	}
	if ul, ok := l.(*net.UnixListener); ok {
		ul.SetUnlinkOnClose(false) // the sockets outlive this listener; Close removes the file
	}
	bound := Addr{Network: a.Network, Address: l.Addr().String()}
	f, err := l.(interface{ File() (*os.File, error) }).File()
	_ = l.Close() // f holds the socket; an error would be f's too
	if err != nil {
		return nil, Addr{}, err
	}
	defer f.Close()
	// Blocking, as inetd hands sockets over: a child not written in Go
	// may expect accept to wait. The flag belongs to the socket's open
	// file description, which every run shares, so it cannot be kept: a Go
	// run makes it non-blocking for all (see docs/guarantees.md, Limits).
	// The supervisor sets it once, here, and keeps a File that never
	// changes it again: an os.File made of a non-blocking fd (as f is)
	// makes it blocking at every Fd call, which os/exec makes at every
	// start, and would pull a Go run's accept, which expects it
	// non-blocking, into a blocking syscall that closing its listener
	// does not end.
	fd, err := dupCloexec(f.Fd())
	if err != nil {
		return nil, Addr{}, err
	}
	return os.NewFile(uintptr(fd), bound.String()), bound, nil
}

// staleSocket reports whether the unix socket at path is left over by a
// dead server: connecting to it is refused.
func staleSocket(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode().Type() != os.ModeSocket {
		return false
	}
	conn, err := net.Dial("unix", path)
	if err == nil {
		_ = conn.Close() // only a probe
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// Same reports whether s was opened for addrs: a nil Set for none.
func (s *Set) Same(addrs []Addr) bool {
	if s == nil {
		return len(addrs) == 0
	}
	return slices.Equal(s.addrs, addrs)
}

// Files returns the sockets, in the order of the addresses; the Set keeps
// them, and the caller must not close them.
func (s *Set) Files() []*os.File {
	if s == nil {
		return nil
	}
	return slices.Clip(s.files)
}

// Bound returns the addresses the sockets are bound to, in order: those
// configured, with the port the system chose for port 0.
func (s *Set) Bound() []Addr {
	if s == nil {
		return nil
	}
	return slices.Clone(s.bound)
}

// Layout returns the layout of the fds a run of process id inherits: the
// sockets, each named after the process (":" is not allowed in a name,
// and becomes "_"), then the lifeline.
func (s *Set) Layout(id string) Layout {
	if s == nil || len(s.files) == 0 {
		return Layout{}
	}
	name := strings.ReplaceAll(id, ":", "_")
	if name == "" {
		name = "overseer"
	}
	names := make([]string, len(s.files))
	for i := range names {
		names[i] = name
	}
	return Layout{Names: names}
}

// Close closes the sockets and removes the unix socket files made for
// them, unless something else has taken their place. A nil Set is a no-op.
func (s *Set) Close() {
	if s == nil {
		return
	}
	for _, f := range s.files {
		_ = f.Close() // a listening socket loses nothing at close
	}
	for _, p := range s.paths {
		if dev, ino, err := fileID(p.path); err == nil && dev == p.dev && ino == p.ino {
			_ = os.Remove(p.path) // gone already is as good
		}
	}
	s.files, s.paths = nil, nil
}
