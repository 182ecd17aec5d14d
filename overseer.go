package overseer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/overseer-go/overseer/internal/proc"
)

// Overseer is a registry of processes that it starts, restarts under their
// policies, stops, and reports on. Every method is safe for concurrent use,
// and any number of Overseers can live in one program.
//
// A host program adds its processes, then hands its main goroutine to
// SuperviseAll:
//
//	ovr := overseer.NewOverseer()
//	ovr.Add("web", "python3", "-m", "http.server")
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	err := ovr.SuperviseAll(ctx) // returns when ctx is done (all stopped) or all are done
type Overseer struct {
	logger *slog.Logger
	hub    hub

	subreaper    bool  // WithSubreaper took effect
	subreaperErr error // why WithSubreaper could not; Add returns it

	mu     sync.Mutex // guards procs and added; taken before a Cmd's own lock, never after
	procs  map[string]*Cmd
	added  uint64                 // Cmds ever registered: the next one's Cmd.added
	sorted atomic.Pointer[[]*Cmd] // procs by id, republished under mu at each change, never modified: observers read it without mu

	changedMu sync.Mutex
	changed   chan struct{} // closed and replaced when a process comes, goes or ends

	// Set by tests before Add.
	timer     timerFunc
	onIllegal func(from, to State)
}

// Option configures an Overseer.
type Option func(*Overseer)

// WithLogger makes the Overseer log state changes and failures to logger:
// failed runs at Warn, a process giving up at Error, ends at Info, the rest
// at Debug. Without it the Overseer logs nothing. The logger is called in
// order with each change, while the process's state is held: its handler
// must not call back into the Overseer.
func WithLogger(logger *slog.Logger) Option {
	return func(o *Overseer) { o.logger = logger }
}

// WithLogBackpressure makes WatchLogs lossless for subscribers that keep
// reading, however fast the processes print: when a subscriber falls half
// a backlog (32,768 lines or 8 MiB) behind, the Overseer stops reading the
// processes' output until it is down to a quarter, so the processes wait
// on their pipes, as they would under a shell's pipe to a slow reader.
//
// A subscriber that takes nothing (fewer than 64 lines) for a second is left
// behind instead of holding everyone up: it loses what overflows its backlog, as without
// this option, and slows nothing until it has caught up. A subscriber that
// calls into the Overseer (Stop, say) from its receiving goroutine may wait
// that second too. Without this option no process ever waits for a
// subscriber, and a subscriber starved of CPU by many fast processes loses
// lines (counted by Dropped).
func WithLogBackpressure() Option {
	return func(o *Overseer) { o.hub.backpressure, o.hub.lines.Elastic = true, true }
}

// WithSubreaper makes the host a child subreaper (Linux's
// PR_SET_CHILD_SUBREAPER), so that a descendant of a run that leaves the
// process group and is orphaned — a daemon that double-forks and calls
// setsid, say — is reparented to the host instead of to init. The Overseer
// marks every descendant of a run on Linux (the environment variable
// OVERSEER_RUN), and with this option, when the run ends, sends SIGKILL to
// every process that still carries the mark and reaps those that became
// the host's children. It reaps no
// other process, so the Wait of a run's leader, or of a child the host
// starts itself, is not disturbed.
//
// Without it such a descendant survives Stop: process group signals do not
// reach it.
//
// The attribute belongs to the whole process, and so does the duty it brings
// of reaping what it adopts: at most one Overseer per process may use it, for
// the life of the process. On a second one, and on systems other than Linux,
// Add and AddCmd return the reason (wrapping ErrInvalid, or
// errors.ErrUnsupported). A descendant that scrubs its environment, or that
// exits on its own while its run goes on, is not found; the latter stays a
// zombie of the host until the host exits.
func WithSubreaper() Option {
	return func(o *Overseer) {
		o.subreaperErr = proc.BecomeSubreaper()
		if errors.Is(o.subreaperErr, proc.ErrSubreaperTaken) {
			o.subreaperErr = fmt.Errorf("%w: WithSubreaper: another Overseer of this process is the subreaper already", ErrInvalid)
		}
		o.subreaper = o.subreaperErr == nil
	}
}

