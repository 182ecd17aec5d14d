package overseer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Dependency is one entry of Cmd.DependsOn: the process ID, and what of it
// SuperviseAll waits for.
type Dependency struct {
	// ID is the id of the process depended on.
	ID string `json:"id"`
	// Condition is what it waits for; the zero value is ConditionStarted.
	Condition Condition `json:"condition"`
}

// Condition is what a dependent process waits for of the process it depends
// on (see Dependency).
type Condition uint8

// The conditions of a Dependency.
const (
	// ConditionStarted: the process has been started (its program is
	// executing, ready or not, or has executed since SuperviseAll began
	// and was not stopped).
	ConditionStarted Condition = iota
	// ConditionReady: the process is ready (state running; see Cmd.Ready).
	// One that has ended for good (finished, fatal) while they waited
	// fails its dependents, ready once or not: it will not be ready again.
	ConditionReady
	// ConditionCompleted: the process has finished with a success exit
	// code (see Cmd.SuccessCodes), as a setup job does. One that finished
	// with a failure code fails its dependents.
	ConditionCompleted
)

var conditionNames = enumNames{typ: "Condition", names: []string{
	ConditionStarted:   "started",
	ConditionReady:     "ready",
	ConditionCompleted: "completed",
}}

// String returns "started", "ready" or "completed".
func (c Condition) String() string { return conditionNames.String(int(c)) }

// MarshalText encodes the condition as its name.
func (c Condition) MarshalText() ([]byte, error) { return conditionNames.marshal(int(c)) }

// UnmarshalText decodes a condition from its name, as written by
// MarshalText.
func (c *Condition) UnmarshalText(text []byte) error {
	v, err := conditionNames.parse(text)
	if err == nil {
		*c = Condition(v)
	}
	return err
}

// check reports what is wrong with d as a dependency of process self.
func (d Dependency) check(self string) error {
	if err := CheckID(d.ID); err != nil {
		return err
	}
	if self != "" && d.ID == self {
		return fmt.Errorf("%s depends on itself", self)
	}
	if d.Condition > ConditionCompleted {
		return fmt.Errorf("%s: condition %d is not a Condition", d.ID, d.Condition)
	}
	return nil
}

// dependsOn returns c's DependsOn as of its registration, SuperviseAll's
// beginning or its last start (see Cmd): never read from the field, which
// the caller may be writing. The slice is shared: do not modify it.
func (c *Cmd) dependsOn() []Dependency {
	return c.load().spec.dependsOn
}

// depGraph is the DependsOn of a set of processes: graph[id] lists the ids
// id depends on, in DependsOn order, without repeats.
type depGraph map[string][]string

// graphOf returns the dependency graph of cmds.
func graphOf(cmds []*Cmd) depGraph {
	g := make(depGraph, len(cmds))
	for _, c := range cmds {
		var ids []string
		for _, d := range c.dependsOn() {
			if !slices.Contains(ids, d.ID) {
				ids = append(ids, d.ID)
			}
		}
		g[c.id] = ids
	}
	return g
}

// checkDependencies checks the DependsOn of the processes cmds, all
// registered: every entry valid, every id registered, no cycle. It returns
// nil, or every problem joined, each wrapping ErrInvalid and naming the
// processes.
func checkDependencies(cmds []*Cmd) error {
	var errs []error
	for _, c := range cmds {
		errs = append(errs, checkEntries(c, c.dependsOn())...)
	}
	g := graphOf(cmds)
	for _, id := range sortedKeys(g) {
		for _, dep := range g[id] {
			if _, ok := g[dep]; !ok && dep != id && CheckID(dep) == nil {
				errs = append(errs, unknownDependency(id, dep))
			}
		}
	}
	for _, cycle := range g.cycles() {
		errs = append(errs, cycleError(cycle))
	}
	return errors.Join(errs...)
}

// checkEntries checks each entry of deps, the DependsOn of c.
func checkEntries(c *Cmd, deps []Dependency) []error {
	var errs []error
	for _, d := range deps {
		if err := d.check(c.id); err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: DependsOn: %v", ErrInvalid, c.id, err))
		}
	}
	return errs
}

// checkLate checks the DependsOn of c, deps, when c is added while
// SuperviseAll runs: the entries, their ids in registry g, and a cycle
// through c.
func checkLate(c *Cmd, deps []Dependency, g depGraph) error {
	errs := checkEntries(c, deps)
	for _, d := range deps {
		if _, ok := g[d.ID]; !ok && d.ID != c.id && CheckID(d.ID) == nil {
			errs = append(errs, unknownDependency(c.id, d.ID))
		}
	}
	if cycle := g.cycleThrough(c.id); cycle != nil {
		errs = append(errs, cycleError(cycle))
	}
	return errors.Join(errs...)
}

