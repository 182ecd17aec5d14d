package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/overseer-go/overseer"
	yaml "go.yaml.in/yaml/v3"
)

// processKeys are the keys of a process, as the package doc lists them.
var processKeys = []string{
	"command", "args", "dir", "env", "env_file", "group", "restart", "max_restarts", "reset_after",
	"backoff", "start_delay", "stop_signal", "stop_timeout", "buffer_lines", "buffer_bytes",
	"max_line_bytes", "success_codes", "log", "log_timestamps", "pty", "listeners", "ready", "ready_timeout", "notify",
	"watchdog", "liveness", "watch_files", "depends_on",
	"memory_limit", "cpu_quota", "tasks_max", "limits", "nice", "umask", "user", "user_group",
	"schedule", "timezone", "run_on_start",
	"pre_start", "post_stop", "stop_command", "replicas", "disabled",
}

// backoffKeys are the keys of a process's backoff.
var backoffKeys = []string{"min", "max", "factor", "jitter"}

// maxLineBytes is the most overseer takes for Cmd.MaxLineBytes.
const maxLineBytes = 1 << 30

// yaml reads a YAML file: a mapping whose key processes maps names to
// process settings (see the package doc), into the layer of the file.
func (p *parser) yaml(data []byte) layer {
	ly := layer{file: p.file}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		p.errorf(0, "", "no processes (the file is empty)")
		return ly
	case err != nil:
		p.syntaxError(data, err)
		return ly
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.syntaxError(data, err)
		return ly
	default:
		p.errorf(next.Line, "", "a second YAML document (a file holds one)")
		return ly
	}
	if len(doc.Content) == 0 { // comments only
		p.errorf(0, "", "no processes (the file is empty)")
		return ly
	}

	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		p.errorf(root.Line, "", "want a mapping with the key processes, not %s", describe(root))
		return ly
	}
	var key, procs, include *yaml.Node
	for _, e := range p.entries(root, "") {
		switch name := e.key.Value; {
		case name == "processes":
			key, procs = e.key, deref(e.value)
		case name == "env_file":
			ly.envFiles = p.envFileList(name, e.value)
		case name == "include":
			include = e.key
			ly.includes = p.envFileList(name, e.value)
		case strings.HasPrefix(name, "x-"): // room for anchors
		default:
			p.errorf(e.key.Line, name, "unknown key (a file has processes, env_file, include, and x- keys for anchors)")
		}
	}
	switch {
	case key == nil && include != nil: // a file of includes
		return ly
	case key == nil:
		p.errorf(root.Line, "processes", "missing (the processes go under this key)")
		return ly
	case procs.Kind == yaml.ScalarNode && procs.ShortTag() == "!!null":
		p.errorf(key.Line, "processes", "no processes")
		return ly
	case procs.Kind != yaml.MappingNode:
		p.errorf(procs.Line, "processes", "want a mapping of process names to their settings, not %s", describe(procs))
		return ly
	}

	before := p.n
	var prev *entry // the process before
	for _, e := range p.entries(procs, "") {
		name := e.key.Value
		if err := checkName(name); err != nil {
			p.errorf(e.key.Line, name, "%v", err)
			continue
		}
		if prev != nil && misplacedSetting(*prev, e) {
			p.errorf(e.key.Line, name, "a setting of %s indented as a process: indent it under %s (a process named %s needs command or args)",
				prev.key.Value, prev.key.Value, name)
			continue
		}
		prev = &e
		ly.procs = append(ly.procs, p.layerProc(e.key, e.value))
	}
	if len(ly.procs) == 0 && p.n == before {
		p.errorf(key.Line, "processes", "no processes")
	}
	return ly
}