// NewOverseer returns an empty Overseer.
func NewOverseer(opts ...Option) *Overseer {
	o := &Overseer{procs: make(map[string]*Cmd), changed: make(chan struct{})}
	o.sorted.Store(new([]*Cmd))
	o.hub.init()
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	return o
}

// maxIDBytes bounds the length of an id.
const maxIDBytes = 256

// CheckID reports whether id can name a process: it returns nil for the
// ids Add takes, 1 to 256 bytes of UTF-8 letters and digits and the marks
// - _ . : @ +, other than "." and "..", and an error wrapping ErrInvalid
// that says why for any other. Such an id can stand as it is in a log
// prefix, a file name or a metric label, and in a URL path segment once
// escaped (url.PathEscape leaves ASCII ids as they are).
func CheckID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty id", ErrInvalid)
	case len(id) > maxIDBytes:
		return fmt.Errorf("%w: id of %d bytes (at most %d)", ErrInvalid, len(id), maxIDBytes)
	case !utf8.ValidString(id):
		return fmt.Errorf("%w: id %q is not UTF-8", ErrInvalid, id)
	case id == "." || id == "..":
		return fmt.Errorf("%w: id %q", ErrInvalid, id)
	}
	for _, r := range id {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.:@+", r) {
			return fmt.Errorf("%w: id %q has %q (letters, digits and - _ . : @ + only)", ErrInvalid, id, r)
		}
	}
	return nil
}

// Add registers a process under id without starting it and returns its Cmd,
// with every default filled in (see NewCmd, whose restart policy is
// RestartOnFailure), so the caller can read and change its fields before
// supervision starts. It returns an error wrapping ErrInvalid for a bad id
// (see CheckID) or no program, and one wrapping ErrExists if id is taken.
//
// While SuperviseAll runs, a process is started as soon as it is added: to
// configure one first, build it with NewCmd and register it with AddCmd.
func (o *Overseer) Add(id string, args ...string) (*Cmd, error) {
	if err := CheckID(id); err != nil {
		return nil, err
	}
	if len(args) == 0 || args[0] == "" {
		return nil, fmt.Errorf("%w: %s: no program to run", ErrInvalid, id)
	}
	c := NewCmd(args[0], args[1:]...)
	if err := o.AddCmd(id, c); err != nil {
		return nil, err
	}
	return c, nil
}

