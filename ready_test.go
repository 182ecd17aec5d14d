//go:build linux

package overseer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probeFunc makes a Probe of a function.
type probeFunc func(ctx context.Context, run *ProbeRun) error

func (f probeFunc) Ready(ctx context.Context, run *ProbeRun) error { return f(ctx, run) }

// lineProbe passes at the first line of the run whose text is text.
func lineProbe(text string) Probe {
	return probeFunc(func(ctx context.Context, run *ProbeRun) error {
		_, err := run.WaitLine(ctx, func(l Line) bool { return l.Text == text })
		return err
	})
}

func TestReadyLineGatesRunning(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	c := addChild(t, o, "p", "out:booting", "out:ready now", "out:after", "sleep")
	c.Ready = lineProbe("ready now")
	require.NoError(t, o.Start("p"))
	waitState(t, o, "p", StateRunning)
	// The probe saw the line already written before it looked, or after:
	// either way the run became running only once it was there.
	var readySeq uint64
	for _, l := range c.Lines(0) {
		if l.Text == "ready now" {
			readySeq = l.Seq
			assert.Equal(t, status(t, o, "p").PID, l.PID, "the line carries its run's pid")
		}
	}
	require.NotZero(t, readySeq)
	require.NoError(t, o.Stop("p"))
	log.waitCount(t, "p", StateInterrupted, 1) // events arrive on their own goroutine
	assert.Equal(t, []string{"initial>starting", "starting>running", "running>stopping", "stopping>interrupted"}, log.transitions("p"))
}

func TestReadyNotified(t *testing.T) {
	o := newTestOverseer(t)
	c := addChild(t, o, "p", "notify:STATUS=warming up\\nMAINPID=4242", "notify:READY=1", "sleep")
	c.Ready = Notified()
	require.NoError(t, o.Start("p"))
	st := waitState(t, o, "p", StateRunning)
	assert.Equal(t, "warming up", st.StatusText)
	assert.Equal(t, 4242, st.MainPID)
	jp, err := o.ToJSON("p")
	require.NoError(t, err)
	assert.Equal(t, "warming up", jp.StatusText)
	assert.Equal(t, 4242, jp.MainPID)

	// What the run said of itself ends with it.
	require.NoError(t, o.Stop("p"))
	st = status(t, o, "p")
	assert.Equal(t, StateInterrupted, st.State)
	assert.Empty(t, st.StatusText)
	assert.Zero(t, st.MainPID)
}

// A message from a process outside the run's group does not count: the
// socket's name is no secret.
func TestNotifyFromOutsideTheGroupIgnored(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	c := addChild(t, o, "p",
		"notifyout:READY=1\\nSTATUS=outsider\\nSTOPPING=1\\nMAINPID=7\\nWATCHDOG=trigger",
		"notify:STATUS=insider", "sleep")
	c.Ready = Notified()
	c.ReadyTimeout = time.Hour
	require.NoError(t, o.Start("p"))
	// Messages are read in order: once the insider's is in, the outsider's
	// was seen and ignored.
	eventually(t, func() bool { return status(t, o, "p").StatusText == "insider" }, "no STATUS=insider")
	st := status(t, o, "p")
	assert.Equal(t, StateStarting, st.State, "READY=1 from outside the group made it ready")
	assert.Zero(t, st.MainPID)
	for _, ev := range log.of("p") {
		assert.NotEqual(t, "outsider", ev.StatusText)
	}
}

func TestNotifyStoppingIsNotAFailure(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	c := addChild(t, o, "p", "notify:READY=1", "notify:STOPPING=1", "exit:3")
	c.Notify = true
	ch := goSupervise(context.Background(), o, "p")
	require.NoError(t, recvErr(t, ch, "Supervise"))
	st := status(t, o, "p")
	assert.Equal(t, StateFinished, st.State)
	assert.Equal(t, 3, st.Exit)
	assert.Zero(t, st.Restarts, "an exit announced by STOPPING=1 was restarted as a failure")
	log.waitCount(t, "p", StateFinished, 1)
	assert.Equal(t, []string{"initial>starting", "starting>running", "running>stopping", "stopping>finished"}, log.transitions("p"))
}

