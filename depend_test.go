//go:build unix

package overseer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of Cmd.DependsOn: the start order of SuperviseAll and the stop
// order of StopAll. The dependents are given ids that sort before those of
// their dependencies, so that without a start order they would start first.

// dependOn sets c's DependsOn to the ids, each with condition cond.
func dependOn(c *Cmd, cond Condition, ids ...string) {
	for _, id := range ids {
		c.DependsOn = append(c.DependsOn, Dependency{ID: id, Condition: cond})
	}
}

// heldStart gives c a StartDelay that ends only when f releases it, so that
// a test decides when c's first run starts.
func heldStart(c *Cmd, f *fakeTimer) {
	c.StartDelay = time.Millisecond
	c.timer = f.timer
}

// releaseHeld releases the StartDelays of f once n of them have begun.
func releaseHeld(t *testing.T, f *fakeTimer, n int) {
	t.Helper()
	eventually(t, func() bool { return len(f.recorded()) >= n }, "%d StartDelays did not begin", n)
	f.release()
}

// neverStarted checks that process id went from initial to fatal without a
// start, and returns its Status.
func neverStarted(t *testing.T, o *Overseer, log *eventLog, id string) Status {
	t.Helper()
	log.waitCount(t, id, StateFatal, 1)
	st := status(t, o, id)
	assert.Equal(t, StateFatal, st.State, id)
	assert.Zero(t, st.PID, id)
	assert.Empty(t, st.StatusText, id)
	tr := log.transitions(id)
	if assert.NotEmpty(t, tr, id) {
		assert.Equal(t, "initial>fatal", tr[len(tr)-1], "%s: %v", id, log.all())
	}
	for _, s := range tr[:max(len(tr)-1, 0)] {
		assert.Equal(t, "initial>initial", s, "%s: %v", id, log.all())
	}
	return st
}

// pos returns the place, among every event of o seen by l, of the first
// event of process id that is to state to, or -1.
func (l *eventLog) pos(id string, to State) int {
	return l.posOf(func(ev Event) bool { return ev.ID == id && ev.To == to && ev.From != to })
}

// posOf returns the place of the first event that match accepts, or -1.
func (l *eventLog) posOf(match func(Event) bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, ev := range l.events {
		if match(ev) {
			return i
		}
	}
	return -1
}

// all returns every event seen so far, as "id:from>to[text]".
func (l *eventLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, len(l.events))
	for i, ev := range l.events {
		out[i] = fmt.Sprintf("%s:%v>%v[%s]", ev.ID, ev.From, ev.To, ev.StatusText)
	}
	return out
}

// waitText waits for an event of process id, at rest in initial, that
// publishes StatusText text.
func (l *eventLog) waitText(t *testing.T, id, text string) {
	t.Helper()
	eventually(t, func() bool {
		return l.posOf(func(ev Event) bool {
			return ev.ID == id && ev.From == StateInitial && ev.To == StateInitial && ev.StatusText == text
		}) >= 0
	}, "%s never showed %q: %v", id, text, l.all())
}

// before checks that the first event of a to state sa comes before the
// first event of b to state sb, waiting for both (Watch delivers them a
// little after the change).
func (l *eventLog) before(t *testing.T, a string, sa State, b string, sb State) {
	t.Helper()
	l.waitCount(t, a, sa, 1)
	l.waitCount(t, b, sb, 1)
	i, j := l.pos(a, sa), l.pos(b, sb)
	require.Less(t, i, j, "%s went %v after %s went %v: %v", a, sa, b, sb, l.all())
}

func TestDependStarted(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	held := &fakeTimer{hold: true}
	db := addChild(t, o, "db", "sleep")
	heldStart(db, held)
	app := addChild(t, o, "app", "sleep")
	dependOn(app, ConditionStarted, "db")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := goSuperviseAll(ctx, o)

	log.waitText(t, "app", "waiting for db (started)")
	assert.Equal(t, StateInitial, status(t, o, "app").State)
	assert.Equal(t, "waiting for db (started)", status(t, o, "app").StatusText)
	notReturned(t, errc, "SuperviseAll")

	releaseHeld(t, held, 1)
	log.waitCount(t, "app", StateRunning, 1)
	log.before(t, "db", StateRunning, "app", StateStarting)
	assert.Empty(t, status(t, o, "app").StatusText, "StatusText is cleared at the start")
	log.waitText(t, "app", "") // cleared before app's start
	i := log.posOf(func(ev Event) bool { return ev.ID == "app" && ev.To == StateInitial && ev.StatusText == "" })
	assert.Less(t, i, log.pos("app", StateStarting), "cleared after the start: %v", log.all())

	cancel()
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
}

