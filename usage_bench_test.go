//go:build linux

package overseer

import (
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// BenchmarkUsageTick measures one tick of an Overseer's sampler with
// 1,000 idle runs (sleep), each sample published in its Cmd's snapshot:
// in process-group mode (one pass over /proc for all of them) and in
// cgroup mode (each run's control group read), side by side.
// cpu-ms/tick is the host's CPU, user and system, per tick; the bar is
// 5 ms (1 ms per second of wall at the default interval of 5 s).
//
//	go test -run '^$' -bench UsageTick .
func BenchmarkUsageTick(b *testing.B) {
	b.Run("process-group", func(b *testing.B) { benchmarkUsageTick(b, CgroupOff) })
	b.Run("cgroup", func(b *testing.B) {
		if _, err := NewOverseer().Cgroup(); err != nil {
			b.Skipf("no control groups here: %v", err)
		}
		benchmarkUsageTick(b, CgroupRequired)
	})
}

func benchmarkUsageTick(b *testing.B, mode CgroupMode) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		b.Skip("no sleep program")
	}
	const n = 1000
	// An interval of an hour: the runs are registered, and the ticks are
	// the benchmark's.
	o := NewOverseer(WithUsageInterval(time.Hour), WithCgroups(mode))
	b.Cleanup(func() { o.StopAll() })
	for i := range n {
		id := "p" + strconv.Itoa(i)
		if _, err := o.Add(id, sleep, "infinity"); err != nil {
			b.Fatal(err)
		}
		if err := o.Start(id); err != nil {
			b.Fatal(err)
		}
	}
	var t tick
	b.Cleanup(func() { // registered after StopAll: it runs first, and no tick comes after it
		t.sweep.Close()
		t.cgroups.Close()
	})
	o.usage.tick(&t) // the buffers grown
	before := hostCPU(b)
	b.ResetTimer()
	for range b.N {
		o.usage.tick(&t)
	}
	b.StopTimer()
	cpu := hostCPU(b) - before
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/tick")
	st, err := o.Status("p0")
	if err != nil || st.Usage.Tasks != 1 {
		b.Fatalf("p0: %+v, %v", st.Usage, err)
	}
}
