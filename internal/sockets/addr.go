package sockets

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Addr is the address of a listening socket.
type Addr struct {
	Network string // "tcp", "tcp4", "tcp6" or "unix"
	Address string // host:port, or the absolute path of a unix socket
}

// String returns the address as ParseAddr takes it: network://address.
func (a Addr) String() string { return a.Network + "://" + a.Address }

// MaxUnixPath is the longest path of a unix socket: sun_path holds 108
// bytes, with a NUL at the end.
const MaxUnixPath = 107

// ParseAddr parses "tcp://host:port" (tcp4, tcp6 too), where host is an IP
// address, localhost or empty (every address) and port is 0 to 65535 (0:
// one the system chooses), or "unix:///path".
func ParseAddr(s string) (Addr, error) {
	network, address, ok := strings.Cut(s, "://")
	if !ok {
		return Addr{}, fmt.Errorf("%q is not network://address", s)
	}
	switch network {
	case "tcp", "tcp4", "tcp6":
		host, port, err := net.SplitHostPort(address)
		if err != nil {
			return Addr{}, fmt.Errorf("%q: %v", s, err)
		}
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || strconv.FormatUint(n, 10) != port {
			return Addr{}, fmt.Errorf("%q: port %q is not a number from 0 to 65535", s, port)
		}
		if host != "" && host != "localhost" && net.ParseIP(host) == nil {
			return Addr{}, fmt.Errorf("%q: host %q is not an IP address or localhost", s, host)
		}
	case "unix":
		if !strings.HasPrefix(address, "/") {
			return Addr{}, fmt.Errorf("%q: a unix socket needs an absolute path (unix:///path)", s)
		}
		if len(address) > MaxUnixPath {
			return Addr{}, fmt.Errorf("%q: the path is longer than %d bytes", s, MaxUnixPath)
		}
	default:
		return Addr{}, fmt.Errorf("%q: network %q is not tcp, tcp4, tcp6 or unix", s, network)
	}
	if strings.IndexByte(address, 0) >= 0 {
		return Addr{}, fmt.Errorf("%q has a NUL byte", s)
	}
	return Addr{Network: network, Address: address}, nil
}

// Takes reports whether a listener on a takes the connections made to
// target, a host:port as net.Dial takes it. A unix socket takes none, and
// neither does a listener on port 0 until it is open (see [Set.Bound]).
func (a Addr) Takes(target string) bool {
	if a.Network == "unix" {
		return false
	}
	th, tp, err := net.SplitHostPort(target)
	if err != nil {
		return false
	}
	lh, lp, err := net.SplitHostPort(a.Address)
	if err != nil || lp != tp || lp == "0" {
		return false
	}
	return sameHost(lh, th)
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
