//go:build unix

package overseer

import (
	"bufio"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
)

// The guardian makes the death of the host, even by SIGKILL, the end of
// every process group the host runs.
//
// It is a second process: the host's own executable, started again with
// guardianEnv set, which this package's init function turns into the
// guardian before main runs (as with any re-executed Go program, the init
// functions of the other packages run first). It reads the ids of the live
// process groups from a pipe whose write end only the host holds ("+pgid"
// when a run starts, "-pgid" once its leader is reaped). When the host is
// gone the pipe reaches end of file, and the guardian sends SIGKILL to every
// group still live, then exits.
//
// PR_SET_PDEATHSIG is not used: it reaches only the direct child, not its
// group, and Go delivers it when the OS thread that forked the child exits,
// which the runtime may do at any time, not when the host does.
//
// There is one guardian per host process, shared by every Overseer and Cmd,
// because what it watches is the process: this and the lifeline are the
// package's only process-wide state. It starts with the first run and lives
// as long as the host. If it cannot start (no executable to run, say), runs
// go on unguarded, and the Overseer's logger says so.

func init() {
	if os.Getenv(guardianEnv) == guardianMode {
		os.Exit(guard(os.Stdin))
	}
}

// guard is the guardian's life: it follows the list of live groups on in
// until end of file, then kills those left.
func guard(in *os.File) int {
	// The guardian has a process group of its own, so a Ctrl-C in the
	// host's terminal does not reach it; nor should a stray signal meant
	// for the host.
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGPIPE)
	live := make(map[int]bool)
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Text()
		if len(line) < 2 {
			continue
		}
		pgid, err := strconv.Atoi(line[1:])
		if err != nil || pgid <= 1 {
			continue
		}
		switch line[0] {
		case '+':
			live[pgid] = true
		case '-':
			delete(live, pgid)
		}
	}
	for pgid := range live {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
	return 0
}

// host is the process-wide state: the guardian and the lifeline.
type host struct {
	mu       sync.Mutex
	guardian *os.Process
	toGuard  *os.File         // the write end of the guardian's pipe
	live     map[int]struct{} // the groups the guardian knows of
	err      error            // why the guardian last failed to start

	lifeline *os.File // the read end every child inherits
	keep     *os.File // the write end, held for the life of the host
}

// theHost is the one host state of this process (see guardianEnv).
var theHost host

// watch tells the guardian of a new process group. An error means the
// group is not guarded; the run goes on.
func (h *host) watch(pgid int) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.live == nil {
		h.live = make(map[int]struct{})
	}
	h.live[pgid] = struct{}{}
	if h.toGuard != nil {
		if _, err := fmt.Fprintf(h.toGuard, "+%d\n", pgid); err == nil {
			return nil
		}
		h.stopGuardian() // it has died: start another
	}
	return h.startGuardian()
}

// release tells the guardian that the group of pgid is over; it is called
// once the leader is reaped.
func (h *host) release(pgid int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.live, pgid)
	if h.toGuard != nil {
		if _, err := fmt.Fprintf(h.toGuard, "-%d\n", pgid); err != nil {
			h.stopGuardian()
		}
	}
}

// isLeader reports whether pid leads a live group of this host's runs.
func (h *host) isLeader(pid int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.live[pid]
	return ok
}

// isGuardian reports whether pid is the guardian.
func (h *host) isGuardian(pid int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.guardian != nil && h.guardian.Pid == pid
}

// startGuardian starts a guardian and tells it of every live group. h.mu is
// held.
func (h *host) startGuardian() error {
	exe, err := executable()
	if err != nil {
		h.err = fmt.Errorf("overseer: guardian: %w", err)
		return h.err
	}
	r, w, err := os.Pipe()
	if err != nil {
		h.err = fmt.Errorf("overseer: guardian: %w", err)
		return h.err
	}
	p, err := os.StartProcess(exe, []string{"overseer-guardian"}, &os.ProcAttr{
		// Only what the guardian needs: its mode, and no second of sleep
		// at exit if the host was built with -race.
		Env:   []string{guardianEnv + "=" + guardianMode, "GORACE=atexit_sleep_ms=0"},
		Files: []*os.File{r},
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	})
	_ = r.Close()
	if err != nil {
		_ = w.Close()
		h.err = fmt.Errorf("overseer: guardian: %w", err)
		return h.err
	}
	h.guardian, h.toGuard, h.err = p, w, nil
	for pgid := range h.live {
		if _, err := fmt.Fprintf(w, "+%d\n", pgid); err != nil {
			h.stopGuardian()
			h.err = fmt.Errorf("overseer: guardian: %w", err)
			return h.err
		}
	}
	return nil
}

// stopGuardian ends and reaps a guardian that could not be written to. h.mu
// is held.
func (h *host) stopGuardian() {
	_ = h.toGuard.Close()
	_ = h.guardian.Kill()
	_, _ = h.guardian.Wait()
	h.guardian, h.toGuard = nil, nil
}
