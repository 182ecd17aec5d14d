package proc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// Cgroups is where a host process makes the control groups of its runs:
// its overseer.PID group (see cgroup.go).
type Cgroups struct {
	dir         string
	controllers map[string]bool // enabled for the runs' groups
	hasKill     bool            // cgroup.kill (Linux 5.14)
	seq         atomic.Uint64   // names the runs' groups
	lock        int             // dir, open and locked (flock) for the life of the host

}

// cgroupsOnce opens the host's Cgroups once, for every Overseer of the
// process.
var cgroupsOnce = sync.OnceValues(openCgroups)

// OpenCgroups returns the host's Cgroups, made at the first call, or why
// the host cannot make control groups (an error wrapping
// errors.ErrUnsupported).
func OpenCgroups() (*Cgroups, error) { return cgroupsOnce() }

// Dir is the directory of the host's overseer.PID group.
func (cs *Cgroups) Dir() string { return cs.dir }

// Controllers lists the controllers the runs' groups have, sorted.
func (cs *Cgroups) Controllers() []string {
	var names []string
	for _, name := range []string{"cpu", "io", "memory", "pids"} {
		if cs.controllers[name] {
			names = append(names, name)
		}
	}
	return names
}

// HasController reports whether the runs' groups have the named
// controller.
func (cs *Cgroups) HasController(name string) bool { return cs.controllers[name] }

// openCgroups finds the host's own control group in the cgroup2
// hierarchy, makes its overseer.PID group there, with the controllers it
// can give the runs, and cleans up what dead hosts left beside it.
func openCgroups() (*Cgroups, error) {
	unsupported := func(format string, args ...any) (*Cgroups, error) {
		return nil, fmt.Errorf("overseer: no control groups: %s: %w", fmt.Sprintf(format, args...), errors.ErrUnsupported)
	}
	if !kernelAtLeast(5, 7) { // CLONE_INTO_CGROUP
		return unsupported("Linux %s has no clone3 into a control group (5.7 has)", kernelRelease())
	}
	own, err := ownCgroupDir()
	if err != nil {
		return unsupported("%v", err)
	}
	// Making a group takes the directory; starting a child in one takes
	// the common ancestor's cgroup.procs (CLONE_INTO_CGROUP moves it there
	// from the host's group, as a write of its pid would).
	for _, path := range []string{own, filepath.Join(own, "cgroup.procs")} {
		if err := unix.Access(path, unix.W_OK); err != nil {
			return unsupported("%s is not writable: %v", path, err)
		}
	}
	cleanStale(own)
	dir := filepath.Join(own, "overseer."+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		if !errors.Is(err, os.ErrExist) {
			return unsupported("%v", err)
		}
		// Left by a host of the same pid, long dead.
		removeTree(dir)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return unsupported("%v", err)
		}
	}
	// The host holds a lock on its group for its life, which is how
	// another host tells it is not a dead one's (see cleanStale); the
	// lock goes with the host, however it ends.
	lock, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return unsupported("%v", err)
	}
	if err := unix.Flock(lock, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		_ = unix.Close(lock) // read-only: nothing to lose
		return unsupported("lock %s: %v", dir, err)
	}
	cs := &Cgroups{dir: dir, controllers: make(map[string]bool), lock: lock}
	_, err = os.Stat(filepath.Join(dir, "cgroup.kill"))
	cs.hasKill = err == nil
	// The controllers the host's group hands down can be enabled for the
	// runs': overseer.PID holds no process, so the rule of no process in
	// a group that hands controllers down holds. The host's own group is
	// left as it is.
	if avail, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers")); err == nil {
		for _, name := range strings.Fields(string(avail)) {
			switch name {
			case "cpu", "io", "memory", "pids":
				if os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+"+name), 0) == nil {
					cs.controllers[name] = true
				}
			}
		}
	}
	// What a writable hierarchy does not promise: that this process may
	// start a child inside a group (a seccomp filter, as Docker's default
	// one, makes clone3 fail with ENOSYS). Try once, with a child that
	// exits at its first instruction.
	if err := probeStart(dir); err != nil {
		_ = unix.Close(lock) // read-only: nothing to lose
		removeTree(dir)
		return unsupported("a child cannot start in a control group here: %v", err)
	}
	watchCgroups(dir)
	return cs, nil
}