// misplacedSetting reports whether e, an entry of processes, is likely a
// setting of the process before it indented too little: it has the name of
// a setting, the process before has its settings on lines of their own (or
// none at all, which they would be for being indented too little too), and
// e has no command or args of its own.
func misplacedSetting(before, e entry) bool {
	if !slices.Contains(processKeys, e.key.Value) {
		return false
	}
	switch b := before.value; {
	case b.Kind == yaml.MappingNode && b.Style&yaml.FlowStyle == 0:
	case b.Kind == yaml.ScalarNode && b.ShortTag() == "!!null":
	default:
		return false
	}
	if v := deref(e.value); v.Kind == yaml.MappingNode {
		for i := 0; i < len(v.Content); i += 2 {
			if k := v.Content[i].Value; k == "command" || k == "args" || k == "<<" {
				return false
			}
		}
	}
	return true
}

// layerProc reads the entry of a process of the file, name: value.
func (p *parser) layerProc(key, value *yaml.Node) layerProc {
	v := deref(value)
	switch {
	case v.Kind == yaml.ScalarNode && v.ShortTag() != "!!null": // name: command line
		return layerProc{key: key, settings: []setting{{entry: entry{key, v}, file: p.file, short: true}}}
	case v.Kind != yaml.MappingNode:
		p.errorf(key.Line, key.Value, "no command: want a command line, or a mapping with command or args")
		return layerProc{key: key, bad: true}
	}
	es := p.entries(v, key.Value)
	lp := layerProc{key: key, settings: make([]setting, len(es))}
	for i, e := range es {
		lp.settings[i] = setting{entry: e, file: p.file}
	}
	return lp
}

