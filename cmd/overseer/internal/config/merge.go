package config

import (
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// A layer is what one file read says, a given file or an included one: its
// top-level env_file and include, and its processes in file order.
type layer struct {
	file     string
	envFiles []fileRef
	includes []fileRef
	procs    []layerProc
}

// A layerProc is a process as one file has it: its name, and the keys the
// file sets.
type layerProc struct {
	key      *yaml.Node // the name, where it is
	settings []setting
	bad      bool // not a command line nor a mapping: reported
}

// A setting is a key of a process and its value, with the file that sets
// it and the layer it comes from (the same file may be read twice, being
// included twice).
type setting struct {
	entry
	file  string
	layer int
	// short is the short form of a process, name: command line: key is the
	// process's name, value its command.
	short bool
	// procfile is a Procfile's line, checked as it was read, and never
	// expanded.
	procfile bool
}

// name returns the key of the setting: command for the short form.
func (s setting) name() string {
	if s.short {
		return "command"
	}
	return s.key.Value
}

// slot returns what the setting sets, which a later file's replaces:
// command and args set one thing, the program.
func (s setting) slot() string {
	switch k := s.name(); k {
	case "command", "args":
		return "program"
	default:
		return k
	}
}

// merge makes the processes of the layers, merged in order: a process
// defined again in a later layer keeps its place, and each key a later
// layer sets replaces that of the earlier ones (command and args replacing
// each other), but env, merged per variable; a process a later layer adds
// comes after the others. The keys replaced are checked too. It returns
// the processes, disabled ones included (see Process.disabled), and checks
// depends_on.
func (p *parser) merge(layers []layer) []Process {
	type merged struct {
		name      string
		def, last *yaml.Node // the name where it is defined first, and last
		defFile   string
		lastFile  string
		settings  []setting
		bad       bool
	}
	var order []*merged
	byName := make(map[string]*merged)
	for i, ly := range layers {
		for _, lp := range ly.procs {
			m := byName[lp.key.Value]
			if m == nil {
				m = &merged{name: lp.key.Value, def: lp.key, defFile: ly.file}
				byName[m.name] = m
				order = append(order, m)
			}
			m.last, m.lastFile = lp.key, ly.file
			m.bad = m.bad || lp.bad
			for _, s := range lp.settings {
				s.layer = i
				m.settings = append(m.settings, s)
			}
		}
	}

	var out []Process
	names := make([]string, 0, len(order))
	disabled := make(map[string]string) // name → where
	type orphan struct {
		name string
		key  setting // disabled: true
	}
	var orphans []orphan // disabled processes that no file gives a command
	for _, m := range order {
		names = append(names, m.name)
		if m.bad {
			continue
		}
		win, lose := pick(m.settings)
		for _, set := range lose {
			p.settings(m.name, m.def, m.defFile, set, true)
		}
		proc, ok := p.settings(m.name, m.def, m.defFile, win, false)
		if !ok {
			continue
		}
		// The last file that names the process: where to look first for
		// what it does.
		proc.Line, proc.File = m.last.Line, m.lastFile
		if proc.disabled != "" {
			disabled[m.name] = proc.disabled
			if !slices.ContainsFunc(win, func(s setting) bool { return s.slot() == "program" }) {
				i := slices.IndexFunc(win, func(s setting) bool { return s.name() == "disabled" })
				orphans = append(orphans, orphan{m.name, win[i]})
			}
		}
		out = append(out, proc)
	}
	for _, o := range orphans {
		// A process that only disabled defines: a slip of the name of
		// the process to turn off, most likely, that would turn off none.
		others := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == o.name })
		p.errorIn(o.key.file, o.key.key.Line, o.name+".disabled", "no file gives %s a command: is the name right?%s", o.name, suggestProcess(o.name, others))
	}
	p.checkDeps(names, disabled)
	if p.n == 0 && len(out) > 0 && len(disabled) == len(out) {
		p.errorIn(layers[0].file, 0, "", "no processes: every process is disabled")
	}
	return out
}

// pick returns the settings that make the process, in order, each key from
// the last layer that sets it but env, from every layer; and those that a
// later layer replaces, by layer.
func pick(all []setting) (win []setting, lose [][]setting) {
	last := make(map[string]int) // slot → the last layer that sets it
	for _, s := range all {
		last[s.slot()] = s.layer
	}
	byLayer := make(map[int][]setting)
	var layers []int
	for _, s := range all {
		if s.slot() == "env" || last[s.slot()] == s.layer {
			win = append(win, s)
			continue
		}
		if byLayer[s.layer] == nil {
			layers = append(layers, s.layer)
		}
		byLayer[s.layer] = append(byLayer[s.layer], s)
	}
	for _, l := range layers {
		lose = append(lose, byLayer[l])
	}
	return win, lose
}

// mergeEnv sets vars, "NAME=value" entries with refs, the references of
// their values (refEnv, indexed in vars), over env, with envRefs: a
// variable set again keeps its place in env and takes the new value and
// reference. It returns env and envRefs; env is nil for no variable.
func mergeEnv(env []string, envRefs []varRef, vars []string, refs []varRef) ([]string, []varRef) {
	for i, kv := range vars {
		name, _, _ := strings.Cut(kv, "=") // env checked the =
		at := slices.IndexFunc(env, func(old string) bool { return strings.HasPrefix(old, name+"=") })
		if at < 0 {
			at = len(env)
			env = append(env, kv)
		} else {
			env[at] = kv
			envRefs = slices.DeleteFunc(envRefs, func(r varRef) bool { return r.kind == refEnv && r.index == at })
		}
		for _, r := range refs {
			if r.kind == refEnv && r.index == i {
				r.index = at
				envRefs = append(envRefs, r)
			}
		}
	}
	return env, envRefs
}

// definedIn returns, for a process that set has keys of from several
// files, " (it is in FILE, FILE)", naming them, for an error.
func definedIn(set []setting) string {
	var files []string
	for _, s := range set {
		if !slices.Contains(files, s.file) {
			files = append(files, s.file)
		}
	}
	if len(files) < 2 {
		return ""
	}
	return fmt.Sprintf(" (its keys are in %s)", strings.Join(files, ", "))
}