// probeEnv makes a process exit at once, in this package's init: the
// child of probeStart.
const probeEnv = "OVERSEER_CGROUP_PROBE"

func init() {
	if os.Getenv(probeEnv) == "1" {
		os.Exit(0)
	}
}

// probeStart starts the host's executable, as probeEnv's child, in a
// control group of its own under dir, waits for it and removes the group.
func probeStart(dir string) error {
	probe := filepath.Join(dir, "probe")
	if err := os.Mkdir(probe, 0o755); err != nil {
		return err
	}
	defer removeTree(probe)
	fd, err := unix.Open(probe, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	exe, err := executable()
	if err != nil {
		return err
	}
	pid, err := syscall.ForkExec(exe, []string{"overseer-cgroup-probe"}, &syscall.ProcAttr{
		Env: []string{probeEnv + "=1", "GORACE=atexit_sleep_ms=0"},
		Sys: &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd},
	})
	if err != nil {
		return err
	}
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, 0, nil)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// ownCgroupDir returns the directory of the host's own control group in
// the cgroup2 hierarchy: on a hybrid host, the unified mount beside the
// v1 ones.
func ownCgroupDir() (string, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	var path string
	found := false
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "0::"); ok {
			path, found = rest, true
		}
	}
	if !found {
		return "", errors.New("the host is in no cgroup2 hierarchy")
	}
	mount, root, err := cgroup2Mount()
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("the host's control group %s is outside the cgroup2 mount (root %s)", path, root)
	}
	return filepath.Join(mount, rel), nil
}

// cgroup2Mount returns where the cgroup2 hierarchy is mounted, and the
// path in the hierarchy of the mount's root.
func cgroup2Mount() (mount, root string, err error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional...] - fstype source superoptions
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok || !strings.HasPrefix(post, "cgroup2 ") {
			continue
		}
		fields := strings.Fields(pre)
		if len(fields) < 5 {
			continue
		}
		return unescapeMount(fields[4]), unescapeMount(fields[3]), nil
	}
	if err := sc.Err(); err != nil {
		return "", "", err
	}
	return "", "", errors.New("no cgroup2 file system is mounted")
}

// unescapeMount undoes mountinfo's octal escapes of a path (\040 for a
// space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// cleanStale removes the overseer.PID groups under own whose host is dead,
// killing what is still in them (a host killed with its guardian).
func cleanStale(own string) {
	entries, err := os.ReadDir(own)
	if err != nil {
		return
	}
	for _, e := range entries {
		pidText, ok := strings.CutPrefix(e.Name(), "overseer.")
		pid, err := strconv.Atoi(pidText)
		if !ok || !e.IsDir() || err != nil || pid == os.Getpid() {
			continue
		}
		// A live host holds a lock on its group (openCgroups), whatever
		// pid namespace it is in; a dead one's is free.
		dir := filepath.Join(own, e.Name())
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		if unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) == nil {
			removeTree(dir)
		}
		_ = unix.Close(fd) // read-only; closing it drops the lock
	}
}

// removeTree kills what is in the control group dir (cgroup.kill reaches
// its children's processes too), gives it a second to empty, and removes
// its children, then it. A group that will not empty stays, and so do its
// ancestors: empty directories at worst, which the next host removes.
func removeTree(dir string) {
	g := &Cgroup{dir: dir}
	if populated, err := g.populated(); err == nil && populated {
		_ = g.Kill() // an error leaves it populated, and the rmdir fails
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = g.WaitEmpty(ctx) // if it is not empty by then, the rmdir fails
		cancel()
	}
	entries, _ := os.ReadDir(dir) // an error leaves the children, and the rmdir below fails
	for _, e := range entries {
		if e.IsDir() {
			removeTree(filepath.Join(dir, e.Name()))
		}
	}
	_ = os.Remove(dir) // see above
}

// Cgroup is the control group of one run.
type Cgroup struct {
	dir   string
	fd    *os.File // the directory, for clone3, until Started
	cs    *Cgroups
	limit CgroupLimits
}

