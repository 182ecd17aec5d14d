package proc

import (
	"bytes"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// sweepStarts kills what the starts in pending began: every process that
// carries one of their tokens in its environment or one of their pipes as
// its stdout or stderr, with its process group when it leads one. The
// guardian calls it once the host is gone, when no child of the host can
// still be between its fork and its exec (see "The start window" in
// guardian_unix.go).
func sweepStarts(pending map[string][]string) {
	if len(pending) == 0 {
		return
	}
	pipes := make(map[string]bool)
	for _, names := range pending {
		for _, name := range names {
			pipes[name] = true
		}
	}
	self := os.Getpid()
	for _, pid := range Pids() {
		if pid != self {
			sweep(pid, pending, pipes)
		}
	}
}

// sweep kills process pid, with its group when it leads one, if it was
// begun by a pending start. The process is held by a pidfd while /proc
// tells what it is, so that a pid reused meanwhile is never killed: the
// pidfd still names the process that was read, and signals to it fail
// once it has ended. Its group is safe to signal by number while it lives,
// and after: a number in use as a process group is not given to a new
// process. Without pidfd_open (Linux before 5.3) it goes by number.
func sweep(pid int, pending map[string][]string, pipes map[string]bool) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil && err != unix.ENOSYS {
		return // ESRCH: ended already
	}
	if fd >= 0 {
		defer func() { _ = unix.Close(fd) }() // a valid fd of ours: Close cannot fail
	}
	if !startedBy(pid, pending, pipes) {
		return
	}
	st, ok := ReadStat(pid)
	if fd >= 0 && unix.PidfdSendSignal(fd, 0, nil, 0) != nil {
		return // ended while /proc was read: what was read may be another's
	}
	if ok && st.PGRP == pid {
		_ = syscall.Kill(-pid, syscall.SIGKILL) // ESRCH: the group is gone
	}
	if fd >= 0 {
		_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0) // ESRCH: ended meanwhile
	} else {
		_ = syscall.Kill(pid, syscall.SIGKILL) // ESRCH: ended meanwhile
	}
}

// startedBy reports whether process pid carries the token of one of the
// pending starts, or one of their pipes.
func startedBy(pid int, pending map[string][]string, pipes map[string]bool) bool {
	dir := "/proc/" + strconv.Itoa(pid)
	if env, err := os.ReadFile(dir + "/environ"); err == nil {
		prefix := []byte(RunTokenEnv + "=")
		for kv := range bytes.SplitSeq(env, []byte{0}) {
			if token, ok := bytes.CutPrefix(kv, prefix); ok {
				if _, ok := pending[string(token)]; ok {
					return true
				}
			}
		}
	}
	for _, fd := range []string{"/fd/1", "/fd/2"} {
		if link, err := os.Readlink(dir + fd); err == nil && pipes[link] {
			return true
		}
	}
	return false
}
