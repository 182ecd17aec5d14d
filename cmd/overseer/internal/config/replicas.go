package config

import (
	"fmt"
	"slices"

	yaml "go.yaml.in/yaml/v3"

	"github.com/overseer-go/overseer"
)

// maxReplicas is the most instances of a process that take their PORT from
// the foreman convention: one more would take the port of the process
// after it in the file.
const maxReplicas = portStep

// replicas reads the value of the key replicas: a whole number, 0 or more.
func (p *parser) replicas(key string, value *yaml.Node) int {
	n := deref(value)
	before := p.n
	count := p.integer(key, n)
	if p.n == before && count < 0 {
		p.errorf(n.Line, key, "%d: want a number of instances, 0 or more", count)
	}
	return count
}

// counts returns how many instances each process with replicas runs: the
// file's replicas, or scale's. A name of scale that is not a process with
// replicas, or a count below 0, is an error.
func (pr *Project) counts(scale map[string]int) (map[string]int, error) {
	counts := pr.Replicas()
	names := make([]string, 0, len(scale))
	for name := range scale {
		names = append(names, name)
	}
	slices.Sort(names) // the first error is the same each time
	for _, name := range names {
		n := scale[name]
		_, ok := counts[name]
		switch tmpl := pr.template(name); {
		case !ok && tmpl != nil && tmpl.disabled != "":
			return nil, fmt.Errorf("scale: %s is disabled (%s)", name, tmpl.disabled)
		case !ok && tmpl != nil:
			return nil, fmt.Errorf("scale: %s has no replicas in %s: only a process with the key replicas can be scaled", name, pr.name())
		case !ok:
			return nil, fmt.Errorf("scale: no process %q in %s%s", name, pr.name(), suggestProcess(name, pr.names()))
		case n < 0:
			return nil, fmt.Errorf("scale: %s=%d: want a number of instances, 0 or more", name, n)
		}
		counts[name] = n
	}
	return counts, nil
}

// checkInstances reports, as *Errors at the lines of the processes, a
// process with replicas whose instances would take the ports of the next
// process (more than maxReplicas under the PORT convention), and a name of
// an instance (NAME-r) that is the name of a process of the file, or of
// another instance.
func (pr *Project) checkInstances(errs *errorList, counts map[string]int) {
	owner := make(map[string]*Process, len(pr.procs)) // name → the process of the file it names
	for i := range pr.procs {
		owner[pr.procs[i].Name] = &pr.procs[i]
	}
	for i := range pr.procs {
		tmpl := &pr.procs[i]
		n, ok := counts[tmpl.Name]
		if !ok {
			continue
		}
		p := &parser{file: refFile(tmpl.replicasFile, pr.fileOf(tmpl))}
		if n > maxReplicas && !setsPort(tmpl.Cmd.Env) {
			p.errorf(tmpl.replicasLine, tmpl.Name+".replicas", "%d instances would take the ports of the next process (PORT is %d apart from one process to the next): run %d at most, or set PORT in env (with ${REPLICA})",
				n, portStep, maxReplicas)
		}
		for r := 1; r <= n; r++ {
			name := instanceName(tmpl.Name, r)
			if err := checkName(name); err != nil {
				p.errorf(tmpl.replicasLine, tmpl.Name+".replicas", "instance %s: %v", name, err)
				break
			}
			if other, taken := owner[name]; taken {
				what := "the process " + other.Name
				if other.Name != name {
					what = "an instance of " + other.Name
				}
				p.errorf(tmpl.replicasLine, tmpl.Name+".replicas", "instance %s has the name of %s (%s): rename one", name, what, pr.where(other))
				break
			}
			owner[name] = tmpl
		}
		errs.add(p.err())
	}
}

// where returns where tmpl is named last, "FILE:LINE", or "line LINE" in
// the file read when that is the only one.
func (pr *Project) where(tmpl *Process) string {
	if file := pr.fileOf(tmpl); len(pr.files) > 1 || file != pr.path {
		return fmt.Sprintf("%s:%d", file, tmpl.Line)
	}
	return fmt.Sprintf("line %d", tmpl.Line)
}

// expandDeps returns deps with each entry that names a process with
// replicas replaced by one for each of its instances (none for 0), in
// order, with the same condition and restart.
func expandDeps(deps []overseer.Dependency, counts map[string]int) []overseer.Dependency {
	if len(deps) == 0 {
		return deps
	}
	out := make([]overseer.Dependency, 0, len(deps))
	for _, d := range deps {
		n, ok := counts[d.ID]
		if !ok {
			out = append(out, d)
			continue
		}
		for r := 1; r <= n; r++ {
			e := d
			e.ID = instanceName(d.ID, r)
			out = append(out, e)
		}
	}
	return out
}
