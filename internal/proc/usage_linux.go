package proc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
// one pass over the processes of the system, whatever the number of
// groups. It keeps from one Sweep to the next what it learned of each
// process, so that a pass costs one read per member of the groups, and
// almost nothing per other process:
//
//   - the stat file of each member stays open, and is read again from
//     its start (pread): no open, no path lookup, no close; the file
//     belongs to the process, not to its pid, so a pid used again by
//     another process is never read through it;
//   - a process found in no group asked for is not read again while it
//     lives: /proc lists it under the same inode number, which a process
//     that takes its pid over does not have. Each group's leader (the
//     process whose pid is the group's id) is read at every pass all the
//     same, and so is, in the pass where a group is first asked for,
//     what the previous pass found: what a run made before the caller
//     asked for its group, when its group was not the run's yet;
//   - a member that has not run since its stat file was last read, as its
//     CPU clock tells (processCPU: one system call, about half the cost
//     of the read, and no parse), keeps what that read found, as a
//     control group does in a CgroupSweep, and for as long: idleRefresh
//     passes at most.
//
// A process that joins a group by setpgid(2) after a pass found it in
// another is missed; nothing but a shell's job control does that. One
// that its parent moves out of its group before it execs, while it does
// not run, is counted in its old group until its next full read.
//
// One goroutine at a time may use a GroupSweep; the zero value is ready,
// and Close releases what it keeps.
type GroupSweep struct {
	dents []byte            // getdents(2) of /proc
	buf   []byte            // one stat file
	path  []byte            // "pid/stat", relative to /proc
	index map[int]int       // process group id → its index in the Sweep's pgids
	asked map[int]bool      // the groups of the previous pass
	procs map[int]sweptProc // by pid, the processes of the last pass
	pass  uint64            // passes made
	reads uint64            // members' stat files read, over all passes (tests count them)

	// clock is processCPU, but in tests.
	clock func(pid int) (time.Duration, bool)
}

// sweptProc is what a GroupSweep knows of a process.
type sweptProc struct {
	ino    uint64 // its directory's inode number in /proc
	fd     int    // its stat file, open while it is a member of a group asked for; -1 otherwise
	listed uint64 // the last pass that listed it
	read   uint64 // the first pass that found it in no group asked for; 0 while a member, and before it is read

	// The last full read of a member: its pass (0 for none), what it
	// found, and the process's CPU clock just before it (-1: unknown).
	full uint64
	last statFields
	cpu  time.Duration
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
		s.asked = make(map[int]bool, len(pgids))
		s.procs = make(map[int]sweptProc)
		s.dents = make([]byte, 32<<10)
		s.buf = make([]byte, 1024) // the fields read come in the first 500 bytes or so
	}
	s.pass++
	clear(s.index)
	recheck := false // a group is new: what the previous pass found in no group is read again
	for i, g := range pgids {
		s.index[g] = i
		out[i] = Usage{}
		if !fds {
			out[i].FDs = -1
		}
		recheck = recheck || !s.asked[g]
	}
	clear(s.asked)
	for _, g := range pgids {
		s.asked[g] = true
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
			break
		}
		for off := 0; off+19 <= n; {
			// struct linux_dirent64: ino, off, reclen (u16), type (u8), name.
			ino := binary.NativeEndian.Uint64(s.dents[off:])
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
			s.visit(dir, int(pid), ino, name, recheck, out, fds)
		}
	}
	for pid, p := range s.procs {
		if p.listed != s.pass { // gone
			p.close()
			delete(s.procs, pid)
		}
	}
	return nil
}