// AddCmd registers c, configured by the caller, under id without starting
// it. From then on the Overseer owns c: change its fields only while it is
// at rest. It returns an error wrapping ErrInvalid for a bad id, a nil Cmd,
// or a Cmd that runs or already belongs to an Overseer, and one wrapping
// ErrExists if id is taken.
func (o *Overseer) AddCmd(id string, c *Cmd) error {
	if o.subreaperErr != nil {
		return o.subreaperErr
	}
	if err := CheckID(id); err != nil {
		return err
	}
	if c == nil {
		return fmt.Errorf("%w: %s: nil Cmd", ErrInvalid, id)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.procs[id]; ok {
		return fmt.Errorf("%w: %s", ErrExists, id)
	}
	c.mu.Lock()
	if c.owner != nil || c.state.active() {
		c.unlock()
		return fmt.Errorf("%w: %s: the Cmd runs or belongs to an Overseer already", ErrInvalid, id)
	}
	c.owner = o
	c.id = id
	c.logger = o.logger
	c.timer = o.timer
	c.onIllegal = o.onIllegal
	c.onEvent = o.event
	c.onIdle = o.notify
	c.subreaper = o.subreaper
	c.spec = c.fieldSpec() // what observers show until the next start: the caller's own call
	c.unlock()
	c.out.setSink(id, &o.hub)
	o.added++
	c.added.Store(o.added) // atomic: a SuperviseAll of its former Overseer may still sort it
	o.procs[id] = c
	o.publishRegistryLocked(c, true)
	o.notify()
	return nil
}

// Remove unregisters the process id. It returns an error wrapping
// ErrRunning while the process runs or waits to restart: stop it first.
func (o *Overseer) Remove(id string) error {
	o.mu.Lock()
	c, ok := o.procs[id]
	if !ok {
		o.mu.Unlock()
		return notFound(id)
	}
	c.mu.Lock()
	if c.state.active() || c.sup != nil || c.next != nil {
		state := c.state
		c.unlock()
		o.mu.Unlock()
		return fmt.Errorf("%w: %s is %v", ErrRunning, id, state)
	}
	// Detach it: a removed Cmd that is started by hand reports nothing here.
	c.onEvent, c.onIdle, c.owner, c.subreaper = nil, nil, nil, false
	c.socks.Close() // the Listeners go with the process
	c.socks = nil
	c.unlock()
	c.out.setSink(id, nil)
	delete(o.procs, id)
	o.publishRegistryLocked(c, false)
	o.mu.Unlock()
	o.notify()
	return nil
}

// HasProc reports whether id is registered.
func (o *Overseer) HasProc(id string) bool {
	return o.lookup(id) != nil
}

// ListAll returns the registered ids, sorted.
func (o *Overseer) ListAll() []string {
	cmds := o.cmds()
	ids := make([]string, len(cmds))
	for i, c := range cmds {
		ids[i] = c.id
	}
	return ids
}

// ListGroup returns the ids of the processes whose Group is group, sorted.
func (o *Overseer) ListGroup(group string) []string {
	var ids []string
	for _, c := range o.cmds() {
		if c.group() == group {
			ids = append(ids, c.id)
		}
	}
	return ids
}

// Cmd returns the Cmd of process id.
func (o *Overseer) Cmd(id string) (*Cmd, error) {
	c := o.lookup(id)
	if c == nil {
		return nil, notFound(id)
	}
	return c, nil
}

// Status returns the Status of process id.
func (o *Overseer) Status(id string) (Status, error) {
	c, err := o.Cmd(id)
	if err != nil {
		return Status{}, err
	}
	return c.Status(), nil
}

// ToJSON returns the JSONProcess of process id.
func (o *Overseer) ToJSON(id string) (JSONProcess, error) {
	c, err := o.Cmd(id)
	if err != nil {
		return JSONProcess{}, err
	}
	return c.ToJSON(), nil
}

// ToJSONAll returns the JSONProcess of every process, sorted by id.
func (o *Overseer) ToJSONAll() []JSONProcess {
	cmds := o.cmds()
	out := make([]JSONProcess, len(cmds))
	now := time.Now()
	for i, c := range cmds {
		out[i] = c.toJSON(now)
	}
	return out
}

// Start starts process id and supervises it in the background: it is
// restarted under its policy until it is done for good or stopped. When
// Start returns, the first run has been started, unless the Cmd has a
// StartDelay: Status shows its pid, or the failure to start it, which the
// restart policy handles like any failed run. Start returns only registry
// errors: ErrNotFound, ErrRunning when the process is already running or
// supervised, ErrInvalid for an unusable configuration (and off Unix an
// error wrapping errors.ErrUnsupported). What happens to the
// runs is reported through states, events and Status. Start does not wait
// for the process's DependsOn: only SuperviseAll does.
func (o *Overseer) Start(id string) error {
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	_, err = o.supervise(c, false, false, true)
	return err
}

// Supervise starts process id and keeps it going under its restart policy,
// and blocks until it is done for good (finished, interrupted or fatal) or
// ctx is done, in which case it stops the process first. It returns nil for
// a finish and for a requested stop (Stop, StopAll, ctx); for a process that
// ended fatal it returns the reason (Status.Error). Supervise does not wait
// for the process's DependsOn: only SuperviseAll does.
func (o *Overseer) Supervise(ctx context.Context, id string) error {
	if ctx == nil {
		return fmt.Errorf("%w: Supervise: nil context", ErrInvalid)
	}
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	sup, err := o.supervise(c, false, false, true)
	if err != nil {
		return err
	}
	select {
	case <-sup.done:
	case <-ctx.Done():
		c.Stop()
	}
	if st := c.Status(); st.State == StateFatal {
		return st.Error
	}
	return nil
}

// supervise begins the supervision of c, if c is still registered: the
// check and the start are one step under o.mu, so that a concurrent Remove
// cannot leave a process supervised outside the registry.
//
// With fresh set it begins only for a process never started, and reports
// ErrRunning for the others: SuperviseAll starts what is new and waits for
// what runs, but does not run again what has already ended.
func (o *Overseer) supervise(c *Cmd, restart, fresh, wait bool) (*supervision, error) {
	if err := proc.Supported(); err != nil { // off Unix: see internal/proc's unsupported_other.go
		return nil, fmt.Errorf("overseer: %s: %w", c.id, err)
	}
	o.mu.Lock()
	if o.procs[c.id] != c {
		o.mu.Unlock()
		return nil, notFound(c.id)
	}
	c.mu.Lock()
	// Registered, and c is locked: the registry's lock can go.
	o.mu.Unlock()
	if c.state.active() || c.sup != nil || (fresh && c.state != StateInitial) {
		err := fmt.Errorf("%w: %s is %v", ErrRunning, c.id, c.state)
		c.unlock()
		return nil, err
	}
	cfg, err := c.config()
	if err == nil {
		err = c.openSocketsLocked(&cfg) // before anything starts, so Start says why
	}
	if err != nil {
		c.unlock()
		return nil, err
	}
	sup := newSupervision(c)
	c.sup = sup
	kind := notRestart
	if restart {
		kind = requestedRestart
	}
	// The first run is prepared here, so that the state is starting when
	// this returns; the supervision's goroutine executes it. With a
	// StartDelay it prepares it after the delay.
	var first *launch
	launched := cfg.startDelay == 0
	if launched {
		first, _ = c.prepareLaunchLocked(kind) // a failure is in the state
	} else {
		if restart {
			c.countRestartLocked(kind)
		}
		c.setState(StateStarting) // the StartDelay has begun
	}
	go sup.loop(cfg.startDelay, first, launched)
	c.unlock()
	o.notify()
	if wait && first != nil {
		<-first.execd // as with exec.Cmd, the process runs when Start returns
	}
	return sup, nil
}

// SuperviseAll supervises every registered process that was never started,
// and every process added while it runs; one already started (with Start,
// say) is waited for while it runs, and not run again once it has ended. It returns when ctx is done, after stopping every process, or when
// every process is done for good, counting those started or restarted while
// it runs; with nothing registered it returns at once.
//
// It starts the processes in the order of their DependsOn, those that do
// not depend on each other in parallel, in the order they were registered. A process whose dependencies are
// not all met yet stays initial, its StatusText saying what it waits for
// ("waiting for db (ready), cache (started)"), and is started once they are. When one of them
// will never meet its condition (fatal, finished with a failure exit code
// for ConditionCompleted, ended without being ready for ConditionReady,
// …), the process goes from initial to fatal, its Status.Error wrapping
// ErrDependency, and so do the processes that wait for it in turn. A
// process that cannot be started at all (an unusable configuration, a
// listener that cannot be opened) goes from initial to fatal too, with the
// reason. When one
// of them is stopped (interrupted), the process is not started and stays
// initial. A dependency cycle, an unknown id or a bad entry among the
// registered processes is an error wrapping ErrInvalid, returned before
// anything is started; in a process added while SuperviseAll runs, it makes
// that process fatal alone. When ctx is done, the processes still waiting
// stay initial.
//
// It returns nil unless some process ended fatal; then it returns their
// reasons joined (errors.Join), so that a host can exit non-zero. It installs
// no signal handler: the host decides which signals end it (see the
// package example, with signal.NotifyContext).
func (o *Overseer) SuperviseAll(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w: SuperviseAll: nil context", ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return nil // nothing is started for a context that is already done
	}
	begin := time.Now()
	registered := o.cmds()
	for _, c := range registered {
		c.refreshSpec()
	}
	if err := checkDependencies(registered); err != nil {
		return err // before anything starts
	}
	checked := make(map[*Cmd]bool, len(registered))
	for _, c := range registered {
		checked[c] = true
	}
	order := newStartOrder(o, begin)
	seen := make(map[*Cmd]bool)
	var errs []error
	for {
		changed := o.changes()
		// In the order they were registered, as a file lists them.
		for _, c := range slices.SortedFunc(slices.Values(o.cmds()), func(a, b *Cmd) int { return cmp.Compare(a.added.Load(), b.added.Load()) }) {
			if seen[c] {
				continue
			}
			seen[c] = true
			if err := order.add(c, !checked[c]); err != nil {
				errs = append(errs, err)
			}
		}
		errs = append(errs, order.advance()...)
		if !order.pending() && !o.anyActive() {
			break
		}
		select {
		case <-changed:
			continue
		case <-ctx.Done():
			o.StopAll()
			order.abandon()
		}
		break
	}
	for c := range seen {
		// A process fatal since before this call is not this call's failure.
		if st := c.Status(); st.State == StateFatal && !st.StopTime.Before(begin) && o.has(c) {
			errs = append(errs, st.Error)
		}
	}
	return errors.Join(errs...)
}