// settings reads the settings of the process name, first defined by def in
// the file defFile: set, each key once but env (see merge). With partial,
// set are keys that a later file replaces, checked for what is wrong with
// each and then dropped: whether the process has a command, a schedule that
// fits its restart, a log for its log_timestamps, is not checked, nor are
// its depends_on.
func (p *parser) settings(name string, def *yaml.Node, defFile string, set []setting, partial bool) (Process, bool) {
	before := p.n
	if partial {
		defer func(n int) { p.deps = p.deps[:n] }(len(p.deps))
	}
	cmd := overseer.NewCmd("/bin/sh")
	proc := Process{Name: name, Cmd: cmd, Line: def.Line, File: defFile, from: map[string]string{"": defFile}}
	var program *yaml.Node // the key command or args
	var stamps *setting    // the key log_timestamps, set true
	var groupOf *yaml.Node // the key that set the user's group: user (name:group) or user_group
	var sched scheduleKeys // read once restart is known
	for _, s := range set {
		p.file = s.file
		e, kname := s.entry, s.name()
		k := name + "." + kname
		if s.short {
			k = name
		}
		proc.from[kname] = s.file
		refs := len(proc.refs)
		switch kname {
		case "command", "args":
			if program != nil {
				p.errorf(e.key.Line, k, "%s is set too (a process has command or args, not both)", program.Value)
				continue
			}
			program = e.key
			switch {
			case s.procfile: // checked, and never expanded
				cmd.Args = []string{"/bin/sh", "-c", e.value.Value}
			case kname == "command":
				cmd.Args = []string{"/bin/sh", "-c", p.command(k, e.value)}
				proc.refs = append(proc.refs, refAt(refArg, 2, e.value, k))
			default:
				cmd.Args = p.args(k, e.value)
				for i := range cmd.Args {
					proc.refs = append(proc.refs, refAt(refArg, i, deref(e.value).Content[i], fmt.Sprintf("%s[%d]", k, i)))
				}
			}
		case "dir":
			cmd.Dir = p.path(k, e.value)
			proc.refs = append(proc.refs, refAt(refDir, 0, e.value, k))
		case "env":
			vars, envRefs := p.env(k, e.value)
			for i := range envRefs {
				envRefs[i].file = s.file
			}
			// Load sets them over the rest of the environment.
			cmd.Env, proc.refs = mergeEnv(cmd.Env, proc.refs, vars, envRefs)
		case "env_file":
			proc.envFiles = p.envFileList(k, e.value)
		case "group":
			cmd.Group = p.text(k, e.value)
		case "restart":
			cmd.Restart = p.restart(k, e.value)
		case "max_restarts":
			n := deref(e.value)
			switch limit := p.integer(k, n); {
			case limit < -1:
				p.errorf(n.Line, k, "%d: want a number of restarts, or -1 for no limit", limit)
			case limit == 0:
				cmd.MaxRestarts = overseer.NoRestarts // 0 says none here; a zero field is the default
			default:
				cmd.MaxRestarts = limit
			}
		case "reset_after":
			cmd.ResetAfter = p.positiveDuration(k, e.value)
		case "backoff":
			p.backoff(k, e.value, &cmd.Backoff)
		case "start_delay":
			cmd.StartDelay = p.duration(k, e.value)
		case "stop_signal":
			n := deref(e.value)
			at := p.n
			s := p.text(k, n)
			if p.n == at {
				sig, err := parseSignal(s)
				if err != nil {
					p.errorf(n.Line, k, "%v", err)
				}
				cmd.StopSignal = sig
			}
		case "stop_timeout":
			cmd.StopTimeout = p.positiveDuration(k, e.value)
		case "buffer_lines":
			cmd.BufferLines = p.positive(k, e.value, p.integer)
		case "buffer_bytes":
			cmd.BufferBytes = p.positive(k, e.value, p.size)
		case "max_line_bytes":
			n := deref(e.value)
			if cmd.MaxLineBytes = p.positive(k, n, p.size); cmd.MaxLineBytes > maxLineBytes {
				p.errorf(n.Line, k, "%d is above 1GiB", cmd.MaxLineBytes)
			}
		case "success_codes":
			cmd.SuccessCodes = p.exitCodes(k, e.value)
		case "log":
			proc.Log = p.path(k, e.value)
			proc.refs = append(proc.refs, refAt(refLog, 0, e.value, k))
		case "log_timestamps":
			if proc.LogTimestamps = p.boolean(k, e.value); proc.LogTimestamps {
				stamps = &s
			}
		case "pty":
			cmd.PTY = p.boolean(k, e.value)
		case "listeners":
			cmd.Listeners = p.listeners(k, e.value)
		case "ready":
			cmd.Ready = p.ready(k, e.value)
		case "ready_timeout":
			cmd.ReadyTimeout = p.positiveDuration(k, e.value)
		case "notify":
			cmd.Notify = p.boolean(k, e.value)
		case "watchdog":
			cmd.Watchdog = p.duration(k, e.value)
		case "liveness":
			cmd.Liveness = p.liveness(k, e.value)
		case "watch_files":
			cmd.WatchFiles = p.paths(k, e.value)
		case "depends_on":
			cmd.DependsOn = p.dependsOn(name, k, e.value)
		case "memory_limit":
			cmd.MemoryLimit = int64(p.positive(k, e.value, p.size))
		case "cpu_quota":
			cmd.CPUQuota = p.cpuQuota(k, e.value)
		case "tasks_max":
			cmd.TasksMax = p.positive(k, e.value, p.integer)
		case "limits":
			cmd.Limits = p.limits(k, e.value)
		case "nice":
			cmd.Nice = p.nice(k, e.value)
		case "umask":
			cmd.Umask = p.umask(k, e.value)
		case "user", "user_group":
			var group string
			if e.key.Value == "user" {
				cmd.User, group = p.user(k, e.value)
			} else {
				group = p.userGroup(k, e.value)
			}
			if group == "" {
				continue
			}
			if groupOf != nil {
				p.errorf(e.key.Line, k, "the group is set by %s too (on line %d): set it once", groupOf.Value, groupOf.Line)
				continue
			}
			groupOf, cmd.UserGroup = e.key, group
		case "schedule", "timezone", "run_on_start":
			sched.add(s)
		case "pre_start":
			cmd.PreStart = p.hookList(k, e.value)
		case "post_stop":
			cmd.PostStop = p.hookList(k, e.value)
		case "stop_command":
			cmd.StopCommand = p.hookCommand(k, e.value)
		case "replicas":
			proc.replicas, proc.hasReplicas = p.replicas(k, e.value), true
			proc.replicasFile, proc.replicasLine = s.file, e.key.Line
		case "disabled":
			if p.boolean(k, e.value) {
				proc.disabled = fmt.Sprintf("%s:%d", s.file, e.key.Line)
			}
		default:
			p.errorf(e.key.Line, k, "unknown key%s", suggestProcessKey(e.key.Value))
		}
		for i := refs; i < len(proc.refs); i++ {
			proc.refs[i].file = s.file
		}
	}
	if partial {
		return proc, p.n == before
	}
	if program == nil && proc.disabled == "" {
		p.errorIn(defFile, def.Line, name, "no command (set command, a shell line, or args, a list)%s", definedIn(set))
	}
	p.schedule(name, cmd, sched)
	if stamps != nil && proc.Log == "" {
		// A key that would do nothing is an error, as an unknown one is.
		p.errorIn(stamps.file, stamps.key.Line, name+".log_timestamps", "there is no log file to stamp: set log too, or leave log_timestamps out")
	}
	return proc, p.n == before
}

