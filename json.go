package overseer

import (
	"strings"
	"time"
)

// JSONProcess is a flat view of a process for dashboards and APIs: states and
// errors as strings, instants as time.Time, durations as seconds.
type JSONProcess struct {
	ID        string    `json:"id"`                 // the id given to Add
	Group     string    `json:"group"`              // Cmd.Group
	Cmd       string    `json:"cmd"`                // Args joined by spaces
	Dir       string    `json:"dir"`                // Cmd.Dir
	PID       int       `json:"pid"`                // of the current or last run, 0 before the first
	State     State     `json:"state"`              // the state's name
	ExitCode  int       `json:"exitCode"`           // as Status.Exit: -1 while running, after a signal, or none
	Error     string    `json:"error"`              // Status.Error's text, "" for none
	StartTime time.Time `json:"startTime,omitzero"` // when the last run started; left out before the first
	StopTime  time.Time `json:"stopTime,omitzero"`  // when it ended; left out while it runs
	RunTime   float64   `json:"runTime"`            // Status.Runtime in seconds, never negative
	Restarts  int       `json:"restarts"`           // Status.Restarts

	StdoutLines uint64 `json:"stdoutLines"` // Status.StdoutLines
	StderrLines uint64 `json:"stderrLines"` // Status.StderrLines

	StatusText string   `json:"statusText"` // Status.StatusText
	MainPID    int      `json:"mainPid"`    // Status.MainPID, 0 for none
	Listeners  []string `json:"listeners"`  // Status.Listeners
}

// ToJSON returns the Cmd's JSONProcess. It takes no copy of the output and is
// cheap enough to call for every process many times a second.
func (c *Cmd) ToJSON() JSONProcess {
	return c.toJSON(time.Now())
}

func (c *Cmd) toJSON(now time.Time) JSONProcess {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.statusLocked(now)
	var cmdline, dir, group string
	if c.cfg != nil { // what runs, not what may have been changed since
		cmdline, dir, group = c.cfg.cmdline, c.cfg.dir, c.cfg.group
	} else {
		cmdline, dir, group = strings.Join(c.Args, " "), c.Dir, c.Group
	}
	jp := JSONProcess{
		ID:        c.id,
		Group:     group,
		Cmd:       cmdline,
		Dir:       dir,
		PID:       st.PID,
		State:     st.State,
		ExitCode:  st.Exit,
		StartTime: st.StartTime,
		StopTime:  st.StopTime,
		RunTime:   st.Runtime.Seconds(),
		Restarts:  st.Restarts,

		StatusText: st.StatusText,
		MainPID:    st.MainPID,
		Listeners:  st.Listeners,
	}
	jp.StdoutLines, jp.StderrLines = c.out.counts()
	if st.Error != nil {
		jp.Error = st.Error.Error()
	}
	return jp
}
