// Package watch restarts the processes of an overseer.Overseer when their
// files change: the program file, when a new binary is deployed, and the
// files a Cmd lists in WatchFiles, its configuration say. A process with
// Listeners gets a rolling restart (see overseer.Overseer.Restart).
//
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
//	defer stop()
//	go watch.Run(ctx, ovr, watch.WithLogger(logger))
//	ovr.SuperviseAll(ctx)
//
// Run watches the directory of each file, not the file, so that a deploy
// that replaces a file by renaming another over it (as "install" and most
// deploy tools do) is seen: a watch on the file itself would follow the old
// one. A change is a file created, written, renamed onto, or having its
// mode changed (a deploy may chmod +x last); a file removed alone is not a
// change, its replacement is.
package watch

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/overseer-go/overseer"
)

// defaultDebounce is the debounce of Run without WithDebounce.
const defaultDebounce = 300 * time.Millisecond

// Option configures Run.
type Option func(*config)

type config struct {
	debounce time.Duration
	logger   *slog.Logger
	only     map[string]bool // WithIDs; nil for every process

	// Test hooks, nil in normal use. All but afterRestart are called from
	// Run's loop, in order; afterRestart from the restart's goroutine,
	// before the loop hears that the restart has ended.
	onScan       func(dirs []string)        // the processes' files were read again; the directories watched, sorted
	onFile       func(name string)          // an fsnotify event, with its clean path, was handled
	onIdle       func()                     // after anything, when no timer is armed and no restart in flight
	afterRestart func(id string, err error) // o.Restart returned
}

// WithDebounce sets how long a process's files must stay unchanged after a
// change before it is restarted, so that a deploy writing several files, or
// one file in several writes, restarts it once. Zero or less means the
// default, 300ms.
func WithDebounce(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.debounce = d
		}
	}
}

// WithIDs makes Run watch only the processes with these ids (those that
// list WatchFiles, say), their program files included, instead of every
// process of the Overseer. An id not registered is ignored until it is.
func WithIDs(ids ...string) Option {
	return func(c *config) {
		c.only = make(map[string]bool, len(ids))
		for _, id := range ids {
			c.only[id] = true
		}
	}
}

// WithLogger makes Run log what it does to logger: restarts at Info; a
// restart that failed, a directory it cannot watch and an error of fsnotify
// (events lost when the kernel's queue overflowed) at Error; changes, and
// changes ignored for a process at rest, at Debug. Without it Run logs
// nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// Run watches the files of every process of o (Cmd.WatchedFiles) and
// restarts a process when one of its files changes, debounced (see
// WithDebounce). It blocks until ctx is done, and returns nil then, or an
// error at once if fsnotify cannot start.
//
// Only a process that is active (starting, running or waiting in backoff)
// is restarted; a change to the files of one at rest is ignored. Each
// process has at most one restart in flight; a change that settles during
// it brings one more restart after it. A failed restart is logged and does
// not end Run.
//
// The set of processes and of their files is read again whenever o reports
// a change of state, so processes added later, and a new program after
// Upgrade, are watched from their start. Relative paths in WatchFiles are
// taken from the host's working directory.
//
// Run returns only when all its goroutines have ended. A restart cannot be
// cancelled, so Run may wait for the restarts in flight when ctx is done:
// up to a StopTimeout, or a ReadyTimeout for a rolling restart.
func Run(ctx context.Context, o *overseer.Overseer, opts ...Option) error {
	cfg := config{debounce: defaultDebounce}
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	if o == nil {
		return fmt.Errorf("%w: watch: nil Overseer", overseer.ErrInvalid)
	}
	fs, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	w := &watcher{
		cfg:       cfg,
		o:         o,
		fs:        fs,
		dirs:      make(map[string]bool),
		failed:    make(map[string]bool),
		procs:     make(map[string]*proc),
		fired:     make(chan string),
		restarted: make(chan string),
	}
	w.loop(ctx)
	return nil
}

