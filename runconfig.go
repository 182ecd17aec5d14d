package overseer

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/overseer-go/overseer/internal/proc"
	"github.com/overseer-go/overseer/internal/sdnotify"
	"github.com/overseer-go/overseer/internal/sockets"
)

// runConfig is a run's configuration: the Cmd's fields checked, copied and
// with defaults filled in, so a run never reads fields a caller may change.
type runConfig struct {
	args         []string
	dir          string
	env          []string // until takeEnv
	group        string
	cmdline      string // args joined by spaces, for JSON
	pty          bool
	stdout       io.Writer
	stderr       io.Writer
	stopSignal   syscall.Signal
	stopTimeout  time.Duration
	bufferLines  int
	bufferBytes  int
	maxLineBytes int

	restart      RestartPolicy
	maxRestarts  int
	resetAfter   time.Duration
	startDelay   time.Duration
	backoff      Backoff
	successCodes []int
	schedule     Schedule
	runOnStart   bool

	ready        Probe
	readyTimeout time.Duration
	notify       bool
	watchdog     time.Duration
	liveness     Liveness // defaults filled in; Check nil for none
	listeners    []sockets.Addr
	watchFiles   []string
	dependsOn    []Dependency
	limits       proc.CgroupLimits // MemoryLimit, CPUQuota, TasksMax
	setup        proc.Setup        // Limits, Nice, Umask, User, UserGroup
	hooks        *hookConfig       // PreStart, PostStop, StopCommand; nil if none
}

// takeEnv returns the environment of cfg and removes it from cfg. Only the
// exec needs it, while the configuration lives as long as the run, and
// after it as the Cmd's last: kept, it was a copy of the host's
// environment per process (0.7 KB with the benchmarks' environment).
func (cfg *runConfig) takeEnv() []string {
	env := cfg.env
	cfg.env = nil
	return env
}

// config checks the Cmd's fields and returns the run configuration they
// make, or an error wrapping ErrInvalid that names the field.
func (c *Cmd) config() (runConfig, error) {
	return c.configArgs(c.Args)
}

