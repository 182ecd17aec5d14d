package overseer

import "fmt"

// Hook names the command of a Cmd, other than its program, that wrote a
// Line: a PreStart or PostStop command, or the StopCommand. The program's
// own lines have HookNone.
type Hook uint8

// The hooks of a Cmd.
const (
	HookNone        Hook = iota // the program itself
	HookPreStart                // one of Cmd.PreStart
	HookPostStop                // one of Cmd.PostStop
	HookStopCommand             // Cmd.StopCommand
)

var hookNames = enumNames{typ: "Hook", names: []string{
	HookNone:        "none",
	HookPreStart:    "pre_start",
	HookPostStop:    "post_stop",
	HookStopCommand: "stop_command",
}}

// String returns "none", "pre_start", "post_stop" or "stop_command".
func (h Hook) String() string { return hookNames.String(int(h)) }

// MarshalText encodes the hook as its name.
func (h Hook) MarshalText() ([]byte, error) { return hookNames.marshal(int(h)) }

// UnmarshalText decodes a hook from its name, as written by MarshalText.
func (h *Hook) UnmarshalText(text []byte) error { return unmarshalEnum(hookNames, h, text) }

// HookError is the error of a hook command that failed: the Status.Error
// of a start that a PreStart command failed, and what is logged of a
// PostStop command or a StopCommand that failed. Its text names the
// command: "overseer: web: pre_start[0] \"./migrate\": exit status 1".
type HookError struct {
	Name    string // the process's id, or its program for a Cmd outside an Overseer
	Hook    Hook   // which of the Cmd's hooks
	Index   int    // its place in PreStart or PostStop; 0 for the StopCommand
	Command string // the command line, or the shell line of /bin/sh -c
	Err     error  // how it failed: "exit status 1", "killed after 1m0s", an exec error
}

// Error names the process and the command, and says how it failed.
func (e *HookError) Error() string {
	if e.Hook == HookStopCommand {
		return fmt.Sprintf("overseer: %s: %v %q: %v", e.Name, e.Hook, e.Command, e.Err)
	}
	return fmt.Sprintf("overseer: %s: %v[%d] %q: %v", e.Name, e.Hook, e.Index, e.Command, e.Err)
}

// Unwrap returns Err.
func (e *HookError) Unwrap() error { return e.Err }
