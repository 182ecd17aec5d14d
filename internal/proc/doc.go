// Package proc is the process mechanism under package overseer: it starts a
// program in a process group of its own (with a pidfd on Linux), waits for
// its exit without reaping it, reaps it, signals its group or one member,
// and opens its output pipes or terminal. It also holds what guards a host's
// children against the host's death: the guardian, a second process that is
// the host's executable run again (its init recognizes GuardianEnv), and the
// lifeline, a pipe each child inherits (LifelineEnv); the exec wrapper (its
// init recognizes ExecEnv), which gives a child the variables that hold its
// own pid; the child subreaper; and the look through /proc at what a run
// left behind.
//
// The guardian and the lifeline are process-wide state, because what they
// watch is the process: one guardian and one lifeline serve every caller,
// started on first use and kept for the life of the process; so is the
// subreaper attribute (BecomeSubreaper). Everything else is plain
// functions. The policy — when to start, stop, restart, what to report — is
// package overseer's; this package never imports it.
//
// Off Unix (Windows, wasip1) the package builds, and Supported and every
// operation return an error wrapping errors.ErrUnsupported.
package proc

// Platform files. A file's name says where it builds, and its build line,
// if any, says the same:
//
//   - x_linux.go builds on Linux (the name is the constraint);
//   - x_unix.go builds on every Unix (//go:build unix) or, when x_linux.go
//     exists, on the others (//go:build unix && !linux);
//   - x_other.go builds off Unix (//go:build !unix): Windows, wasip1;
//     here unsupported_other.go holds every stub, returning
//     errors.ErrUnsupported;
//   - x_nolinux.go builds everywhere but Linux (//go:build !linux): the
//     stubs of what only Linux has, one copy for the other Unixes and for
//     off Unix (cgroup_nolinux.go, usage_nolinux.go);
//   - a file without a suffix builds everywhere and has no build line.
