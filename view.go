package overseer

import (
	"slices"
	"strings"
	"time"
)

// view is what observers read of a Cmd (Status, ToJSON, ToJSONAll,
// ListGroup, WatchedFiles, SuperviseAll's dependency order): an immutable
// snapshot that whoever changes the Cmd's state publishes, holding c.mu,
// after each change (setState, and every c.unlock). Observers load it
// without any lock, so none of them waits on an exec, a stat, a probe or
// a blocked writer that holds c.mu.
type view struct {
	st      Status // without the output; Runtime is worked out when read
	spec    *spec
	program string // the program file of the last start, resolved; "" before
	busy    bool   // a run is going, supervised, waiting to restart, or rolling
}

// spec is what observers show of a Cmd's exported fields. It is taken from
// the fields only by the caller's own calls, AddCmd and SuperviseAll's
// beginning (for a Cmd at rest), and from the run configuration at each
// start: never read from the fields by a background goroutine.
type spec struct {
	group      string
	cmdline    string // Args joined by spaces
	dir        string
	program0   string // Args[0], "" for none
	watchFiles []string
	dependsOn  []Dependency
	liveness   bool // Liveness.Check is set
}

// fieldSpec reads the spec from c's exported fields. Only the caller's own
// goroutine may call it (AddCmd, SuperviseAll, an unregistered Cmd's
// observers before any start).
func (c *Cmd) fieldSpec() *spec {
	sp := &spec{
		group:      c.Group,
		cmdline:    strings.Join(c.Args, " "),
		dir:        c.Dir,
		watchFiles: slices.Clone(c.WatchFiles),
		dependsOn:  slices.Clone(c.DependsOn),
		liveness:   c.Liveness.Check != nil,
	}
	if len(c.Args) > 0 {
		sp.program0 = c.Args[0]
	}
	return sp
}

// refreshSpec takes the spec of a Cmd never started from its fields again:
// for SuperviseAll, the caller's call that is about to start it, so that
// what was set after Add (DependsOn, Group) counts. A Cmd started before
// keeps the spec of its last start.
func (c *Cmd) refreshSpec() {
	c.mu.Lock()
	if c.state == StateInitial && c.sup == nil {
		c.spec = c.fieldSpec()
	}
	c.unlock()
}

// configSpec is the spec of a run configuration.
func configSpec(cfg *runConfig) *spec {
	return &spec{
		group:      cfg.group,
		cmdline:    cfg.cmdline,
		dir:        cfg.dir,
		program0:   cfg.args[0],
		watchFiles: cfg.watchFiles,
		dependsOn:  cfg.dependsOn,
		liveness:   cfg.liveness.Check != nil,
	}
}

// snapshotLocked publishes the view of c's current state. c.mu is held.
func (c *Cmd) snapshotLocked() {
	sp := c.spec
	if sp == nil {
		sp = c.fieldSpec() // started by hand, never registered: by the caller's Start
		c.spec = sp
	}
	v := &view{st: c.baseStatusLocked(), spec: sp, program: c.program,
		busy: c.state.active() || c.sup != nil || c.next != nil}
	c.view.Store(v)
}

// unlock publishes the view of c's state, then releases c.mu. Every change
// to what observers see is made under c.mu, so every unlock publishes.
func (c *Cmd) unlock() {
	c.snapshotLocked()
	c.mu.Unlock()
}

// load returns the latest view of c. A Cmd never registered nor started
// has published none: its fields are then read, since only its creator
// can reach it.
func (c *Cmd) load() *view {
	if v := c.view.Load(); v != nil {
		return v
	}
	return &view{st: Status{ID: c.id, Exit: -1}, spec: c.fieldSpec()}
}

// status returns the Status of the view at now, without the output.
func (v *view) status(now time.Time) Status {
	st := v.st
	st.Listeners = slices.Clone(st.Listeners)
	st.Runtime = runtimeAt(st.StartTime, st.StopTime, now)
	return st
}

// runtimeAt is how long a run that started at start and stopped at stop
// (zero while it runs) has run at now; never less than nothing, as now may
// come from before a start that raced with the caller (ToJSONAll takes one
// now for all).
func runtimeAt(start, stop, now time.Time) time.Duration {
	switch {
	case start.IsZero():
		return 0
	case stop.IsZero():
		return max(now.Sub(start), 0)
	default:
		return max(stop.Sub(start), 0)
	}
}
