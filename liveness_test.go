//go:build unix

package overseer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// checkFunc makes a Checker of a function.
type checkFunc func(ctx context.Context, run *ProbeRun) error

func (f checkFunc) Check(ctx context.Context, run *ProbeRun) error { return f(ctx, run) }

// httpCheck is a Checker that GETs url (package probe's HTTP, which this
// package's tests cannot import, in short).
func httpCheck(url string) Checker {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	return checkFunc(func(ctx context.Context, _ *ProbeRun) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body) // the status is what counts
		_ = resp.Body.Close()                 // read to the end: nothing to lose
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("http %s: status %s", url, resp.Status)
		}
		return nil
	})
}

// readyOn is a Probe that passes at the first line of the run whose text
// is text (ready_test.go's lineProbe, which is Linux-only).
type readyOn string

func (text readyOn) Ready(ctx context.Context, run *ProbeRun) error {
	_, err := run.WaitLine(ctx, func(l Line) bool { return l.Text == string(text) })
	return err
}

// freeAddr returns a local address on which nothing listens: one the
// kernel just gave and took back.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// healths returns the Health of every event of id that changed only its
// health (From == To), in order.
func (l *eventLog) healths(id string) []Health {
	var out []Health
	for _, ev := range l.of(id) {
		if ev.From == ev.To {
			out = append(out, ev.Health)
		}
	}
	return out
}

// An HTTP server that answers 200, then 500: healthy, then unhealthy after
// Failures tries, stopped and restarted as a failed run with the reason in
// Status.Error; healthy again on its next run, which answers 200 again,
// until it fails too and, with no restart left, ends fatal.
func TestLivenessRestartsUnhealthyRun(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, false) // backoffs at once
	log := watchEvents(t, o)
	addr := freeAddr(t)
	c := addChild(t, o, "web", "httphealth:"+addr+":2") // 200 twice a run, then 500
	c.Ready = readyOn("serving")
	c.MaxRestarts = 1
	url := "http://" + addr + "/healthz"
	c.Liveness = Liveness{Check: httpCheck(url), Period: 50 * time.Millisecond}

	err := recvErr(t, goSupervise(context.Background(), o, "web"), "Supervise")
	require.ErrorIs(t, err, ErrUnhealthy)
	var le *LivenessError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 3, le.Tries, "the default Failures")
	assert.Contains(t, err.Error(), "overseer: web: liveness: http "+url+": status 500 Internal Server Error after 3 tries")

	st := status(t, o, "web")
	assert.Equal(t, StateFatal, st.State)
	assert.ErrorIs(t, st.Error, ErrUnhealthy)
	assert.Equal(t, HealthUnknown, st.Health, "at rest")
	assert.Equal(t, 1, st.Restarts)

	assert.Equal(t, []Health{HealthHealthy, HealthUnhealthy, HealthHealthy, HealthUnhealthy}, log.healths("web"))
	var trans []string
	for _, tr := range log.transitions("web") {
		if tr != "running>running" {
			trans = append(trans, tr)
		}
	}
	assert.Equal(t, []string{
		"initial>starting", "starting>running", "running>stopping", "stopping>backoff",
		"backoff>starting", "starting>running", "running>stopping", "stopping>fatal",
	}, trans)
	for _, ev := range log.of("web") {
		if ev.To == StateBackoff {
			assert.Contains(t, ev.Error, "liveness: http "+url+": status 500", "the restart's reason")
		}
		if ev.From == StateStarting {
			assert.Equal(t, HealthUnknown, ev.Health, "a new run")
		}
	}
	jp, err := o.ToJSON("web")
	require.NoError(t, err)
	assert.Equal(t, HealthUnknown, jp.Health)
}

// tryLog records the tries of a fake Checker: when each began and
// returned, and the most that were in progress at once.
type tryLog struct {
	mu      sync.Mutex
	steps   []string
	now     int
	most    int
	n       int
	release chan struct{}
}

func (l *tryLog) begin() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	l.now++
	l.most = max(l.most, l.now)
	l.steps = append(l.steps, fmt.Sprintf("begin %d", l.n))
	return l.n
}