// New makes the control group of a run named after id, with limits, and
// opens it for the start (Spec.Cgroup). A limit whose controller the runs'
// groups lack is an error wrapping ErrNoController and
// errors.ErrUnsupported.
func (cs *Cgroups) New(id string, limits CgroupLimits) (*Cgroup, error) {
	if err := cs.Check(limits); err != nil {
		return nil, err
	}
	for len(id) > 200 { // a name is at most 255 bytes; ids are UTF-8: cut whole runes
		_, size := utf8.DecodeLastRuneInString(id)
		id = id[:len(id)-size]
	}
	name := strconv.FormatUint(cs.seq.Add(1), 10) + "-" + id
	g := &Cgroup{dir: filepath.Join(cs.dir, name), cs: cs, limit: limits}
	if err := os.Mkdir(g.dir, 0o755); err != nil {
		return nil, fmt.Errorf("overseer: control group: %w", err)
	}
	if err := g.setLimits(); err != nil {
		g.Remove()
		return nil, err
	}
	fd, err := os.Open(g.dir)
	if err != nil {
		g.Remove()
		return nil, fmt.Errorf("overseer: control group: %w", err)
	}
	g.fd = fd
	return g, nil
}

// Check returns a *ControllerError for the first of limits whose
// controller the runs' groups lack, nil if they have all they need.
func (cs *Cgroups) Check(limits CgroupLimits) error {
	for _, need := range []struct {
		set        bool
		limit, ctl string
	}{
		{limits.CPUQuota > 0, "CPUQuota", "cpu"},
		{limits.PidsMax > 0, "TasksMax", "pids"},
	} {
		if need.set && !cs.controllers[need.ctl] {
			return &ControllerError{Limit: need.limit, Controller: need.ctl, Why: cs.missing()}
		}
	}
	return nil
}

// missing says why the runs' groups lack a controller.
func (cs *Cgroups) missing() string {
	have := "none"
	if names := cs.Controllers(); len(names) > 0 {
		have = strings.Join(names, ", ")
	}
	return fmt.Sprintf("the host's control group %s does not hand down to its children (they get: %s)", filepath.Dir(cs.dir), have)
}

// setLimits writes the group's limits to its files.
func (g *Cgroup) setLimits() error {
	write := func(file, value string) error {
		if err := os.WriteFile(filepath.Join(g.dir, file), []byte(value), 0); err != nil {
			return fmt.Errorf("overseer: control group: %s %s: %w", file, value, err)
		}
		return nil
	}
	if g.limit.MemoryMax > 0 && g.cs.controllers["memory"] {
		if err := write("memory.max", strconv.FormatInt(g.limit.MemoryMax, 10)); err != nil {
			return err
		}
		// The run goes as a whole, as a service does under systemd's
		// OOMPolicy=stop: a run with a process killed is not the run
		// that was configured.
		if err := write("memory.oom.group", "1"); err != nil {
			return err
		}
	}
	if g.limit.CPUQuota > 0 {
		const period = 100000 // µs, the kernel's default
		quota := max(int64(g.limit.CPUQuota*period), 1000)
		if err := write("cpu.max", strconv.FormatInt(quota, 10)+" "+strconv.Itoa(period)); err != nil {
			return err
		}
	}
	if g.limit.PidsMax > 0 {
		if err := write("pids.max", strconv.Itoa(g.limit.PidsMax)); err != nil {
			return err
		}
	}
	return nil
}

// Dir is the directory of the group.
func (g *Cgroup) Dir() string { return g.dir }

// MemoryEnforced reports whether the kernel enforces the group's memory
// limit (the memory controller): if not, what samples the memory does.
func (g *Cgroup) MemoryEnforced() bool {
	return g.limit.MemoryMax > 0 && g.cs != nil && g.cs.controllers["memory"]
}

// Started closes what the start needed (the directory's fd); call it
// once Start has returned, whatever it returned.
func (g *Cgroup) Started() {
	if g.fd != nil {
		_ = g.fd.Close() // a directory opened for reading: nothing to flush
		g.fd = nil
	}
}

// intoCgroup makes the child start inside g.
func intoCgroup(attr *syscall.SysProcAttr, g *Cgroup) {
	if g == nil || g.fd == nil {
		return
	}
	attr.UseCgroupFD = true
	attr.CgroupFD = int(g.fd.Fd())
}

