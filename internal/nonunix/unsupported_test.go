//go:build !unix

package nonunix

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/overseer-go/overseer"
)

// TestStartUnsupported checks the promise of the package doc: off Unix,
// Start reports errors.ErrUnsupported, with or without Listeners, alone or
// under an Overseer, and nothing is left running or half started.
func TestStartUnsupported(t *testing.T) {
	for _, name := range []string{"plain", "listeners", "notify"} {
		t.Run(name, func(t *testing.T) {
			c := overseer.NewCmd("true")
			switch name {
			case "listeners":
				c.Listeners = []string{"tcp://127.0.0.1:0"}
			case "notify":
				c.Notify = true
			}
			err := c.Start()
			if !errors.Is(err, errors.ErrUnsupported) {
				t.Fatalf("Start: %v, want an error wrapping errors.ErrUnsupported", err)
			}
			if st := c.Status(); st.State == overseer.StateRunning || st.State == overseer.StateStarting {
				t.Fatalf("after a failed Start the state is %v", st.State)
			}
		})
	}
}

func TestOverseerUnsupported(t *testing.T) {
	o := overseer.NewOverseer()
	if _, err := o.Add("a", "true"); err != nil {
		t.Fatalf("Add: %v", err)
	}
	if err := o.Start("a"); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Start: %v, want an error wrapping errors.ErrUnsupported", err)
	}
	if err := o.Signal("a", syscall.SIGTERM); err == nil {
		t.Fatal("Signal of a process that never ran: no error")
	}
}

func TestSuperviseAllUnsupported(t *testing.T) {
	o := overseer.NewOverseer()
	if _, err := o.Add("a", "true"); err != nil {
		t.Fatalf("Add: %v", err)
	}
	if err := o.SuperviseAll(context.Background()); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("SuperviseAll: %v, want an error wrapping errors.ErrUnsupported", err)
	}
}
