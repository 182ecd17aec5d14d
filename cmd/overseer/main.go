// Command overseer runs the processes of a Procfile or a YAML file under
// supervision, prints their output with a coloured prefix per process, and
// serves a live dashboard and Prometheus metrics; or runs one program with
// zero-downtime restarts.
//
//	go run ./cmd/overseer                      # the demo, examples/demo.yaml
//	go run ./cmd/overseer -f Procfile          # a Procfile: "name: command line"
//	go run ./cmd/overseer -f overseer.yaml -http 127.0.0.1:9000
//
// Ctrl-C (or SIGTERM) stops everything gracefully: each process gets its
// StopSignal, then SIGKILL after its StopTimeout. A second Ctrl-C kills
// what is left at once. The exit status is 1 when a process failed (ended
// fatal, finished with an exit code that is not a success, or was killed by
// a signal the command did not send), 2 for a bad file or flag, else 0.
//
// Subcommands (see "overseer help"):
//
//	overseer run [-listen ADDR]... [-notify] -- PROGRAM ARGS   one program, restarted without downtime on SIGUSR2
//	overseer serve -f FILE [-socket PATH] [-http ADDR]        a file, with a control socket
//	overseer status | stop NAME | restart NAME | upgrade NAME -- ARGS | logs [-f] NAME
//	                                                          ask the server at the control socket
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/cmd/overseer/internal/config"
	"github.com/overseer-go/overseer/cmd/overseer/internal/control"
)

// demoFile is what runs without -f.
const demoFile = "examples/demo.yaml"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  overseer [-f FILE] [-http ADDR]           run a Procfile or YAML file in the foreground
  overseer serve -f FILE [-socket PATH] [-http ADDR]
                                            the same, with a control socket for the commands below
  overseer run [-listen ADDR]... [-notify] [-ready-timeout D] [-stop-timeout D] [--] PROGRAM [ARG]...
                                            run one program; SIGUSR2 restarts it without downtime
  overseer status [-socket PATH]            the processes of the server
  overseer stop [-socket PATH] NAME         stop a process
  overseer restart [-socket PATH] NAME      restart a process (rolling when it has listeners)
  overseer upgrade [-socket PATH] NAME -- PROGRAM [ARG]...
                                            restart a process onto a new command line
  overseer logs [-socket PATH] [-f] NAME    print the lines a process wrote (-f: and follow)
  overseer help                             this

"overseer COMMAND -h" tells more about a command. The control socket is
$XDG_RUNTIME_DIR/overseer/control.sock, or overseer-UID/control.sock in the
temporary directory, unless -socket says otherwise.

