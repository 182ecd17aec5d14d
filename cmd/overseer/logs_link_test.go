//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The security review's attack on the log key: nobody owns the log
// directory's parent and puts there a link to a directory of root's only;
// the command, run as root, must not write or rotate its log there. It is
// refused, naming the process and the directory that let the link in, and
// nothing starts.
func TestLogDirLinkOfAnotherUserRefused(t *testing.T) {
	testbuild.NeedRoot(t)
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		var nob, secret string
		k := startRefused(t, mode, `processes:
  web: {command: 'echo pwned', restart: never, log: nob/logs/web.log}
`, func(dir string) {
			for _, d := range []string{dir, filepath.Dir(dir)} {
				require.NoError(t, os.Chmod(d, 0o755)) // for nobody to reach nob
			}
			secret, nob = filepath.Join(dir, "secret"), filepath.Join(dir, "nob")
			require.NoError(t, os.Mkdir(secret, 0o700))
			require.NoError(t, os.Mkdir(nob, 0o755))
			require.NoError(t, os.Chown(nob, 65534, 65534))
			out, err := exec.Command("runuser", "-u", "nobody", "--", "ln", "-s", secret, filepath.Join(nob, "logs")).CombinedOutput()
			require.NoError(t, err, string(out))
		})
		assert.Equal(t, 2, k.exit(), k.p.stderrText())
		assert.Contains(t, k.p.stderrText(), "overseer: web: log file: directory "+nob+" (on the way to "+filepath.Join(nob, "logs")+") is owned by uid 65534")
		assert.NotContains(t, k.output(), "pwned", "nothing started")
		entries, err := os.ReadDir(secret)
		require.NoError(t, err)
		assert.Empty(t, entries, "nothing written in root's directory")
	})
}

// A link in a directory that only root can change is followed: the log
// is written where it points.
func TestLogDirLinkOfRootFollowed(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := newKeys(t, mode, `processes:
  web: {command: 'echo written', restart: never, log: logs/web.log}
`)
		real := filepath.Join(k.dir, "var", "log")
		require.NoError(t, os.MkdirAll(real, 0o755))
		require.NoError(t, os.Symlink(real, filepath.Join(k.dir, "logs")))
		k.start()
		assert.Equal(t, 0, k.finish(nil), k.p.stderrText())
		data, err := os.ReadFile(filepath.Join(real, "web.log"))
		require.NoError(t, err)
		assert.Contains(t, string(data), "written")
	})
}
