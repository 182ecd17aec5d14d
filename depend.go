package overseer

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/overseer-go/overseer/internal/depgraph"
)

// Dependency is one entry of Cmd.DependsOn: the process ID, and what of it
// SuperviseAll waits for.
type Dependency struct {
	// ID is the id of the process depended on.
	ID string `json:"id"`
	// Condition is what it waits for; the zero value is ConditionStarted.
	Condition Condition `json:"condition"`
	// Restart restarts this process after each restart of the process it
	// depends on, once that one meets Condition again, as Docker
	// Compose's depends_on restart: true. Without it, a dependency that
	// restarts, or turns unhealthy, changes nothing for its dependents.
	// Every new run counts, the first excepted: so each tick of a
	// scheduled dependency (see Cmd.Schedule) restarts such dependents.
	//
	// A restart is any new run after an end: a crash, a liveness stop,
	// Overseer.Restart (see Status.Restarts). SuperviseAll does it, as it
	// keeps the start order, while it runs, for a dependent it has
	// started (or found started) and that is still supervised: it is
	// restarted as by Overseer.Restart (rolling, with Listeners), and
	// its Status.Restarts counts it. A dependency that restarts again
	// while its dependent's restart is in progress restarts it once more
	// after.
	Restart bool `json:"restart,omitempty"`
}

// Condition is what a dependent process waits for of the process it depends
// on (see Dependency).
type Condition uint8

// The conditions of a Dependency.
const (
	// ConditionStarted: the process has been started (its program is
	// executing, ready or not, or has executed since SuperviseAll began
	// and was not stopped).
	ConditionStarted Condition = iota
	// ConditionReady: the process is ready (state running; see Cmd.Ready).
	// One that has ended for good (finished, fatal) while they waited
	// fails its dependents, ready once or not: it will not be ready again.
	ConditionReady
	// ConditionCompleted: the process has finished with a success exit
	// code (see Cmd.SuccessCodes), as a setup job does. One that finished
	// with a failure code fails its dependents.
	ConditionCompleted
	// ConditionHealthy: the process is running and its liveness probe
	// has passed (Status.Health is HealthHealthy; see Cmd.Liveness). A
	// process without a liveness probe is healthy once it is ready.
	ConditionHealthy
)

var conditionNames = enumNames{typ: "Condition", names: []string{
	ConditionStarted:   "started",
	ConditionReady:     "ready",
	ConditionCompleted: "completed",
	ConditionHealthy:   "healthy",
}}

// String returns "started", "ready", "completed" or "healthy".
func (c Condition) String() string { return conditionNames.String(int(c)) }

// MarshalText encodes the condition as its name.
func (c Condition) MarshalText() ([]byte, error) { return conditionNames.marshal(int(c)) }

// UnmarshalText decodes a condition from its name, as written by
// MarshalText.
func (c *Condition) UnmarshalText(text []byte) error {
	return unmarshalEnum(conditionNames, c, text)
}

// check reports what is wrong with d as a dependency of process self.
func (d Dependency) check(self string) error {
	if err := CheckID(d.ID); err != nil {
		return err
	}
	if self != "" && d.ID == self {
		return fmt.Errorf("%s depends on itself", self)
	}
	if d.Condition > ConditionHealthy {
		return fmt.Errorf("%s: condition %d is not a Condition", d.ID, d.Condition)
	}
	return nil
}

// dependsOn returns c's DependsOn as of its registration, SuperviseAll's
// beginning or its last start (see Cmd): never read from the field, which
// the caller may be writing. The slice is shared: do not modify it.
func (c *Cmd) dependsOn() []Dependency {
	return c.load().spec.dependsOn
}

// graphOf returns the dependency graph of cmds: g[id] lists the ids id
// depends on, in DependsOn order, without repeats.
func graphOf(cmds []*Cmd) depgraph.Graph {
	g := make(depgraph.Graph, len(cmds))
	for _, c := range cmds {
		var ids []string
		for _, d := range c.dependsOn() {
			if !slices.Contains(ids, d.ID) {
				ids = append(ids, d.ID)
			}
		}
		g[c.id] = ids
	}
	return g
}

// checkDependencies checks the DependsOn of the processes cmds, all
// registered: every entry valid, every id registered, no cycle. It returns
// nil, or every problem joined, each wrapping ErrInvalid and naming the
// processes.
func checkDependencies(cmds []*Cmd) error {
	var errs []error
	for _, c := range cmds {
		errs = append(errs, checkEntries(c, c.dependsOn())...)
	}
	g := graphOf(cmds)
	for _, id := range g.IDs() {
		for _, dep := range g[id] {
			if _, ok := g[dep]; !ok && dep != id && CheckID(dep) == nil {
				errs = append(errs, unknownDependency(id, dep))
			}
		}
	}
	for _, cycle := range g.Cycles() {
		errs = append(errs, cycleError(cycle))
	}
	return errors.Join(errs...)
}

// checkEntries checks each entry of deps, the DependsOn of c.
func checkEntries(c *Cmd, deps []Dependency) []error {
	var errs []error
	for _, d := range deps {
		if err := d.check(c.id); err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: DependsOn: %v", ErrInvalid, c.id, err))
		}
	}
	return errs
}

// checkLate checks the DependsOn of c, deps, when c is added while
// SuperviseAll runs: the entries, their ids in registry g, and a cycle
// through c.
func checkLate(c *Cmd, deps []Dependency, g depgraph.Graph) error {
	errs := checkEntries(c, deps)
	for _, d := range deps {
		if _, ok := g[d.ID]; !ok && d.ID != c.id && CheckID(d.ID) == nil {
			errs = append(errs, unknownDependency(c.id, d.ID))
		}
	}
	if cycle := g.CycleThrough(c.id); cycle != nil {
		errs = append(errs, cycleError(cycle))
	}
	return errors.Join(errs...)
}

func unknownDependency(id, dep string) error {
	return fmt.Errorf("%w: %s depends on unknown process %q", ErrInvalid, id, dep)
}

func cycleError(cycle []string) error {
	return fmt.Errorf("%w: dependency cycle: %s", ErrInvalid, strings.Join(cycle, " -> "))
}

// stopOrder returns, for each of cmds, the processes among cmds that depend
// on it, which StopAll stops first. Edges to unknown ids are ignored, and so
// are those within a cycle (a strongly connected set), so that the
// processes of a cycle stop in parallel instead of waiting for each other.
func stopOrder(cmds []*Cmd) map[*Cmd][]*Cmd {
	byID := make(map[string]*Cmd, len(cmds))
	for _, c := range cmds {
		byID[c.id] = c
	}
	dependents := make(map[*Cmd][]*Cmd)
	for id, ids := range graphOf(cmds).StopOrder() {
		c := byID[id]
		for _, d := range ids {
			dependents[c] = append(dependents[c], byID[d])
		}
	}
	return dependents
}
