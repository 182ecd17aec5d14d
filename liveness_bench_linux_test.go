package overseer_test

import (
	"context"
	"errors"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/probe"
)

// BenchmarkLiveness measures the host's CPU, user and system, per second
// of wall time, with 1,000 idle runs (sleep): without liveness ("none");
// with a Check that does nothing every second ("noop-1s": the cost of the
// checking itself); and with package probe's TCP as the liveness check
// every second ("tcp-1s"), to one listener in a process of its own (the test child, outside the host's count). cpu-%core is that
// CPU as a share of one core; goroutines is how many the host holds
// between tries. When "none" ran first, the others also report what the
// checks add at the default Period of 10s, scaled from 1s:
// liveness-%core@10s, whose bar is 1 % of a core. Each op is one Period of
// wall time.
//
//	go test -run '^$' -bench Liveness -benchtime=5x .
func BenchmarkLiveness(b *testing.B) {
	const period = time.Second
	baseline := -1.0
	b.Run("none", func(b *testing.B) {
		baseline = benchmarkLiveness(b, nil, period)
	})
	b.Run("noop-1s", func(b *testing.B) {
		pass := checkFunc(func(context.Context, *overseer.ProbeRun) error { return nil })
		pct := benchmarkLiveness(b, pass, period)
		if baseline >= 0 {
			b.ReportMetric((pct-baseline)*float64(period)/float64(10*time.Second), "liveness-%core@10s")
		}
	})
	b.Run("tcp-1s", func(b *testing.B) {
		pct := benchmarkLiveness(b, &probe.TCP{Addr: overseer.AcceptingChild(b)}, period)
		if baseline >= 0 {
			b.ReportMetric((pct-baseline)*float64(period)/float64(10*time.Second), "liveness-%core@10s")
		}
	})
}

// benchmarkLiveness starts 1,000 idle runs, each with check as its
// liveness check (none for nil) every period, and returns the host's CPU
// per second of wall time while they run, in % of one core, which it
// reports.
func benchmarkLiveness(b *testing.B, check overseer.Checker, period time.Duration) float64 {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		b.Skip("no sleep program")
	}
	const n = 1000
	o := overseer.NewOverseer()
	b.Cleanup(func() { o.StopAll() })
	var cmds []*overseer.Cmd
	for i := range n {
		id := "p" + strconv.Itoa(i)
		c, err := o.Add(id, sleep, "infinity")
		if err != nil {
			b.Fatal(err)
		}
		if check != nil {
			c.Liveness = overseer.Liveness{Check: check, Period: period}
		}
		if err := o.Start(id); err != nil {
			b.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	// Every run up, and checked once: the start is not measured.
	deadline := time.Now().Add(time.Minute)
	for _, c := range cmds {
		for {
			st := c.Status()
			if st.State == overseer.StateRunning && (check == nil || st.Health == overseer.HealthHealthy) {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal(errors.New(st.ID + " not up and healthy: " + st.State.String() + ", " + st.Health.String()))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(period) // the starts' own work settles
	goroutines := runtime.NumGoroutine()
	start, before := time.Now(), overseer.HostCPU(b)
	b.ResetTimer()
	for range b.N {
		time.Sleep(period)
	}
	b.StopTimer()
	pct := 100 * float64(overseer.HostCPU(b)-before) / float64(time.Since(start))
	b.ReportMetric(pct, "cpu-%core")
	b.ReportMetric(float64(goroutines), "goroutines")
	for _, c := range cmds {
		if st := c.Status(); st.State != overseer.StateRunning {
			b.Fatalf("%s: %v: %v", st.ID, st.State, st.Error)
		}
	}
	return pct
}

// checkFunc is an overseer.Checker made of a function.
type checkFunc func(ctx context.Context, run *overseer.ProbeRun) error

func (f checkFunc) Check(ctx context.Context, run *overseer.ProbeRun) error { return f(ctx, run) }
