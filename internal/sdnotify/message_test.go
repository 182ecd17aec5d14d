package sdnotify

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		want Message
	}{
		{"READY=1", Message{Sender: 7, Ready: true}},
		{"READY=0\nSTOPPING=0", Message{Sender: 7}},
		{"STATUS=serving\nSTATUS=draining", Message{Sender: 7, HasStatus: true, Status: "draining"}},
		{"STATUS=", Message{Sender: 7, HasStatus: true}},
		{"STATUS=a=b", Message{Sender: 7, HasStatus: true, Status: "a=b"}},
		{"STOPPING=1", Message{Sender: 7, Stopping: true}},
		{"MAINPID=42\nMAINPID=x\nMAINPID=-3\nMAINPID=0", Message{Sender: 7, MainPID: 42}},
		{"WATCHDOG=1", Message{Sender: 7, Ping: true}},
		{"WATCHDOG=trigger", Message{Sender: 7, Trigger: true}},
		{"WATCHDOG=2", Message{Sender: 7}},
		{"WATCHDOG_USEC=1500", Message{Sender: 7, WatchdogTimeout: 1500 * time.Microsecond}},
		{"WATCHDOG_USEC=0\nWATCHDOG_USEC=-1\nWATCHDOG_USEC=x", Message{Sender: 7}},
		{"WATCHDOG_USEC=99999999999999999", Message{Sender: 7}}, // beyond time.Duration
		{"READY=1\nFDSTORE=1\nERRNO=2\n\nnonsense", Message{Sender: 7, Ready: true}},
	} {
		if got := Parse(7, []byte(tc.msg)); got != tc.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.msg, got, tc.want)
		}
	}
	// Without a sender the message is dropped.
	if got := Parse(0, []byte("READY=1\nSTATUS=x")); got != (Message{}) {
		t.Errorf("Parse without a sender = %+v, want nothing", got)
	}
}