func TestDependCompleted(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	held := &fakeTimer{hold: true}
	migrate := addChild(t, o, "migrate", "out:migrated", "exit:0")
	heldStart(migrate, held)
	app := addChild(t, o, "app", "exit:0")
	dependOn(app, ConditionCompleted, "migrate")

	errc := goSuperviseAll(context.Background(), o)
	log.waitText(t, "app", "waiting for migrate (completed)")
	assert.Equal(t, StateInitial, status(t, o, "app").State)
	releaseHeld(t, held, 1)

	// Both finish; then SuperviseAll returns by itself.
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
	log.before(t, "migrate", StateFinished, "app", StateStarting)
	st := status(t, o, "app")
	assert.Equal(t, StateFinished, st.State)
	assert.Empty(t, st.StatusText)
}

// TestDependParallel: two independent dependencies start together and run
// while the process that depends on them waits for a third.
func TestDependParallel(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	first, second := &fakeTimer{hold: true}, &fakeTimer{hold: true}
	for _, id := range []string{"db", "cache"} {
		heldStart(addChild(t, o, id, "sleep"), first)
	}
	heldStart(addChild(t, o, "migrate", "exit:0"), second)
	app := addChild(t, o, "app", "sleep")
	dependOn(app, ConditionReady, "db", "cache")
	dependOn(app, ConditionCompleted, "migrate")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := goSuperviseAll(ctx, o)

	log.waitText(t, "app", "waiting for db (ready), cache (ready), migrate (completed)")
	releaseHeld(t, first, 2)
	log.waitText(t, "app", "waiting for migrate (completed)")
	for _, id := range []string{"db", "cache"} {
		assert.Equal(t, StateRunning, status(t, o, id).State, id)
	}
	assert.Equal(t, StateInitial, status(t, o, "app").State)
	assert.Equal(t, "waiting for migrate (completed)", status(t, o, "app").StatusText)
	assert.Zero(t, log.count("app", StateStarting), "app started before migrate ran: %v", log.all())

	releaseHeld(t, second, 1)
	log.waitCount(t, "app", StateRunning, 1)
	log.before(t, "migrate", StateFinished, "app", StateStarting)
	log.before(t, "db", StateRunning, "app", StateStarting)
	log.before(t, "cache", StateRunning, "app", StateStarting)
	cancel()
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
}

