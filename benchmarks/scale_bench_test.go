//go:build linux

package benchmarks

import (
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/overseer-go/overseer"
)

// fleetContenders are the contenders of the scale and idle benchmarks.
var fleetContenders = []string{"os-exec", "overseer"}

// BenchmarkScale starts 1,000 sleeping children (100 with -short) in a
// fresh process per contender and reports start-ms (all of them, one after
// the other), rss-KB/child, threads (OS threads of the host with all of
// them running), tojsonall-us (overseer) and stop-ms (SIGTERM to all, until
// all are reaped).
//
//	go test -run '^$' -bench Scale ./benchmarks
func BenchmarkScale(b *testing.B) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	for _, name := range fleetContenders {
		b.Run(name, func(b *testing.B) {
			f := runFresh(b, jobOf("scale/"+name, n))
			b.ReportMetric(float64(f.Start)/float64(time.Millisecond), "start-ms")
			b.ReportMetric(float64(f.RSSPerChild)/1024, "rss-KB/child")
			b.ReportMetric(float64(f.Threads), "threads")
			if f.ToJSONAll > 0 {
				b.ReportMetric(float64(f.ToJSONAll)/float64(time.Microsecond), "tojsonall-us")
			}
			b.ReportMetric(float64(f.Stop)/float64(time.Millisecond), "stop-ms")
		})
	}
}

// BenchmarkIdle runs 100 sleeping children in a fresh process per
// contender and reports the host CPU they cost per second of doing
// nothing (cpu-ms/s), measured over 2 seconds (200 ms with -short).
//
//	go test -run '^$' -bench Idle ./benchmarks
func BenchmarkIdle(b *testing.B) {
	window := 2 * time.Second
	if testing.Short() {
		window = 200 * time.Millisecond
	}
	for _, name := range fleetContenders {
		b.Run(name, func(b *testing.B) {
			job := jobOf("idle/"+name, 100)
			job.Window = int64(window)
			f := runFresh(b, job)
			b.ReportMetric(float64(f.IdleCPU)/float64(time.Millisecond), "cpu-ms/s")
		})
	}
}

// BenchmarkCrashLoop runs 50 children that exit with code 1 at once, under
// RestartAlways with unlimited restarts and the default backoff, in a fresh
// process, and reports the host CPU they cost over 10 s (1 s with -short)
// as a share of one core (cpu-%), and the restarts done.
//
//	go test -run '^$' -bench CrashLoop -benchtime 1x ./benchmarks
func BenchmarkCrashLoop(b *testing.B) {
	window := 10 * time.Second
	if testing.Short() {
		window = time.Second
	}
	job := jobOf("crashloop/overseer", 50)
	job.Argv = []string{producer, "exit:1"}
	job.Window = int64(window)
	f := runFresh(b, job)
	b.ReportMetric(float64(f.IdleCPU)/float64(time.Second)*100, "cpu-%")
	b.ReportMetric(float64(f.Restarts), "restarts")
}

// BenchmarkExitLatency measures, per op, the time from SIGKILL to a
// sleeping child until the host knows it has exited: os/exec's Wait
// returning, or the final state's Event arriving on a Watch channel. It
// reports the median as median-us besides the mean ns/op; starting the
// child is not timed.
//
//	go test -run '^$' -bench ExitLatency ./benchmarks
func BenchmarkExitLatency(b *testing.B) {
	b.Run("os-exec", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for range b.N {
			b.StopTimer()
			cmd := exec.Command(producer, "sleep")
			cmd.Stdout, cmd.Stderr = discard{}, discard{}
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := time.Now()
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
			lat = append(lat, time.Since(start))
		}
		reportMedian(b, lat)
	})
	b.Run("overseer", func(b *testing.B) {
		o := overseer.NewOverseer()
		c := overseer.NewCmd(producer, "sleep")
		c.Restart = overseer.RestartNever
		if err := o.AddCmd("p", c); err != nil {
			b.Fatal(err)
		}
		events := make(chan overseer.Event, 16)
		defer o.Watch(events)()
		lat := make([]time.Duration, 0, b.N)
		for range b.N {
			b.StopTimer()
			if err := o.Start("p"); err != nil {
				b.Fatal(err)
			}
			var pid int
			for pid == 0 {
				if ev := <-events; ev.To == overseer.StateRunning {
					pid = ev.PID
				}
			}
			b.StartTimer()
			start := time.Now()
			_ = syscall.Kill(pid, syscall.SIGKILL)
			for ev := range events {
				if ev.To.IsFinal() {
					break
				}
			}
			lat = append(lat, time.Since(start))
		}
		reportMedian(b, lat)
	})
}

func reportMedian(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/float64(time.Microsecond), "median-us")
}
