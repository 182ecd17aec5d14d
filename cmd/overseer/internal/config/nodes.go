package config

import (
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// An entry is a key and its value in a mapping.
type entry struct{ key, value *yaml.Node }

// entries returns the entries of mapping m in order, with its merge keys
// ("<<: *anchor", or a list of anchors) applied as YAML 1.1 says: the
// mapping's own keys win over merged ones, and an earlier merged mapping
// over a later one. A key that m defines twice is an error, about the key
// path + "." + key (or key alone for an empty path).
func (p *parser) entries(m *yaml.Node, path string) []entry {
	mg := merger{p: p, done: make(map[*yaml.Node][]entry), active: make(map[*yaml.Node]bool)}
	return mg.entries(m, path)
}

// merger flattens one mapping and the mappings merged into it, each once.
type merger struct {
	p      *parser
	done   map[*yaml.Node][]entry // the entries of mappings already flattened
	active map[*yaml.Node]bool    // mappings being flattened, to catch a loop
}

func (mg *merger) entries(m *yaml.Node, path string) []entry {
	if es, ok := mg.done[m]; ok {
		return es
	}
	mg.active[m] = true
	defer delete(mg.active, m)
	var own, merged []entry
	first := make(map[string]int) // key → line
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), m.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
			merged = append(merged, mg.merge(k, v, path)...)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			mg.p.errorf(k.Line, path, "a key must be a name, not %s", describe(k))
			continue
		}
		if line, dup := first[k.Value]; dup {
			mg.p.errorf(k.Line, join(path, k.Value), "defined twice (first on line %d)", line)
			continue
		}
		first[k.Value] = k.Line
		own = append(own, entry{k, v})
	}
	es := own
	if len(merged) > 0 {
		es = make([]entry, 0, len(merged)+len(own))
		for _, e := range merged {
			if _, taken := first[e.key.Value]; !taken {
				first[e.key.Value] = e.key.Line
				es = append(es, e)
			}
		}
		es = append(es, own...)
	}
	mg.done[m] = es
	return es
}

// merge returns the entries of the mapping or mappings v that key (<<)
// merges, earlier ones first.
func (mg *merger) merge(key, v *yaml.Node, path string) []entry {
	k := join(path, "<<")
	var from []*yaml.Node
	switch v = deref(v); v.Kind {
	case yaml.MappingNode:
		from = []*yaml.Node{v}
	case yaml.SequenceNode:
		for _, item := range v.Content {
			if item = deref(item); item.Kind != yaml.MappingNode {
				mg.p.errorf(item.Line, k, "want mappings to merge, not %s", describe(item))
				continue
			}
			from = append(from, item)
		}
	default:
		mg.p.errorf(v.Line, k, "want a mapping to merge, or a list of them, not %s", describe(v))
	}
	var es []entry
	for _, m := range from {
		if mg.active[m] {
			mg.p.errorf(key.Line, k, "merges a mapping that holds this one")
			continue
		}
		es = append(es, mg.entries(m, path)...)
	}
	return es
}

// deref returns the node an alias stands for, or n itself.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// describe names the kind of a node for an error: "a mapping", "a list", "no
// value", or a scalar as written.
func describe(n *yaml.Node) string {
	switch n = deref(n); {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		return "no value"
	case n.Kind == yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "this"
}

// join joins a key path and a key with a dot.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
