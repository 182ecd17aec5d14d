//go:build linux

package overseer

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// load sends requests to url without pause until stopped, each on a new
// connection, and counts the failures and the answers of each run.
type load struct {
	url      string
	ok, fail atomic.Int64
	mu       sync.Mutex
	answers  map[string]int // body ("VERSION PID") -> count
	errs     []string
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
	client   *http.Client
}

func startLoad(url string) *load {
	l := &load{url: url, answers: make(map[string]int), stop: make(chan struct{}), done: make(chan struct{})}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	l.client = client
	go func() {
		defer close(l.done)
		for {
			select {
			case <-l.stop:
				return
			default:
			}
			resp, err := client.Get(l.url)
			var body []byte
			if err == nil {
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			l.mu.Lock()
			if err != nil {
				l.fail.Add(1)
				l.errs = append(l.errs, err.Error())
			} else {
				l.ok.Add(1)
				l.answers[string(body)]++
			}
			l.mu.Unlock()
		}
	}()
	return l
}

func (l *load) end() {
	l.once.Do(func() { close(l.stop) })
	<-l.done
	// A connection dialed for a request that another one served stays
	// open, unused: a graceful server would wait for its request.
	l.client.CloseIdleConnections()
}

// answered reports whether some request was answered with body.
func (l *load) answered(body string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.answers[body] > 0
}

// Rolling restarts and upgrades of an HTTP server under continuous
// requests refuse none; an upgrade to a program that never becomes ready
// leaves the old run serving.
func TestRollingRestartZeroDowntime(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	c := addChild(t, o, "web", "serve:v1")
	c.Listeners = []string{"tcp://127.0.0.1:0"}
	c.Ready = Notified()
	c.ReadyTimeout = 2 * time.Second
	require.NoError(t, o.Start("web"))
	st := waitState(t, o, "web", StateRunning)
	url := "http://" + strings.TrimPrefix(st.Listeners[0], "tcp://") + "/"

	l := startLoad(url)
	defer l.end()
	eventually(t, func() bool { return l.answered(fmt.Sprintf("v1 %d", st.PID)) }, "v1 never answered")

	pids := map[int]bool{st.PID: true}
	check := func(version string) {
		t.Helper()
		st := status(t, o, "web")
		require.Equal(t, StateRunning, st.State)
		require.False(t, pids[st.PID], "the pid did not change")
		pids[st.PID] = true
		require.True(t, processGone(prevPID(log)), "the old run is still there")
		eventually(t, func() bool { return l.answered(fmt.Sprintf("%s %d", version, st.PID)) }, "%s (pid %d) never answered", version, st.PID)
	}
	for range 10 {
		require.NoError(t, o.Restart("web"))
		check("v1")
	}
	for _, v := range []string{"v2", "v3"} {
		require.NoError(t, o.Upgrade("web", childPath, "serve:"+v))
		check(v)
	}
	// An upgrade to a program that never becomes ready: the old run goes on.
	before := status(t, o, "web")
	err := o.Upgrade("web", childPath, "out:never ready", "sleep")
	require.ErrorIs(t, err, ErrNotReady)
	assert.Contains(t, err.Error(), "not ready within 2s")
	after := status(t, o, "web")
	assert.Equal(t, before.PID, after.PID)
	assert.Equal(t, StateRunning, after.State)
	assert.Equal(t, []string{childPath, "serve:v3"}, c.Args, "the old Args stay")
	eventually(t, func() bool { return l.answered(fmt.Sprintf("v3 %d", after.PID)) }, "v3 stopped answering")
	waitLine(t, c, "never ready")

	l.end()
	l.mu.Lock()
	defer l.mu.Unlock()
	assert.Zero(t, l.fail.Load(), "failed requests: %v", l.errs)
	t.Logf("%d requests answered, by %d runs", l.ok.Load(), len(l.answers))
	assert.Equal(t, 12, log.count("web", StateRunning)-1, "one running>running event per restart that took")
	assert.Equal(t, 12, after.Restarts)
	// The last run stops as gracefully as the others did.
	within(t, "Stop", func() { require.NoError(t, o.Stop("web")) })
	require.Equal(t, StateInterrupted, status(t, o, "web").State)
	require.Equal(t, 0, status(t, o, "web").Exit, "it did not end by its own exit: %v", status(t, o, "web").Stderr)
	for _, ev := range log.of("web")[:14] {
		assert.NotEqual(t, StateStopping, ev.To, "the process was seen stopping before the end: %v", log.transitions("web"))
	}
}

// prevPID returns the pid of the last run replaced in a rolling restart:
// the pid of the event before the last running>running one.
func prevPID(log *eventLog) int {
	evs := log.of("web")
	prev := 0
	for i, ev := range evs {
		if ev.From == StateRunning && ev.To == StateRunning && i > 0 {
			prev = evs[i-1].PID
		}
	}
	return prev
}

// Without Listeners, Restart is the classic stop then start.
func TestRestartWithoutListenersIsNotRolling(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	addChild(t, o, "p", "sleep")
	require.NoError(t, o.Start("p"))
	waitState(t, o, "p", StateRunning)
	require.NoError(t, o.Restart("p"))
	waitState(t, o, "p", StateRunning)
	log.waitCount(t, "p", StateRunning, 2)
	assert.Equal(t, []string{"initial>starting", "starting>running", "running>stopping", "stopping>interrupted", "interrupted>starting", "starting>running"}, log.transitions("p"))
}

// Stop during a rolling restart ends both runs, and the restart says so.
func TestStopDuringRollingRestart(t *testing.T) {
	o := newTestOverseer(t)
	c := addChild(t, o, "web", "serve:v1")
	c.Listeners = []string{"tcp://127.0.0.1:0"}
	c.Ready = Notified()
	c.ReadyTimeout = time.Hour
	require.NoError(t, o.Start("web"))
	old := waitState(t, o, "web", StateRunning)
	errs := make(chan error, 1)
	go func() { errs <- o.Upgrade("web", childPath, "out:new run", "sleep") }()
	waitLine(t, c, "new run")
	var newPID int
	for _, l := range c.Lines(0) {
		if l.Text == "new run" {
			newPID = l.PID
		}
	}
	require.NotEqual(t, old.PID, newPID, "the new run's lines carry its pid")
	require.NoError(t, o.Stop("web"))
	err := recvErr(t, errs, "Upgrade")
	require.ErrorIs(t, err, ErrNotReady)
	assert.Contains(t, err.Error(), "stopped")
	assert.Equal(t, StateInterrupted, status(t, o, "web").State)
	eventually(t, func() bool { return processGone(old.PID) && processGone(newPID) }, "a run survived Stop")
}

// A program that cannot be executed fails Start as with os/exec, though
// such runs go through the exec wrapper; an upgrade to it leaves the old
// run serving.
func TestExecWrapperReportsExecErrors(t *testing.T) {
	c := NewCmd("/nonexistent/prog")
	c.Listeners = []string{"tcp://127.0.0.1:0"}
	err := c.Start()
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Equal(t, StateFatal, c.Status().State)

	o := newTestOverseer(t)
	web := addChild(t, o, "web", "serve:v1")
	web.Listeners = []string{"tcp://127.0.0.1:0"}
	require.NoError(t, o.Start("web"))
	before := waitState(t, o, "web", StateRunning)
	err = o.Upgrade("web", "/nonexistent/prog")
	require.ErrorIs(t, err, ErrNotReady)
	require.ErrorIs(t, err, os.ErrNotExist)
	after := status(t, o, "web")
	assert.Equal(t, before.PID, after.PID)
	assert.Equal(t, StateRunning, after.State)
}
