package overseer

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

// notifySocket is a run's end of systemd's sd_notify protocol (see
// Cmd.Notify). One goroutine of the run reads it (readNotify) and also
// keeps the run's watchdog, as the socket's read deadline.
type notifySocket struct {
	conn  *net.UnixConn
	name  string        // NOTIFY_SOCKET: "@" for the abstract namespace
	ready chan struct{} // closed at the first READY=1
	done  chan struct{} // closed when readNotify has returned
}

// notifyMaxMessage is the longest message taken, as systemd's
// NOTIFY_BUFFER_MAX; a longer one is cut short by the kernel and dropped.
const notifyMaxMessage = 4096

// close closes the socket, which ends its reader; the run waits for done.
func (n *notifySocket) close() {
	if n == nil {
		return
	}
	_ = n.conn.Close()
}

// readNotify applies the messages of the run's group until the socket is
// closed at the end of the run. A message counts only if its sender (known
// from the kernel's credentials) is in the run's process group: the name
// of the socket is no secret. It also keeps the watchdog: with one, a read
// waits at most until the next ping is due; when it is missed the group
// gets SIGABRT, then SIGKILL after StopTimeout.
func (r *run) readNotify() {
	n := r.notify
	defer close(n.done)
	buf := make([]byte, notifyMaxMessage+1)
	oob := make([]byte, oobSize)
	interval := r.cfg.watchdog
	aborted := false
	// As under systemd, the watchdog runs once the start is over: at once
	// without a Ready probe, else from READY=1 or the first ping.
	armed := r.cfg.ready == nil
	arm := func() {
		if interval > 0 && !aborted && armed {
			_ = n.conn.SetReadDeadline(time.Now().Add(interval))
		}
	}
	arm()
	readied := false
	for {
		pid, msg, err := n.receive(buf, oob)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if !aborted {
				aborted = true
				r.cmd.watchdogMissed(r, interval)
				_ = r.signal(syscall.SIGABRT)
				_ = n.conn.SetReadDeadline(time.Now().Add(r.cfg.stopTimeout))
			} else {
				_ = r.signal(syscall.SIGKILL)
				_ = n.conn.SetReadDeadline(time.Time{})
			}
			continue
		}
		if err != nil {
			return // closed: the run is over
		}
		if pid == 0 || !inGroup(pid, r.pid) {
			continue
		}
		for line := range bytes.SplitSeq(msg, []byte("\n")) {
			key, value, _ := bytes.Cut(line, []byte("="))
			switch string(key) {
			case "READY":
				if string(value) == "1" && !readied {
					readied = true
					close(n.ready)
					armed = true
					arm()
				}
			case "STATUS":
				r.cmd.notifyStatus(r, string(value))
			case "STOPPING":
				if string(value) == "1" {
					r.cmd.notifyStopping(r)
				}
			case "MAINPID":
				if p, err := strconv.Atoi(string(value)); err == nil && p > 0 {
					r.cmd.notifyMainPID(r, p)
				}
			case "WATCHDOG":
				switch string(value) {
				case "1":
					armed = true
					arm()
				case "trigger":
					armed = true
					if interval == 0 {
						interval = r.cfg.stopTimeout // only for the escalation below
					}
					_ = n.conn.SetReadDeadline(time.Now())
				}
			case "WATCHDOG_USEC":
				if us, err := strconv.ParseInt(string(value), 10, 64); err == nil && us > 0 {
					interval = time.Duration(us) * time.Microsecond
					arm()
				}
			}
		}
	}
}

// notifyStatus records STATUS=text of run r: the Cmd's StatusText when r
// is its current run.
func (c *Cmd) notifyStatus(r *run, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r.statusText = text
	if c.run == r {
		c.setStatusTextLocked(text)
	}
}

// notifyStopping records that run r is shutting down by itself: the Cmd
// is stopping, and the end of the run is not a failure.
func (c *Cmd) notifyStopping(r *run) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.selfStopping {
		return
	}
	r.selfStopping = true
	if c.run == r && (c.state == StateRunning || c.state == StateStarting) {
		c.setState(StateStopping)
	}
}

// notifyMainPID records MAINPID=pid of run r.
func (c *Cmd) notifyMainPID(r *run, pid int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r.mainPID = pid
	if c.run == r {
		c.mainPID = pid
	}
}

// watchdogMissed records that run r sent no WATCHDOG=1 in time.
func (c *Cmd) watchdogMissed(r *run, interval time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r.watchdogErr = fmt.Errorf("overseer: %s: no WATCHDOG=1 within %v", c.name(), interval)
	if c.logger != nil {
		c.logger.Warn("overseer: watchdog missed: sending SIGABRT", "id", c.id, "pid", r.pid, "interval", interval)
	}
}
