package probe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/overseer-go/overseer"
)

// pidEnv is the variable that gives a Command the process id of the run it
// probes (which is also the id of the run's process group).
const pidEnv = "OVERSEER_PROBE_PID"

// Command is a probe that passes when Args exits 0.
//
// Args runs without a shell, in a process group of its own, with
// OVERSEER_PROBE_PID set to the PID of the run (the id of its process
// group) on top of Env (a value there, or in the host's environment, is
// replaced). A try that outlives
// Timeout is killed with its whole group, and whatever is left of the
// group when a try ends is killed too, so a probe command never outlives
// its try. Its output is discarded, but for the end of it, which the error
// of a try quotes. It is an overseer.Probe (Ready) and an
// overseer.Checker (Check, one try, for Cmd.Liveness).
type Command struct {
	Args    []string      // the program and its arguments; the program is looked up in PATH
	Dir     string        // the working directory; "" means the host's
	Env     []string      // the environment, "KEY=value"; nil means the host's
	Period  time.Duration // between tries of Ready; zero means 200ms (Liveness has its own)
	Timeout time.Duration // of one try of Ready; zero means 1s (Liveness has its own)

	tried   func(error) // test hook: the result of every try
	started func(int)   // test hook: the process group of every try
}

// waitDelay bounds the wait for the output of a try after it exited or was
// killed (exec.Cmd.WaitDelay): a process that left the group may hold it.
const waitDelay = 200 * time.Millisecond

// maxOutput is how much of the end of a try's output its error quotes.
const maxOutput = 512

// Ready implements overseer.Probe. run may be nil, or a zero ProbeRun:
// then OVERSEER_PROBE_PID is not set.
func (p *Command) Ready(ctx context.Context, run *overseer.ProbeRun) error {
	what := "command " + strings.Join(p.Args, " ")
	s, err := newSchedule(what, p.Period, p.Timeout)
	if err != nil {
		return err
	}
	env, err := p.env(run)
	if err != nil {
		return err
	}
	return poll(ctx, what, s, func(ctx context.Context) error {
		return p.try(ctx, env)
	}, p.tried)
}

// Check implements overseer.Checker: Args run once, killed with its group
// when ctx is done. run may be nil, as for Ready.
func (p *Command) Check(ctx context.Context, run *overseer.ProbeRun) error {
	env, err := p.env(run)
	if err != nil {
		return err
	}
	return check(ctx, "command "+strings.Join(p.Args, " "), func(ctx context.Context) error {
		return p.try(ctx, env)
	})
}

// env checks Args and returns the environment of a try for run.
func (p *Command) env(run *overseer.ProbeRun) ([]string, error) {
	if len(p.Args) == 0 || p.Args[0] == "" {
		return nil, invalid("command: no program in Args")
	}
	base := p.Env
	if base == nil {
		base = os.Environ()
	}
	env := make([]string, 0, len(base)+1)
	for _, kv := range base {
		if !strings.HasPrefix(kv, pidEnv+"=") {
			env = append(env, kv)
		}
	}
	if run != nil && run.PID > 0 {
		env = append(env, pidEnv+"="+strconv.Itoa(run.PID))
	}
	return env, nil
}

// try runs Args once.
func (p *Command) try(ctx context.Context, env []string) error {
	cmd := exec.CommandContext(ctx, p.Args[0], p.Args[1:]...)
	cmd.Dir = p.Dir
	cmd.Env = env
	out := &tailWriter{max: maxOutput}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = waitDelay
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	if p.started != nil {
		p.started(cmd.Process.Pid)
	}
	err := cmd.Wait()
	killGroup(cmd.Process.Pid)
	if errors.Is(err, exec.ErrWaitDelay) {
		// It exited 0; a process it left behind held its output.
		err = nil
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		// Killed through cmd.Cancel: say why (and poll can tell a try cut
		// short by the end of Ready's context).
		err = fmt.Errorf("killed: %w", ctx.Err())
	}
	if tail := strings.TrimSpace(out.String()); tail != "" {
		err = fmt.Errorf("%w: %s", err, tail)
	}
	return err
}

// tailWriter keeps the last max bytes written to it. exec.Cmd calls Write
// from one goroutine at a time when Stdout and Stderr are the same writer.
type tailWriter struct {
	max  int
	buf  []byte
	lost bool
}

func (w *tailWriter) Write(b []byte) (int, error) {
	n := len(b)
	w.buf = append(w.buf, b...)
	if over := len(w.buf) - w.max; over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
		w.lost = true
	}
	return n, nil
}

func (w *tailWriter) String() string {
	s := strings.ToValidUTF8(string(w.buf), "\uFFFD")
	if w.lost {
		return "…" + s
	}
	return s
}
