//go:build unix

// Command pairtime times two shell commands in turn, A B A B …, as whole
// processes, and prints for each the median, minimum and maximum of its wall
// time, CPU time (user + system) and peak RSS, and the median of the ratio
// A/B taken pair by pair, so that the ratio holds when the speed of a noisy
// machine drifts during the runs. It is the timer of run.sh (see
// ../README.md); /usr/bin/time -v gives the same figures for one run.
//
//	pairtime -n 5 -a 'exec overseer -f Procfile >out' -b 'exec genlines >out'
//
// Each command runs as /bin/sh -c CMD in a process group of its own, with
// PAIRTIME_RUN set to a name unique to the run (a1, b1, …; wa1 for a
// warm-up), which a command can use to name its files. The peak RSS is the
// kernel's ru_maxrss of the process that sh execs (write "exec PROGRAM"),
// which covers the largest single process among it and the children it
// waited for, not their sum.
//
// -side CMD runs alongside each run of A, started just before it and ended
// (SIGTERM to its group, SIGKILL 5 s later) once A has ended: a client of
// A's dashboard, say. It is not timed. -check CMD runs after each counted
// run of A; its first line of output (key=value pairs, as checklines
// prints) is shown per run and gathered in the summary.
//
// The last line, "summary …", has the figures as key=value pairs: seconds,
// megabytes (10^6 bytes), ratios; a per-run check's values as v1/v2/….
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// sample is one run of a command.
type sample struct {
	wall, cpu time.Duration
	rssKB     int64
	exit      int
	check     string
}

type config struct {
	n, warmup int
	a, b      string
	side      string
	check     string
	label     string
	timeout   time.Duration
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pairtime", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.IntVar(&c.n, "n", 5, "counted runs of each command")
	fs.IntVar(&c.warmup, "warmup", 1, "runs of each command not counted, first")
	fs.StringVar(&c.a, "a", "", "command A (a shell command line)")
	fs.StringVar(&c.b, "b", "", "command B, the baseline (optional)")
	fs.StringVar(&c.side, "side", "", "a command run alongside each run of A, not timed")
	fs.StringVar(&c.check, "check", "", "a command run after each counted run of A, its first line kept")
	fs.StringVar(&c.label, "label", "", "a name for the summary line")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Minute, "the bound on one run; the run is killed past it")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if c.a == "" || c.n < 1 || c.warmup < 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "pairtime: need -a CMD, -n >= 1 and no other arguments")
		return 2
	}
	fmt.Fprintf(stdout, "A: %s\n", c.a)
	if c.b != "" {
		fmt.Fprintf(stdout, "B: %s\n", c.b)
	}
	var as, bs []sample
	for i := -c.warmup; i < c.n; i++ {
		name := fmt.Sprint(i + 1)
		if i < 0 {
			name = fmt.Sprintf("w%d", i+c.warmup+1)
		}
		s, err := c.runA(name, i >= 0)
		if err != nil {
			fmt.Fprintln(stderr, "pairtime:", err)
			return 1
		}
		if i >= 0 {
			as = append(as, s)
			fmt.Fprintf(stdout, "run %s a %s\n", name, s)
		}
		if c.b == "" {
			continue
		}
		s, err = timeOne(c.b, "b"+name, c.timeout)
		if err != nil {
			fmt.Fprintln(stderr, "pairtime:", err)
			return 1
		}
		if i >= 0 {
			bs = append(bs, s)
			fmt.Fprintf(stdout, "run %s b %s\n", name, s)
		}
	}
	fmt.Fprintln(stdout, summary(c.label, as, bs))
	return 0
}

// runA runs A once, with its side command and, when counted, its check.
func (c config) runA(name string, counted bool) (sample, error) {
	id := "a" + name
	var side *exec.Cmd
	if c.side != "" {
		side = shell(context.Background(), c.side, id)
		side.Stdout, side.Stderr = os.Stderr, os.Stderr
		if err := side.Start(); err != nil {
			return sample{}, fmt.Errorf("side command: %w", err)
		}
	}
	s, err := timeOne(c.a, id, c.timeout)
	if side != nil {
		endGroup(side)
	}
	if err != nil || !counted || c.check == "" {
		return s, err
	}
	chk := shell(context.Background(), c.check, id)
	chk.Stderr = os.Stderr
	out, err := chk.Output()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return s, fmt.Errorf("check: %w", err)
	}
	s.check, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
	return s, nil
}

