package overseer

import (
	"strings"
	"time"
)

// JSONProcess is a flat view of a process for dashboards and APIs: states and
// errors as strings, instants as time.Time, durations as seconds.
type JSONProcess struct {
	ID        string    `json:"id"`
	Group     string    `json:"group"`
	Cmd       string    `json:"cmd"` // Args joined by spaces
	Dir       string    `json:"dir"`
	PID       int       `json:"pid"`
	State     State     `json:"state"`
	ExitCode  int       `json:"exitCode"`
	Error     string    `json:"error"` // "" for none
	StartTime time.Time `json:"startTime"`
	StopTime  time.Time `json:"stopTime"`
	RunTime   float64   `json:"runTime"` // seconds
	Restarts  int       `json:"restarts"`
}

// ToJSON returns the Cmd's JSONProcess. It takes no copy of the output and is
// cheap enough to call for every process many times a second.
func (c *Cmd) ToJSON() JSONProcess {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.statusLocked(time.Now())
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
	}
	if st.Error != nil {
		jp.Error = st.Error.Error()
	}
	return jp
}
