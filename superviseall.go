package overseer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/overseer-go/overseer/internal/proc"
)

// Start starts process id and supervises it in the background: it is
// restarted under its policy until it is done for good or stopped. When
// Start returns, the first run has been started (its PreStart commands
// run first), unless the Cmd has a StartDelay, or a Schedule (its first
// run comes at its first tick, unless RunOnStart): Status shows its pid,
// or the failure to start it, which the
// restart policy handles like any failed run. Start returns only registry
// errors: ErrNotFound, ErrRunning when the process is already running or
// supervised, ErrInvalid for an unusable configuration (and off Unix an
// error wrapping errors.ErrUnsupported). What happens to the
// runs is reported through states, events and Status. Start does not wait
// for the process's DependsOn: only SuperviseAll does.
func (o *Overseer) Start(id string) error {
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	_, err = o.supervise(context.Background(), c, false, false, true, false)
	return err
}

// Supervise starts process id and keeps it going under its restart policy,
// and blocks until it is done for good (finished, interrupted or fatal) or
// ctx is done, in which case it stops the process first. It returns nil for
// a finish and for a requested stop (Stop, StopAll, ctx); for a process that
// ended fatal it returns the reason (Status.Error). A scheduled Cmd (see
// Cmd.Schedule) is done for good only once its Schedule has no tick left;
// its state between ticks is its last run's. Supervise does not wait
// for the process's DependsOn: only SuperviseAll does.
func (o *Overseer) Supervise(ctx context.Context, id string) error {
	if ctx == nil {
		return fmt.Errorf("%w: Supervise: nil context", ErrInvalid)
	}
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	sup, err := o.supervise(ctx, c, false, false, true, false) // a ctx done during its PreStart commands stops it
	if err != nil {
		return err
	}
	select {
	case <-sup.done:
	case <-ctx.Done():
		c.Stop()
	}
	if st := c.Status(); st.State == StateFatal {
		return st.Error
	}
	return nil
}

// supervise begins the supervision of c, if c is still registered: the
// check and the start are one step under o.mu, so that a concurrent Remove
// cannot leave a process supervised outside the registry.
//
// With fresh set it begins only for a process never started, and reports
// ErrRunning for the others: SuperviseAll starts what is new and waits for
// what runs, but does not run again what has already ended.
//
// A scheduled Cmd's first run waits for its first tick, unless RunOnStart
// or runNow (Restart) says to start it at once. With wait it returns once
// the first run's program is executed (its PreStart commands done), or
// once ctx is done.
func (o *Overseer) supervise(ctx context.Context, c *Cmd, restart, fresh, wait, runNow bool) (*supervision, error) {
	if err := proc.Supported(); err != nil { // off Unix: see internal/proc's unsupported_other.go
		return nil, fmt.Errorf("overseer: %s: %w", c.id, err)
	}
	o.mu.Lock()
	if o.procs[c.id] != c {
		o.mu.Unlock()
		return nil, notFound(c.id)
	}
	c.mu.Lock()
	// Registered, and c is locked: the registry's lock can go.
	o.mu.Unlock()
	if c.state.active() || c.sup != nil || (fresh && c.state != StateInitial) {
		err := fmt.Errorf("%w: %s is %v", ErrRunning, c.id, c.state)
		c.unlock()
		return nil, err
	}
	cfg, err := c.config()
	if err == nil {
		err = c.openSocketsLocked(&cfg) // before anything starts, so Start says why
	}
	if err != nil {
		c.unlock()
		return nil, err
	}
	sup := newSupervision(c)
	c.sup = sup
	if cfg.schedule != nil && !sup.beginSchedule(cfg.schedule, cfg.runOnStart || runNow) {
		go sup.firstTick()       // no run until the first tick
		c.publishLocked(c.state) // NextRun is set: an Event of the same state says so
		c.unlock()
		o.notify()
		return sup, nil
	}
	kind := notRestart
	if restart {
		kind = requestedRestart
	}
	// The first run is prepared here, so that the state is starting when
	// this returns; the supervision's goroutine executes it. With a
	// StartDelay it prepares it after the delay.
	var first *launch
	launched := cfg.startDelay == 0
	if launched {
		first, _ = c.prepareLaunchWithLocked(kind, cfg, nil) // a failure is in the state
	} else {
		if restart {
			c.countRestartLocked(kind)
		}
		c.setState(StateStarting) // the StartDelay has begun
	}
	go sup.loop(cfg.startDelay, first, launched)
	c.unlock()
	o.notify()
	if wait && first != nil {
		select {
		case <-first.execd: // as with exec.Cmd, the process runs when Start returns
		case <-ctx.Done(): // the caller stops it: its PreStart commands may hang
		}
	}
	return sup, nil
}