// TestDependInvalid: a cycle, an unknown id or a process depending on
// itself is refused before anything starts.
func TestDependInvalid(t *testing.T) {
	tests := []struct {
		name     string
		deps     map[string][]string
		mentions []string
	}{
		{"cycle", map[string][]string{"a": {"b"}, "b": {"a"}, "c": nil}, []string{"dependency cycle: a -> b -> a"}},
		{"long cycle", map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, []string{"dependency cycle: a -> b -> c -> a"}},
		{"unknown", map[string][]string{"web": {"db"}, "x": nil}, []string{`web depends on unknown process "db"`}},
		{"itself", map[string][]string{"a": {"a"}}, []string{"a depends on itself"}},
		{"all", map[string][]string{"a": {"b"}, "b": {"a"}, "web": {"db", "a"}}, []string{
			"dependency cycle: a -> b -> a", `web depends on unknown process "db"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newTestOverseer(t)
			log := watchEvents(t, o)
			for id, deps := range tt.deps {
				dependOn(addChild(t, o, id, "sleep"), ConditionStarted, deps...)
			}
			var err error
			within(t, "SuperviseAll", func() { err = o.SuperviseAll(context.Background()) })
			requireErr(t, err, ErrInvalid, "SuperviseAll", tt.mentions...)
			log.close()
			assert.Empty(t, log.all(), "events of a SuperviseAll that started nothing")
			for id := range tt.deps {
				st := status(t, o, id)
				assert.Equal(t, StateInitial, st.State, id)
				assert.Zero(t, st.PID, id)
			}
		})
	}
}

// TestDependAddedLate: a process added while SuperviseAll runs with a bad
// dependency goes fatal alone; a good one waits as usual.
func TestDependAddedLate(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	addChild(t, o, "db", "sleep")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := goSuperviseAll(ctx, o)
	log.waitCount(t, "db", StateRunning, 1)

	bad := NewCmd(childPath, "sleep")
	dependOn(bad, ConditionStarted, "nope")
	require.NoError(t, o.AddCmd("bad", bad))
	st := waitState(t, o, "bad", StateFatal)
	requireErr(t, st.Error, ErrInvalid, "Status.Error", `bad depends on unknown process "nope"`)
	log.waitCount(t, "bad", StateFatal, 1)
	assert.Equal(t, []string{"initial>fatal"}, log.transitions("bad"))

	api := NewCmd(childPath, "sleep")
	dependOn(api, ConditionReady, "db")
	require.NoError(t, o.AddCmd("api", api))
	log.waitCount(t, "api", StateRunning, 1)
	assert.Equal(t, StateRunning, status(t, o, "db").State, "db is not affected")

	cancel()
	err := recvErr(t, errc, "SuperviseAll")
	requireErr(t, err, ErrInvalid, "SuperviseAll", `bad depends on unknown process "nope"`)
}

// TestDependFatal: a dependency that cannot start makes its dependents
// fatal, transitively, and SuperviseAll returns.
func TestDependFatal(t *testing.T) {
	o := newTestOverseer(t)
	useFakeTimer(o, false)
	log := watchEvents(t, o)
	db, err := o.Add("db", "overseer-no-such-program")
	require.NoError(t, err)
	db.MaxRestarts = 1
	app := addChild(t, o, "app", "sleep")
	dependOn(app, ConditionStarted, "db")
	api := addChild(t, o, "api", "sleep")
	dependOn(api, ConditionReady, "app")
	other := addChild(t, o, "other", "exit:0") // unrelated: runs as usual

	err = recvErr(t, goSuperviseAll(context.Background(), o), "SuperviseAll")
	requireErr(t, err, ErrDependency, "SuperviseAll", "app: db is fatal", "api: app is fatal", "overseer-no-such-program")

	st := neverStarted(t, o, log, "app")
	requireErr(t, st.Error, ErrDependency, "app's Status.Error", "overseer: dependency failed: app: db is fatal: ")
	st = neverStarted(t, o, log, "api")
	requireErr(t, st.Error, ErrDependency, "api's Status.Error", "api: app is fatal")
	assert.Equal(t, StateFinished, other.Status().State)
	assert.Equal(t, StateFatal, db.Status().State)
}

// TestDependCompletedFailure: a job that finishes with a failure code fails
// those that wait for its completion; a SuccessCode counts as success; a job
// that finished before SuperviseAll will not be ready or started again.
func TestDependCompletedFailure(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	job := addChild(t, o, "job", "exit:3")
	job.Restart = RestartNever
	app := addChild(t, o, "app", "sleep")
	dependOn(app, ConditionCompleted, "job")

	okJob := addChild(t, o, "okjob", "exit:3")
	okJob.Restart, okJob.SuccessCodes = RestartNever, []int{3}
	okApp := addChild(t, o, "okapp", "exit:0")
	dependOn(okApp, ConditionCompleted, "okjob")

	addChild(t, o, "done", "exit:0")
	require.NoError(t, o.Start("done"))
	waitState(t, o, "done", StateFinished)
	readyApp := addChild(t, o, "readyapp", "sleep")
	dependOn(readyApp, ConditionReady, "done")
	startedApp := addChild(t, o, "startedapp", "sleep")
	dependOn(startedApp, ConditionStarted, "done")

	err := recvErr(t, goSuperviseAll(context.Background(), o), "SuperviseAll")
	requireErr(t, err, ErrDependency, "SuperviseAll",
		"app: job finished with exit code 3",
		"readyapp: done is finished and will not be ready",
		"startedapp: done is finished and will not be started")
	assert.NotContains(t, err.Error(), "okapp")

	for _, id := range []string{"app", "readyapp", "startedapp"} {
		assert.ErrorIs(t, neverStarted(t, o, log, id).Error, ErrDependency, id)
	}
	log.before(t, "okjob", StateFinished, "okapp", StateStarting)
	assert.Equal(t, StateFinished, status(t, o, "okapp").State)
	assert.Equal(t, 1, log.count("done", StateStarting), "done was run again")
}

// TestDependCancel: when ctx is done, the processes that wait stay initial,
// their StatusText cleared.
func TestDependCancel(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	held := &fakeTimer{hold: true}
	heldStart(addChild(t, o, "db", "sleep"), held)
	app := addChild(t, o, "app", "sleep")
	dependOn(app, ConditionReady, "db")

	ctx, cancel := context.WithCancel(context.Background())
	errc := goSuperviseAll(ctx, o)
	log.waitText(t, "app", "waiting for db (ready)")
	cancel()
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))

	st := status(t, o, "app")
	assert.Equal(t, StateInitial, st.State)
	assert.Empty(t, st.StatusText)
	assert.Equal(t, StateInterrupted, status(t, o, "db").State)
	log.close()
	for _, ev := range log.of("app") {
		assert.Equal(t, StateInitial, ev.To, "app: %v", log.all())
	}
}

// TestDependStopped: a dependency stopped by hand while a process waits for
// it is not a failure: the process is not started, stays initial, and
// SuperviseAll returns nil once nothing runs.
func TestDependStopped(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	held := &fakeTimer{hold: true}
	heldStart(addChild(t, o, "db", "sleep"), held)
	app := addChild(t, o, "app", "sleep")
	dependOn(app, ConditionStarted, "db")
	api := addChild(t, o, "api", "sleep")
	dependOn(api, ConditionStarted, "app")

	errc := goSuperviseAll(context.Background(), o)
	log.waitText(t, "app", "waiting for db (started)")
	log.waitText(t, "api", "waiting for app (started)")
	require.NoError(t, o.Stop("db"))
	require.NoError(t, recvErr(t, errc, "SuperviseAll"))
	for _, id := range []string{"app", "api"} {
		st := status(t, o, id)
		assert.Equal(t, StateInitial, st.State, id)
		assert.Empty(t, st.StatusText, id)
	}
}

// TestDependStartIgnores: Start does not wait for dependencies.
func TestDependStartIgnores(t *testing.T) {
	o := newTestOverseer(t)
	addChild(t, o, "db", "sleep")
	app := addChild(t, o, "app", "sleep")
	dependOn(app, ConditionReady, "db")
	require.NoError(t, o.Start("app"))
	assert.Equal(t, StateRunning, status(t, o, "app").State)
	assert.Equal(t, StateInitial, status(t, o, "db").State)
}

// TestStopAllOrder: StopAll stops a before b before c (a depends on b, b on
// c), each once the one before is gone, while d, unrelated, stops at once.
func TestStopAllOrder(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	for _, id := range []string{"a", "b", "c", "d"} {
		addChild(t, o, id, "trapterm:200:bye", "ready", "sleep")
	}
	mustCmd := func(id string) *Cmd {
		c, err := o.Cmd(id)
		require.NoError(t, err)
		return c
	}
	dependOn(mustCmd("a"), ConditionReady, "b")
	dependOn(mustCmd("b"), ConditionStarted, "c", "unknown") // an unknown id is ignored
	for _, id := range []string{"a", "b", "c", "d"} {
		require.NoError(t, o.Start(id))   // Start does not check DependsOn against the others
		waitLine(t, mustCmd(id), "ready") // the trap is set
	}

	within(t, "StopAll", func() { o.StopAll() })
	log.before(t, "a", StateInterrupted, "b", StateStopping)
	log.before(t, "b", StateInterrupted, "c", StateStopping)
	log.before(t, "d", StateStopping, "a", StateInterrupted)
	for _, id := range []string{"a", "b", "c", "d"} {
		assert.Contains(t, mustCmd(id).Status().Stdout, "bye", "%s was not stopped by its StopSignal", id)
	}
}

// TestStopAllCycle: a cycle among processes started by hand does not hold
// StopAll up: they stop in parallel, after what depends on them.
func TestStopAllCycle(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	for _, id := range []string{"a", "b"} {
		addChild(t, o, id, "trapterm:300:bye", "ready", "sleep")
	}
	for _, id := range []string{"c", "z"} {
		addChild(t, o, id, "trapterm:10:bye", "ready", "sleep")
	}
	set := func(id string, deps ...string) {
		c, err := o.Cmd(id)
		require.NoError(t, err)
		dependOn(c, ConditionStarted, deps...)
		require.NoError(t, o.Start(id))
		waitLine(t, c, "ready")
	}
	set("a", "b")
	set("b", "a")
	set("c", "a", "z")
	set("z")
	within(t, "StopAll", func() { o.StopAll() })
	for _, id := range []string{"a", "b", "c", "z"} {
		assert.Equal(t, StateInterrupted, status(t, o, id).State, id)
	}
	// c first, then a and z; b, whose one dependent is in its cycle, at once.
	log.before(t, "c", StateInterrupted, "a", StateStopping)
	log.before(t, "c", StateInterrupted, "z", StateStopping)
	log.before(t, "a", StateStopping, "b", StateInterrupted) // in parallel
	log.before(t, "b", StateStopping, "a", StateInterrupted)
}

// SuperviseAll starts processes in the order they were registered (a
// file's order), not by name.
func TestSuperviseAllStartsInRegistrationOrder(t *testing.T) {
	o := newTestOverseer(t)
	log := watchEvents(t, o)
	ids := []string{"web", "worker", "clock", "alpha"}
	for _, id := range ids {
		addChild(t, o, id, "exit:0").Restart = RestartNever
	}
	require.NoError(t, o.SuperviseAll(context.Background()))
	for i := 1; i < len(ids); i++ {
		log.before(t, ids[i-1], StateStarting, ids[i], StateStarting)
	}
}