// backoff reads a backoff mapping into b, which holds the defaults. A min
// or max given alone moves the default of the other out of its way, as
// overseer does with a zero field.
func (p *parser) backoff(key string, value *yaml.Node, b *overseer.Backoff) {
	m := deref(value)
	if m.Kind != yaml.MappingNode {
		p.errorf(m.Line, key, "want a mapping of %s, not %s", strings.Join(backoffKeys, ", "), describe(m))
		return
	}
	before := p.n
	var minNode, maxNode *yaml.Node
	for _, e := range p.entries(m, key) {
		k := key + "." + e.key.Value
		switch e.key.Value {
		case "min":
			minNode = deref(e.value)
			b.Min = p.positiveDuration(k, minNode)
		case "max":
			maxNode = deref(e.value)
			b.Max = p.positiveDuration(k, maxNode)
		case "factor":
			n := deref(e.value)
			at := p.n
			if b.Factor = p.float(k, n); p.n == at && (!(b.Factor >= 1) || math.IsInf(b.Factor, 0)) {
				p.errorf(n.Line, k, "%s: want a number of at least 1", n.Value)
			}
		case "jitter":
			b.NoJitter = !p.boolean(k, e.value)
		default:
			p.errorf(e.key.Line, k, "unknown key%s", suggest(e.key.Value, backoffKeys))
		}
	}
	switch {
	case p.n > before || b.Min <= b.Max:
	case minNode != nil && maxNode != nil:
		p.errorf(minNode.Line, key+".min", "%v is above max %v", b.Min, b.Max)
	case minNode != nil:
		b.Max = b.Min
	case maxNode != nil:
		b.Min = b.Max
	}
}

// command reads a command line for /bin/sh -c.
func (p *parser) command(key string, value *yaml.Node) string {
	n := deref(value)
	s := p.text(key, n)
	switch {
	case n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null":
	case strings.TrimSpace(s) == "":
		p.errorf(n.Line, key, "empty command")
	case strings.IndexByte(s, 0) >= 0:
		p.errorf(n.Line, key, "the command has a NUL byte")
	}
	return s
}

// args reads a program and its arguments.
func (p *parser) args(key string, value *yaml.Node) []string {
	n := deref(value)
	switch {
	case n.Kind != yaml.SequenceNode:
		p.errorf(n.Line, key, "want a list, the program first, not %s (for a shell line, use command)", describe(n))
		return nil
	case len(n.Content) == 0:
		p.errorf(n.Line, key, "empty list: no program")
		return nil
	}
	args := make([]string, len(n.Content))
	for i, item := range n.Content {
		k := fmt.Sprintf("%s[%d]", key, i)
		item = deref(item)
		args[i] = p.text(k, item)
		switch {
		case item.Kind != yaml.ScalarNode || item.ShortTag() == "!!null":
		case i == 0 && args[i] == "":
			p.errorf(item.Line, k, "empty program")
		case strings.IndexByte(args[i], 0) >= 0:
			p.errorf(item.Line, k, "NUL byte in %q", args[i])
		}
	}
	return args
}

