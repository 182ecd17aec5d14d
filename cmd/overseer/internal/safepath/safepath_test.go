//go:build linux

package safepath

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// nobody is a uid and gid other than the test's.
const nobody = testbuild.Nobody

// tempDir is a directory of the test's, with the real path of its own.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	return dir
}

func opts() Options { return Options{UID: os.Geteuid()} }

// open opens path with o and returns the real path it reached.
func open(t *testing.T, path string, o Options) (string, error) {
	t.Helper()
	f, err := OpenDir(path, o)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var a, b unix.Stat_t
	require.NoError(t, unix.Fstat(int(f.Fd()), &a))
	require.NoError(t, unix.Stat(f.Name(), &b))
	require.Equal(t, a.Ino, b.Ino, "the name told is the directory opened")
	return f.Name(), nil
}

// unsafeErr asserts that err is an UnsafeError of dir for p.
func unsafeErr(t *testing.T, err error, dir string, p Problem) {
	t.Helper()
	var ue *UnsafeError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, dir, ue.Dir)
	assert.Equal(t, p, ue.Problem, ue.Error())
}

func TestPlainAndRelative(t *testing.T) {
	dir := tempDir(t)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755))
	got, err := open(t, filepath.Join(dir, "a", "b"), opts())
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "a", "b"), got)

	t.Chdir(dir)
	got, err = open(t, "a/./b/", opts())
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "a", "b"), got)

	got, err = open(t, "/", opts())
	require.NoError(t, err)
	assert.Equal(t, "/", got)
}

// Links in trusted directories are followed, absolute or relative, and ".."
// after a link is the real parent of its target, as the kernel has it.
func TestLinksFollowed(t *testing.T) {
	dir := tempDir(t)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "real", "sub"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "other"), 0o755))
	require.NoError(t, os.Symlink(filepath.Join(dir, "real"), filepath.Join(dir, "abs")))
	require.NoError(t, os.Symlink("real/sub", filepath.Join(dir, "rel")))
	require.NoError(t, os.Symlink("../other", filepath.Join(dir, "real", "up")))
	require.NoError(t, os.Symlink("abs", filepath.Join(dir, "chain")))
	require.NoError(t, os.Symlink(".", filepath.Join(dir, "self")))
	for path, want := range map[string]string{
		"abs/sub":         "real/sub",
		"rel":             "real/sub",
		"rel/..":          "real",
		"rel/../../other": "other",
		"real/up":         "other",
		"abs/up":          "other",
		"chain/sub":       "real/sub",
		"self":            "",
		"self/self/real":  "real",
	} {
		got, err := open(t, dir+"/"+path, opts()) // not Join, which takes ".." away with the link
		if assert.NoError(t, err, path) {
			assert.Equal(t, filepath.Join(dir, want), got, path)
		}
	}
	// Lexically "rel/.." would be dir itself; with a relative path too.
	t.Chdir(dir)
	got, err := open(t, "rel/..", opts())
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "real"), got)
}

func TestLoopsAndErrors(t *testing.T) {
	dir := tempDir(t)
	require.NoError(t, os.Symlink("b", filepath.Join(dir, "a")))
	require.NoError(t, os.Symlink("a", filepath.Join(dir, "b")))
	require.NoError(t, os.Symlink("self/x", filepath.Join(dir, "self")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o600))
	require.NoError(t, os.Symlink("file", filepath.Join(dir, "tofile")))
	for _, name := range []string{"a", "self"} {
		_, err := open(t, filepath.Join(dir, name), opts())
		assert.ErrorIs(t, err, syscall.ELOOP, name)
	}
	_, err := open(t, filepath.Join(dir, "file"), opts())
	assert.ErrorIs(t, err, syscall.ENOTDIR)
	_, err = open(t, filepath.Join(dir, "tofile", "x"), opts())
	assert.ErrorIs(t, err, syscall.ENOTDIR)
	_, err = open(t, filepath.Join(dir, "missing", "x"), opts())
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.ErrorContains(t, err, filepath.Join(dir, "missing"))

	// 40 links are followed; one more is a loop.
	prev := "."
	for i := range MaxLinks + 1 {
		name := "l" + strings.Repeat("x", i)
		require.NoError(t, os.Symlink(prev, filepath.Join(dir, name)))
		prev = name
	}
	_, err = open(t, filepath.Join(dir, "l"+strings.Repeat("x", MaxLinks-1)), opts())
	assert.NoError(t, err)
	_, err = open(t, filepath.Join(dir, prev), opts())
	assert.ErrorIs(t, err, syscall.ELOOP)
}

