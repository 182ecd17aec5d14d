package config

import (
	"fmt"
	"slices"
	"strings"
)

// Select returns the processes of procs named in names, with the processes
// they depend on (depends_on), transitively, in file order: what "overseer
// -f FILE web" runs. No names selects them all. A name that is not in
// procs is an error that names the file (file) and suggests a near name,
// or lists them.
func Select(file string, procs []Process, names []string) ([]Process, error) {
	if len(names) == 0 {
		return procs, nil
	}
	byName := make(map[string]Process, len(procs))
	all := make([]string, len(procs))
	for i, p := range procs {
		byName[p.Name] = p
		all[i] = p.Name
	}
	chosen := make(map[string]bool)
	var add func(name string)
	add = func(name string) {
		if chosen[name] {
			return
		}
		chosen[name] = true
		for _, d := range byName[name].Cmd.DependsOn {
			add(d.ID)
		}
	}
	for _, name := range names {
		if _, ok := byName[name]; !ok {
			hint := suggestProcess(name, all)
			if hint == "" {
				hint = " (it has " + strings.Join(all, ", ") + ")"
			}
			return nil, fmt.Errorf("no process %q in %s%s", name, file, hint)
		}
		add(name)
	}
	return slices.DeleteFunc(slices.Clone(procs), func(p Process) bool { return !chosen[p.Name] }), nil
}
