//go:build unix

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/cmd/overseer/internal/config"
	"github.com/overseer-go/overseer/cmd/overseer/internal/control"
	"github.com/overseer-go/overseer/watch"
	"golang.org/x/sys/unix"
)

// defaultDashboard is where the dashboard is served unless -http says
// otherwise: on a busy port the command falls back to a free one.
const defaultDashboard = "127.0.0.1:8080"

// fileOptions are the flags and arguments of the commands that run a file:
// the command alone, start, serve and demo.
type fileOptions struct {
	mode          string // "", "start", "serve" or "demo"
	file          string // -f, "" to look for one
	addr          string // -http
	addrSet       bool   // -http was given: a busy address is an error
	socket        string // -socket, for serve
	envFiles      listFlag
	port          int
	exitOnFailure bool
	timestamps    bool
	cgroups       overseer.CgroupMode // -cgroups
	names         []string            // the processes to run, none for all
}

// cgroupsUsage is the usage of -cgroups, in every mode that runs processes.
const cgroupsUsage = "start each run in a control group of its own: `auto` (where the host can make them: root, or a delegated cgroup2 subtree), required (fail where it cannot), or off (process groups alone)"

// parseFileFlags reads the flags of mode. It returns false, with the exit
// status, when the command must end (a bad flag, or -h).
func parseFileFlags(mode string, args []string, stderr io.Writer) (*fileOptions, int, bool) {
	opts := &fileOptions{mode: mode, addr: defaultDashboard}
	name := strings.TrimSpace("overseer " + mode)
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	flags.SetOutput(stderr)
	if mode != "demo" {
		flags.StringVar(&opts.file, "f", "", "the `file` to run: a Procfile, or YAML (.yaml, .yml); default ./Procfile, else ./overseer.yaml")
	}
	if mode == "serve" {
		opts.addr = ""
		flags.StringVar(&opts.socket, "socket", "", "the control socket's `path` (default $"+socketEnv+", else "+control.DefaultPath()+")")
	}
	flags.StringVar(&opts.addr, "http", opts.addr, "serve the dashboard and /metrics on `addr`; \"\" for none"+
		map[bool]string{true: "", false: " (a busy default port falls back to a free one)"}[mode == "serve"])
	flags.Var(&opts.envFiles, "env", "load environment variables from `file` (KEY=value lines, as .env); repeatable, after ./.env")
	flags.IntVar(&opts.port, "port", 0, "the `base` of PORT: each process gets base + 100 × its place in the file (default $PORT from .env or the environment, else 5000)")
	flags.BoolVar(&opts.exitOnFailure, "exit-on-failure", false, "when a process fails for good, stop everything and exit with its exit code (as foreman does)")
	flags.BoolVar(&opts.timestamps, "timestamps", false, "begin each printed line with the time it was read")
	flags.TextVar(&opts.cgroups, "cgroups", overseer.CgroupAuto, cgroupsUsage)
	flags.Usage = func() {
		switch mode {
		case "serve":
			fmt.Fprint(flags.Output(), "usage: overseer serve [-f FILE] [-socket PATH] [FLAGS] [NAME]...\n\n"+
				"Runs FILE as \"overseer -f FILE\" does, and answers \"overseer status\", \"start\", \"stop\",\n"+
				"\"restart\", \"upgrade\", \"signal\" and \"logs\" on a unix socket, for the same user only.\n"+
				"It goes on when every process has ended, until SIGINT, SIGTERM or SIGHUP.\n\n")
		case "demo":
			fmt.Fprint(flags.Output(), "usage: overseer demo [FLAGS]\n\nRuns the built-in demo: a setup job, a service waiting for it, a chatty worker,\n"+
				"a crash loop and a batch job, with the dashboard.\n\n")
		default:
			fmt.Fprint(flags.Output(), usage)
		}
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return nil, helpOr2(err), false
	}
	flags.Visit(func(f *flag.Flag) {
		if f.Name == "http" {
			opts.addrSet = true
		}
	})
	if opts.port < 0 || opts.port > 65535-100 {
		fmt.Fprintf(stderr, "%s: -port %d: want a port number\n", name, opts.port)
		return nil, 2, false
	}
	opts.names = flags.Args()
	if mode == "demo" && len(opts.names) > 0 {
		fmt.Fprintf(stderr, "overseer demo: unexpected argument %q\n", opts.names[0])
		return nil, 2, false
	}
	return opts, 0, true
}

