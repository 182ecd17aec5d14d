package config

import (
	"errors"
	"fmt"
	"reflect"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/probe"
)

// The writers of the keys that hold probes and commands: ready, liveness,
// pre_start, post_stop and stop_command.

// readyNode writes the readiness probe: notify, or a mapping of the probe
// and, for those that poll, period and timeout.
func readyNode(s subject) (*yaml.Node, error) {
	pr := s.cmd.Ready
	if pr == nil {
		return nil, nil
	}
	if reflect.TypeOf(pr) == reflect.TypeOf(overseer.Notified()) {
		return str("notify"), nil
	}
	m, period, timeout, err := probeNode(pr)
	if err != nil {
		return nil, err
	}
	if v := duration(period, 0); v != nil {
		m.Content = append(m.Content, str("period"), v)
	}
	if v := duration(timeout, 0); v != nil {
		m.Content = append(m.Content, str("timeout"), v)
	}
	return m, nil
}

// livenessNode writes the liveness probe and its timing.
func livenessNode(s subject) (*yaml.Node, error) {
	l := s.cmd.Liveness
	if l.Check == nil {
		return nil, nil
	}
	m, period, timeout, err := probeNode(l.Check)
	switch {
	case err != nil:
		return nil, err
	case period != 0 || timeout != 0:
		// The file's liveness times its tries with its own keys.
		return nil, errors.New("a probe with a period or timeout of its own: a file sets them on liveness")
	}
	for _, kv := range []struct {
		key string
		v   *yaml.Node
	}{
		{"period", duration(l.Period, 0)},
		{"timeout", duration(l.Timeout, 0)},
		{"failures", count(l.Failures, 0)},
		{"successes", count(l.Successes, 0)},
		{"initial_delay", duration(l.InitialDelay, 0)},
	} {
		if kv.v != nil {
			m.Content = append(m.Content, str(kv.key), kv.v)
		}
	}
	return m, nil
}

// probeNode returns a mapping with the kind of probe pr (line, tcp, http
// or command) and its value, and the period and timeout of one that polls.
// A probe a file cannot give is an error.
func probeNode(pr any) (m *yaml.Node, period, timeout time.Duration, err error) {
	switch pr := pr.(type) {
	case probe.Lines:
		if pr.Regexp() == nil {
			return nil, 0, 0, errors.New("a line probe without a regular expression")
		}
		return mapping(str("line"), str(pr.Regexp().String())), 0, 0, nil
	case *probe.TCP:
		return mapping(str("tcp"), str(pr.Addr)), pr.Period, pr.Timeout, nil
	case *probe.HTTP:
		if pr.Client != nil {
			return nil, 0, 0, errors.New("an http probe with a Client of its own")
		}
		return mapping(str("http"), str(pr.URL)), pr.Period, pr.Timeout, nil
	case *probe.Command:
		// Its Dir and Env are the process's: Load sets them so.
		line, ok := shellLine(pr.Args)
		if !ok {
			return nil, 0, 0, fmt.Errorf("a command probe that is not /bin/sh -c LINE: %q", pr.Args)
		}
		return mapping(str("command"), str(line)), pr.Period, pr.Timeout, nil
	}
	return nil, 0, 0, fmt.Errorf("a probe of type %T, which a file cannot give", pr)
}

// hookList writes a list of hook commands (pre_start, post_stop), or nil
// for none.
func hookList(cmds [][]string) *yaml.Node {
	if len(cmds) == 0 {
		return nil
	}
	l := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, c := range cmds {
		l.Content = append(l.Content, hookCommand(c))
	}
	return l
}

// hookCommand writes one hook command: a shell line when it is /bin/sh -c
// LINE, else a list, the program first. Hooks are not expanded: a $ is
// written as it is.
func hookCommand(args []string) *yaml.Node {
	if line, ok := shellLine(args); ok {
		return str(line)
	}
	return strList(args)
}

// shellLine returns LINE if args is exactly /bin/sh -c LINE: what a
// command key (or a shell line of a hook or probe) is read into.
func shellLine(args []string) (string, bool) {
	if len(args) == 3 && args[0] == "/bin/sh" && args[1] == "-c" {
		return args[2], true
	}
	return "", false
}
