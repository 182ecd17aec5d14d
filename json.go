package overseer

import "time"

// JSONProcess is a flat view of a process for dashboards and APIs: states and
// errors as strings, instants as time.Time, durations as seconds.
type JSONProcess struct {
	ID        string    `json:"id"`                 // the id given to Add
	Group     string    `json:"group"`              // Cmd.Group
	Cmd       string    `json:"cmd"`                // Args joined by spaces
	Dir       string    `json:"dir"`                // Cmd.Dir
	PID       int       `json:"pid"`                // of the current or last run, 0 before the first
	State     State     `json:"state"`              // the state's name
	Exit      int       `json:"exitCode"`           // Status.Exit: -1 while running, after a signal, or none
	Error     string    `json:"error"`              // Status.Error's text, "" for none
	StartTime time.Time `json:"startTime,omitzero"` // when the last run started; left out before the first
	StopTime  time.Time `json:"stopTime,omitzero"`  // when it ended; left out while it runs
	Runtime   float64   `json:"runTime"`            // Status.Runtime in seconds, never negative
	Restarts  int       `json:"restarts"`           // Status.Restarts

	StdoutLines uint64 `json:"stdoutLines"` // Status.StdoutLines
	StderrLines uint64 `json:"stderrLines"` // Status.StderrLines

	StatusText string   `json:"statusText"` // Status.StatusText
	MainPID    int      `json:"mainPid"`    // Status.MainPID, 0 for none
	Listeners  []string `json:"listeners"`  // Status.Listeners
}

// ToJSON returns the Cmd's JSONProcess. It takes no copy of the output and is
// cheap enough to call for every process many times a second; it reads the
// snapshot the Cmd publishes at each change, and takes no lock that a
// start, a stop or a probe holds. Group, Cmd and Dir are those of the last
// start, or as registered before the first (see Cmd).
func (c *Cmd) ToJSON() JSONProcess {
	return c.toJSON(time.Now())
}

func (c *Cmd) toJSON(now time.Time) JSONProcess {
	v := c.load() // the published snapshot: no lock, no field of the caller's
	st := v.status(now)
	jp := JSONProcess{
		ID:        st.ID,
		Group:     v.spec.group,
		Cmd:       v.spec.cmdline,
		Dir:       v.spec.dir,
		PID:       st.PID,
		State:     st.State,
		Exit:      st.Exit,
		StartTime: st.StartTime,
		StopTime:  st.StopTime,
		Runtime:   st.Runtime.Seconds(),
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
