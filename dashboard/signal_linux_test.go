//go:build linux

package dashboard

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/internal/testbuild"
)

// A reload signal sent through the API reaches the main process alone: a
// worker of its group that would die of SIGHUP lives on, and the answer
// says "main process". When SIGHUP is the process's StopSignal it reaches
// the whole group, and the worker dies. (Linux: a dead worker is told from
// a live one by /proc, as it stays a zombie of the main process.)
func TestSignalReaches(t *testing.T) {
	o := newOverseer(t)
	h := newHandler(t, o)
	for _, tc := range []struct {
		name       string
		stop       syscall.Signal
		reached    string
		workerDies bool
	}{
		{"reload", 0, "main process", false},
		{"stop-signal", syscall.SIGHUP, "group", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := addChild(t, o, tc.name, "traphup:main got HUP", "spawn:1", "ready", "sleep")
			if tc.stop != 0 {
				c.StopSignal = tc.stop
			}
			if err := o.Start(tc.name); err != nil {
				t.Fatal(err)
			}
			waitOutput(t, o, tc.name, "ready")
			worker := workerPID(t, o, tc.name)
			t.Cleanup(func() { _ = syscall.Kill(worker, syscall.SIGKILL) }) // if it outlives its group

			hup := func(n int) {
				t.Helper()
				r := serve(t, h, request{method: http.MethodPost, path: "/api/processes/" + tc.name + "/signal",
					body: `{"signal":"hup"}`, header: map[string]string{tokenHeader: h.Token()}})
				if r.status != http.StatusOK {
					t.Fatalf("%d %s, want 200", r.status, r.body)
				}
				var answer signalAnswer
				r.json(t, &answer)
				if answer.Reached != tc.reached || answer.Signal != "SIGHUP" || answer.ID != tc.name {
					t.Errorf("answer %s, want signal SIGHUP, reached %q", r.body, tc.reached)
				}
				testbuild.Eventually(t, func() bool {
					st, _ := o.Status(tc.name)
					return strings.Count(strings.Join(st.Stdout, "\n"), "main got HUP") == n
				}, "HUP number %d to reach the main process", n)
			}
			hup(1)
			// A second round trip, so that a worker the first HUP reached
			// has long died of it.
			hup(2)
			if tc.workerDies {
				testbuild.Eventually(t, func() bool { return gone(worker) }, "the worker to die of SIGHUP")
			} else if gone(worker) {
				t.Errorf("the worker died: the HUP reached the group")
			}
			if st, _ := o.Status(tc.name); st.State != overseer.StateRunning {
				t.Errorf("%s is %v, want running: the main process traps HUP", tc.name, st.State)
			}
		})
	}
}

// workerPID is the pid that the test child of process id printed after
// spawning a worker ("pid:N").
func workerPID(t *testing.T, o *overseer.Overseer, id string) int {
	t.Helper()
	var pid int
	testbuild.Eventually(t, func() bool {
		st, err := o.Status(id)
		if err != nil {
			return false
		}
		for _, line := range st.Stdout {
			if s, ok := strings.CutPrefix(line, "pid:"); ok {
				pid, err = strconv.Atoi(s)
				return err == nil
			}
		}
		return false
	}, "%s to print its worker's pid", id)
	return pid
}

// gone reports whether process pid has ended: it is no more, or a zombie.
func gone(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X")
}
