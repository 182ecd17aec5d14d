package proc

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testCgroups returns the host's Cgroups, or skips t where the host cannot
// make control groups (not root, no writable cgroup2 mount).
func testCgroups(t *testing.T) *Cgroups {
	t.Helper()
	cs, err := OpenCgroups()
	if err != nil {
		t.Skipf("this host cannot make control groups: %v", err)
	}
	return cs
}

// sleepIn starts a sleeping copy of the test binary inside g, and returns
// it; it is killed and reaped when t ends.
func sleepIn(t *testing.T, g *Cgroup) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), modeEnv+"="+modeSleep, "GORACE=atexit_sleep_ms=0")
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	intoCgroup(cmd.SysProcAttr, g)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // killed by the test already, most likely
		_ = cmd.Wait()         // its status says it was killed
	})
	return cmd
}

// A run's control group: its process is in cgroup.procs from its first
// instruction; Kill ends it; WaitEmpty returns once the kernel says the
// group is empty; Remove removes it.
func TestCgroupLifecycle(t *testing.T) {
	cs := testCgroups(t)
	g, err := cs.New("life", CgroupLimits{})
	if err != nil {
		t.Fatal(err)
	}
	cmd := sleepIn(t, g)
	g.Started()
	pids, err := g.Procs()
	if err != nil || len(pids) != 1 || pids[0] != cmd.Process.Pid {
		t.Fatalf("Procs = %v, %v; want [%d]", pids, err, cmd.Process.Pid)
	}
	if err := g.Kill(); err != nil {
		t.Fatal(err)
	}
	// The killed child is a zombie until reaped: the group is empty all
	// the same, as the kernel takes an exited task out of its group.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := g.WaitEmpty(ctx); err != nil {
		t.Fatal(err)
	}
	g.Remove()
	if _, err := os.Stat(g.Dir()); !os.IsNotExist(err) {
		t.Fatalf("the group is still there: %v", err)
	}
}

// WaitEmpty returns ctx's error when the group stays populated.
func TestCgroupWaitEmptyCancelled(t *testing.T) {
	cs := testCgroups(t)
	g, err := cs.New("busy", CgroupLimits{})
	if err != nil {
		t.Fatal(err)
	}
	sleepIn(t, g)
	g.Started()
	t.Cleanup(func() {
		_ = g.Kill() // an error fails the wait below
		if err := g.WaitEmpty(context.Background()); err != nil {
			t.Error(err)
		}
		g.Remove()
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.WaitEmpty(ctx); err != context.Canceled {
		t.Fatalf("WaitEmpty = %v, want context.Canceled", err)
	}
}

// What a host killed with its guardian left (an overseer.PID group whose
// host is dead, with a process still in a run's group) is killed and
// removed by the next host under the same control group.
func TestCgroupCleanStale(t *testing.T) {
	cs := testCgroups(t)
	own := filepath.Dir(cs.Dir())
	// A pid no process has: one that has exited and been reaped.
	gone := exec.Command(os.Args[0], "-test.run=^$")
	gone.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(own, "overseer."+strconv.Itoa(gone.Process.Pid))
	if err := os.Mkdir(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	left := &Cgroup{dir: filepath.Join(stale, "1-web")}
	if err := os.Mkdir(left.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	fd, err := os.Open(left.dir)
	if err != nil {
		t.Fatal(err)
	}
	left.fd = fd
	cmd := sleepIn(t, left)
	left.Started()

	cleanStale(own)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("the stale group is still there: %v", err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("the process left in the stale group exited by itself; killed was wanted")
	}
	if _, err := os.Stat(cs.Dir()); err != nil {
		t.Fatalf("cleaning removed this host's own group: %v", err)
	}
}

// A group whose host holds its lock is a live host's, whatever its pid
// says (another pid namespace): it is kept.
func TestCgroupCleanStaleKeepsLocked(t *testing.T) {
	cs := testCgroups(t)
	own := filepath.Dir(cs.Dir())
	live := filepath.Join(own, "overseer.1") // pid 1 of another namespace, say
	if err := os.Mkdir(live, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeTree(live) })
	fd, err := os.Open(live)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	if err := syscall.Flock(int(fd.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	cleanStale(own)
	if _, err := os.Stat(live); err != nil {
		t.Fatalf("cleaning removed a live host's group: %v", err)
	}
}

// A limit whose controller the runs' groups lack is an error that names
// it, never a silent no-op.
func TestCgroupMissingController(t *testing.T) {
	cs := testCgroups(t)
	if cs.HasController("pids") {
		t.Skip("the runs' groups have the pids controller: nothing is missing here")
	}
	_, err := cs.New("x", CgroupLimits{PidsMax: 10})
	if !errors.Is(err, ErrNoController) || !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "pids controller") {
		t.Fatalf("New with PidsMax and no pids controller: %v; want ErrNoController and ErrUnsupported, naming the controller", err)
	}
}

// OOMKilled reads memory.events' oom_kill (the kernel's count of processes
// killed for the group's memory.max); a group without the file (no memory
// controller) has had none.
func TestCgroupOOMKilled(t *testing.T) {
	dir := t.TempDir()
	g := &Cgroup{dir: dir}
	if g.OOMKilled() {
		t.Fatal("OOMKilled without memory.events")
	}
	for _, tc := range []struct {
		events string
		want   bool
	}{
		{"low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\noom_group_kill 0\n", false},
		{"low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\noom_group_kill 1\n", true},
	} {
		if err := os.WriteFile(filepath.Join(dir, "memory.events"), []byte(tc.events), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := g.OOMKilled(); got != tc.want {
			t.Errorf("OOMKilled with %q = %v, want %v", tc.events, got, tc.want)
		}
	}
}
