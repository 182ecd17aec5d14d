//go:build !unix

package config

import "syscall"

// signalByName returns the signal of a name without "SIG", in upper case:
// the signals the syscall package names on systems other than Unix.
func signalByName(name string) (syscall.Signal, bool) {
	switch name {
	case "HUP":
		return syscall.SIGHUP, true
	case "INT":
		return syscall.SIGINT, true
	case "QUIT":
		return syscall.SIGQUIT, true
	case "ILL":
		return syscall.SIGILL, true
	case "TRAP":
		return syscall.SIGTRAP, true
	case "ABRT":
		return syscall.SIGABRT, true
	case "BUS":
		return syscall.SIGBUS, true
	case "FPE":
		return syscall.SIGFPE, true
	case "KILL":
		return syscall.SIGKILL, true
	case "SEGV":
		return syscall.SIGSEGV, true
	case "PIPE":
		return syscall.SIGPIPE, true
	case "ALRM":
		return syscall.SIGALRM, true
	case "TERM":
		return syscall.SIGTERM, true
	}
	return 0, false
}
