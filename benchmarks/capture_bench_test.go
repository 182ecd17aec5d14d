//go:build linux

package benchmarks

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// captureLines is how many 100-byte lines the producer writes per run: the
// 2,000,000 of the table, or 200,000 with -short (as CI runs it).
func captureLines() int {
	if testing.Short() {
		return 200_000
	}
	return 2_000_000
}

// jobOf returns the job of a "kind/contender" name over n lines or
// children, with the producer (capture) or a sleeper (scale, idle) as
// the child.
func jobOf(name string, n int) Job {
	kind, contender, _ := strings.Cut(name, "/")
	job := Job{Kind: kind, Contender: contender, N: n, Chan: 1 << 16}
	if kind == "capture" {
		job.Argv = []string{producer, "fill:" + strconv.Itoa(n)}
	} else {
		job.Argv = []string{producer, "sleep"}
	}
	return job
}

// captureContenders are the contenders of the capture benchmarks, in the
// order of the tables; overseer-watchlogs-4k is overseer-watchlogs with a
// channel of 4096 lines instead of 65536.
var captureContenders = []string{
	"os-exec-bufio",
	"overseer",
	"overseer-logreader",
	"overseer-watchlogs-64k",
	"overseer-watchlogs-4k",
	"go-cmd-streaming",
}

// captureJob returns the job of a capture contender of this file.
func captureJob(contender string, n int) Job {
	job := jobOf("capture/"+contender, n)
	switch contender {
	case "overseer-watchlogs-64k":
		job.Contender = "overseer-watchlogs"
	case "overseer-watchlogs-4k":
		job.Contender, job.Chan = "overseer-watchlogs", 4096
	}
	return job
}

// BenchmarkCapture runs the same producer under each contender, in this
// process, and reads every line. Besides ns/op (wall time of one whole run)
// it reports host-cpu-ms/op, the CPU of the consumer alone, mallocs/line,
// and for the WatchLogs contenders dropped/op, the lines their subscriber
// lost.
//
//	go test -run '^$' -bench 'Capture$' -count 5 ./benchmarks
func BenchmarkCapture(b *testing.B) {
	n := captureLines()
	for _, name := range captureContenders {
		b.Run(name, func(b *testing.B) {
			job := captureJob(name, n)
			run, err := runners().Find(job)
			if err != nil {
				b.Fatal(err)
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			mallocs := ms.Mallocs
			var cpu time.Duration
			var dropped uint64
			b.ResetTimer()
			for range b.N {
				f, err := run(context.Background(), job)
				if err != nil {
					b.Fatal(err)
				}
				cpu += f.HostCPU
				dropped += f.Dropped
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N), "host-cpu-ms/op")
			b.ReportMetric(float64(ms.Mallocs-mallocs)/float64(n*b.N), "mallocs/line")
			if strings.HasPrefix(name, "overseer-watchlogs") || name == "overseer-logreader" {
				b.ReportMetric(float64(dropped)/float64(b.N), "dropped/op")
			}
		})
	}
}

// BenchmarkCaptureRSS runs each contender in a fresh process and reports
// its peak RSS (peak-rss-MB), which no other contender has raised. It adds
// go-cmd/cmd's buffered mode, which keeps every line, and overseer over
// 1 GB of output (10,000,000 lines; 1,000,000 with -short), which its ring
// must keep within bounds.
//
//	go test -run '^$' -bench CaptureRSS ./benchmarks
func BenchmarkCaptureRSS(b *testing.B) {
	n := captureLines()
	jobs := make([]Job, 0, len(captureContenders)+2)
	names := append(append([]string(nil), captureContenders...), "go-cmd-buffered")
	for _, name := range names {
		jobs = append(jobs, captureJob(name, n))
	}
	names = append(names, "overseer-1GB")
	big := 10_000_000
	if testing.Short() {
		big = 1_000_000
	}
	jobs = append(jobs, captureJob("overseer", big))
	for i, name := range names {
		b.Run(name, func(b *testing.B) {
			f := runFresh(b, jobs[i])
			b.ReportMetric(float64(f.PeakRSS)/(1<<20), "peak-rss-MB")
			b.ReportMetric(float64(f.Wall)/float64(time.Millisecond), "wall-ms")
		})
	}
}

// runFresh makes job's measurement b.N times, each in a fresh process, and
// returns the last figures.
func runFresh(b *testing.B, job Job) Figures {
	b.Helper()
	var f Figures
	for range b.N {
		var err error
		if f, err = RunFresh(context.Background(), job, "-test.run=^$"); err != nil {
			b.Fatal(err)
		}
	}
	return f
}
