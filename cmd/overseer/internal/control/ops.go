//go:build unix

package control

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/overseer-go/overseer"
)

// operate performs req, any operation but logs, on o and returns the
// answer. ctx ends the wait of a start.
func operate(ctx context.Context, o *overseer.Overseer, req Request) (Response, error) {
	switch req.Op {
	case OpStatus:
		return Response{OK: true, Processes: o.ToJSONAll()}, nil
	case OpStart:
		return change(o, req.ID, func() error { return startReady(ctx, o, req.ID) })
	case OpStop:
		return change(o, req.ID, func() error { return o.Stop(req.ID) })
	case OpRestart:
		return change(o, req.ID, func() error { return o.Restart(req.ID) })
	case OpUpgrade:
		return change(o, req.ID, func() error { return o.Upgrade(req.ID, req.Args...) })
	case OpSignal:
		return forward(o, req)
	}
	return Response{}, fmt.Errorf("overseer: control: unknown op %q (status, start, stop, restart, upgrade, signal, logs)", req.Op)
}

// change does op to process id and answers with the process as it was
// before and as it is after.
func change(o *overseer.Overseer, id string, op func() error) (Response, error) {
	before, err := o.ToJSON(id)
	if err != nil {
		return Response{}, err
	}
	if err := op(); err != nil {
		return Response{}, err
	}
	after, err := o.ToJSON(id)
	if err != nil { // removed meanwhile
		return Response{}, err
	}
	return Response{OK: true, Before: &before, Process: &after}, nil
}

// startReady starts process id, which must be at rest, and returns once its
// first run is ready (running), as Restart does: nil then, or for a run
// that finished with a success exit code (a job); an error wrapping
// overseer.ErrNotReady for a run that could not start, ended otherwise, or
// was stopped before it was ready. A run that is still starting when ctx is
// done is left to go on, and the error says so.
func startReady(ctx context.Context, o *overseer.Overseer, id string) error {
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	// Watched from before the start, so that no change of the run is
	// missed; the subscription keeps a backlog, so none is lost either.
	events := make(chan overseer.Event, 64)
	stop := o.Watch(events)
	defer stop()
	if err := o.Start(id); err != nil {
		return err
	}
	if c.Schedule != nil && !c.RunOnStart { // the command never changes them once the Cmd is added
		return nil // its first run comes at its next tick
	}
	for {
		select {
		case ev := <-events:
			if ev.ID != id {
				continue
			}
			switch ev.To {
			case overseer.StateRunning:
				return nil
			case overseer.StateFinished:
				// The command never changes SuccessCodes once the Cmd is added.
				if ev.Exit == 0 || slices.Contains(c.SuccessCodes, ev.Exit) {
					return nil
				}
				return notReady(ev)
			case overseer.StateBackoff, overseer.StateFatal, overseer.StateInterrupted:
				return notReady(ev)
			}
		case <-ctx.Done():
			return fmt.Errorf("overseer: control: start %s: the server is ending before the run is ready: %w", id, ctx.Err())
		}
	}
}

// notReady is the error of a first run that came to ev before it was ready.
func notReady(ev overseer.Event) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: the run", ev.ID)
	if ev.PID != 0 {
		fmt.Fprintf(&b, " (pid %d)", ev.PID)
	}
	fmt.Fprintf(&b, " is %v before it was ready", ev.To)
	if ev.Exit >= 0 {
		fmt.Fprintf(&b, ", after exit code %d", ev.Exit)
	}
	if ev.Error != "" {
		fmt.Fprintf(&b, ": %s", ev.Error)
	}
	return fmt.Errorf("%w: %s", overseer.ErrNotReady, b.String())
}

// forward passes req.Signal on to process req.ID as overseer.Forward does,
// and says where it went.
func forward(o *overseer.Overseer, req Request) (Response, error) {
	sig, err := overseer.ParseSignal(req.Signal)
	if err != nil {
		return Response{}, err
	}
	c, err := o.Cmd(req.ID)
	if err != nil {
		return Response{}, err
	}
	before := c.ToJSON()
	reached, err := c.Forward(sig)
	if err != nil {
		return Response{}, err
	}
	sent := Delivery{Signal: signalName(req.Signal), Group: reached.Group, PID: reached.PID}
	after := c.ToJSON()
	return Response{OK: true, Before: &before, Process: &after, Sent: &sent}, nil
}

// signalName is the name of a signal as ParseSignal took it: "hup" is
// "SIGHUP".
func signalName(name string) string {
	s := strings.ToUpper(strings.TrimSpace(name))
	if !strings.HasPrefix(s, "SIG") {
		s = "SIG" + s
	}
	return s
}
