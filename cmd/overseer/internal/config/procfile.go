package config

import (
	"bytes"
	"strings"
)

// procfile reads a Procfile: "name: command line" a line; blank lines and
// lines starting with # are comments.
func (p *parser) procfile(data []byte) []Process {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	before := p.n
	var procs []Process
	first := make(map[string]int) // name → line
	line := 0
	for raw := range strings.Lines(string(data)) {
		line++
		text := strings.TrimSpace(raw)
		if text == "" || text[0] == '#' {
			continue
		}
		name, cmdline, ok := strings.Cut(text, ":")
		if !ok {
			p.errorf(line, "", `not a process: want "name: command"`)
			continue
		}
		name, cmdline = strings.TrimSpace(name), strings.TrimSpace(cmdline)
		if err := checkName(name); err != nil {
			p.errorf(line, name, "%v", err)
			continue
		}
		if at, dup := first[name]; dup {
			p.errorf(line, name, "defined twice (first on line %d)", at)
			continue
		}
		first[name] = line
		switch {
		case cmdline == "":
			p.errorf(line, name, "no command")
			continue
		case strings.IndexByte(cmdline, 0) >= 0:
			p.errorf(line, name, "the command has a NUL byte")
			continue
		}
		procs = append(procs, Process{Name: name, Cmd: shell(cmdline), Line: line})
	}
	if len(procs) == 0 && p.n == before {
		p.errorf(0, "", `no processes (a Procfile has a line "name: command" for each)`)
	}
	return procs
}
