package overseer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// startOrder is the start order of one SuperviseAll call: the processes
// that wait for their DependsOn, and what is known of the others.
type startOrder struct {
	o        *Overseer
	begin    time.Time        // when SuperviseAll began
	waiting  map[*Cmd]*waiter // never started, not all dependencies met yet
	startErr map[*Cmd]error   // processes supervise refused, and why
	order    []*Cmd           // waiting, in the order they came
}

// waiter is a process that waits for its dependencies.
type waiter struct {
	deps []Dependency // its DependsOn when SuperviseAll found it
	text string       // the StatusText set for it, "" for none
}

func newStartOrder(o *Overseer, begin time.Time) *startOrder {
	return &startOrder{o: o, begin: begin, waiting: make(map[*Cmd]*waiter), startErr: make(map[*Cmd]error)}
}

// add takes in c, newly found by SuperviseAll: one never started that has
// dependencies waits for them (advance starts it), any other is supervised
// at once. With late set, c came after SuperviseAll began, and its
// dependencies are checked: bad ones make it fatal (its Status.Error wraps
// ErrInvalid). add returns an error SuperviseAll reports.
func (s *startOrder) add(c *Cmd, late bool) error {
	deps := c.dependsOn()
	c.mu.Lock()
	fresh := c.state == StateInitial && c.sup == nil
	c.unlock()
	if !fresh || len(deps) == 0 {
		return s.start(c)
	}
	if late {
		if err := checkLate(c, deps, graphOf(s.o.cmds())); err != nil {
			s.fail(c, err)
			return nil // reported through c's fatal state
		}
	}
	s.waiting[c] = &waiter{deps: deps}
	s.order = append(s.order, c)
	return nil
}

// start supervises c as SuperviseAll does: a process never started. One
// that cannot be (a bad configuration, a listener that cannot be opened)
// goes from initial to fatal with the reason, so that whoever watches
// learns it at once and by its name; SuperviseAll returns it with the
// other fatal ones.
func (s *startOrder) start(c *Cmd) error {
	_, err := s.o.supervise(context.Background(), c, false, true, false, false) // the supervision executes it: a hung exec holds up no other start
	if err != nil && !errors.Is(err, ErrRunning) && !errors.Is(err, ErrNotFound) {
		s.startErr[c] = err
		if !s.fail(c, err) {
			return err // not made fatal: say it here
		}
	}
	return nil
}

// pending reports whether some process waits.
func (s *startOrder) pending() bool { return len(s.waiting) > 0 }

// advance decides what it can of every waiting process, until nothing
// more can be decided: it starts those whose dependencies are all met,
// makes fatal those with a dependency that will never meet its condition
// (so that their own dependents are decided in turn), gives up those with
// a dependency that was stopped, and shows the others as waiting. It
// returns the errors of the starts.
func (s *startOrder) advance() []error {
	var errs []error
	for changed := true; changed; {
		changed = false
		for _, c := range s.order {
			w := s.waiting[c]
			if w == nil {
				continue
			}
			v := s.decide(c, w)
			if v.kind == verdictWait {
				s.setText(c, w, "waiting for "+strings.Join(v.ids, ", "))
				continue
			}
			changed = true
			delete(s.waiting, c)
			switch v.kind {
			case verdictStart:
				s.setText(c, w, "")
				if err := s.start(c); err != nil {
					errs = append(errs, err)
				}
			case verdictFail:
				s.fail(c, v.err) // clears the StatusText with the change
			default:
				s.setText(c, w, "")
			}
		}
	}
	s.order = slices.DeleteFunc(s.order, func(c *Cmd) bool { return s.waiting[c] == nil })
	if s.pending() && !s.o.anyActive() {
		// Nothing runs, so those left wait on each other: a cycle, which
		// the checks should have made impossible. Do not wait forever.
		for _, c := range s.order {
			delete(s.waiting, c)
			s.fail(c, fmt.Errorf("%w: %s: waits for a dependency that waits for it", ErrDependency, c.id))
		}
		s.order = nil
	}
	return errs
}

// abandon ends the waits without starting anything (ctx is done): the
// waiting processes stay initial, with no StatusText.
func (s *startOrder) abandon() {
	for _, c := range s.order {
		if w := s.waiting[c]; w != nil {
			s.setText(c, w, "")
		}
	}
	clear(s.waiting)
	s.order = nil
}

type verdictKind int

const (
	verdictWait   verdictKind = iota // some dependency is not met yet; ids lists them, "db (ready)"
	verdictStart                     // every dependency is met
	verdictFail                      // a dependency will never be met; err says why
	verdictGiveUp                    // a dependency was stopped, or the process left the wait
)

type verdict struct {
	kind verdictKind
	ids  []string
	err  error
}

