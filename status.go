package overseer

import (
	"fmt"
	"syscall"
	"time"
)

// Status is a snapshot of a Cmd: its state, its current or last run, and the
// output it keeps. For JSON, use JSONProcess: Error is an error value here.
type Status struct {
	// ID is the id of the process, as given to Overseer.Add ("" for a Cmd
	// made with NewCmd).
	ID string
	// State is where the Cmd stands.
	State State
	// PID is the process id of the current or last run, 0 before the first.
	PID int
	// Exit is the exit code of the last run; -1 while it runs, when a signal
	// ended it, and when there is none.
	Exit int
	// Error is nil for a run that is going or ended with an exit code, zero
	// or not. It says why otherwise: the program could not be started (the
	// error names the program or directory), a signal ended it (a
	// *SignalError), it was stopped for its memory (a
	// *MemoryLimitError, see Cmd.MemoryLimit), or it was stopped as
	// unhealthy (a *LivenessError, see Cmd.Liveness).
	Error error
	// Stopped reports that the last run ended because it was asked to
	// (Stop, StopAll, Restart, a cancelled context) or said it was going
	// (STOPPING=1), not by itself: an Error that is the stop signal's
	// *SignalError is then no failure.
	Stopped bool
	// StartTime is when the last run started; StopTime when it ended (zero
	// while it runs).
	StartTime time.Time
	StopTime  time.Time
	// Runtime is how long the last run has run or ran.
	Runtime time.Duration
	// Restarts counts the restarts made under supervision.
	Restarts int
	// StatusText is the last STATUS= the run in progress sent over its
	// notification socket (see Cmd.Notify), or what the Overseer says of a
	// process that waits ("waiting for db (ready)"); "" for none. It is
	// cleared when the run ends.
	StatusText string
	// MainPID is the MAINPID= the run in progress sent over its
	// notification socket, 0 for none. SignalMain and Forward signal it;
	// Stop still ends the whole process group.
	MainPID int
	// Listeners are the addresses of the Cmd's listening sockets as
	// opened, with the port the system chose for port 0 ("tcp://
	// 127.0.0.1:43117"); nil before they are opened.
	Listeners []string
	// StdoutLines and StderrLines count the Lines captured of each stream
	// since the Cmd was made, across runs (Partial pieces count one each).
	StdoutLines uint64
	StderrLines uint64
	// Stdout and Stderr are the Texts of the Lines the Cmd keeps of each
	// stream (see BufferLines), oldest first; each Partial piece of a long
	// line is an entry of its own.
	Stdout []string
	Stderr []string
	// Usage is the last sample of what the run in progress uses (see
	// WithUsageInterval); zero when there is none: at rest, before the
	// first sample, with sampling off. Overseer.Usage reads it afresh.
	Usage Usage
	// Cgroup is the control group of the run in progress, as a path under
	// the cgroup2 mount ("/sys/fs/cgroup/overseer.1234/web.7"); "" when the
	// run is tracked by its process group alone (see WithCgroups).
	Cgroup string
	// Health is what the liveness probe says of the run in progress
	// (see Cmd.Liveness): HealthNone without one, HealthUnknown at rest.
	Health Health
	// NextRun is the next tick of a scheduled Cmd under supervision (see
	// Cmd.Schedule); zero for none.
	NextRun time.Time
	// Skipped counts the ticks of the Schedule that came while a run was
	// in progress, and started nothing.
	Skipped int
}

// SignalError is the Status.Error of a run that a signal ended.
type SignalError struct {
	Signal syscall.Signal // the signal that ended the run
}

// Error says which signal ended the run.
func (e *SignalError) Error() string {
	return fmt.Sprintf("overseer: killed by signal %d (%v)", int(e.Signal), e.Signal)
}

// statusLocked is the Status of c at now, without the output. c.mu is held.
func (c *Cmd) statusLocked(now time.Time) Status {
	st := c.baseStatusLocked()
	st.Runtime = runtimeAt(st.StartTime, st.StopTime, now)
	return st
}

// baseStatusLocked is the Status of c without the output and Runtime.
// c.mu is held.
func (c *Cmd) baseStatusLocked() Status {
	st := Status{
		ID:        c.id,
		State:     c.state,
		PID:       c.pid,
		Exit:      -1,
		Error:     c.err,
		StartTime: c.startTime,
		StopTime:  c.stopTime,
		Restarts:  c.restarts,
		Stopped:   c.stopped,

		StatusText: c.statusText,
		MainPID:    c.mainPID,
		Health:     c.healthLocked(),
	}
	if c.socks != nil {
		for _, a := range c.socks.Bound() {
			st.Listeners = append(st.Listeners, a.String())
		}
	}
	if c.exited {
		st.Exit = c.exit
	}
	st.Skipped = c.skipped
	if c.sup != nil {
		st.NextRun = c.sup.tick
	}
	if c.run != nil {
		st.Usage = c.run.usage.last
		if c.run.cgroup != nil {
			st.Cgroup = c.run.cgroup.Dir()
		}
	}
	return st
}
