package overseer

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// hookConfig is a run's copy of the Cmd's hooks: PreStart, PostStop and
// StopCommand, checked. A run without hooks has none (nil), which its
// methods take for no hooks: a runConfig, which a Cmd keeps, grows by a
// pointer only.
type hookConfig struct {
	preStart    [][]string
	postStop    [][]string
	stopCommand []string // nil: StopSignal
}

// pre returns the PreStart commands.
func (h *hookConfig) pre() [][]string {
	if h == nil {
		return nil
	}
	return h.preStart
}

// post returns the PostStop commands.
func (h *hookConfig) post() [][]string {
	if h == nil {
		return nil
	}
	return h.postStop
}

// stop returns the StopCommand, nil for StopSignal.
func (h *hookConfig) stop() []string {
	if h == nil {
		return nil
	}
	return h.stopCommand
}

// keepsEnv reports whether the run needs its environment after its exec:
// for its StopCommand or its PostStop commands.
func (h *hookConfig) keepsEnv() bool {
	return h.stop() != nil || len(h.post()) > 0
}

// hookConfig checks PreStart, PostStop and StopCommand and copies them, or
// returns an error wrapping ErrInvalid that names the field and the entry;
// nil when there are none.
func (c *Cmd) hookConfig() (*hookConfig, error) {
	if len(c.PreStart) == 0 && len(c.PostStop) == 0 && len(c.StopCommand) == 0 {
		return nil, nil
	}
	h := new(hookConfig)
	for _, f := range []struct {
		name string
		list [][]string
		dst  *[][]string
	}{{"PreStart", c.PreStart, &h.preStart}, {"PostStop", c.PostStop, &h.postStop}} {
		for i, args := range f.list {
			if err := checkHookArgs(args); err != nil {
				return nil, fmt.Errorf("%w: %s: %s[%d] %v", ErrInvalid, c.name(), f.name, i, err)
			}
			*f.dst = append(*f.dst, slices.Clone(args))
		}
	}
	if len(c.StopCommand) > 0 {
		if err := checkHookArgs(c.StopCommand); err != nil {
			return nil, fmt.Errorf("%w: %s: StopCommand %v", ErrInvalid, c.name(), err)
		}
		h.stopCommand = slices.Clone(c.StopCommand)
	}
	return h, nil
}

// checkHookArgs checks the command line of a hook: a program, and no NUL
// byte, which exec would refuse at every run.
func checkHookArgs(args []string) error {
	if len(args) == 0 || args[0] == "" {
		return fmt.Errorf("has no program to run")
	}
	for _, a := range args {
		if strings.IndexByte(a, 0) >= 0 {
			return fmt.Errorf("has a NUL byte in %q", a)
		}
	}
	return nil
}

// hookCmd is one command of a Cmd's hooks, as a run runs it.
type hookCmd struct {
	kind  Hook
	index int // in PreStart or PostStop
	args  []string
}

// String names the command for errors and logs: `pre_start[0] "./migrate"`,
// `stop_command "./stop"`. A shell's command line (sh -c LINE, as the
// command's YAML makes them) is shown as LINE.
func (h hookCmd) String() string {
	if h.kind == HookStopCommand {
		return fmt.Sprintf("%v %q", h.kind, h.line())
	}
	return fmt.Sprintf("%v[%d] %q", h.kind, h.index, h.line())
}

// line is the command line of h, or the shell line of /bin/sh -c.
func (h hookCmd) line() string {
	if len(h.args) == 3 && h.args[1] == "-c" && strings.HasSuffix(filepath.Base(h.args[0]), "sh") {
		return h.args[2]
	}
	return strings.Join(h.args, " ")
}