// path reads a file or directory name.
func (p *parser) path(key string, value *yaml.Node) string {
	n := deref(value)
	s := p.text(key, n)
	switch {
	case n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null":
	case s == "":
		p.errorf(n.Line, key, "empty path (leave the key out for none)")
	case strings.IndexByte(s, 0) >= 0:
		p.errorf(n.Line, key, "NUL byte in %q", s)
	}
	return s
}

// env reads environment variables, a mapping of names to values or a list
// of "NAME=value", into "NAME=value" entries in file order, and where each
// is, for Load to expand its value.
func (p *parser) env(key string, value *yaml.Node) ([]string, []varRef) {
	n := deref(value)
	var vars []string
	var refs []varRef
	switch n.Kind {
	case yaml.MappingNode:
		for _, e := range p.entries(n, key) {
			k := key + "." + e.key.Value
			name := e.key.Value
			val := deref(e.value)
			if val.Kind == yaml.ScalarNode && val.ShortTag() == "!!null" {
				p.errorf(val.Line, k, `no value (write "" for an empty one)`)
				continue
			}
			s := p.text(k, val)
			if err := checkEnv(name, s); err != nil {
				p.errorf(e.key.Line, k, "%v", err)
			}
			refs = append(refs, refAt(refEnv, len(vars), val, k))
			vars = append(vars, name+"="+s)
		}
	case yaml.SequenceNode:
		first := make(map[string]int) // name → line
		for i, item := range n.Content {
			k := fmt.Sprintf("%s[%d]", key, i)
			item = deref(item)
			s := p.text(k, item)
			if item.Kind != yaml.ScalarNode || item.ShortTag() == "!!null" {
				continue
			}
			name, val, ok := strings.Cut(s, "=")
			if !ok {
				p.errorf(item.Line, k, "%q is not NAME=value", s)
				continue
			}
			if err := checkEnv(name, val); err != nil {
				p.errorf(item.Line, k, "%v", err)
				continue
			}
			if line, dup := first[name]; dup {
				p.errorf(item.Line, k, "%s is set twice (first on line %d)", name, line)
				continue
			}
			first[name] = item.Line
			refs = append(refs, refAt(refEnv, len(vars), item, k))
			vars = append(vars, s)
		}
	default:
		p.errorf(n.Line, key, "want a mapping of names to values, or a list of NAME=value, not %s", describe(n))
	}
	return vars, refs
}

// checkEnv checks the name and value of an environment variable.
func checkEnv(name, value string) error {
	switch {
	case name == "":
		return errors.New("empty variable name")
	case strings.ContainsAny(name, "=\x00"):
		return fmt.Errorf("variable name %q has = or a NUL byte", name)
	case strings.IndexByte(value, 0) >= 0:
		return fmt.Errorf("NUL byte in the value of %s", name)
	}
	return nil
}

// restart reads a restart policy by name.
func (p *parser) restart(key string, value *yaml.Node) overseer.RestartPolicy {
	n := deref(value)
	s := p.text(key, n)
	var policy overseer.RestartPolicy
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return policy
	}
	if n.ShortTag() != "!!str" || policy.UnmarshalText([]byte(s)) != nil {
		p.errorf(n.Line, key, "%q is not a restart policy (never, on-failure or always)", s)
	}
	return policy
}

// exitCodes reads a list of exit codes.
func (p *parser) exitCodes(key string, value *yaml.Node) []int {
	n := deref(value)
	if n.Kind != yaml.SequenceNode {
		p.errorf(n.Line, key, "want a list of exit codes, not %s", describe(n))
		return nil
	}
	var codes []int
	for i, item := range n.Content {
		k := fmt.Sprintf("%s[%d]", key, i)
		item = deref(item)
		code := p.integer(k, item)
		if code < 0 || code > 255 {
			p.errorf(item.Line, k, "%d is not an exit code (0-255)", code)
		}
		codes = append(codes, code)
	}
	return codes
}

// text reads a scalar as it is written.
func (p *parser) text(key string, value *yaml.Node) string {
	n := deref(value)
	switch {
	case n.Kind != yaml.ScalarNode:
		p.errorf(n.Line, key, "want a string, not %s", describe(n))
		return ""
	case n.ShortTag() == "!!null":
		p.errorf(n.Line, key, "no value")
		return ""
	}
	return n.Value
}

