package overseer

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// sweepStarts kills what the starts in pending began: every process that
// carries one of their tokens in its environment or one of their pipes as
// its stdout or stderr, with its process group when it leads one. The
// guardian calls it once the host is gone, when no child of the host can
// still be between its fork and its exec (see "The start window" in
// guardian.go).
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
	for _, pid := range pids() {
		if pid == self || !startedBy(pid, pending, pipes) {
			continue
		}
		if st, ok := statOf(pid); ok && st.pgrp == pid {
			_ = syscall.Kill(-pid, syscall.SIGKILL) // ESRCH: ended meanwhile
		}
		_ = syscall.Kill(pid, syscall.SIGKILL) // ESRCH: ended meanwhile
	}
}

// startedBy reports whether process pid carries the token of one of the
// pending starts, or one of their pipes.
func startedBy(pid int, pending map[string][]string, pipes map[string]bool) bool {
	dir := "/proc/" + strconv.Itoa(pid)
	if env, err := os.ReadFile(dir + "/environ"); err == nil {
		prefix := []byte(runTokenEnv + "=")
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
