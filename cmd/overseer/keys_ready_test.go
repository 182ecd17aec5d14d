//go:build linux

package main

// The tests of the keys of sockets, readiness, notifications and start
// order (see keyrun_test.go for the harness).

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listeners are sockets opened by overseer and handed to the process as
// fd 3 on, with LISTEN_FDS.
func TestKeyListeners(t *testing.T) {
	t.Parallel()
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			t.Parallel()
			forModes(t, func(t *testing.T, mode string) {
				address := "127.0.0.1:0"
				if network == "unix" {
					address = "{dir}/p.sock"
				}
				k := startKeys(t, mode, `processes:
  p: {args: [{prog}, info, serve, out:ready, sleep], listeners: ["`+network+"://"+address+`"]}
`)
				info := parseInfo(t, strings.TrimPrefix(k.text(k.wait("p | pid=")), "p | "))
				assert.Equal(t, "1", info.fds)
				if network == "unix" {
					assert.Equal(t, filepath.Join(k.dir, "p.sock"), info.addr)
				}
				k.wait("p | ready")
				conn, err := net.DialTimeout(network, info.addr, 10*time.Second)
				require.NoError(t, err)
				require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
				answer, err := io.ReadAll(conn)
				require.NoError(t, err)
				require.NoError(t, conn.Close())
				assert.Equal(t, fmt.Sprintf("pid=%d\n", info.pid), string(answer), "fd 3 accepts on the address")
				assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
			})
		})
	}
}

// heldPort is a TCP port of 127.0.0.1 bound but not listening: a connection
// to it is refused until listen, and nobody else can take it meanwhile.
type heldPort struct {
	fd   int
	addr string
}

func holdPort(t *testing.T) *heldPort {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() {
		// Nothing is left to do about an error at the end of the test.
		_ = syscall.Close(fd)
	})
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	return &heldPort{fd: fd, addr: fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)}
}

// listen makes the port accept connections (into its backlog: enough for
// a probe).
func (h *heldPort) listen(t *testing.T) {
	t.Helper()
	require.NoError(t, syscall.Listen(h.fd, 16))
}

// healthServer answers 503 until ready is set, then 200.
func healthServer(t *testing.T) (*httptest.Server, *atomic.Bool) {
	t.Helper()
	var ready atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &ready
}

// sawMarker is the command of a process that says, as it starts, whether
// the file marker exists: the test makes it just before x can be ready.
const sawMarker = `'if [ -e {dir}/marker ]; then echo after-marker; else echo before-marker; fi; exec sleep 1000'`

// ready says when a run is ready: until its probe passes, it is starting,
// and a process that depends on it being ready waits. Each probe is made to
// pass by the test, once it has seen x run and y wait, and just after it
// made the file marker; y, started once x is ready, sees it.
func TestKeyReady(t *testing.T) {
	t.Parallel()
	waitForGo := `echo x-up; while [ ! -e {dir}/go ]; do sleep 0.01; done; `
	tests := []struct {
		kind  string
		x     string // the settings of x, {addr} for the address of ready
		setup func(t *testing.T) (addr string, pass func())
	}{
		{kind: "notify", x: `{command: '` + waitForGo + `exec {prog} notify sleep', ready: notify}`},
		{kind: "line", x: `{command: '` + waitForGo + `echo "x is ready"; exec sleep 1000', ready: {line: '^x is ready$'}}`},
		{kind: "command", x: `{command: 'echo x-up; exec sleep 1000', ready: {command: '[ -e {dir}/go ]', period: 20ms}}`},
		{kind: "tcp", x: `{command: 'echo x-up; exec sleep 1000', ready: {tcp: '{addr}', period: 20ms}}`,
			setup: func(t *testing.T) (string, func()) {
				port := holdPort(t)
				return port.addr, func() { port.listen(t) }
			}},
		{kind: "http", x: `{command: 'echo x-up; exec sleep 1000', ready: {http: 'http://{addr}/health', period: 20ms}}`,
			setup: func(t *testing.T) (string, func()) {
				srv, ready := healthServer(t)
				return strings.TrimPrefix(srv.URL, "http://"), func() { ready.Store(true) }
			}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			forModes(t, func(t *testing.T, mode string) {
				x, pass := tt.x, func() {}
				if tt.setup != nil {
					var addr string
					addr, pass = tt.setup(t)
					x = strings.ReplaceAll(x, "{addr}", addr)
				}
				k := startKeys(t, mode, `processes:
  x: `+x+`
  y: {command: `+sawMarker+`, depends_on: {x: ready}}
`)
				k.wait("x | x-up")
				k.wait("y * waiting for x (ready)")
				assert.Equal(t, -1, k.index("x * running"), "x is not ready yet:\n%s", k.output())
				k.touch("marker")
				k.touch("go")
				pass()
				running := k.wait("x * running")
				assert.Equal(t, "y | after-marker", k.text(k.wait("y | ")), "y started once x was ready")
				assert.Less(t, running, k.wait("y * starting"))
				assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
			})
		})
	}
}