// runFile is the command without a subcommand, "overseer start" run in the
// foreground, "overseer serve" (which adds the control socket, has no
// dashboard unless asked, and goes on until it is stopped) and "overseer
// demo".
func runFile(mode string, args []string, stdout, stderr io.Writer) int {
	opts, code, ok := parseFileFlags(mode, args, stderr)
	if !ok {
		return code
	}
	procs, file, err := loadProcs(opts)
	if err != nil {
		fmt.Fprintln(stderr, "overseer:", err)
		return 2
	}
	return superviseFile(opts, procs, file, stdout, stderr)
}

// superviseFile runs procs, of file (an absolute path, "" for the demo), until they are all done for good, or until a
// signal (or, with -exit-on-failure, a failure) stops them, and returns the
// exit status.
func superviseFile(opts *fileOptions, procs []config.Process, file string, stdout, stderr io.Writer) int {
	// Caught from here on, so that a signal sent once the command has said
	// anything (its socket, its dashboard) is acted on. SIGHUP (a closed
	// terminal or ssh session) stops as SIGTERM does: ending at once would
	// leave the guardian to SIGKILL the processes.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, stopSignals...)
	defer signal.Stop(sigs)

	// The terminal and the dashboard lose no line, however fast the
	// processes print: they wait for them, as under foreman (unless the
	// terminal takes nothing at all: see terminal).
	o := overseer.NewOverseer(overseer.WithLogBackpressure(), overseer.WithCgroups(opts.cgroups))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The signals are watched until the very end, so that a second one
	// always ends the command at once, even while it waits for its output.
	killed := make(chan struct{})
	errq := newOutQueue(stderr, nil) // stderr may be stuck as stdout may
	stderr = errq
	signalsDone := make(chan struct{})
	var signalsWG sync.WaitGroup
	signalsWG.Go(func() { onSignals(sigs, signalsDone, o, cancel, killed, stderr) })
	defer signalsWG.Wait()
	defer close(signalsDone)
	defer func() {
		err := errq.drain(longestStop(procs), killed)
		errq.close(err == nil)
	}()

	term := newTerminal(stdout, stderr, procs, opts.timestamps)
	defer term.close(killed)
	logger := newLogger(term)
	logs, err := openLogs(procs)
	if err != nil {
		fmt.Fprintln(stderr, "overseer:", err)
		return 2
	}
	defer func() {
		if err := logs.close(); err != nil {
			fmt.Fprintln(stderr, "overseer: log files:", err)
		}
	}()
	for _, p := range procs {
		if err := o.AddCmd(p.Name, p.Cmd); err != nil {
			fmt.Fprintf(stderr, "overseer: %s: %v\n", p.Name, err)
			return 2
		}
	}
	if opts.mode == "serve" {
		stopServing, err := serveControl(o, socketPath(opts.socket), file, logger, term.say, stderr)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		defer stopServing() // after everything has stopped, so that no request waits long
	}
	term.follow(o)

	if opts.addr != "" {
		srv, err := serve(o, opts.addr, !opts.addrSet, logger, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "overseer:", err)
			return 2
		}
		defer srv.close()
		busy := ""
		if srv.fellBack {
			busy = " (" + portOf(opts.addr) + " was busy)"
		}
		term.say(fmt.Sprintf("overseer: dashboard at %s%s, metrics at %s/metrics, token %s for POST requests",
			srv.pageURL(), busy, srv.url, srv.dash.Token()))
	}

	var owned sync.WaitGroup // the goroutines below, waited for before the verdict
	defer owned.Wait()
	if ids := watchedIDs(procs); len(ids) > 0 {
		owned.Go(func() {
			if err := watch.Run(ctx, o, watch.WithIDs(ids...), watch.WithLogger(logger)); err != nil {
				fmt.Fprintf(stderr, "overseer: watch_files of %s will restart nothing: %v\n", strings.Join(ids, ", "), err)
			}
		})
	}
	if opts.exitOnFailure {
		defer stopOnFailure(o, procs, cancel)()
	}

	err = o.SuperviseAll(ctx)
	if err != nil && nothingStarted(o) {
		// Refused before anything started: a dependency cycle or an
		// unknown dependency.
		cancel()
		fmt.Fprintln(stderr, "overseer:", strings.ReplaceAll(tidyError("", err.Error()), "\noverseer: ", "\n"))
		return 2
	}
	if ctx.Err() == nil {
		// Every process has ended. Those stopped on request (from the
		// dashboard or the control socket) can be started again there:
		// the command goes on while someone may.
		switch {
		case opts.mode == "serve":
			term.say("overseer: every process has ended; still serving the control socket (Ctrl-C to quit)")
			<-ctx.Done()
			o.StopAll()
		case opts.addr != "" && anyStopped(o):
			term.say("overseer: every process has ended; still serving the dashboard (Ctrl-C to quit)")
			<-ctx.Done()
			o.StopAll()
		}
	}
	cancel()
	owned.Wait()
	term.close(killed) // every line printed before the verdict
	return verdict(o, procs, opts.exitOnFailure, stderr)
}