func (l *tryLog) end(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now--
	l.steps = append(l.steps, fmt.Sprintf("end %d", n))
}

func (l *tryLog) record() ([]string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.steps), l.most
}

// A Check that ignores its context counts as failed at its Timeout, and
// again at each period while it still hangs; no other try starts until it
// has returned: tries never overlap, and a Check hung for good makes the
// run unhealthy.
func TestLivenessHungCheckDoesNotOverlap(t *testing.T) {
	const period = 20 * time.Millisecond
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	c := addChild(t, o, "p", "sleep")
	c.Restart = RestartNever
	tries := &tryLog{}
	release := make(chan struct{})
	c.Liveness = Liveness{Period: period, Timeout: period / 2, Check: checkFunc(func(ctx context.Context, _ *ProbeRun) error {
		n := tries.begin()
		defer tries.end(n)
		if n == 1 {
			<-release // hung, deaf to ctx, until the test lets it go
			return nil
		}
		return errors.New("boom")
	})}
	require.NoError(t, o.Start("p"))
	// Failed at its Timeout, then once more each period it still hangs:
	// unhealthy after three, with no other try begun meanwhile.
	log.waitCount(t, "p", StateStopping, 1)
	steps, _ := tries.record()
	assert.Equal(t, []string{"begin 1"}, steps, "a try began while the one before hung")
	close(release)
	st := wait(t, c)
	steps, most := tries.record()
	assert.Equal(t, 1, most, "tries overlapped: %v", steps)
	assert.Equal(t, []string{"begin 1", "end 1"}, steps, "no try after the run was found unhealthy")
	require.ErrorIs(t, st.Error, ErrUnhealthy)
	require.ErrorIs(t, st.Error, context.DeadlineExceeded)
	assert.Contains(t, st.Error.Error(), "liveness: the try before has not returned")
	assert.Contains(t, st.Error.Error(), "after 3 tries")
	assert.Equal(t, []Health{HealthUnhealthy}, log.healths("p"), "never healthy")
	o.StopAll()
	log.close()
	goleak.VerifyNone(t, ignoreGuardian)
}

// A try that is still going at its Timeout is a failure ("timed out after
// …"), and the run's end waits for it to return.
func TestLivenessTimeout(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	c := addChild(t, o, "p", "sleep")
	c.Restart = RestartNever
	release := make(chan struct{})
	returned := make(chan struct{})
	c.Liveness = Liveness{Period: 50 * time.Millisecond, Timeout: 10 * time.Millisecond, Failures: 1,
		Check: checkFunc(func(context.Context, *ProbeRun) error {
			defer close(returned) // called once: Failures is 1
			<-release             // deaf to its context
			return nil
		})}
	require.NoError(t, o.Start("p"))
	log.waitCount(t, "p", StateStopping, 1)
	assert.Equal(t, []Health{HealthUnhealthy}, log.healths("p"))
	close(release)
	st := wait(t, c)
	select {
	case <-returned:
	default:
		t.Fatal("the run ended before its Check returned")
	}
	require.ErrorIs(t, st.Error, ErrUnhealthy)
	require.ErrorIs(t, st.Error, context.DeadlineExceeded)
	assert.Contains(t, st.Error.Error(), "liveness: timed out after 10ms")
	assert.Equal(t, StateFatal, st.State, "failed, without supervision")
	o.StopAll()
	log.close()
	goleak.VerifyNone(t, ignoreGuardian)
}

