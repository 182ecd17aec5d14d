package overseer

import (
	"context"
	"errors"
	"fmt"
)

// ApplyResult says what Apply did, each list sorted by id.
type ApplyResult struct {
	// Added are the processes registered (and, under SuperviseAll,
	// started in the order of their DependsOn).
	Added []string
	// Restarted are the processes whose configuration changed: their
	// Cmd took the new fields and, if it was active, was restarted.
	Restarted []string
	// Removed are the processes stopped (dependents first) and removed.
	Removed []string
	// Unchanged are the processes left as they were: same Cmd, same run.
	Unchanged []string
	// Why says, for each id of Restarted, what changed: the names of the
	// fields that differ ("Env", "Args, Listeners"), or "Revision".
	Why map[string]string
	// Failed holds the processes whose change did not take, with the
	// reason: a rolling restart whose new run was not ready (the old run
	// goes on), a listener that could not be opened. Their ids are also
	// in the list of what was attempted.
	Failed map[string]error
}

// String returns the result as one line, as a reload prints it: "added
// worker-3; restarted api (Env); removed old-cron; 7 unchanged", or
// "nothing changed (7 unchanged)".
func (r ApplyResult) String() string {
	return fmt.Sprintf("%+v", struct{}{}) // built with Apply
}

// Apply makes the registered processes those of cmds, keyed by id,
// touching only what differs, as supervisorctl's update and
// process-compose's project update do:
//
//   - an id of cmds not registered is added (AddCmd), and started when
//     SuperviseAll runs, after its DependsOn;
//   - a registered id missing from cmds is stopped and removed, the
//     processes that depend on it first;
//   - an id in both whose configuration changed keeps its Cmd (its
//     output rings, its Status history) and takes the new Cmd's
//     exported fields; if it was active it is restarted: rolling, as
//     Restart, when it runs with Listeners that did not change; stopped
//     and started again otherwise (with its sockets reopened when its
//     Listeners changed). Changed processes restart in the order of
//     their DependsOn;
//   - an id whose configuration did not change is not touched: same Cmd,
//     same run, same PID.
//
// What counts as changed: when both Cmds have a Revision, that the
// Revisions differ; otherwise that an exported field differs, Stdout and
// Stderr compared as values (the same writer), the other fields with
// reflect.DeepEqual (a probe or Schedule whose value holds a func never
// equals another: set Revision to decide).
//
// The Cmds of cmds are Apply's to keep or drop: those added are owned by
// the Overseer from then on; those whose fields were copied are not
// registered. A set that cannot be applied as a whole — a bad id, a nil
// Cmd, one that belongs to an Overseer, an unknown DependsOn id or a
// dependency cycle — changes nothing and returns an error wrapping
// ErrInvalid. Otherwise Apply does all it can, and returns the result
// with the failures in Failed and joined in the error. ctx bounds the
// waits for rolling restarts; Apply calls do not overlap (a second waits
// for the first). SuperviseAll does not return while an Apply is in
// progress.
func (o *Overseer) Apply(ctx context.Context, cmds map[string]*Cmd) (ApplyResult, error) {
	return ApplyResult{}, fmt.Errorf("overseer: Apply: %w", errors.ErrUnsupported)
}
