package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/overseer-go/overseer"
)

// printHeader begins what WriteProcesses writes: what the file is, and
// what env leaves out.
const printHeader = `# The processes as they will run: env files read, ${NAME} expanded, PORT set.
# env holds the variables that differ from the host's environment (PORT always).
`

// WriteProcesses writes procs, as Load or Project.Processes return them,
// as a YAML file that loads into the same processes when it is loaded over
// the same host's environment, environ (Options.Environ; nil means
// os.Environ()): what "overseer config" prints, what will run.
//
// Each process is a mapping under processes, in the order of procs, with
// the keys whose value differs from what a process that leaves them out
// gets (the defaults of overseer.NewCmd), in the order of the package
// doc, and with canonical values: durations as Go durations ("1m30s"),
// sizes as a number of bytes or a whole number of KiB, MiB or GiB,
// signals by name, restart and conditions by name, umask in octal
// ("077"), depends_on in its long form. command is written for a Cmd
// whose Args are exactly /bin/sh -c LINE, args for any other. dir, log and
// watch_files are absolute, as Load makes them, so the file loads the
// same from any directory.
//
// env holds only the variables of a process's environment that the host's
// environment, environ, does not have with the same value (those of the
// env files, of env and env_file), and PORT always, since it depends on
// the process's place in the file: the whole environment would repeat the
// host's and show its secrets. So env_file is never written: its
// variables are in env. Loaded again over environ, with or without the
// same env files, each process gets the same environment. Every $ in the
// values that Load expands (command, args, env, dir and log) is written
// $$, so that nothing is expanded twice.
//
// A process that no file could describe (a probe or a schedule not read
// from a file, a variable of environ missing from its Env, which a file
// cannot unset) is an error naming it and the key, and nothing is written.
func WriteProcesses(w io.Writer, procs []Process, environ []string) error {
	return writeProcesses(w, procs, hostEnviron(Options{Environ: environ}))
}

// writeProcesses is WriteProcesses over the host's environment environ.
func writeProcesses(w io.Writer, procs []Process, environ []string) error {
	host := hostVars(environ)
	list := mapping()
	for i := range procs {
		m, err := processNode(&procs[i], &host)
		if err != nil {
			return err
		}
		list.Content = append(list.Content, str(procs[i].Name), m)
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{mapping(str("processes"), list)}}
	var b bytes.Buffer
	b.WriteString(printHeader)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("config: write: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("config: write: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// hostEnviron returns the host's environment Load reads with opts:
// Options.Environ, or os.Environ() when it is nil.
func hostEnviron(opts Options) []string {
	if opts.Environ == nil {
		return os.Environ()
	}
	return opts.Environ
}

// hostVars reads environ as loadEnv does: entries that are not NAME=value
// are left out, and a name set twice takes the later value.
func hostVars(environ []string) envList {
	var vars envList
	for _, kv := range environ {
		if name, value, ok := strings.Cut(kv, "="); ok && name != "" {
			vars.set(name, value)
		}
	}
	return vars
}

// A subject is what a key's writer looks at: the process, its Cmd, the
// Cmd a process gets for the keys it leaves out, and the host's
// environment.
type subject struct {
	p    *Process
	cmd  *overseer.Cmd
	def  *overseer.Cmd
	host *envList
}

// processNode returns the mapping of process p's keys, those of
// processKeys in order that have a writer (see writers) and a value other
// than the default.
func processNode(p *Process, host *envList) (*yaml.Node, error) {
	if p.Cmd == nil {
		return nil, fmt.Errorf("config: %s: no Cmd", p.Name)
	}
	s := subject{p: p, cmd: p.Cmd, def: overseer.NewCmd("/bin/sh"), host: host}
	m := mapping()
	for _, key := range processKeys {
		write, ok := writers[key]
		if !ok {
			continue // one of notWritten, or a key TestWritersCoverKeys reports
		}
		v, err := write(s)
		if err != nil {
			return nil, fmt.Errorf("config: %s.%s: %w", p.Name, key, err)
		}
		if v == nil {
			continue
		}
		if bad := notUTF8(v); bad != "" {
			return nil, fmt.Errorf("config: %s.%s: %q is not UTF-8, which a YAML file cannot hold", p.Name, key, bad)
		}
		m.Content = append(m.Content, str(key), v)
	}
	return m, nil
}

// notUTF8 returns the first value of n or its children that is not valid
// UTF-8, or "".
func notUTF8(n *yaml.Node) string {
	if !utf8.ValidString(n.Value) {
		return n.Value
	}
	for _, c := range n.Content {
		if bad := notUTF8(c); bad != "" {
			return bad
		}
	}
	return ""
}

// envNode writes the variables of the process's environment that are not
// the host's (see WriteProcesses), or nil for none.
func envNode(s subject) (*yaml.Node, error) {
	if s.cmd.Env == nil {
		return nil, nil // the host's environment, as it is
	}
	m := mapping()
	set := make(map[string]bool, len(s.cmd.Env))
	for _, kv := range s.cmd.Env {
		name, value, ok := strings.Cut(kv, "=")
		if err := checkEnv(name, value); !ok || err != nil {
			return nil, fmt.Errorf("%q is not NAME=value", kv)
		}
		set[name] = true
		if v, ok := s.host.get(name); ok && v == value && name != "PORT" {
			continue
		}
		m.Content = append(m.Content, str(name), str(escapeVars(value)))
	}
	for _, kv := range s.host.list {
		if name, _, _ := strings.Cut(kv, "="); !set[name] {
			return nil, fmt.Errorf("%s of the host's environment is not set, and a file cannot unset it", name)
		}
	}
	if len(m.Content) == 0 {
		return nil, nil
	}
	return m, nil
}

// escapeVars returns s with each $ doubled, so that Load, which expands
// ${NAME} and turns $$ into $, reads s back.
func escapeVars(s string) string { return strings.ReplaceAll(s, "$", "$$") }
