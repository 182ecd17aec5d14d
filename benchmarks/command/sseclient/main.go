// Command sseclient is a client of the dashboard's event stream for the
// command's benchmarks (see ../README.md). It connects to -url, retrying
// until the server answers (at most -connect), creates the -ready file
// once the answer's headers have come, and then either reads the stream to
// its end (-mode read, as `curl -sN URL >/dev/null` does, printing on
// standard error how many bytes and lines of output it read) or never reads it again (-mode stall: a
// browser tab that froze), until the server closes it or SIGTERM/SIGINT.
//
// sseclient -freeport prints a TCP port of 127.0.0.1 that is free now.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sseclient:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sseclient", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "the event stream, http://127.0.0.1:PORT/api/events")
	mode := fs.String("mode", "read", "read (to the end) or stall (never read)")
	ready := fs.String("ready", "", "a file to create once connected")
	connect := fs.Duration("connect", 30*time.Second, "how long to retry connecting")
	freePort := fs.Bool("freeport", false, "print a free port of 127.0.0.1 and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *freePort {
		return printFreePort(stdout)
	}
	if *url == "" || (*mode != "read" && *mode != "stall") {
		return errors.New("need -url and -mode read or stall")
	}
	resp, err := dial(ctx, *url, *connect)
	if err != nil {
		return err
	}
	defer resp.Body.Close() // the stream is only read: a close error changes nothing
	if *ready != "" {
		f, err := os.Create(*ready)
		if err != nil {
			return fmt.Errorf("ready file: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("ready file: %w", err)
		}
	}
	if *mode == "stall" {
		<-ctx.Done()
		return nil
	}
	n, lines, err := count(resp.Body)
	fmt.Fprintf(stderr, "sseclient: read %d bytes, %d lines\n", n, lines)
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("read: %w", err)
	}
	return nil
}

// dial GETs url until the server answers 200 or limit has passed.
func dial(ctx context.Context, url string, limit time.Duration) (*http.Response, error) {
	deadline := time.Now().Add(limit)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, fmt.Errorf("request: %w", err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil && resp.StatusCode == http.StatusOK {
			return resp, nil
		}
		if err == nil {
			// Not the stream: its body says why, in the error below.
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512)) // best effort, for the message
			_ = resp.Body.Close()                                 // read only
			err = fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(body))
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return nil, fmt.Errorf("connect to %s: %w", url, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// seqKey begins each line of a "lines" event's data, and nothing else.
var seqKey = []byte(`"seq":`)

// count reads r to its end, counting bytes and the lines that the events
// carry.
func count(r io.Reader) (n int64, lines int, err error) {
	buf := make([]byte, 64<<10)
	keep := 0 // bytes at the start of buf kept from the last read: a key may straddle two
	for {
		m, err := r.Read(buf[keep:])
		n += int64(m)
		end := keep + m
		lines += bytes.Count(buf[:end], seqKey)
		// Keep what could be the beginning of a key cut by this read; it
		// holds no whole key, so none is counted twice.
		keep = min(len(seqKey)-1, end)
		copy(buf, buf[end-keep:end])
		switch {
		case errors.Is(err, io.EOF):
			return n, lines, nil
		case err != nil:
			return n, lines, err
		}
	}
}

// printFreePort prints a port that the kernel gives to a listener on
// 127.0.0.1, which is free once the listener is closed.
func printFreePort(w io.Writer) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return fmt.Errorf("free port: %w", err)
	}
	_, err = fmt.Fprintln(w, port)
	return err
}
