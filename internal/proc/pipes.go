package proc

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// OpenPipes makes the pipes of stdout and stderr: the read ends for the
// reader, the write ends for the child.
func OpenPipes() (reads, ends []*os.File, err error) {
	for range 2 {
		r, w, err := os.Pipe()
		if err != nil {
			CloseAll(reads...)
			CloseAll(ends...)
			return nil, nil, err
		}
		reads, ends = append(reads, r), append(ends, w)
	}
	return reads, ends, nil
}

// CloseAll closes every file of files that is not nil. Its errors are
// dropped: it closes what is done with or abandoned, whose data is read or
// no longer wanted.
func CloseAll(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			_ = f.Close()
		}
	}
}

// CheckProgram finds the errors that exec would report without naming
// what is wrong: a working directory dir that is missing or not a
// directory, and a program path prog (args[0]) that is a directory.
func CheckProgram(dir, prog string) error {
	if dir != "" {
		fi, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("working directory: %w", err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("working directory: %w", &fs.PathError{Op: "chdir", Path: dir, Err: syscall.ENOTDIR})
		}
	}
	if !strings.Contains(prog, "/") {
		return nil // exec's PATH lookup names the program in its errors
	}
	path := prog
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return &fs.PathError{Op: "exec", Path: prog, Err: syscall.EISDIR}
	}
	return nil
}

// checkExecutable returns the error exec would give for a program file
// that is missing, not a regular file, or not executable.
func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &fs.PathError{Op: "exec", Path: path, Err: syscall.EACCES}
	}
	if err := canExecute(path); err != nil {
		return &fs.PathError{Op: "exec", Path: path, Err: err}
	}
	return nil
}
