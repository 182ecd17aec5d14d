package overseer

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync/atomic"
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

	ending atomic.Bool // set by finish: a read deadline means "all read"
}

// notifyMaxMessage is the longest message taken, as systemd's
// NOTIFY_BUFFER_MAX; a longer one is cut short by the kernel and dropped.
const notifyMaxMessage = 4096

// close closes a socket whose reader was never started.
func (n *notifySocket) close() {
	if n == nil {
		return
	}
	_ = n.conn.Close()
}

// finish ends the reader once it has read every message already sent,
// then closes the socket. The run calls it when its leader has exited but
// is not yet reaped, so that a last message (STOPPING=1 right before the
// exit) still counts: a zombie's process group is still known.
func (n *notifySocket) finish() {
	n.ending.Store(true)
	_ = n.conn.SetReadDeadline(time.Now())
	<-n.done
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
	w := &watchdog{r: r, interval: r.cfg.watchdog, armed: r.cfg.ready == nil}
	w.arm()
	readied := false
	for {
		pid, msg, err := n.receive(buf, oob)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if n.ending.Load() {
				// What was sent before the end is still in the socket.
				_ = n.conn.SetReadDeadline(time.Time{})
				for {
					pid, msg, err := n.receiveNow(buf, oob)
					if err != nil {
						return
					}
					r.applyNotify(pid, msg, w, &readied)
				}
			}
			w.expired()
			continue
		}
		if err != nil {
			return // closed: the run is over
		}
		r.applyNotify(pid, msg, w, &readied)
	}
}

// watchdog is the state of a run's watchdog, kept by readNotify as the
// read deadline of the notification socket. As under systemd it runs once
// the start is over: at once without a Ready probe, else from READY=1 or
// the first ping.
type watchdog struct {
	r        *run
	interval time.Duration
	armed    bool
	aborted  bool // SIGABRT sent: the next expiry sends SIGKILL
}

func (w *watchdog) arm() {
	if w.interval > 0 && !w.aborted && w.armed {
		_ = w.r.notify.conn.SetReadDeadline(time.Now().Add(w.interval))
	}
}

// expired acts on a missed ping: SIGABRT, then SIGKILL after StopTimeout.
func (w *watchdog) expired() {
	r, conn := w.r, w.r.notify.conn
	if !w.aborted {
		w.aborted = true
		r.cmd.watchdogMissed(r, w.interval)
		_ = r.signal(syscall.SIGABRT)
		_ = conn.SetReadDeadline(time.Now().Add(r.cfg.stopTimeout))
		return
	}
	_ = r.signal(syscall.SIGKILL)
	_ = conn.SetReadDeadline(time.Time{})
}

// applyNotify applies one message of sender pid, if pid is in the run's
// process group: the name of the socket is no secret.
func (r *run) applyNotify(pid int, msg []byte, w *watchdog, readied *bool) {
	if pid == 0 || !inGroup(pid, r.pid) {
		return
	}
	for line := range bytes.SplitSeq(msg, []byte("\n")) {
		key, value, _ := bytes.Cut(line, []byte("="))
		switch string(key) {
		case "READY":
			if string(value) == "1" && !*readied {
				*readied = true
				close(r.notify.ready)
				w.armed = true
				w.arm()
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
				w.armed = true
				w.arm()
			case "trigger":
				w.armed = true
				if w.interval == 0 {
					w.interval = r.cfg.stopTimeout // only for the escalation
				}
				_ = r.notify.conn.SetReadDeadline(time.Now())
			}
		case "WATCHDOG_USEC":
			if us, err := strconv.ParseInt(string(value), 10, 64); err == nil && us > 0 {
				w.interval = time.Duration(us) * time.Microsecond
				w.arm()
			}
		}
	}
}

// notifyStatus records STATUS=text of run r: the Cmd's StatusText when r
// is its current run.
func (c *Cmd) notifyStatus(r *run, text string) {
	c.mu.Lock()
	defer c.unlock()
	r.statusText = text
	if c.run == r {
		c.setStatusTextLocked(text)
	}
}

// notifyStopping records that run r is shutting down by itself: the Cmd
// is stopping, and the end of the run is not a failure.
func (c *Cmd) notifyStopping(r *run) {
	c.mu.Lock()
	defer c.unlock()
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
	defer c.unlock()
	r.mainPID = pid
	if c.run == r {
		c.mainPID = pid
	}
}

// watchdogMissed records that run r sent no WATCHDOG=1 in time.
func (c *Cmd) watchdogMissed(r *run, interval time.Duration) {
	c.mu.Lock()
	defer c.unlock()
	r.watchdogErr = fmt.Errorf("overseer: %s: no WATCHDOG=1 within %v", c.name(), interval)
	if c.logger != nil {
		c.logger.Warn("overseer: watchdog missed: sending SIGABRT", "id", c.id, "pid", r.pid, "interval", interval)
	}
}
