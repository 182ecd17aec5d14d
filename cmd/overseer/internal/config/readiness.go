package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/probe"
)

// readyKeys are the keys of a ready mapping: one kind of probe, and the
// timing of the probes that poll.
var readyKeys = []string{"line", "tcp", "http", "command", "period", "timeout"}

// readyKinds are the keys of readyKeys that name a kind of probe.
var readyKinds = readyKeys[:4]

// ready reads a readiness probe: notify, or a mapping with exactly one of
// line, tcp, http and command, and period and timeout for the last three.
func (p *parser) ready(key string, value *yaml.Node) overseer.Probe {
	n := deref(value)
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		if n.Value != "notify" {
			p.errorf(n.Line, key, "%q: want notify, or a mapping with one of %s", n.Value, strings.Join(readyKinds, ", "))
			return nil
		}
		return overseer.Notified()
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n.Line, key, "want notify, or a mapping with one of %s, not %s", strings.Join(readyKinds, ", "), describe(n))
		return nil
	}
	before := p.n
	var kind, kindValue, periodKey, timeoutKey *yaml.Node
	var period, timeout time.Duration
	for _, e := range p.entries(n, key) {
		k := key + "." + e.key.Value
		switch e.key.Value {
		case "period":
			periodKey, period = e.key, p.positiveDuration(k, e.value)
		case "timeout":
			timeoutKey, timeout = e.key, p.positiveDuration(k, e.value)
		case "line", "tcp", "http", "command":
			p.probeKind(&kind, &kindValue, e, k)
		default:
			p.errorf(e.key.Line, k, "unknown key%s", suggest(e.key.Value, readyKeys))
		}
	}
	switch {
	case kind == nil:
		p.noProbe(n, key, before)
		return nil
	case kind.Value == "line" && periodKey != nil:
		p.errorf(periodKey.Line, key+".period", "a line probe does not poll (period is for tcp, http and command)")
	case kind.Value == "line" && timeoutKey != nil:
		p.errorf(timeoutKey.Line, key+".timeout", "a line probe does not poll (timeout is for tcp, http and command; ready_timeout bounds the wait)")
	}
	pr := p.probe(key+"."+kind.Value, kind.Value, kindValue, period, timeout)
	if p.n > before {
		return nil
	}
	return pr
}

// probeKind takes e, an entry of a probe mapping (key k) whose key names a
// kind of probe, as the probe's kind and value, unless one is set already:
// a probe is one kind.
func (p *parser) probeKind(kind, value **yaml.Node, e entry, k string) {
	if *kind != nil {
		p.errorf(e.key.Line, k, "%s is set too (a probe is one of %s)", (*kind).Value, strings.Join(readyKinds, ", "))
		return
	}
	*kind, *value = e.key, e.value
}

// noProbe reports probe mapping n (key) that names no kind of probe,
// unless an error was reported since before: an unknown key is then likely
// the probe, misspelled.
func (p *parser) noProbe(n *yaml.Node, key string, before int) {
	if p.n == before {
		p.errorf(n.Line, key, "no probe (set one of %s)", strings.Join(readyKinds, ", "))
	}
}

// A prober is a probe of package probe: a readiness probe
// (overseer.Probe) and a liveness one (overseer.Checker) alike.
type prober interface {
	overseer.Probe
	overseer.Checker
}

// probe reads the value of a probe of the given kind (line, tcp, http or
// command) and returns the probe, the polling ones made with period and
// timeout (zero for a liveness probe, which Liveness times), or nil after
// an error.
func (p *parser) probe(key, kind string, value *yaml.Node, period, timeout time.Duration) prober {
	n := deref(value)
	before := p.n
	s := p.text(key, n)
	if p.n > before {
		return nil
	}
	if strings.IndexByte(s, 0) >= 0 {
		p.errorf(n.Line, key, "NUL byte in %q", s)
		return nil
	}
	switch kind {
	case "line":
		re, err := regexp.Compile(s)
		if err != nil {
			p.errorf(n.Line, key, "%q is not a regular expression: %v", s, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			return nil
		}
		return probe.Line(re)
	case "tcp":
		// An empty host is the local host, as for net.Dial.
		if _, port, err := net.SplitHostPort(s); err != nil || port == "" {
			p.errorf(n.Line, key, "%q is not host:port", s)
			return nil
		}
		return &probe.TCP{Addr: s, Period: period, Timeout: timeout}
	case "http":
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.errorf(n.Line, key, "%q is not an http:// or https:// URL", s)
			return nil
		}
		return &probe.HTTP{URL: s, Period: period, Timeout: timeout}
	default: // command
		if strings.TrimSpace(s) == "" {
			p.errorf(n.Line, key, "empty command")
			return nil
		}
		return &probe.Command{Args: []string{"/bin/sh", "-c", s}, Period: period, Timeout: timeout}
	}
}

// listeners reads the addresses of listening sockets. Only their form is
// checked here ("network://address"); overseer says more of a bad one when
// the process starts.
func (p *parser) listeners(key string, value *yaml.Node) []string {
	return p.list(key, value, "addresses (tcp://host:port, unix:///path)", func(k string, item *yaml.Node, s string) {
		if network, address, ok := strings.Cut(s, "://"); !ok || network == "" || address == "" {
			p.errorf(item.Line, k, "%q is not network://address (tcp://127.0.0.1:8080, unix:///run/app.sock)", s)
		}
	})
}

// paths reads a list of file names.
func (p *parser) paths(key string, value *yaml.Node) []string {
	return p.list(key, value, "files", func(k string, item *yaml.Node, s string) {
		if s == "" {
			p.errorf(item.Line, k, "empty path")
		}
	})
}

// list reads a list of strings of a kind (what), checking each with check,
// and refusing NUL bytes and a string listed twice.
func (p *parser) list(key string, value *yaml.Node, what string, check func(k string, item *yaml.Node, s string)) []string {
	n := deref(value)
	if n.Kind != yaml.SequenceNode {
		p.errorf(n.Line, key, "want a list of %s, not %s", what, describe(n))
		return nil
	}
	var out []string
	first := make(map[string]int) // string → line
	for i, item := range n.Content {
		k := fmt.Sprintf("%s[%d]", key, i)
		item = deref(item)
		before := p.n
		s := p.text(k, item)
		if p.n > before {
			continue
		}
		if strings.IndexByte(s, 0) >= 0 {
			p.errorf(item.Line, k, "NUL byte in %q", s)
			continue
		}
		if check(k, item, s); p.n > before {
			continue
		}
		if line, dup := first[s]; dup {
			p.errorf(item.Line, k, "%q is listed twice (first on line %d)", s, line)
			continue
		}
		first[s] = item.Line
		out = append(out, s)
	}
	return out
}
