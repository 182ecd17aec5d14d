package proc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// clockTick is the unit of the times in /proc/pid/stat: USER_HZ, which is
// 100 on every Linux (sysconf(_SC_CLK_TCK) says so; the kernel's own HZ
// does not show through).
const clockTick = time.Second / 100

// pageSize is the unit of the resident set size in /proc/pid/stat.
var pageSize = uint64(os.Getpagesize())

// GroupSweep reads the Usage of process groups from /proc, all of them in
// one pass over the processes of the system: one read of /proc/pid/stat
// per process, whatever the number of groups. It keeps its buffers from
// one Sweep to the next, so one goroutine at a time may use it; the zero
// value is ready.
type GroupSweep struct {
	dents []byte      // getdents(2) of /proc
	buf   []byte      // one stat file
	path  []byte      // "pid/stat", relative to /proc
	index map[int]int // process group id → its index in the Sweep's pgids
}

// Sweep sets out[i] to the Usage of the members of process group pgids[i],
// for every i: the processes whose group id it is, read in one pass over
// /proc. Their FDs are counted when fds is set, and -1 otherwise. out must
// be as long as pgids. A group with no member left reads as zero.
func (s *GroupSweep) Sweep(pgids []int, out []Usage, fds bool) error {
	if len(out) != len(pgids) {
		return fmt.Errorf("proc: sweep: %d groups and %d results", len(pgids), len(out))
	}
	if s.index == nil {
		s.index = make(map[int]int, len(pgids))
		s.dents = make([]byte, 32<<10)
		s.buf = make([]byte, 1024) // the fields read come in the first 500 bytes or so
	}
	clear(s.index)
	for i, g := range pgids {
		s.index[g] = i
		out[i] = Usage{}
		if !fds {
			out[i].FDs = -1
		}
	}
	dir, err := unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("proc: open /proc: %w", err)
	}
	defer unix.Close(dir)
	for {
		n, err := unix.Getdents(dir, s.dents)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("proc: read /proc: %w", err)
		}
		if n == 0 {
			return nil
		}
		for off := 0; off+19 <= n; {
			// struct linux_dirent64: ino, off, reclen (u16), type (u8), name.
			reclen := int(binary.NativeEndian.Uint16(s.dents[off+16:]))
			if reclen == 0 || off+reclen > n {
				break
			}
			typ, name := s.dents[off+18], s.dents[off+19:off+reclen]
			off += reclen
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			pid, ok := parseDecimal(name)
			if !ok || (typ != unix.DT_DIR && typ != unix.DT_UNKNOWN) {
				continue
			}
			st, ok := s.readStat(dir, name)
			if !ok {
				continue // gone meanwhile
			}
			i, member := s.index[st.pgrp]
			if !member {
				continue
			}
			if out[i].Time.IsZero() {
				out[i].Time = time.Now()
			}
			st.addTo(&out[i])
			if fds {
				out[i].FDs += countFDs(int(pid))
			}
		}
	}
}

// GroupUsage reads the Usage of the members of process group pgid, with
// their FDs counted when fds is set (-1 otherwise): a Sweep of its own.
func GroupUsage(pgid int, fds bool) (Usage, error) {
	var s GroupSweep
	out := make([]Usage, 1)
	err := s.Sweep([]int{pgid}, out, fds)
	return out[0], err
}

// readStat reads and parses the stat file of the process named name in
// the /proc directory dir.
func (s *GroupSweep) readStat(dir int, name []byte) (statFields, bool) {
	s.path = append(append(s.path[:0], name...), "/stat"...)
	n, ok := readAt(dir, string(s.path), s.buf)
	if !ok {
		return statFields{}, false
	}
	return parseStat(s.buf[:n])
}

// readAt reads the start of file name in directory dir into buf.
func readAt(dir int, name string, buf []byte) (int, bool) {
	fd, err := unix.Openat(dir, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, false
	}
	n, err := ReadRetry(fd, buf)
	_ = unix.Close(fd) // read-only: nothing to lose
	return n, err == nil
}

// statFields is what a Usage takes from /proc/pid/stat.
type statFields struct {
	state   byte   // R, S, D, Z, …
	pgrp    int    // the process group
	ticks   uint64 // utime + stime + cutime + cstime, in clock ticks
	threads int    // num_threads
	rss     uint64 // resident pages: statm's resident, the same count
}

// addTo adds the process of st to u: its CPU always (a zombie's is not yet
// its parent's), and, unless it is a zombie, the process, its threads and
// its memory.
func (st statFields) addTo(u *Usage) {
	u.CPU += time.Duration(st.ticks) * clockTick
	if st.state == 'Z' || st.state == 'X' {
		return
	}
	u.Tasks++
	u.Threads += st.threads
	u.Memory += st.rss * pageSize
}

