package overseer

import "errors"

// Sentinel errors. Errors returned by this package wrap one of these where it
// fits, so callers can test for them with errors.Is.
var (
	// ErrInvalid reports a configuration or argument the package cannot use:
	// empty Args, an empty program or id, a negative buffer size, an invalid
	// signal number.
	ErrInvalid = errors.New("overseer: invalid argument")

	// ErrRunning reports an operation that needs a process to be at rest
	// (not starting, running, stopping or waiting to restart).
	ErrRunning = errors.New("overseer: process is running")

	// ErrNotFound reports an id that is not registered with the Overseer.
	ErrNotFound = errors.New("overseer: process not found")

	// ErrExists reports an id that is already registered with the Overseer.
	ErrExists = errors.New("overseer: process already exists")
)

// Sentinel errors of readiness and start order.
var (
	// ErrNotReady reports a run that did not become ready (see Cmd.Ready)
	// within its ReadyTimeout: the Status.Error of a run ended for that
	// reason, and the error of a rolling restart that kept the old run.
	ErrNotReady = errors.New("overseer: process not ready")

	// ErrDependency reports a process that cannot start because a process
	// it depends on (Cmd.DependsOn) ended fatal, or ended without the
	// success it waited for.
	ErrDependency = errors.New("overseer: dependency failed")
)
