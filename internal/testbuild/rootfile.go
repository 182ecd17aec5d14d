//go:build unix

package testbuild

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RootFile makes a file of root's only (mode 0600), outside every directory
// the test hands out, for the tests in which a link or a race must not lead
// a write there; it returns the file's path and a check that the file was
// left as it was: its content, mode, owner and group.
func RootFile(t testing.TB) (path string, unchanged func()) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "shadow")
	require.NoError(t, os.WriteFile(path, []byte("root:secret\n"), 0o600))
	before, err := os.Stat(path)
	require.NoError(t, err)
	return path, func() {
		t.Helper()
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, "root:secret\n", string(data), "the root-only file's content")
		after, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, before.Mode(), after.Mode(), "the root-only file's mode")
		b, a := before.Sys().(*syscall.Stat_t), after.Sys().(*syscall.Stat_t)
		assert.Equal(t, b.Uid, a.Uid, "the root-only file's owner")
		assert.Equal(t, b.Gid, a.Gid, "the root-only file's group")
	}
}
