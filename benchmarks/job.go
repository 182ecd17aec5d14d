//go:build linux

package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
)

// A Job is one measurement: a kind ("capture", "scale", "idle"), the
// contender that runs its children, and its parameters.
type Job struct {
	Kind      string   `json:"kind"`
	Contender string   `json:"contender"`
	N         int      `json:"n"`    // lines to produce, or children to run
	Argv      []string `json:"argv"` // the child: the producer, or a sleeper
	Chan      int      `json:"chan"` // capacity of a subscriber's channel
	// Window is how long an idle job measures, in nanoseconds.
	Window int64 `json:"window"`
}

// A Runner makes the measurement of a Job in this process.
type Runner func(ctx context.Context, job Job) (Figures, error)

// Runners finds a Runner by "kind/contender".
type Runners map[string]Runner

// Find returns the Runner of job.
func (rs Runners) Find(job Job) (Runner, error) {
	r, ok := rs[job.Kind+"/"+job.Contender]
	if !ok {
		return nil, fmt.Errorf("benchmarks: no contender %q for %q jobs", job.Contender, job.Kind)
	}
	return r, nil
}

// jobEnv carries a Job to the fresh process that runs it.
const jobEnv = "OVERSEER_BENCH_JOB"

// RunFresh makes the measurement of job in a fresh process: this executable
// again, with args (a test binary needs "-test.run=^$"). The fresh process
// must call ServeJob first thing. Its peak RSS is reported in the figures.
func RunFresh(ctx context.Context, job Job, args ...string) (Figures, error) {
	self, err := os.Executable()
	if err != nil {
		return Figures{}, err
	}
	spec, err := json.Marshal(job)
	if err != nil {
		return Figures{}, err
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = append(os.Environ(), jobEnv+"="+string(spec))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Figures{}, fmt.Errorf("benchmarks: %s/%s in a fresh process: %w: %s", job.Kind, job.Contender, err, bytes.TrimSpace(stderr.Bytes()))
	}
	var f Figures
	if err := json.Unmarshal(stdout.Bytes(), &f); err != nil {
		return Figures{}, fmt.Errorf("benchmarks: %s/%s: reading the figures: %w", job.Kind, job.Contender, err)
	}
	return f, nil
}

// ServeJob reports whether this process was started by RunFresh. If it was,
// it has made the measurement with runners and written the figures to
// stdout, and the caller should exit: with status 1 when err is not nil.
func ServeJob(ctx context.Context, runners Runners) (served bool, err error) {
	spec, ok := os.LookupEnv(jobEnv)
	if !ok {
		return false, nil
	}
	var job Job
	if err := json.Unmarshal([]byte(spec), &job); err != nil {
		return true, fmt.Errorf("benchmarks: %s: %w", jobEnv, err)
	}
	run, err := runners.Find(job)
	if err != nil {
		return true, err
	}
	f, err := run(ctx, job)
	if err != nil {
		return true, err
	}
	if f.PeakRSS, err = PeakRSS(); err != nil {
		return true, err
	}
	return true, json.NewEncoder(os.Stdout).Encode(f)
}
