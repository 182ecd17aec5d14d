//go:build unix

package control

import "net"

// peerUID returns the effective uid of the process at the other end of
// conn, as it was when it connected or listened, as the kernel keeps it
// (peerUIDOf, per system).
func peerUID(conn *net.UnixConn) (int, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return -1, err
	}
	uid, credErr := -1, error(nil)
	if err := raw.Control(func(fd uintptr) { uid, credErr = peerUIDOf(int(fd)) }); err != nil {
		return -1, err
	}
	return uid, credErr
}