// Procs returns the pids of the group's processes.
func (g *Cgroup) Procs() ([]int, error) {
	data, err := os.ReadFile(filepath.Join(g.dir, "cgroup.procs"))
	if err != nil {
		return nil, err
	}
	var pids []int
	for f := range strings.FieldsSeq(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// Signal sends sig to every process of the group, as systemd's
// KillMode=control-group does. It returns ESRCH when the group is empty.
func (g *Cgroup) Signal(sig syscall.Signal) error {
	pids, err := g.Procs()
	if err != nil {
		return err
	}
	var failed error
	sent := false
	for _, pid := range pids {
		switch err := syscall.Kill(pid, sig); {
		case err == nil:
			sent = true
		case !errors.Is(err, syscall.ESRCH):
			failed = err
		}
	}
	switch {
	case sent:
		return nil
	case failed != nil:
		return failed
	}
	return syscall.ESRCH
}

// Kill kills every process of the group: by cgroup.kill at once, or
// where the kernel has none (before 5.14), by SIGKILL to each process of
// cgroup.procs until none is left, which a fork bomb can outrun only so
// long: each round kills all it sees.
func (g *Cgroup) Kill() error {
	if err := os.WriteFile(filepath.Join(g.dir, "cgroup.kill"), []byte("1"), 0); err == nil || !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for range 1000 {
		if err := g.Signal(syscall.SIGKILL); err != nil {
			if errors.Is(err, syscall.ESRCH) {
				return nil
			}
			return err
		}
	}
	return errors.New("overseer: control group: processes outrun SIGKILL")
}

// populated reports whether the group or one below it has a process, as
// its cgroup.events says.
func (g *Cgroup) populated() (bool, error) {
	data, err := os.ReadFile(filepath.Join(g.dir, "cgroup.events"))
	if err != nil {
		return false, err
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "populated "); ok {
			return strings.TrimSpace(v) != "0", nil
		}
	}
	return false, errors.New("overseer: control group: cgroup.events has no populated")
}

// WaitEmpty returns once the group has no process left, or with ctx's
// error. It waits on the kernel's notification of a change of
// cgroup.events (inotify), through the netpoller: no thread, and no
// inotify instance for a group that is empty already. Where no inotify
// instance can be had (the user's limit, 128 by default, is shared with
// every other program), it reads cgroup.events every 20 ms instead.
func (g *Cgroup) WaitEmpty(ctx context.Context) error {
	if populated, err := g.populated(); err != nil || !populated {
		return err
	}
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return g.pollEmpty(ctx)
	}
	f := os.NewFile(uintptr(fd), "inotify")
	defer f.Close()
	if _, err := unix.InotifyAddWatch(fd, filepath.Join(g.dir, "cgroup.events"), unix.IN_MODIFY); err != nil {
		return g.pollEmpty(ctx)
	}
	stop := context.AfterFunc(ctx, func() {
		_ = f.SetReadDeadline(time.Now()) // wakes the read below; f is open until WaitEmpty returns
	})
	defer stop()
	buf := make([]byte, 4096)
	for {
		populated, err := g.populated()
		if err != nil || !populated {
			return err
		}
		if _, err := f.Read(buf); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("overseer: control group: inotify: %w", err)
		}
	}
}

// pollEmpty is WaitEmpty without inotify.
func (g *Cgroup) pollEmpty(ctx context.Context) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		populated, err := g.populated()
		if err != nil || !populated {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// OOMKilled reports whether the kernel killed a process of the group for
// its memory limit (memory.events' oom_kill).
func (g *Cgroup) OOMKilled() bool {
	data, err := os.ReadFile(filepath.Join(g.dir, "memory.events"))
	if err != nil {
		return false
	}
	for line := range bytes.Lines(data) {
		if v, ok := bytes.CutPrefix(line, []byte("oom_kill ")); ok {
			n, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 10, 64)
			return err == nil && n > 0
		}
	}
	return false
}

// Remove removes the group, which must be empty. An error is not
// returned: a group that cannot be removed (not empty yet) is left, an
// empty directory at worst, and the next host under the same group
// removes it with overseer.PID.
func (g *Cgroup) Remove() {
	g.Started()
	removeTree(g.dir) // with the groups a process of the run made in it
}

// kernelAtLeast reports whether the running kernel is at least
// major.minor.
func kernelAtLeast(major, minor int) bool {
	rel := kernelRelease()
	var ma, mi int
	if _, err := fmt.Sscanf(rel, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// kernelRelease is uname -r.
func kernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "?"
	}
	return unix.ByteSliceToString(u.Release[:])
}

// endCgroups is the guardian's end of the host's control group for runs,
// dir: it kills what is in it and removes it.
func endCgroups(dir string) { removeTree(dir) }