// Health: none without a probe; unknown before the first passing try;
// healthy after Successes passing tries in a row; a failure or two fewer
// than Failures keep it healthy.
func TestLivenessHealthStates(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	plain := addChild(t, o, "plain", "sleep")
	require.NoError(t, o.Start("plain"))
	assert.Equal(t, HealthNone, plain.Status().Health)

	c := addChild(t, o, "p", "sleep")
	var mu sync.Mutex
	results := []error{nil, errors.New("one"), nil, errors.New("two"), errors.New("three"), nil, nil}
	done := make(chan struct{})
	c.Liveness = Liveness{Period: 10 * time.Millisecond, Successes: 2, Check: checkFunc(func(context.Context, *ProbeRun) error {
		mu.Lock()
		defer mu.Unlock()
		if len(results) == 0 {
			select {
			case <-done:
			default:
				close(done)
			}
			return nil
		}
		err := results[0]
		results = results[1:]
		return err
	})}
	require.NoError(t, o.Start("p"))
	select {
	case <-done:
	case <-time.After(waitTimeout):
		t.Fatal("the tries did not all come")
	}
	// pass, fail (unknown: not 2 in a row), pass, fail, fail, pass, pass:
	// healthy; then passes.
	assert.Equal(t, []Health{HealthHealthy}, log.healths("p"))
	st := c.Status()
	assert.Equal(t, HealthHealthy, st.Health)
	assert.Equal(t, StateRunning, st.State)
}

// Liveness's values are checked when a run starts.
func TestLivenessInvalid(t *testing.T) {
	check := checkFunc(func(context.Context, *ProbeRun) error { return nil })
	for _, l := range []Liveness{
		{Check: check, Period: -1},
		{Check: check, Timeout: -1},
		{Check: check, Failures: -1},
		{Check: check, Successes: -1},
		{Check: check, InitialDelay: -1},
		{Check: check, Period: time.Second, Timeout: 2 * time.Second},
		{Check: check, Timeout: 11 * time.Second}, // above the default Period
	} {
		c := &Cmd{Args: []string{childPath}, Liveness: l}
		_, err := c.config()
		assert.ErrorIs(t, err, ErrInvalid, "%+v", l)
	}
	cfg, err := (&Cmd{Args: []string{childPath}, Liveness: Liveness{Check: check, Period: 500 * time.Millisecond}}).config()
	require.NoError(t, err)
	cfg.liveness.Check = nil // a func compares unequal
	assert.Equal(t, Liveness{Period: 500 * time.Millisecond, Timeout: 500 * time.Millisecond, Failures: 3, Successes: 1}, cfg.liveness,
		"defaults, the Timeout at most the Period")
}

// WroteLine: a line written since the last call, of this run.
func TestLivenessWroteLine(t *testing.T) {
	o := newTestOverseer(t)
	c := addChild(t, o, "p", "out:tick", "sleep")
	seen := make(chan bool, 8)
	c.Liveness = Liveness{Period: 10 * time.Millisecond, Failures: 100, Check: checkFunc(func(_ context.Context, run *ProbeRun) error {
		found := run.WroteLine(func(l Line) bool { return l.Text == "tick" })
		select {
		case seen <- found:
		default:
		}
		return nil
	})}
	c.Ready = readyOn("tick")
	require.NoError(t, o.Start("p"))
	var got []bool
	for range 3 {
		select {
		case f := <-seen:
			got = append(got, f)
		case <-time.After(waitTimeout):
			t.Fatal("no try")
		}
	}
	assert.Equal(t, []bool{true, false, false}, got, "once since the run began, then none since the last try")
}

// nth returns the place, among every event l has seen, of the n-th event
// (from 1) that match accepts, or -1.
func (l *eventLog) nth(n int, match func(Event) bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, ev := range l.events {
		if match(ev) {
			if n--; n == 0 {
				return i
			}
		}
	}
	return -1
}

