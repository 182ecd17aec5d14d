package config

import (
	"fmt"

	yaml "go.yaml.in/yaml/v3"
)

// hookList reads pre_start or post_stop: a list of commands, each a shell
// line or a list with the program first (see hookCommand).
func (p *parser) hookList(key string, value *yaml.Node) [][]string {
	n := deref(value)
	switch {
	case n.Kind != yaml.SequenceNode:
		p.errorf(n.Line, key, "want a list of commands (shell lines, or lists with the program first), not %s", describe(n))
		return nil
	case len(n.Content) == 0:
		p.errorf(n.Line, key, "empty list (leave the key out for none)")
		return nil
	}
	cmds := make([][]string, len(n.Content))
	for i, item := range n.Content {
		cmds[i] = p.hookCommand(fmt.Sprintf("%s[%d]", key, i), item)
	}
	return cmds
}

// hookCommand reads one hook command: a shell line, run by /bin/sh -c as
// command is, or a list with the program first, run as args is.
func (p *parser) hookCommand(key string, value *yaml.Node) []string {
	n := deref(value)
	if n.Kind == yaml.SequenceNode {
		return p.args(key, n)
	}
	return []string{"/bin/sh", "-c", p.command(key, n)}
}