func TestReadyTimeoutUnderPolicy(t *testing.T) {
	o := newTestOverseer(t)
	timer := useFakeTimer(o, false)
	log := watchEvents(t, o)
	c := addChild(t, o, "p", "out:up", "sleep")
	c.Ready = Notified()
	c.ReadyTimeout = ms(200)
	c.StopTimeout = ms(100)
	c.MaxRestarts = 1
	err := o.Supervise(context.Background(), "p")
	require.ErrorIs(t, err, ErrNotReady)
	assert.Contains(t, err.Error(), "not ready within 200ms")
	log.waitCount(t, "p", StateFatal, 1)
	assert.Equal(t, []string{
		"initial>starting", "starting>stopping", "stopping>backoff",
		"backoff>starting", "starting>stopping", "stopping>fatal",
	}, log.transitions("p"))
	assert.Len(t, timer.recorded(), 1)
}

func TestReadyTimeoutWithoutSupervision(t *testing.T) {
	c, rec := newChild(t, "sleep")
	c.Ready = probeFunc(func(ctx context.Context, run *ProbeRun) error {
		<-ctx.Done()
		return ctx.Err()
	})
	c.ReadyTimeout = ms(100)
	require.NoError(t, c.Start())
	st := wait(t, c)
	assert.Equal(t, StateFatal, st.State)
	require.ErrorIs(t, st.Error, ErrNotReady)
	assert.Equal(t, []string{"initial>starting", "starting>stopping", "stopping>fatal"}, rec.transitions())
}

// A probe that knows the run will never be ready ends it at once.
func TestProbeGivesUp(t *testing.T) {
	broken := errors.New("cannot ever be ready")
	c, _ := newChild(t, "sleep")
	c.Ready = probeFunc(func(context.Context, *ProbeRun) error { return broken })
	c.ReadyTimeout = time.Hour
	require.NoError(t, c.Start())
	st := wait(t, c)
	assert.Equal(t, StateFatal, st.State)
	require.ErrorIs(t, st.Error, ErrNotReady)
	require.ErrorIs(t, st.Error, broken)
}

// A run that ends before it is ready ends as any run does; the probe is
// cancelled.
func TestRunEndsBeforeReady(t *testing.T) {
	cancelled := make(chan struct{})
	c, rec := newChild(t, "exit:0")
	c.Ready = probeFunc(func(ctx context.Context, run *ProbeRun) error {
		<-ctx.Done()
		close(cancelled)
		return ctx.Err()
	})
	require.NoError(t, c.Start())
	st := wait(t, c)
	assert.Equal(t, StateFinished, st.State)
	select {
	case <-cancelled:
	default:
		t.Fatal("the probe was still running when the run ended")
	}
	assert.Equal(t, []string{"initial>starting", "starting>finished"}, rec.transitions())
}

func TestWatchdogMissed(t *testing.T) {
	o := newTestOverseer(t)
	c := addChild(t, o, "p", "notify:READY=1", "watchdog:3", "sleep")
	c.Ready = Notified()
	c.Watchdog = ms(300)
	c.MaxRestarts = NoRestarts
	err := o.Supervise(context.Background(), "p")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no WATCHDOG=1 within 300ms")
	// A Go program exits 2 on SIGABRT, after a dump of its goroutines.
	assert.Equal(t, 2, status(t, o, "p").Exit)
	assert.Contains(t, strings.Join(status(t, o, "p").Stderr, "\n"), "SIGABRT")
	// go-systemd's SdWatchdogEnabled checks WATCHDOG_PID: the pings
	// were sent, so it was this process's own pid.
	waitLine(t, c, "watchdog pings sent")
}

func TestStopSignalEnv(t *testing.T) {
	c, _ := newChild(t, "getenv:OVERSEER_STOP_SIGNAL")
	c.StopSignal = 10
	require.NoError(t, c.Start())
	wait(t, c)
	assert.Equal(t, []string{"OVERSEER_STOP_SIGNAL=10"}, c.Status().Stdout)
}

