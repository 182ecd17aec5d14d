//go:build unix

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/cmd/overseer/internal/control"
)

// runClient is "overseer status", "start", "stop", "restart", "upgrade"
// and "signal" ("logs" is runLogs): one request to the server at the control socket.
// What a request changed is said on stdout ("web restarted (pid 123 →
// 456)"). The exit status is 0 for an answer ok, 1 for an error (printed),
// 2 for a usage error or a socket refused as unsafe (control.ErrUnsafe:
// another user could hold it; nothing was sent).
func runClient(op string, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("overseer "+op, flag.ContinueOnError)
	flags.SetOutput(stderr)
	socket := flags.String("socket", "", "the control socket's `path` (default $"+socketEnv+", else "+control.DefaultPath()+")")
	synopsis := "overseer " + op + " [-socket PATH] NAME"
	switch op {
	case control.OpStatus:
		synopsis = "overseer status [-socket PATH]"
	case control.OpUpgrade:
		synopsis = "overseer upgrade [-socket PATH] NAME -- PROGRAM [ARG]..."
	case control.OpSignal:
		synopsis = "overseer signal [-socket PATH] NAME SIGNAL\n\n" +
			"SIGNAL is a name: HUP, SIGUSR1, term… One that ends, suspends or resumes a\n" +
			"process (TERM INT QUIT KILL ABRT, the process's stop signal, STOP TSTP CONT\n" +
			"TTIN TTOU) goes to its whole process group; any other (HUP USR1 USR2 WINCH…)\n" +
			"to its main process alone, as a reload signal should.\n"
	}
	flags.Usage = func() {
		fmt.Fprintf(flags.Output(), "usage: %s\n", synopsis)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return helpOr2(err)
	}
	rest := flags.Args()
	req := control.Request{Op: op}
	switch op {
	case control.OpStatus:
		if len(rest) != 0 {
			flags.Usage()
			return 2
		}
	case control.OpUpgrade:
		if len(rest) > 1 && rest[1] == "--" {
			rest = append(rest[:1], rest[2:]...)
		}
		if len(rest) < 2 {
			flags.Usage()
			return 2
		}
		req.ID, req.Args = rest[0], rest[1:]
	case control.OpSignal:
		if len(rest) != 2 {
			flags.Usage()
			return 2
		}
		if _, err := overseer.ParseSignal(rest[1]); err != nil {
			fmt.Fprintf(stderr, "overseer signal: %v\n", err)
			return 2
		}
		req.ID, req.Signal = rest[0], rest[1]
	case control.OpStart:
		// Several names: each is started in turn, as foreman's start
		// takes several.
		if len(rest) == 0 {
			flags.Usage()
			return 2
		}
		code := 0
		for _, id := range rest {
			if c := request(socketPath(*socket), control.Request{Op: op, ID: id}, stdout, stderr); c != 0 {
				code = c
			}
		}
		return code
	default:
		if len(rest) != 1 {
			flags.Usage()
			return 2
		}
		req.ID = rest[0]
	}
	return request(socketPath(*socket), req, stdout, stderr)
}

// dial connects to the server at socket; when it cannot, it says why on
// stderr and returns the exit status: 2 for a socket refused as unsafe
// (one another user may hold: told nothing), 1 otherwise.
func dial(socket string, stderr io.Writer) (*control.Client, int) {
	c, err := control.Dial(socket)
	if err != nil {
		fmt.Fprintln(stderr, err)
		if errors.Is(err, control.ErrUnsafe) {
			return nil, 2
		}
		return nil, 1
	}
	return c, 0
}

// request sends req to the server at socket and prints what it answers,
// cleaned for a terminal; the exit status is 0 for an answer ok, 1 for an error (printed), 2 for a
// socket refused as unsafe (printed).
func request(socket string, req control.Request, stdout, stderr io.Writer) int {
	op := req.Op
	c, status := dial(socket, stderr)
	if c == nil {
		return status
	}
	defer c.Close()
	resp, err := c.Do(req)
	if err == nil {
		if op == control.OpStatus {
			err = printStatus(stdout, resp.Processes)
		} else {
			_, err = fmt.Fprintln(stdout, sanitizerFor(stdout).clean(outcome(req, resp)))
		}
	}
	if err != nil {
		var remote *control.RemoteError
		if errors.As(err, &remote) {
			fmt.Fprintln(stderr, "overseer "+op+":", sanitizerFor(stderr).clean(tidyError(req.ID, remote.Msg)))
		} else {
			fmt.Fprintln(stderr, sanitizerFor(stderr).clean(err.Error()))
		}
		return 1
	}
	return 0
}

// servedFile returns the file that the server at the control socket (""
// for the default one) runs, as an absolute path, and whether a server
// answered at all.
func servedFile(socket string) (string, error) {
	resp, err := control.Do(socket, control.Request{Op: control.OpStatus})
	if err != nil {
		return "", err
	}
	return resp.File, nil
}

