//go:build unix

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/probe"
)

// forwarded are the signals "overseer run" passes on to the program with
// Forward: SIGQUIT, which ends a process, to its process group; the others,
// which programs take as "reload" or "resize", to its main process alone.
// Not SIGURG (the Go runtime's own), SIGCHLD, SIGPIPE (about the command's
// own output), nor the job-control signals (SIGTSTP, SIGTTIN, SIGTTOU,
// SIGCONT: the terminal deals with the command, and the program is in a
// process group of its own).
var forwarded = []os.Signal{syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGWINCH, syscall.SIGALRM}

// listFlag is a flag that may be given many times.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ", ") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

const runUsage = `usage: overseer run [-listen ADDR]... [-notify | -ready-line RE | -ready-tcp ADDR | -ready-http URL | -ready-cmd CMD]
                   [-ready-timeout D] [-stop-signal SIG] [-stop-timeout D] [--] PROGRAM [ARG]...

Runs PROGRAM under supervision, its output going straight to this command's,
as jpillora/overseer does: the sockets of -listen are opened once and handed
to every run of the program (fds 3, 4, … with LISTEN_FDS, LISTEN_PID and
LISTEN_FDNAMES, as systemd's socket activation), so that SIGUSR2 restarts it
with no connection refused: the new run starts on the same sockets, and the
old one is stopped once the new one is ready. The program is not restarted
when it ends.

A run is ready once it has started or, with one of these flags, once:
  -notify             it sends READY=1 on NOTIFY_SOCKET (sd_notify)
  -ready-line RE      it writes a line (stdout or stderr) that RE matches
  -ready-tcp ADDR     a TCP connection to ADDR (host:port) succeeds
  -ready-http URL     a GET of URL answers 2xx
  -ready-cmd CMD      /bin/sh -c CMD exits 0 (OVERSEER_PROBE_PID is the
                      run's pid)
within -ready-timeout. A probe may not aim at a -listen address: that socket
is held for every run and answers for the old run while the new one boots;
probe a port the program opens itself.

Signals this command gets:
  SIGINT, SIGTERM     stop it: the same signal goes to its process group
                      (as a terminal's Ctrl-C would), or the -stop-signal,
                      then SIGKILL after -stop-timeout; a second one kills
                      it at once
  SIGUSR2             rolling restart (once the current run is ready); the
                      old run is stopped with SIGTERM (or the -stop-signal);
                      when the new run fails, the old one goes on
  SIGQUIT             passed on to its process group
  SIGHUP, SIGUSR1, SIGWINCH, SIGALRM
                      passed on to its main process alone (the MAINPID it
                      sent with -notify, else the process started), as
                      systemd's kill -HUP $MAINPID: workers that keep the
                      signal's default action do not die of it (the
                      -stop-signal goes to the group)

The exit status is the program's: its exit code, 128+N when signal N ended it,
1 when it could not be started, 2 for a usage error.

`

// readyFlags are the flags that say when a run is ready: at most one is
// given.
var readyFlags = []string{"notify", "ready-line", "ready-tcp", "ready-http", "ready-cmd"}

