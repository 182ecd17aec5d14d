//go:build unix

package overseer

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// childPath is the test child (testdata/child), built once by TestMain
// without -race, so that it starts in about a millisecond and exits at once
// (a -race binary sleeps a second at exit).
var childPath string

// hostPath is testdata/host, a host program built like the child: the
// tests of the host's own death and signals run it.
var hostPath string

func TestMain(m *testing.M) {
	testbuild.Main(m, testbuild.Program("./testdata/child", &childPath), testbuild.Program("./testdata/host", &hostPath))
}

// ignoreGuardian passes over the goroutine that waits for the guardian,
// which lives as long as the test binary.
var ignoreGuardian = goleak.IgnoreAnyFunction(testbuild.GuardianWaiter)

// waitTimeout bounds every wait in the tests, so a bug fails a test instead
// of hanging the run; it is far above anything a passing test needs.
const waitTimeout = testbuild.WaitTimeout

// recorder keeps the events of a Cmd.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) add(ev Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

// transitions returns the recorded changes as "from>to" strings.
func (r *recorder) transitions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, ev := range r.events {
		out[i] = ev.From.String() + ">" + ev.To.String()
	}
	return out
}

// newChild returns a Cmd running the test child with the given operations
// (see testdata/child), that fails t on an illegal state transition and
// records its events.
func newChild(t *testing.T, ops ...string) (*Cmd, *recorder) {
	t.Helper()
	c := NewCmd(childPath, ops...)
	watchCmd(t, c)
	rec := &recorder{}
	c.onEvent = rec.add
	t.Cleanup(func() { c.Stop() })
	return c, rec
}

// watchCmd makes an illegal state transition of c fail t.
func watchCmd(t *testing.T, c *Cmd) {
	c.onIllegal = func(from, to State) {
		t.Errorf("illegal transition %v -> %v", from, to)
	}
}

// wait waits for c's run to end, failing t after waitTimeout.
func wait(t *testing.T, c *Cmd) Status {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(waitTimeout):
		t.Fatalf("run did not end within %v: %+v", waitTimeout, c.Status())
	}
	return c.Status()
}

// eventually polls cond until it holds, failing t after
// testbuild.WaitTimeout (the package's tests call it by this short name).
var eventually = testbuild.Eventually

// waitLine waits until c has captured a line with the given text.
func waitLine(t *testing.T, c *Cmd, text string) {
	t.Helper()
	eventually(t, func() bool {
		for _, l := range c.Lines(0) {
			if l.Text == text {
				return true
			}
		}
		return false
	}, "no line %q in %v", text, testbuild.Later(func() string { return fmt.Sprint(c.Status().Stdout) }))
}

// texts returns the Texts of lines.
func texts(lines []Line) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Text
	}
	return out
}

// processGone reports whether pid no longer runs: it does not exist or is a
// zombie (an orphan is reaped by whoever adopted it, which may be slow).
func processGone(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// The state follows the command name, which is in parentheses.
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
	fields := strings.Fields(rest)
	return len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X")
}
