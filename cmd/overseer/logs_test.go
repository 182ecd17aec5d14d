//go:build linux

package main

// The log key and the file itself against a user who can write where the
// command, run as root, writes: through both modes that read a file.

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/overseer-go/overseer/internal/testbuild"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startRefused starts the command in mode on yaml after setup has
// prepared the file's directory, without waiting for a socket it may
// never open.
func startRefused(t *testing.T, mode, yaml string, setup func(dir string)) *keyRun {
	t.Helper()
	k := newKeys(t, mode, yaml)
	setup(k.dir)
	args := []string{"-f", k.file, "-http", ""}
	if mode == "serve" {
		k.socket = filepath.Join(k.dir, "ctl.sock")
		args = append([]string{"serve", "-socket", k.socket}, args...)
	}
	k.p = startCommand(t, args...)
	return k
}

// A log directory another user can write to is refused, with the
// process's name and the directory, and nothing starts: a link planted
// there could make the output go anywhere.
func TestLogDirOfAnotherUserRefused(t *testing.T) {
	testbuild.NeedRoot(t)
	t.Parallel()
	for _, tt := range []struct {
		name  string
		log   string // the log key
		setup func(dir string) string
	}{
		{"mode 0777", "logs/web.log", func(dir string) string {
			d := filepath.Join(dir, "logs")
			require.NoError(t, os.Mkdir(d, 0o755))
			require.NoError(t, os.Chmod(d, 0o777))
			return d
		}},
		{"owned by nobody", "logs/web.log", func(dir string) string {
			d := filepath.Join(dir, "logs")
			require.NoError(t, os.Mkdir(d, 0o755))
			require.NoError(t, os.Chown(d, 65534, 65534))
			return d
		}},
		{"sticky, as /tmp", "shared/web.log", func(dir string) string {
			d := filepath.Join(dir, "shared")
			require.NoError(t, os.Mkdir(d, 0o755))
			require.NoError(t, os.Chmod(d, 0o777|os.ModeSticky))
			return d
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forModes(t, func(t *testing.T, mode string) {
				var logDir string
				k := startRefused(t, mode, `processes:
  other: {command: 'echo started', restart: never}
  web: {command: 'echo started', restart: never, log: `+tt.log+`}
`, func(dir string) { logDir = tt.setup(dir) })
				assert.Equal(t, 2, k.exit(), k.p.stderrText())
				stderr := k.p.stderrText()
				assert.Contains(t, stderr, "overseer: web: log file: directory "+logDir+" is ")
				assert.NotContains(t, k.output(), "started", "nothing started")
				entries, err := os.ReadDir(logDir)
				require.NoError(t, err)
				assert.Empty(t, entries, "nothing created in the directory")
			})
		})
	}
}

// A link planted at the log file's name is refused, and the file it
// points to is left alone.
func TestLogFileLinkRefused(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		shadow, unchanged := testbuild.RootFile(t)
		k := startRefused(t, mode, `processes:
  web: {command: 'echo started', restart: never, log: logs/web.log}
`, func(dir string) {
			require.NoError(t, os.Mkdir(filepath.Join(dir, "logs"), 0o755))
			require.NoError(t, os.Symlink(shadow, filepath.Join(dir, "logs", "web.log")))
		})
		assert.Equal(t, 2, k.exit(), k.p.stderrText())
		assert.Contains(t, k.p.stderrText(), "overseer: web: log file: "+filepath.Join(k.dir, "logs", "web.log")+": ")
		assert.Contains(t, k.p.stderrText(), "a symbolic link")
		assert.NotContains(t, k.output(), "started", "nothing started")
		unchanged()
	})
}

// Past 10 MiB the log file is rotated to web.log.1.gz; links planted at
// the names of backups are moved or removed, never followed.
func TestLogFileRotatesWithoutFollowingLinks(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		var checks []func()
		k := newKeys(t, mode, `processes:
  web: {command: 'head -c 11534336 /dev/zero | tr "\0" x | fold -w 32767', restart: never, log: logs/web.log}
`)
		logs := filepath.Join(k.dir, "logs")
		require.NoError(t, os.Mkdir(logs, 0o755))
		for _, name := range []string{"web.log.1", "web.log.1.gz", "web.log.1.gz.tmp", "web.log.3.gz"} {
			shadow, unchanged := testbuild.RootFile(t)
			require.NoError(t, os.Symlink(shadow, filepath.Join(logs, name)))
			checks = append(checks, unchanged)
		}
		k.start()
		assert.Equal(t, 0, k.finish(nil), k.p.stderrText())
		for _, unchanged := range checks {
			unchanged()
		}

		fi, err := os.Lstat(filepath.Join(logs, "web.log.1.gz"))
		require.NoError(t, err)
		require.True(t, fi.Mode().IsRegular(), "web.log.1.gz is the backup: %v", fi.Mode())
		f, err := os.Open(filepath.Join(logs, "web.log.1.gz"))
		require.NoError(t, err)
		defer f.Close()
		zr, err := gzip.NewReader(f)
		require.NoError(t, err)
		old, err := io.ReadAll(zr)
		require.NoError(t, err)
		current, err := os.ReadFile(filepath.Join(logs, "web.log"))
		require.NoError(t, err)
		assert.LessOrEqual(t, len(old), 10<<20)
		assert.Equal(t, 11534336+11534336/32767, len(old)+len(current), "every byte, in one file or the other")
		assert.Equal(t, 0, strings.Count(string(old)+string(current), "\x00"))
		_, err = os.Lstat(filepath.Join(logs, "web.log.3.gz"))
		assert.ErrorIs(t, err, os.ErrNotExist, "the oldest backup's name is removed (the link itself)")
	})
}

// A file over 4 MiB is refused, with its name and the limit, whichever
// mode reads it.
func TestOversizeFileRefused(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startRefused(t, mode, "", func(dir string) {
			f, err := os.Create(filepath.Join(dir, "overseer.yaml"))
			require.NoError(t, err)
			require.NoError(t, f.Truncate(50<<20)) // the 50 MB, sparse
			require.NoError(t, f.Close())
		})
		assert.Equal(t, 2, k.exit(), k.p.stderrText())
		assert.Contains(t, k.p.stderrText(), "overseer: "+k.file+": config: file over the size limit of 4 MiB")
	})
}
