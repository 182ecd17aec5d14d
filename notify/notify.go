package notify

import (
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// The variables of systemd's notification and watchdog protocols.
const (
	socketEnv       = "NOTIFY_SOCKET"
	watchdogUsecEnv = "WATCHDOG_USEC"
	watchdogPIDEnv  = "WATCHDOG_PID"
)

// Ready tells the supervisor that the process has started up and is ready
// to serve (READY=1). It returns nil without sending anything when
// NOTIFY_SOCKET is unset.
func Ready() error { return Send("READY=1") }

// Status sends a one-line description of what the process is doing
// (STATUS=text), shown by the supervisor. Newlines in text become spaces.
// It returns nil without sending anything when NOTIFY_SOCKET is unset.
func Status(text string) error {
	return Send("STATUS=" + strings.ReplaceAll(text, "\n", " "))
}

// Stopping tells the supervisor that the process has begun to shut down
// (STOPPING=1). It returns nil without sending anything when NOTIFY_SOCKET
// is unset.
func Stopping() error { return Send("STOPPING=1") }

// Watchdog tells the supervisor that the process is alive (WATCHDOG=1). A
// process with a watchdog (see [WatchdogInterval]) that fails to call it
// in time is killed. It returns nil without sending anything when
// NOTIFY_SOCKET is unset.
func Watchdog() error { return Send("WATCHDOG=1") }

// Send sends state, newline-separated KEY=VALUE assignments of the sd_notify
// protocol such as "READY=1\nSTATUS=serving", to the socket named by
// NOTIFY_SOCKET, in one datagram. It returns nil without sending anything
// when NOTIFY_SOCKET is unset, and an error when no one listens on the
// socket it names.
//
// Each call dials the socket anew, as sd_notify does; the supervisor learns
// the sender's pid from the kernel, so Send works from any goroutine of the
// process.
func Send(state string) error {
	name := os.Getenv(socketEnv)
	if name == "" {
		return nil
	}
	if err := send(name, state); err != nil {
		if strings.Contains(state, "\n") {
			return fmt.Errorf("notify: send %q: %w", state, err)
		}
		return fmt.Errorf("notify: send %s: %w", state, err)
	}
	return nil
}

// send writes state to the unix datagram socket name.
func send(name, state string) error {
	// systemd takes only these two forms (and vsock, which Go cannot dial);
	// a relative path would depend on the working directory.
	if name[0] != '/' && name[0] != '@' {
		return fmt.Errorf("%s=%q is neither an absolute path nor an abstract name", socketEnv, name)
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return err
	}
	n, err := conn.Write([]byte(state))
	if cerr := conn.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != len(state) {
		err = fmt.Errorf("wrote %d of %d bytes", n, len(state))
	}
	return err
}

// WatchdogInterval returns how often the supervisor expects [Watchdog] to be
// called: the interval in WATCHDOG_USEC, in microseconds. It reports false
// when no watchdog is asked for this process: WATCHDOG_USEC unset, zero or
// not a number, or WATCHDOG_PID set to something other than this process's
// pid (the variables were inherited from a parent). Send WATCHDOG=1 more
// often than the interval; systemd suggests every half of it.
func WatchdogInterval() (time.Duration, bool) {
	usec, err := strconv.ParseUint(os.Getenv(watchdogUsecEnv), 10, 64)
	if err != nil || usec == 0 || usec > math.MaxInt64/uint64(time.Microsecond) {
		return 0, false
	}
	if p, ok := os.LookupEnv(watchdogPIDEnv); ok && p != "" {
		pid, err := strconv.Atoi(p)
		if err != nil || pid != os.Getpid() {
			return 0, false
		}
	}
	return time.Duration(usec) * time.Microsecond, true
}
