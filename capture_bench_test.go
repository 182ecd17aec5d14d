//go:build unix

package overseer

import (
	"bufio"
	"context"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	gocmd "github.com/go-cmd/cmd"
)

// captureLines is how many 100-byte lines the producer writes per run: the
// 2,000,000 of the table, or 200,000 with -short (as CI runs it).
func captureLines() int {
	if testing.Short() {
		return 200_000
	}
	return 2_000_000
}

// hostCPU is the CPU time this process (the host, not its children) has used.
func hostCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCapture runs the same producer (testdata/child fill:N, built
// without -race) under each contender and reads every line. Besides ns/op
// (wall time of one whole run) it reports host-cpu-ms/op, the CPU of the
// consumer alone, and mallocs/line. The WatchLogs contenders, with a channel
// of 4096 and of 65536 lines, also report dropped/op: lines their
// subscriber lost.
//
//	go test -run '^$' -bench Capture -count 5 .
func BenchmarkCapture(b *testing.B) {
	n := captureLines()
	args := []string{"fill:" + strconv.Itoa(n)}
	contenders := []struct {
		name string
		run  func(b *testing.B) int // runs the producer once, returns the lines seen
	}{
		{"os-exec-bufio", func(b *testing.B) int {
			cmd := exec.Command(childPath, args...)
			out, err := cmd.StdoutPipe()
			if err != nil {
				b.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			sc := bufio.NewScanner(out)
			lines := 0
			for sc.Scan() {
				lines++
			}
			if err := cmd.Wait(); err != nil {
				b.Fatal(err)
			}
			return lines
		}},
		{"overseer", func(b *testing.B) int {
			c := NewCmd(childPath, args...)
			if err := c.Start(); err != nil {
				b.Fatal(err)
			}
			c.Wait()
			lines := c.Lines(0)
			return int(lines[len(lines)-1].Seq)
		}},
		{"overseer-watchlogs-4k", func(b *testing.B) int { return watchLogsRun(b, args, n, 4096) }},
		{"overseer-watchlogs-64k", func(b *testing.B) int { return watchLogsRun(b, args, n, 1<<16) }},
		{"go-cmd-streaming", func(b *testing.B) int {
			c := gocmd.NewCmdOptions(gocmd.Options{Streaming: true}, childPath, args...)
			status := c.Start()
			lines := 0
			stdout, stderr := c.Stdout, c.Stderr
			for stdout != nil || stderr != nil {
				select {
				case _, ok := <-stdout:
					if !ok {
						stdout = nil
						continue
					}
					lines++
				case _, ok := <-stderr:
					if !ok {
						stderr = nil
					}
				}
			}
			<-status
			return lines
		}},
	}
	for _, ct := range contenders {
		b.Run(ct.name, func(b *testing.B) {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			mallocs := ms.Mallocs
			cpu := hostCPU()
			b.ResetTimer()
			for range b.N {
				if got := ct.run(b); got != n {
					b.Fatalf("saw %d lines, want %d", got, n)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(hostCPU()-cpu)/float64(time.Millisecond)/float64(b.N), "host-cpu-ms/op")
			b.ReportMetric(float64(ms.Mallocs-mallocs)/float64(n*b.N), "mallocs/line")
		})
	}
}

// watchLogsRun runs the producer under an Overseer with one WatchLogs
// subscriber, a channel of chanCap lines, that reads every line. It returns
// the lines that reached the subscriber, and reports those dropped.
func watchLogsRun(b *testing.B, args []string, n, chanCap int) int {
	o := NewOverseer()
	defer func() {
		_, dropped := o.Dropped()
		b.ReportMetric(float64(dropped), "dropped/op")
	}()
	if _, err := o.Add("p", append([]string{childPath}, args...)...); err != nil {
		b.Fatal(err)
	}
	ch := make(chan Line, chanCap)
	stop := o.WatchLogs(ch)
	defer func() {
		stop() // then nothing more is sent, and ch can be closed
		close(ch)
	}()
	last := make(chan struct{})
	go func() {
		for l := range ch {
			if l.Seq == uint64(n) {
				close(last)
			}
		}
	}()
	if err := o.Supervise(context.Background(), "p"); err != nil {
		b.Fatal(err)
	}
	// Every line has been published; those not dropped are on their way,
	// the last one included.
	if _, dropped := o.Dropped(); dropped > 0 {
		return n - int(dropped)
	}
	<-last
	return n
}