// shell is /bin/sh -c line, in a process group of its own, with
// PAIRTIME_RUN=id.
func shell(ctx context.Context, line, id string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", line)
	cmd.Env = append(os.Environ(), "PAIRTIME_RUN="+id)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

// endGroup stops a side command: SIGTERM to its group, SIGKILL after 5 s.
func endGroup(cmd *exec.Cmd) {
	pid := cmd.Process.Pid
	// ESRCH when the group has already gone: nothing to stop.
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		// Its exit status is of no interest: it was told to stop.
		_ = cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL) // ESRCH: gone meanwhile
		<-done
	}
}

// timeOne runs line once and measures it. What is left of its process
// group afterwards is killed.
func timeOne(line, id string, timeout time.Duration) (sample, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := shell(ctx, line, id)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, fmt.Errorf("start %q: %w", line, err)
	}
	err := cmd.Wait()
	wall := time.Since(start)
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // ESRCH: nothing was left
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return sample{}, fmt.Errorf("run %q: %w", line, err)
	}
	if ctx.Err() != nil {
		return sample{}, fmt.Errorf("run %q: killed after %v", line, timeout)
	}
	ps := cmd.ProcessState
	return sample{
		wall:  wall,
		cpu:   ps.UserTime() + ps.SystemTime(),
		rssKB: maxRSSKB(ps),
		exit:  ps.ExitCode(),
	}, nil
}

func (s sample) String() string {
	out := fmt.Sprintf("wall=%.3fs cpu=%.3fs rss=%.1fMB exit=%d", s.wall.Seconds(), s.cpu.Seconds(), mb(s.rssKB), s.exit)
	if s.check != "" {
		out += " check: " + s.check
	}
	return out
}

// mb is kilobytes (KiB, as ru_maxrss counts) in megabytes.
func mb(kb int64) float64 {
	return float64(kb) * 1024 / 1e6
}

// stats is the median, minimum and maximum of xs.
func stats(xs []float64) (med, lo, hi float64) {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	med = s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return med, s[0], s[n-1]
}

// summary is the line of figures.
func summary(label string, as, bs []sample) string {
	var b strings.Builder
	fmt.Fprintf(&b, "summary label=%s n=%d", label, len(as))
	put := func(key string, xs []float64, format string) {
		med, lo, hi := stats(xs)
		fmt.Fprintf(&b, " %s="+format+" %s_min="+format+" %s_max="+format, key, med, key, lo, key, hi)
	}
	each := func(prefix string, ss []sample) {
		wall, cpu, rss := make([]float64, len(ss)), make([]float64, len(ss)), make([]float64, len(ss))
		exits := make([]string, len(ss))
		for i, s := range ss {
			wall[i], cpu[i], rss[i] = s.wall.Seconds(), s.cpu.Seconds(), mb(s.rssKB)
			exits[i] = fmt.Sprint(s.exit)
		}
		put(prefix+"_wall", wall, "%.3f")
		put(prefix+"_cpu", cpu, "%.3f")
		put(prefix+"_rss", rss, "%.1f")
		fmt.Fprintf(&b, " %s_exit=%s", prefix, strings.Join(exits, "/"))
	}
	each("a", as)
	if len(bs) == len(as) && len(bs) > 0 {
		each("b", bs)
		wall, cpu, rss := make([]float64, len(as)), make([]float64, len(as)), make([]float64, len(as))
		for i := range as {
			wall[i] = as[i].wall.Seconds() / bs[i].wall.Seconds()
			cpu[i] = as[i].cpu.Seconds() / bs[i].cpu.Seconds()
			rss[i] = mb(as[i].rssKB) - mb(bs[i].rssKB)
		}
		put("ratio_wall", wall, "%.2f")
		put("ratio_cpu", cpu, "%.2f")
		put("delta_rss", rss, "%.1f")
	}
	// The checks' values, key by key in the order of the first.
	var keys []string
	vals := map[string][]string{}
	for _, s := range as {
		for _, kv := range strings.Fields(s.check) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			if _, seen := vals[k]; !seen {
				keys = append(keys, k)
			}
			vals[k] = append(vals[k], v)
		}
	}
	for _, k := range keys {
		fmt.Fprintf(&b, " check_%s=%s", k, strings.Join(vals[k], "/"))
	}
	return b.String()
}