// parseStat parses the fields of a /proc/pid/stat that a Usage needs,
// without allocating: "pid (comm) state ppid pgrp …", where comm may hold
// spaces and parentheses.
func parseStat(b []byte) (statFields, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return statFields{}, false
	}
	b = b[i+1:]
	var st statFields
	for field := 3; field <= 24; field++ { // numbered as in proc(5)
		for len(b) > 0 && b[0] == ' ' {
			b = b[1:]
		}
		end := bytes.IndexByte(b, ' ')
		if end < 0 {
			return statFields{}, false // cut short: field 24 is never the last
		}
		tok := b[:end]
		b = b[end:]
		switch field {
		case 3:
			st.state = tok[0]
		case 5, 14, 15, 16, 17, 20, 24:
			if tok[0] == '-' {
				continue // cutime and cstime are signed, and never negative
			}
			v, ok := parseDecimal(tok)
			if !ok {
				return statFields{}, false
			}
			switch field {
			case 5:
				st.pgrp = int(v)
			case 20:
				st.threads = int(v)
			case 24:
				st.rss = v
			default:
				st.ticks += v
			}
		}
	}
	return st, true
}

// parseDecimal parses b, digits alone, without allocating.
func parseDecimal(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// countFDs counts the open file descriptors of process pid; 0 when they
// cannot be read (gone, a zombie, another user's without the right).
func countFDs(pid int) int {
	fd, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0
	}
	defer unix.Close(fd)
	buf := make([]byte, 8<<10)
	count := 0
	for {
		n, err := unix.Getdents(fd, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n == 0 {
			return max(count-2, 0) // . and ..
		}
		for off := 0; off+19 <= n; {
			reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
			if reclen == 0 {
				break
			}
			off += reclen
			count++
		}
	}
}

// CgroupProcs returns the processes of the control group at dir (its
// cgroup.procs).
func CgroupProcs(dir string) ([]int, error) {
	return readPids(filepath.Join(dir, "cgroup.procs"))
}

// CgroupThreads counts the threads of the control group at dir (the lines
// of its cgroup.threads).
func CgroupThreads(dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.threads"))
	if err != nil {
		return 0, fmt.Errorf("proc: %w", err)
	}
	return bytes.Count(b, []byte{'\n'}), nil
}

// CgroupCPU returns the processor time the processes of the control group
// at dir have used, those that have exited included: usage_usec of its
// cpu.stat, which cgroup v2 keeps without the cpu controller.
func CgroupCPU(dir string) (time.Duration, error) {
	var buf [512]byte
	name := filepath.Join(dir, "cpu.stat")
	n, err := readFile(name, buf[:])
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(buf[:n]) {
		if v, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("usage_usec ")); ok {
			usec, ok := parseDecimal(v)
			if !ok {
				return 0, fmt.Errorf("proc: %s: usage_usec %q", name, v)
			}
			return time.Duration(usec) * time.Microsecond, nil
		}
	}
	return 0, fmt.Errorf("proc: %s: no usage_usec", name)
}

// CgroupMemory returns memory.current of the control group at dir, the
// memory the kernel charges to it (page cache included), and false, with
// no error, when it has none: the memory controller is not enabled for it.
func CgroupMemory(dir string) (uint64, bool, error) {
	var buf [32]byte
	n, err := readFile(filepath.Join(dir, "memory.current"), buf[:])
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	v, ok := parseDecimal(bytes.TrimSpace(buf[:n]))
	if !ok {
		return 0, false, fmt.Errorf("proc: %s/memory.current: %q", dir, buf[:n])
	}
	return v, true, nil
}

// CgroupUsage reads the Usage of the control group at dir: the CPU from
// its cpu.stat, the memory from its memory.current where it has one, else
// as the sum of its processes' resident sets, the processes from its
// cgroup.procs and their threads and, when fds is set, their open file
// descriptors (else -1) from /proc.
func CgroupUsage(dir string, fds bool) (Usage, error) {
	u := Usage{FDs: -1}
	if fds {
		u.FDs = 0
	}
	pids, err := CgroupProcs(dir)
	if err != nil {
		return Usage{}, err
	}
	if u.CPU, err = CgroupCPU(dir); err != nil {
		return Usage{}, err
	}
	u.Time = time.Now()
	memory, charged, err := CgroupMemory(dir)
	if err != nil {
		return Usage{}, err
	}
	proc, err := unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return Usage{}, fmt.Errorf("proc: open /proc: %w", err)
	}
	defer unix.Close(proc)
	var buf [1024]byte
	for _, pid := range pids {
		n, ok := readAt(proc, strconv.Itoa(pid)+"/stat", buf[:])
		if !ok {
			continue // gone meanwhile
		}
		st, ok := parseStat(buf[:n])
		if !ok || st.state == 'Z' || st.state == 'X' {
			continue
		}
		u.Tasks++
		u.Threads += st.threads
		u.Memory += st.rss * pageSize
		if fds {
			u.FDs += countFDs(pid)
		}
	}
	if charged {
		u.Memory = memory
	}
	return u, nil
}

// readPids reads a list of process ids, one a line.
func readPids(name string) ([]int, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("proc: %w", err)
	}
	pids := make([]int, 0, bytes.Count(b, []byte{'\n'}))
	for line := range bytes.Lines(b) {
		if pid, ok := parseDecimal(bytes.TrimSpace(line)); ok {
			pids = append(pids, int(pid))
		}
	}
	return pids, nil
}

// readFile reads the start of file name into buf.
func readFile(name string, buf []byte) (int, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("proc: %w", &os.PathError{Op: "open", Path: name, Err: err})
	}
	n, err := ReadRetry(fd, buf)
	_ = unix.Close(fd) // read-only: nothing to lose
	if err != nil {
		return 0, fmt.Errorf("proc: %w", &os.PathError{Op: "read", Path: name, Err: err})
	}
	return n, nil
}
