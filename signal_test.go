//go:build unix

package overseer

import (
	"errors"
	"testing"
)

func TestParseSignal(t *testing.T) {
	for _, name := range []string{"TERM", "SIGTERM", "term", "sigterm", " SigTerm ", "HUP", "INT", "QUIT", "ILL",
		"TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "usr2", "SEGV", "PIPE", "ALRM", "CHLD", "CONT", "STOP",
		"TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "SYS"} {
		sig, err := ParseSignal(name)
		if err != nil || !validSignal(sig) {
			t.Errorf("ParseSignal(%q) = %v, %v; want a signal", name, sig, err)
		}
	}
	if sig, _ := ParseSignal("sigterm"); sig.String() != "terminated" {
		t.Errorf("sigterm is %v", sig)
	}
	for _, name := range []string{"", " ", "15", "9", "-9", "+1", "SIG", "SIGSIGTERM", "SIGNOPE", "TERMINATE",
		"TERM;KILL", "SIG TERM", "SIGTERM\x00", "1e3"} {
		if sig, err := ParseSignal(name); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseSignal(%q) = %v, %v; want an error wrapping ErrInvalid", name, sig, err)
		}
	}
}
