package testbuild

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// fakeT records a Fatalf instead of ending the test.
type fakeT struct {
	testing.TB
	fatal string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) { f.fatal = fmt.Sprintf(format, args...) }

func TestEventuallyWaitsForTheCondition(t *testing.T) {
	f := &fakeT{TB: t}
	calls := 0
	eventually(f, WaitTimeout, func() bool { calls++; return calls == 3 }, "never")
	if f.fatal != "" || calls != 3 {
		t.Fatalf("after %d calls: fatal %q, want none after 3", calls, f.fatal)
	}
}

// A condition that never holds fails the test, with the message's Later
// arguments evaluated at the end of the wait.
func TestEventuallyFailsAtTheDeadline(t *testing.T) {
	f := &fakeT{TB: t}
	calls := 0
	eventually(f, 20*time.Millisecond, func() bool { calls++; return false }, "the %s after %v calls", "count",
		Later(func() string { return fmt.Sprint(calls) }))
	if !strings.HasPrefix(f.fatal, "not within 20ms: the count after ") || strings.HasSuffix(f.fatal, " 0 calls") {
		t.Fatalf("fatal %q", f.fatal)
	}
}
