package overseer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/overseer-go/overseer/internal/proc"
)

// listenAddr is one entry of Cmd.Listeners, parsed.
type listenAddr struct {
	network string // "tcp", "tcp4", "tcp6" or "unix"
	address string // host:port, or the path of a unix socket
}

func (a listenAddr) String() string { return a.network + "://" + a.address }

// parseListenAddr parses "tcp://host:port" (tcp4, tcp6 too) or
// "unix:///path".
func parseListenAddr(s string) (listenAddr, error) {
	network, address, ok := strings.Cut(s, "://")
	if !ok {
		return listenAddr{}, fmt.Errorf("%q is not network://address", s)
	}
	switch network {
	case "tcp", "tcp4", "tcp6":
		host, port, err := net.SplitHostPort(address)
		if err != nil {
			return listenAddr{}, fmt.Errorf("%q: %v", s, err)
		}
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || strconv.FormatUint(n, 10) != port {
			return listenAddr{}, fmt.Errorf("%q: port %q is not a number from 0 to 65535", s, port)
		}
		if host != "" && host != "localhost" && net.ParseIP(host) == nil {
			return listenAddr{}, fmt.Errorf("%q: host %q is not an IP address or localhost", s, host)
		}
	case "unix":
		if !strings.HasPrefix(address, "/") {
			return listenAddr{}, fmt.Errorf("%q: a unix socket needs an absolute path (unix:///path)", s)
		}
		if len(address) > maxUnixPath {
			return listenAddr{}, fmt.Errorf("%q: the path is longer than %d bytes", s, maxUnixPath)
		}
	default:
		return listenAddr{}, fmt.Errorf("%q: network %q is not tcp, tcp4, tcp6 or unix", s, network)
	}
	if strings.IndexByte(address, 0) >= 0 {
		return listenAddr{}, fmt.Errorf("%q has a NUL byte", s)
	}
	return listenAddr{network: network, address: address}, nil
}

// maxUnixPath is the longest path of a unix socket: sun_path holds 108
// bytes, with a NUL at the end.
const maxUnixPath = 107

// listenConfig checks Listeners, and the Ready probe against them.
func (c *Cmd) listenConfig() ([]listenAddr, error) {
	var addrs []listenAddr
	seen := make(map[listenAddr]bool)
	for _, s := range c.Listeners {
		a, err := parseListenAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: Listeners: %v", ErrInvalid, c.name(), err)
		}
		if seen[a] {
			return nil, fmt.Errorf("%w: %s: Listeners: %q is listed twice", ErrInvalid, c.name(), s)
		}
		seen[a] = true
		addrs = append(addrs, a)
	}
	if err := checkProbeTarget(c.Ready, addrs); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, c.name(), err)
	}
	return addrs, nil
}

// checkProbeTarget refuses a probe aimed at one of the Cmd's own listening
// sockets: the kernel accepts connections on a held socket whichever run is
// up (during a rolling restart, the old one), so the probe would pass for a
// run that is not ready.
func checkProbeTarget(p Probe, addrs []listenAddr) error {
	pa, ok := p.(AddrProbe)
	if !ok {
		return nil
	}
	target := pa.ProbeAddr()
	th, tp, err := net.SplitHostPort(target)
	if err != nil {
		return nil // the probe reports its own bad address
	}
	for _, a := range addrs {
		if a.network == "unix" {
			continue
		}
		lh, lp, err := net.SplitHostPort(a.address)
		if err != nil || lp != tp || lp == "0" {
			continue
		}
		if sameHost(lh, th) {
			return fmt.Errorf("Ready probes %s, one of the Cmd's own Listeners (%s): that socket is held for every run, "+
				"so it answers for the old run while the new one boots, and the probe cannot tell them apart; "+
				"probe a port the program opens itself, or use a notification, a log line or a command", target, a)
		}
	}
	return nil
}

// sameHost reports whether a listener on host l takes connections made to
// host t.
func sameHost(l, t string) bool {
	unspecified := func(h string) bool {
		ip := net.ParseIP(h)
		return h == "" || (ip != nil && ip.IsUnspecified())
	}
	local := func(h string) bool { // as net.Dial takes it: no host is the local system
		ip := net.ParseIP(h)
		return h == "" || h == "localhost" || (ip != nil && ip.IsLoopback())
	}
	if unspecified(l) || l == t {
		return true
	}
	return local(l) && local(t)
}

