//go:build darwin || freebsd

package control

import "golang.org/x/sys/unix"

// peerUIDOf reads the peer's uid of socket fd (LOCAL_PEERCRED, as
// getpeereid reads it).
func peerUIDOf(fd int) (int, error) {
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return -1, err
	}
	return int(cred.Uid), nil
}
