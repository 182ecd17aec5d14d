package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/overseer-go/overseer/probe"
)

// replicaVar is the variable ${REPLICA} of a process with replicas: the
// instance's number. It is known to the expansion only, not set in the
// environment (OVERSEER_REPLICA is).
const replicaVar = "REPLICA"

// replicaEnv is the variable that tells an instance of a process with
// replicas its number, from 1.
const replicaEnv = "OVERSEER_REPLICA"

// instance returns the Process to run made from tmpl, the process of the
// file at place index (the first is 0), as Parse left it: replica r of it
// (0 for a process without replicas), a new Cmd with its full environment
// and its ${NAME} references expanded (see Environment and Variables in
// the package doc), its paths taken from its file's directory. It reads
// no file: the env files are those of envData. Mistakes go to errs.
func (pr *Project) instance(errs *errorList, tmpl *Process, index, r int) Process {
	file := pr.fileOf(tmpl)
	proc := *tmpl
	proc.Cmd = cloneCmd(tmpl.Cmd)
	proc.Template, proc.File = tmpl.Name, file
	proc.envFiles, proc.refs = nil, nil
	if r > 0 {
		proc.Name, proc.Replica = instanceName(tmpl.Name, r), r
		if proc.Cmd.Group == "" {
			proc.Cmd.Group = tmpl.Name
		}
	}
	p := &parser{file: file}
	defer func() { errs.add(p.err()) }()

	vars := pr.env.vars.clone()
	own := proc.Cmd.Env
	if !setsPort(own) {
		port := pr.env.port + portStep*index + max(r-1, 0)
		if port > 65535 {
			p.errorf(tmpl.Line, proc.Name, "PORT %d (the base %d + %d × %d%s) is above 65535: set a lower base port",
				port, pr.env.port, portStep, index, replicaOffset(r))
			return proc
		}
		vars.set("PORT", strconv.Itoa(port))
	}
	lookup := vars.get
	if r > 0 {
		vars.set(replicaEnv, strconv.Itoa(r))
		lookup = func(name string) (string, bool) {
			if name == replicaVar {
				return strconv.Itoa(r), true
			}
			return vars.get(name)
		}
	}
	for _, ref := range tmpl.envFiles {
		name := envFilePath(refFile(ref.file, file), ref.name)
		data, ok := pr.envData[name]
		if !ok {
			continue // not read: Load reported it
		}
		ep := &parser{file: name}
		fileVars := ep.dotenv(data, lookup)
		if err := ep.err(); err != nil {
			errs.add(err)
			continue
		}
		for _, v := range fileVars {
			vars.set(v.name, v.value)
		}
	}
	// The values of env see everything but env itself; the rest see env
	// too, as the process will.
	for _, ref := range tmpl.refs {
		if ref.kind != refEnv {
			continue
		}
		name, value, _ := strings.Cut(own[ref.index], "=") // Parse checked the =
		if expanded, at, err := expandVars(value, lookup); err != nil {
			p.errorIn(refFile(ref.file, file), ref.lineOf(value, at), ref.key, "%v", err)
		} else {
			own[ref.index] = name + "=" + expanded
		}
	}
	for _, kv := range own {
		name, value, _ := strings.Cut(kv, "=")
		vars.set(name, value)
	}
	for _, ref := range tmpl.refs {
		var s *string
		switch ref.kind {
		case refArg:
			s = &proc.Cmd.Args[ref.index]
		case refDir:
			s = &proc.Cmd.Dir
		case refLog:
			s = &proc.Log
		default:
			continue
		}
		if value, at, err := expandVars(*s, lookup); err != nil {
			p.errorIn(refFile(ref.file, file), ref.lineOf(*s, at), ref.key, "%v", err)
		} else {
			*s = value
		}
	}
	proc.Cmd.Env = vars.list

	// Each path is taken from the directory of the file that sets it; the
	// process runs by default in that of the file that defines it.
	baseOf := func(key string) string {
		if f, ok := tmpl.from[key]; ok {
			return pr.baseOf(f)
		}
		if f, ok := tmpl.from[""]; ok {
			return pr.baseOf(f)
		}
		return pr.baseOf(file)
	}
	proc.Cmd.Dir = under(baseOf("dir"), proc.Cmd.Dir)
	for _, pr := range []any{proc.Cmd.Ready, proc.Cmd.Liveness.Check} {
		if pr, ok := pr.(*probe.Command); ok {
			// A ready or liveness command runs where its process runs,
			// and sees what it sees ($PORT above all).
			pr.Dir, pr.Env = proc.Cmd.Dir, proc.Cmd.Env
		}
	}
	if proc.Log != "" {
		proc.Log = under(baseOf("log"), proc.Log)
	}
	for j, f := range proc.Cmd.WatchFiles {
		proc.Cmd.WatchFiles[j] = under(baseOf("watch_files"), f)
	}
	return proc
}

// refFile returns file, the file that names a reference, or else def, the
// file of its process.
func refFile(file, def string) string {
	if file != "" {
		return file
	}
	return def
}

// instanceName is the name of instance r of the process name.
func instanceName(name string, r int) string { return name + "-" + strconv.Itoa(r) }

// replicaOffset is what an instance r adds to the port of its process,
// for an error: "" for a process without replicas.
func replicaOffset(r int) string {
	if r <= 1 {
		return ""
	}
	return fmt.Sprintf(" + %d", r-1)
}

// envFilePath returns the file an env_file entry (name) of the file
// yamlPath names: name taken from yamlPath's directory.
func envFilePath(yamlPath, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(filepath.Dir(yamlPath), name)
}

// errorList collects the errors of Processes, each told once.
type errorList struct {
	errs []error
	seen map[string]bool
}

// add adds err, nil or several joined, leaving out those told already.
func (l *errorList) add(err error) {
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			l.add(e)
		}
		return
	}
	if l.seen[err.Error()] {
		return
	}
	if l.seen == nil {
		l.seen = make(map[string]bool)
	}
	l.seen[err.Error()] = true
	l.errs = append(l.errs, err)
}

// err returns nil, the one error as it is (for errors.As of an *Error),
// or the first maxErrors joined, with a count of the others.
func (l *errorList) err() error {
	switch n := len(l.errs); {
	case n == 0:
		return nil
	case n == 1:
		return l.errs[0]
	case n > maxErrors:
		return errors.Join(append(l.errs[:maxErrors:maxErrors], fmt.Errorf("%d more errors", n-maxErrors))...)
	}
	return errors.Join(l.errs...)
}
