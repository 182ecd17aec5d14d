package overseer

import (
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/overseer-go/overseer/internal/proc"
	"github.com/overseer-go/overseer/internal/sockets"
)

// Defaults that NewCmd and Overseer.Add fill in, and that a zero field of a
// Cmd built by hand stands for.
const (
	defaultStopSignal   = syscall.SIGTERM
	defaultStopTimeout  = 10 * time.Second
	defaultBufferLines  = 1000
	defaultBufferBytes  = 4 << 20
	defaultMaxLineBytes = 64 << 10
	maxMaxLineBytes     = 1 << 30 // the ring keeps a line's length in 32 bits
	defaultMaxRestarts  = 5
	defaultResetAfter   = 10 * time.Second
	defaultBackoffMin   = 100 * time.Millisecond
	defaultBackoffMax   = 30 * time.Second
	defaultBackoffMult  = 2
	defaultReadyTimeout = time.Minute
)

// Cmd is a process that can be started, stopped and started again. Each start
// is a run: a new process with a new PID, in a process group of its own.
//
// Configure a Cmd through its exported fields before its first start, as
// with os/exec.Cmd; changes made while it is at rest (not starting, running,
// stopping or waiting to restart) take effect at the next start. Every
// method is safe for concurrent use.
//
// The fields are read only when a run starts (copied into the run's
// configuration by the caller's Start, or by the supervision when it starts
// a run), and by the caller's own AddCmd and SuperviseAll: never by a
// background goroutine. What observers show of them (Group, Args as the
// command line, Dir, WatchFiles, DependsOn: in Status, ToJSON, ListGroup,
// WatchedFiles, and SuperviseAll's order of processes added while it runs)
// is a copy taken at registration (AddCmd, Add), at SuperviseAll's beginning
// for a Cmd at rest, and at each start. So a field changed after Add "takes
// effect at the next start" for observers too: ListGroup finds a Group set
// after Add once the process has been started (or SuperviseAll has begun).
// To have observers see a field from the beginning, set it on a NewCmd and
// register that with AddCmd.
//
// The zero value of every field means its default, so &Cmd{Args: args}
// runs as NewCmd does: Restart is RestartOnFailure, MaxRestarts 5 (say
// NoRestarts for none), Backoff jittered (say NoJitter for none). A value
// with a meaning of its own is never the zero value.
//
// Its output is split into Lines as it arrives; the Cmd keeps the latest of
// each stream in a bounded ring (BufferLines, BufferBytes), readable through
// Lines and Status, across runs.
type Cmd struct {
	// Args holds the program and its arguments. Args[0] is looked up in
	// PATH when it holds no slash; a relative path is taken from Dir. No
	// shell is involved.
	Args []string
	// Dir is the working directory of the process; "" means the host's.
	Dir string
	// Env is the environment of the process, each entry "KEY=value"; nil
	// means the host's environment. Either way the variables of the
	// protocols the Overseer speaks for its children are removed
	// (NOTIFY_SOCKET, LISTEN_*, WATCHDOG_*, OVERSEER_*): the Overseer sets
	// them itself, as OVERSEER_LIFELINE_FD (see the package doc).
	Env []string
	// Group is a free-form label for dashboards (Overseer.ListGroup).
	Group string

	// Stdout and Stderr, when set, receive the raw bytes of each stream as
	// they are read, before they are split into Lines (for log files), and
	// those of the hooks (PreStart, PostStop, StopCommand) too. They are
	// called from the goroutine reading the pipe: a writer that blocks
	// holds up that stream, and one that fails is dropped for the rest of
	// the run (of the hook). When both are the same writer, as with
	// os/exec, at most one Write runs at a time; so it does for each of
	// two writers when a StopCommand, whose output comes while the
	// program's does, is set.
	Stdout io.Writer
	Stderr io.Writer

	// PTY runs the process under a pseudo-terminal instead of pipes, so that
	// programs which colour or line-buffer their output only on a terminal
	// behave as in a shell. Both streams then arrive as one, StreamStdout,
	// with "\r\n" line ends ("\r" dropped as usual); Stdout receives the raw
	// bytes and Stderr nothing.
	PTY bool

	// StopSignal is sent to the process group by Stop. Zero means SIGTERM.
	StopSignal syscall.Signal
	// StopTimeout is how long Stop waits after StopSignal before it sends
	// SIGKILL to the process group. Zero means 10s.
	StopTimeout time.Duration

	// BufferLines is how many of the latest Lines the Cmd keeps of each
	// stream. Zero means 1000.
	BufferLines int
	// BufferBytes bounds the bytes of Text kept of each stream; the oldest
	// Lines go first, the newest Line is always kept. Zero means 4 MiB.
	BufferBytes int
	// MaxLineBytes is the longest Text of one Line: a longer line arrives
	// as several Lines, each but the last marked Partial. Zero means 64 KiB;
	// at most 1 GiB.
	//
	// It is memory too. Once a stream has had a line that long, its ring
	// keeps a buffer of at least MaxLineBytes for the life of the Cmd, even
	// when BufferBytes is less, and the run holds up to MaxLineBytes+1
	// bytes of the stream's unfinished line until it ends: about
	// 2 × MaxLineBytes per stream. A piece of a long line is copied into
	// the ring (and first into the unfinished line when it spans two reads
	// of the pipe), and made once into a string of its own when there are
	// subscribers.
	MaxLineBytes int

	// Restart says which ended runs supervision starts again. Zero is
	// RestartOnFailure; RestartNever must be said.
	Restart RestartPolicy
	// MaxRestarts is the most restarts in a row after failed runs before
	// supervision gives up (state fatal). Zero means 5; negative means no
	// limit; NoRestarts means none: the first failure is fatal.
	MaxRestarts int
	// ResetAfter: a run that stayed up longer than this resets the count
	// of restarts in a row and the backoff. Zero means 10s.
	ResetAfter time.Duration
	// StartDelay is waited before the first start under supervision. Zero
	// means none.
	StartDelay time.Duration
	// Backoff is the delay between restarts; its zero fields mean their
	// defaults, jitter included (see Backoff).
	Backoff Backoff
	// SuccessCodes lists exit codes other than 0 that count as success for
	// the restart policy, as systemd's SuccessExitStatus. Nil means none.
	SuccessCodes []int

	// Ready, when set, decides when a run is ready: the run stays starting
	// until the probe passes (then running), or until ReadyTimeout passes
	// (then it is stopped, as a failed run for the restart policy, with an
	// error wrapping ErrNotReady). Nil means ready as soon as the program
	// is executing. See Notified, and package probe for the others. A probe
	// that connects to an address (an AddrProbe) must not
	// aim at the Cmd's own Listeners: the held socket accepts whichever run
	// is up, so such a probe cannot tell runs apart (ErrInvalid).
	Ready Probe
	// ReadyTimeout bounds the wait for Ready, and each PreStart command.
	// Zero means 1 minute.
	ReadyTimeout time.Duration

	// Notify gives every run a notification socket, as systemd's
	// Type=notify does: NOTIFY_SOCKET names it, and the messages of any
	// process of the run's group count (READY=1, STATUS=, STOPPING=1,
	// WATCHDOG=1, MAINPID=; see the package doc). Setting Ready to
	// Notified() or a Watchdog sets it too. Linux only.
	Notify bool
	// Watchdog, when set, is the longest the run may go without sending
	// WATCHDOG=1: a run that misses it gets SIGABRT (then SIGKILL after
	// StopTimeout) and counts as failed. The child learns it from
	// WATCHDOG_USEC and WATCHDOG_PID, as under systemd. Zero means none.
	Watchdog time.Duration

	// Liveness, when its Check is set, checks every Period that a ready
	// run stays well, and restarts it as a failed run once it fails
	// Failures tries in a row (see Liveness). Status.Health shows what it
	// says.
	Liveness Liveness

	// PreStart lists commands run one after the other before each run,
	// each as Args is (no shell), with the Dir, Env, User, UserGroup,
	// Limits, Nice and Umask of the process, in a process group of their
	// own (what one leaves in it when it exits is killed), their output
	// captured into the Cmd's rings as Lines marked HookPreStart, and
	// written to Stdout and Stderr as the program's is. They do not run in the run's control group:
	// MemoryLimit, CPUQuota and TasksMax do not bound them. One that fails
	// (a non-zero exit, a signal, a program that cannot be started, or
	// one still going after ReadyTimeout, which is then killed, as
	// systemd's TimeoutStartSec= bounds ExecStartPre=) ends the start as
	// a start failure: the program is not run, and the restart policy
	// decides what comes next (backoff, then fatal after MaxRestarts), as
	// systemd's ExecStartPre=. A Stop during them ends them as it ends a
	// run, and the Cmd is interrupted. Nil means none.
	PreStart [][]string
	// PostStop lists commands run one after the other after each run has
	// ended, however it ended (a start that failed before the program was
	// executed is not a run), as PreStart's are, their Lines marked
	// HookPostStop; the run counts as ended once they are done. Unlike
	// systemd's ExecStopPost=, they do not run after a start that failed
	// before the program was executed. As ExecStopPost=, they are told how
	// the run ended in their
	// environment: MAINPID (its leader), EXIT_CODE ("exited", "killed" or
	// "dumped") and EXIT_STATUS (the exit code, or the signal's name:
	// "TERM"). A failure is logged, and changes nothing else. Each is
	// bounded by StopTimeout. Nil means none.
	PostStop [][]string
	// StopCommand, when set, is run to stop a run in place of sending
	// StopSignal: by Stop, StopAll, Restart, and the stops for liveness,
	// readiness and memory, as process-compose's shutdown.command and
	// systemd's ExecStop=. It runs as PreStart's commands do, with
	// MAINPID (the run's main process: its MAINPID=, else its leader) in
	// its environment, its Lines marked HookStopCommand, once per run,
	// bounded by StopTimeout. A run still going StopTimeout after it began
	// gets SIGKILL, as after StopSignal. One that cannot be started or
	// fails is logged, and StopSignal is sent in its place. Nil means
	// StopSignal.
	StopCommand []string

	// Schedule, when set, starts a run of the Cmd at each of its ticks
	// under supervision (Supervise, SuperviseAll), for a program that
	// ends by itself (a batch job), as a systemd timer or a cron entry:
	// supervision does not start it at once (unless RunOnStart), and
	// after each run, restarts for failures included, it waits for the
	// next tick instead of ending. A tick that comes while a run is in
	// progress is skipped and counted (Status.Skipped): never two runs
	// at once. Status.NextRun shows the next tick. RestartAlways makes no
	// sense with it (ErrInvalid). It is read when the supervision begins;
	// StartDelay delays a RunOnStart run only. Nil means none.
	Schedule Schedule
	// RunOnStart also starts a run of a scheduled Cmd when its
	// supervision begins, as systemd's Persistent= catch-up or
	// process-compose's run_on_start. Without Schedule it changes
	// nothing.
	RunOnStart bool

	// Revision labels this configuration for Overseer.Apply: when the
	// registered Cmd and the one Apply is given both have a Revision, the
	// process counts as changed exactly when they differ, and no field is
	// compared. A configuration file's reader sets it to a digest of what
	// it read (the command does); "" leaves the decision to the fields.
	// It changes nothing else.
	Revision string

	// Listeners are addresses of listening sockets the Overseer opens
	// before the first run and hands to every run, with systemd's socket
	// activation protocol: fds 3, 4, … in order, LISTEN_FDS,
	// LISTEN_FDNAMES and LISTEN_PID. The forms are "tcp://host:port"
	// (also tcp4, tcp6; port 0 picks a free port, see Status.Listeners)
	// and "unix:///path/to/socket". With Listeners, Overseer.Restart and
	// Upgrade are rolling: the new run starts on the same sockets and the
	// old one is stopped only once the new one is ready, so no connection
	// is refused. The sockets are held until the Cmd is removed from its
	// Overseer (a Cmd outside an Overseer closes them when its run ends).
	Listeners []string

	// DependsOn lists the processes that SuperviseAll waits for, each until
	// its Condition holds, before starting this one (Start and Supervise
	// do not wait). StopAll stops this process before those it depends on.
	DependsOn []Dependency

	// WatchFiles lists files whose change should restart the process, as a
	// rolling restart when it has Listeners. The Overseer only keeps the
	// list; package watch acts on it, and on a change of the program file.
	WatchFiles []string

	// MemoryLimit bounds the resident memory of a run, all its processes
	// together, in bytes. Where the run's control group has the memory
	// controller, it is the group's memory.max, and a run the kernel kills
	// for it ends with an error saying so ("killed: out of memory (limit
	// 200 MiB)"). Elsewhere it is pm2's max_memory_restart: a run whose
	// sampled Usage.Memory (see WithUsageInterval; every 5 s with sampling
	// off, and for a Cmd outside an Overseer) is above it in two samples
	// in a row is stopped gracefully, as by Stop (StopSignal, then SIGKILL
	// after StopTimeout), and counts as failed: restarted as the policy
	// says, else fatal. Its Status.Error is then a *MemoryLimitError,
	// which wraps ErrMemoryLimit: "overseer: web: memory 212.3 MiB above
	// its limit 200 MiB (two samples in a row)". Zero means no limit; a
	// negative one is invalid.
	MemoryLimit int64
	// CPUQuota bounds the processor time of a run, all its processes
	// together, as a share of one core: 0.5 is half a core, 2 two cores
	// (the control group's cpu.max). It needs the cpu controller in the
	// run's control group: a start without it fails with an error wrapping
	// errors.ErrUnsupported that names the controller. Zero means no
	// quota.
	CPUQuota float64
	// TasksMax bounds the processes and threads of a run together (the
	// control group's pids.max); it needs the pids controller, as CPUQuota
	// needs cpu. Zero means no limit.
	TasksMax int

	// Limits sets resource limits (setrlimit(2)) of the process, soft and
	// hard alike, before the program's first instruction: {ResourceNOFILE:
	// 65536, ResourceCORE: 0}. Use Unlimited for none. Its children inherit
	// them. A resource that is not in the map keeps the host's limit. A
	// limit the system refuses (a hard limit above the host's, without the
	// privilege to raise it) ends the run with exit status 126 and a line
	// on its stderr naming the call, as does any refusal of Nice or User in
	// the child.
	Limits map[Resource]uint64
	// Nice is the process's niceness, -20 (first) to 19 (last); a negative
	// one needs the privilege to raise a priority. Zero keeps the host's.
	Nice int
	// Umask is the process's file mode creation mask, as umask(2) takes
	// it (0o077 makes new files 0600). Zero keeps the host's; UmaskNone
	// masks nothing.
	Umask fs.FileMode
	// User runs the process as this user, a name or a numeric id, with its
	// primary group and its supplementary groups, and with HOME, USER and
	// LOGNAME set as login would, over Env's (SHELL too, where the user has
	// an entry in /etc/passwd). The user must be able to execute the
	// program and enter Dir. It needs a host running as root: another host
	// gets an error wrapping os.ErrPermission unless User is itself. The
	// output, the log files and the listening sockets stay the host's. An
	// unknown user is an error wrapping ErrInvalid. "" means the host's
	// user. The user is changed last, after Limits, Nice and Umask.
	User string
	// UserGroup runs the process with this group, a name or a numeric id,
	// as its primary group, in place of User's. "" means User's primary
	// group, or the host's. Without User, the host's user and
	// supplementary groups are kept.
	UserGroup string

	id  string
	out output

	mu        sync.Mutex
	cfg       *runConfig // of the current or last run; nil before the first
	state     State
	run       *run          // the run in progress, nil at rest
	launching *launch       // the start whose exec is in progress, nil when none
	next      *launch       // the new run of a rolling restart, until it takes over
	done      chan struct{} // closed when the current run has ended
	pid       int
	exit      int
	exited    bool // exit holds an exit code
	stopped   bool // Status.Stopped
	err       error
	startTime time.Time
	stopTime  time.Time
	restarts  int
	skipped   int // Status.Skipped: ticks of the Schedule that came during a run

	warning      string // Event.Warning of the change being published
	warnedDaemon bool   // a run was said to have daemonized: said once

	statusText string       // Status.StatusText
	mainPID    int          // Status.MainPID
	socks      *sockets.Set // the Listeners, once opened
	program    string       // the program file of the last start, resolved

	sup *supervision // the supervision in progress, nil when none; guarded by mu

	spec *spec                // what observers show of the fields; guarded by mu
	view atomic.Pointer[view] // what observers read, published under mu

	// Set by the Overseer (or by tests) before the first start.
	owner     *Overseer     // the Overseer c is registered with, nil if none
	added     atomic.Uint64 // its place among the Cmds registered with owner, from 1; read by SuperviseAll without a lock
	timer     timerFunc     // for backoff, StartDelay and Schedule; nil means real timers
	now       nowFunc       // the clock of Schedule's ticks; nil means time.Now (tests set it)
	logger    *slog.Logger
	onEvent   func(Event)          // every change of state, under mu; must not block
	onIllegal func(from, to State) // a transition outside the table
	onIdle    func()               // the supervision has ended
	subreaper bool                 // the Overseer is the child subreaper: mark and end descendants
	cgroups   bool                 // start each run in a control group of its own, where the host can
	ownUsage  *sampler             // the sampler of a Cmd outside an Overseer, made at its first run; guarded by mu

	beforeExec func() // tests: called just before exec (without mu, as every exec), standing for one that hangs; nil in use
}

