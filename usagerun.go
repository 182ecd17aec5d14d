package overseer

import (
	"math"
	"time"

	"github.com/overseer-go/overseer/internal/proc"
)

// runUsage is what a run keeps of its Usage: its samples, and where its
// MemoryLimit check stands. Its fields are guarded by the Cmd's mu, but
// for sampler, written before the run's goroutines start (begin).
type runUsage struct {
	sampler *sampler // the one the run is registered with; nil if none

	last  Usage         // the latest sample: Status.Usage; zero before the first
	ring  []usageSample // the samples, at most usageHistoryLen, grown as they come
	next  int           // once the ring is full, where the next sample goes: the oldest
	limit memoryCheck
}

// usageSample is a sample of Usage as the history keeps it: 40 bytes
// instead of 72 (FDs, always -1 in a sample, is left out), as 120 of them
// per run weigh 4.7 KiB, a third of what an idle run holds besides.
type usageSample struct {
	time       int64 // Unix nanoseconds
	cpu        time.Duration
	memory     uint64
	cpuPercent float32
	tasks      int32
	threads    int32
}

// readUsage reads what run r uses now, from its control group or its
// process group, FDs counted when fds is set.
func (r *run) readUsage(fds bool) (proc.Usage, error) {
	if dir := r.cgroupDir(); dir != "" {
		return proc.CgroupUsage(dir, fds)
	}
	return proc.GroupUsage(r.pid, fds)
}

// cgroupDir is the directory of run r's control group, "" when it is
// tracked by its process group alone.
func (r *run) cgroupDir() string {
	if r.cgroup == nil {
		return ""
	}
	return r.cgroup.Dir()
}

// reading is the Usage of what was read, pu, for a run that started at
// start: its CPUPercent is over the time since the latest sample, or
// since the start.
func (u *runUsage) reading(pu proc.Usage, start time.Time) Usage {
	now := pu.Time
	prevTime, prevCPU := start, time.Duration(0)
	if !u.last.Time.IsZero() {
		prevTime, prevCPU = u.last.Time, u.last.CPU
	}
	return Usage{
		Time:       now,
		CPU:        pu.CPU,
		CPUPercent: cpuPercent(pu.CPU-prevCPU, now.Sub(prevTime)),
		Memory:     pu.Memory,
		Tasks:      pu.Tasks,
		Threads:    pu.Threads,
		FDs:        pu.FDs,
	}
}

// cpuPercent is cpu over wall as a percentage of one core; 0 for no time
// and for less CPU than before (a member gone with its time).
func cpuPercent(cpu, wall time.Duration) float64 {
	if wall <= 0 || cpu <= 0 {
		return 0
	}
	return float64(cpu) / float64(wall) * 100
}

// record makes u the latest sample, and keeps it in the history.
func (u *runUsage) record(s Usage) {
	u.last = s
	compact := usageSample{
		time:       s.Time.UnixNano(),
		cpu:        s.CPU,
		memory:     s.Memory,
		cpuPercent: float32(s.CPUPercent),
		tasks:      int32(min(s.Tasks, math.MaxInt32)),
		threads:    int32(min(s.Threads, math.MaxInt32)),
	}
	if len(u.ring) < usageHistoryLen {
		if len(u.ring) == cap(u.ring) {
			// Grown by hand: append would round 120 up to 128.
			grown := make([]usageSample, len(u.ring), min(max(2*cap(u.ring), 4), usageHistoryLen))
			copy(grown, u.ring)
			u.ring = grown
		}
		u.ring = append(u.ring, compact)
		return
	}
	u.ring[u.next] = compact
	u.next = (u.next + 1) % usageHistoryLen
}

// history returns the samples kept, oldest first.
func (u *runUsage) history() []Usage {
	if len(u.ring) == 0 {
		return nil
	}
	out := make([]Usage, 0, len(u.ring))
	for i := range u.ring {
		s := u.ring[(u.next+i)%len(u.ring)]
		out = append(out, Usage{
			Time:       time.Unix(0, s.time),
			CPU:        s.cpu,
			CPUPercent: float64(s.cpuPercent),
			Memory:     s.memory,
			Tasks:      int(s.tasks),
			Threads:    int(s.threads),
			FDs:        -1,
		})
	}
	return out
}

// publishUsageLocked publishes u as Status.Usage, the one change since
// the view was last published: a copy of the view with u in it, cheaper
// than a new view (snapshotLocked) for every run at every tick. c.mu is
// held, and the view is that of the current state: every change under
// c.mu publishes one before c.mu is released.
func (c *Cmd) publishUsageLocked(u Usage) {
	v := c.view.Load()
	if v == nil {
		c.snapshotLocked()
		return
	}
	nv := *v
	nv.st.Usage = u
	c.view.Store(&nv)
}

// sampled records a sample of run r, what was read of it (pu):
// Status.Usage and the history when publish is set (sampling is on), and
// in any case its MemoryLimit check, which stops the run when it fails.
// The sampler's goroutine calls it; c.mu is not held.
func (c *Cmd) sampled(r *run, pu proc.Usage, publish bool) {
	c.mu.Lock()
	u := r.usage.reading(pu, r.started)
	stop := c.checkMemoryLocked(r, u.Memory)
	if publish {
		r.usage.record(u)
	}
	switch {
	case stop:
		c.unlock() // the state stopping, and Status.Usage
	case publish && c.run == r:
		c.publishUsageLocked(u)
		c.mu.Unlock() // published
	default:
		c.mu.Unlock() // nothing observers see has changed
	}
	if stop {
		r.stopForMemory()
	}
}
