package proc

import (
	"errors"

	"github.com/overseer-go/overseer/internal/sockets"
)

// The variables this package gives a child, or reads in its init.
const (
	// LifelineEnv names the child's fd of the lifeline (see
	// lifeline_unix.go, and sockets.Layout for where it is).
	LifelineEnv = sockets.LifelineEnv
	// RunTokenEnv marks every descendant of a run (Linux), so that those
	// which left its process group can be found: by a subreaper when the
	// run ends (EndDescendants), by the guardian (see guardian_unix.go),
	// and to tell that a program went to the background (LeftBehind).
	RunTokenEnv = "OVERSEER_RUN"
	// GuardianEnv makes a process the guardian (see guardian_unix.go), when
	// its value is guardianMode.
	GuardianEnv = "OVERSEER_GUARDIAN"
	// ExecEnv makes a process the exec wrapper (see execwrap_unix.go): its
	// value is the program to run in its place.
	ExecEnv = "OVERSEER_EXEC"
	// SetupEnv gives the exec wrapper the Setup it applies before the
	// exec (see Setup.encode); it removes it from the program's
	// environment.
	SetupEnv = "OVERSEER_EXEC_SETUP"
)

// guardianMode is the value of GuardianEnv: a version, so that an old
// host's guardian is never confused with a new one.
const guardianMode = "v3"

// ErrSubreaperTaken is what BecomeSubreaper returns when this process is a
// subreaper already, by an earlier call: the duty of reaping what it adopts
// can have only one owner.
var ErrSubreaperTaken = errors.New("overseer: this process is a subreaper already, for another owner")
