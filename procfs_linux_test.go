package overseer

import (
	"bytes"
	"os"
	"strconv"
)

// The tests' look at /proc. The package's own is internal/proc's, which
// keeps it unexported: these are the few lines the tests need of it.

// pids lists the processes of the system.
func pids() []int {
	names, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	out := make([]int, 0, len(names))
	for _, e := range names {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// procEntry is what /proc/pid/stat tells of a process.
type procEntry struct {
	state      byte
	ppid, pgrp int
}

// statOf reads /proc/pid/stat.
func statOf(pid int) (procEntry, bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procEntry{}, false
	}
	// "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return procEntry{}, false
	}
	fields := bytes.Fields(stat[i+1:])
	if len(fields) < 3 || len(fields[0]) != 1 {
		return procEntry{}, false
	}
	ppid, err1 := strconv.Atoi(string(fields[1]))
	pgrp, err2 := strconv.Atoi(string(fields[2]))
	return procEntry{state: fields[0][0], ppid: ppid, pgrp: pgrp}, err1 == nil && err2 == nil
}
