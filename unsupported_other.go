//go:build !unix

package overseer

import "errors"

// Process groups, group signals and the exit handling this package builds
// on are Unix facilities. Off Unix (Windows, wasip1) the package compiles so
// that a program importing it builds everywhere, and Start reports
// errors.ErrUnsupported (proc.Supported) before it reaches any stub. The
// stubs of the process mechanism are in internal/proc's
// unsupported_other.go; those of the sockets and the notification socket
// are here.

// errUnsupported is what the stubs return, in case one is reached.
var errUnsupported = errors.ErrUnsupported

// Listening sockets (listen_unix.go).

func fileID(string) (dev, ino uint64, err error) { return 0, 0, errUnsupported }

func dupCloexec(uintptr) (int, error) { return -1, errUnsupported }

// Notification sockets (notify_linux.go).

func notifySupported() error { return errUnsupported }

func openNotifySocket() (*notifySocket, error) { return nil, errUnsupported }

func (n *notifySocket) receive([]byte, []byte) (int, []byte, error) {
	return 0, nil, errUnsupported
}

func (n *notifySocket) receiveNow([]byte, []byte) (int, []byte, error) {
	return 0, nil, errUnsupported
}

func inGroup(int, int) bool { return false }

var oobSize = 0
