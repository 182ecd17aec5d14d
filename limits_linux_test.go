package overseer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/overseer-go/overseer/internal/proc"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// publicCopy copies the test programs (childPath, hostPath) into a new
// directory every user can read and search, and returns their paths there:
// the originals live in a directory of root's alone (mode 0700), which a
// child run as nobody could not execute.
func publicCopy(t *testing.T) (child, host string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "overseer-public-")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, os.RemoveAll(dir)) })
	require.NoError(t, os.Chmod(dir, 0o755))
	cp := func(from string) string {
		to := filepath.Join(dir, filepath.Base(from))
		data, err := os.ReadFile(from)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(to, data, 0o755))
		return to
	}
	return cp(childPath), cp(hostPath)
}

// runOut runs c to its end and returns its standard output's lines,
// failing t unless it exits 0.
func runOut(t *testing.T, c *Cmd) []string {
	t.Helper()
	watchCmd(t, c)
	require.NoError(t, c.Start())
	st := wait(t, c)
	require.Equal(t, StateFinished, st.State, "%+v", st)
	require.Equal(t, 0, st.Exit, "stderr: %q", st.Stderr)
	return st.Stdout
}

// User runs the child as that user, with its groups and HOME, USER and
// LOGNAME: by the fork where nothing else needs the exec wrapper, and by
// the wrapper, which the user could not execute (it is the test binary, in
// a directory of root's alone), where Umask makes it run.
func TestUserNobody(t *testing.T) {
	testbuild.NeedRoot(t)
	child, _ := publicCopy(t)
	for _, tc := range []struct {
		name  string
		umask os.FileMode
	}{{"fork", 0}, {"wrapper", 0o022}} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCmd(child, "ids", "getenv:HOME", "getenv:USER", "getenv:LOGNAME", "getenv:SHELL", "getenv:"+proc.SetupEnv)
			c.User = "nobody"
			c.Umask = tc.umask
			c.Env = []string{"HOME=/root", "USER=root", "PATH=/bin"}
			out := runOut(t, c)
			require.Len(t, out, 6)
			assert.Regexp(t, `^uid:65534 gid:65534 groups:(65534)?$`, out[0])
			u, err := user.Lookup("nobody")
			require.NoError(t, err)
			assert.Equal(t, []string{"HOME=" + u.HomeDir, "USER=nobody", "LOGNAME=nobody"}, out[1:4])
			if shell, ok := passwdShell(passwdFile, "nobody"); ok {
				assert.Equal(t, "SHELL="+shell, out[4])
			}
			assert.Equal(t, proc.SetupEnv+" unset", out[5], "the wrapper's own variable reaches the program")
		})
	}
}

// UserGroup alone changes the group, not the user; with User it replaces
// the user's primary group. A numeric id need not be in the database.
func TestUserGroup(t *testing.T) {
	testbuild.NeedRoot(t)
	child, _ := publicCopy(t)
	c := NewCmd(child, "ids")
	c.UserGroup = "4321"
	assert.Equal(t, []string{"uid:0 gid:4321 groups:" + hostGroups(t)}, runOut(t, c))

	c = NewCmd(child, "ids")
	c.User, c.UserGroup = "65534", "4321"
	out := runOut(t, c)
	assert.Regexp(t, `^uid:65534 gid:4321 groups:(65534)?$`, out[0])
}

// hostGroups returns the test's supplementary groups as the child prints
// them.
func hostGroups(t *testing.T) string {
	groups, err := syscall.Getgroups()
	require.NoError(t, err)
	s := make([]string, len(groups))
	for i, g := range groups {
		s[i] = fmt.Sprint(g)
	}
	return strings.Join(s, ",")
}

// Limits are what the child sees in /proc/self/limits, soft and hard, from
// its first instruction; the exec wrapper, a Go program whose runtime
// raises its own RLIMIT_NOFILE, does not put back the host's over it.
func TestLimits(t *testing.T) {
	c := NewCmd(childPath, "limit:Max open files", "limit:Max core file size", "limit:Max processes")
	c.Limits = map[Resource]uint64{ResourceNOFILE: 1234, ResourceCORE: Unlimited, ResourceNPROC: 4321}
	assert.Equal(t, []string{
		"Max open files 1234 1234 files",
		"Max core file size unlimited unlimited bytes",
		"Max processes 4321 4321 processes",
	}, runOut(t, c))
}

