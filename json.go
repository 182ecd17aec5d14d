package overseer

import (
	"slices"
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

	Usage  JSONUsage `json:"usage"`  // Status.Usage
	Cgroup string    `json:"cgroup"` // Status.Cgroup, "" in process-group mode

	Health  Health    `json:"health,omitzero"`  // Status.Health; left out without a liveness probe
	NextRun time.Time `json:"nextRun,omitzero"` // Status.NextRun; left out when none
	Skipped int       `json:"skipped,omitzero"` // Status.Skipped
}

// JSONUsage is Usage for JSON: durations in seconds, no sample as zeros
// with a zero time left out.
type JSONUsage struct {
	Time        time.Time `json:"time,omitzero"` // when sampled; left out for no sample
	CPUSeconds  float64   `json:"cpuSeconds"`    // Usage.CPU in seconds
	CPUPercent  float64   `json:"cpuPercent"`    // Usage.CPUPercent
	MemoryBytes uint64    `json:"memoryBytes"`   // Usage.Memory
	Tasks       int       `json:"tasks"`         // Usage.Tasks
	Threads     int       `json:"threads"`       // Usage.Threads
	FDs         int       `json:"fds"`           // Usage.FDs, -1 when not counted
}

// ToJSON returns the Cmd's JSONProcess. It takes no copy of the output and is
// cheap enough to call for every process many times a second; it reads the
// snapshot the Cmd publishes at each change, and takes no lock that a
// start, a stop or a probe holds. Group, Cmd and Dir are those of the last
// start, or as registered before the first (see Cmd).
func (c *Cmd) ToJSON() JSONProcess {
	var jp JSONProcess
	c.fillJSON(&jp, time.Now())
	return jp
}

// fillJSON writes the Cmd's JSONProcess at now into *jp, which is zero.
// It writes field by field, from the snapshot, with no copy of the Status
// in between: ToJSONAll fills a slice of a thousand this way, where
// copying whole structs into it cost as much again while the collector
// runs (each copy of a struct with pointers goes through a write barrier
// over all of it).
func (c *Cmd) fillJSON(jp *JSONProcess, now time.Time) {
	v := c.load() // the published snapshot: no lock, no field of the caller's
	st := &v.st   // immutable: read, never written
	jp.ID = st.ID
	jp.Group = v.spec.group
	jp.Cmd = v.spec.cmdline
	jp.Dir = v.spec.dir
	jp.PID = st.PID
	jp.State = st.State
	jp.Exit = st.Exit
	jp.StartTime = st.StartTime
	jp.StopTime = st.StopTime
	jp.Runtime = runtimeAt(st.StartTime, st.StopTime, now).Seconds()
	jp.Restarts = st.Restarts
	jp.StatusText = st.StatusText
	jp.MainPID = st.MainPID
	jp.Cgroup = st.Cgroup
	jp.Health = st.Health
	jp.NextRun, jp.Skipped = st.NextRun, st.Skipped
	if st.Listeners != nil {
		jp.Listeners = slices.Clone(st.Listeners)
	}
	jp.StdoutLines, jp.StderrLines = c.out.counts()
	if st.Error != nil {
		jp.Error = st.Error.Error()
	}
	if !st.Usage.Time.IsZero() {
		jp.Usage = st.Usage.ToJSON()
	}
}
