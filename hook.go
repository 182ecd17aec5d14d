package overseer

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
