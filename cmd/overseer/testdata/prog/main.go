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
//
// For the readiness and stop tests of "overseer run":
//
//	onsig:NAME[:N]
//	             on signal NAME (INT, TERM, HUP, QUIT, USR1, USR2, WINCH,
//	             ALRM), print "got-NAME" and exit with code N; without N,
//	             go on
//	ignore:NAME  ignore signal NAME
//	gate:FILE    wait until FILE exists, then remove it: a test lets one
//	             run through each time it makes FILE
//	pause:MS     sleep MS milliseconds (a slow boot)
//	httpserve    answer HTTP requests on the listening socket fd 3 with
//	             "pid=PID\n", in the background, and print "serving"; on
//	             SIGTERM, stop accepting, serve every connection accepted,
//	             print "term" and exit 0
//	health:ADDR  listen on ADDR, waiting while another run holds it, and
//	             answer its first connection with "HTTP/1.0 200 OK", having
//	             closed the listener and printed "health-closed": a
//	             startup probe's port, which each run holds only until it
//	             has been probed
//	mark:DIR     make the empty file DIR/PID
//	lines:N[:CUTS]
//	             N numbered lines of 100 bytes (see lines.go), as fast as
//	             it can; CUTS times, spread evenly, it stops in the middle
//	             of a line for 300ms, so that the line is read in two
//	             pieces
//	spawn:OPS    start this program in the same process group with the
//	             comma-separated OPS, print "spawned=PID", and, when it
//	             ends, "spawned-ended: STATE"
package main

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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

	// Operations of the readiness and stop tests of "overseer run".
	case "onsig":
		name, code, _ := strings.Cut(arg, ":")
		sig, ok := signalNamed(name)
		if !ok {
			return fmt.Errorf("unknown signal")
		}
		exit := -1 // go on
		if code != "" {
			var err error
			if exit, err = strconv.Atoi(code); err != nil {
				return err
			}
		}
		ch := make(chan os.Signal, 8)
		signal.Notify(ch, sig)
		go func() {
			for range ch {
				fmt.Println("got-" + name)
				if exit >= 0 {
					os.Exit(exit)
				}
			}
		}()
	case "ignore":
		sig, ok := signalNamed(arg)
		if !ok {
			return fmt.Errorf("unknown signal")
		}
		signal.Ignore(sig)
	case "gate":
		for {
			err := os.Remove(arg)
			if err == nil {
				return nil
			}
			if !errors.Is(err, os.ErrNotExist) {
				return err
			}
			time.Sleep(10 * time.Millisecond)
		}
	case "pause":
		time.Sleep(time.Duration(n) * time.Millisecond)
	case "httpserve":
		return httpServe()
	case "health":
		return health(arg)
	case "lines":
		return writeLines(arg)
	case "mark":
		return os.WriteFile(filepath.Join(arg, strconv.Itoa(os.Getpid())), nil, 0o644)
	case "spawn":
		cmd := exec.Command(os.Args[0], strings.Split(arg, ",")...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			return err
		}
		fmt.Printf("spawned=%d\n", cmd.Process.Pid)
		go func() {
			_ = cmd.Wait() // its state says how it ended
			fmt.Printf("spawned-ended: %v\n", cmd.ProcessState)
		}()

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

// signalNamed returns the signal of a name such as "INT".
func signalNamed(name string) (syscall.Signal, bool) {
	if sig, ok := signals[name]; ok {
		return sig, true
	}
	switch name {
	case "INT":
		return syscall.SIGINT, true
	case "TERM":
		return syscall.SIGTERM, true
	}
	return 0, false
}

// httpServe is the operation httpserve.
func httpServe() error {
	ln, err := net.FileListener(fd3)
	if err != nil {
		return err
	}
	// Every connection accepted is counted until closed. (Server.Shutdown
	// would not do: it drops a connection accepted before it began whose
	// request it reads after.)
	var conns sync.WaitGroup
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "pid=%d\n", os.Getpid())
		}),
		ConnState: func(_ net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				conns.Add(1)
			case http.StateClosed, http.StateHijacked:
				conns.Done()
			}
		},
	}
	served := make(chan struct{})
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	go func() {
		<-term
		// No more connections: those not accepted yet wait in the
		// socket's queue for the next run. Those accepted are served.
		srv.SetKeepAlivesEnabled(false)
		_ = ln.Close() // a copy of fd 3: the socket stays
		<-served       // no connection is added after this
		conns.Wait()
		fmt.Println("term")
		os.Exit(0)
	}()
	go func() {
		defer close(served)
		if err := srv.Serve(ln); !errors.Is(err, net.ErrClosed) {
			fmt.Fprintln(os.Stderr, "prog: serve:", err)
		}
	}()
	fmt.Println("serving")
	return nil
}

// health is the operation health.
func health(addr string) error {
	var ln net.Listener
	for {
		var err error
		ln, err = net.Listen("tcp", addr)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
	go func() {
		conn, err := ln.Accept()
		// Closed at once: a connection queued meanwhile would count as
		// an answer for a TCP probe of the next run.
		_ = ln.Close() // this process's own listener: nothing to report
		fmt.Println("health-closed")
		if err != nil {
			return
		}
		defer conn.Close()
		// The request is read first (closing with unread data would reset
		// the connection); a TCP probe sends none and closes.
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(conn)
		for {
			line, err := r.ReadString('\n')
			if err != nil || strings.TrimSpace(line) == "" {
				break
			}
		}
		_, _ = conn.Write([]byte("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"))
	}()
	return nil
}