`

// run is the command, with its arguments and outputs, returning the exit
// status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "run":
			return runProgram(args[1:], stdout, stderr)
		case "serve":
			return runFile("serve", args[1:], stdout, stderr)
		case "status", "stop", "restart", "upgrade", "logs":
			return runClient(args[0], args[1:], stdout, stderr)
		case "help":
			fmt.Fprint(stdout, usage)
			return 0
		}
	}
	return runFile("", args, stdout, stderr)
}

// helpOr2 is the exit status for an error of flag parsing: 0 for -h.
func helpOr2(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// runFile runs a file: the command without a subcommand, or "overseer
// serve" (sub), which adds the control socket, has no dashboard unless
// asked, and goes on until it is stopped.
func runFile(sub string, args []string, stdout, stderr io.Writer) int {
	serving := sub == "serve"
	name, defFile, defAddr := "overseer", demoFile, "127.0.0.1:8080"
	if serving {
		name, defFile, defAddr = "overseer serve", "", ""
	}
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	flags.SetOutput(stderr)
	file := flags.String("f", defFile, "the `file` to run: a Procfile, or YAML (.yaml, .yml)")
	addr := flags.String("http", defAddr, "serve the dashboard and /metrics on `addr`; \"\" for none")
	var socket *string
	if serving {
		socket = flags.String("socket", "", "the control socket's `path` (default "+control.DefaultPath()+")")
		flags.Usage = func() {
			fmt.Fprint(flags.Output(), "usage: overseer serve -f FILE [-socket PATH] [-http ADDR]\n\n"+
				"Runs FILE as \"overseer -f FILE\" does, and answers \"overseer status\", \"stop\",\n"+
				"\"restart\", \"upgrade\" and \"logs\" on a unix socket, for the same user only.\n"+
				"It goes on when every process has ended, until SIGINT or SIGTERM.\n\n")
			flags.PrintDefaults()
		}
	} else {
		flags.Usage = func() {
			fmt.Fprint(flags.Output(), usage)
			flags.PrintDefaults()
		}
	}
	if err := flags.Parse(args); err != nil {
		return helpOr2(err)
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "overseer: unexpected argument %q\n", flags.Arg(0))
		return 2
	}
	if *file == "" {
		fmt.Fprintln(stderr, "overseer serve: -f FILE is required")
		return 2
	}
	procs, err := config.Load(*file, config.Options{})
	if err != nil {
		fmt.Fprintln(stderr, "overseer:", err)
		return 2
	}

	// Caught from here on, so that a signal sent once the command has said
	// anything (its socket, its dashboard) is acted on.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	// The terminal and the dashboard lose no line, however fast the
	// processes print: they wait for them, as under foreman.
	o := overseer.NewOverseer(overseer.WithLogBackpressure())
	term := newTerminal(stdout, procs)
	defer term.close()
	logs, err := openLogs(procs)
	if err != nil {
		fmt.Fprintln(stderr, "overseer:", err)
		return 2
	}
	defer logs.close()
	for _, p := range procs {
		if err := o.AddCmd(p.Name, p.Cmd); err != nil {
			fmt.Fprintf(stderr, "overseer: %s:%d: %v\n", *file, p.Line, err)
			return 2
		}
	}
	if serving {
		ctl := &control.Server{Path: *socket}
		if err := ctl.Listen(); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		ctlCtx, stopCtl := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- ctl.Serve(ctlCtx, o) }()
		defer func() { // after everything has stopped, so that no request waits long
			stopCtl()
			if err := <-served; err != nil {
				fmt.Fprintln(stderr, err)
			}
			_ = o.StopAll() // what a last request may have started
		}()
		fmt.Fprintf(stdout, "overseer: control socket at %s\n", ctl.Path)
	}
	term.follow(o)

	if *addr != "" {
		srv, err := serve(o, *addr, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "overseer:", err)
			return 2
		}
		defer srv.close()
		fmt.Fprintf(stdout, "overseer: dashboard at %s, metrics at %s/metrics, token %s for POST requests\n",
			srv.pageURL(), srv.url, srv.dash.Token())
	}

	// The first Ctrl-C or SIGTERM stops everything gracefully; a second one
	// kills what is left.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(stderr, "overseer: stopping (Ctrl-C again to kill)")
		cancel()
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(stderr, "overseer: killing")
		for _, id := range o.ListAll() {
			_ = o.Signal(id, syscall.SIGKILL)
		}
	}()

	_ = o.SuperviseAll(ctx) // what ended how is read below
	if serving && ctx.Err() == nil {
		// The processes can still be started again through the socket.
		fmt.Fprintln(stdout, "overseer: every process has ended; still serving the control socket (Ctrl-C to quit)")
		<-ctx.Done()
		_ = o.StopAll()
	}
	close(done)
	term.close() // every line printed before the verdict
	if failed := failures(o, ctx.Err() != nil); len(failed) > 0 {
		fmt.Fprintln(stderr, "overseer: failed:\n  "+strings.Join(failed, "\n  "))
		return 1
	}
	return 0
}

// failures says which processes did not end well: fatal, finished with an
// exit code that is not a success, or ended by a signal nobody asked for
// (stopped says that the command stopped everything).
func failures(o *overseer.Overseer, stopped bool) []string {
	var failed []string
	for _, id := range o.ListAll() {
		c, err := o.Cmd(id)
		if err != nil {
			continue
		}
		st := c.Status()
		switch {
		case st.State == overseer.StateFatal:
			failed = append(failed, fmt.Sprintf("%s: %v", id, st.Error))
		case st.State == overseer.StateFinished && st.Exit != 0 && !slices.Contains(c.SuccessCodes, st.Exit):
			failed = append(failed, fmt.Sprintf("%s: exit %d", id, st.Exit))
		case st.State == overseer.StateInterrupted && !stopped:
			failed = append(failed, fmt.Sprintf("%s: %v", id, st.Error))
		}
	}
	return failed
}
