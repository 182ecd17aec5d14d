//go:build unix

// Command overseer runs the processes of a Procfile or a YAML file under
// supervision, prints their output with a coloured prefix per process, and
// serves a live dashboard and Prometheus metrics; or runs one program with
// zero-downtime restarts.
//
//	overseer                                 # ./Procfile, else ./overseer.yaml
//	overseer -f Procfile web worker          # only web and worker (and what they depend on)
//	overseer demo                            # the built-in demo
//	overseer -f overseer.yaml -http 127.0.0.1:9000
//
// Ctrl-C (or SIGTERM, or SIGHUP) stops everything gracefully: each process
// gets its StopSignal, then SIGKILL after its StopTimeout; the output is
// then waited for, for at most the longest StopTimeout. A second signal
// kills what is left and ends the command at once. When every process has
// ended and one was stopped from the dashboard, the command goes on serving
// it until Ctrl-C. The exit status is 0 when every process ended well
// or was stopped; 1 when a process failed (ended fatal, finished with an
// exit code that is not a success, was killed by a signal the command did
// not send, or could not be started at all); 2 for a bad file, flag or
// name, or a set-up that failed (a dashboard address or control socket
// that cannot be used). With -exit-on-failure the first process that fails
// for good stops everything, and its exit code is the command's.
//
// Subcommands (see "overseer help"):
//
//	overseer run [-listen ADDR]... [-notify | -ready-...] -- PROGRAM ARGS
//	                                                          one program, restarted without downtime on SIGUSR2
//	overseer serve [-f FILE] [-socket PATH] [-http ADDR]      a file, with a control socket
//	overseer config [-f FILE] [-env FILE]... [-port N] [NAME]...
//	                                                          print the processes as they will run, as YAML
//	overseer status | start NAME | stop NAME | restart NAME | upgrade NAME -- ARGS | signal NAME SIG | logs [-f] [NAME]...
//	                                                          ask the server at the control socket
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  overseer [-f FILE] [FLAGS] [NAME]...      run a Procfile or YAML file in the foreground: every
                                            process, or the NAMEd ones and what they depend on
  overseer start [-f FILE] [FLAGS] [NAME]...
                                            the same, as foreman start; when the server at the
                                            control socket runs this file, start NAMEs there instead
  overseer demo [FLAGS]                     run the built-in demo, from any directory
  overseer serve [-f FILE] [-socket PATH] [FLAGS] [NAME]...
                                            run a file with a control socket for the commands below
  overseer run [-listen ADDR]... [-notify | -ready-... ] [-stop-signal SIG] [--] PROGRAM [ARG]...
                                            run one program; SIGUSR2 restarts it without downtime
  overseer status [-socket PATH]            the processes of the server
  overseer start [-socket PATH] NAME...     start processes of the server (see start above)
  overseer stop [-socket PATH] NAME         stop a process of the server
  overseer restart [-socket PATH] NAME      restart it (rolling when it has listeners), and wait
                                            until the new run is ready
  overseer upgrade [-socket PATH] NAME -- PROGRAM [ARG]...
                                            restart a process onto a new command line
  overseer signal [-socket PATH] NAME SIGNAL
                                            send a signal (HUP, USR1, ... reach the main process,
                                            TERM, INT, KILL, ... the whole process group)
  overseer logs [-socket PATH] [-f] [-n N] [-since DURATION|TIME] [-grep REGEXP] [-json | -raw]
                [-timestamps] [NAME]...     print the lines processes wrote, every process's
                                            without NAME (-f: and follow; -n: the last N of each)
  overseer config [-f FILE] [-env FILE]... [-port N] [NAME]...
                                            print the processes as they will run: a YAML file with
                                            the env files read, ${NAME} expanded and each PORT set
  overseer help                             this

Without -f, the file is ./Procfile, else ./overseer.yaml (or .yml). "overseer COMMAND -h"
tells more about a command. The control socket is -socket, else $OVERSEER_SOCKET, else
/run/overseer/control.sock for root, $XDG_RUNTIME_DIR/overseer/control.sock for another user,
else overseer-UID/control.sock in the temporary directory; one that another user could hold
is refused (exit 2).

`

// run is the command, with its arguments and outputs, returning the exit
// status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "run":
			return runProgram(args[1:], stdout, stderr)
		case "serve", "demo":
			return runFile(args[0], args[1:], stdout, stderr)
		case "start":
			return runStart(args[1:], stdout, stderr)
		case "logs":
			return runLogs(args[1:], stdout, stderr)
		case "config":
			return runConfig(args[1:], stdout, stderr)
		case "status", "stop", "restart", "upgrade", "signal":
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
