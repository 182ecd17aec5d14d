package overseer

import (
	"errors"
	"fmt"
	"math"

	"github.com/overseer-go/overseer/internal/proc"
)

// CgroupMode says whether an Overseer starts each run in a control group of
// its own (see WithCgroups).
type CgroupMode uint8

const (
	// CgroupAuto uses a control group per run where the host can make
	// them (a writable cgroup2 hierarchy), and process groups alone
	// elsewhere. It is the default.
	CgroupAuto CgroupMode = iota
	// CgroupRequired uses control groups, and makes Add fail with the
	// reason when the host cannot make them.
	CgroupRequired
	// CgroupOff tracks runs by their process groups alone.
	CgroupOff
)

// cgroupModeNames are the names of the CgroupModes.
var cgroupModeNames = enumNames{typ: "CgroupMode", names: []string{
	CgroupAuto:     "auto",
	CgroupRequired: "required",
	CgroupOff:      "off",
}}

// String returns the mode's name: "auto", "required" or "off".
func (m CgroupMode) String() string { return cgroupModeNames.String(int(m)) }

// MarshalText encodes the mode as its name.
func (m CgroupMode) MarshalText() ([]byte, error) { return cgroupModeNames.marshal(int(m)) }

// UnmarshalText sets the mode from its name; an unknown name is an error
// wrapping ErrInvalid.
func (m *CgroupMode) UnmarshalText(text []byte) error {
	return unmarshalEnum(cgroupModeNames, m, text)
}

// WithCgroups sets whether each run starts in a control group of its own
// (cgroup v2), where no process of the run can leave it: Stop and the
// SIGKILL after StopTimeout reach every process of the group, those that
// left the process group by setsid or a double fork included, and a run
// ends only when its control group is empty. The groups are made under
// the host's own cgroup, in one named overseer.<pid>, and removed when
// their runs end. Without this option the mode is CgroupAuto. See
// Overseer.Cgroup for the mode in use.
func WithCgroups(mode CgroupMode) Option {
	return func(o *Overseer) { o.cgroupMode = mode }
}

// Cgroup returns the control group under which the Overseer starts its
// runs, each in one of its own (a path under the cgroup2 mount), or ""
// and why it uses process groups alone: an error wrapping
// errors.ErrUnsupported where the host cannot make control groups, nil
// with CgroupOff. A Cmd outside an Overseer uses process groups alone.
func (o *Overseer) Cgroup() (string, error) {
	if o.cgroupMode == CgroupOff {
		return "", nil
	}
	cs, err := proc.OpenCgroups()
	if err != nil {
		return "", err
	}
	return cs.Dir(), nil
}

// cgroupLimits checks MemoryLimit, CPUQuota and TasksMax, and returns the
// control-group limits they make, or an error wrapping ErrInvalid that
// names the field: for a bad value, and for a limit that needs a
// controller the runs cannot have here, which wraps
// errors.ErrUnsupported too. (MemoryLimit's range is checked with the
// other sizes.)
func (c *Cmd) cgroupLimits() (proc.CgroupLimits, error) {
	switch {
	case c.CPUQuota < 0 || math.IsNaN(c.CPUQuota) || math.IsInf(c.CPUQuota, 0):
		return proc.CgroupLimits{}, fmt.Errorf("%w: %s: CPUQuota %v is not a share of a core (0.5 is half of one)", ErrInvalid, c.name(), c.CPUQuota)
	case c.CPUQuota > 0 && c.CPUQuota < 0.01:
		return proc.CgroupLimits{}, fmt.Errorf("%w: %s: CPUQuota %v is below 1%% of a core", ErrInvalid, c.name(), c.CPUQuota)
	case c.TasksMax < 0:
		return proc.CgroupLimits{}, fmt.Errorf("%w: %s: TasksMax is negative (%d)", ErrInvalid, c.name(), c.TasksMax)
	}
	limits := proc.CgroupLimits{MemoryMax: c.MemoryLimit, CPUQuota: c.CPUQuota, PidsMax: c.TasksMax}
	if err := c.controllersFor(limits); err != nil {
		return proc.CgroupLimits{}, fmt.Errorf("%w: %s: %w", ErrInvalid, c.name(), err)
	}
	return limits, nil
}

// controllersFor returns why the runs of c cannot have the controllers
// limits need (CPUQuota, TasksMax), an error wrapping
// errors.ErrUnsupported; nil if they can.
func (c *Cmd) controllersFor(limits proc.CgroupLimits) error {
	var needs string
	switch {
	case limits.CPUQuota > 0:
		needs = "CPUQuota"
	case limits.PidsMax > 0:
		needs = "TasksMax"
	default:
		return nil
	}
	if !c.cgroups {
		return fmt.Errorf("%s needs a control group, and this Cmd's runs have none (WithCgroups(CgroupOff), or a Cmd outside an Overseer): %w", needs, errors.ErrUnsupported)
	}
	cs, err := proc.OpenCgroups()
	if err != nil {
		return fmt.Errorf("%s needs a control group: %w", needs, err)
	}
	return cs.Check(limits)
}

// newCgroup makes the control group of a run of c with limits, or returns
// nil where the run goes in a process group alone: a Cmd outside an
// Overseer, CgroupOff, a host that cannot make control groups (limits that
// need one were refused by cgroupLimits).
func (c *Cmd) newCgroup(limits proc.CgroupLimits) (*proc.Cgroup, error) {
	if !c.cgroups {
		return nil, nil
	}
	cs, err := proc.OpenCgroups()
	if err != nil {
		return nil, nil // process groups alone, as Overseer.Cgroup says
	}
	return cs.New(c.id, limits)
}
