//go:build !linux

package proc

import (
	"errors"
	"fmt"
	"time"
)

// What a run uses is read through /proc and cgroup v2, Linux facilities:
// elsewhere every reading fails with an error wrapping
// errors.ErrUnsupported.

// errNoUsage is the error of every reading here.
var errNoUsage = fmt.Errorf("proc: reading what processes use: %w", errors.ErrUnsupported)

// GroupSweep reads nothing here (see usage_linux.go).
type GroupSweep struct{}

// Sweep returns an error wrapping errors.ErrUnsupported.
func (*GroupSweep) Sweep([]int, []Usage, bool) error { return errNoUsage }

// Close does nothing.
func (*GroupSweep) Close() {}

// CgroupSweep reads nothing here.
type CgroupSweep struct{}

// Begin does nothing.
func (*CgroupSweep) Begin(string) {}

// Read returns an error wrapping errors.ErrUnsupported.
func (*CgroupSweep) Read(string, bool) (Usage, error) { return Usage{}, errNoUsage }

// End does nothing.
func (*CgroupSweep) End() {}

// Close does nothing.
func (*CgroupSweep) Close() {}

// GroupUsage returns an error wrapping errors.ErrUnsupported.
func GroupUsage(int, bool) (Usage, error) { return Usage{}, errNoUsage }

// CgroupProcs returns an error wrapping errors.ErrUnsupported.
func CgroupProcs(string) ([]int, error) { return nil, errNoUsage }

// CgroupThreads returns an error wrapping errors.ErrUnsupported.
func CgroupThreads(string) (int, error) { return 0, errNoUsage }

// CgroupCPU returns an error wrapping errors.ErrUnsupported.
func CgroupCPU(string) (time.Duration, error) { return 0, errNoUsage }

// CgroupMemory returns an error wrapping errors.ErrUnsupported.
func CgroupMemory(string) (uint64, bool, error) { return 0, false, errNoUsage }

// CgroupUsage returns an error wrapping errors.ErrUnsupported.
func CgroupUsage(string, bool) (Usage, error) { return Usage{}, errNoUsage }
