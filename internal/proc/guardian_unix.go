//go:build unix

package proc

import (
	"bufio"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

// The guardian makes the death of the host, even by SIGKILL, the end of
// every process group the host runs.
//
// It is a second process: the host's own executable, started again with
// GuardianEnv set, which this package's init function turns into the
// guardian before main runs (as with any re-executed Go program, the init
// functions of the other packages run first). It reads what the host starts
// and ends from a pipe whose write end only the host holds, one message a
// line:
//
//	?TOKEN PIPE...  a run is about to start: its OVERSEER_RUN value and the
//	                "pipe:[inode]" of its output pipes
//	+PGID TOKEN     the run started, as the leader of process group PGID
//	!TOKEN          the run could not start
//	-PGID           the run's leader is reaped: its group is over
//	#DIR            the host's control group for runs (see cgroup.go)
//
// When the host is gone the pipe reaches end of file, and the guardian sends
// SIGKILL to every group still live, kills every process in the host's
// control group for runs and removes it, then exits.
//
// The start window. A group is known by its id only once exec.Cmd.Start has
// returned, after the fork and the exec: a host killed in between would
// leave a child the guardian never heard of. Hence the "?" message, sent
// before the fork. The child, between its fork and its exec, holds a copy
// of the pipe's write end (close-on-exec), so the guardian sees end of file
// only once every such child has either exec'd its program, with the run's
// token in its environment and the run's pipes as its stdout and stderr, or
// died. For each start still pending at end of file, the guardian finds the
// processes that carry its token or its pipes (Linux, through /proc) and
// kills them with their groups. Elsewhere the window stays open.
//
// PR_SET_PDEATHSIG is not used: it reaches only the direct child, not its
// group, and Go delivers it when the OS thread that forked the child exits,
// which the runtime may do at any time, not when the host does.
//
// There is one guardian per host process, shared by every Overseer and Cmd,
// because what it watches is the process: this and the lifeline are the
// package's only process-wide state. It starts with the first run and lives
// as long as the host; if it dies (kill -9), the host starts another at
// once and tells it of every live group (see guardian_host_unix.go). If it cannot
// start (no executable to run, say), runs go on unguarded, and the
// Overseer's logger says so.

func init() {
	if os.Getenv(GuardianEnv) == guardianMode {
		os.Exit(guard(os.Stdin))
	}
}

// guard is the guardian's life: it follows the host's messages on in until
// end of file, then kills what is left.
func guard(in *os.File) int {
	// The guardian has a process group of its own, so a Ctrl-C in the
	// host's terminal does not reach it; nor should a stray signal meant
	// for the host.
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGPIPE)
	var w ward
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		w.apply(sc.Text())
	}
	w.end()
	return 0
}

// ward is what the guardian knows: the live groups, and the starts under
// way.
type ward struct {
	live    map[int]bool
	pending map[string][]string // token → the "pipe:[inode]" of its pipes
	cgroups string              // the host's control group for runs
}

// apply takes one message of the host into account; it ignores one it
// cannot read.
func (w *ward) apply(msg string) {
	if len(msg) < 2 {
		return
	}
	if w.live == nil {
		w.live, w.pending = make(map[int]bool), make(map[string][]string)
	}
	if msg[0] == '#' {
		w.cgroups = msg[1:]
		return
	}
	fields := strings.Fields(msg[1:])
	if len(fields) == 0 {
		return
	}
	switch msg[0] {
	case '?':
		w.pending[fields[0]] = fields[1:]
	case '!':
		delete(w.pending, fields[0])
	case '+', '-':
		pgid, err := strconv.Atoi(fields[0])
		if err != nil || pgid <= 1 {
			return
		}
		if msg[0] == '-' {
			delete(w.live, pgid)
			return
		}
		w.live[pgid] = true
		if len(fields) > 1 {
			delete(w.pending, fields[1])
		}
	}
}

// end kills every live group, and what the pending starts began.
func (w *ward) end() {
	for pgid := range w.live {
		_ = syscall.Kill(-pgid, syscall.SIGKILL) // ESRCH: the group has ended by itself
	}
	sweepStarts(w.pending)
	if w.cgroups != "" {
		endCgroups(w.cgroups)
	}
}