// decide returns what is to become of c, which waits for w.deps.
func (s *startOrder) decide(c *Cmd, w *waiter) verdict {
	if !s.o.has(c) {
		return verdict{kind: verdictGiveUp}
	}
	c.mu.Lock()
	fresh := c.state == StateInitial && c.sup == nil
	c.unlock()
	if !fresh {
		return verdict{kind: verdictGiveUp} // started by hand, or made fatal
	}
	var waitFor []string
	for _, d := range w.deps {
		dep, err := s.o.Cmd(d.ID)
		if err != nil {
			return verdict{kind: verdictFail, err: fmt.Errorf("%w: %s: %s is not registered any more", ErrDependency, c.id, d.ID)}
		}
		switch met, err := s.check(d, dep); {
		case errors.Is(err, errStopped):
			return verdict{kind: verdictGiveUp}
		case err != nil:
			return verdict{kind: verdictFail, err: fmt.Errorf("%w: %s: %w", ErrDependency, c.id, err)}
		case !met:
			if what := d.ID + " (" + d.Condition.String() + ")"; !slices.Contains(waitFor, what) {
				waitFor = append(waitFor, what)
			}
		}
	}
	if len(waitFor) > 0 {
		return verdict{kind: verdictWait, ids: waitFor}
	}
	return verdict{kind: verdictStart}
}

// errStopped is check's answer for a dependency that was stopped (or
// killed by a signal) and is not coming back: its dependents are not
// started, and are no failure either.
var errStopped = errors.New("stopped")

// check reports whether dep meets d's condition (true), may still meet it
// (false, nil), or never will (an error saying why, or errStopped).
func (s *startOrder) check(d Dependency, dep *Cmd) (bool, error) {
	dep.mu.Lock()
	state, pid, start := dep.state, dep.pid, dep.startTime
	exited, exit, depErr := dep.exited, dep.exit, dep.err
	success := exited && dep.cfg != nil && dep.cfg.success(exit)
	atRest := !state.active() && dep.sup == nil
	health := dep.healthLocked()
	dep.unlock()

	switch d.Condition {
	case ConditionStarted:
		// Executing now or since SuperviseAll began, unless a stop has
		// been asked for: the host takes it down, so it starts nothing.
		ran := pid != 0 && !start.Before(s.begin)
		if state == StateRunning || (ran && state != StateInitial && state != StateStopping && state != StateInterrupted) {
			return true, nil
		}
	case ConditionReady:
		if state == StateRunning {
			return true, nil
		}
	case ConditionCompleted:
		if state == StateFinished && success {
			return true, nil
		}
	case ConditionHealthy:
		// Without a liveness probe, ready is healthy.
		if state == StateRunning && (health == HealthHealthy || health == HealthNone) {
			return true, nil
		}
	}
	if !atRest || s.waiting[dep] != nil {
		return false, nil
	}
	// At rest, and not to be started by this SuperviseAll.
	switch state {
	case StateInterrupted:
		return false, errStopped
	case StateInitial:
		if err := s.startErr[dep]; err != nil {
			return false, fmt.Errorf("%s could not be started: %w", dep.id, err)
		}
		return false, errStopped // given up itself
	case StateFatal:
		if depErr == nil {
			return false, fmt.Errorf("%s is fatal", dep.id)
		}
		return false, fmt.Errorf("%s is fatal: %w", dep.id, depErr)
	case StateFinished:
		if d.Condition == ConditionCompleted {
			return false, fmt.Errorf("%s finished with exit code %d", dep.id, exit)
		}
		return false, fmt.Errorf("%s is finished and will not be %v", dep.id, d.Condition)
	}
	return false, fmt.Errorf("%s is %v and will not be %v", dep.id, state, d.Condition)
}

// setText sets the StatusText of waiting process c to text, only over the
// text set before (not over one its run sent), and, but to clear it, only
// while c still waits (initial, not supervised).
func (s *startOrder) setText(c *Cmd, w *waiter, text string) {
	if w.text == text {
		return
	}
	c.mu.Lock()
	defer c.unlock()
	if c.statusText == w.text && (text == "" || c.state == StateInitial && c.sup == nil) {
		c.setStatusTextLocked(text)
	}
	w.text = text
}

// fail makes c, never started, fatal for err, if it is still registered,
// initial and not supervised, and reports whether it did.
func (s *startOrder) fail(c *Cmd, err error) bool {
	o := s.o
	o.mu.Lock()
	if o.procs[c.id] != c {
		o.mu.Unlock()
		return false
	}
	c.mu.Lock()
	o.mu.Unlock()
	defer c.unlock()
	if c.state != StateInitial || c.sup != nil {
		return false
	}
	c.err = err
	c.stopTime = time.Now()
	c.statusText = "" // the fatal event says why, with Error
	c.setState(StateFatal)
	return true
}
