package overseer

import "io/fs"

// UmaskNone is the Cmd.Umask that masks nothing (umask 000): the zero
// Umask keeps the host's mask.
const UmaskNone fs.FileMode = 1 << 12

// Resource names a resource limit of a process (setrlimit(2)), for
// Cmd.Limits.
type Resource int

// The resource limits Cmd.Limits can set, as setrlimit(2) names them
// without their RLIMIT_ prefix.
const (
	ResourceAS Resource = iota + 1
	ResourceCORE
	ResourceCPU
	ResourceDATA
	ResourceFSIZE
	ResourceLOCKS
	ResourceMEMLOCK
	ResourceMSGQUEUE
	ResourceNICE
	ResourceNOFILE
	ResourceNPROC
	ResourceRSS
	ResourceRTPRIO
	ResourceRTTIME
	ResourceSIGPENDING
	ResourceSTACK
)

// Unlimited is the value of a resource limit without a limit
// (RLIM_INFINITY), for Cmd.Limits.
const Unlimited = ^uint64(0)
