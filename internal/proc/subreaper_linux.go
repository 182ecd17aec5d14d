package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// subreaperClaimed is held by the caller that made this process a child
// subreaper. The attribute belongs to the process, and so does the duty it
// brings, reaping what is adopted; two owners would take each other's
// adopted processes.
var subreaperClaimed atomic.Bool

// BecomeSubreaper makes this process a child subreaper: an orphaned
// descendant is reparented to it instead of to init. It returns
// ErrSubreaperTaken if an earlier call has made it one already.
func BecomeSubreaper() error {
	if !subreaperClaimed.CompareAndSwap(false, true) {
		return ErrSubreaperTaken
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		subreaperClaimed.Store(false)
		return fmt.Errorf("overseer: WithSubreaper: %w", err)
	}
	return nil
}

// newRunToken returns a value of OVERSEER_RUN that no other run of this
// host has had.
func newRunToken() string {
	return strconv.Itoa(os.Getpid()) + "." + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// maxEndRounds bounds EndDescendants against a descendant that forks as
// fast as it is killed.
const maxEndRounds = 100

// EndDescendants ends what is left of a run under a subreaper host, once
// the run's group has been sent SIGKILL and before its leader is reaped (so
// the group's id is still the run's): it kills every process that carries
// token in its environment — the descendants that left the group — and
// reaps those that were, or became, this process's children, with the
// members of the group that came to it when the leader died. It reaps no
// other child: the leaders of runs, and children the host started itself,
// are waited for by their owners.
func EndDescendants(token string, leader int) {
	mark := []byte(RunTokenEnv + "=" + token + "\x00")
	self := os.Getpid()
	killed := make(map[int]bool)
	for range maxEndRounds {
		progress := false
		for _, pid := range Pids() {
			if pid == self || pid == leader {
				continue
			}
			st, ok := ReadStat(pid)
			if !ok {
				continue
			}
			if !killed[pid] && st.State != 'Z' && hasMark(pid, mark) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				killed[pid] = true
				progress = true
			}
			if st.PPID == self && (killed[pid] || st.PGRP == leader) {
				// Dead or dying (SIGKILL cannot be refused). Once it is
				// reaped, its own children have been reparented to us.
				reapAdopted(pid)
				delete(killed, pid)
				progress = true
			}
		}
		for pid := range killed {
			st, ok := ReadStat(pid)
			if !ok || !killed[st.PPID] {
				delete(killed, pid) // gone, or its parent is alive and not ours: it reaps it
			}
		}
		// What is left has a killed parent that is not ours: it comes to
		// us when that parent is reaped, in a later round.
		if len(killed) == 0 || !progress {
			return
		}
	}
}

// Pids lists the processes of the system.
func Pids() []int {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	out := make([]int, 0, len(names))
	for _, name := range names {
		if pid, err := strconv.Atoi(name); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// hasMark reports whether the environment of pid holds mark. Processes of
// other users, and zombies, show none.
func hasMark(pid int, mark []byte) bool {
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	return err == nil && (bytes.HasPrefix(env, mark) || bytes.Contains(env, append([]byte{0}, mark...)))
}

// Stat is what /proc/pid/stat tells of a process.
type Stat struct {
	State      byte   // R, S, D, Z, …
	PPID, PGRP int    // its parent, and its process group
	Start      uint64 // when it started, in clock ticks since boot
}

// ReadStat reads /proc/pid/stat; false when pid is gone or unreadable.
func ReadStat(pid int) (Stat, bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Stat{}, false
	}
	// "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return Stat{}, false
	}
	// The fields from the state on: field N of proc(5) is fields[N-3].
	fields := bytes.Fields(stat[i+1:])
	if len(fields) < 20 || len(fields[0]) != 1 {
		return Stat{}, false
	}
	ppid, err1 := strconv.Atoi(string(fields[1]))
	pgrp, err2 := strconv.Atoi(string(fields[2]))
	start, err3 := strconv.ParseUint(string(fields[19]), 10, 64)
	return Stat{State: fields[0][0], PPID: ppid, PGRP: pgrp, Start: start}, err1 == nil && err2 == nil && err3 == nil
}

// reapAdopted waits for pid, an adopted child that has been sent SIGKILL.
func reapAdopted(pid int) {
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		if !errors.Is(err, syscall.EINTR) {
			return
		}
	}
}