// sockets are the listening sockets of a Cmd, opened once and handed to
// every run.
type sockets struct {
	addrs  []listenAddr // as configured
	files  []*os.File   // blocking, close-on-exec in the host
	actual []string     // as opened: the port chosen for port 0
	paths  []unixPath   // unix sockets to remove when closed
}

// unixPath is a socket file the Overseer made, known by its inode so that a
// file put in its place by someone else is never removed.
type unixPath struct {
	path     string
	dev, ino uint64
}

// openSockets opens addrs, removing a stale unix socket (one that nothing
// listens on) in the way.
func openSockets(addrs []listenAddr) (*sockets, error) {
	if err := proc.Supported(); err != nil {
		return nil, fmt.Errorf("overseer: listen: %w", err)
	}
	s := &sockets{addrs: addrs}
	for _, a := range addrs {
		f, actual, err := openSocket(a)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("overseer: listen on %s: %w", a, err)
		}
		s.files = append(s.files, f)
		s.actual = append(s.actual, actual)
		if a.network == "unix" {
			if dev, ino, err := fileID(a.address); err == nil {
				s.paths = append(s.paths, unixPath{path: a.address, dev: dev, ino: ino})
			}
		}
	}
	return s, nil
}

func openSocket(a listenAddr) (*os.File, string, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), a.network, a.address)
	if err != nil && a.network == "unix" && errors.Is(err, syscall.EADDRINUSE) && staleSocket(a.address) {
		if rerr := os.Remove(a.address); rerr == nil {
			l, err = lc.Listen(context.Background(), a.network, a.address)
		}
	}
	if err != nil {
		return nil, "", err
	}
	if ul, ok := l.(*net.UnixListener); ok {
		ul.SetUnlinkOnClose(false) // the sockets outlive this listener; close removes the file
	}
	actual := a.network + "://" + l.Addr().String()
	f, err := l.(interface{ File() (*os.File, error) }).File()
	_ = l.Close() // f holds the socket
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	// Blocking, as inetd hands sockets over: a child not written in Go
	// may expect accept to wait. The flag belongs to the socket's open
	// file description, which every run shares, so it cannot be kept: a Go
	// run makes it non-blocking for all (see docs/guarantees.md, Limits). The
	// host sets it once, here, and keeps a File that never changes it
	// again: an
	// os.File made of a non-blocking fd (as f is) makes it blocking at
	// every Fd call, which os/exec makes at every start, and would pull
	// a Go run's accept, which expects it non-blocking, into a blocking
	// syscall that closing its listener does not end.
	fd, err := dupCloexec(f.Fd())
	if err != nil {
		return nil, "", err
	}
	return os.NewFile(uintptr(fd), actual), actual, nil
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
		_ = conn.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// same reports whether s was opened for addrs.
func (s *sockets) same(addrs []listenAddr) bool {
	if s == nil {
		return len(addrs) == 0
	}
	if len(s.addrs) != len(addrs) {
		return false
	}
	for i := range addrs {
		if s.addrs[i] != addrs[i] {
			return false
		}
	}
	return true
}

// close closes the sockets and removes the unix socket files made for them.
func (s *sockets) close() {
	if s == nil {
		return
	}
	proc.CloseAll(s.files...)
	for _, p := range s.paths {
		if dev, ino, err := fileID(p.path); err == nil && dev == p.dev && ino == p.ino {
			_ = os.Remove(p.path)
		}
	}
	s.files, s.paths = nil, nil
}

// fdNames is LISTEN_FDNAMES for the sockets of process id: each socket is
// named after the process (":" is not allowed in a name).
func (s *sockets) fdNames(id string) string {
	name := strings.ReplaceAll(id, ":", "_")
	if name == "" {
		name = "overseer"
	}
	names := make([]string, len(s.files))
	for i := range names {
		names[i] = name
	}
	return strings.Join(names, ":")
}