// Umask is the mask of the child's new files; UmaskNone masks nothing.
func TestUmask(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		umask os.FileMode
		want  string
	}{{0o077, "mode:0600"}, {0o027, "mode:0640"}, {UmaskNone, "mode:0666"}} {
		c := NewCmd(childPath, "newfile:"+filepath.Join(dir, fmt.Sprint(uint32(tc.umask))))
		c.Umask = tc.umask
		assert.Equal(t, []string{tc.want}, runOut(t, c), "Umask %#o", uint32(tc.umask))
	}
}

// Nice is the child's niceness, in /proc/self/stat.
func TestNice(t *testing.T) {
	c := NewCmd(childPath, "nice")
	c.Nice = 5
	assert.Equal(t, []string{"nice:5"}, runOut(t, c))
}

// A value the system refuses reaches the user: the wrapper says what failed
// on the child's stderr and exits 126.
func TestSetupRefused(t *testing.T) {
	testbuild.NeedRoot(t)
	child, _ := publicCopy(t)
	c := NewCmd(child, "out:ran")
	c.User = "nobody"
	c.Nice = 1
	c.Limits = map[Resource]uint64{ResourceNOFILE: 1 << 40} // above fs.nr_open
	watchCmd(t, c)
	require.NoError(t, c.Start())
	st := wait(t, c)
	assert.Equal(t, 126, st.Exit)
	assert.Empty(t, st.Stdout)
	require.Len(t, st.Stderr, 1)
	assert.Contains(t, st.Stderr[0], "overseer: exec "+child+": setrlimit(RLIMIT_NOFILE, 1099511627776): operation not permitted")
}

