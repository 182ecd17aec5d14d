package overseer

import (
	"context"
	"errors"
	"io"
	"net"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// BenchmarkLiveness measures the host's CPU, user and system, per second
// of wall time, with 1,000 idle runs (sleep): without liveness ("none");
// with a Check that does nothing every second ("noop-1s": the cost of the
// checking itself); and with a TCP liveness check every second ("tcp-1s"),
// a connect as package probe's TCP makes, to one listener in a process of
// its own (the test child, outside the host's count). cpu-%core is that
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
		pass := checkFunc(func(context.Context, *ProbeRun) error { return nil })
		pct := benchmarkLiveness(b, pass, period)
		if baseline >= 0 {
			b.ReportMetric((pct-baseline)*float64(period)/float64(10*time.Second), "liveness-%core@10s")
		}
	})
	b.Run("tcp-1s", func(b *testing.B) {
		addr := acceptingChild(b)
		var d net.Dialer
		check := checkFunc(func(ctx context.Context, _ *ProbeRun) error {
			conn, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				return err
			}
			return conn.Close()
		})
		pct := benchmarkLiveness(b, check, period)
		if baseline >= 0 {
			b.ReportMetric((pct-baseline)*float64(period)/float64(10*time.Second), "liveness-%core@10s")
		}
	})
}

// benchmarkLiveness starts 1,000 idle runs, each with check as its
// liveness check (none for nil) every period, and returns the host's CPU
// per second of wall time while they run, in % of one core, which it
// reports.
func benchmarkLiveness(b *testing.B, check Checker, period time.Duration) float64 {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		b.Skip("no sleep program")
	}
	const n = 1000
	o := NewOverseer()
	b.Cleanup(func() { o.StopAll() })
	var cmds []*Cmd
	for i := range n {
		c, err := o.Add("p"+strconv.Itoa(i), sleep, "infinity")
		if err != nil {
			b.Fatal(err)
		}
		if check != nil {
			c.Liveness = Liveness{Check: check, Period: period}
		}
		if err := o.Start(c.id); err != nil {
			b.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	// Every run up, and checked once: the start is not measured.
	deadline := time.Now().Add(time.Minute)
	for _, c := range cmds {
		for {
			st := c.Status()
			if st.State == StateRunning && (check == nil || st.Health == HealthHealthy) {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal(errors.New(c.id + " not up and healthy: " + st.State.String() + ", " + st.Health.String()))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(period) // the starts' own work settles
	goroutines := runtime.NumGoroutine()
	start, before := time.Now(), hostCPU(b)
	b.ResetTimer()
	for range b.N {
		time.Sleep(period)
	}
	b.StopTimer()
	pct := 100 * float64(hostCPU(b)-before) / float64(time.Since(start))
	b.ReportMetric(pct, "cpu-%core")
	b.ReportMetric(float64(goroutines), "goroutines")
	for _, c := range cmds {
		if st := c.Status(); st.State != StateRunning {
			b.Fatalf("%s: %v: %v", c.id, st.State, st.Error)
		}
	}
	return pct
}

// acceptingChild starts the test child accepting and closing connections
// on a local port until the benchmark ends, and returns its address.
func acceptingChild(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		b.Fatal(err)
	}
	child := exec.Command(childPath, "tcpaccept:"+addr)
	out, err := child.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := child.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = child.Process.Kill() // it serves until killed
		_ = child.Wait()         // killed: its error says so
	})
	line := make([]byte, len("listening\n"))
	if _, err := io.ReadFull(out, line); err != nil || string(line) != "listening\n" {
		b.Fatalf("the accepting child: %q, %v", line, err)
	}
	return addr
}
