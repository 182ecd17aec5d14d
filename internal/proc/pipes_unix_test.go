//go:build unix

package proc

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// CheckProgram and checkExecutable name what exec would only report as
// "permission denied" or "no such file", or not at all.
func TestCheckProgram(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	assert.NoError(t, os.WriteFile(file, []byte("#!/bin/sh\n"), 0o644))
	assert.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	for _, tc := range []struct {
		dir, prog string
		is        error
	}{
		{"", "sh", nil},
		{dir, "./file", nil},
		{filepath.Join(dir, "missing"), "sh", os.ErrNotExist},
		{file, "sh", syscall.ENOTDIR},
		{dir, "./sub", syscall.EISDIR},
		{"", dir, syscall.EISDIR},
	} {
		err := CheckProgram(tc.dir, tc.prog)
		if tc.is == nil {
			assert.NoError(t, err, "%q in %q", tc.prog, tc.dir)
		} else {
			assert.ErrorIs(t, err, tc.is, "%q in %q", tc.prog, tc.dir)
		}
	}
	assert.ErrorIs(t, checkExecutable(filepath.Join(dir, "missing")), os.ErrNotExist)
	assert.ErrorIs(t, checkExecutable(dir), syscall.EACCES, "a directory")
	assert.Error(t, checkExecutable(file), "not executable") // even for root: X_OK needs an x bit
	assert.NoError(t, os.Chmod(file, 0o755))
	assert.NoError(t, checkExecutable(file))
}