// Stop stops process id: its supervision ends, a pending restart is
// dropped, and its process group gets StopSignal, then SIGKILL after
// StopTimeout. It returns once the group is gone; on a process that is not
// running it does nothing. Its error is non-nil only for an id that is not
// registered (wrapping ErrNotFound): the stop itself cannot fail (see
// Cmd.Stop).
func (o *Overseer) Stop(id string) error {
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	c.Stop()
	return nil
}

// Restart ends the current run of process id and starts a new one at once,
// under supervision; Status.Restarts counts it. A supervised process stays
// supervised (a Supervise call blocked on it goes on), its run going
// running → stopping → interrupted → starting → running; one waiting in
// backoff starts without waiting further. A process that is not supervised
// is stopped if it runs, then supervised from a new run; one at rest is just
// started. Restart returns once the new run is ready (running; see
// Cmd.Ready), with nil, or once it has ended or failed to start, with an
// error wrapping ErrNotReady that says how (a new run that finishes with a
// success exit code, as a job does, is no error). So "restart, then use
// it" works as with a rolling restart.
//
// A supervised, running process with Listeners is restarted rolling
// instead: the new run starts on the same sockets while the old one serves,
// and once it is ready (see Cmd.Ready) it takes over, with one event from
// running to running carrying its PID, and the old run is stopped
// gracefully. A new run that cannot start, ends, or is not ready within
// ReadyTimeout is stopped, the old run goes on, and Restart returns an
// error wrapping ErrNotReady; one rolling restart at a time (ErrRunning).
func (o *Overseer) Restart(id string) error {
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	return o.restart(c, nil)
}

