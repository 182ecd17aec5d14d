package proc

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// rlimits are the resource limits of this system, by their names without
// RLIMIT_.
var rlimits = map[string]int{
	"AS":         unix.RLIMIT_AS,
	"CORE":       unix.RLIMIT_CORE,
	"CPU":        unix.RLIMIT_CPU,
	"DATA":       unix.RLIMIT_DATA,
	"FSIZE":      unix.RLIMIT_FSIZE,
	"LOCKS":      unix.RLIMIT_LOCKS,
	"MEMLOCK":    unix.RLIMIT_MEMLOCK,
	"MSGQUEUE":   unix.RLIMIT_MSGQUEUE,
	"NICE":       unix.RLIMIT_NICE,
	"NOFILE":     unix.RLIMIT_NOFILE,
	"NPROC":      unix.RLIMIT_NPROC,
	"RSS":        unix.RLIMIT_RSS,
	"RTPRIO":     unix.RLIMIT_RTPRIO,
	"RTTIME":     unix.RLIMIT_RTTIME,
	"SIGPENDING": unix.RLIMIT_SIGPENDING,
	"STACK":      unix.RLIMIT_STACK,
}

// Rlimit returns the RLIMIT_ number of the resource name ("NOFILE"), or an
// error wrapping errors.ErrUnsupported where the system has no such limit.
func Rlimit(name string) (int, error) {
	if r, ok := rlimits[name]; ok {
		return r, nil
	}
	return 0, fmt.Errorf("no resource limit RLIMIT_%s here: %w", name, errors.ErrUnsupported)
}
