// Command genlines writes numbered lines to its standard output as fast as
// it can, for the command's benchmarks (see ../README.md): -n lines of -size
// bytes each, newline included, in the format of package numline, through a
// 64 KiB buffer. With -wait FILE it first waits (at most a minute) for FILE
// to exist, so that a benchmark can hold it until a client is connected.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/overseer-go/overseer/benchmarks/command/internal/numline"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "genlines:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("genlines", flag.ContinueOnError)
	n := fs.Int("n", 1000000, "number of lines")
	size := fs.Int("size", 100, "bytes per line, newline included")
	tag := fs.String("tag", "p0", "the tag that begins every line (the process's name in the benchmarks)")
	buf := fs.Int("buf", 64<<10, "bytes written at a time")
	wait := fs.String("wait", "", "a file to wait for before writing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := numline.Check(*tag, *size); err != nil {
		return err
	}
	if *wait != "" {
		if err := waitFor(*wait, time.Minute); err != nil {
			return err
		}
	}
	w := bufio.NewWriterSize(stdout, *buf)
	line := make([]byte, 0, *size)
	for i := 0; i < *n; i++ {
		line = numline.Append(line[:0], *tag, i, *size)
		if _, err := w.Write(line); err != nil {
			return fmt.Errorf("line %d: %w", i, err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

// errNoFile is returned by waitFor when the file did not appear in time.
var errNoFile = errors.New("the file to wait for did not appear")

// waitFor polls for path until it exists or limit has passed.
func waitFor(path string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		_, err := os.Stat(path)
		if err == nil {
			return nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("wait for %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %s after %v", errNoFile, path, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
