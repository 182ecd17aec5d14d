package config

import (
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/overseer-go/overseer"
)

// A dependency is an entry of depends_on, kept to check, once every process
// of the file is known, that it names one and that the entries make no
// cycle.
type dependency struct {
	from string // the process whose entry it is
	key  string // web.depends_on[0], web.depends_on.db
	id   string
	file string
	line int
}

// dependsOn reads the processes that process name depends on: a list of
// names (each waited for until started) or a mapping of names to
// conditions (started, ready, completed, healthy), each a condition alone
// or a mapping of condition and restart (see dependency).
func (p *parser) dependsOn(name, key string, value *yaml.Node) []overseer.Dependency {
	n := deref(value)
	var deps []overseer.Dependency
	add := func(k string, line int, d overseer.Dependency) {
		switch err := checkName(d.ID); {
		case err != nil:
			p.errorf(line, k, "%v", err)
			return
		case d.ID == name:
			p.errorf(line, k, "%s depends on itself", name)
			return
		}
		p.deps = append(p.deps, dependency{from: name, key: k, id: d.ID, file: p.file, line: line})
		deps = append(deps, d)
	}
	switch n.Kind {
	case yaml.SequenceNode:
		p.list(key, n, "process names", func(k string, item *yaml.Node, id string) {
			add(k, item.Line, overseer.Dependency{ID: id})
		})
	case yaml.MappingNode:
		for _, e := range p.entries(n, key) {
			k := key + "." + e.key.Value
			before := p.n
			d := p.dependency(k, e.value)
			if p.n > before {
				continue
			}
			d.ID = e.key.Value
			add(k, e.key.Line, d)
		}
	default:
		p.errorf(n.Line, key, "want a list of process names, or a mapping of names to conditions (%s), not %s", conditionList, describe(n))
	}
	return deps
}

// conditionList names the conditions of depends_on, for errors.
const conditionList = "started, ready, completed, healthy"

// dependencyKeys are the keys of the long form of an entry of depends_on.
var dependencyKeys = []string{"condition", "restart"}

// composeConditions are Docker Compose's names of the conditions, each
// with overseer's.
var composeConditions = map[string]string{
	"service_started":                "started",
	"service_healthy":                "healthy",
	"service_completed_successfully": "completed",
}

// dependency reads the value of an entry of a depends_on mapping: a
// condition, or a mapping of condition (started if left out) and restart
// (Dependency.Restart), as Docker Compose's long form has them.
func (p *parser) dependency(key string, value *yaml.Node) overseer.Dependency {
	var d overseer.Dependency
	n := deref(value)
	if n.Kind != yaml.MappingNode {
		d.Condition = p.condition(key, n)
		return d
	}
	for _, e := range p.entries(n, key) {
		k := key + "." + e.key.Value
		switch e.key.Value {
		case "condition":
			d.Condition = p.condition(k, e.value)
		case "restart":
			d.Restart = p.boolean(k, e.value)
		default:
			p.errorf(e.key.Line, k, "unknown key%s", suggest(e.key.Value, dependencyKeys))
		}
	}
	return d
}

// condition reads the name of a condition of depends_on.
func (p *parser) condition(key string, value *yaml.Node) overseer.Condition {
	var cond overseer.Condition
	n := deref(value)
	before := p.n
	s := p.text(key, n)
	switch {
	case p.n > before:
	case composeConditions[s] != "" && n.ShortTag() == "!!str":
		p.errorf(n.Line, key, "%q is not a condition (did you mean %s?)", s, composeConditions[s])
	case n.ShortTag() != "!!str" || cond.UnmarshalText([]byte(s)) != nil:
		p.errorf(n.Line, key, "%q is not a condition (%s)", s, conditionList)
	}
	return cond
}