// Bad values are refused before anything runs, with an error wrapping
// ErrInvalid that names the process and the field.
func TestSetupInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(c *Cmd)
		text string
	}{
		{"nice high", func(c *Cmd) { c.Nice = 20 }, "Nice 20"},
		{"nice low", func(c *Cmd) { c.Nice = -21 }, "Nice -21"},
		{"umask", func(c *Cmd) { c.Umask = 0o1000 }, "Umask 01000"},
		{"umask mode bits", func(c *Cmd) { c.Umask = os.ModeDir | 0o022 }, "Umask"},
		{"resource", func(c *Cmd) { c.Limits = map[Resource]uint64{Resource(99): 1} }, "Limits has Resource(99)"},
		{"resource zero", func(c *Cmd) { c.Limits = map[Resource]uint64{0: 1} }, "Limits has Resource(0)"},
		{"user", func(c *Cmd) { c.User = "no-such-user-overseer" }, `User "no-such-user-overseer": no such user`},
		{"user id", func(c *Cmd) { c.User = "987654" }, `User "987654": no such user`},
		{"user space", func(c *Cmd) { c.User = " nobody" }, `User " nobody"`},
		{"group", func(c *Cmd) { c.UserGroup = "no-such-group-overseer" }, `UserGroup "no-such-group-overseer": no such group`},
		{"group id", func(c *Cmd) { c.UserGroup = "99999999999" }, `UserGroup "99999999999"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newTestOverseer(t)
			c := NewCmd(childPath, "out:ran")
			tc.set(c)
			require.NoError(t, o.AddCmd("web", c))
			err := o.Start("web")
			require.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), "web: ")
			assert.Contains(t, err.Error(), tc.text)
			assert.Equal(t, StateInitial, c.Status().State)
		})
	}
}

// Resource names itself as setrlimit(2) does without RLIMIT_, and reads
// its name in either case.
func TestResourceText(t *testing.T) {
	assert.Equal(t, "NOFILE", ResourceNOFILE.String())
	assert.Equal(t, "Resource(99)", Resource(99).String())
	for r := ResourceAS; r <= ResourceSTACK; r++ {
		text, err := r.MarshalText()
		require.NoError(t, err)
		var back Resource
		require.NoError(t, back.UnmarshalText(bytes.ToLower(text)))
		assert.Equal(t, r, back)
		n, err := proc.Rlimit(r.String())
		require.NoError(t, err, "every Resource is a limit on Linux")
		assert.GreaterOrEqual(t, n, 0)
	}
	var r Resource
	assert.NoError(t, r.UnmarshalText([]byte("RLIMIT_CORE")))
	assert.Equal(t, ResourceCORE, r)
	assert.ErrorIs(t, r.UnmarshalText([]byte("FILES")), ErrInvalid)
	assert.Equal(t, ResourceCORE, r, "a failed UnmarshalText changes nothing")
	_, err := Resource(0).MarshalText()
	assert.ErrorIs(t, err, ErrInvalid)
}

// A host that is not root can run a process as itself, and gets an error
// wrapping os.ErrPermission for anyone else.
func TestHostCred(t *testing.T) {
	nobody := proc.Cred{UID: 65534, GID: 65534, Groups: []uint32{65534}}
	cred, err := hostCred(ids{0, 0}, nobody)
	require.NoError(t, err)
	assert.Equal(t, &nobody, cred)

	cred, err = hostCred(ids{1000, 1000}, proc.Cred{UID: 1000, GID: 1000})
	assert.NoError(t, err)
	assert.Nil(t, cred, "itself: no change")

	for _, other := range []proc.Cred{nobody, {UID: 1000, GID: 0}} {
		_, err = hostCred(ids{1000, 1000}, other)
		assert.ErrorIs(t, err, os.ErrPermission)
		assert.Contains(t, err.Error(), "root")
	}
}

// A real host that is not root (the test host program, run as nobody) gets
// the error for User, naming the process, and runs nothing.
func TestUserNeedsRoot(t *testing.T) {
	testbuild.NeedRoot(t)
	child, host := publicCopy(t)
	cmd := exec.Command(host, "-user", "root", child, "out:ran")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: testbuild.Nobody, Gid: testbuild.Nobody}}
	cmd.Stdin = strings.NewReader("") // end of stdin: the host ends at once
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	require.True(t, errors.As(err, &exitErr), "the host did not fail: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	assert.Equal(t, 1, exitErr.ExitCode())
	assert.Empty(t, stdout.String())
	assert.Contains(t, stderr.String(), `host: overseer: c: User "root": running as uid 0, gid 0 needs a host running as root, and this one runs as uid 65534: permission denied`)
}

// passwdShell reads the shell field, /bin/sh for an empty one, and says
// when the user has no entry.
func TestPasswdShell(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passwd")
	require.NoError(t, os.WriteFile(path, []byte("root:x:0:0:root:/root:/bin/bash\nplain:x:5:5::/home/plain:\nbad:line\n"), 0o644))
	for _, tc := range []struct {
		name, shell string
		ok          bool
	}{{"root", "/bin/bash", true}, {"plain", "/bin/sh", true}, {"bad", "", false}, {"absent", "", false}} {
		shell, ok := passwdShell(path, tc.name)
		assert.Equal(t, tc.shell, shell, tc.name)
		assert.Equal(t, tc.ok, ok, tc.name)
	}
	_, ok := passwdShell(filepath.Join(t.TempDir(), "none"), "root")
	assert.False(t, ok)
}

// A Go host's runtime raises its own soft RLIMIT_NOFILE at start, and
// puts back the one it found in what it executes (syscall/rlimit.go); so
// does the exec wrapper, itself the host's executable. Run by a host that
// was started with a low soft limit, the child gets that low limit
// without Limits, through the wrapper too, and the one of Limits, soft and
// hard, with it: the wrapper's runtime must not put the low one back over
// it. (The child is grep, not a Go program, which would raise its own.)
func TestLimitsLowHostNOFILE(t *testing.T) {
	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	if lim.Max < 2048 {
		t.Skipf("the hard RLIMIT_NOFILE (%d) leaves no room for a low soft one", lim.Max)
	}
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"-nice", "1"}, fmt.Sprintf("out:Max open files 512 %d files", lim.Max)},
		{nil, fmt.Sprintf("out:Max open files 512 %d files", lim.Max)}, // no wrapper: os/exec puts it back
		{[]string{"-nofile", "1234"}, "out:Max open files 1234 1234 files"},
		// Its own hard limit: the runtime's soft one put back over it would
		// not need the privilege to raise a hard limit, which this host may
		// lack.
		{[]string{"-nofile", fmt.Sprint(lim.Max)}, fmt.Sprintf("out:Max open files %d %d files", lim.Max, lim.Max)},
	} {
		args := append([]string{"-c", `ulimit -S -n 512 && exec "$0" "$@"`, hostPath}, tc.flags...)
		cmd := exec.Command("/bin/sh", append(args, "/bin/sh", "-c", `grep "Max open files" /proc/self/limits | tr -s " "`)...)
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		var got []string
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			got = append(got, strings.TrimSpace(sc.Text()))
			if strings.HasPrefix(sc.Text(), "out:") {
				break
			}
		}
		require.NoError(t, stdin.Close()) // the host stops and exits
		_, err = io.Copy(io.Discard, stdout)
		require.NoError(t, err)
		require.NoError(t, cmd.Wait(), "stderr: %s", stderr.String())
		assert.Contains(t, got, tc.want, "with %v; stderr: %s", tc.flags, stderr.String())
	}
}
