//go:build unix

package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/overseer-go/overseer/cmd/overseer/internal/config"
)

// configSynopsis is the usage line of "overseer config".
const configSynopsis = "overseer config [-f FILE] [-env FILE]... [-port N] [NAME]..."

// configHelp tells more after the flags of "overseer config -h".
const configHelp = `
Prints the processes of FILE (without -f: ./Procfile, else ./overseer.yaml),
or the NAMEd ones and what they depend on, as a YAML file of what will run:
the env files read, ${NAME} expanded, each PORT set, every key that is not
its default written out in its canonical form (durations as 1m30s, sizes as
16MiB, signals by name). env holds the variables that differ from this
environment, and PORT: the rest of the environment, and its secrets, are
not printed. Loaded again over the same environment ("overseer -f"), the
file runs the same processes; each $ is written $$ so that nothing is
expanded twice. A bad file is an error at its file and line (exit 2).
`

// runConfig is "overseer config": the processes of a file, printed as the
// YAML file of what will run (see config.WriteProcesses). The exit status
// is 0 once printed, 2 for a bad flag, file or name, 1 when it cannot be
// printed.
func runConfig(args []string, stdout, stderr io.Writer) int {
	opts, code, ok := parseConfigFlags(args, stderr)
	if !ok {
		return code
	}
	procs, _, err := loadProcs(opts)
	if err != nil {
		fmt.Fprintln(stderr, "overseer:", err)
		return 2
	}
	if err := config.WriteProcesses(stdout, procs, nil); err != nil {
		fmt.Fprintln(stderr, "overseer config:", err)
		return 1
	}
	return 0
}

// parseConfigFlags reads the flags and names of "overseer config" into
// the fileOptions loadProcs takes. It returns false, with the exit
// status, when the command must end (a bad flag, or -h).
func parseConfigFlags(args []string, stderr io.Writer) (*fileOptions, int, bool) {
	opts := &fileOptions{mode: "config"}
	flags := flag.NewFlagSet("overseer config", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&opts.file, "f", "", "the `file` to print: a Procfile, or YAML (.yaml, .yml); default ./Procfile, else ./overseer.yaml")
	flags.Var(&opts.envFiles, "env", "load environment variables from `file` (KEY=value lines, as .env); repeatable, after ./.env")
	flags.IntVar(&opts.port, "port", 0, "the `base` of PORT: each process gets base + 100 × its place in the file (default $PORT from .env or the environment, else 5000)")
	flags.Usage = func() {
		fmt.Fprintf(flags.Output(), "usage: %s\n", configSynopsis)
		fmt.Fprint(flags.Output(), configHelp+"\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return nil, helpOr2(err), false
	}
	if opts.port < 0 || opts.port > 65535-100 {
		fmt.Fprintf(stderr, "overseer config: -port %d: want a port number\n", opts.port)
		return nil, 2, false
	}
	opts.names = flags.Args()
	return opts, 0, true
}
