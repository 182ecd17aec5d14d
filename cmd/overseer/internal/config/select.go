package config

import (
	"fmt"
	"slices"
	"strings"
)

// Select returns the processes of procs named in names, with the processes
// they depend on (depends_on), transitively, in file order: what "overseer
// -f FILE web" runs. No names selects them all. A name may be that of a
// process with replicas, as the file has it (Template), which selects all
// its instances, or that of one instance (web-2). A name that is neither
// is an error that names the file (file) and suggests a near name, or
// lists them.
func Select(file string, procs []Process, names []string) ([]Process, error) {
	if len(names) == 0 {
		return procs, nil
	}
	byName := make(map[string]Process, len(procs))
	instances := make(map[string][]string) // template → the names of its instances
	var all []string
	for _, p := range procs {
		byName[p.Name] = p
		if p.Replica > 0 {
			if len(instances[p.Template]) == 0 {
				all = append(all, p.Template)
			}
			instances[p.Template] = append(instances[p.Template], p.Name)
			continue
		}
		all = append(all, p.Name)
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
		if insts, ok := instances[name]; ok {
			for _, inst := range insts {
				add(inst)
			}
			continue
		}
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
