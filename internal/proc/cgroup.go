package proc

import (
	"errors"
	"fmt"
)

// The control groups of runs (cgroup v2). Where the host can make them,
// each run starts directly inside a control group of its own (clone3's
// CLONE_INTO_CGROUP), so no process of the run can leave it: setsid and a
// double fork leave the process group, never the control group. The run's
// processes are signalled and killed through it, and the run is over when
// it is empty.
//
// The groups of one host process are made under one of the host's own, a
// child of the host's control group named overseer.PID: process-wide
// state, as the guardian is, because what it is named after is the process.
// It is made at the first run and left, empty, when the host exits; the
// next host to start under the same control group removes it, and kills
// what is left in one whose host is dead (a host killed with its guardian).

// CgroupLimits are the limits a run's control group enforces; a zero field
// means none.
type CgroupLimits struct {
	// MemoryMax is memory.max in bytes (the memory controller).
	MemoryMax int64
	// CPUQuota is cpu.max as a share of one core (the cpu controller).
	CPUQuota float64
	// PidsMax is pids.max (the pids controller).
	PidsMax int
}

// ErrNoController is what a limit whose controller the runs' control
// groups lack is, with errors.Is, as is errors.ErrUnsupported: a
// *ControllerError.
var ErrNoController = errors.New("overseer: the control group has no such controller")

// ControllerError is the error of a limit whose controller the runs'
// control groups lack.
type ControllerError struct {
	Limit      string // the Cmd field: "CPUQuota"
	Controller string // its controller: "cpu"
	Why        string // why the runs' groups lack it
}

// Error says which limit needs which controller, and why there is none.
func (e *ControllerError) Error() string {
	return fmt.Sprintf("%s needs the %s controller, which %s", e.Limit, e.Controller, e.Why)
}

// Is reports ErrNoController and errors.ErrUnsupported.
func (e *ControllerError) Is(target error) bool {
	return target == ErrNoController || target == errors.ErrUnsupported
}
