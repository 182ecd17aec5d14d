// Command checklines checks what a supervisor printed of genlines's output:
// that every numbered line of every process was printed whole, once and in
// order, after its "name | " prefix (the formats of overseer, goreman,
// hivemind and foreman, colours or not). It prints one line of key=value
// counts (lost, broken, outoforder, dup, foreign, other) and, on standard
// error, the worst processes; it exits 1 when a line was lost, broken,
// duplicated, out of order or foreign, 2 on a usage or read error. The first
// broken and foreign lines are shown on standard error as printed.
//
//	checklines -procs 100 -n 20000 -size 100 out.txt
//
// The processes are expected under the names p0, p1, … (the tags genlines
// puts in each line; foreman's ".1" after a name is ignored).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("checklines", flag.ContinueOnError)
	fs.SetOutput(stderr)
	procs := fs.Int("procs", 1, "processes, named p0, p1, …")
	lines := fs.Int("n", 1000000, "lines each process wrote")
	size := fs.Int("size", 100, "bytes per line, newline included")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	in := stdin
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "checklines: at most one file")
		return 2
	}
	if fs.NArg() == 1 {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			fmt.Fprintln(stderr, "checklines:", err)
			return 2
		}
		defer f.Close() // read only: a close error changes nothing read
		in = f
	}
	rep, err := Check(in, *procs, *lines, *size)
	if err != nil {
		fmt.Fprintln(stderr, "checklines:", err)
		return 2
	}
	fmt.Fprintln(stdout, rep)
	for _, w := range rep.Worst {
		fmt.Fprintln(stderr, "checklines:", w)
	}
	for _, l := range rep.Samples {
		fmt.Fprintf(stderr, "checklines: broken or foreign: %q\n", l)
	}
	if !rep.Clean() {
		return 1
	}
	return 0
}
