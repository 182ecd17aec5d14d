//go:build unix

package config

import "syscall"

// signalByName returns the signal of a name without "SIG", in upper case:
// the signals POSIX names, which every Unix system has.
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
	case "USR1":
		return syscall.SIGUSR1, true
	case "SEGV":
		return syscall.SIGSEGV, true
	case "USR2":
		return syscall.SIGUSR2, true
	case "PIPE":
		return syscall.SIGPIPE, true
	case "ALRM":
		return syscall.SIGALRM, true
	case "TERM":
		return syscall.SIGTERM, true
	case "CHLD":
		return syscall.SIGCHLD, true
	case "CONT":
		return syscall.SIGCONT, true
	case "STOP":
		return syscall.SIGSTOP, true
	case "TSTP":
		return syscall.SIGTSTP, true
	case "TTIN":
		return syscall.SIGTTIN, true
	case "TTOU":
		return syscall.SIGTTOU, true
	case "URG":
		return syscall.SIGURG, true
	case "XCPU":
		return syscall.SIGXCPU, true
	case "XFSZ":
		return syscall.SIGXFSZ, true
	case "VTALRM":
		return syscall.SIGVTALRM, true
	case "PROF":
		return syscall.SIGPROF, true
	case "WINCH":
		return syscall.SIGWINCH, true
	case "IO":
		return syscall.SIGIO, true
	case "SYS":
		return syscall.SIGSYS, true
	}
	return 0, false
}
