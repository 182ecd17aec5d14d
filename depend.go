package overseer

import "fmt"

// Dependency is one entry of Cmd.DependsOn: the process ID, and what of it
// SuperviseAll waits for.
type Dependency struct {
	// ID is the id of the process depended on.
	ID string `json:"id"`
	// Condition is what it waits for; the zero value is ConditionStarted.
	Condition Condition `json:"condition"`
}

// Condition is what a dependent process waits for of the process it depends
// on (see Dependency).
type Condition uint8

// The conditions of a Dependency.
const (
	// ConditionStarted: the process has been started (its program is
	// executing, ready or not).
	ConditionStarted Condition = iota
	// ConditionReady: the process is ready (state running; see Cmd.Ready).
	ConditionReady
	// ConditionCompleted: the process has finished with a success exit
	// code (see Cmd.SuccessCodes), as a setup job does.
	ConditionCompleted
)

var conditionNames = enumNames{typ: "Condition", names: []string{
	ConditionStarted:   "started",
	ConditionReady:     "ready",
	ConditionCompleted: "completed",
}}

// String returns "started", "ready" or "completed".
func (c Condition) String() string { return conditionNames.String(int(c)) }

// MarshalText encodes the condition as its name.
func (c Condition) MarshalText() ([]byte, error) { return conditionNames.marshal(int(c)) }

// UnmarshalText decodes a condition from its name, as written by
// MarshalText.
func (c *Condition) UnmarshalText(text []byte) error {
	v, err := conditionNames.parse(text)
	if err == nil {
		*c = Condition(v)
	}
	return err
}

// check reports what is wrong with d as a dependency of process self.
func (d Dependency) check(self string) error {
	if err := CheckID(d.ID); err != nil {
		return err
	}
	if self != "" && d.ID == self {
		return fmt.Errorf("%s depends on itself", self)
	}
	if d.Condition > ConditionCompleted {
		return fmt.Errorf("%s: condition %d is not a Condition", d.ID, d.Condition)
	}
	return nil
}
