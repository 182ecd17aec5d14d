//go:build linux

package logfile

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nobody is a uid and gid other than the test's.
const nobody = testbuild.Nobody

// names lists the names in dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var ns []string
	for _, e := range entries {
		ns = append(ns, e.Name())
	}
	return ns
}

// gunzip returns the text of a gzip file.
func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	data, err := io.ReadAll(zr)
	require.NoError(t, err)
	return string(data)
}

// write writes each of texts to lf.
func write(t *testing.T, lf *File, texts ...string) {
	t.Helper()
	for _, s := range texts {
		n, err := lf.Write([]byte(s))
		require.NoError(t, err)
		require.Equal(t, len(s), n)
	}
}

func TestRotatesAndKeepsBackups(t *testing.T) {
	t.Parallel()
	for _, compress := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "gzip"}[compress], func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "logs", "web.log")
			lf, err := Open(path, Options{MaxBytes: 10, Backups: 2, Compress: compress})
			require.NoError(t, err)
			// Each write but the first goes past 10 bytes: a rotation.
			write(t, lf, "first\n", "second\n", "third\n", "fourth\n")
			require.NoError(t, lf.Close())

			ext := map[bool]string{false: "", true: ".gz"}[compress]
			assert.Equal(t, []string{"web.log", "web.log.1" + ext, "web.log.2" + ext}, names(t, filepath.Join(dir, "logs")))
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, "fourth\n", string(data))
			read := func(name string) string {
				if compress {
					return gunzip(t, name)
				}
				data, err := os.ReadFile(name)
				require.NoError(t, err)
				return string(data)
			}
			assert.Equal(t, "third\n", read(path+".1"+ext))
			assert.Equal(t, "second\n", read(path+".2"+ext))

			fi, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o640), fi.Mode().Perm()&^umask(), "a new file is 0640 less the umask")
		})
	}
}

// umask returns the process's umask.
func umask() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}

// With no backups, a rotation empties the file.
func TestNoBackups(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "web.log")
	lf, err := Open(path, Options{MaxBytes: 10, Compress: true})
	require.NoError(t, err)
	write(t, lf, "first\n", "second\n")
	require.NoError(t, lf.Close())
	assert.Equal(t, []string{"web.log"}, names(t, dir))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "second\n", string(data))
}

// An existing file is appended to, and its size counts towards MaxBytes.
func TestAppendsToAnExistingFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "web.log")
	require.NoError(t, os.WriteFile(path, []byte("earlier\n"), 0o600))
	lf, err := Open(path, Options{MaxBytes: 10, Backups: 1})
	require.NoError(t, err)
	write(t, lf, "later\n")
	require.NoError(t, lf.Close())
	data, err := os.ReadFile(path + ".1")
	require.NoError(t, err)
	assert.Equal(t, "earlier\n", string(data))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the new file has the mode of the one it replaces")
}

// A directory another user can write to is refused, as logrotate refuses
// it, and nothing is created in it.
func TestInsecureDirRefused(t *testing.T) {
	testbuild.NeedRoot(t)
	t.Parallel()
	for _, tt := range []struct {
		name     string
		mode     os.FileMode
		uid, gid int
		refused  bool
	}{
		{"mode 0777", 0o777, 0, 0, true},
		{"sticky, as /tmp", 0o777 | os.ModeSticky, 0, 0, true},
		{"writable by others only", 0o703, 0, 0, true},
		{"owned by nobody", 0o755, nobody, 0, true},
		{"writable by group nobody", 0o775, 0, nobody, true},
		{"writable by group root", 0o775, 0, 0, false},
		{"the caller's, 0755", 0o755, 0, nobody, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "logs")
			require.NoError(t, os.Mkdir(dir, 0o700))
			require.NoError(t, os.Chown(dir, tt.uid, tt.gid))
			require.NoError(t, os.Chmod(dir, tt.mode))
			lf, err := Open(filepath.Join(dir, "web.log"), Options{})
			if !tt.refused {
				require.NoError(t, err)
				require.NoError(t, lf.Close())
				return
			}
			require.ErrorIs(t, err, ErrInsecureDir)
			assert.Contains(t, err.Error(), dir)
			assert.Empty(t, names(t, dir))
		})
	}
}