// SuperviseAll supervises every registered process that was never started,
// and every process added while it runs; one already started (with Start,
// say) is waited for while it runs, and not run again once it has ended. It returns when ctx is done, after stopping every process, or when
// every process is done for good, counting those started or restarted while
// it runs; with nothing registered it returns at once. A scheduled process
// is done for good only once its Schedule has no tick left.
//
// It starts the processes in the order of their DependsOn, those that do
// not depend on each other in parallel, in the order they were registered. A process whose dependencies are
// not all met yet stays initial, its StatusText saying what it waits for
// ("waiting for db (ready), cache (started)"), and is started once they are. When one of them
// will never meet its condition (fatal, finished with a failure exit code
// for ConditionCompleted, ended without being ready for ConditionReady,
// …), the process goes from initial to fatal, its Status.Error wrapping
// ErrDependency, and so do the processes that wait for it in turn. Once
// started, a process whose Dependency has Restart set is restarted after
// each restart of that dependency, once it meets its condition again
// (see Dependency.Restart). A
// process that cannot be started at all (an unusable configuration, a
// listener that cannot be opened) goes from initial to fatal too, with the
// reason. When one
// of them is stopped (interrupted), the process is not started and stays
// initial. A dependency cycle, an unknown id or a bad entry among the
// registered processes is an error wrapping ErrInvalid, returned before
// anything is started; in a process added while SuperviseAll runs, it makes
// that process fatal alone. When ctx is done, the processes still waiting
// stay initial.
//
// It returns nil unless some process ended fatal; then it returns their
// reasons joined (errors.Join), so that a host can exit non-zero. It installs
// no signal handler: the host decides which signals end it (see the
// package example, with signal.NotifyContext).
func (o *Overseer) SuperviseAll(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w: SuperviseAll: nil context", ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return nil // nothing is started for a context that is already done
	}
	begin := time.Now()
	registered := o.cmds()
	for _, c := range registered {
		c.refreshSpec()
	}
	if err := checkDependencies(registered); err != nil {
		return err // before anything starts
	}
	checked := make(map[*Cmd]bool, len(registered))
	for _, c := range registered {
		checked[c] = true
	}
	order := newStartOrder(o, begin)
	restarts := newDepRestarts(o, order)
	defer restarts.wait() // the restarts it began end with it (StopAll ends them when ctx is done)
	seen := make(map[*Cmd]bool)
	var errs []error
	for {
		changed := o.changes()
		// In the order they were registered, as a file lists them.
		for _, c := range slices.SortedFunc(slices.Values(o.cmds()), func(a, b *Cmd) int { return cmp.Compare(a.added.Load(), b.added.Load()) }) {
			if seen[c] {
				continue
			}
			seen[c] = true
			if err := order.add(c, !checked[c]); err != nil {
				errs = append(errs, err)
			}
		}
		errs = append(errs, order.advance()...)
		restarts.advance(seen)
		if !order.pending() && !o.anyActive() {
			break
		}
		select {
		case <-changed:
			continue
		case <-ctx.Done():
			o.StopAll()
			order.abandon()
		}
		break
	}
	for c := range seen {
		// A process fatal since before this call is not this call's failure.
		if st := c.Status(); st.State == StateFatal && !st.StopTime.Before(begin) && o.has(c) {
			errs = append(errs, st.Error)
		}
	}
	return errors.Join(errs...)
}
