//go:build unix

package dashboard

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// signalNum returns the signal named name ("SIGTERM"), or 0 for none.
func signalNum(name string) syscall.Signal {
	return unix.SignalNum(name)
}
