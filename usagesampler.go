package overseer

import (
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/overseer-go/overseer/internal/proc"
)

// sampler samples the Usage of live runs: those of an Overseer, or of a
// Cmd outside any. One goroutine does it (loop), going while at least one
// run is registered: the first registration starts it, and the end of the
// last run stops it and waits for it, so that no goroutine is left once
// the runs have ended. At each tick it reads every run once: the runs
// tracked by their process groups all together, in one pass over /proc,
// and each control group by itself.
type sampler struct {
	interval      time.Duration // 0: sampling off, and only the runs with a sampled MemoryLimit are sampled, every limitInterval
	limitInterval time.Duration // defaultUsageInterval (tests shorten it)
	logger        *slog.Logger

	mu      sync.Mutex      // taken under a Cmd's mu (begin), never the other way
	runs    map[*run]bool   // the runs sampled, to whether their samples are published
	loop    *samplingLoop   // the goroutine going, nil when none
	stopped []*samplingLoop // loops told to stop, not yet waited for
	warned  bool            // a failed reading has been logged
}

// samplingLoop is one life of the sampler's goroutine.
type samplingLoop struct {
	stop chan struct{} // closed to end it
	done chan struct{} // closed when it has returned
}

// init sets the sampler up, before any run: interval is
// WithUsageInterval's.
func (s *sampler) init(interval time.Duration, logger *slog.Logger) {
	s.interval, s.limitInterval, s.logger = interval, defaultUsageInterval, logger
}

// usageSampler returns the sampler of c's runs: its Overseer's, or its
// own for a Cmd outside an Overseer, made on first use. c.mu is held.
func (c *Cmd) usageSampler() *sampler {
	if c.owner != nil {
		return &c.owner.usage
	}
	if c.ownUsage == nil {
		c.ownUsage = new(sampler)
		c.ownUsage.init(defaultUsageInterval, c.logger)
	}
	return c.ownUsage
}

// startSampling registers run r, which begins, with its Cmd's sampler, if
// it is to be sampled: with sampling on, or for a MemoryLimit the kernel
// does not enforce. c.mu is held.
func (r *run) startSampling() {
	s := r.cmd.usageSampler()
	limited := r.cfg.limits.MemoryMax > 0
	if dir := r.cgroupDir(); limited && dir != "" {
		// Where the memory controller is, the run's memory.max is the
		// limit, and the kernel enforces it.
		_, charged, err := proc.CgroupMemory(dir)
		limited = err != nil || !charged
	}
	r.usage.limit.sampled = limited
	if s.interval > 0 || limited {
		r.usage.sampler = s
		s.add(r, s.interval > 0)
	}
}

// stopSampling unregisters run r, which has ended, from its sampler. It returns
// once the sampler's goroutine has returned if r was the last run
// sampled. Neither c.mu nor r.sigMu is held.
func (r *run) stopSampling() {
	if s := r.usage.sampler; s != nil {
		s.remove(r)
	}
}

// add registers run r, to be sampled at each tick; its samples are
// published when publish is set. It starts the goroutine if none goes.
// It does not wait: the caller holds r's Cmd's mu.
func (s *sampler) add(r *run, publish bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runs == nil {
		s.runs = make(map[*run]bool)
	}
	s.runs[r] = publish
	if s.loop == nil {
		l := &samplingLoop{stop: make(chan struct{}), done: make(chan struct{})}
		s.loop = l
		every := s.interval
		if every <= 0 {
			every = s.limitInterval
		}
		go s.run(l, every)
	}
}

// remove unregisters run r. If no run is left it stops the goroutine and
// waits for it to return, and for any stopped before it: it must not be
// called under a lock the goroutine takes (a Cmd's mu).
func (s *sampler) remove(r *run) {
	s.mu.Lock()
	delete(s.runs, r)
	if len(s.runs) > 0 || s.loop == nil {
		s.mu.Unlock()
		return
	}
	close(s.loop.stop)
	s.stopped = append(s.stopped, s.loop)
	s.loop = nil
	stopped := s.stopped
	s.mu.Unlock()
	for _, l := range stopped {
		<-l.done
	}
	s.mu.Lock()
	// Forget those waited for; a concurrent remove may have added more.
	s.stopped = s.stopped[min(len(stopped), len(s.stopped)):]
	s.mu.Unlock()
}

// run is the sampler's goroutine: a sample of every registered run every
// interval, until l.stop is closed.
func (s *sampler) run(l *samplingLoop, every time.Duration) {
	defer close(l.done)
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	var t tick
	defer t.sweep.Close()
	defer t.cgroups.Close()
	for {
		select {
		case <-l.stop:
			return
		case <-ticker.C:
			s.tick(&t)
		}
	}
}

// tick is what a sampler's goroutine keeps from one tick to the next, so
// that a tick allocates nothing that a thousand runs would make costly.
type tick struct {
	sweep   proc.GroupSweep
	cgroups proc.CgroupSweep
	runs    []*run
	publish []bool
	pgids   []int        // the process groups to read, in order
	pgRuns  []int        // pgids[i] is the group of runs[pgRuns[i]]
	swept   []proc.Usage // the readings of pgids
	got     []proc.Usage // the readings of runs, by index
	ok      []bool
}

// tick samples every registered run once.
func (s *sampler) tick(t *tick) {
	s.mu.Lock()
	t.runs, t.publish = t.runs[:0], t.publish[:0]
	for r, publish := range s.runs {
		t.runs = append(t.runs, r)
		t.publish = append(t.publish, publish)
	}
	s.mu.Unlock()

	n := len(t.runs)
	t.got, t.ok = resize(t.got, n), resize(t.ok, n)
	t.pgids, t.pgRuns = t.pgids[:0], t.pgRuns[:0]
	begun := false
	for i, r := range t.runs {
		if dir := r.cgroupDir(); dir != "" {
			if !begun {
				// The runs' groups are all in the host's overseer.PID:
				// when nothing in it has run, none is read again.
				t.cgroups.Begin(filepath.Dir(dir))
				begun = true
			}
			var err error
			t.got[i], err = t.cgroups.Read(dir, false)
			t.ok[i] = err == nil
			s.failed(err)
			continue
		}
		t.pgids = append(t.pgids, r.pid)
		t.pgRuns = append(t.pgRuns, i)
	}
	t.cgroups.End()
	if len(t.pgids) > 0 {
		t.swept = resize(t.swept, len(t.pgids))
		err := t.sweep.Sweep(t.pgids, t.swept, false)
		s.failed(err)
		for j, i := range t.pgRuns {
			t.got[i], t.ok[i] = t.swept[j], err == nil
		}
	}
	for i, r := range t.runs {
		// A run without a process (its end is under way) has no sample.
		if t.ok[i] && !t.got[i].Time.IsZero() {
			r.cmd.sampled(r, t.got[i], t.publish[i])
		}
	}
	clear(t.runs) // no run kept alive by the sampler until the next tick
}

// failed logs the first failed reading, if there is a logger: the
// samples of the runs it concerns are skipped.
func (s *sampler) failed(err error) {
	if err == nil || s.logger == nil {
		return
	}
	s.mu.Lock()
	warned := s.warned
	s.warned = true
	s.mu.Unlock()
	if !warned {
		s.logger.Warn("overseer: cannot read what the processes use: no sample", "err", err)
	}
}

// resize returns a slice of n elements, b's array if it is big enough.
func resize[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}
