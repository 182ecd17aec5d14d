// Command overseer runs the processes of a Procfile or a YAML file under
// supervision, prints their output with a coloured prefix per process, and
// serves a live dashboard and Prometheus metrics.
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
package main

import (
	"context"
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
)

// demoFile is what runs without -f.
const demoFile = "examples/demo.yaml"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command, with its arguments and outputs, returning the exit
// status.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("overseer", flag.ContinueOnError)
	flags.SetOutput(stderr)
	file := flags.String("f", demoFile, "the `file` to run: a Procfile, or YAML (.yaml, .yml)")
	addr := flags.String("http", "127.0.0.1:8080", "serve the dashboard and /metrics on `addr`; \"\" for none")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "overseer: unexpected argument %q\n", flags.Arg(0))
		return 2
	}
	procs, err := config.Load(*file)
	if err != nil {
		fmt.Fprintln(stderr, "overseer:", err)
		return 2
	}

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
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
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
