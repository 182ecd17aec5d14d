//go:build !unix

package dashboard

import "syscall"

// signalNum returns the signal named name ("SIGTERM"), or 0 for none: the
// signals the syscall package names on every system.
func signalNum(name string) syscall.Signal {
	switch name {
	case "SIGHUP":
		return syscall.SIGHUP
	case "SIGINT":
		return syscall.SIGINT
	case "SIGQUIT":
		return syscall.SIGQUIT
	case "SIGKILL":
		return syscall.SIGKILL
	case "SIGTERM":
		return syscall.SIGTERM
	}
	return 0
}