// NewCmd returns a Cmd that runs name with args, with every field that has a
// default set to it, so that what a caller reads is what will happen. It
// runs as &Cmd{Args: ...} does: the zero value of every field of a Cmd
// means that field's default, and NewCmd only writes the defaults out.
func NewCmd(name string, args ...string) *Cmd {
	return &Cmd{
		Args:         append([]string{name}, args...),
		StopSignal:   defaultStopSignal,
		StopTimeout:  defaultStopTimeout,
		BufferLines:  defaultBufferLines,
		BufferBytes:  defaultBufferBytes,
		MaxLineBytes: defaultMaxLineBytes,
		Restart:      RestartOnFailure,
		MaxRestarts:  defaultMaxRestarts,
		ResetAfter:   defaultResetAfter,
		Backoff: Backoff{
			Min:    defaultBackoffMin,
			Max:    defaultBackoffMax,
			Factor: defaultBackoffMult,
		},
	}
}

// Signal sends sig to the process group of the current run. It returns an
// error wrapping ErrInvalid for a signal number outside 1–64, and one
// wrapping os.ErrProcessDone when no run is in progress (nor while a
// start's exec has not returned: there is no process to signal yet).
func (c *Cmd) Signal(sig syscall.Signal) error {
	if !validSignal(sig) {
		return fmt.Errorf("%w: signal %s: %d is not a signal number (1-%d)", ErrInvalid, c.name(), int(sig), proc.MaxSignal)
	}
	c.mu.Lock()
	r := c.run
	c.unlock()
	if r == nil {
		return fmt.Errorf("overseer: signal %s: %w", c.name(), os.ErrProcessDone)
	}
	if err := r.signal(sig); err != nil {
		return fmt.Errorf("overseer: signal %s: %w", c.name(), err)
	}
	return nil
}

