package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/overseer-go/overseer"
)

// forwarded are the signals "overseer run" passes on to the program's
// process group. Not SIGURG (the Go runtime's own), SIGCHLD, SIGPIPE (about
// the command's own output), nor the job-control signals (SIGTSTP, SIGTTIN,
// SIGTTOU, SIGCONT: the terminal deals with the command, and the program
// is in a process group of its own).
var forwarded = []os.Signal{syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGWINCH, syscall.SIGALRM}

// listFlag is a flag that may be given many times.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ", ") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

const runUsage = `usage: overseer run [-listen ADDR]... [-notify] [-ready-timeout D] [-stop-timeout D] [--] PROGRAM [ARG]...

Runs PROGRAM under supervision, its output going straight to this command's,
as jpillora/overseer does: the sockets of -listen are opened once and handed
to every run of the program (fds 3, 4, … with LISTEN_FDS, LISTEN_PID and
LISTEN_FDNAMES, as systemd's socket activation), so that SIGUSR2 restarts it
with no connection refused: the new run starts on the same sockets, and the
old one is stopped once the new one is ready (with -notify, once it sends
READY=1 on NOTIFY_SOCKET). The program is not restarted when it ends.

  SIGINT, SIGTERM     stop it: SIGTERM, then SIGKILL after -stop-timeout
                      (a second one kills it at once)
  SIGUSR2             rolling restart (once the current run is ready); when
                      the new run fails, the old one goes on
  SIGHUP, SIGQUIT, SIGUSR1, SIGWINCH, SIGALRM
                      passed on to its process group

The exit status is the program's: its exit code, 128+N when signal N ended it,
1 when it could not be started, 2 for a usage error.

`

// runProgram is "overseer run".
func runProgram(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("overseer run", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var listen listFlag
	flags.Var(&listen, "listen", "hold a listening socket at `addr` (tcp://host:port, unix:///path) for the program; repeatable")
	notify := flags.Bool("notify", false, "the program is ready when it sends READY=1 on NOTIFY_SOCKET (sd_notify)")
	readyTimeout := flags.Duration("ready-timeout", time.Minute, "how long a new run may take to be ready (with -notify)")
	stopTimeout := flags.Duration("stop-timeout", 10*time.Second, "how long a stop waits after SIGTERM before SIGKILL")
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), runUsage)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return helpOr2(err)
	}
	if flags.NArg() == 0 {
		fmt.Fprintln(stderr, "overseer run: no program to run")
		flags.Usage()
		return 2
	}
	if *readyTimeout <= 0 || *stopTimeout <= 0 {
		fmt.Fprintln(stderr, "overseer run: -ready-timeout and -stop-timeout must be positive")
		return 2
	}

	c := overseer.NewCmd(flags.Arg(0), flags.Args()[1:]...)
	c.Stdout, c.Stderr = stdout, stderr
	c.Restart = overseer.RestartNever
	c.Listeners = listen
	if *notify {
		c.Ready = overseer.Notified()
	}
	c.ReadyTimeout, c.StopTimeout = *readyTimeout, *stopTimeout
	id := filepath.Base(flags.Arg(0))
	if overseer.CheckID(id) != nil {
		id = "program"
	}
	o := overseer.NewOverseer()
	if err := o.AddCmd(id, c); err != nil {
		fmt.Fprintln(stderr, "overseer run:", err)
		return 2
	}
	return superviseProgram(o, c, id, stderr)
}

// superviseProgram runs the program until it ends or a signal stops it,
// acting on the signals meanwhile, and returns the exit status.
func superviseProgram(o *overseer.Overseer, c *overseer.Cmd, id string, stderr io.Writer) int {
	// Caught before the start, so that none is lost, nor kills the command
	// and leaves the program without its supervisor.
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, append([]os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGUSR2}, forwarded...)...)
	defer signal.Stop(sigs)

	supervised := make(chan error, 1)
	go func() { supervised <- o.Supervise(context.Background(), id) }()

	// Restarts go one at a time, in a goroutine of their own (a rolling
	// restart waits for the new run to be ready); one more can be pending.
	// Once a stop has begun none begins: restartMu is held while one runs,
	// so that the stop can wait for it and stop what it started.
	var (
		wg        sync.WaitGroup
		stopping  atomic.Bool
		restartMu sync.Mutex
	)
	restarts := make(chan struct{}, 1)
	ended := make(chan struct{})
	defer wg.Wait()
	defer close(ended)
	events := make(chan overseer.Event, 16)
	stopWatch := o.Watch(events)
	defer stopWatch()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-restarts:
			case <-events: // only looked at while waiting below
				continue
			case <-ended:
				return
			}
			// A run still starting (not ready yet) is let become ready
			// first: restarting it could not be rolling.
			for c.Status().State == overseer.StateStarting {
				select {
				case <-events:
				case <-ended:
					return
				}
			}
			restartMu.Lock()
			if !stopping.Load() {
				if err := o.Restart(id); err != nil {
					fmt.Fprintln(stderr, "overseer: restart:", err)
				}
			}
			restartMu.Unlock()
		}
	}()
	stop := func() {
		stopping.Store(true)
		_ = o.Stop(id)
		restartMu.Lock() // a restart begun before the flag has returned
		restartMu.Unlock()
		_ = o.Stop(id) // and what it may have started is stopped
	}
	stopped := make(chan struct{})

	for {
		select {
		case err := <-supervised:
			if st := c.Status(); st.State == overseer.StateInitial && err != nil {
				fmt.Fprintln(stderr, "overseer run:", err) // a bad -listen, say
				return 2
			}
			if !stopping.Load() {
				stop() // in case a restart raced with the end
			} else {
				<-stopped
			}
			return exitStatus(c.Status(), stderr)
		case sig := <-sigs:
			switch sig {
			case os.Interrupt, syscall.SIGTERM:
				if stopping.Load() {
					_ = o.Signal(id, syscall.SIGKILL) // the second time
					continue
				}
				stopping.Store(true) // here, for the next signal to see it
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer close(stopped)
					stop()
				}()
			case syscall.SIGUSR2:
				select {
				case restarts <- struct{}{}:
				default: // one is pending already
				}
			default:
				if err := o.Signal(id, sig.(syscall.Signal)); err != nil && !errors.Is(err, overseer.ErrNotFound) {
					fmt.Fprintf(stderr, "overseer: passing on %v: %v\n", sig, err)
				}
			}
		}
	}
}

// exitStatus is the exit status of the command for the program's last run.
func exitStatus(st overseer.Status, stderr io.Writer) int {
	var sig *overseer.SignalError
	switch {
	case errors.As(st.Error, &sig):
		return 128 + int(sig.Signal)
	case st.Error != nil:
		fmt.Fprintln(stderr, "overseer:", st.Error)
		return 1
	case st.Exit >= 0:
		return st.Exit
	}
	fmt.Fprintf(stderr, "overseer: the program ended %v with no exit code\n", st.State)
	return 1
}
