// Package testbuild builds the helper programs of the tests (testdata/child
// and testdata/host) once per test binary, without -race and without cgo,
// so that they start in about a millisecond and exit at once: a -race
// binary sleeps a second at exit.
package testbuild

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// Build builds each package directory of pkgs (relative to the test's
// package, such as "../testdata/child") into a new temporary directory,
// and returns the programs' paths in the same order and the function that
// removes them.
func Build(pkgs ...string) (paths []string, remove func(), err error) {
	dir, err := os.MkdirTemp("", "overseer-test-")
	if err != nil {
		return nil, nil, err
	}
	remove = func() { _ = os.RemoveAll(dir) }
	paths = make([]string, len(pkgs))
	errs := make([]error, len(pkgs))
	var wg sync.WaitGroup
	for i, pkg := range pkgs {
		paths[i] = filepath.Join(dir, filepath.Base(pkg))
		wg.Add(1)
		go func() { // the builds go side by side
			defer wg.Done()
			build := exec.Command("go", "build", "-o", paths[i], pkg)
			build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
			if out, err := build.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("building %s: %v\n%s", pkg, err, out)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		remove()
		return nil, nil, err
	}
	return paths, remove, nil
}
