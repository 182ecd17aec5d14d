package sdnotify

import (
	"bytes"
	"math"
	"strconv"
	"time"
)

// Message is one notification, parsed: the assignments of systemd's
// protocol that a supervisor acts on, one KEY=VALUE a line. Other keys, and
// values other than those listed, are ignored. A flag is set by any of its
// lines; of a repeated STATUS, MAINPID or WATCHDOG_USEC the last valid one
// counts.
type Message struct {
	// Sender is the pid of the sending process, from the kernel's
	// credentials; 0 when they are missing or the message was cut short,
	// in which case the other fields are empty.
	Sender int

	Ready     bool   // READY=1
	Stopping  bool   // STOPPING=1
	HasStatus bool   // STATUS= was given (Status "" clears the status)
	Status    string // STATUS=text
	MainPID   int    // MAINPID=pid, 0 when absent or not a positive number

	Ping            bool          // WATCHDOG=1
	Trigger         bool          // WATCHDOG=trigger: act as if the watchdog had expired
	WatchdogTimeout time.Duration // WATCHDOG_USEC=µs, 0 when absent or not positive
}

// Parse parses msg, sent by process sender.
func Parse(sender int, msg []byte) Message {
	m := Message{Sender: sender}
	if sender == 0 {
		return m
	}
	for line := range bytes.SplitSeq(msg, []byte("\n")) {
		key, value, _ := bytes.Cut(line, []byte("="))
		switch string(key) {
		case "READY":
			m.Ready = m.Ready || string(value) == "1"
		case "STATUS":
			m.HasStatus, m.Status = true, string(value)
		case "STOPPING":
			m.Stopping = m.Stopping || string(value) == "1"
		case "MAINPID":
			if p, err := strconv.Atoi(string(value)); err == nil && p > 0 {
				m.MainPID = p
			}
		case "WATCHDOG":
			switch string(value) {
			case "1":
				m.Ping = true
			case "trigger":
				m.Trigger = true
			}
		case "WATCHDOG_USEC":
			if us, err := strconv.ParseInt(string(value), 10, 64); err == nil && us > 0 &&
				us <= math.MaxInt64/int64(time.Microsecond) {
				m.WatchdogTimeout = time.Duration(us) * time.Microsecond
			}
		}
	}
	return m
}
