//go:build unix && !linux

package proc

import (
	"errors"
	"fmt"
	"syscall"
)

// rlimits are the resource limits every Unix has (POSIX's),
// by their names without RLIMIT_.
var rlimits = map[string]int{
	"CORE":   syscall.RLIMIT_CORE,
	"CPU":    syscall.RLIMIT_CPU,
	"DATA":   syscall.RLIMIT_DATA,
	"FSIZE":  syscall.RLIMIT_FSIZE,
	"NOFILE": syscall.RLIMIT_NOFILE,
	"STACK":  syscall.RLIMIT_STACK,
}

// Rlimit returns the RLIMIT_ number of the resource name ("NOFILE"), or an
// error wrapping errors.ErrUnsupported where the system has no such limit.
func Rlimit(name string) (int, error) {
	if r, ok := rlimits[name]; ok {
		return r, nil
	}
	return 0, fmt.Errorf("no resource limit RLIMIT_%s here: %w", name, errors.ErrUnsupported)
}