// A log file that is a link, a FIFO or a directory is refused, and the
// file a link points to is left alone.
func TestNotRegularRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	shadow, unchanged := testbuild.RootFile(t)
	require.NoError(t, os.Symlink(shadow, filepath.Join(dir, "link.log")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo.log"), 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "dir.log"), 0o700))
	for _, name := range []string{"link.log", "fifo.log", "dir.log"} {
		lf, err := Open(filepath.Join(dir, name), Options{})
		if !assert.ErrorIs(t, err, ErrNotRegular, name) {
			require.NoError(t, lf.Close())
		}
	}
	unchanged()
}

// Rotation renames and removes names without following the links planted
// at them, and creates each file anew: the files they point to are left
// alone.
func TestRotationFollowsNoLink(t *testing.T) {
	t.Parallel()
	for _, compress := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "gzip"}[compress], func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "web.log")
			lf, err := Open(path, Options{MaxBytes: 10, Backups: 3, Compress: compress})
			require.NoError(t, err)
			var checks []func()
			for _, name := range []string{"web.log.1", "web.log.1.gz", "web.log.1.gz.tmp", "web.log.2", "web.log.2.gz", "web.log.3", "web.log.3.gz", "web.log.4.gz"} {
				shadow, unchanged := testbuild.RootFile(t)
				require.NoError(t, os.Symlink(shadow, filepath.Join(dir, name)))
				checks = append(checks, unchanged)
			}
			for range 6 {
				write(t, lf, "0123456789\n") // each a rotation, but the first
			}
			require.NoError(t, lf.Close())
			for _, unchanged := range checks {
				unchanged()
			}
			// What is left: our files, and the links at names that are not
			// (or no longer) those of a backup.
			want := map[bool][]string{
				false: {"web.log", "web.log.1", "web.log.1.gz.tmp", "web.log.2", "web.log.3", "web.log.4.gz"},
				true:  {"web.log", "web.log.1.gz", "web.log.2.gz", "web.log.3.gz", "web.log.4.gz"},
			}[compress]
			require.Equal(t, want, names(t, dir))
			for _, name := range want {
				fi, err := os.Lstat(filepath.Join(dir, name))
				require.NoError(t, err)
				isLink := name == "web.log.4.gz" || name == "web.log.1.gz.tmp"
				assert.Equal(t, isLink, fi.Mode()&os.ModeSymlink != 0, "%s: %v", name, fi.Mode())
			}
		})
	}
}

// A directory renamed and replaced by a link after Open changes nothing:
// the file, and the rotations, stay in the directory opened.
func TestDirSwappedAfterOpen(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir, elsewhere := filepath.Join(root, "logs"), filepath.Join(root, "elsewhere")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.Mkdir(elsewhere, 0o755))
	lf, err := Open(filepath.Join(dir, "web.log"), Options{MaxBytes: 10, Backups: 1})
	require.NoError(t, err)
	require.NoError(t, os.Rename(dir, dir+".moved"))
	require.NoError(t, os.Symlink(elsewhere, dir))
	write(t, lf, "0123456789\n", "rotated\n")
	require.NoError(t, lf.Close())
	assert.Empty(t, names(t, elsewhere))
	assert.Equal(t, []string{"web.log", "web.log.1"}, names(t, dir+".moved"))
}

// A rotated file gets the mode and owner of the file it replaces, set on
// its descriptor.
func TestRotationKeepsOwner(t *testing.T) {
	testbuild.NeedRoot(t)
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "web.log")
	require.NoError(t, os.WriteFile(path, []byte("0123456789\n"), 0o604))
	require.NoError(t, os.Chmod(path, 0o604))
	require.NoError(t, os.Chown(path, nobody, nobody))
	lf, err := Open(path, Options{MaxBytes: 10, Backups: 1, Compress: true})
	require.NoError(t, err)
	write(t, lf, "next\n")
	require.NoError(t, lf.Close())
	for _, name := range []string{path, path + ".1.gz"} {
		fi, err := os.Stat(name)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o604), fi.Mode().Perm(), name)
		assert.Equal(t, uint32(nobody), fi.Sys().(*syscall.Stat_t).Uid, name)
		assert.Equal(t, uint32(nobody), fi.Sys().(*syscall.Stat_t).Gid, name)
	}
}

// A NAME.1 that a compression did not finish is compressed at Open; one
// compressed already is removed.
func TestRecoversAnUnfinishedCompression(t *testing.T) {
	t.Parallel()
	for _, done := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "web.log")
		require.NoError(t, os.WriteFile(path+".1", []byte("left over\n"), 0o640))
		if done {
			zf, err := os.Create(path + ".1.gz")
			require.NoError(t, err)
			zw := gzip.NewWriter(zf)
			_, err = zw.Write([]byte("compressed\n"))
			require.NoError(t, err)
			require.NoError(t, zw.Close())
			require.NoError(t, zf.Close())
		}
		lf, err := Open(path, Options{MaxBytes: 10, Backups: 2, Compress: true})
		require.NoError(t, err)
		require.NoError(t, lf.Close())
		assert.Equal(t, []string{"web.log", "web.log.1.gz"}, names(t, dir))
		want := map[bool]string{false: "left over\n", true: "compressed\n"}[done]
		assert.Equal(t, want, gunzip(t, path+".1.gz"))
	}
}

// Close ends the File: a later Write fails, a second Close does nothing.
func TestClose(t *testing.T) {
	t.Parallel()
	lf, err := Open(filepath.Join(t.TempDir(), "web.log"), Options{})
	require.NoError(t, err)
	require.NoError(t, lf.Close())
	_, err = lf.Write([]byte("late\n"))
	assert.ErrorIs(t, err, os.ErrClosed)
	assert.NoError(t, lf.Close())
}
