// Command prog is the program the command's tests run, one operation per
// argument, in order:
//
//	out:TEXT     TEXT and "\n" to stdout
//	err:TEXT     TEXT and "\n" to stderr
//	info         "pid=PID fds=LISTEN_FDS addr=ADDR" to stdout, ADDR being
//	             the address of fd 3 when LISTEN_FDS is set, else "none"
//	trap:NAME    on signal NAME (HUP, USR1, QUIT, WINCH, ALRM), print
//	             "got-NAME" to stdout and go on
//	trapterm:N   on SIGTERM, stop serving, print "term" and exit with code N
//	ignoreterm   ignore SIGTERM
//	serve        answer every connection to the listening socket fd 3 with
//	             "pid=PID\n", in the background
//	notify       send READY=1 to NOTIFY_SOCKET
//	notifyonce:FILE
//	             notify, if FILE does not exist yet, and make it
//	status:TEXT  send READY=1 and STATUS=TEXT to NOTIFY_SOCKET
//	sleep        block until killed
//	exit:N       exit with code N
//	kill:N       send signal N to itself, and block
package main

import (
	"fmt"
	"math"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var signals = map[string]syscall.Signal{
	"HUP": syscall.SIGHUP, "USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2, "QUIT": syscall.SIGQUIT,
	"WINCH": syscall.SIGWINCH, "ALRM": syscall.SIGALRM,
}

// fd3 is the first listening socket, kept here so that no finalizer closes
// it.
var fd3 = os.NewFile(3, "listener")

// serving is the listener of serve, closed on SIGTERM by trapterm.
var serving = make(chan net.Listener, 1)

func main() {
	for _, op := range os.Args[1:] {
		name, arg, _ := strings.Cut(op, ":")
		if err := do(name, arg); err != nil {
			fmt.Fprintf(os.Stderr, "prog: %s: %v\n", op, err)
			os.Exit(100)
		}
	}
}

func do(name, arg string) error {
	n, _ := strconv.Atoi(arg)
	switch name {
	case "out":
		fmt.Println(arg)
	case "err":
		fmt.Fprintln(os.Stderr, arg)
	case "info":
		addr := "none"
		if os.Getenv("LISTEN_FDS") != "" {
			ln, err := net.FileListener(fd3)
			if err != nil {
				return err
			}
			addr = ln.Addr().String()
			_ = ln.Close() // a copy: fd 3 stays
		}
		fmt.Printf("pid=%d fds=%s addr=%s\n", os.Getpid(), os.Getenv("LISTEN_FDS"), addr)
	case "trap":
		sig, ok := signals[arg]
		if !ok {
			return fmt.Errorf("unknown signal")
		}
		ch := make(chan os.Signal, 8)
		signal.Notify(ch, sig)
		go func() {
			for range ch {
				fmt.Println("got-" + arg)
			}
		}()
	case "trapterm":
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM)
		go func() {
			<-ch
			select {
			case ln := <-serving: // no more connections: they go to the next run
				_ = ln.Close()
			default:
			}
			fmt.Println("term")
			os.Exit(n)
		}()
	case "ignoreterm":
		signal.Ignore(syscall.SIGTERM)
	case "serve":
		ln, err := net.FileListener(fd3)
		if err != nil {
			return err
		}
		serving <- ln
		go func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				fmt.Fprintf(conn, "pid=%d\n", os.Getpid())
				_ = conn.Close()
			}
		}()
	case "notifyonce":
		// Only the run that makes FILE notifies.
		f, err := os.OpenFile(arg, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return nil
		}
		_ = f.Close()
		return do("notify", "")
	case "status":
		return notify("READY=1\nSTATUS=" + arg)
	case "notify":
		return notify("READY=1")
	case "sleep":
		time.Sleep(math.MaxInt64)
	case "exit":
		os.Exit(n)
	case "kill":
		if err := syscall.Kill(os.Getpid(), syscall.Signal(n)); err != nil {
			return err
		}
		time.Sleep(math.MaxInt64)
	default:
		return fmt.Errorf("unknown operation")
	}
	return nil
}

// notify sends msg to NOTIFY_SOCKET.
func notify(msg string) error {
	addr := os.Getenv("NOTIFY_SOCKET")
	if strings.HasPrefix(addr, "@") {
		addr = "\x00" + addr[1:]
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(msg))
	return err
}