// Status returns a snapshot of the Cmd, with copies of the output it keeps.
// It takes no lock that a start, a stop or a probe holds: it returns at once
// even while an exec hangs (the state is then starting).
func (c *Cmd) Status() Status {
	st := c.load().status(time.Now())
	st.Stdout, st.Stderr = c.out.texts()
	st.StdoutLines, st.StderrLines = c.out.counts()
	return st
}

// Done returns a channel that is closed when the current run has ended and
// all its output has been read. On a Cmd that was never started it is
// already closed. After a rolling restart it is closed when the run it was
// taken for, the old one, has ended: call Done again for the new one.
func (c *Cmd) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		close(c.done)
	}
	return c.done
}

// Wait blocks until the current run has ended and every line of it has been
// captured, and returns the Status then. On a Cmd that was never started it
// returns at once.
func (c *Cmd) Wait() Status {
	<-c.Done()
	return c.Status()
}

// Lines returns the Lines the Cmd keeps whose Seq is greater than since, of
// both streams, in Seq order: Lines(0) is all of them, and a reader that
// remembers the last Seq it saw can tail the output without copying what it
// already has.
func (c *Cmd) Lines(since uint64) []Line {
	return c.out.since(since)
}

// WatchedFiles returns the files whose change should restart the process:
// its program file, as found at its last start (before the first, as
// found now in PATH, if it is), then WatchFiles, as of the last start (or
// as registered, before the first; see Cmd). Package watch acts on them.
// It reads the published snapshot, not the fields, and takes no lock.
func (c *Cmd) WatchedFiles() []string {
	v := c.load()
	var files []string
	switch {
	case v.program != "":
		files = append(files, v.program)
	case v.spec.program0 != "":
		if path, err := exec.LookPath(v.spec.program0); err == nil {
			files = append(files, proc.AbsIn(v.spec.dir, path))
		}
	}
	return append(files, v.spec.watchFiles...)
}

// group is the Cmd's Group as observers see it (see Cmd).
func (c *Cmd) group() string {
	return c.load().spec.group
}

// name is how errors refer to the Cmd: its id, or its program.
func (c *Cmd) name() string {
	if c.id != "" {
		return c.id
	}
	if v := c.view.Load(); v != nil && v.spec.program0 != "" {
		return v.spec.program0 // a background goroutine never reads Args
	}
	if len(c.Args) > 0 {
		return c.Args[0] // never started: only its creator can reach it
	}
	return "(no program)"
}
