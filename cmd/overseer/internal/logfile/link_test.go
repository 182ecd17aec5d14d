//go:build linux

package logfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The security review's attack: a user (nobody) owns a directory and puts
// a link there to a directory of root's only; root's log file in the
// nobody's directory must not land in root's, nor rotate anything there.
// The link is followed nowhere: the directory holding it is refused.
func TestLinkInAnotherUsersDirRefused(t *testing.T) {
	testbuild.NeedRoot(t)
	t.Parallel()
	base := reachable(t)
	secret := filepath.Join(base, "secret")
	require.NoError(t, os.Mkdir(secret, 0o700))
	nob := filepath.Join(base, "nob")
	require.NoError(t, os.Mkdir(nob, 0o755))
	require.NoError(t, os.Chown(nob, nobody, nobody))
	out, err := exec.Command("runuser", "-u", "nobody", "--", "ln", "-s", secret, filepath.Join(nob, "logs")).CombinedOutput()
	require.NoError(t, err, string(out))
	shadow := filepath.Join(secret, "web.log.1")
	require.NoError(t, os.WriteFile(shadow, []byte("root:secret\n"), 0o600))

	for _, path := range []string{
		filepath.Join(nob, "logs", "web.log"),
		filepath.Join(nob, "logs", "sub", "web.log"), // would be made, in root's directory
	} {
		lf, err := Open(path, Options{MaxBytes: 1, Backups: 1})
		if !assert.ErrorIs(t, err, ErrInsecureDir, path) {
			require.NoError(t, lf.Close())
			continue
		}
		assert.ErrorContains(t, err, "directory "+nob+" (on the way to "+filepath.Dir(path)+") is owned by uid 65534")
	}
	assert.Equal(t, []string{"web.log.1"}, names(t, secret), "nothing made or moved in root's directory")
	data, err := os.ReadFile(shadow)
	require.NoError(t, err)
	assert.Equal(t, "root:secret\n", string(data))
}

// A link in a directory only root can change is followed: the log file is
// in the directory it points to, and rotates there.
func TestLinkInTrustedDirFollowed(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	real := filepath.Join(base, "var", "log", "app")
	require.NoError(t, os.MkdirAll(real, 0o755))
	require.NoError(t, os.Symlink("var/log/app", filepath.Join(base, "logs")))
	lf, err := Open(filepath.Join(base, "logs", "web.log"), Options{MaxBytes: 10, Backups: 1})
	require.NoError(t, err)
	write(t, lf, "0123456789\n", "rotated\n")
	require.NoError(t, lf.Close())
	assert.Equal(t, []string{"web.log", "web.log.1"}, names(t, real))
}

// A sticky directory others can write to (as /tmp) may be on the way, but
// a link there is followed only if it is root's (or the caller's).
func TestLinkInStickyDir(t *testing.T) {
	testbuild.NeedRoot(t)
	t.Parallel()
	base := reachable(t)
	tmp := filepath.Join(base, "tmp")
	require.NoError(t, os.Mkdir(tmp, 0o755))
	require.NoError(t, os.Chmod(tmp, 0o777|os.ModeSticky))
	secret := filepath.Join(base, "secret")
	require.NoError(t, os.Mkdir(secret, 0o700))
	out, err := exec.Command("runuser", "-u", "nobody", "--", "ln", "-s", secret, filepath.Join(tmp, "theirs")).CombinedOutput()
	require.NoError(t, err, string(out))
	require.NoError(t, os.Symlink(secret, filepath.Join(tmp, "roots")))

	_, err = Open(filepath.Join(tmp, "theirs", "web.log"), Options{})
	require.ErrorIs(t, err, ErrInsecureDir)
	assert.ErrorContains(t, err, "symbolic link "+filepath.Join(tmp, "theirs")+" (on the way to ")
	assert.Empty(t, names(t, secret))

	lf, err := Open(filepath.Join(tmp, "roots", "web.log"), Options{})
	require.NoError(t, err)
	require.NoError(t, lf.Close())
	assert.Equal(t, []string{"web.log"}, names(t, secret))
}

// reachable returns a new directory of root's, mode 0755, that nobody can
// reach.
func reachable(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	for _, d := range []string{base, filepath.Dir(base)} {
		require.NoError(t, os.Chmod(d, 0o755))
	}
	return base
}
