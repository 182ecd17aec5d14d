//go:build unix

package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/overseer-go/overseer/cmd/overseer/internal/config"
)

// demoYAML is the file "overseer demo" runs: built in, so that it runs from
// any directory.
//
//go:embed demo.yaml
var demoYAML []byte

// candidates are the files the command looks for, in order, when it is
// given no -f: foreman's Procfile first.
var candidates = []string{"Procfile", "overseer.yaml", "overseer.yml"}

// errNoFile is what the command says in a directory with none of the
// candidates.
var errNoFile = errors.New(`no Procfile or overseer.yaml here.
Write a Procfile, one process a line ("name: command"), such as
    web: python3 -m http.server $PORT
    worker: ./worker --queue jobs
then run "overseer" again; or give a file with -f FILE; or see it work first with "overseer demo"`)

// findFile returns the first of the candidates in dir. One that is there
// but cannot be looked at (a dangling link, no permission) is an error, not
// a file that is absent.
func findFile(dir string) (string, error) {
	for _, name := range candidates {
		path := filepath.Join(dir, name)
		fi, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if _, lerr := os.Lstat(path); lerr == nil {
				return "", fmt.Errorf("%s: %w", path, err) // a link to nothing
			}
		case err != nil:
			return "", err
		case !fi.IsDir():
			return path, nil
		}
	}
	return "", errNoFile
}

// loadProcs reads the file of opts (found, when -f is not given), or the
// demo, and returns the processes to run (those named, with what they
// depend on, or all) and the file's absolute path ("" for the demo).
func loadProcs(opts *fileOptions) ([]config.Process, string, error) {
	var (
		procs []config.Process
		file  string
		err   error
	)
	load := config.Options{EnvFiles: opts.envFiles, BasePort: opts.port}
	if opts.mode == "demo" {
		// As if it were a file of the working directory, whose .env it
		// takes.
		file = "the demo"
		procs, err = config.LoadData("demo.yaml", demoYAML, load)
	} else {
		file = opts.file
		if file == "" {
			if file, err = findFile("."); err != nil {
				return nil, "", err
			}
		}
		procs, err = config.Load(file, load)
	}
	if err != nil {
		return nil, "", err
	}
	if procs, err = config.Select(file, procs, opts.names); err != nil {
		return nil, "", err
	}
	if opts.mode == "demo" {
		return procs, "", nil
	}
	abs, err := filepath.Abs(file)
	return procs, abs, err
}
