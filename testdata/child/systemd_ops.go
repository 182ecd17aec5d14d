package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coreos/go-systemd/v22/activation"
	"github.com/coreos/go-systemd/v22/daemon"
)

// systemdOp runs the operations of systemd's protocols, through
// go-systemd, as a daemon written for systemd would:
//
//	notify:MSG    send MSG (Go escapes allowed) to NOTIFY_SOCKET with
//	              daemon.SdNotify; fail if it is not sent
//	mainpid       send MAINPID= with its own pid, as a daemon's main
//	              process that is not the first one does
//	notifyout:MSG send MSG from a copy of itself in a process group of its
//	              own (not the run's), and wait for it
//	watchdog:N    send WATCHDOG=1 N times, every half WATCHDOG_USEC (read
//	              with daemon.SdWatchdogEnabled, which checks WATCHDOG_PID)
//	listeners     print "listeners:N names:NAMES" from go-systemd's
//	              activation (which checks LISTEN_PID), or fail without
//	              sockets
//	serve:VERSION answer HTTP on the activation listeners with "VERSION
//	              PID", and send READY=1 (when NOTIFY_SOCKET is set); on
//	              SIGTERM finish the requests in flight and exit 0
func systemdOp(name, arg string) error {
	switch name {
	case "notify":
		msg, err := strconv.Unquote(`"` + arg + `"`)
		if err != nil {
			return err
		}
		sent, err := daemon.SdNotify(false, msg)
		if err == nil && !sent {
			err = errors.New("NOTIFY_SOCKET unset")
		}
		return err
	case "mainpid":
		return systemdOp("notify", fmt.Sprintf("MAINPID=%d", os.Getpid()))
	case "notifyout":
		c := exec.Command(os.Args[0], "notify:"+arg)
		c.Stderr = os.Stderr
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		return c.Run()
	case "watchdog":
		n, _ := strconv.Atoi(arg)
		every, err := daemon.SdWatchdogEnabled(false)
		if err != nil || every == 0 {
			return fmt.Errorf("no watchdog for this process: %v", err)
		}
		for range n {
			time.Sleep(every / 2)
			if _, err := daemon.SdNotify(false, daemon.SdNotifyWatchdog); err != nil {
				return err
			}
		}
		fmt.Println("watchdog pings sent")
		return nil
	case "listeners":
		ls, err := activation.ListenersWithNames()
		if err != nil {
			return err
		}
		n, names := 0, []string{}
		for name, l := range ls {
			n += len(l)
			names = append(names, name)
		}
		if n == 0 {
			return errors.New("no sockets (LISTEN_FDS unset or LISTEN_PID not this process)")
		}
		fmt.Printf("listeners:%d names:%s\n", n, strings.Join(names, ","))
		return nil
	case "serve":
		return serve(arg)
	}
	return limitsOp(name, arg)
}

func serve(version string) error {
	ls, err := activation.Listeners()
	if err != nil {
		return err
	}
	if len(ls) == 0 {
		return errors.New("no sockets (LISTEN_FDS unset or LISTEN_PID not this process)")
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	// The connections not yet closed, so that a stop can wait for them:
	// http.Server.Shutdown does not do for this program, as it drops a
	// request it had not read when the shutdown began.
	var (
		mu       sync.Mutex
		open     = map[net.Conn]bool{}
		stopping bool
		drained  = make(chan struct{})
	)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %d", version, os.Getpid())
	}), ConnState: func(c net.Conn, st http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch st {
		case http.StateNew, http.StateActive:
			open[c] = true
			return
		case http.StateIdle:
			if !stopping {
				return
			}
			_ = c.Close()
		}
		delete(open, c)
		if stopping && len(open) == 0 {
			close(drained)
			stopping = false
		}
	}}
	errs := make(chan error, len(ls))
	for _, l := range ls {
		go func(l net.Listener) { errs <- srv.Serve(l) }(l)
	}
	fmt.Printf("serving %s\n", version)
	if _, err := daemon.SdNotify(false, daemon.SdNotifyReady); err != nil {
		return err
	}
	select {
	case <-stop:
	case err := <-errs:
		return err
	}
	// Stop accepting; once Serve has returned, every connection accepted
	// is known. Answer each, then close it.
	srv.SetKeepAlivesEnabled(false)
	for _, l := range ls {
		_ = l.Close()
	}
	for range ls {
		<-errs
	}
	mu.Lock()
	if len(open) == 0 {
		close(drained)
	} else {
		stopping = true
	}
	mu.Unlock()
	select {
	case <-drained:
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("connections still open after 10s")
	}
}
