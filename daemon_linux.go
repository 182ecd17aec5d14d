package overseer

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// exitedCleanly reports whether pid, an exited child not yet reaped (a
// zombie), exited with status 0. It reads the exit status the kernel keeps
// for the zombie (field 52 of /proc/pid/stat, Linux 3.5 and later), so the
// child stays unreaped.
func exitedCleanly(pid int) bool {
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

// leftBehind returns the live processes, other than the leader, of a run
// whose leader has just exited: the members of its process group, and the
// processes that carry its token in their environment (those that left the
// group with setsid, as a daemon does), at most max of them. Unless the
// host is a subreaper (adopts orphans), its own children are the leaders
// of other runs, and are passed over.
func leftBehind(token string, leader, max int, subreaper bool) []int {
	var mark []byte
	if token != "" {
		mark = []byte(runTokenEnv + "=" + token + "\x00")
	}
	self := os.Getpid()
	lead, ok := statOf(leader) // a zombie still has its stat
	if !ok {
		return nil
	}
	// Pids are handed out in increasing order: what began after the
	// leader has a greater pid, unless the counter went round since.
	wrapped := lastPID() < leader
	var left []int
	for _, pid := range pids() {
		if pid == self || pid == leader || (pid < leader && !wrapped) {
			continue
		}
		st, ok := statOf(pid)
		// What the run started began after it: the older processes of the
		// system are passed over without a look at their environment.
		if !ok || st.state == 'Z' || st.state == 'X' || st.start < lead.start {
			continue
		}
		if st.pgrp == leader || (mark != nil && (subreaper || st.ppid != self) && hasMark(pid, mark)) {
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