// ready's period is the wait between tries of a polling probe. The probe
// passes at its third try: two periods after the start, at least.
func TestKeyReadyPeriod(t *testing.T) {
	t.Parallel()
	const period = 400 * time.Millisecond // the default is 200ms
	tests := []struct {
		kind  string
		ready func(t *testing.T) string
	}{
		{"command", func(t *testing.T) string {
			return `{command: 'echo try >> {dir}/tries; [ $(($(wc -l < {dir}/tries))) -ge 3 ]', period: ` + period.String() + `}`
		}},
		{"http", func(t *testing.T) string {
			var tries atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tries.Add(1) < 3 {
					w.WriteHeader(http.StatusServiceUnavailable)
				}
			}))
			t.Cleanup(srv.Close)
			return `{http: '` + srv.URL + `', period: ` + period.String() + `}`
		}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			forModes(t, func(t *testing.T, mode string) {
				k := startKeys(t, mode, `processes:
  p: {command: 'exec sleep 1000', ready: `+tt.ready(t)+`}
`, "-timestamps")
				k.atLeast(k.wait("p * starting"), k.wait("p * running"), 2*period)
				assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
			})
		})
	}
}

// ready's timeout bounds each try of a polling probe: a try that hangs is
// cut after it, as the not-ready error tells.
func TestKeyReadyTryTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind  string
		probe func(t *testing.T) string
	}{
		{"command", func(t *testing.T) string { return `command: 'exec sleep 1000'` }},
		{"http", func(t *testing.T) string {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // hangs until the probe gives up the try
			}))
			t.Cleanup(srv.Close)
			return `http: '` + srv.URL + `'`
		}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			forModes(t, func(t *testing.T, mode string) {
				k := startKeys(t, mode, `processes:
  p:
    command: 'exec sleep 1000'
    ready: {`+tt.probe(t)+`, timeout: 50ms, period: 10ms}
    ready_timeout: 500ms
    restart: never
`)
				end := k.text(k.wait("p * fatal ("))
				assert.Contains(t, end, "not ready")
				assert.Contains(t, end, "timed out after 50ms") // the default is 1s
				assert.Equal(t, 1, k.finish(nil), k.p.stderrText())
			})
		})
	}
}

// ready_timeout bounds the wait for ready: a probe that never passes ends
// the run, not ready.
func TestKeyReadyTimeout(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  p:
    command: 'exec sleep 1000'
    ready: {command: 'false', period: 20ms}
    ready_timeout: 300ms
    restart: never
`, "-timestamps")
		start := k.wait("p * starting")
		end := k.wait("p * fatal (")
		assert.Contains(t, k.text(end), "not ready within 300ms") // the default is 1m
		k.atLeast(start, end, 300*time.Millisecond)
		assert.Equal(t, 1, k.finish(func() {
			state, _ := k.status("p")
			assert.Equal(t, "fatal", state)
		}), k.p.stderrText())
		assert.Contains(t, k.p.stderrText(), "p: process not ready")
	})
}

// notify gives the run a notification socket (NOTIFY_SOCKET), whose
// STATUS= the terminal shows.
func TestKeyNotify(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  on: {command: 'echo "socket $${NOTIFY_SOCKET:+set}"; exec {prog} "status:hello from the run" sleep', notify: true}
  off: {command: 'echo "socket $${NOTIFY_SOCKET:-none}"; exec sleep 1000'}
`)
		k.wait("on | socket set")
		k.wait("off | socket none")
		k.wait("on * running: hello from the run")
		assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
	})
}