// watcher is the state of one Run, owned by its loop.
type watcher struct {
	cfg config
	o   *overseer.Overseer
	fs  *fsnotify.Watcher
	ctx context.Context // Run's, cancelled when the loop ends

	dirs   map[string]bool     // directories watched
	failed map[string]bool     // directories that could not be watched, logged once
	files  map[string][]string // clean absolute path → ids of the processes it belongs to
	procs  map[string]*proc

	fired     chan string    // the debounce timer of a process went off
	restarted chan string    // a restart has ended
	wg        sync.WaitGroup // timer callbacks and restarts in flight
}

// proc is what Run keeps of one process.
type proc struct {
	id         string
	timer      *time.Timer // its debounce timer, made at its first change
	due        time.Time   // when the armed timer goes off; zero when not armed
	restarting bool        // a restart is in flight
	again      bool        // a change settled during the restart: one more after it
	gone       bool        // no longer in the Overseer; forgotten once its restart ends
}

// loop is Run's goroutine: it owns the watcher's state. It returns when ctx
// is done, after every goroutine it started has ended.
func (w *watcher) loop(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	w.ctx = ctx
	events := make(chan overseer.Event, 64)
	stopEvents := w.o.Watch(events)
	defer func() {
		stopEvents()
		_ = w.fs.Close() // waits for fsnotify's goroutine
		for _, p := range w.procs {
			w.disarm(p)
		}
		cancel() // timer callbacks and restarts give up reporting to the loop
		w.wg.Wait()
	}()

	w.scan()
	for {
		select {
		case <-ctx.Done():
			return
		case <-events:
			// Read all that came at once, then the processes once.
			for more := true; more; {
				select {
				case <-events:
				default:
					more = false
				}
			}
			w.scan()
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			w.fileEvent(ev)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.cfg.logger.Error("watch: fsnotify", "err", err)
		case id := <-w.fired:
			w.fire(id)
		case id := <-w.restarted:
			w.restartEnded(id)
		}
		if w.cfg.onIdle != nil && w.idle() {
			w.cfg.onIdle()
		}
	}
}

// scan reads the processes of the Overseer and their files again, and
// watches the directories of these files, adding and removing watches for
// the directories that came or went only.
func (w *watcher) scan() {
	files := make(map[string][]string)
	dirs := make(map[string]bool)
	ids := w.o.ListAll()
	if w.cfg.only != nil {
		ids = slices.DeleteFunc(ids, func(id string) bool { return !w.cfg.only[id] })
	}
	for _, id := range ids {
		c, err := w.o.Cmd(id)
		if err != nil {
			continue // removed since ListAll
		}
		p := w.procs[id]
		if p == nil {
			p = &proc{id: id}
			w.procs[id] = p
		}
		p.gone = false
		for _, f := range c.WatchedFiles() {
			if f == "" {
				continue
			}
			abs, err := filepath.Abs(f) // cleaned, too
			if err != nil {
				continue
			}
			if !slices.Contains(files[abs], id) {
				files[abs] = append(files[abs], id)
			}
			dirs[filepath.Dir(abs)] = true
		}
	}
	for id, p := range w.procs {
		if _, ok := slices.BinarySearch(ids, id); ok {
			continue
		}
		w.disarm(p)
		if p.restarting {
			p.gone, p.again = true, false
		} else {
			delete(w.procs, id)
		}
	}
	w.files = files

	for dir := range w.dirs {
		if !dirs[dir] {
			_ = w.fs.Remove(dir) // fails only if fsnotify has dropped it already
			delete(w.dirs, dir)
		}
	}
	for dir := range w.failed {
		if !dirs[dir] {
			delete(w.failed, dir)
		}
	}
	for dir := range dirs {
		if w.dirs[dir] {
			continue
		}
		if err := w.fs.Add(dir); err != nil {
			if !w.failed[dir] {
				w.failed[dir] = true
				w.cfg.logger.Error("watch: cannot watch a directory (tried again at the next change of state)", "dir", dir, "err", err)
			}
			continue
		}
		delete(w.failed, dir)
		w.dirs[dir] = true
	}
	if w.cfg.onScan != nil {
		w.cfg.onScan(slices.Sorted(maps.Keys(w.dirs)))
	}
}