// restart is Restart, onto args when they are set (Upgrade).
func (o *Overseer) restart(c *Cmd, args []string) error {
	c.mu.Lock()
	if c.canRollLocked() {
		l, old, err := c.prepareRollLocked(args)
		c.unlock()
		if err != nil {
			return err
		}
		return c.roll(l, old, args)
	}
	if args != nil {
		c.Args = args
	}
	restarts := c.restarts
	sup := c.sup
	supervised := sup != nil && !sup.stopped
	wasActive := c.state.active() || sup != nil
	var req stopRequest
	if supervised {
		sup.requestRestart() // the supervision starts the new run once this one has ended
		req = c.requestStopLocked()
	}
	c.unlock()
	if supervised {
		req.wait()
		return o.awaitNewRun(c, restarts+1)
	}
	c.Stop()
	if _, err := o.supervise(c, wasActive, false, false); err != nil {
		return err
	}
	if !wasActive {
		restarts-- // a start, not counted as a restart
	}
	return o.awaitNewRun(c, restarts+1)
}

// awaitNewRun waits until the run that a restart of c started, the one that
// makes c's count of restarts reach restarts, is ready (running) or has
// ended: nil for ready, or for an end the policy calls a success; else an
// error wrapping ErrNotReady that says how the new run went. A stop before
// the new run has started ends the wait with an error too.
func (o *Overseer) awaitNewRun(c *Cmd, restarts int) error {
	for {
		changed := o.changes()
		c.mu.Lock()
		st := c.statusLocked(time.Now())
		supervised := c.sup != nil && !c.sup.stopped
		success := c.exited && c.cfg != nil && c.cfg.success(c.exit)
		c.unlock()
		if st.Restarts < restarts {
			if !supervised {
				return fmt.Errorf("%w: %s: stopped before the new run started", ErrNotReady, c.name())
			}
		} else {
			switch st.State {
			case StateRunning:
				return nil
			case StateFinished:
				if success {
					return nil
				}
				return fmt.Errorf("%w: %s: the new run (pid %d) ended with exit code %d", ErrNotReady, c.name(), st.PID, st.Exit)
			case StateBackoff, StateFatal, StateInterrupted:
				if st.State == StateBackoff && success {
					return nil // a job that did its work, to run again under RestartAlways
				}
				if st.PID == 0 {
					return fmt.Errorf("%w: %s: the new run could not be started (%v): %w", ErrNotReady, c.name(), st.State, st.Error)
				}
				if st.Error != nil {
					return fmt.Errorf("%w: %s: the new run (pid %d) is %v: %w", ErrNotReady, c.name(), st.PID, st.State, st.Error)
				}
				if st.Exit >= 0 {
					return fmt.Errorf("%w: %s: the new run (pid %d) is %v after exit code %d", ErrNotReady, c.name(), st.PID, st.State, st.Exit)
				}
				return fmt.Errorf("%w: %s: the new run (pid %d) is %v", ErrNotReady, c.name(), st.PID, st.State)
			}
		}
		<-changed
	}
}

