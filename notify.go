package overseer

import (
	"fmt"
	"syscall"
	"time"

	"github.com/overseer-go/overseer/internal/sdnotify"
)

// notifySocket is a run's end of systemd's sd_notify protocol (see
// Cmd.Notify): the socket (package sdnotify), which one goroutine of the
// run reads (readNotify), keeping the run's watchdog as its read deadline.
type notifySocket struct {
	sock  *sdnotify.Socket
	ready chan struct{} // closed at the first READY=1
}

// openNotifySocket opens a run's notification socket.
func openNotifySocket() (*notifySocket, error) {
	sock, err := sdnotify.Open()
	if err != nil {
		return nil, fmt.Errorf("overseer: %w", err)
	}
	return &notifySocket{sock: sock, ready: make(chan struct{})}, nil
}

// close closes a socket whose reader was never started; nil is a no-op.
func (n *notifySocket) close() {
	if n == nil {
		return
	}
	_ = n.sock.Close() // unused: nothing was read, nothing is lost
}

// finish ends the reader once it has read every message already sent,
// then closes the socket (see sdnotify.Socket.Finish).
func (n *notifySocket) finish() {
	_ = n.sock.Finish() // a datagram socket loses nothing at close
}

// readNotify applies the messages of the run's group until the socket is
// closed at the end of the run. It also keeps the watchdog: with one, a
// read waits at most until the next ping is due; when it is missed the
// group gets SIGABRT, then SIGKILL after StopTimeout.
func (r *run) readNotify() {
	w := &watchdog{r: r, interval: r.cfg.watchdog, armed: r.cfg.ready == nil}
	w.arm()
	readied := false
	r.notify.sock.Serve(func(m sdnotify.Message) { r.applyNotify(m, w, &readied) }, w.expired)
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

// arm sets the deadline of the next ping, if the watchdog runs.
func (w *watchdog) arm() {
	if w.interval > 0 && !w.aborted && w.armed {
		w.deadline(time.Now().Add(w.interval))
	}
}

// deadline sets the read deadline of the socket.
func (w *watchdog) deadline(t time.Time) {
	// Fails only once the socket is closed, when the run is over.
	_ = w.r.notify.sock.SetReadDeadline(t)
}

// expired acts on a missed ping: SIGABRT, then SIGKILL after StopTimeout.
func (w *watchdog) expired() {
	r := w.r
	if !w.aborted {
		w.aborted = true
		r.cmd.watchdogMissed(r, w.interval)
		_ = r.signal(syscall.SIGABRT) // a group already gone needs none
		w.deadline(time.Now().Add(r.cfg.stopTimeout))
		return
	}
	_ = r.signal(syscall.SIGKILL) // a group already gone needs none
	w.deadline(time.Time{})
}

// applyNotify applies message m if its sender is in the run's process
// group: the name of the socket is no secret.
func (r *run) applyNotify(m sdnotify.Message, w *watchdog, readied *bool) {
	if m.Sender == 0 || !sdnotify.InGroup(m.Sender, r.pid) {
		return
	}
	if m.HasStatus {
		r.cmd.notifyStatus(r, m.Status)
	}
	if m.Stopping {
		r.cmd.notifyStopping(r)
	}
	if m.MainPID > 0 {
		r.cmd.notifyMainPID(r, m.MainPID)
	}
	if m.WatchdogTimeout > 0 {
		w.interval = m.WatchdogTimeout
		w.arm()
	}
	if m.Ready && !*readied {
		*readied = true
		close(r.notify.ready)
		w.armed = true
		w.arm()
	}
	if m.Ping {
		w.armed = true
		w.arm()
	}
	if m.Trigger {
		w.armed = true
		if w.interval == 0 {
			w.interval = r.cfg.stopTimeout // only for the escalation
		}
		w.deadline(time.Now())
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