// checkDeps checks that every dependency names a process of the files
// that is not disabled (disabled maps those to where disabled is set), and
// that no processes depend on each other in a cycle. The dependencies of a
// disabled process are not checked.
func (p *parser) checkDeps(names []string, disabled map[string]string) {
	known := make(map[string]bool, len(names))
	for _, name := range names {
		known[name] = true
	}
	edges := make(map[string][]dependency) // process → its dependencies, in file order
	for _, d := range p.deps {
		switch {
		case disabled[d.from] != "":
		case !known[d.id]:
			p.errorIn(d.file, d.line, d.key, "no process %s in the file%s%s", d.id, plural(len(p.files)), suggestProcess(d.id, names))
		case disabled[d.id] != "":
			p.errorIn(d.file, d.line, d.key, "%s is disabled (%s): enable it, or leave it out of depends_on", d.id, disabled[d.id])
		default:
			edges[d.from] = append(edges[d.from], d)
		}
	}
	for _, cycle := range cycles(names, edges) {
		if len(cycle) == 0 {
			continue
		}
		path := make([]string, 0, len(cycle)+1)
		for _, d := range cycle {
			path = append(path, d.from)
		}
		path = append(path, cycle[0].from)
		p.errorIn(cycle[0].file, cycle[0].line, cycle[0].key, "a cycle of depends_on: %s (each would wait for the next for ever)", strings.Join(path, " -> "))
	}
}

// plural returns "s" for n above 1.
func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

// cycles returns a cycle of dependencies for each group of processes that
// depend on each other (a strongly connected component of more than one),
// the groups and each cycle beginning with the process first in names. A
// cycle is its dependencies, each from the process the one before leads to.
func cycles(names []string, edges map[string][]dependency) [][]dependency {
	// Tarjan's algorithm, visiting names and edges in file order.
	index := make(map[string]int, len(names)) // order of the visit, from 1
	low := make(map[string]int, len(names))
	onStack := make(map[string]bool)
	var stack []string
	var groups [][]string
	var visit func(string)
	visit = func(v string) {
		index[v] = len(index) + 1
		low[v] = index[v]
		stack = append(stack, v)
		onStack[v] = true
		for _, d := range edges[v] {
			switch {
			case index[d.id] == 0:
				visit(d.id)
				low[v] = min(low[v], low[d.id])
			case onStack[d.id]:
				low[v] = min(low[v], index[d.id])
			}
		}
		if low[v] != index[v] {
			return
		}
		var group []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			group = append(group, w)
			if w == v {
				break
			}
		}
		if len(group) > 1 {
			groups = append(groups, group)
		}
	}
	for _, name := range names {
		if index[name] == 0 {
			visit(name)
		}
	}

	order := make(map[string]int, len(names))
	for i, name := range names {
		order[name] = i
	}
	var out [][]dependency
	for _, group := range groups {
		in := make(map[string]bool, len(group))
		start := group[0]
		for _, name := range group {
			in[name] = true
			if order[name] < order[start] {
				start = name
			}
		}
		out = append(out, shortestCycle(start, in, edges))
	}
	slices.SortFunc(out, func(a, b []dependency) int { return order[a[0].from] - order[b[0].from] })
	return out
}

// shortestCycle returns a shortest cycle from start back to it through the
// processes of in, a strongly connected group that holds start.
func shortestCycle(start string, in map[string]bool, edges map[string][]dependency) []dependency {
	via := map[string]dependency{} // process → the dependency it was first reached by
	queue := []string{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, d := range edges[v] {
			if d.id == start {
				cycle := []dependency{d}
				for w := v; w != start; w = via[w].from {
					cycle = append(cycle, via[w])
				}
				slices.Reverse(cycle)
				return cycle
			}
			if _, seen := via[d.id]; !seen && in[d.id] {
				via[d.id] = d
				queue = append(queue, d.id)
			}
		}
	}
	return nil // not reached: start is in a cycle of in
}

// suggestProcess returns " (did you mean name?)" for the name of names
// closest to id, if it is a slip away (see closest), or "".
func suggestProcess(id string, names []string) string {
	if name := closest(id, names); name != "" {
		return fmt.Sprintf(" (did you mean %s?)", name)
	}
	return ""
}
