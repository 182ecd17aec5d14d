package testbuild

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// Option configures Main.
type Option func(*mainConfig)

type mainConfig struct {
	pkgs      []string
	paths     []*string
	modes     []func() (code int, ok bool)
	leakCheck bool
}

// Program builds the package directory pkg (relative to the test's
// package, such as "../testdata/child") before the tests run and stores the
// program's path in *path. The programs are removed when the tests end.
func Program(pkg string, path *string) Option {
	return func(c *mainConfig) {
		c.pkgs = append(c.pkgs, pkg)
		c.paths = append(c.paths, path)
	}
}

// Mode gives the test binary another role, for the tests that run it again
// as a child (a client under another uid, a fake server, a fresh
// measurement): before anything else Main calls run, and if run reports ok
// the binary exits with code instead of running the tests.
func Mode(run func() (code int, ok bool)) Option {
	return func(c *mainConfig) { c.modes = append(c.modes, run) }
}

// NoLeakCheck leaves out the check that no test leaves a goroutine behind,
// for the packages whose tests run whole programs rather than goroutines.
func NoLeakCheck() Option {
	return func(c *mainConfig) { c.leakCheck = false }
}

// Main is the TestMain of the module's packages: it runs the modes of
// opts, builds their programs, runs the tests and (unless NoLeakCheck)
// fails the binary if a goroutine outlives them, ignoring GuardianWaiter.
// It does not return.
func Main(m *testing.M, opts ...Option) {
	c := mainConfig{leakCheck: true}
	for _, opt := range opts {
		opt(&c)
	}
	for _, run := range c.modes {
		if code, ok := run(); ok {
			os.Exit(code)
		}
	}
	remove := func() {}
	if len(c.pkgs) > 0 {
		paths, rm, err := Build(c.pkgs...)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		for i, p := range paths {
			*c.paths[i] = p
		}
		remove = rm
	}
	if !c.leakCheck {
		code := m.Run()
		remove()
		os.Exit(code)
	}
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction(GuardianWaiter), goleak.Cleanup(func(code int) {
		remove()
		os.Exit(code)
	}))
}
