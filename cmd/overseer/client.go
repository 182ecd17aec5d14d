package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/cmd/overseer/internal/control"
)

// runClient is "overseer status", "stop", "restart", "upgrade" and "logs":
// one request to the server at the control socket. The exit status is 0
// for an answer ok, 1 for an error (printed), 2 for a usage error.
func runClient(op string, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("overseer "+op, flag.ContinueOnError)
	flags.SetOutput(stderr)
	socket := flags.String("socket", "", "the control socket's `path` (default "+control.DefaultPath()+")")
	var follow *bool
	synopsis := "overseer " + op + " [-socket PATH] NAME"
	switch op {
	case control.OpStatus:
		synopsis = "overseer status [-socket PATH]"
	case control.OpLogs:
		follow = flags.Bool("f", false, "follow: print new lines as they come, until interrupted")
		synopsis = "overseer logs [-socket PATH] [-f] NAME"
	case control.OpUpgrade:
		synopsis = "overseer upgrade [-socket PATH] NAME -- PROGRAM [ARG]..."
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
	default:
		if len(rest) != 1 {
			flags.Usage()
			return 2
		}
		req.ID = rest[0]
	}

	c, err := control.Dial(*socket)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer c.Close()
	if op == control.OpLogs {
		req.Follow = *follow
		err = c.Logs(req, func(l overseer.Line) error {
			end := "\n"
			if l.Partial {
				end = ""
			}
			_, err := fmt.Fprint(stdout, l.Text, end)
			return err
		})
	} else {
		var resp control.Response
		resp, err = c.Do(req)
		if err == nil && op == control.OpStatus {
			err = printStatus(stdout, resp.Processes)
		}
	}
	if err != nil {
		var remote *control.RemoteError
		if errors.As(err, &remote) {
			fmt.Fprintln(stderr, "overseer "+op+":", remote.Msg)
		} else {
			fmt.Fprintln(stderr, err)
		}
		return 1
	}
	return 0
}

// printStatus prints the processes as a table.
func printStatus(w io.Writer, procs []overseer.JSONProcess) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tPID\tRESTARTS\tUPTIME\tSTATUS")
	for _, p := range procs {
		pid, uptime := "-", "-"
		if p.PID != 0 {
			pid = fmt.Sprint(p.PID)
		}
		if p.State == overseer.StateRunning {
			uptime = (time.Duration(p.RunTime * float64(time.Second))).Round(time.Second).String()
		}
		status := p.StatusText
		if status == "" && p.Error != "" {
			status = p.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", p.ID, p.State, pid, p.Restarts, uptime, status)
	}
	return tw.Flush()
}
