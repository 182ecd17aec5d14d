package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The cost of sampling what 1,000 idle processes use, each the leader of
// a run of its own: the bar is 1 ms of host CPU per second of wall at the
// default interval of 5 s, 5 ms per sample of all of them. cpu-ms/sample
// is the host's CPU, user and system, per sample of the 1,000.
//
//	go test -run '^$' -bench Usage ./internal/proc
func BenchmarkUsageSweep(b *testing.B) {
	pgids := idleGroups(b, 1000, "")
	out := make([]Usage, len(pgids))
	var s GroupSweep
	defer s.Close()
	measureCPU(b, func() {
		if err := s.Sweep(pgids, out, false); err != nil {
			b.Fatal(err)
		}
	})
	for i, u := range out {
		if u.Tasks != 1 {
			b.Fatalf("group %d: %+v", pgids[i], u)
		}
	}
}

// BenchmarkUsageCgroup is BenchmarkUsageSweep in cgroup mode: each
// process in a control group of its own, read by a CgroupSweep, one
// after the other. Without the memory controller (memory.current), as on
// a hybrid host, the memory is read from the member's stat.
func BenchmarkUsageCgroup(b *testing.B) {
	mount, _, err := cgroup2Mount()
	if err != nil {
		b.Skipf("no cgroup2 hierarchy: %v", err)
	}
	parent := filepath.Join(mount, "overseer-proc-bench."+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(parent, 0o755); err != nil {
		b.Skipf("no writable cgroup2 hierarchy: %v", err)
	}
	b.Cleanup(func() {
		// After the processes' cleanup, registered later: the groups are
		// empty once their processes are reaped.
		dirs, _ := filepath.Glob(filepath.Join(parent, "r*"))
		for _, d := range dirs {
			if err := os.Remove(d); err != nil {
				b.Error(err)
			}
		}
		if err := os.Remove(parent); err != nil {
			b.Error(err)
		}
	})
	idleGroups(b, 1000, parent)
	dirs, err := filepath.Glob(filepath.Join(parent, "r*"))
	if err != nil || len(dirs) != 1000 {
		b.Fatalf("%d groups: %v", len(dirs), err)
	}
	_, charged, err := CgroupMemory(dirs[0])
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("memory.current: %v", charged)
	var s CgroupSweep
	defer s.Close()
	measureCPU(b, func() {
		for _, d := range dirs {
			u, err := s.Read(d, false)
			if err != nil || u.Tasks != 1 {
				b.Fatalf("%s: %+v, %v", d, u, err)
			}
		}
		s.End()
	})
}

// idleGroups starts n sleep processes, each in a process group of its own
// and, under cgroups unless it is "", in a control group of its own, and
// ends them when b ends.
func idleGroups(b *testing.B, n int, cgroups string) []int {
	b.Helper()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		b.Skip("no sleep program")
	}
	pgids := make([]int, 0, n)
	cmds := make([]*exec.Cmd, 0, n)
	b.Cleanup(func() {
		for _, c := range cmds {
			_ = c.Process.Kill() // it sleeps: killed, or already gone
			_ = c.Wait()         // killed: its status says nothing
		}
	})
	for i := range n {
		c := exec.Command(sleep, "infinity")
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := c.Start(); err != nil {
			b.Fatal(err)
		}
		cmds = append(cmds, c)
		pgids = append(pgids, c.Process.Pid)
		if cgroups != "" {
			dir := filepath.Join(cgroups, "r"+strconv.Itoa(i))
			if err := os.Mkdir(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(c.Process.Pid)), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	return pgids
}

// measureCPU runs sample once, to open what is kept open, then b.N times,
// and reports the host CPU those took per sample, user and system, as
// cpu-ms/sample.
func measureCPU(b *testing.B, sample func()) {
	b.Helper()
	sample()
	var before, after syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &before); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		sample()
	}
	b.StopTimer()
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &after); err != nil {
		b.Fatal(err)
	}
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/sample")
}