// A link in a directory of another user is never followed, wherever it
// points: the directory holding it is refused first.
func TestLinkInUntrustedDirRefused(t *testing.T) {
	testbuild.NeedRoot(t)
	dir := tempDir(t)
	secret := filepath.Join(dir, "secret")
	require.NoError(t, os.Mkdir(secret, 0o700))
	nob := filepath.Join(dir, "nob")
	require.NoError(t, os.Mkdir(nob, 0o755))
	require.NoError(t, os.Chown(nob, nobody, nobody))
	require.NoError(t, os.Symlink(secret, filepath.Join(nob, "logs")))
	_, err := open(t, filepath.Join(nob, "logs"), opts())
	unsafeErr(t, err, nob, Owner)
	assert.ErrorContains(t, err, "directory "+nob+" above it belongs to uid 65534, neither you (uid 0) nor root")

	// The same through a trusted link to the untrusted directory.
	require.NoError(t, os.Symlink(nob, filepath.Join(dir, "tonob")))
	_, err = open(t, filepath.Join(dir, "tonob", "logs"), opts())
	unsafeErr(t, err, nob, Owner)

	// A directory others can write to, not sticky.
	w := filepath.Join(dir, "w")
	require.NoError(t, os.Mkdir(w, 0o755))
	require.NoError(t, os.Chmod(w, 0o777))
	require.NoError(t, os.Symlink(secret, filepath.Join(w, "logs")))
	_, err = open(t, filepath.Join(w, "logs"), opts())
	unsafeErr(t, err, w, Writable)
}

// In a sticky directory that others can write to (/tmp), a link is
// followed only if it is the caller's or root's, and directories on the way
// may be sticky.
func TestStickyAncestors(t *testing.T) {
	testbuild.NeedRoot(t)
	dir := tempDir(t)
	sticky := filepath.Join(dir, "sticky")
	require.NoError(t, os.Mkdir(sticky, 0o755))
	require.NoError(t, os.Chmod(sticky, 0o777|os.ModeSticky))
	target := filepath.Join(dir, "target")
	require.NoError(t, os.Mkdir(target, 0o700))
	require.NoError(t, os.Mkdir(filepath.Join(sticky, "mine"), 0o700))

	got, err := open(t, filepath.Join(sticky, "mine"), opts())
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(sticky, "mine"), got)

	require.NoError(t, os.Symlink(target, filepath.Join(sticky, "roots")))
	got, err = open(t, filepath.Join(sticky, "roots"), opts())
	require.NoError(t, err)
	assert.Equal(t, target, got)

	theirs := filepath.Join(sticky, "theirs")
	require.NoError(t, os.Symlink(target, theirs))
	require.NoError(t, os.Lchown(theirs, nobody, nobody))
	_, err = open(t, theirs, opts())
	unsafeErr(t, err, theirs, LinkOwner)

	// But a sticky directory is not enough for the last one under LogDir.
	_, err = open(t, sticky, Options{UID: 0, Final: LogDir})
	unsafeErr(t, err, sticky, Writable)
}

