package overseer

import (
	"errors"
	"fmt"
)

// ErrMemoryLimit reports a run ended for using more memory than its
// MemoryLimit: the Status.Error of such a run wraps it.
var ErrMemoryLimit = errors.New("overseer: memory limit exceeded")

// MemoryLimitError is the Status.Error of a run that the Overseer stopped
// because its sampled Usage.Memory was above its MemoryLimit in two
// samples in a row (see Cmd.MemoryLimit). It wraps ErrMemoryLimit.
type MemoryLimitError struct {
	Name   string // the process's id, or its program for a Cmd outside an Overseer
	Memory uint64 // the Usage.Memory of the second sample above the limit, in bytes
	Limit  int64  // the MemoryLimit, in bytes
}

// Error says how much memory the run used, and its limit: "overseer: web:
// memory 212.3 MiB above its limit 200 MiB (two samples in a row)".
func (e *MemoryLimitError) Error() string {
	return fmt.Sprintf("overseer: %s: memory %s above its limit %s (two samples in a row)",
		e.Name, formatMiB(e.Memory), formatMiB(uint64(e.Limit)))
}

// Unwrap returns ErrMemoryLimit.
func (e *MemoryLimitError) Unwrap() error { return ErrMemoryLimit }

// formatMiB writes n bytes in MiB, with one decimal unless it is a whole
// number of MiB.
func formatMiB(n uint64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// memoryCheck is where the sampled MemoryLimit check of a run stands.
type memoryCheck struct {
	sampled bool  // the limit is checked on samples: there is one, and the kernel does not enforce it
	over    int   // samples in a row above the limit
	err     error // *MemoryLimitError once the run is stopped for its memory
}

// overLimit counts a sample of memory bytes against limit, and reports
// whether it is the second in a row above it.
func (m *memoryCheck) overLimit(memory uint64, limit int64) bool {
	if memory <= uint64(limit) {
		m.over = 0
		return false
	}
	m.over++
	return m.over >= 2
}

// checkMemoryLocked checks the sample of memory bytes of run r against its
// MemoryLimit, and reports whether the caller must stop the run: it is
// the Cmd's current run, its second sample in a row above the limit, and
// it is not being stopped already. The state becomes stopping, and the
// run's end records the reason. c.mu is held.
func (c *Cmd) checkMemoryLocked(r *run, memory uint64) bool {
	m := &r.usage.limit
	if !m.sampled || m.err != nil || !m.overLimit(memory, r.cfg.limits.MemoryMax) {
		return false
	}
	if c.run != r || r.stopRequested || r.selfStopping {
		return false // the retired run of a rolling restart, or one going already
	}
	m.err = &MemoryLimitError{Name: c.name(), Memory: memory, Limit: r.cfg.limits.MemoryMax}
	if c.logger != nil {
		c.logger.Warn("overseer: memory above the limit: stopping", "id", c.id, "pid", r.pid,
			"memory", memory, "limit", r.cfg.limits.MemoryMax)
	}
	if c.state == StateRunning || c.state == StateStarting {
		c.setState(StateStopping)
	}
	return true
}

// stopForMemory ends run r as Stop does, by its graceful stop (see
// beginStop), without waiting: the sampler's goroutine calls it.
func (r *run) stopForMemory() {
	r.beginStop()
}

// stoppedForLocked is what runEnded makes of run r, stopped by the
// Overseer for reason (its memory, its liveness): the run failed, with
// reason as its error, and ends fatal unless the policy restarts it. How
// the run ended comes after the reason, unless it is the stop signal it
// was sent, which says nothing more. c.mu is held.
func (c *Cmd) stoppedForLocked(r *run, reason error) (failed bool, next State) {
	var se *SignalError
	if c.err == nil || errors.As(c.err, &se) && se.Signal == r.cfg.stopSignal {
		c.err = reason
	} else {
		c.err = fmt.Errorf("%w (%w)", reason, c.err) // it caught the stop signal and exited, say
	}
	return true, StateFatal
}
