package overseer

import "time"

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
	// over the members alive now, and what they reaped of their children.
	CPU time.Duration
	// CPUPercent is the CPU used over the interval since the previous
	// sample, as a percentage of one core (200 is two cores busy); 0 for
	// the first sample of a run.
	CPUPercent float64
	// Memory is the resident memory in bytes: memory.current of the
	// run's cgroup where the memory controller is enabled (page cache
	// included, as the kernel charges it), else the sum of the members'
	// resident set sizes.
	Memory uint64
	// Tasks counts the run's processes, Threads their threads.
	Tasks   int
	Threads int
	// FDs counts the open file descriptors of the run's processes; -1
	// when they were not counted (they are only where it is cheap: see
	// Overseer.Usage).
	FDs int
}

// usageHistoryLen is how many samples of Usage a Cmd keeps: ten minutes
// at the default interval of five seconds.
const usageHistoryLen = 120

// defaultUsageInterval is how often an Overseer samples the Usage of its
// runs, unless WithUsageInterval says otherwise.
const defaultUsageInterval = 5 * time.Second

// WithUsageInterval sets how often the Overseer samples the Usage of every
// run (Status.Usage, UsageHistory, and the MemoryLimit of runs without the
// memory controller). Zero turns sampling off: Status.Usage stays zero and
// UsageHistory empty, and a MemoryLimit without the memory controller is
// checked every 5 s all the same. The default is 5 s.
func WithUsageInterval(d time.Duration) Option {
	return func(o *Overseer) { o.usageInterval = d }
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
// wrapping os.ErrProcessDone when no run is in progress.
func (c *Cmd) Usage() (Usage, error) {
	return Usage{}, nil // TODO(issue 16): the sampler
}

// UsageHistory returns the samples of Usage kept of the run in progress,
// oldest first (see Overseer.UsageHistory); nil with sampling off, at
// rest, and for a Cmd outside an Overseer.
func (c *Cmd) UsageHistory() []Usage {
	return nil // TODO(issue 16): the sampler
}
