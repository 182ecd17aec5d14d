// Command child is the process the tests run: a tiny program whose behaviour
// is spelled out by its arguments, one operation each, run in order, so the
// tests depend on no host tool.
//
//	out:TEXT      TEXT and "\n" to stdout (Go escapes such as \r, \x00 allowed)
//	err:TEXT      TEXT and "\n" to stderr
//	raw:TEXT      TEXT to stdout, no newline added
//	lines:N       N lines "line-0000001" … to stdout, buffered
//	fill:N        N lines of 100 bytes (newline included) to stdout, as fast
//	              as it can: the producer of the capture benchmarks
//	interleave:N  N lines alternately to stdout ("out-i") and stderr ("err-i")
//	long:N        one line of N bytes to stdout
//	cat:FILE      the bytes of FILE to stdout, exactly, in writes of varying
//	              sizes (1 byte to 64 KiB and more), so that the reads of
//	              the other end are cut at every kind of place
//	caterr:FILE   the same to stderr
//	ignore:TERM   ignore SIGTERM
//	spawn:N       start N copies of itself that sleep, in the same process
//	              group, and print "pid:PID" for each
//	spawnwith:OPS start one copy of itself, in the same process group, that
//	              runs OPS (operations separated by "+"), sharing stdout
//	trapterm:MS:TEXT
//	              on SIGTERM, wait MS milliseconds, print TEXT and exit 0
//	traphup:TEXT  on each SIGHUP, print TEXT and go on
//	ready         "ready" to stdout
//	sleep         block until killed
//	sleepms:N     sleep N milliseconds
//	kill:SIG      send signal SIG (a number) to itself
//	exit:N        exit with code N
//	(and the operations of host_ops.go, about the host's own life, of
//	systemd_ops.go, usage_ops.go, and limits_ops.go: limits, niceness,
//	umask, user)
//	exitseq:FILE:C1,C2,...
//	              exit with code C1 on the first run, C2 on the second, and so
//	              on, cycling; the runs are counted in FILE (one byte each)
package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	for _, op := range os.Args[1:] {
		name, arg, _ := strings.Cut(op, ":")
		if err := do(name, arg); err != nil {
			fmt.Fprintf(os.Stderr, "child: %s: %v\n", op, err)
			os.Exit(100)
		}
	}
}

func do(name, arg string) error {
	n, _ := strconv.Atoi(arg)
	switch name {
	case "out", "err", "raw":
		text, err := strconv.Unquote(`"` + arg + `"`)
		if err != nil {
			return err
		}
		w := os.Stdout
		if name == "err" {
			w = os.Stderr
		}
		if name != "raw" {
			text += "\n"
		}
		_, err = w.WriteString(text)
		return err
	case "lines":
		w := bufio.NewWriterSize(os.Stdout, 64<<10)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(w, "line-%07d\n", i)
		}
		return w.Flush()
	case "fill":
		w := bufio.NewWriterSize(os.Stdout, 64<<10)
		line := []byte(strings.Repeat("x", 99) + "\n")
		for range n {
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return w.Flush()
	case "interleave":
		for i := 1; i <= n; i++ {
			if i%2 == 1 {
				fmt.Fprintf(os.Stdout, "out-%d\n", i)
			} else {
				fmt.Fprintf(os.Stderr, "err-%d\n", i)
			}
		}
	case "long":
		_, err := os.Stdout.WriteString(strings.Repeat("x", n) + "\n")
		return err
	case "cat", "caterr":
		data, err := os.ReadFile(arg)
		if err != nil {
			return err
		}
		w := os.Stdout
		if name == "caterr" {
			w = os.Stderr
		}
		return writeVaried(w, data)
	case "ignore":
		signal.Ignore(syscall.SIGTERM)
	case "spawn":
		for range n {
			c := exec.Command(os.Args[0], "sleep")
			if err := c.Start(); err != nil {
				return err
			}
			fmt.Printf("pid:%d\n", c.Process.Pid)
		}
	case "spawnwith":
		c := exec.Command(os.Args[0], strings.Split(arg, "+")...)
		c.Stdout, c.Stderr = os.Stdout, os.Stderr
		return c.Start()
	case "trapterm":
		ms, text, _ := strings.Cut(arg, ":")
		delay, err := strconv.Atoi(ms)
		if err != nil {
			return err
		}
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM)
		go func() {
			<-sigs
			time.Sleep(time.Duration(delay) * time.Millisecond)
			fmt.Println(text)
			os.Exit(0)
		}()
	case "traphup":
		printOn(syscall.SIGHUP, arg)
	case "ready":
		fmt.Println("ready")
	case "sleep":
		time.Sleep(math.MaxInt64)
	case "sleepms":
		time.Sleep(time.Duration(n) * time.Millisecond)
	case "kill":
		return syscall.Kill(os.Getpid(), syscall.Signal(n))
	case "exit":
		os.Exit(n)
	case "exitseq":
		i := strings.LastIndexByte(arg, ':')
		if i < 0 {
			return fmt.Errorf("no exit codes")
		}
		file, codes := arg[:i], strings.Split(arg[i+1:], ",")
		runs, err := os.ReadFile(file)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		code, err := strconv.Atoi(codes[len(runs)%len(codes)])
		if err != nil {
			return err
		}
		f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.Write([]byte{'.'}); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		os.Exit(code)
	default:
		return hostOp(name, arg)
	}
	return nil
}

// writeVaried writes data to w in pieces whose sizes go through a fixed
// cycle, from one byte to more than a pipe holds.
func writeVaried(w *os.File, data []byte) error {
	sizes := []int{1, 2, 3, 7, 100, 4095, 1, 65537, 13, 4096, 200_000, 511, 1, 65536}
	for i := 0; len(data) > 0; i++ {
		n := min(sizes[i%len(sizes)], len(data))
		if _, err := w.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// printOn prints text at each signal sig, from now on.
func printOn(sig syscall.Signal, text string) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, sig)
	go func() {
		for range sigs {
			fmt.Println(text)
		}
	}()
}
