package overseer

import (
	"fmt"
	"os"
	"time"
)

// Usage is what a run uses, all its processes together (the run's control
// group in cgroup mode, else the members of its process group), at one
// time.
type Usage struct {
	// Time is when it was read; zero for no reading (no run, or the
	// system cannot say).
	Time time.Time
	// CPU is the processor time, user and system, the run's processes have
	// had since the run started. In cgroup mode it counts the processes
	// that have already exited too; in process-group mode it is the sum
	// over the members alive now, and what they reaped of their children
	// (so it may drop when a member exits).
	CPU time.Duration
	// CPUPercent is the CPU used over the interval since the previous
	// sample (since the run started, for its first sample), as a
	// percentage of one core (200 is two cores busy). The CPU of
	// process-group mode counts in hundredths of a second: over a short
	// interval the figure is that coarse.
	CPUPercent float64
	// Memory is the resident memory in bytes: memory.current of the
	// run's cgroup where the memory controller is enabled (page cache
	// included, as the kernel charges it), else the sum of the members'
	// resident set sizes.
	Memory uint64
	// Tasks counts the run's processes (zombies left out), Threads their
	// threads.
	Tasks   int
	Threads int
	// FDs counts the open file descriptors of the run's processes; -1
	// when they were not counted: they are in a reading on demand
	// (Overseer.Usage, Cmd.Usage), not in the samples.
	FDs int
}

// usageHistoryLen is how many samples of Usage a Cmd keeps: ten minutes
// at the default interval of five seconds.
const usageHistoryLen = 120

// defaultUsageInterval is how often an Overseer samples the Usage of its
// runs, unless WithUsageInterval says otherwise; it is also how often the
// MemoryLimit of a run is checked with sampling off.
const defaultUsageInterval = 5 * time.Second

// WithUsageInterval sets how often the Overseer samples the Usage of every
// run (Status.Usage, UsageHistory, and the MemoryLimit of runs without the
// memory controller). Zero (or less) turns sampling off: Status.Usage
// stays zero and UsageHistory empty, and a MemoryLimit without the memory
// controller is checked every 5 s all the same. The default is 5 s.
//
// One goroutine samples all the runs, while there is one: it reads /proc
// once per sample for all the runs tracked by their process groups, and
// the files of each control group in cgroup mode. Between samples it
// keeps open the /proc stat file of every process of the runs (and in
// cgroup mode a control group's cpu.stat, cgroup.procs and
// memory.current), to read them again without opening them: a
// descriptor of the host per process, and up to three more per control
// group. A Cmd outside an Overseer (NewCmd, then Start) samples its runs
// every 5 s with a goroutine of its own, which also goes only while a run
// does.
func WithUsageInterval(d time.Duration) Option {
	return func(o *Overseer) { o.usageInterval = max(d, 0) }
}

// Usage reads what the run in progress of process id uses now, FDs
// included. It returns an error wrapping ErrNotFound for an unknown id,
// and one wrapping os.ErrProcessDone when no run is in progress.
func (o *Overseer) Usage(id string) (Usage, error) {
	c, err := o.Cmd(id)
	if err != nil {
		return Usage{}, err
	}
	return c.Usage()
}

// UsageHistory returns the samples of Usage the Overseer keeps of process
// id, oldest first: those of its run in progress, at most the last 120
// (ten minutes at the default interval). It returns an error wrapping
// ErrNotFound for an unknown id.
func (o *Overseer) UsageHistory(id string) ([]Usage, error) {
	c, err := o.Cmd(id)
	if err != nil {
		return nil, err
	}
	return c.UsageHistory(), nil
}

// Usage reads what the run in progress uses now, FDs included; an error
// wrapping os.ErrProcessDone when no run is in progress. Its CPUPercent
// is over the time since the last sample (since the run started, if none
// was taken). It reads /proc (or the run's control group) in the caller's
// goroutine: in process-group mode, the stat of every process of the
// system, as one sample of all the runs does.
func (c *Cmd) Usage() (Usage, error) {
	c.mu.Lock()
	r := c.run
	c.mu.Unlock() // nothing changed: no snapshot to publish
	if r == nil {
		return Usage{}, fmt.Errorf("overseer: usage of %s: %w", c.name(), os.ErrProcessDone)
	}
	pu, err := r.readUsage(true)
	if pu.Time.IsZero() {
		pu.Time = time.Now() // no process: its end is under way
	}
	select {
	case <-r.ended:
		return Usage{}, fmt.Errorf("overseer: usage of %s: %w", c.name(), os.ErrProcessDone)
	default:
	}
	if err != nil {
		return Usage{}, fmt.Errorf("overseer: usage of %s: %w", c.name(), err)
	}
	c.mu.Lock()
	u := r.usage.reading(pu, r.started)
	c.mu.Unlock()
	return u, nil
}

// UsageHistory returns the samples of Usage kept of the run in progress,
// oldest first (see Overseer.UsageHistory); nil with sampling off and at
// rest. A Cmd outside an Overseer keeps them too, sampled every 5 s.
func (c *Cmd) UsageHistory() []Usage {
	c.mu.Lock()
	defer c.mu.Unlock() // nothing changed: no snapshot to publish
	if c.run == nil {
		return nil
	}
	return c.run.usage.history()
}

// ToJSON returns the Usage as JSONProcess gives it: durations in seconds.
func (u Usage) ToJSON() JSONUsage {
	return JSONUsage{Time: u.Time, CPUSeconds: u.CPU.Seconds(), CPUPercent: u.CPUPercent,
		MemoryBytes: u.Memory, Tasks: u.Tasks, Threads: u.Threads, FDs: u.FDs}
}
