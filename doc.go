// Package overseer runs and supervises processes for a host program and
// captures their output line by line.
//
// A Cmd is one process that can be started, stopped and started again. Each
// run gets a process group of its own, so Signal and Stop reach every process
// the run started, and when the run's first process exits whatever it left
// in its group is killed: no orphaned grandchildren. Its stdout and stderr
// are split into Lines as they arrive and kept in a bounded ring per
// stream, which LogReaders read in batches; the child only ever waits on
// its pipe.
//
//	cmd := overseer.NewCmd("sh", "-c", "echo hello; echo oops >&2; exit 3")
//	if err := cmd.Start(); err != nil {
//		return err
//	}
//	st := cmd.Wait() // st.State == overseer.StateFinished, st.Exit == 3
//	for _, l := range cmd.Lines(0) {
//		fmt.Println(l.Stream, l.Text)
//	}
//
// Every change of state is checked against the table documented on State.
//
// # Who writes a Cmd's state
//
// One writer at a time, through one set of methods: a Cmd's state (its
// own, its run's and its supervision's) changes only in its transitions —
// launch.go (a start), stop.go (a stop), rolling.go, supervise.go (the
// policy), report.go and notify.go (what a run's waiter, probe and
// notification reader report), and the registry's AddCmd, Remove and
// supervise — each one critical section under the Cmd's lock that
// publishes, before it lets go, the immutable snapshot that Status,
// ToJSON, ToJSONAll, ListAll, ListGroup and WatchedFiles load without any
// lock; a run's goroutines never write it themselves. Nothing that can
// block runs under the lock: a start is prepared under it, executed
// without it (the exec and the stat of Dir, in the supervision's goroutine
// or the caller's Start) and recorded under it again, so a start that
// hangs holds up that start and whoever waits for it, and nothing else.
//
// The exported fields are read only by the caller's own calls and when a
// run starts (see Cmd). The lock order is the Overseer's lock before a
// Cmd's (never the reverse, and no observer takes either); under a Cmd's
// lock only the locks of its output and of the Watch subscriptions are
// taken, which take neither. A LogReader's own lock is taken last of all,
// under nothing but, briefly, the Overseer's; its Next takes an output's
// lock while it holds none.
//
// On Linux a run learns of its process's exit through a pidfd watched by the
// Go runtime's netpoller, so waiting children cost parked goroutines, not OS
// threads: one per quiet child, which also watches its quiet pipes. Other Unix systems fall back to a thread blocked in wait4, as
// os/exec does. Off Unix (Windows, wasip1) the package builds, so that a
// program importing it does, but nothing there can run a process: Start,
// Supervise and SuperviseAll return an error wrapping errors.ErrUnsupported.
//
// # The host's death
//
// If the host dies, even by SIGKILL, its children and their process groups
// die with it: the first run starts a guardian, a second process that is the
// host's own executable run again in a mode this package's init functions
// recognize (the environment variable OVERSEER_GUARDIAN). It learns each
// run's process group over a pipe, and of each start before its fork, and
// kills the groups still live, and on Linux the starts it never heard the end
// of, when the host is gone. The host watches the guardian and replaces it at
// once if it dies; one goroutine waits for it for the life of the process
// (tests that use go.uber.org/goleak should ignore it: its function is
// github.com/overseer-go/overseer/internal/proc.(*host).awaitGuardian). A
// child that wants to know for itself gets a lifeline: fd 3
// (named by OVERSEER_LIFELINE_FD) is a pipe that reaches end of file when the
// host is gone. On Linux every descendant of a run carries the run's mark,
// OVERSEER_RUN, by which the Overseer finds what left the run's process
// group (see WithSubreaper, and Event.Warning). Children do not inherit the
// host's NOTIFY_SOCKET, LISTEN_* and WATCHDOG_* variables.
//
// # Readiness, notifications and sockets
//
// A Cmd with Ready stays starting until its Probe passes (see Notified, and
// package probe). Once it is running, its Liveness.Check, if any, is tried
// every Period: after Failures failed tries in a row the run is stopped
// and counts as failed (Status.Health, ErrUnhealthy). With Notify each run gets a NOTIFY_SOCKET of its own,
// spoken as systemd's sd_notify (READY=1, STATUS=, STOPPING=1, WATCHDOG=1,
// MAINPID=); package notify is the child's side for Go programs. Listeners
// are opened once and handed to every run as systemd's socket activation
// does (fds 3, 4, …, then the lifeline; LISTEN_FDS, LISTEN_FDNAMES,
// LISTEN_PID). LISTEN_PID and WATCHDOG_PID must be the child's own pid,
// which is known only after the fork: such runs start through the host's
// own executable run again in a mode this package's init functions
// recognize (the environment variable OVERSEER_EXEC), which sets them and
// executes the program in its place, with the same pid. With Listeners, Restart and
// Upgrade are rolling restarts: the new run serves on the same sockets
// before the old one stops. A child also learns its StopSignal from
// OVERSEER_STOP_SIGNAL.
//
// The package is silent unless given a *slog.Logger and installs no signal
// handlers. The guardian and the lifeline are its only process-wide state,
// since what they watch is the process; WithSubreaper changes a process-wide
// attribute, and at most one Overseer may use it.
package overseer

// Layout, for contributors: this package holds the public API and the
// supervision policy; the mechanism is in internal packages, which never
// import it (.ci/run checks): internal/proc (starting, waiting, reaping and
// signalling processes, the pty, the subreaper, the guardian, the lifeline
// and the exec wrapper, with every build tag of that), internal/sockets
// (listeners, and sockets.Layout, the fds a child gets), internal/sdnotify
// (the notification socket), internal/linebuf (the line splitter and the
// ring), internal/fanout (Watch subscriptions) and internal/depgraph (cycles and
// orders). Satellites (dashboard, metrics, probe, watch, the command) use
// this package's API alone; package notify, the child's side, imports only
// internal/sockets, for the fd layout.

// Platform files, for contributors. The process mechanism, and with it most
// of the platform code, is in internal/proc; this package keeps the public
// API and the supervision policy. A file's name says where it builds, and
// its build line, if any, says the same:
//
//   - x_linux.go builds on Linux (the name is the constraint);
//   - x_unix.go builds on every Unix (//go:build unix) or, when x_linux.go
//     exists, on the others (//go:build unix && !linux);
//   - x_other.go builds off Unix (//go:build !unix): Windows, wasip1;
//     a package's unsupported_other.go or x_other.go holds its stubs,
//     returning errors.ErrUnsupported (internal/proc's those of the process
//     mechanism, internal/sockets' and internal/sdnotify's their own), and
//     proc.Supported stops Start before any;
//   - a file without a suffix builds everywhere and has no build line.
//
// Satellites follow the same rule; a file for a facility some systems share
// is named after it and lists them (cmd/overseer/internal/control's
// peer_xucred.go: darwin || freebsd). A package meant for Unix or Linux
// only (cmd/overseer and its internal packages, benchmarks,
// examples/scale) says so with a build line on each file instead, test files
// may too. .ci/run builds for darwin, freebsd and windows and runs
// internal/nonunix's test under wasip1.
