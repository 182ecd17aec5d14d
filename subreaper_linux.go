package overseer

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

// subreaperClaimed is held by the Overseer that made this process a child
// subreaper. The attribute belongs to the process, and so does the duty it
// brings, reaping what is adopted; two owners would take each other's
// adopted processes.
var subreaperClaimed atomic.Bool

// becomeSubreaper makes this process a child subreaper: an orphaned
// descendant is reparented to it instead of to init.
func becomeSubreaper() error {
	if !subreaperClaimed.CompareAndSwap(false, true) {
		return fmt.Errorf("%w: WithSubreaper: another Overseer of this process is the subreaper already", ErrInvalid)
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

// maxEndRounds bounds endDescendants against a descendant that forks as
// fast as it is killed.
const maxEndRounds = 100

// endDescendants kills every process that carries token in its environment
// — the descendants of one run that left its process group — and reaps
// those that were, or became, this process's children. It reaps no other
// child: the leaders of runs, and children the host started itself, are
// waited for by their owners.
func endDescendants(token string) {
	mark := []byte(runTokenEnv + "=" + token + "\x00")
	self := os.Getpid()
	killed := make(map[int]bool)
	for range maxEndRounds {
		progress := false
		for _, pid := range pids() {
			if pid != self && !killed[pid] && hasMark(pid, mark) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				killed[pid] = true
				progress = true
			}
		}
		for pid := range killed {
			ppid, ok := parentOf(pid)
			switch {
			case !ok: // gone: reaped by its parent
				delete(killed, pid)
			case ppid == self:
				// Dead or dying (SIGKILL cannot be refused). Once it is
				// reaped, its own children have been reparented to us.
				reapAdopted(pid)
				delete(killed, pid)
				progress = true
			case !killed[ppid]:
				delete(killed, pid) // its parent, alive and not ours, reaps it
			}
		}
		// What is left has a killed parent that is not ours: it comes to
		// us when that parent is reaped, in a later round.
		if len(killed) == 0 || !progress {
			return
		}
	}
}

// pids lists the processes of the system.
func pids() []int {
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

// parentOf returns the parent of pid, from /proc/pid/stat.
func parentOf(pid int) (int, bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	fields := bytes.Fields(stat[i+1:])
	if len(fields) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(string(fields[1]))
	return ppid, err == nil
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