// watchdog is the longest a run may go without WATCHDOG=1, told in
// WATCHDOG_USEC: a run that never pings is killed with SIGABRT. (The
// watchdog runs from the start of the run: on a machine loaded enough, it
// can fire before the program itself is executing, and the signal is not
// the program's to tell; hence "up" first.)
func TestKeyWatchdog(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := startKeys(t, mode, `processes:
  told: {command: 'echo "usec $WATCHDOG_USEC"; exec sleep 1000', watchdog: 1h}
  p: {command: 'echo up; exec sleep 1000', watchdog: 300ms, restart: never}
`, "-timestamps")
		k.wait("told | usec 3600000000")
		running := k.wait("p * running")
		end := k.wait("p * fatal (")
		assert.Contains(t, k.text(end), "no WATCHDOG=1 within 300ms")
		if k.index("p | up") >= 0 {
			assert.Contains(t, k.text(end), "killed by signal 6")
		}
		k.atLeast(running, end, 300*time.Millisecond)
		assert.Equal(t, 1, k.interrupt(), k.p.stderrText())
	})
}

// depends_on makes a process wait: a list waits for each process to have
// started, a mapping for the condition of each (started, ready,
// completed).
func TestKeyDependsOn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		x    string // the settings of x
		y    string // depends_on of y
		cond string // what y waits for
		met  string // the line of x that meets it: y starts after it
		// x meets the condition only once the test makes the file go,
		// just after the file marker; y says, as it starts, whether
		// marker exists.
		gated bool
	}{
		// x starts after its start_delay; y would start before it.
		{"list", `{command: 'exec sleep 1000', start_delay: 300ms}`, `[x]`, "started", "x * running", false},
		{"ready", `{command: 'echo x-up; exec sleep 1000', ready: {command: '[ -e {dir}/go ]', period: 20ms}}`, `{x: ready}`, "ready", "x * running", true},
		// x is ready at once, and runs until go.
		{"completed", `{command: 'echo x-up; while [ ! -e {dir}/go ]; do sleep 0.01; done', restart: never}`, `{x: completed}`, "completed", "x * finished (exit 0)", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forModes(t, func(t *testing.T, mode string) {
				k := startKeys(t, mode, `processes:
  x: `+tt.x+`
  y: {command: `+sawMarker+`, depends_on: `+tt.y+`}
`)
				if tt.gated {
					// (Without a gate, x may have started before y is
					// looked at: y would not wait.)
					k.wait("y * waiting for x (" + tt.cond + ")")
					k.wait("x | x-up")
					k.touch("marker")
					k.touch("go")
				}
				met := k.wait(tt.met)
				y := k.wait("y | ")
				if tt.gated {
					assert.Equal(t, "y | after-marker", k.text(y), "y started once x was %s", tt.cond)
				}
				assert.Less(t, met, k.wait("y * starting"), "y started once x was %s", tt.cond)
				assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
			})
		})
	}
}

// depends_on {x: started} lets y start as soon as x's program executes,
// ready or not: whether x is launched by SuperviseAll's loop at once, or
// after a start_delay (its start, while it stays starting, must wake the
// start order).
func TestKeyDependsOnStarted(t *testing.T) {
	t.Parallel()
	for name, delay := range map[string]string{"at once": "", "after start_delay": "\n    start_delay: 100ms"} {
		t.Run(name, func(t *testing.T) {
			forModes(t, func(t *testing.T, mode string) {
				k := startKeys(t, mode, `processes:
  x:
    command: 'echo x-up; exec sleep 1000'`+delay+`
    ready: {command: '[ -e {dir}/go ]', period: 20ms}
  y: {command: 'echo y-up; exec sleep 1000', depends_on: {x: started}}
`)
				k.wait("x | x-up")
				k.wait("y | y-up")
				assert.Equal(t, -1, k.index("x * running"), "x cannot be ready: there is no go yet")
				k.touch("go")
				k.wait("x * running")
				assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
			})
		})
	}
}

// ready's command runs in the process's dir (with its environment), so
// that a relative path in it finds what the process made: the reference's
// own example is dir: ./worker with ready: {command: ./worker -check}.
func TestKeyReadyCommandRunsInTheProcessDir(t *testing.T) {
	t.Parallel()
	forModes(t, func(t *testing.T, mode string) {
		k := newKeys(t, mode, `processes:
  p:
    command: 'touch ready.flag; exec sleep 1000'
    dir: work
    ready: {command: '[ -e ready.flag ]', period: 20ms}
    ready_timeout: 10s
    restart: never
`)
		require.NoError(t, os.Mkdir(filepath.Join(k.dir, "work"), 0o755))
		k.start()
		end := k.text(k.waitAny("p * running", "p * fatal"))
		require.True(t, strings.HasPrefix(end, "p * running"), "the probe ran elsewhere: %s", end)
		assert.Equal(t, 0, k.interrupt(), k.p.stderrText())
	})
}