// configArgs is config with args in place of Args: a rolling Upgrade
// checks and runs its new command line without writing Args.
func (c *Cmd) configArgs(args []string) (runConfig, error) {
	if len(args) == 0 || args[0] == "" {
		return runConfig{}, fmt.Errorf("%w: %s: no program to run (Args is empty)", ErrInvalid, c.name())
	}
	for _, kv := range c.Env {
		if !strings.Contains(kv, "=") {
			return runConfig{}, fmt.Errorf("%w: %s: Env entry %q is not KEY=value", ErrInvalid, c.name(), kv)
		}
	}
	// exec would refuse a NUL byte at every start; say where it is now.
	for _, f := range []struct {
		name   string
		values []string
	}{{"Args", args}, {"Env", c.Env}, {"Dir", []string{c.Dir}}} {
		for _, v := range f.values {
			if strings.IndexByte(v, 0) >= 0 {
				return runConfig{}, fmt.Errorf("%w: %s: %s has a NUL byte in %q", ErrInvalid, c.name(), f.name, v)
			}
		}
	}
	for _, code := range c.SuccessCodes {
		if code < 0 || code > 255 {
			return runConfig{}, fmt.Errorf("%w: %s: SuccessCodes has %d, not an exit code (0-255)", ErrInvalid, c.name(), code)
		}
	}
	if c.StopSignal != 0 && !validSignal(c.StopSignal) {
		return runConfig{}, fmt.Errorf("%w: %s: StopSignal %d is not a signal number (1-%d)", ErrInvalid, c.name(), int(c.StopSignal), proc.MaxSignal)
	}
	for _, f := range []struct {
		name  string
		value int64
	}{
		{"StopTimeout", int64(c.StopTimeout)},
		{"BufferLines", int64(c.BufferLines)},
		{"BufferBytes", int64(c.BufferBytes)},
		{"MaxLineBytes", int64(c.MaxLineBytes)},
		{"ResetAfter", int64(c.ResetAfter)},
		{"StartDelay", int64(c.StartDelay)},
		{"Backoff.Min", int64(c.Backoff.Min)},
		{"Backoff.Max", int64(c.Backoff.Max)},
		{"ReadyTimeout", int64(c.ReadyTimeout)},
		{"Watchdog", int64(c.Watchdog)},
		{"MemoryLimit", c.MemoryLimit},
	} {
		if f.value < 0 {
			return runConfig{}, fmt.Errorf("%w: %s: %s is negative (%d)", ErrInvalid, c.name(), f.name, f.value)
		}
	}
	if c.MaxLineBytes > maxMaxLineBytes {
		return runConfig{}, fmt.Errorf("%w: %s: MaxLineBytes %d is above 1 GiB", ErrInvalid, c.name(), c.MaxLineBytes)
	}
	if c.Restart > RestartAlways {
		return runConfig{}, fmt.Errorf("%w: %s: Restart %d is not a RestartPolicy", ErrInvalid, c.name(), c.Restart)
	}
	if c.Schedule != nil && c.Restart == RestartAlways {
		return runConfig{}, fmt.Errorf("%w: %s: Schedule with Restart RestartAlways: a scheduled run must end by itself (use RestartOnFailure or RestartNever)", ErrInvalid, c.name())
	}
	backoff, err := c.Backoff.withDefaults()
	if err != nil {
		return runConfig{}, fmt.Errorf("%w: %s: %v", ErrInvalid, c.name(), err)
	}
	listeners, err := c.listenConfig()
	if err != nil {
		return runConfig{}, err
	}
	for _, d := range c.DependsOn {
		if err := d.check(c.id); err != nil {
			return runConfig{}, fmt.Errorf("%w: %s: DependsOn: %v", ErrInvalid, c.name(), err)
		}
	}
	if c.Watchdog > 0 && c.Watchdog < time.Millisecond {
		return runConfig{}, fmt.Errorf("%w: %s: Watchdog %v is below 1ms", ErrInvalid, c.name(), c.Watchdog)
	}
	liveness, err := c.Liveness.withDefaults()
	if err != nil {
		return runConfig{}, fmt.Errorf("%w: %s: %v", ErrInvalid, c.name(), err)
	}
	notify := c.Notify || c.Watchdog > 0 || isNotified(c.Ready)
	if notify {
		if err := sdnotify.Supported(); err != nil {
			return runConfig{}, fmt.Errorf("%w: %s: Notify: %w", ErrInvalid, c.name(), err)
		}
	}
	limits, err := c.cgroupLimits()
	if err != nil {
		return runConfig{}, err
	}
	setup, userEnv, err := c.setupConfig()
	if err != nil {
		return runConfig{}, err
	}
	hooks, err := c.hookConfig()
	if err != nil {
		return runConfig{}, err
	}
	stdout, stderr := c.Stdout, c.Stderr
	switch {
	case sameWriter(stdout, stderr):
		w := &lockedWriter{w: stdout}
		stdout, stderr = w, w
	case hooks.stop() != nil:
		// The StopCommand's output comes while the program's does: one
		// Write at a time to each writer all the same.
		stdout, stderr = lockedOrNil(stdout), lockedOrNil(stderr)
	}
	return runConfig{
		args:         slices.Clone(args),
		cmdline:      strings.Join(args, " "),
		dir:          c.Dir,
		env:          withVars(childEnv(orEnviron(c.Env)), userEnv),
		group:        c.Group,
		stdout:       stdout,
		stderr:       stderr,
		stopSignal:   orDefault(c.StopSignal, defaultStopSignal),
		stopTimeout:  orDefault(c.StopTimeout, defaultStopTimeout),
		bufferLines:  orDefault(c.BufferLines, defaultBufferLines),
		bufferBytes:  orDefault(c.BufferBytes, defaultBufferBytes),
		maxLineBytes: orDefault(c.MaxLineBytes, defaultMaxLineBytes),
		pty:          c.PTY,
		restart:      c.Restart,
		maxRestarts:  maxRestartsOf(c.MaxRestarts),
		resetAfter:   orDefault(c.ResetAfter, defaultResetAfter),
		startDelay:   c.StartDelay,
		backoff:      backoff,
		successCodes: slices.Clone(c.SuccessCodes),
		schedule:     c.Schedule,
		runOnStart:   c.RunOnStart,
		ready:        c.Ready,
		readyTimeout: orDefault(c.ReadyTimeout, defaultReadyTimeout),
		notify:       notify,
		watchdog:     c.Watchdog,
		liveness:     liveness,
		listeners:    listeners,
		watchFiles:   slices.Clone(c.WatchFiles),
		dependsOn:    slices.Clone(c.DependsOn),
		limits:       limits,
		setup:        setup,
		hooks:        hooks,
	}, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// validSignal accepts the signal numbers a process group can be sent.
func validSignal(sig syscall.Signal) bool {
	return sig >= 1 && sig <= proc.MaxSignal
}
