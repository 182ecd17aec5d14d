package overseer

// CgroupMode says whether an Overseer starts each run in a control group of
// its own (see WithCgroups).
type CgroupMode int

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
	return "", nil // TODO(issue 16)
}
