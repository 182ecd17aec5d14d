package overseer

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkStartCgroup is the cost of a run, from Start to the end of
// Wait, of a child that exits at once: in a control group of its own
// (made, entered by clone3, waited empty, removed) against a process group
// alone, side by side in one run. Run with -benchtime=500x or more.
func BenchmarkStartCgroup(b *testing.B) {
	for _, bc := range []struct {
		name string
		mode CgroupMode
	}{{"process-group", CgroupOff}, {"cgroup", CgroupAuto}} {
		b.Run(bc.name, func(b *testing.B) {
			o := NewOverseer(WithCgroups(bc.mode))
			c, err := o.Add("quick", childPath, "exit:0")
			if err != nil {
				b.Fatal(err)
			}
			c.Restart = RestartNever
			if bc.mode != CgroupOff {
				if _, err := o.Cgroup(); err != nil {
					b.Skipf("no control groups here: %v", err)
				}
			}
			before := hostCPU(b)
			for b.Loop() {
				if err := c.Start(); err != nil {
					b.Fatal(err)
				}
				if st := c.Wait(); st.Exit != 0 {
					b.Fatalf("exit %d: %v", st.Exit, st.Error)
				}
			}
			b.ReportMetric(float64((hostCPU(b)-before).Microseconds())/float64(b.N), "host-cpu-us/op")
		})
	}
}

// hostCPU is the CPU time, user and system, the test binary has used.
func hostCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
