package testbuild

import (
	"testing"
	"time"
)

// WaitTimeout bounds every wait of the tests, so that a bug fails a test
// instead of hanging the run; it is far above anything a passing test
// needs, on a loaded machine too.
const WaitTimeout = 20 * time.Second

// pollEvery is how often Eventually calls its condition.
const pollEvery = 2 * time.Millisecond

// Eventually calls cond every few milliseconds until it holds, and fails t
// with the message of format and args if it does not hold within
// WaitTimeout. It calls cond in the calling goroutine and starts none, so
// it can wait for a count of goroutines. An arg that is a Later is
// evaluated only when the message is written, with the state at the end.
func Eventually(t testing.TB, cond func() bool, format string, args ...any) {
	t.Helper()
	eventually(t, WaitTimeout, cond, format, args...)
}

// eventually is Eventually with the timeout given.
func eventually(t testing.TB, timeout time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(pollEvery) {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: "+format, append([]any{timeout}, args...)...)
			return // Fatalf has ended the goroutine, unless t is a fake
		}
	}
}

// Later is a message argument of Eventually computed when the message is
// written: the state when the wait gave up rather than when it began.
type Later func() string

// String returns what l computes.
func (l Later) String() string { return l() }