func unknownDependency(id, dep string) error {
	return fmt.Errorf("%w: %s depends on unknown process %q", ErrInvalid, id, dep)
}

func cycleError(cycle []string) error {
	return fmt.Errorf("%w: dependency cycle: %s", ErrInvalid, strings.Join(cycle, " -> "))
}

func sortedKeys(g depGraph) []string {
	ids := make([]string, 0, len(g))
	for id := range g {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// cycles returns the cycles a depth-first search finds in g, one for each
// edge back to a process on the search's path, each as the path around it
// ("a", "b", "a"). Edges to unknown ids and to the process itself (which
// Dependency.check reports) are left out. The search goes in id order, so
// the result is the same for the same graph.
func (g depGraph) cycles() [][]string {
	const (
		unseen = iota
		onPath
		done
	)
	mark := make(map[string]int, len(g))
	var path []string
	var found [][]string
	var visit func(id string)
	visit = func(id string) {
		mark[id] = onPath
		path = append(path, id)
		for _, dep := range g[id] {
			if _, ok := g[dep]; !ok || dep == id {
				continue
			}
			switch mark[dep] {
			case unseen:
				visit(dep)
			case onPath:
				i := slices.Index(path, dep)
				found = append(found, append(slices.Clone(path[i:]), dep))
			}
		}
		path = path[:len(path)-1]
		mark[id] = done
	}
	for _, id := range sortedKeys(g) {
		if mark[id] == unseen {
			visit(id)
		}
	}
	return found
}

// cycleThrough returns a cycle of g through id ("id", …, "id"), or nil if
// there is none.
func (g depGraph) cycleThrough(id string) []string {
	seen := make(map[string]bool)
	var path []string
	var visit func(at string) bool
	visit = func(at string) bool {
		path = append(path, at)
		for _, dep := range g[at] {
			if dep == id && at != id {
				path = append(path, id)
				return true
			}
			if _, ok := g[dep]; ok && !seen[dep] && dep != id {
				seen[dep] = true
				if visit(dep) {
					return true
				}
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if visit(id) {
		return path
	}
	return nil
}

// stopOrder returns, for each of cmds, the processes among cmds that depend
// on it, which StopAll stops first. Edges to unknown ids are ignored, and so
// are those within a cycle (a strongly connected set), so that the
// processes of a cycle stop in parallel instead of waiting for each other.
func stopOrder(cmds []*Cmd) map[*Cmd][]*Cmd {
	g := graphOf(cmds)
	byID := make(map[string]*Cmd, len(cmds))
	for _, c := range cmds {
		byID[c.id] = c
	}
	comp := g.components()
	dependents := make(map[*Cmd][]*Cmd)
	for _, c := range cmds {
		for _, dep := range g[c.id] {
			d, ok := byID[dep]
			if !ok || comp[dep] == comp[c.id] {
				continue
			}
			dependents[d] = append(dependents[d], c)
		}
	}
	return dependents
}

// components numbers the strongly connected components of g (Tarjan's
// algorithm): two ids have the same number when each depends on the other,
// directly or not. Edges to unknown ids are ignored.
func (g depGraph) components() map[string]int {
	index := make(map[string]int, len(g))
	low := make(map[string]int, len(g))
	onStack := make(map[string]bool, len(g))
	comp := make(map[string]int, len(g))
	var stack []string
	next, ncomp := 0, 0
	var visit func(id string)
	visit = func(id string) {
		index[id], low[id] = next, next
		next++
		stack = append(stack, id)
		onStack[id] = true
		for _, dep := range g[id] {
			if _, ok := g[dep]; !ok {
				continue
			}
			if _, seen := index[dep]; !seen {
				visit(dep)
				low[id] = min(low[id], low[dep])
			} else if onStack[dep] {
				low[id] = min(low[id], index[dep])
			}
		}
		if low[id] == index[id] {
			for {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[top] = false
				comp[top] = ncomp
				if top == id {
					break
				}
			}
			ncomp++
		}
	}
	for _, id := range sortedKeys(g) {
		if _, seen := index[id]; !seen {
			visit(id)
		}
	}
	return comp
}

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
	_, err := s.o.supervise(c, false, true, false) // the supervision executes it: a hung exec holds up no other start
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