// visit reads process pid, listed in /proc with inode number ino, if it
// may be a member of a group asked for, and adds it to its group's Usage.
func (s *GroupSweep) visit(dir, pid int, ino uint64, name []byte, recheck bool, out []Usage, fds bool) {
	p, known := s.procs[pid]
	if known && p.ino != ino { // another process under the same pid
		p.close()
		known = false
	}
	if !known {
		p = sweptProc{ino: ino, fd: -1, cpu: -1}
	}
	p.listed = s.pass
	defer func() { s.procs[pid] = p }()
	_, leader := s.index[pid]
	if p.read != 0 && !leader && !(recheck && p.read == s.pass-1) {
		return // in no group asked for, when last read
	}
	// The clock is read before the stat file: if the process runs in
	// between, the next pass finds the clock moved. It names the process
	// by its pid: were the pid another's since the listing, its clock
	// would not be the one kept, and the kept stat file would read as
	// gone.
	cpu, clocked := s.processCPU(pid)
	st, ok := s.reuse(&p, cpu, clocked)
	if !ok {
		if st, ok = s.readStat(dir, name, &p); !ok {
			return // gone meanwhile, or a member no longer
		}
		s.reads++
		p.full, p.last, p.cpu = s.pass, st, -1
		if clocked {
			p.cpu = cpu
		}
	}
	i := s.index[st.pgrp]
	if out[i].Time.IsZero() {
		out[i].Time = time.Now()
	}
	st.addTo(&out[i])
	if fds {
		out[i].FDs += countFDs(pid)
	}
}

// processCPU is the CPU clock of process pid (see the function), or that
// of a test.
func (s *GroupSweep) processCPU(pid int) (time.Duration, bool) {
	if s.clock != nil {
		return s.clock(pid)
	}
	return processCPU(pid)
}

// reuse returns what the last full read of p found, if p cannot have
// changed since: it is a member of a group asked for, with its stat file
// open, its CPU clock (cpu, when clocked) has not moved, and that read is
// younger than idleRefresh passes. What a process holds can change
// without its running (the kernel reclaims page cache, or swaps): hence
// the refresh.
func (s *GroupSweep) reuse(p *sweptProc, cpu time.Duration, clocked bool) (statFields, bool) {
	if !clocked || p.fd < 0 || p.full == 0 || cpu != p.cpu || s.pass-p.full >= idleRefresh {
		return statFields{}, false
	}
	if _, member := s.index[p.last.pgrp]; !member {
		return statFields{}, false // read again, and closed
	}
	return p.last, true
}