// A process that depends on another being healthy starts only after the
// first passing liveness try of that one; on one without a liveness
// probe, once it is ready.
func TestConditionHealthy(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	db := addChild(t, o, "db", "sleep")
	var pass atomic.Bool // false: the tries fail
	failed := make(chan struct{}, 1)
	db.Liveness = Liveness{Period: 20 * time.Millisecond, Failures: 1000, Check: checkFunc(func(context.Context, *ProbeRun) error {
		if pass.Load() {
			return nil
		}
		select {
		case failed <- struct{}{}:
		default:
		}
		return errors.New("not yet")
	})}
	app := addChild(t, o, "app", "sleep")
	dependOn(app, ConditionHealthy, "db")
	other := addChild(t, o, "other", "sleep")
	dependOn(other, ConditionHealthy, "cache")
	cache := addChild(t, o, "cache", "sleep") // no liveness: healthy once ready

	ctx, cancel := context.WithCancel(context.Background())
	errc := goSuperviseAll(ctx, o)
	log.waitCount(t, "db", StateRunning, 1)
	select {
	case <-failed:
	case <-time.After(waitTimeout):
		t.Fatal("no failed try")
	}
	<-failed // a second one: the start order has seen the first
	assert.Equal(t, StateInitial, status(t, o, "app").State, "started while db was not healthy")
	assert.Equal(t, "waiting for db (healthy)", status(t, o, "app").StatusText)
	pass.Store(true)
	log.waitCount(t, "app", StateRunning, 1)
	healthy := log.posOf(func(ev Event) bool { return ev.ID == "db" && ev.Health == HealthHealthy })
	started := log.pos("app", StateStarting)
	assert.True(t, healthy >= 0 && healthy < started, "app started at %d, db healthy at %d: %v", started, healthy, log.all())

	log.waitCount(t, "other", StateRunning, 1)
	assert.Equal(t, HealthNone, cache.Status().Health)
	assert.Less(t, log.pos("cache", StateRunning), log.pos("other", StateStarting))

	cancel()
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
}

// A dependent with Restart set is restarted after its dependency
// restarts, once that one meets the condition again; one without it is
// not.
func TestDependencyRestart(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	db := addChild(t, o, "db", "out:up", "sleep")
	db.Ready = readyOn("up")
	app := addChild(t, o, "app", "sleep")
	app.DependsOn = []Dependency{{ID: "db", Condition: ConditionReady, Restart: true}}
	bystander := addChild(t, o, "bystander", "sleep")
	dependOn(bystander, ConditionReady, "db")

	ctx, cancel := context.WithCancel(context.Background())
	errc := goSuperviseAll(ctx, o)
	log.waitCount(t, "app", StateRunning, 1)
	log.waitCount(t, "bystander", StateRunning, 1)
	require.NoError(t, o.Restart("db"))
	log.waitCount(t, "app", StateRunning, 2)

	isRunning := func(id string) func(Event) bool {
		return func(ev Event) bool { return ev.ID == id && ev.To == StateRunning && ev.From != StateRunning }
	}
	dbBack := log.nth(2, isRunning("db"))
	appStop := log.nth(1, func(ev Event) bool { return ev.ID == "app" && ev.To == StateStopping })
	assert.True(t, dbBack >= 0 && dbBack < appStop, "app restarted at %d, before db was ready again at %d: %v", appStop, dbBack, log.all())
	assert.Equal(t, 1, status(t, o, "app").Restarts)

	// A crash of db restarts app too.
	require.NoError(t, db.Signal(9))
	log.waitCount(t, "app", StateRunning, 3)
	assert.Equal(t, 2, status(t, o, "app").Restarts)
	assert.Zero(t, status(t, o, "bystander").Restarts, "restarted without Restart set")

	cancel()
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
}

// A Check that never returns does not hold up the end of its run beyond
// StopTimeout: Stop returns, and the Check finds the run over when it
// returns at last.
func TestLivenessHungCheckDoesNotHoldTheEnd(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	c := addChild(t, o, "p", "sleep")
	c.StopTimeout = 50 * time.Millisecond
	release := make(chan struct{})
	began := make(chan struct{})
	returned := make(chan struct{})
	var once sync.Once
	c.Liveness = Liveness{Period: time.Hour, Timeout: time.Hour, Check: checkFunc(func(context.Context, *ProbeRun) error {
		once.Do(func() { close(began) })
		defer close(returned) // called once: the next try is an hour away
		<-release             // deaf to its context
		return nil
	})}
	require.NoError(t, o.Start("p"))
	select {
	case <-began:
	case <-time.After(waitTimeout):
		t.Fatal("no try")
	}
	within(t, "Stop", func() { require.NoError(t, o.Stop("p")) })
	st := status(t, o, "p")
	assert.Equal(t, StateInterrupted, st.State)
	assert.Equal(t, HealthUnknown, st.Health)
	close(release)
	<-returned
	assert.Empty(t, log.healths("p"), "a try that returned after the end counted")
	o.StopAll()
	log.close()
	goleak.VerifyNone(t, ignoreGuardian)
}
