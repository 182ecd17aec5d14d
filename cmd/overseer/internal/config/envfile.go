package config

import (
	"fmt"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// A fileRef is a file named by an env_file or include key of a YAML file:
// its name as written, and the file, line and key that name it.
type fileRef struct {
	name string
	file string
	line int
	key  string
}

// refKind says which value of a process a varRef is.
type refKind int

const (
	refArg refKind = iota // Cmd.Args[index]: an element of args, or the line of command
	refEnv                // the value of Cmd.Env[index], before Load sets it over the rest
	refDir                // Cmd.Dir
	refLog                // Process.Log
)

// A varRef is a value of a process in which Load expands ${NAME}: which
// value, and the line and key that set it.
type varRef struct {
	kind  refKind
	index int
	file  string // of the YAML file that sets it
	line  int
	key   string
	block bool // a literal block (|): line is that of the |, and each line of the value one of the file
}

// refAt returns a varRef of the value n, of kind and index, set by key.
func refAt(kind refKind, index int, n *yaml.Node, key string) varRef {
	n = deref(n)
	return varRef{kind: kind, index: index, line: n.Line, key: key, block: n.Style&yaml.LiteralStyle != 0}
}

// lineOf returns the line of the file at offset at of the value s of ref.
func (ref varRef) lineOf(s string, at int) int {
	if !ref.block {
		return ref.line
	}
	return ref.line + 1 + strings.Count(s[:at], "\n")
}

// envFileList reads the value of an env_file key: one file name, or a list
// of them.
func (p *parser) envFileList(key string, value *yaml.Node) []fileRef {
	n := deref(value)
	if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null" {
		s := p.text(key, n)
		if s == "" || strings.IndexByte(s, 0) >= 0 {
			p.errorf(n.Line, key, "%q is not a file name", s)
			return nil
		}
		return []fileRef{{name: s, file: p.file, line: n.Line, key: key}}
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n.Line, key, "want a file name, or a list of them, not %s", describe(n))
		return nil
	}
	var refs []fileRef
	p.list(key, n, "files", func(k string, item *yaml.Node, s string) {
		if s == "" {
			p.errorf(item.Line, k, "empty file name")
			return
		}
		refs = append(refs, fileRef{name: s, file: p.file, line: item.Line, key: k})
	})
	return refs
}

// readEnvFile reads the env file ref, named in the YAML file ref.file, or
// yamlPath if it is unset (a relative name is taken from its directory),
// expanding its references from the file's own variables, then from
// lookup. A file that cannot be read is an *Error at ref's line of the YAML
// file; a bad entry, at the env file's line.
func readEnvFile(yamlPath string, ref fileRef, lookup func(string) (string, bool)) (string, []variable, error) {
	if ref.file != "" {
		yamlPath = ref.file
	}
	file := ref.name
	if !filepath.IsAbs(file) {
		file = filepath.Join(filepath.Dir(yamlPath), file)
	}
	data, err := readFile(file)
	if err != nil {
		return file, nil, &Error{File: yamlPath, Line: ref.line, Key: ref.key, Err: fmt.Errorf("env file: %w", err)}
	}
	p := &parser{file: file}
	vars := p.dotenv(data, lookup)
	return file, vars, p.err()
}