// Upgrade restarts process id onto a new command line, args: a new
// binary, say. For a running process with Listeners it is a rolling
// restart, as Restart's, that keeps the old Args and the old run when the
// new one is not ready (the error wraps ErrNotReady): the new arguments go
// to the new run alone, and Args is set to them only once it has taken
// over. Otherwise Args are replaced and the process restarted as by
// Restart. Either way Upgrade writes Args as its caller would, from the
// caller's goroutine, holding the Cmd's lock: later restarts run the new
// command line, and no background goroutine reads or writes Args; the
// caller must not write Args itself during the call. Empty args are
// ErrInvalid.
func (o *Overseer) Upgrade(id string, args ...string) error {
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	if len(args) == 0 || args[0] == "" {
		return fmt.Errorf("%w: upgrade %s: no program to run", ErrInvalid, id)
	}
	return o.restart(c, slices.Clone(args))
}

// Signal sends sig to the process group of process id.
func (o *Overseer) Signal(id string, sig syscall.Signal) error {
	c, err := o.Cmd(id)
	if err != nil {
		return err
	}
	return c.Signal(sig)
}

// StopAll stops every process and returns when all are gone. A process
// is stopped once every process that depends on it (Cmd.DependsOn) has
// stopped; the others stop in parallel, so StopAll takes about the longest
// chain of StopTimeouts, not their sum. Calling it again is harmless.
// StopAll has no error result: a stop cannot fail (see Cmd.Stop).
func (o *Overseer) StopAll() {
	cmds := o.cmds()
	dependents := stopOrder(cmds)
	stopped := make(map[*Cmd]chan struct{}, len(cmds))
	for _, c := range cmds {
		stopped[c] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for _, c := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(stopped[c])
			for _, d := range dependents[c] {
				<-stopped[d]
			}
			c.Stop()
		}()
	}
	wg.Wait()
}

// Watch makes the Overseer send every change of state of every process to
// ch, in order for each process.
//
// The Overseer never blocks on ch. A change that finds ch full waits in the
// subscription's backlog, which a goroutine of the subscription sends on in
// order; only a subscriber more than 65,536 items behind loses changes, and
// they are counted by Dropped. The returned function ends the subscription
// and drops its backlog; once it has returned nothing more is sent to ch,
// so ch may then be closed. Call it when done: it also ends the goroutine.
// A nil ch subscribes nothing.
func (o *Overseer) Watch(ch chan<- Event) (stop func()) {
	return subscribe(&o.hub, &o.hub.events, ch)
}

