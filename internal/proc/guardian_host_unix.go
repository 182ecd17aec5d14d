//go:build unix

package proc

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// host is the process-wide state: the guardian and the lifeline.
type host struct {
	mu       sync.Mutex
	guardian *guardianProc     // nil when none runs
	live     map[int]string    // the groups the guardian must know of → their run's token
	pending  map[string]string // the starts under way: token → their "?" message
	err      error             // why the guardian last failed to start
	cgroups  string            // the host's overseer.PID control group, "" for none

	lifeline *os.File // the read end every child inherits
	keep     *os.File // the write end, held for the life of the host
}

// guardianProc is one guardian process and the write end of its pipe.
type guardianProc struct {
	proc *Process
	os   *os.Process
	to   *os.File
}

// theHost is the one host state of this process (see GuardianEnv).
var theHost host

// expect tells the guardian that a run with token (its RunTokenEnv value)
// and output pipes is about to start, before the fork: see "The start
// window" in guardian_unix.go. It is followed by watchGroup once the run has
// started, or by abandoned. An error means the start is not guarded; the
// run may go on. An empty token is not guarded.
func expect(token string, pipes []*os.File) error { return theHost.expect(token, pipes) }

// abandoned tells the guardian that the start of token failed.
func abandoned(token string) { theHost.abandoned(token) }

// watchGroup tells the guardian of a new process group, pgid, that of the run
// with token: if the host dies, the guardian kills the group. An error
// means the group is not guarded; the run may go on.
func watchGroup(pgid int, token string) error { return theHost.watch(pgid, token) }

// watchCgroups tells the guardian of the host's control group for runs,
// dir: if the host dies, the guardian kills what is in it and removes it.
func watchCgroups(dir string) {
	h := &theHost
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cgroups = dir
	_ = h.send(cgroupsMessage(dir)) // an error is h.err, which the next start of a run reports
}

// cgroupsMessage is the message of the host's control group for runs.
func cgroupsMessage(dir string) string { return "#" + dir }

// Release tells the guardian that the group pgid is over; call it once the
// group's leader is reaped.
func Release(pgid int) { theHost.release(pgid) }

// expect tells the guardian that a run with token and output pipes is about
// to start, before the fork: see "The start window" in guardian_unix.go. It
// is followed by watch once the run has started, or by abandoned. An error
// means the start is not guarded; the run goes on.
func (h *host) expect(token string, pipes []*os.File) error {
	if token == "" {
		return nil
	}
	msg := "?" + token
	for _, p := range pipeNames(pipes) {
		msg += " " + p
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pending == nil {
		h.pending = make(map[string]string)
	}
	h.pending[token] = msg
	return h.send(msg)
}

// abandoned tells the guardian that the start of token failed.
func (h *host) abandoned(token string) {
	if token == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.pending, token)
	if h.guardian != nil {
		h.write("!" + token)
	}
}

// watch tells the guardian of a new process group, that of the run with
// token. An error means the group is not guarded; the run goes on.
func (h *host) watch(pgid int, token string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.live == nil {
		h.live = make(map[int]string)
	}
	h.live[pgid] = token
	delete(h.pending, token)
	return h.send(liveMessage(pgid, token))
}

// release tells the guardian that the group of pgid is over; it is called
// once the leader is reaped.
func (h *host) release(pgid int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.live, pgid)
	if h.guardian != nil {
		h.write("-" + strconv.Itoa(pgid))
	}
}

// liveMessage is the message of a live group.
func liveMessage(pgid int, token string) string {
	return strings.TrimSpace("+" + strconv.Itoa(pgid) + " " + token)
}

// send writes msg to the guardian, starting one if none runs (which is
// then told everything, msg included). h.mu is held.
func (h *host) send(msg string) error {
	if h.guardian == nil {
		return h.startGuardian()
	}
	h.write(msg)
	return h.err
}

