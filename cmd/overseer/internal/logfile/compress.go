//go:build unix

package logfile

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// compression is a backup being compressed by a goroutine of the File,
// which Close and the next rotation wait for.
type compression struct {
	done chan struct{}
	err  error // set before done is closed
}

// startCompression compresses name into name.gz in a goroutine. lf.mu is
// held, and no compression runs.
func (lf *File) startCompression(name string) {
	c := &compression{done: make(chan struct{})}
	lf.compress = c
	go func() {
		defer close(c.done)
		if err := lf.gzip(name); err != nil {
			c.err = fmt.Errorf("%s: compressing %s: %w", lf.path, name, err)
		}
	}()
}

// waitCompression waits for the compression under way, if any, and keeps
// its error for Close. lf.mu is held.
func (lf *File) waitCompression() {
	if lf.compress == nil {
		return
	}
	<-lf.compress.done
	if lf.compress.err != nil {
		lf.errs = append(lf.errs, lf.compress.err)
	}
	lf.compress = nil
}

// recover finishes what a compression cut short left behind: NAME.1 with
// no NAME.1.gz is compressed; NAME.1 next to NAME.1.gz (which is only ever
// renamed into place whole) is removed. A NAME.1 that is not a regular
// file is left to the rotations, which move it without opening it.
func (lf *File) recover() {
	name := lf.backup(1)
	var st unix.Stat_t
	if err := unix.Fstatat(lf.dir, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil || uint32(st.Mode)&unix.S_IFMT != unix.S_IFREG {
		return // none (or not ours to read)
	}
	if err := unix.Fstatat(lf.dir, name+".gz", &st, unix.AT_SYMLINK_NOFOLLOW); err == nil {
		if err := unix.Unlinkat(lf.dir, name, 0); err != nil {
			lf.errs = append(lf.errs, fmt.Errorf("%s: removing %s, compressed already: %w", lf.path, name, err))
		}
		return
	}
	lf.startCompression(name)
}

// gzip writes name, compressed, to name.gz.tmp, then renames that to
// name.gz and removes name. No name is opened through a link.
func (lf *File) gzip(name string) error {
	fd, err := unix.Openat(lf.dir, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	in, st, err := regular(fd, name)
	if err != nil {
		return err
	}
	defer in.Close() // read only: its Close can lose nothing
	tmp := name + ".gz.tmp"
	if err := unix.Unlinkat(lf.dir, tmp, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return err
	}
	out, err := lf.create(tmp, st)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(out)
	_, err = io.Copy(zw, in)
	err = errors.Join(err, zw.Close(), out.Close())
	if err == nil {
		err = unix.Renameat(lf.dir, tmp, lf.dir, name+".gz")
	}
	if err != nil {
		if rmErr := unix.Unlinkat(lf.dir, tmp, 0); rmErr != nil && !errors.Is(rmErr, unix.ENOENT) {
			err = errors.Join(err, rmErr)
		}
		return err
	}
	return unix.Unlinkat(lf.dir, name, 0)
}
