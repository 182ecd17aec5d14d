//go:build linux

package benchmarks

import (
	"context"
	"strconv"
	"time"

	"github.com/overseer-go/overseer"
)

// CrashLoop runs job.N children that fail at once (Argv must exit with a
// non-zero code) under RestartAlways with unlimited restarts and the
// default backoff, and measures the host CPU they cost over job.Window, as
// a share of one core (Figures.IdleCPU, per second), and the restarts done.
func CrashLoop(ctx context.Context, job Job) (Figures, error) {
	f := Figures{Contender: job.Contender, N: job.N}
	o := overseer.NewOverseer()
	for i := range job.N {
		c := overseer.NewCmd(job.Argv[0], job.Argv[1:]...)
		c.Restart, c.MaxRestarts = overseer.RestartAlways, -1
		id := "p" + strconv.Itoa(i)
		if err := o.AddCmd(id, c); err != nil {
			return f, err
		}
	}
	window := time.Duration(job.Window)
	cpu, begin := HostCPU(), time.Now()
	for _, id := range o.ListAll() {
		if err := o.Start(id); err != nil {
			return f, err
		}
	}
	select {
	case <-time.After(window): // the measurement is of time passing
	case <-ctx.Done():
	}
	f.IdleCPU = (HostCPU() - cpu) * time.Second / time.Since(begin)
	for _, p := range o.ToJSONAll() {
		f.Restarts += p.Restarts
	}
	o.StopAll()
	return f, ctx.Err()
}
