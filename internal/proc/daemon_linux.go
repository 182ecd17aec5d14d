package proc

import (
	"bytes"
	"os"
	"slices"
	"strconv"
	"syscall"
)

// ExitedCleanly reports whether pid, an exited child not yet reaped (a
// zombie), exited with status 0. It reads the exit status the kernel keeps
// for the zombie (field 52 of /proc/pid/stat, Linux 3.5 and later), so the
// child stays unreaped.
func ExitedCleanly(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return false
	}
	// Fields from the state on: the state is field 3, so exit_code (52)
	// is the 50th of them.
	fields := bytes.Fields(stat[i+1:])
	if len(fields) < 50 {
		return false
	}
	code, err := strconv.Atoi(string(fields[49]))
	if err != nil {
		return false
	}
	ws := syscall.WaitStatus(code)
	return ws.Exited() && ws.ExitStatus() == 0
}

// RunTrace is what tells the processes of a run apart from the others of
// the system once they have left its process group: the token in their
// environment, and the run's output pipes, which a daemon often keeps as
// its stderr ("pipe:[inode]", as /proc/pid/fd shows them). A daemon may
// lose the first (nginx and redis write their process title over their
// environment) and redirect the second to /dev/null.
type RunTrace struct {
	mark  []byte   // "OVERSEER_RUN=token\x00", nil for none
	pipes []string // "pipe:[inode]" of the run's output pipes
}

// NewRunTrace returns the trace of a run with token and output pipes.
func NewRunTrace(token string, pipes []*os.File) RunTrace {
	var t RunTrace
	if token != "" {
		t.mark = []byte(RunTokenEnv + "=" + token + "\x00")
	}
	t.pipes = pipeNames(pipes)
	return t
}

// pipeNames returns the names of the pipes among files as /proc/pid/fd
// shows them: "pipe:[inode]".
func pipeNames(files []*os.File) []string {
	var names []string
	for _, f := range files {
		raw, err := f.SyscallConn() // not Fd(), which would make the pipe blocking
		if err != nil {
			continue
		}
		var st syscall.Stat_t
		var serr error
		if err := raw.Control(func(fd uintptr) { serr = syscall.Fstat(int(fd), &st) }); err != nil || serr != nil {
			continue
		}
		if st.Mode&syscall.S_IFMT == syscall.S_IFIFO {
			names = append(names, "pipe:["+strconv.FormatUint(st.Ino, 10)+"]")
		}
	}
	return names
}

// carries reports whether process pid carries the trace: the mark in its
// environment, or one of the pipes as its stdout or stderr.
func (t RunTrace) carries(pid int) bool {
	if t.mark != nil && hasMark(pid, t.mark) {
		return true
	}
	for _, fd := range []string{"1", "2"} {
		link, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/" + fd)
		if err == nil && slices.Contains(t.pipes, link) {
			return true
		}
	}
	return false
}

// LeftBehind returns the live processes, other than the leader, of a run
// whose leader has just exited: the members of its process group, and the
// processes that carry its trace (those that left the group with setsid,
// as a daemon does), at most max of them. Unless the host is a subreaper
// (adopts orphans), its own children are the leaders of other runs, and
// are passed over.
func LeftBehind(trace RunTrace, leader, max int, subreaper bool) []int {
	self := os.Getpid()
	lead, ok := ReadStat(leader) // a zombie still has its stat
	if !ok {
		return nil
	}
	// Pids are handed out in increasing order: what began after the
	// leader has a greater pid, unless the counter went round since.
	wrapped := lastPID() < leader
	var left []int
	for _, pid := range Pids() {
		if pid == self || pid == leader || (pid < leader && !wrapped) {
			continue
		}
		st, ok := ReadStat(pid)
		// What the run started began after it: the older processes of the
		// system are passed over without a look at their environment.
		if !ok || st.State == 'Z' || st.State == 'X' || st.Start < lead.Start {
			continue
		}
		if st.PGRP == leader || ((subreaper || st.PPID != self) && trace.carries(pid)) {
			if left = append(left, pid); len(left) == max {
				break
			}
		}
	}
	return left
}

// lastPID is the pid the kernel gave last in this pid namespace, or 0 if
// it cannot be read (then every process is looked at).
func lastPID() int {
	b, err := os.ReadFile("/proc/sys/kernel/ns_last_pid")
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b)))
	if err != nil {
		return 0
	}
	return pid
}
