package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"strconv"
	"strings"
)

// defaultBasePort is the PORT of the first process when nothing sets one,
// as under foreman.
const defaultBasePort = 5000

// portStep is how far apart the ports of two processes next to each other
// in the file are.
const portStep = 100

// environment is what every process of a file starts from: the host's
// variables with those of the env files set over them, and the PORT of the
// first process.
type environment struct {
	vars envList
	port int
}

// loadEnv reads the host's environment, then dotenv if it exists, then the
// env files of the top-level env_file of the YAML file path (top), then
// those of opts, and works out the base port.
func loadEnv(path, dotenv string, top []fileRef, opts Options) (environment, error) {
	host := opts.Environ
	if host == nil {
		host = os.Environ()
	}
	var env environment
	for _, kv := range host {
		// exec would refuse an entry that is not NAME=value: leave it out.
		if name, value, ok := strings.Cut(kv, "="); ok && name != "" {
			env.vars.set(name, value)
		}
	}
	hostPort, hostHasPort := env.vars.get("PORT")

	var port *variable // the last PORT of the files
	var portFile string
	set := func(file string, vars []variable) {
		for i, v := range vars {
			env.vars.set(v.name, v.value)
			if v.name == "PORT" {
				port, portFile = &vars[i], file
			}
		}
	}
	// readFlagFile reads the .env or a file of opts.EnvFiles.
	readFlagFile := func(file string) ([]variable, error) {
		data, err := readFile(file)
		if err != nil {
			return nil, fmt.Errorf("env file: %w", err)
		}
		p := &parser{file: file}
		vars := p.dotenv(data, env.vars.get)
		return vars, p.err()
	}

	switch vars, err := readFlagFile(dotenv); {
	case errors.Is(err, fs.ErrNotExist): // the directory's .env is optional
	case err != nil:
		return environment{}, err
	default:
		set(dotenv, vars)
	}
	for _, ref := range top {
		file, vars, err := readEnvFile(path, ref, env.vars.get)
		if err != nil {
			return environment{}, err
		}
		set(file, vars)
	}
	for _, file := range opts.EnvFiles {
		vars, err := readFlagFile(file)
		if err != nil {
			return environment{}, err
		}
		set(file, vars)
	}

	switch {
	case opts.BasePort != 0:
		if !isPort(opts.BasePort) {
			return environment{}, fmt.Errorf("base port %d is not a port (1-65535)", opts.BasePort)
		}
		env.port = opts.BasePort
	case port != nil:
		n, err := strconv.Atoi(port.value)
		if err != nil || !isPort(n) {
			return environment{}, &Error{File: portFile, Line: port.line, Key: "PORT", Err: fmt.Errorf("%q is not a port (1-65535)", port.value)}
		}
		env.port = n
	case hostHasPort && hostPort != "": // PORT= set empty is no PORT
		n, err := strconv.Atoi(hostPort)
		if err != nil || !isPort(n) {
			return environment{}, fmt.Errorf("PORT %q of the environment is not a port (1-65535)", hostPort)
		}
		env.port = n
	default:
		env.port = defaultBasePort
	}
	return env, nil
}

// isPort reports whether n is a TCP port one can listen on by number.
func isPort(n int) bool { return n >= 1 && n <= 65535 }

// setsPort reports whether vars, "NAME=value" entries, set PORT.
func setsPort(vars []string) bool {
	for _, kv := range vars {
		if strings.HasPrefix(kv, "PORT=") {
			return true
		}
	}
	return false
}

// envList is an environment in order, each name once: a variable set again
// keeps its place with its new value, a new one goes at the end.
type envList struct {
	list []string       // "NAME=value"
	at   map[string]int // name → index in list
}

// set sets the variable name to value.
func (e *envList) set(name, value string) {
	if i, ok := e.at[name]; ok {
		e.list[i] = name + "=" + value
		return
	}
	if e.at == nil {
		e.at = make(map[string]int)
	}
	e.at[name] = len(e.list)
	e.list = append(e.list, name+"="+value)
}

// get returns the value of the variable name, and whether it is set.
func (e *envList) get(name string) (string, bool) {
	i, ok := e.at[name]
	if !ok {
		return "", false
	}
	return e.list[i][len(name)+1:], true
}

// clone returns a copy of e that can be set apart from it.
func (e *envList) clone() envList {
	c := envList{list: make([]string, len(e.list), len(e.list)+4), at: make(map[string]int, len(e.at)+4)}
	copy(c.list, e.list)
	maps.Copy(c.at, e.at)
	return c
}