// processCPU reads the CPU clock of process pid, the one
// clock_getcpuclockid(3) gives: the time all its threads, those gone
// included, have spent on a processor, in nanoseconds. It moves whenever
// any of them runs (one that keeps running, at the scheduler's tick), and
// only then; the leader's /proc/pid/schedstat, hardly dearer, is that
// thread's alone. Any process may read it, in one system call: about
// half the cost of a pread of /proc/pid/stat, before its parse. It
// reports false when pid is no process (gone).
func processCPU(pid int) (time.Duration, bool) {
	// MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED), of the kernel's
	// include/linux/posix-timers.h; a pid is below 2^22.
	clock := int32(^pid)<<3 | 2
	var ts unix.Timespec
	if err := unix.ClockGettime(clock, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}

// readStat reads the stat file of p, named name in the /proc directory
// dir, and reports whether p is a member of a group asked for. It keeps
// the file of a member open, and closes that of any other process.
func (s *GroupSweep) readStat(dir int, name []byte, p *sweptProc) (statFields, bool) {
	var n int
	if p.fd >= 0 {
		var err error
		n, err = preadRetry(p.fd, s.buf)
		if err != nil { // gone: ESRCH
			p.close()
			p.outside(s.pass)
			return statFields{}, false
		}
	} else {
		s.path = append(append(s.path[:0], name...), "/stat"...)
		fd, err := unix.Openat(dir, string(s.path), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			p.outside(s.pass)
			return statFields{}, false
		}
		if n, err = ReadRetry(fd, s.buf); err != nil {
			_ = unix.Close(fd) // read-only: nothing to lose
			p.outside(s.pass)
			return statFields{}, false
		}
		p.fd = fd
	}
	st, ok := parseStat(s.buf[:n])
	if _, member := s.index[st.pgrp]; !ok || !member {
		p.close()
		p.outside(s.pass)
		return statFields{}, false
	}
	p.read = 0
	return st, true
}

// outside records that pass found p in no group asked for, unless an
// earlier pass had already: a pass that reads again what the previous
// one found (see GroupSweep) reads it once.
func (p *sweptProc) outside(pass uint64) {
	if p.read == 0 {
		p.read = pass
	}
}

// close closes p's stat file, if open.
func (p *sweptProc) close() {
	if p.fd >= 0 {
		_ = unix.Close(p.fd) // read-only: nothing to lose
		p.fd = -1
	}
}

// Close closes the stat files s keeps open, those of the members of the
// groups of its last pass, and forgets what it knows: a Sweep after it
// starts afresh.
func (s *GroupSweep) Close() {
	for _, p := range s.procs {
		p.close()
	}
	clear(s.procs)
	clear(s.asked)
}

// GroupUsage reads the Usage of the members of process group pgid, with
// their FDs counted when fds is set (-1 otherwise): a Sweep of its own.
func GroupUsage(pgid int, fds bool) (Usage, error) {
	var s GroupSweep
	defer s.Close()
	out := make([]Usage, 1)
	err := s.Sweep([]int{pgid}, out, fds)
	return out[0], err
}

// preadRetry is pread(2) at offset 0 retried on EINTR.
func preadRetry(fd int, buf []byte) (int, error) {
	for {
		n, err := unix.Pread(fd, buf, 0)
		if !errors.Is(err, unix.EINTR) {
			return n, err
		}
	}
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
	cpu, err := parseCPUStat(buf[:n])
	if err != nil {
		return 0, fmt.Errorf("proc: %s: %w", name, err)
	}
	return cpu, nil
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
// descriptors (else -1) from /proc. It is a CgroupSweep of its own.
func CgroupUsage(dir string, fds bool) (Usage, error) {
	var s CgroupSweep
	defer s.Close()
	return s.Read(dir, fds)
}

// CgroupSweep reads the Usage of control groups, as CgroupUsage does, and
// keeps the files it reads open from one pass to the next, to read them
// again from their start (pread): a group's cpu.stat, cgroup.procs and
// memory.current, and the stat file of each of its processes (which
// belongs to the process, not to its pid). A pass is the Reads of the
// groups, then End, which closes the files of the groups not read in the
// pass. One goroutine at a time may use a CgroupSweep; the zero value is
// ready, and Close releases what it keeps.
type CgroupSweep struct {
	groups map[string]*sweptCgroup
	pass   uint64
	buf    []byte
	proc   int // /proc, open while groups are kept; 0 before

	// The parent of the groups read (Begin): while its CPU time does not
	// move, no process in any of them has run, and a pass reuses what the
	// last full read of each found.
	parent     int           // its cpu.stat, -1 for none; 0 before Begin
	parentDir  string        // its directory
	parentCPU  time.Duration // its CPU at the last pass
	parentIdle bool          // this pass found it idle
}

// idleRefresh is how many passes a group whose CPU time has not moved may
// go on its last full read: what a process uses can change without its
// running (the kernel reclaims page cache, or swaps), so every group is
// read in full at least this often (a minute at the default interval).
const idleRefresh = 12

// sweptCgroup is what a CgroupSweep keeps of a control group.
type sweptCgroup struct {
	procs, cpu, memory int         // its files; memory is -1 without the memory controller
	members            map[int]int // its processes, by pid, to their stat files
	read               uint64      // the last pass that read it
	full               uint64      // the last pass that read all of it
	last               Usage       // what that pass found
}

// Begin begins a pass over groups that are all children of the control
// group at dir (overseer.PID): one read of its cpu.stat tells whether any
// process of any of them has run since the last pass. Without Begin,
// every group's cpu.stat is read.
func (s *CgroupSweep) Begin(dir string) {
	s.parentIdle = false
	if s.parent == 0 || s.parentDir != dir {
		if s.parent > 0 {
			_ = unix.Close(s.parent) // read-only: nothing to lose
		}
		s.parentDir, s.parentCPU = dir, -1
		fd, err := unix.Open(filepath.Join(dir, "cpu.stat"), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			s.parent = -1
			return
		}
		s.parent = fd
	}
	if s.parent < 0 {
		return
	}
	if s.buf == nil {
		s.buf = make([]byte, 64<<10)
	}
	n, err := preadRetry(s.parent, s.buf)
	if err != nil {
		return
	}
	cpu, err := parseCPUStat(s.buf[:n])
	if err != nil {
		return
	}
	s.parentIdle = cpu == s.parentCPU
	s.parentCPU = cpu
}

// unchanged reports whether g cannot have changed since its last full
// read: its CPU time (cpu, or its parent's, when cpu < 0) has not moved,
// and that read is recent enough. Its reading is then g.last, at now
// (reading).
func (s *CgroupSweep) unchanged(g *sweptCgroup, cpu time.Duration, fds bool) bool {
	return !fds && g.full != 0 && s.pass-g.full < idleRefresh && (cpu < 0 || cpu == g.last.CPU)
}

// reading is what the last full read of g found, at now.
func (g *sweptCgroup) reading() Usage {
	u := g.last
	u.Time = time.Now()
	return u
}

// Read reads the Usage of the control group at dir (see CgroupUsage).
func (s *CgroupSweep) Read(dir string, fds bool) (Usage, error) {
	if s.groups == nil {
		s.groups = make(map[string]*sweptCgroup)
		s.buf = make([]byte, 64<<10)
		s.pass = 1
	}
	if s.proc <= 0 {
		fd, err := unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return Usage{}, fmt.Errorf("proc: open /proc: %w", err)
		}
		s.proc = fd
	}
	g := s.groups[dir]
	if g == nil {
		var err error
		if g, err = openCgroup(dir); err != nil {
			return Usage{}, err
		}
		s.groups[dir] = g
	}
	g.read = s.pass
	if s.parentIdle && s.unchanged(g, -1, fds) {
		return g.reading(), nil
	}
	u := Usage{FDs: -1}
	if fds {
		u.FDs = 0
	}
	n, err := preadRetry(g.cpu, s.buf)
	if err != nil {
		return Usage{}, fmt.Errorf("proc: read %s/cpu.stat: %w", dir, err)
	}
	if u.CPU, err = parseCPUStat(s.buf[:n]); err != nil {
		return Usage{}, fmt.Errorf("proc: %s/cpu.stat: %w", dir, err)
	}
	var pids []int
	if s.unchanged(g, u.CPU, fds) {
		// Nothing has run; but a process may have been moved in or out
		// (written to cgroup.procs), which takes no CPU of the group's.
		if pids, err = g.pids(s.buf); err != nil {
			return Usage{}, fmt.Errorf("proc: read %s/cgroup.procs: %w", dir, err)
		}
		if g.sameMembers(pids) {
			return g.reading(), nil
		}
	}
	u.Time = time.Now()
	charged := g.memory >= 0
	if charged {
		n, err := preadRetry(g.memory, s.buf)
		if err != nil {
			return Usage{}, fmt.Errorf("proc: read %s/memory.current: %w", dir, err)
		}
		v, ok := parseDecimal(bytes.TrimSpace(s.buf[:n]))
		if !ok {
			return Usage{}, fmt.Errorf("proc: %s/memory.current: %q", dir, s.buf[:n])
		}
		u.Memory = v
	}
	if pids == nil {
		if pids, err = g.pids(s.buf); err != nil {
			return Usage{}, fmt.Errorf("proc: read %s/cgroup.procs: %w", dir, err)
		}
	}
	var stat [1024]byte
	for _, pid := range pids {
		st, ok := g.stat(s.proc, pid, stat[:])
		if !ok || st.state == 'Z' || st.state == 'X' {
			continue
		}
		u.Tasks++
		u.Threads += st.threads
		if !charged {
			u.Memory += st.rss * pageSize
		}
		if fds {
			u.FDs += countFDs(pid)
		}
	}
	if !fds {
		g.full, g.last = s.pass, u
	}
	return u, nil
}

// End ends a pass: the files of the groups it did not read are closed.
func (s *CgroupSweep) End() {
	for dir, g := range s.groups {
		if g.read != s.pass {
			g.close()
			delete(s.groups, dir)
		}
	}
	s.pass++
}

// Close closes every file s keeps open, and forgets what it knows.
func (s *CgroupSweep) Close() {
	for _, g := range s.groups {
		g.close()
	}
	clear(s.groups)
	if s.parent > 0 {
		_ = unix.Close(s.parent) // read-only: nothing to lose
	}
	s.parent, s.parentDir = 0, ""
	if s.proc > 0 {
		_ = unix.Close(s.proc) // read-only: nothing to lose
		s.proc = 0
	}
}

// openCgroup opens the files of the control group at dir that a Read
// reads.
func openCgroup(dir string) (*sweptCgroup, error) {
	g := &sweptCgroup{procs: -1, cpu: -1, memory: -1, members: make(map[int]int)}
	open := func(name string, fd *int) error {
		f, err := unix.Open(filepath.Join(dir, name), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("proc: %w", &os.PathError{Op: "open", Path: filepath.Join(dir, name), Err: err})
		}
		*fd = f
		return nil
	}
	err := open("cgroup.procs", &g.procs)
	if err == nil {
		err = open("cpu.stat", &g.cpu)
	}
	if err == nil {
		if err = open("memory.current", &g.memory); errors.Is(err, os.ErrNotExist) {
			err = nil // no memory controller
		}
	}
	if err != nil {
		g.close()
		return nil, err
	}
	return g, nil
}

// pids reads the group's processes, with buf to read into, and closes
// the stat files of those gone.
func (g *sweptCgroup) pids(buf []byte) ([]int, error) {
	n, err := preadRetry(g.procs, buf)
	if err != nil {
		return nil, err
	}
	pids := make([]int, 0, 4)
	for line := range bytes.Lines(buf[:n]) {
		if pid, ok := parseDecimal(bytes.TrimSpace(line)); ok {
			pids = append(pids, int(pid))
		}
	}
	if len(g.members) > len(pids) {
		for pid, fd := range g.members {
			if !slices.Contains(pids, pid) {
				_ = unix.Close(fd) // read-only: nothing to lose
				delete(g.members, pid)
			}
		}
	}
	return pids, nil
}

// sameMembers reports whether pids are the processes the group's last read
// found (and kept the stat files of).
func (g *sweptCgroup) sameMembers(pids []int) bool {
	if len(pids) != len(g.members) {
		return false
	}
	for _, pid := range pids {
		if _, ok := g.members[pid]; !ok {
			return false
		}
	}
	return true
}

// stat reads the stat file of process pid of the group, with buf to read
// into: the one kept open, else one opened (and kept) in the /proc
// directory proc.
func (g *sweptCgroup) stat(proc, pid int, buf []byte) (statFields, bool) {
	for range 2 {
		fd, kept := g.members[pid]
		if !kept {
			var err error
			if fd, err = unix.Openat(proc, strconv.Itoa(pid)+"/stat", unix.O_RDONLY|unix.O_CLOEXEC, 0); err != nil {
				return statFields{}, false // gone
			}
			g.members[pid] = fd
		}
		n, err := preadRetry(fd, buf)
		if err == nil {
			return parseStat(buf[:n])
		}
		// The process of the file kept is gone: its pid is another's.
		_ = unix.Close(fd) // read-only: nothing to lose
		delete(g.members, pid)
		if !kept {
			return statFields{}, false
		}
	}
	return statFields{}, false
}

// close closes the group's files.
func (g *sweptCgroup) close() {
	for _, fd := range []int{g.procs, g.cpu, g.memory} {
		if fd >= 0 {
			_ = unix.Close(fd) // read-only: nothing to lose
		}
	}
	for _, fd := range g.members {
		_ = unix.Close(fd) // read-only: nothing to lose
	}
	clear(g.members)
}

// parseCPUStat returns usage_usec of a cpu.stat.
func parseCPUStat(b []byte) (time.Duration, error) {
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("usage_usec ")); ok {
			usec, ok := parseDecimal(v)
			if !ok {
				return 0, fmt.Errorf("usage_usec %q", v)
			}
			return time.Duration(usec) * time.Microsecond, nil
		}
	}
	return 0, errors.New("no usage_usec")
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