// outcome says what the answer to req, an operation that changes a
// process, tells of it: "web restarted (pid 123 → 456)".
func outcome(req control.Request, resp control.Response) string {
	before, after := resp.Before, resp.Process
	if before == nil || after == nil { // not this command's server
		return req.ID + ": done"
	}
	switch req.Op {
	case control.OpStart:
		if !after.NextRun.IsZero() && (after.State == overseer.StateInitial || after.State.IsFinal()) {
			return fmt.Sprintf("%s scheduled (next run %s)", req.ID, nextRunText(*after, time.Now()))
		}
		return fmt.Sprintf("%s started (%s)", req.ID, describeRun(after))
	case control.OpStop:
		switch {
		case before.PID != 0 && (before.State == overseer.StateRunning || before.State == overseer.StateStopping):
			return fmt.Sprintf("%s stopped (was pid %d)", req.ID, before.PID)
		case !before.NextRun.IsZero():
			return fmt.Sprintf("%s stopped: no more runs on its schedule (next run was %s)", req.ID, nextRunText(*before, time.Now()))
		case before.State.IsFinal() || before.State == overseer.StateInitial:
			return fmt.Sprintf("%s: not running (%v), nothing to stop", req.ID, before.State)
		default: // starting, or waiting to restart: no run to name
			return fmt.Sprintf("%s stopped (was %v)", req.ID, before.State)
		}
	case control.OpRestart:
		return fmt.Sprintf("%s restarted (%s)", req.ID, describeChange(before, after))
	case control.OpUpgrade:
		return fmt.Sprintf("%s upgraded (%s): %s", req.ID, describeChange(before, after), after.Cmd)
	case control.OpSignal:
		if s := resp.Sent; s != nil {
			to := "main process"
			if s.Group {
				to = "process group"
			}
			return fmt.Sprintf("%s: sent %s to its %s (pid %d)", req.ID, s.Signal, to, s.PID)
		}
	}
	return req.ID + ": done"
}

// describeChange tells a run replaced by another: "pid 123 → 456", or,
// when no run was going, "pid 456; was interrupted".
func describeChange(before, after *overseer.JSONProcess) string {
	if before.PID != 0 && (before.State == overseer.StateRunning || before.State == overseer.StateStopping) {
		return fmt.Sprintf("pid %d → %d%s", before.PID, after.PID, unlessRunning(after))
	}
	return fmt.Sprintf("%s; was %v", describeRun(after), before.State)
}

// describeRun tells the run of p: "pid 456", with its state when it is not
// running any more ("pid 456, now finished, exit code 0": a quick job).
func describeRun(p *overseer.JSONProcess) string {
	return fmt.Sprintf("pid %d%s", p.PID, unlessRunning(p))
}

// unlessRunning tells the state of p when it is not running: ", now
// finished, exit code 0"; else "".
func unlessRunning(p *overseer.JSONProcess) string {
	if p.State == overseer.StateRunning {
		return ""
	}
	s := fmt.Sprintf(", now %v", p.State)
	if p.Exit >= 0 && p.State.IsFinal() {
		s += fmt.Sprintf(", exit code %d", p.Exit)
	}
	return s
}

// printStatus prints the processes as a table. CPU and MEM are the last
// sample of the run's usage, "-" for none (usagefmt.go). HEALTH, there
// when a process has a liveness probe, is what the probe says, "-" for a
// process without one; NEXT, there when a process has a schedule, its
// next run (schedfmt.go). The STATUS column, which a process writes
// (STATUS=), is sanitized, without colours (sanitize.go).
func printStatus(w io.Writer, procs []overseer.JSONProcess) error {
	z := sanitizerFor(w)
	z.colour = false
	health := slices.ContainsFunc(procs, func(p overseer.JSONProcess) bool { return p.Health != overseer.HealthNone })
	scheduled := slices.ContainsFunc(procs, func(p overseer.JSONProcess) bool { return !p.NextRun.IsZero() || p.Skipped > 0 })
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprint(tw, "ID\tSTATE\tPID\tRESTARTS\tUPTIME\tCPU\tMEM\t")
	if health {
		fmt.Fprint(tw, "HEALTH\t")
	}
	if scheduled {
		fmt.Fprint(tw, "NEXT\t")
	}
	fmt.Fprintln(tw, "STATUS")
	now := time.Now()
	for _, p := range procs {
		pid, uptime := "-", "-"
		if p.PID != 0 {
			pid = fmt.Sprint(p.PID)
		}
		if p.State == overseer.StateRunning {
			uptime = (time.Duration(p.Runtime * float64(time.Second))).Round(time.Second).String()
		}
		status := p.StatusText
		if status == "" && p.Error != "" {
			status = p.Error
		}
		status = strings.ReplaceAll(z.clean(status), "\t", " ") // a tab would make a column
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t", z.clean(p.ID), p.State, pid, p.Restarts, uptime,
			cpuText(p.Usage), memText(p.Usage))
		if health {
			fmt.Fprintf(tw, "%s\t", healthText(p.Health))
		}
		if scheduled {
			fmt.Fprintf(tw, "%s\t", nextRunText(p, now))
		}
		fmt.Fprintln(tw, status)
	}
	return tw.Flush()
}

// healthText is the HEALTH column of "overseer status": healthy,
// unhealthy, unknown, or "-" without a liveness probe.
func healthText(h overseer.Health) string {
	if h == overseer.HealthNone {
		return "-"
	}
	return h.String()
}
