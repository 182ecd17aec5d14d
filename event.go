package overseer

import "time"

// Event is one change of state of one process, as delivered by
// Overseer.Watch.
type Event struct {
	// ID is the id of the process.
	ID string `json:"id"`
	// From and To are the states before and after the change. They are
	// the same (running) when a rolling restart's new run takes over, with
	// its PID, and the same (any state) when StatusText alone changed, or,
	// for a scheduled Cmd, Status.NextRun or Skipped alone.
	From State `json:"from"`
	To   State `json:"to"`
	// Time is when the change happened.
	Time time.Time `json:"time"`
	// PID is the process id of the run concerned, 0 before the first exec.
	PID int `json:"pid"`
	// Exit is the exit code of the run that ended, -1 when there is none
	// (still running, killed by a signal, or never started).
	Exit int `json:"exitCode"`
	// Error is the text of Status.Error after the change, "" for none.
	Error string `json:"error"`
	// Restarts is Status.Restarts after the change.
	Restarts int `json:"restarts"`
	// StatusText is Status.StatusText after the change. A new StatusText
	// alone is published as an Event whose From and To are the same state.
	StatusText string `json:"statusText"`
	// Health is Status.Health after the change. A new Health alone is
	// published as an Event whose From and To are the same state.
	Health Health `json:"health,omitzero"`
	// NextRun is Status.NextRun after the change: the next tick of a
	// scheduled Cmd, zero for none. A new NextRun alone (set when the
	// supervision begins, gone when it ends, moved by a skipped tick) is
	// published as an Event whose From and To are the same state.
	NextRun time.Time `json:"nextRun,omitzero"`
	// Warning, when set, is something the Overseer noticed about the run
	// that is not an error, told once per process with the change it came
	// with. On Linux: a run that exited 0 within ResetAfter, on its own,
	// while processes it started lived on, "seems to have gone to the
	// background" (daemonized), which a supervised program must not do.
	Warning string `json:"warning,omitempty"`
}