// fileEvent handles an event of fsnotify: a change of a file watched arms
// the debounce timers of its processes.
func (w *watcher) fileEvent(ev fsnotify.Event) {
	name := filepath.Clean(ev.Name)
	defer func() {
		if w.cfg.onFile != nil {
			w.cfg.onFile(name)
		}
	}()
	if w.dirs[name] && ev.Has(fsnotify.Remove|fsnotify.Rename) {
		// A directory watched went away: forget it, so that the next
		// scan watches it again if it is back.
		_ = w.fs.Remove(name)
		delete(w.dirs, name)
		return
	}
	if !ev.Has(fsnotify.Create | fsnotify.Write | fsnotify.Chmod) {
		return // a removal alone: its replacement, if any, is the change
	}
	for _, id := range w.files[name] {
		if p := w.procs[id]; p != nil {
			w.cfg.logger.Debug("watch: changed", "id", id, "file", name, "op", ev.Op.String())
			w.arm(p)
		}
	}
}

// arm starts the debounce timer of p, or starts it again from now.
func (w *watcher) arm(p *proc) {
	d := w.cfg.debounce
	p.due = time.Now().Add(d)
	if p.timer == nil {
		w.wg.Add(1)
		id := p.id
		p.timer = time.AfterFunc(d, func() {
			defer w.wg.Done()
			select {
			case w.fired <- id:
			case <-w.ctx.Done():
			}
		})
		return
	}
	if !p.timer.Reset(d) {
		w.wg.Add(1) // the timer had gone off or been stopped: its callback runs once more
	}
}

// disarm stops the debounce timer of p.
func (w *watcher) disarm(p *proc) {
	p.due = time.Time{}
	if p.timer != nil && p.timer.Stop() {
		w.wg.Done() // its callback will not run
	}
}

// fire handles the debounce timer of process id going off: its files have
// been left alone for the debounce period.
func (w *watcher) fire(id string) {
	p := w.procs[id]
	if p == nil || p.due.IsZero() || time.Now().Before(p.due) {
		return // disarmed, or armed again since this callback began
	}
	p.due = time.Time{}
	if p.restarting {
		p.again = true
		return
	}
	w.restart(p)
}

// restart restarts p in a goroutine of its own, if it is active.
func (w *watcher) restart(p *proc) {
	c, err := w.o.Cmd(p.id)
	if err != nil {
		return
	}
	// ToJSON has the state without copying the output, as Status does.
	switch state := c.ToJSON().State; state {
	case overseer.StateStarting, overseer.StateRunning, overseer.StateBackoff:
	default:
		w.cfg.logger.Debug("watch: not restarted: not active", "id", p.id, "state", state)
		return
	}
	p.restarting = true
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.cfg.logger.Info("watch: restarting: a file changed", "id", p.id)
		err := w.o.Restart(p.id)
		if err != nil {
			w.cfg.logger.Error("watch: restart failed", "id", p.id, "err", err)
		}
		if w.cfg.afterRestart != nil {
			w.cfg.afterRestart(p.id, err)
		}
		select {
		case w.restarted <- p.id:
		case <-w.ctx.Done():
		}
	}()
}

// restartEnded handles the end of the restart of process id.
func (w *watcher) restartEnded(id string) {
	p := w.procs[id]
	if p == nil {
		return
	}
	p.restarting = false
	switch {
	case p.gone:
		delete(w.procs, id)
	case p.again:
		p.again = false
		w.restart(p)
	}
}

// idle reports whether no timer is armed and no restart in flight.
func (w *watcher) idle() bool {
	for _, p := range w.procs {
		if !p.due.IsZero() || p.restarting {
			return false
		}
	}
	return true
}