// integer reads a whole number.
func (p *parser) integer(key string, value *yaml.Node) int {
	n := deref(value)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		p.errorf(n.Line, key, "want a whole number, not %s", describe(n))
		return 0
	}
	var i int
	if err := n.Decode(&i); err != nil {
		p.errorf(n.Line, key, "%s is out of range", n.Value)
	}
	return i
}

// size reads a number of bytes, or a size with a unit ("4MiB").
func (p *parser) size(key string, value *yaml.Node) int {
	n := deref(value)
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		return p.integer(key, n)
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		p.errorf(n.Line, key, "want a size (4MiB, or a number of bytes), not %s", describe(n))
		return 0
	}
	size, err := parseSize(n.Value)
	if err != nil {
		p.errorf(n.Line, key, "%v", err)
	}
	return size
}

// positive reads a number with read and checks that it is above zero.
func (p *parser) positive(key string, value *yaml.Node, read func(string, *yaml.Node) int) int {
	n := deref(value)
	before := p.n
	v := read(key, n)
	if p.n == before && v <= 0 {
		p.errorf(n.Line, key, "%d: want a number above 0 (leave the key out for the default)", v)
	}
	return v
}

// float reads a number.
func (p *parser) float(key string, value *yaml.Node) float64 {
	n := deref(value)
	var f float64
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") || n.Decode(&f) != nil {
		p.errorf(n.Line, key, "want a number, not %s", describe(n))
		return math.NaN()
	}
	return f
}

// boolean reads true or false.
func (p *parser) boolean(key string, value *yaml.Node) bool {
	n := deref(value)
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		p.errorf(n.Line, key, "want true or false, not %s", describe(n))
	}
	return b
}

// duration reads a duration of zero or more ("500ms", "1m30s"; 0).
func (p *parser) duration(key string, value *yaml.Node) time.Duration {
	n := deref(value)
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		p.errorf(n.Line, key, "want a duration (such as 500ms, 10s, 1m30s), not %s", describe(n))
		return 0
	}
	d, err := time.ParseDuration(n.Value)
	switch {
	case err != nil:
		p.errorf(n.Line, key, "%q is not a duration (such as 500ms, 10s, 1m30s)", n.Value)
	case d < 0:
		p.errorf(n.Line, key, "%v is negative", d)
	}
	return d
}

// positiveDuration reads a duration above zero.
func (p *parser) positiveDuration(key string, value *yaml.Node) time.Duration {
	n := deref(value)
	before := p.n
	d := p.duration(key, n)
	if p.n == before && d == 0 {
		p.errorf(n.Line, key, "want a duration above 0 (leave the key out for the default)")
	}
	return d
}

// suggest returns " (did you mean k?)" for the known key k closest to key,
// if it is a slip away (see closest), or else the list of known keys.
func suggest(key string, known []string) string {
	if k := closest(key, known); k != "" {
		return fmt.Sprintf(" (did you mean %s?)", k)
	}
	return " (known: " + strings.Join(known, ", ") + ")"
}

// closest returns the first of names nearest to s, if it is within a slip
// of it: two edits (a letter added, removed or changed, or two swapped), or
// one when either is three letters or less, since two edits turn any short
// word into many others. Else it returns "".
func closest(s string, names []string) string {
	best, dist := "", 3
	for _, name := range names {
		limit := 2
		if min(len(s), len(name)) <= 3 {
			limit = 1
		}
		if d := distance(s, name); d <= limit && d < dist {
			best, dist = name, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes, with a
// swap of two letters next to each other counted as one edit, as it is one
// slip ("tpc" for tcp): the optimal string alignment distance.
func distance(a, b string) int {
	// Three rows of the table: for a[:i-2], a[:i-1] and a[:i].
	before, prev, row := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(a); i++ {
		before, prev, row = prev, row, before
		row[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			row[j] = min(prev[j]+1, row[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				row[j] = min(row[j], before[j-2]+1)
			}
		}
	}
	return row[len(b)]
}