// runProgram is "overseer run".
func runProgram(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("overseer run", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var listen listFlag
	flags.Var(&listen, "listen", "hold a listening socket at `addr` (tcp://host:port, unix:///path) for the program; repeatable")
	notify := flags.Bool("notify", false, "the program is ready when it sends READY=1 on NOTIFY_SOCKET (sd_notify)")
	flags.String("ready-line", "", "the program is ready when it writes a line (stdout or stderr) that `regexp` matches")
	flags.String("ready-tcp", "", "the program is ready when a TCP connection to `host:port` succeeds")
	flags.String("ready-http", "", "the program is ready when a GET of `url` answers 2xx")
	flags.String("ready-cmd", "", "the program is ready when `command`, run by /bin/sh -c, exits 0")
	readyTimeout := flags.Duration("ready-timeout", time.Minute, "how long a new run may take to be ready (with -notify or a -ready-* probe)")
	stopSignal := flags.String("stop-signal", "", "the `signal` of every stop (INT, TERM, HUP…); default: the one this command got, and SIGTERM for a rolling restart's old run")
	stopTimeout := flags.Duration("stop-timeout", 10*time.Second, "how long a stop waits after its signal before SIGKILL")
	var cgroups overseer.CgroupMode
	flags.TextVar(&cgroups, "cgroups", overseer.CgroupAuto, cgroupsUsage)
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
	var fixedStop syscall.Signal // 0: a stop sends the signal received
	if *stopSignal != "" {
		sig, err := overseer.ParseSignal(*stopSignal)
		if err != nil {
			fmt.Fprintf(stderr, "overseer run: -stop-signal: %v\n", err)
			return 2
		}
		fixedStop = sig
	}
	var given []*flag.Flag
	flags.Visit(func(f *flag.Flag) {
		if slices.Contains(readyFlags, f.Name) && (f.Name != "notify" || *notify) {
			given = append(given, f)
		}
	})
	var ready overseer.Probe
	switch len(given) {
	case 0:
	case 1:
		var err error
		if ready, err = readyProbe(given[0].Name, given[0].Value.String()); err != nil {
			fmt.Fprintln(stderr, "overseer run:", err)
			return 2
		}
	default:
		fmt.Fprintf(stderr, "overseer run: -%s and -%s are both given: give at most one of -%s\n",
			given[0].Name, given[1].Name, strings.Join(readyFlags, ", -"))
		return 2
	}

	c := overseer.NewCmd(flags.Arg(0), flags.Args()[1:]...)
	c.Stdout, c.Stderr = stdout, stderr
	c.Restart = overseer.RestartNever
	c.Listeners = listen
	c.Ready = ready
	c.ReadyTimeout, c.StopTimeout = *readyTimeout, *stopTimeout
	c.StopSignal = syscall.SIGTERM
	if fixedStop != 0 {
		c.StopSignal = fixedStop
	}
	id := filepath.Base(flags.Arg(0))
	if overseer.CheckID(id) != nil {
		id = "program"
	}
	o := overseer.NewOverseer(overseer.WithCgroups(cgroups))
	if err := o.AddCmd(id, c); err != nil {
		fmt.Fprintln(stderr, "overseer run:", err)
		return 2
	}
	return superviseProgram(o, c, id, fixedStop, stderr)
}

// readyProbe returns the probe of readiness flag name (one of readyFlags)
// given value, or the usage error of a bad value. (A probe aimed at one of
// the -listen addresses is refused by the Overseer when it starts.)
func readyProbe(name, value string) (overseer.Probe, error) {
	switch name {
	case "notify":
		return overseer.Notified(), nil
	case "ready-line":
		re, err := regexp.Compile(value)
		if err != nil {
			return nil, fmt.Errorf("-ready-line %q is not a regular expression: %s", value, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		return probe.Line(re), nil
	case "ready-cmd":
		if strings.TrimSpace(value) == "" {
			return nil, errors.New("-ready-cmd: empty command")
		}
		return &probe.Command{Args: []string{"/bin/sh", "-c", value}}, nil
	case "ready-tcp":
		if _, port, err := net.SplitHostPort(value); err != nil || port == "" {
			return nil, fmt.Errorf("-ready-tcp %q is not host:port", value)
		}
		return &probe.TCP{Addr: value}, nil
	case "ready-http":
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("-ready-http %q is not an http:// or https:// URL", value)
		}
		return &probe.HTTP{URL: value}, nil
	}
	return nil, fmt.Errorf("-%s: not a readiness flag", name)
}

// superviseProgram runs the program until it ends or a signal stops it,
// acting on the signals meanwhile, and returns the exit status. fixedStop,
// when set (-stop-signal), is the signal of a stop on SIGINT or SIGTERM;
// else that signal itself is.
func superviseProgram(o *overseer.Overseer, c *overseer.Cmd, id string, fixedStop syscall.Signal, stderr io.Writer) int {
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
					fmt.Fprintln(stderr, "overseer: restart:", sanitizerFor(stderr).clean(err.Error()))
				}
			}
			restartMu.Unlock()
		}
	}()
	// stop ends the program with sig. The Cmd's StopSignal is Stop's own
	// (as for a rolling restart's old run); another (SIGINT, as from a
	// terminal) goes to the group first through endWith, which escalates
	// as Stop would, and Stop then finds the program gone.
	stop := func(sig syscall.Signal) {
		stopping.Store(true)
		if sig != c.StopSignal {
			endWith(o, c, id, sig)
		}
		// Stop's only error is ErrNotFound, and id was added; so below.
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
				fmt.Fprintln(stderr, "overseer run:", sanitizerFor(stderr).clean(err.Error())) // a bad -listen, say
				return 2
			}
			if !stopping.Load() {
				stop(c.StopSignal) // in case a restart raced with the end
			} else {
				<-stopped
			}
			return exitStatus(c.Status(), stderr)
		case sig := <-sigs:
			switch sig {
			case os.Interrupt, syscall.SIGTERM:
				if stopping.Load() {
					// The second time. (Its error: the run has ended.)
					_ = o.Signal(id, syscall.SIGKILL)
					continue
				}
				stopping.Store(true) // here, for the next signal to see it
				stopSig := sig.(syscall.Signal)
				if fixedStop != 0 {
					stopSig = fixedStop
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer close(stopped)
					stop(stopSig)
				}()
			case syscall.SIGUSR2:
				select {
				case restarts <- struct{}{}:
				default: // one is pending already
				}
			default:
				if _, err := o.Forward(id, sig.(syscall.Signal)); err != nil && !errors.Is(err, os.ErrProcessDone) {
					fmt.Fprintf(stderr, "overseer: passing on %v: %v\n", sig, err)
				}
			}
		}
	}
}

// endWith sends sig to the process group of the program's run and waits
// for the run to end, then does the same to a run that a rolling restart
// has handed over to meanwhile. After the Cmd's StopTimeout it sends
// SIGKILL to the group instead, as Stop escalates, and returns.
func endWith(o *overseer.Overseer, c *overseer.Cmd, id string, sig syscall.Signal) {
	deadline := time.NewTimer(c.StopTimeout)
	defer deadline.Stop()
	for {
		done := c.Done()
		if err := o.Signal(id, sig); err != nil {
			return // no run left (os.ErrProcessDone)
		}
		select {
		case <-done:
		case <-deadline.C:
			// Its error: the run has just ended. Stop waits for the end.
			_ = o.Signal(id, syscall.SIGKILL)
			return
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
		// It says "overseer: " itself, and may quote the program.
		fmt.Fprintln(stderr, sanitizerFor(stderr).clean(st.Error.Error()))
		return 1
	case st.Exit >= 0:
		return st.Exit
	}
	fmt.Fprintf(stderr, "overseer: the program ended %v with no exit code\n", st.State)
	return 1
}
