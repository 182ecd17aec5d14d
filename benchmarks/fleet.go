//go:build linux

package benchmarks

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/overseer-go/overseer"
)

// A Fleet is N long-running children (Argv, which must exit on SIGTERM)
// started one way: scale and idle jobs measure what they cost the host.
type Fleet interface {
	// Start starts child i.
	Start(i int) error
	// StopAll sends SIGTERM to every child and returns once all are reaped.
	StopAll() error
}

// jsonFleet is a Fleet that can describe its children for a dashboard.
type jsonFleet interface {
	Fleet
	ToJSONAll() int
}

// A NewFleet makes a Fleet of the job's children.
type NewFleet func(job Job) Fleet

// Scale starts job.N children, one after the other, and measures the start,
// the host RSS and OS threads they cost, ToJSONAll where the contender has
// it, and StopAll.
func Scale(newFleet NewFleet) Runner {
	return func(ctx context.Context, job Job) (Figures, error) {
		fl := newFleet(job)
		f := Figures{Contender: job.Contender, N: job.N}
		before, err := settledRSS()
		if err != nil {
			return f, err
		}
		begin := time.Now()
		for i := range job.N {
			if err := fl.Start(i); err != nil {
				_ = fl.StopAll()
				return f, fmt.Errorf("benchmarks: starting child %d: %w", i, err)
			}
		}
		f.Start = time.Since(begin)
		after, err := settledRSS()
		if err != nil {
			_ = fl.StopAll()
			return f, err
		}
		f.RSSPerChild = (after.rss - before.rss) / int64(job.N)
		f.Threads = after.threads
		if jf, ok := fl.(jsonFleet); ok {
			f.ToJSONAll = medianOf(21, func() {
				if n := jf.ToJSONAll(); n != job.N {
					err = fmt.Errorf("benchmarks: ToJSONAll returned %d processes, want %d", n, job.N)
				}
			})
			if err != nil {
				_ = fl.StopAll()
				return f, err
			}
		}
		begin = time.Now()
		if err := fl.StopAll(); err != nil {
			return f, err
		}
		f.Stop = time.Since(begin)
		f.Wall = time.Since(begin)
		return f, nil
	}
}

// Idle starts job.N children and measures the host CPU they cost per second
// of doing nothing, over job.Window.
func Idle(newFleet NewFleet) Runner {
	return func(ctx context.Context, job Job) (Figures, error) {
		fl := newFleet(job)
		f := Figures{Contender: job.Contender, N: job.N}
		for i := range job.N {
			if err := fl.Start(i); err != nil {
				_ = fl.StopAll()
				return f, fmt.Errorf("benchmarks: starting child %d: %w", i, err)
			}
		}
		window := time.Duration(job.Window)
		cpu := HostCPU()
		select {
		case <-time.After(window): // the measurement is of time passing
		case <-ctx.Done():
		}
		f.IdleCPU = (HostCPU() - cpu) * time.Second / window
		if err := fl.StopAll(); err != nil {
			return f, err
		}
		return f, ctx.Err()
	}
}

// medianOf runs fn runs times and returns the median duration.
func medianOf(runs int, fn func()) time.Duration {
	d := make([]time.Duration, runs)
	for i := range d {
		start := time.Now()
		fn()
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return d[runs/2]
}

// OverseerFleet runs the children under one Overseer with default settings,
// each started (and so supervised) by Overseer.Start.
func OverseerFleet(job Job) Fleet {
	return &overseerFleet{o: overseer.NewOverseer(), argv: job.Argv}
}

type overseerFleet struct {
	o    *overseer.Overseer
	argv []string
}

func (f *overseerFleet) Start(i int) error {
	id := "p" + strconv.Itoa(i)
	if _, err := f.o.Add(id, f.argv...); err != nil {
		return err
	}
	return f.o.Start(id)
}

func (f *overseerFleet) StopAll() error {
	f.o.StopAll() // cannot fail; the os/exec fleet's can
	return nil
}
func (f *overseerFleet) ToJSONAll() int { return len(f.o.ToJSONAll()) }

// OSExecFleet runs the children with plain os/exec the way a program that
// reads their output does: Stdout and Stderr set to writers (os/exec then
// copies each pipe in a goroutine), and a goroutine in Wait per child.
func OSExecFleet(job Job) Fleet {
	return &osExecFleet{argv: job.Argv}
}

type osExecFleet struct {
	argv []string
	cmds []*exec.Cmd
	wg   sync.WaitGroup
}

// discard is a writer that is not an *os.File, so os/exec makes a pipe and
// copies it, as it does for any reader of the output.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func (f *osExecFleet) Start(int) error {
	cmd := exec.Command(f.argv[0], f.argv[1:]...)
	cmd.Stdout, cmd.Stderr = discard{}, discard{}
	if err := cmd.Start(); err != nil {
		return err
	}
	f.cmds = append(f.cmds, cmd)
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		_ = cmd.Wait()
	}()
	return nil
}

func (f *osExecFleet) StopAll() error {
	for _, cmd := range f.cmds {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	f.wg.Wait()
	return nil
}

// Contenders returns the Runners of this package, by "kind/contender".
func Contenders() Runners {
	return Runners{
		"capture/os-exec-bufio":      CaptureOSExec,
		"capture/overseer":           CaptureOverseer,
		"capture/overseer-watchlogs": CaptureWatchLogs,
		"capture/overseer-logreader": CaptureLogReader,
		"scale/os-exec":              Scale(OSExecFleet),
		"scale/overseer":             Scale(OverseerFleet),
		"idle/os-exec":               Idle(OSExecFleet),
		"idle/overseer":              Idle(OverseerFleet),
		"crashloop/overseer":         CrashLoop,
	}
}
