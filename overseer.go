package overseer

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

	cgroupMode    CgroupMode    // WithCgroups
	usageInterval time.Duration // WithUsageInterval
	usage         sampler       // samples the Usage of the runs (usagesampler.go)

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

// WithLogBackpressure makes LogReaders (WatchLogs included) lossless as
// long as they keep reading, however fast the processes print: before a
// process's pump evicts from its ring a line that a reader has not read, it
// waits for the reader to read, so the process waits on its pipe, as it
// would under a shell's pipe to a slow reader.
//
// A reader that reads nothing for a second is left behind instead of
// holding everyone up: it misses what the rings let go, as without this
// option, and is waited for again once it reads. A reader made Lossy is
// never waited for. A reader that calls into the Overseer (Stop, say)
// between two reads may make the processes wait that second too. Without
// this option no process ever waits for a reader, and a reader starved of
// CPU by many fast processes misses lines (counted by Dropped).
func WithLogBackpressure() Option {
	return func(o *Overseer) { o.hub.backpressure = true }
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
	o := &Overseer{procs: make(map[string]*Cmd), changed: make(chan struct{}), usageInterval: defaultUsageInterval}
	o.sorted.Store(new([]*Cmd))
	o.hub.init()
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	o.usage.init(o.usageInterval, o.logger)
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
	if !cgroupModeNames.valid(int(o.cgroupMode)) {
		return fmt.Errorf("%w: WithCgroups: %v", ErrInvalid, o.cgroupMode)
	}
	if o.cgroupMode == CgroupRequired {
		if _, err := proc.OpenCgroups(); err != nil {
			return fmt.Errorf("overseer: WithCgroups(CgroupRequired): %w", err)
		}
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
	c.cgroups = o.cgroupMode != CgroupOff
	c.spec = c.fieldSpec() // what observers show until the next start: the caller's own call
	c.unlock()
	c.out.setID(id)
	o.hub.attach(id, &c.out)
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
	o.hub.detach(&c.out)
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
		c.fillJSON(&out[i], now)
	}
	return out
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

func notFound(id string) error {
	return fmt.Errorf("%w: %q", ErrNotFound, id)
}