func TestRules(t *testing.T) {
	testbuild.NeedRoot(t)
	for _, tt := range []struct {
		name     string
		mode     os.FileMode
		uid, gid int
		rule     Rule
		want     Problem
	}{
		{"ancestor 0755", 0o755, 0, 0, Ancestor, None},
		{"ancestor group root writable", 0o775, 0, 0, Ancestor, Writable},
		{"ancestor sticky", 0o777 | os.ModeSticky, 0, 0, Ancestor, None},
		{"ancestor nobody's", 0o755, nobody, 0, Ancestor, Owner},
		{"log group root writable", 0o775, 0, 0, LogDir, None},
		{"log group nobody writable", 0o775, 0, nobody, LogDir, Writable},
		{"log others writable", 0o703, 0, 0, LogDir, Writable},
		{"log sticky", 0o777 | os.ModeSticky, 0, 0, LogDir, Writable},
		{"log nobody's", 0o755, nobody, 0, LogDir, Owner},
		{"owner-only group root writable", 0o775, 0, 0, OwnerOnly, Writable},
		{"owner-only 0711", 0o711, 0, 0, OwnerOnly, None},
		{"private 0700", 0o700, 0, 0, Private, None},
		{"private 0755", 0o755, 0, 0, Private, Mode},
		{"private sticky", 0o700 | os.ModeSticky, 0, 0, Private, Mode},
		{"private nobody's", 0o700, nobody, 0, Private, Owner},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(tempDir(t), "d")
			require.NoError(t, os.Mkdir(dir, 0o700))
			require.NoError(t, os.Chown(dir, tt.uid, tt.gid))
			require.NoError(t, os.Chmod(dir, tt.mode))
			_, err := open(t, dir, Options{UID: 0, Final: tt.rule})
			if tt.want == None {
				assert.NoError(t, err)
				return
			}
			unsafeErr(t, err, dir, tt.want)
			var ue *UnsafeError
			require.ErrorAs(t, err, &ue)
			assert.True(t, ue.Final)
			assert.Equal(t, uint32(tt.mode.Perm())|map[bool]uint32{true: 0o1000}[tt.mode&os.ModeSticky != 0], ue.Mode)
		})
	}
}

func TestNoFinalLink(t *testing.T) {
	dir := tempDir(t)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "real"), 0o700))
	require.NoError(t, os.Symlink("real", filepath.Join(dir, "link")))
	_, err := open(t, filepath.Join(dir, "link"), Options{UID: os.Geteuid(), NoFinalLink: true})
	unsafeErr(t, err, filepath.Join(dir, "link"), Link)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "real", "sub"), 0o700))
	_, err = open(t, filepath.Join(dir, "link", "sub"), Options{UID: os.Geteuid(), NoFinalLink: true})
	assert.NoError(t, err, "a link on the way is followed")
}

// Create makes what is missing, through links, with the mode asked; the
// walk refuses to make anything below a directory that fails.
func TestCreate(t *testing.T) {
	dir := tempDir(t)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "real"), 0o755))
	require.NoError(t, os.Symlink("real", filepath.Join(dir, "link")))
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	got, err := open(t, filepath.Join(dir, "link", "a", "b"), Options{UID: os.Geteuid(), Create: 0o750, ExactMode: true})
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "real", "a", "b"), got)
	fi, err := os.Stat(got)
	require.NoError(t, err)
	assert.Equal(t, os.ModeDir|0o750, fi.Mode())
	// Not made with a mode that fails the check: the next one is refused.
	_, err = open(t, filepath.Join(dir, "g", "h"), Options{UID: os.Geteuid(), Create: 0o770, ExactMode: true})
	unsafeErr(t, err, filepath.Join(dir, "g"), Writable)
	assert.NoDirExists(t, filepath.Join(dir, "g", "h"))

	got, err = open(t, filepath.Join(dir, "c"), Options{UID: os.Geteuid(), Create: 0o777})
	require.NoError(t, err)
	fi, err = os.Stat(got)
	require.NoError(t, err)
	assert.Equal(t, os.ModeDir|0o755, fi.Mode(), "less the umask")

	// A dangling link: its target is made.
	require.NoError(t, os.Symlink("real/d", filepath.Join(dir, "dangling")))
	got, err = open(t, filepath.Join(dir, "dangling"), Options{UID: os.Geteuid(), Create: 0o700})
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "real", "d"), got)

	if os.Geteuid() != 0 {
		return
	}
	nob := filepath.Join(dir, "nob")
	require.NoError(t, os.Mkdir(nob, 0o777))
	require.NoError(t, os.Chown(nob, nobody, nobody))
	_, err = open(t, filepath.Join(nob, "x", "y"), Options{UID: 0, Create: 0o700})
	unsafeErr(t, err, nob, Owner)
	assert.NoDirExists(t, filepath.Join(nob, "x"))
}
