package depgraph

import "slices"

// Graph is a dependency graph: g[id] lists the ids id depends on, in the
// order given, without repeats. An id listed that is not a key of the graph
// is unknown; every function here leaves the edges to it out.
type Graph map[string][]string

// IDs returns the ids of g (its keys) in sorted order.
func (g Graph) IDs() []string {
	ids := make([]string, 0, len(g))
	for id := range g {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Cycles returns the cycles a depth-first search finds in g, one for each
// edge back to an id on the search's path, each as the path around it
// ("a", "b", "a"). Edges to unknown ids and from an id to itself (which the
// caller reports as it likes) are left out. The search goes in id order, so
// the result is the same for the same graph.
func (g Graph) Cycles() [][]string {
	const (
		unseen = iota
		onPath
		done
	)
	mark := make(map[string]int, len(g))
	var path []string
	var found [][]string
	var visit func(id string)
	visit = func(id string) {
		mark[id] = onPath
		path = append(path, id)
		for _, dep := range g[id] {
			if _, ok := g[dep]; !ok || dep == id {
				continue
			}
			switch mark[dep] {
			case unseen:
				visit(dep)
			case onPath:
				i := slices.Index(path, dep)
				found = append(found, append(slices.Clone(path[i:]), dep))
			}
		}
		path = path[:len(path)-1]
		mark[id] = done
	}
	for _, id := range g.IDs() {
		if mark[id] == unseen {
			visit(id)
		}
	}
	return found
}

// CycleThrough returns a cycle of g through id ("id", …, "id"), or nil if
// there is none. An edge from id to itself is not one.
func (g Graph) CycleThrough(id string) []string {
	seen := make(map[string]bool)
	var path []string
	var visit func(at string) bool
	visit = func(at string) bool {
		path = append(path, at)
		for _, dep := range g[at] {
			if dep == id && at != id {
				path = append(path, id)
				return true
			}
			if _, ok := g[dep]; ok && !seen[dep] && dep != id {
				seen[dep] = true
				if visit(dep) {
					return true
				}
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if visit(id) {
		return path
	}
	return nil
}

// Components numbers the strongly connected components of g (Tarjan's
// algorithm): two ids have the same number when each depends on the other,
// directly or not.
func (g Graph) Components() map[string]int {
	index := make(map[string]int, len(g))
	low := make(map[string]int, len(g))
	onStack := make(map[string]bool, len(g))
	comp := make(map[string]int, len(g))
	var stack []string
	next, ncomp := 0, 0
	var visit func(id string)
	visit = func(id string) {
		index[id], low[id] = next, next
		next++
		stack = append(stack, id)
		onStack[id] = true
		for _, dep := range g[id] {
			if _, ok := g[dep]; !ok {
				continue
			}
			if _, seen := index[dep]; !seen {
				visit(dep)
				low[id] = min(low[id], low[dep])
			} else if onStack[dep] {
				low[id] = min(low[id], index[dep])
			}
		}
		if low[id] == index[id] {
			for {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[top] = false
				comp[top] = ncomp
				if top == id {
					break
				}
			}
			ncomp++
		}
	}
	for _, id := range g.IDs() {
		if _, seen := index[id]; !seen {
			visit(id)
		}
	}
	return comp
}

// StopOrder returns, for each id of g that others depend on, those ids,
// which are to stop before it; the ids are in sorted order. Edges within a
// cycle (a strongly connected component) are left out, so that the members
// of a cycle stop in parallel instead of waiting for each other; an id with
// no dependents has no entry.
func (g Graph) StopOrder() map[string][]string {
	comp := g.Components()
	dependents := make(map[string][]string)
	for _, id := range g.IDs() {
		for _, dep := range g[id] {
			if _, ok := g[dep]; !ok || comp[dep] == comp[id] {
				continue
			}
			dependents[dep] = append(dependents[dep], id)
		}
	}
	return dependents
}