func TestNotifyEnvOnlyWhenAsked(t *testing.T) {
	c, _ := newChild(t, "getenv:NOTIFY_SOCKET")
	require.NoError(t, c.Start())
	wait(t, c)
	assert.Equal(t, []string{"NOTIFY_SOCKET unset"}, c.Status().Stdout)

	c, _ = newChild(t, "getenv:NOTIFY_SOCKET")
	c.Notify = true
	require.NoError(t, c.Start())
	wait(t, c)
	out := c.Status().Stdout
	require.Len(t, out, 1)
	assert.True(t, strings.HasPrefix(out[0], "NOTIFY_SOCKET=@overseer-notify-"), out[0])
}

// STOPPING=1 puts the process in stopping; a Stop then is no second
// transition to stopping (the test Overseer fails on an illegal one).
func TestStopAfterNotifyStopping(t *testing.T) {
	o := newTestOverseer(t)
	c := addChild(t, o, "p", "notify:STOPPING=1", "sleep")
	c.Notify = true
	require.NoError(t, o.Start("p"))
	waitState(t, o, "p", StateStopping)
	require.NoError(t, o.Stop("p"))
	assert.Equal(t, StateInterrupted, status(t, o, "p").State)
}

// Under a Ready probe the watchdog starts with READY=1, as under systemd:
// a start slower than the watchdog interval is no failure.
func TestWatchdogStartsWhenReady(t *testing.T) {
	o := newTestOverseer(t)
	c := addChild(t, o, "p", "sleepms:400", "notify:READY=1", "watchdog:2", "exit:0")
	c.Ready = Notified()
	c.Watchdog = ms(200)
	require.NoError(t, o.Supervise(context.Background(), "p"))
	st := status(t, o, "p")
	assert.Equal(t, StateFinished, st.State, "%v", st.Error)
	assert.Equal(t, 0, st.Exit)
}

func TestWatchdogBelowAMillisecond(t *testing.T) {
	c := NewCmd(childPath, "sleep")
	c.Watchdog = time.Microsecond
	require.ErrorIs(t, c.Start(), ErrInvalid)
}

// A dependency with a StartDelay and a Ready probe counts as started once
// its program executes, not once it is ready: the start of the run, which
// stays starting, wakes SuperviseAll.
func TestDependStartedNotReadyAfterStartDelay(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	held := &fakeTimer{hold: true}
	db := addChild(t, o, "db", "out:booting", "sleep")
	heldStart(db, held)
	db.Ready = lineProbe("never")
	app := addChild(t, o, "app", "sleep")
	dependOn(app, ConditionStarted, "db")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := goSuperviseAll(ctx, o)
	log.waitText(t, "app", "waiting for db (started)")
	releaseHeld(t, held, 1)
	waitLine(t, db, "booting")
	log.waitCount(t, "app", StateRunning, 1)
	assert.Equal(t, StateStarting, status(t, o, "db").State, "db is not ready")
	cancel()
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
}

// Restart returns once the new run is ready, or says how it failed: so a
// caller can use the process as soon as it returns.
func TestRestartWaitsForTheNewRun(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, false)
	c := addChild(t, o, "p", "out:booting", "sleepms:200", "out:ready now", "sleep")
	c.Ready = lineProbe("ready now")
	require.NoError(t, o.Start("p"))
	first := waitState(t, o, "p", StateRunning).PID

	require.NoError(t, o.Restart("p"))
	st := status(t, o, "p")
	assert.Equal(t, StateRunning, st.State, "running when Restart returns")
	assert.NotEqual(t, first, st.PID)
	assert.Equal(t, 1, st.Restarts)
	last := c.Lines(0)
	assert.Equal(t, "ready now", last[len(last)-1].Text, "and ready")

	// A new run that cannot start, or that fails, is an error.
	err := o.Upgrade("p", childPath+"-missing")
	require.ErrorIs(t, err, ErrNotReady)
	assert.Contains(t, err.Error(), "could not be started")
	err = o.Upgrade("p", childPath, "exit:3") // ends before it is ready
	require.ErrorIs(t, err, ErrNotReady)
	assert.Contains(t, err.Error(), "exit code 3")
	require.NoError(t, o.Stop("p"))

	job := addChild(t, o, "job", "out:done", "exit:0")
	job.Restart = RestartAlways
	require.NoError(t, o.Start("job"))
	waitLine(t, job, "done")
	assert.NoError(t, o.Restart("job"), "a job that did its work under RestartAlways")
}
