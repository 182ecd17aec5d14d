package proc

import "time"

// Usage is what a set of processes uses at one time: the members of a
// process group (GroupSweep, GroupUsage) or of a control group
// (CgroupUsage).
type Usage struct {
	// Time is when it was read: when the first member's stat was read,
	// or the control group's cpu.stat; zero for a group with no member.
	// Readings of many groups take a while, and the reader may be
	// descheduled midway: a figure per unit of time needs each one's own
	// time.
	Time time.Time
	// CPU is the user and system time: a control group's usage_usec
	// (its processes that have exited included), or the sum over the
	// members alive now of their own time and what they reaped of their
	// children.
	CPU time.Duration
	// Memory is the resident memory in bytes: a control group's
	// memory.current where it has one, else the sum of the members'
	// resident set sizes.
	Memory uint64
	// Tasks counts the processes (zombies left out), Threads their
	// threads.
	Tasks   int
	Threads int
	// FDs counts the members' open file descriptors; -1 when they were
	// not counted.
	FDs int
}
