//go:build linux

package config

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sparse makes a file of size bytes (zeros, no disk taken) in dir.
func sparse(t *testing.T, dir, name string, size int64) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(size))
	require.NoError(t, f.Close())
	return path
}

// A file over 4 MiB, the Procfile or YAML file or an env file, is refused
// with an error that names it and the limit, and nothing is loaded. One of
// 4 MiB exactly is read.
func TestOversizeFileRefused(t *testing.T) {
	t.Parallel()
	const big = 50 << 20 // the size of the report
	for _, tt := range []struct {
		name string
		// setup makes the files in dir, and returns the one refused and
		// the Load that reads it.
		setup func(dir string) (string, func() error)
	}{
		{"yaml", func(dir string) (string, func() error) {
			path := sparse(t, dir, "overseer.yaml", big)
			return path, func() error { _, err := Load(path, Options{Environ: []string{}}); return err }
		}},
		{"Procfile", func(dir string) (string, func() error) {
			path := sparse(t, dir, "Procfile", MaxFileBytes+1)
			return path, func() error { _, err := Load(path, Options{Environ: []string{}}); return err }
		}},
		{".env", func(dir string) (string, func() error) {
			file := filepath.Join(dir, "Procfile")
			require.NoError(t, os.WriteFile(file, []byte("web: true\n"), 0o644))
			return sparse(t, dir, ".env", big), func() error { _, err := Load(file, Options{Environ: []string{}}); return err }
		}},
		{"-env", func(dir string) (string, func() error) {
			file := filepath.Join(dir, "Procfile")
			require.NoError(t, os.WriteFile(file, []byte("web: true\n"), 0o644))
			env := sparse(t, dir, "prod.env", big)
			return env, func() error {
				_, err := Load(file, Options{Environ: []string{}, EnvFiles: []string{env}})
				return err
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path, load := tt.setup(t.TempDir())
			err := load()
			require.ErrorIs(t, err, ErrTooLarge)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), "4 MiB")
		})
	}

	// At the limit, the file is read (and then parsed: zeros are not a
	// Procfile, but the error is not the size).
	path := sparse(t, t.TempDir(), "Procfile", MaxFileBytes)
	_, err := Load(path, Options{Environ: []string{}})
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrTooLarge)
}

// The limit holds whatever the size the file reports: of a FIFO fed
// without end, no more than the limit and a byte is read (and what the
// pipe holds): the writer is cut off by the reader's end.
func TestOversizeFIFOReadNoFurther(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "overseer.yaml")
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	const fed = 64 << 20 // what reading all of it would take
	written := make(chan int64, 1)
	go func() {
		var n int64
		defer func() { written <- n }()
		w, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close() // its error after a broken pipe says nothing more
		chunk := make([]byte, 64<<10)
		for n < fed {
			m, err := w.Write(chunk)
			n += int64(m)
			if err != nil {
				return // EPIPE: the reader is gone
			}
		}
	}()
	_, err := Load(path, Options{Environ: []string{}})
	require.ErrorIs(t, err, ErrTooLarge)
	n := <-written
	pipe := int64(1 << 20) // more than a pipe holds (64 KiB by default), and a chunk
	assert.Less(t, n, int64(MaxFileBytes)+pipe, "bytes written before the reader left")
	assert.False(t, errors.Is(err, os.ErrNotExist))
}
