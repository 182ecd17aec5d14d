package config

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// maxIncludeDepth is how deep includes may nest below a file given: far
// more than a real project needs, and a bound on a mistake that the cycle
// check does not catch (a file that includes a new name each time).
const maxIncludeDepth = 16

// maxIncludes is how many includes a load reads at most, counting a file
// included twice (by two files) twice: a bound on files that include each
// other many times over, within maxIncludeDepth (2 files each including
// the next 2, 16 deep, would be 2^16 reads).
const maxIncludes = 1000

// A source is a file to read: its name, its content if at hand (nil: read
// the file), and its kind.
type source struct {
	path string
	data []byte
	yaml bool
}

// loader reads files with their includes into layers, in the order they
// merge: the files a file includes, in order, each with its own includes
// before it, and then the file itself.
type loader struct {
	p      *parser
	layers []layer
	files  []string // absolute, each once, in the order read
	// stack is the chain of files being read, the given one first, as
	// named and absolute, to catch a cycle.
	stack, absStack []string
	// missing is set once an include could not be read: the processes are
	// not merged then, as they would lack the keys of the file missing.
	missing  bool
	included int // includes read
}

// read reads the file path, whose content is data, and its includes.
func (l *loader) read(path string, data []byte, isYAML bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path // no working directory: the name is as good as it gets
	}
	if !slices.Contains(l.files, abs) {
		l.files = append(l.files, abs)
	}
	if !slices.Contains(l.p.files, path) {
		l.p.files = append(l.p.files, path)
	}
	l.stack, l.absStack = append(l.stack, path), append(l.absStack, abs)
	defer func() { l.stack, l.absStack = l.stack[:len(l.stack)-1], l.absStack[:len(l.absStack)-1] }()

	l.p.file = path
	var ly layer
	if isYAML {
		ly = l.p.yaml(data)
	} else {
		ly = procfileLayer(path, l.p.procfile(data))
	}
	for _, ref := range ly.includes {
		l.include(path, ref)
	}
	l.layers = append(l.layers, ly)
}

// include reads the file that ref, an entry of the include of the file
// path, names: relative to path's directory.
func (l *loader) include(path string, ref fileRef) {
	file := ref.name
	if !filepath.IsAbs(file) {
		file = filepath.Join(filepath.Dir(path), file)
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	if at := slices.Index(l.absStack, abs); at >= 0 {
		l.missing = true
		cycle := append(slices.Clone(l.stack[at:]), file)
		l.p.errorIn(path, ref.line, ref.key, "a cycle of includes: %s (each file would include the next for ever)", strings.Join(cycle, " -> "))
		return
	}
	if len(l.stack) > maxIncludeDepth {
		l.missing = true
		l.p.errorIn(path, ref.line, ref.key, "includes nest more than %d files deep (%s)", maxIncludeDepth, strings.Join(append(slices.Clone(l.stack), file), " -> "))
		return
	}
	if l.included++; l.included > maxIncludes {
		l.missing = true
		if l.included > maxIncludes+1 {
			return // told once
		}
		l.p.errorIn(path, ref.line, ref.key, "more than %d includes read: do files include each other many times over?", maxIncludes)
		return
	}
	data, err := readFile(file)
	if err != nil {
		l.missing = true
		var tooLarge *Error
		if errors.As(err, &tooLarge) {
			err = tooLarge.Err // the path is in the message
		}
		l.p.errorIn(path, ref.line, ref.key, "%s: %w", file, unwrapPath(err))
		return
	}
	l.read(file, data, isYAML(file))
}

// unwrapPath returns the error of a *fs.PathError without its operation
// and path, which the message of include gives: "no such file or
// directory" (fs.ErrNotExist, errors.Is).
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// procfileLayer returns the layer of a Procfile, whose processes are
// {command: line}.
func procfileLayer(file string, procs []Process) layer {
	ly := layer{file: file}
	for _, proc := range procs {
		key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: proc.Name, Line: proc.Line}
		value := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: proc.Cmd.Args[2], Line: proc.Line}
		ly.procs = append(ly.procs, layerProc{key: key, settings: []setting{{
			entry: entry{key, value}, file: file, short: true, procfile: true,
		}}})
	}
	return ly
}
