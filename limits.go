package overseer

import (
	"fmt"
	"io/fs"
	"strings"
)

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

var resourceNames = enumNames{typ: "Resource", names: []string{
	ResourceAS:         "AS",
	ResourceCORE:       "CORE",
	ResourceCPU:        "CPU",
	ResourceDATA:       "DATA",
	ResourceFSIZE:      "FSIZE",
	ResourceLOCKS:      "LOCKS",
	ResourceMEMLOCK:    "MEMLOCK",
	ResourceMSGQUEUE:   "MSGQUEUE",
	ResourceNICE:       "NICE",
	ResourceNOFILE:     "NOFILE",
	ResourceNPROC:      "NPROC",
	ResourceRSS:        "RSS",
	ResourceRTPRIO:     "RTPRIO",
	ResourceRTTIME:     "RTTIME",
	ResourceSIGPENDING: "SIGPENDING",
	ResourceSTACK:      "STACK",
}}

// String returns the resource's name without RLIMIT_: "NOFILE", "CORE",
// and so on.
func (r Resource) String() string { return resourceNames.String(int(r)) }

// MarshalText encodes the resource as its name ("NOFILE").
func (r Resource) MarshalText() ([]byte, error) { return resourceNames.marshal(int(r)) }

// UnmarshalText decodes a resource from its name, in upper or lower case
// ("NOFILE", "nofile"), with or without the prefix RLIMIT_.
func (r *Resource) UnmarshalText(text []byte) error {
	name := strings.TrimPrefix(strings.ToUpper(string(text)), "RLIMIT_")
	v, err := resourceNames.parse([]byte(name))
	if err != nil {
		return fmt.Errorf("%w: unknown Resource %q", ErrInvalid, text)
	}
	*r = Resource(v)
	return nil
}
