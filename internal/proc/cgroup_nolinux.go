//go:build !linux

package proc

import (
	"context"
	"errors"
	"fmt"
	"syscall"
)

// Cgroups is where a host makes the control groups of its runs: Linux
// only.
type Cgroups struct{}

// OpenCgroups returns an error wrapping errors.ErrUnsupported.
func OpenCgroups() (*Cgroups, error) {
	return nil, fmt.Errorf("overseer: no control groups: they are Linux's: %w", errors.ErrUnsupported)
}

// Dir returns "".
func (*Cgroups) Dir() string { return "" }

// Controllers returns nil.
func (*Cgroups) Controllers() []string { return nil }

// HasController returns false.
func (*Cgroups) HasController(string) bool { return false }

// Check returns nil: there are no Cgroups to check here.
func (*Cgroups) Check(CgroupLimits) error { return nil }

// New returns an error wrapping errors.ErrUnsupported.
func (*Cgroups) New(string, CgroupLimits) (*Cgroup, error) { return nil, errors.ErrUnsupported }

// Cgroup is the control group of one run: Linux only.
type Cgroup struct{}

// Dir returns "".
func (*Cgroup) Dir() string { return "" }

// MemoryEnforced returns false.
func (*Cgroup) MemoryEnforced() bool { return false }

// Started does nothing.
func (*Cgroup) Started() {}

// Procs returns an error wrapping errors.ErrUnsupported.
func (*Cgroup) Procs() ([]int, error) { return nil, errors.ErrUnsupported }

// Signal returns an error wrapping errors.ErrUnsupported.
func (*Cgroup) Signal(syscall.Signal) error { return errors.ErrUnsupported }

// Kill returns an error wrapping errors.ErrUnsupported.
func (*Cgroup) Kill() error { return errors.ErrUnsupported }

// WaitEmpty returns an error wrapping errors.ErrUnsupported.
func (*Cgroup) WaitEmpty(context.Context) error { return errors.ErrUnsupported }

// OOMKilled returns false.
func (*Cgroup) OOMKilled() bool { return false }

// Remove does nothing.
func (*Cgroup) Remove() {}

// intoCgroup does nothing.
func intoCgroup(*syscall.SysProcAttr, *Cgroup) {}
