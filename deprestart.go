package overseer

import (
	"sync"
	"time"
)

// depRestarts acts on Dependency.Restart for one SuperviseAll call: when a
// process that others depend on with Restart set has a new run (after a
// crash, a liveness stop, a Restart: any end), each such dependent that
// is supervised and was started is restarted, as by Overseer.Restart,
// once the dependency meets the Condition again. SuperviseAll's loop owns
// it: advance runs at each change the loop wakes for (no polling), and
// the loop waits for the restarts it began (wait) before it returns.
type depRestarts struct {
	o     *Overseer
	order *startOrder // for the conditions, as the start order checks them
	// runs holds, for each dependent started, the StartTime of the run of
	// each dependency (by id) it was last started or restarted with.
	runs map[*Cmd]map[string]time.Time
	wg   sync.WaitGroup // the restarts in progress

	mu   sync.Mutex
	busy map[*Cmd]bool // a restart in progress
}

func newDepRestarts(o *Overseer, order *startOrder) *depRestarts {
	return &depRestarts{o: o, order: order, runs: make(map[*Cmd]map[string]time.Time), busy: make(map[*Cmd]bool)}
}

// advance restarts the dependents among the registered processes that
// SuperviseAll has seen whose dependency, with Restart set, has a new run
// that meets the Condition. A dependent whose restart is in progress is
// looked at again when it is done.
func (d *depRestarts) advance(seen map[*Cmd]bool) {
	for _, c := range d.o.cmds() {
		if !seen[c] || d.order.waiting[c] != nil {
			continue // not taken in yet, or not started yet
		}
		var deps []Dependency
		for _, dep := range c.dependsOn() {
			if dep.Restart {
				deps = append(deps, dep)
			}
		}
		if len(deps) == 0 {
			continue
		}
		runs := d.runs[c]
		if runs == nil {
			// Started: with the runs its dependencies have now.
			runs = make(map[string]time.Time, len(deps))
			for _, dep := range deps {
				if depCmd, err := d.o.Cmd(dep.ID); err == nil {
					runs[dep.ID] = depCmd.load().st.StartTime
				}
			}
			d.runs[c] = runs
			continue
		}
		d.mu.Lock()
		busy := d.busy[c]
		d.mu.Unlock()
		if busy {
			continue
		}
		restart := false
		for _, dep := range deps {
			depCmd, err := d.o.Cmd(dep.ID)
			if err != nil {
				continue
			}
			start, prev := depCmd.load().st.StartTime, runs[dep.ID]
			if start.Equal(prev) {
				continue // the same run
			}
			if prev.IsZero() {
				runs[dep.ID] = start // its first run: a start, not a restart
				continue
			}
			if met, _ := d.order.check(dep, depCmd); !met {
				continue // not yet: looked at again at the next change
			}
			runs[dep.ID] = start
			restart = true
		}
		if restart {
			d.restart(c)
		}
	}
}

// restart restarts c in the background, if it is still supervised, and
// wakes the loop when done.
func (d *depRestarts) restart(c *Cmd) {
	d.mu.Lock()
	d.busy[c] = true
	d.mu.Unlock()
	d.wg.Go(func() {
		err := d.o.restart(c, nil, true)
		if err != nil && d.o.logger != nil {
			d.o.logger.Warn("overseer: restart with a dependency", "id", c.id, "err", err)
		}
		d.mu.Lock()
		delete(d.busy, c)
		d.mu.Unlock()
		d.o.notify() // a dependency may have restarted again meanwhile
	})
}

// wait waits for the restarts in progress.
func (d *depRestarts) wait() { d.wg.Wait() }
