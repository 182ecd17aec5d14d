package overseer

import (
	"fmt"
	"strings"
	"syscall"
)

// ParseSignal returns the signal of a name such as "SIGTERM", in any case,
// with or without "SIG" ("term", "HUP"). Numbers are refused, since they
// differ between systems. The error wraps ErrInvalid.
func ParseSignal(name string) (syscall.Signal, error) {
	s := strings.ToUpper(strings.TrimSpace(name))
	switch {
	case s == "":
		return 0, fmt.Errorf("%w: no signal name (such as TERM, HUP, INT, KILL, USR1)", ErrInvalid)
	case strings.Trim(s, "+-0123456789") == "":
		return 0, fmt.Errorf("%w: signal %q: give a name such as TERM, not a number", ErrInvalid, name)
	}
	if !strings.HasPrefix(s, "SIG") {
		s = "SIG" + s
	}
	if sig := signalNum(s); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("%w: %q is not a signal name (such as TERM, HUP, INT, KILL, USR1)", ErrInvalid, name)
}