// stopSignals are the signals that stop the commands that run a file.
// "overseer serve" may one day take SIGHUP to read its file again; until
// then it stops, as a closed terminal asks.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// onSignals acts on sigs until done is closed: the first stops everything
// gracefully (cancel), the second kills what is left and closes killed, so
// that the command ends at once, without waiting for its output.
func onSignals(sigs <-chan os.Signal, done <-chan struct{}, o *overseer.Overseer, cancel func(), killed chan<- struct{}, stderr io.Writer) {
	for n := 0; ; n++ {
		var sig os.Signal
		select {
		case sig = <-sigs:
		case <-done:
			return
		}
		switch n {
		case 0:
			cancel()
			on := "" // Ctrl-C: the terminal shows ^C
			if s, ok := sig.(syscall.Signal); ok && sig != os.Interrupt {
				on = " on " + unix.SignalName(s)
			}
			fmt.Fprintf(stderr, "overseer: stopping%s (Ctrl-C again to kill)\n", on)
		case 1:
			for _, id := range o.ListAll() {
				// A process that has ended meanwhile has nothing to kill.
				if err := o.Signal(id, syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
					fmt.Fprintf(stderr, "overseer: %s: %v\n", id, err)
				}
			}
			close(killed)
			fmt.Fprintln(stderr, "overseer: killing")
		}
	}
}

// anyStopped reports whether a process of o ended because it was asked to
// (from the dashboard, say): it may be started again.
func anyStopped(o *overseer.Overseer) bool {
	for _, id := range o.ListAll() {
		if st, err := o.Status(id); err == nil && st.Stopped {
			return true
		}
	}
	return false
}

// serveControl listens on the control socket and serves it in a goroutine,
// and returns the function that ends it, reports how it ended, and stops
// what a last request may have started.
func serveControl(o *overseer.Overseer, socket, file string, logger *slog.Logger, say func(string), stderr io.Writer) (func(), error) {
	ctl := &control.Server{Path: socket, File: file, Logger: logger}
	if err := ctl.Listen(); err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- ctl.Serve(ctx, o) }()
	say("overseer: control socket at " + ctl.Path)
	return func() {
		stop()
		if err := <-served; err != nil {
			fmt.Fprintln(stderr, err)
		}
		o.StopAll()
	}, nil
}

// nothingStarted reports whether every process of o is still initial:
// SuperviseAll refused the set before starting anything.
func nothingStarted(o *overseer.Overseer) bool {
	for _, id := range o.ListAll() {
		if st, err := o.Status(id); err == nil && st.State != overseer.StateInitial {
			return false
		}
	}
	return true
}

// watchedIDs returns the processes that list watch_files: those that
// package watch restarts when their files or their program change.
func watchedIDs(procs []config.Process) []string {
	var ids []string
	for _, p := range procs {
		if len(p.Cmd.WatchFiles) > 0 {
			ids = append(ids, p.Name)
		}
	}
	return ids
}