// write writes msg to the guardian. A guardian that cannot be written to
// has died: it is dropped, and another started and told everything, or
// h.err says why not. h.mu is held.
func (h *host) write(msg string) {
	if _, err := h.guardian.to.WriteString(msg + "\n"); err != nil {
		h.dropGuardian()
		h.err = h.startGuardian()
	}
}

// startGuardian starts a guardian and tells it of every live group and
// every start under way. h.mu is held.
func (h *host) startGuardian() error {
	fail := func(err error) error {
		h.err = fmt.Errorf("overseer: guardian: %w", err)
		return h.err
	}
	exe, err := executable()
	if err != nil {
		return fail(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	// What the guardian must know is in its pipe before it starts, as far
	// as the pipe takes it (64 KiB on Linux, a thousand groups and more), so
	// that it knows it all from its first instruction: a host killed at
	// that moment leaves nothing behind. The rest follows once it reads.
	var state strings.Builder
	if h.cgroups != "" {
		state.WriteString(cgroupsMessage(h.cgroups) + "\n")
	}
	for pgid, token := range h.live {
		state.WriteString(liveMessage(pgid, token) + "\n")
	}
	for _, msg := range h.pending {
		state.WriteString(msg + "\n")
	}
	rest, err := writeNow(w, state.String())
	if err != nil {
		_ = r.Close() // the guardian never started: nothing to lose
		_ = w.Close()
		return fail(err)
	}
	var pidfd int
	p, err := os.StartProcess(exe, []string{"overseer-guardian"}, &os.ProcAttr{
		// Only what the guardian needs: its mode, and no second of sleep
		// at exit if the host was built with -race.
		Env:   []string{GuardianEnv + "=" + guardianMode, "GORACE=atexit_sleep_ms=0"},
		Files: []*os.File{r},
		Sys:   sysProcAttr(&pidfd, false), // a group of its own, and a pidfd
	})
	_ = r.Close() // the guardian has its copy; ours only kept the pipe from ending
	if err != nil {
		_ = w.Close() // the guardian never started: nothing to lose
		return fail(err)
	}
	g := &guardianProc{proc: newProcess(p.Pid, pidfd), os: p, to: w}
	h.guardian, h.err = g, nil
	go h.awaitGuardian(g)
	if _, err := w.WriteString(rest); err != nil {
		h.dropGuardian()
		return fail(err)
	}
	return nil
}

// writeNow writes what of s the pipe w takes without waiting for a reader,
// and returns the rest.
func writeNow(w *os.File, s string) (rest string, err error) {
	if err := w.SetWriteDeadline(time.Now()); err != nil {
		return s, nil // not a pollable pipe: all of s is written later
	}
	n, err := w.WriteString(s)
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		return "", err
	}
	return s[n:], w.SetWriteDeadline(time.Time{})
}

// awaitGuardian waits for guardian g to end, which it does only when it is
// killed, or dropped by the host; a guardian killed while groups are live
// is replaced at once. It owns g's reaping. Its goroutine lives as long as
// g, which lives as long as the host unless killed: the netpoller holds it
// through g's pidfd, not an OS thread.
func (h *host) awaitGuardian(g *guardianProc) {
	if err := g.proc.WaitExit(); err == nil {
		_, _ = g.proc.Reap() // its status says nothing: it was killed
	}
	_ = g.os.Release() // reaped above; Release only frees the handle
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.guardian != g {
		return // dropped by the host, which has seen to a successor
	}
	h.dropGuardian()
	if len(h.live) > 0 || len(h.pending) > 0 {
		h.err = h.startGuardian()
	}
}

// dropGuardian ends the current guardian, which has died or cannot be
// written to; its awaitGuardian reaps it. h.mu is held.
func (h *host) dropGuardian() {
	g := h.guardian
	h.guardian = nil
	// Killed before its pipe is closed, so that it cannot take the end of
	// file for the host's death and kill the groups, which stay live for
	// the next guardian. An error means it is gone already.
	_ = g.os.Signal(syscall.SIGKILL)
	_ = g.to.Close() // nothing buffered: writes go straight to the pipe
}
