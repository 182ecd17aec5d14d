package overseer

import "time"

// State is where a Cmd stands in its life cycle.
//
// Every change of state goes through one function that checks it against
// this table; a change that is not in it is a bug in the package, logged and
// refused (the state is kept), never applied silently.
//
//	from                                  what happens                                  to
//	initial, finished, interrupted, fatal Start / Restart / a tick of the Schedule      starting
//	initial                               SuperviseAll: a dependency failed or is bad   fatal
//	starting                              exec succeeded and Ready passed (at once       running
//	                                      without Ready)
//	starting                              exec failed, a restart is allowed             backoff
//	starting                              exec failed, no restart left                  fatal
//	starting                              the run ended before it was ready             as running's end, below
//	starting                              ReadyTimeout passed or the probe failed       stopping
//	running                               an exit the policy does not restart           finished (interrupted if a signal killed it)
//	running                               an exit the policy restarts, a restart left   backoff
//	running                               a failure with no restart left                fatal
//	running                               a rolling restart's new run is ready          running (the new PID)
//	running                               the run sent STOPPING=1                       stopping
//	backoff                               the delay is over                             starting
//	starting, running                     Stop / StopAll / ctx                          stopping
//	backoff                               Stop / StopAll / ctx                          interrupted
//	stopping                              the process group is gone after Stop          interrupted
//	stopping                              gone, not ready: a failure for the policy     backoff, or fatal with no restart left
//	stopping                              gone after STOPPING=1: not a failure          finished (interrupted after a signal),
//	                                                                                    or backoff under RestartAlways
//
// The same as a diagram:
//
//	initial ──► starting ──► running ──► finished
//	   ▲           │  ▲         │  │
//	   │           │  └─backoff◄┘  └──► interrupted ◄── stopping ◄── (Stop)
//	   │           └──► fatal ◄─────────────┘ (no restart left)
//	   └── finished, interrupted and fatal can be started again
//
//	initial ──► fatal: under SuperviseAll, a dependency failed or is bad
//	starting ──► stopping: not ready within ReadyTimeout; running ──► running:
//	a rolling restart's new run took over; running ──► stopping: STOPPING=1
//
// Finished, interrupted and fatal are final (see IsFinal); each can be
// started again, as a new run with a new PID.
type State uint8

// The states of a Cmd. The zero value is StateInitial.
const (
	// StateInitial: never started.
	StateInitial State = iota
	// StateStarting: a start was requested and the program is not yet
	// executing, or it is and its Ready probe has not passed yet.
	StateStarting
	// StateRunning: the program is executing.
	StateRunning
	// StateStopping: a stop was requested (or the run was not ready in
	// time, or said STOPPING=1); waiting for the process group to
	// go.
	StateStopping
	// StateBackoff: the run ended and a restart is scheduled.
	StateBackoff
	// StateFinished: the run ended by itself; its exit code, zero or not, is
	// in Status.Exit.
	StateFinished
	// StateInterrupted: the run was ended by Stop or by a signal.
	StateInterrupted
	// StateFatal: the program could not be started, or the restart policy
	// gave up.
	StateFatal
)

var stateNames = enumNames{typ: "State", names: []string{
	StateInitial:     "initial",
	StateStarting:    "starting",
	StateRunning:     "running",
	StateStopping:    "stopping",
	StateBackoff:     "backoff",
	StateFinished:    "finished",
	StateInterrupted: "interrupted",
	StateFatal:       "fatal",
}}

// String returns the state's name: "initial", "starting", "running",
// "stopping", "backoff", "finished", "interrupted" or "fatal".
func (s State) String() string { return stateNames.String(int(s)) }

// IsFinal reports whether s is a state a run ends in for good: finished,
// interrupted or fatal.
func (s State) IsFinal() bool {
	return s == StateFinished || s == StateInterrupted || s == StateFatal
}

// active reports whether a run is in progress or scheduled in state s, so
// that the Cmd cannot be started again or reconfigured.
func (s State) active() bool {
	return s == StateStarting || s == StateRunning || s == StateStopping || s == StateBackoff
}

// MarshalText encodes the state as its name.
func (s State) MarshalText() ([]byte, error) { return stateNames.marshal(int(s)) }

// UnmarshalText decodes a state from its name, as written by MarshalText.
func (s *State) UnmarshalText(text []byte) error { return unmarshalEnum(stateNames, s, text) }

// transitions is the table in State's doc comment: transitions[from] is the
// set of states that may follow from, as a bit mask.
var transitions = [...]uint16{
	StateInitial:     bits(StateStarting, StateFatal),
	StateStarting:    bits(StateRunning, StateBackoff, StateFatal, StateStopping, StateFinished, StateInterrupted),
	StateRunning:     bits(StateFinished, StateInterrupted, StateBackoff, StateFatal, StateStopping, StateRunning),
	StateStopping:    bits(StateInterrupted, StateFinished, StateBackoff, StateFatal),
	StateBackoff:     bits(StateStarting, StateInterrupted),
	StateFinished:    bits(StateStarting),
	StateInterrupted: bits(StateStarting),
	StateFatal:       bits(StateStarting),
}

func bits(states ...State) uint16 {
	var m uint16
	for _, s := range states {
		m |= 1 << s
	}
	return m
}

// canTransition reports whether the table allows a change from one state to
// another.
func canTransition(from, to State) bool {
	return int(from) < len(transitions) && transitions[from]&(1<<to) != 0
}

// setState moves the Cmd to state to, if the transition table allows it,
// and publishes the change. c.mu must be held.
func (c *Cmd) setState(to State) {
	from := c.state
	if !canTransition(from, to) {
		if c.onIllegal != nil {
			c.onIllegal(from, to)
		}
		if c.logger != nil {
			c.logger.Error("overseer: illegal state transition refused", "id", c.id, "from", from, "to", to)
		}
		return
	}
	c.state = to
	if to.IsFinal() {
		c.detachIfDone() // in the same step: whoever sees the event may start it again
	}
	c.publishLocked(from)
}

// publishLocked sends the event of a change from state from to the current
// state: of state, or of the StatusText alone when they are the same.
// c.mu is held.
func (c *Cmd) publishLocked(from State) {
	c.snapshotLocked() // observers see the change before the event is out
	if c.onEvent == nil {
		return
	}
	ev := Event{ID: c.id, From: from, To: c.state, Time: time.Now(), PID: c.pid, Exit: -1, Restarts: c.restarts, StatusText: c.statusText, Health: c.healthLocked()}
	if c.exited { // reset when a run starts: this is the exit of the run that ended
		ev.Exit = c.exit
	}
	if c.err != nil {
		ev.Error = c.err.Error()
	}
	ev.Warning = c.warning
	if c.sup != nil {
		ev.NextRun = c.sup.tick
	}
	c.onEvent(ev)
}

// setStatusTextLocked sets Status.StatusText and publishes it, if it
// changed. c.mu is held.
func (c *Cmd) setStatusTextLocked(text string) {
	if c.statusText == text {
		return
	}
	c.statusText = text
	c.publishLocked(c.state)
}