// WatchLogs makes the Overseer send every output line of every process to
// ch as it is read, as Watch does for changes of state: never blocking, with
// a backlog for a subscriber that falls behind, bounded by 65,536 lines and
// 16 MiB of text. Lines beyond it are dropped for that subscriber and
// counted by Dropped; the subscriber sees the loss as a gap in the
// process's Seq, and can fetch what it missed from Cmd.Lines while the ring
// still holds it. The lines of each process arrive in Seq order. The
// returned function ends the subscription as Watch's does.
func (o *Overseer) WatchLogs(ch chan<- Line) (stop func()) {
	return subscribe(&o.hub, &o.hub.lines, ch)
}

// Dropped returns how many events and lines were dropped since the
// Overseer was made because a subscriber had fallen more than a full
// backlog behind.
func (o *Overseer) Dropped() (events, lines uint64) {
	return o.hub.events.Dropped(), o.hub.lines.Dropped()
}

// cmds returns the registered Cmds, sorted by id, from the published
// registry: no lock. The slice is shared: callers must not modify it.
func (o *Overseer) cmds() []*Cmd {
	return *o.sorted.Load()
}

// lookup returns the registered Cmd of id, nil if none, from the published
// registry: no lock.
func (o *Overseer) lookup(id string) *Cmd {
	cmds := o.cmds()
	if i, ok := slices.BinarySearchFunc(cmds, id, func(c *Cmd, id string) int { return strings.Compare(c.id, id) }); ok {
		return cmds[i]
	}
	return nil
}

// publishRegistryLocked publishes the registry with c added (or removed):
// a new sorted slice, so that readers holding the old one are undisturbed.
// o.mu is held.
func (o *Overseer) publishRegistryLocked(c *Cmd, add bool) {
	old := o.cmds()
	i, found := slices.BinarySearchFunc(old, c.id, func(c *Cmd, id string) int { return strings.Compare(c.id, id) })
	var cmds []*Cmd
	switch {
	case add && !found:
		cmds = make([]*Cmd, 0, len(old)+1)
		cmds = append(append(append(cmds, old[:i]...), c), old[i:]...)
	case !add && found:
		cmds = make([]*Cmd, 0, len(old)-1)
		cmds = append(append(cmds, old[:i]...), old[i+1:]...)
	default:
		return
	}
	o.sorted.Store(&cmds)
}

func (o *Overseer) has(c *Cmd) bool {
	return o.lookup(c.id) == c
}

// anyActive reports whether some process runs, is supervised, or waits to
// restart.
func (o *Overseer) anyActive() bool {
	for _, c := range o.cmds() {
		if c.load().busy { // the snapshot: SuperviseAll waits on no start
			return true
		}
	}
	return false
}

// event is every Cmd's onEvent: it logs, publishes, and wakes SuperviseAll
// and Restart when a process comes to rest, runs or backs off. It runs
// under the Cmd's lock.
func (o *Overseer) event(ev Event) {
	if o.logger != nil {
		level := slog.LevelDebug
		switch {
		case ev.To == StateFatal:
			level = slog.LevelError
		case ev.To == StateBackoff, ev.To.IsFinal() && ev.From == StateRunning && (ev.Exit != 0 || ev.Error != ""):
			level = slog.LevelWarn // a failed run, restarted or not
		case ev.To.IsFinal():
			level = slog.LevelInfo
		}
		o.logger.Log(context.Background(), level, "overseer: "+ev.To.String(),
			"id", ev.ID, "from", ev.From, "pid", ev.PID, "exit", ev.Exit, "err", ev.Error, "restarts", ev.Restarts)
	}
	o.hub.publishEvent(ev)
	if ev.To.IsFinal() || ev.To == StateRunning || ev.To == StateBackoff {
		o.notify()
	}
}

// changes returns a channel that is closed at the next change.
func (o *Overseer) changes() <-chan struct{} {
	o.changedMu.Lock()
	defer o.changedMu.Unlock()
	return o.changed
}

// notify wakes whoever waits on changes.
func (o *Overseer) notify() {
	o.changedMu.Lock()
	close(o.changed)
	o.changed = make(chan struct{})
	o.changedMu.Unlock()
}

func notFound(id string) error {
	return fmt.Errorf("%w: %q", ErrNotFound, id)
}
