package config

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os/user"
	"strconv"
	"strings"

	"github.com/overseer-go/overseer"
	yaml "go.yaml.in/yaml/v3"
)

// The keys of what a process may use, and as whom it runs: memory_limit,
// cpu_quota, tasks_max, limits, nice, umask, user and user_group (see the
// package doc).

// limitKeys are the keys of limits, the resources of setrlimit(2) in
// lower case.
var limitKeys = func() []string {
	var keys []string
	for r := overseer.ResourceAS; r <= overseer.ResourceSTACK; r++ {
		keys = append(keys, strings.ToLower(r.String()))
	}
	return keys
}()

// byteLimits are the limits counted in bytes, which take a size ("8MiB").
var byteLimits = []overseer.Resource{
	overseer.ResourceAS, overseer.ResourceCORE, overseer.ResourceDATA, overseer.ResourceFSIZE,
	overseer.ResourceMEMLOCK, overseer.ResourceMSGQUEUE, overseer.ResourceRSS, overseer.ResourceSTACK,
}

// cpuQuota reads a share of processor time: "50%" of one core, or a number
// of cores (0.5, 2), above zero.
func (p *parser) cpuQuota(key string, value *yaml.Node) float64 {
	n := deref(value)
	bad := func() float64 {
		p.errorf(n.Line, key, "%s: want a share of one core above 0: a percentage (50%%, 150%%) or a number of cores (0.5, 1.5)", describeValue(n))
		return 0
	}
	if n.Kind != yaml.ScalarNode {
		return bad()
	}
	var q float64
	var err error
	switch n.ShortTag() {
	case "!!int", "!!float":
		q, err = strconv.ParseFloat(n.Value, 64)
	case "!!str":
		num, ok := strings.CutSuffix(strings.TrimSpace(n.Value), "%")
		if !ok {
			return bad()
		}
		q, err = strconv.ParseFloat(strings.TrimSpace(num), 64)
		q /= 100
	default:
		return bad()
	}
	if err != nil || !(q > 0) || math.IsInf(q, 0) {
		return bad()
	}
	return q
}

// limits reads a mapping of resource names (nofile, core; any case) to
// limits: a whole number, "unlimited", or for a limit in bytes a size.
func (p *parser) limits(key string, value *yaml.Node) map[overseer.Resource]uint64 {
	m := deref(value)
	if m.Kind != yaml.MappingNode {
		p.errorf(m.Line, key, "want a mapping of resources to limits ({nofile: 65536, core: 0}), not %s", describe(m))
		return nil
	}
	out := make(map[overseer.Resource]uint64)
	first := make(map[overseer.Resource]int) // line
	for _, e := range p.entries(m, key) {
		k := key + "." + e.key.Value
		var r overseer.Resource
		if err := r.UnmarshalText([]byte(e.key.Value)); err != nil {
			p.errorf(e.key.Line, k, "unknown resource%s", suggest(strings.ToLower(e.key.Value), limitKeys))
			continue
		}
		if line, dup := first[r]; dup {
			p.errorf(e.key.Line, k, "%s is set twice (first on line %d)", strings.ToLower(r.String()), line)
			continue
		}
		first[r] = e.key.Line
		if v, ok := p.limit(k, r, e.value); ok {
			out[r] = v
		}
	}
	return out
}

// limit reads the value of one limit.
func (p *parser) limit(key string, r overseer.Resource, value *yaml.Node) (uint64, bool) {
	n := deref(value)
	bytes := false
	for _, b := range byteLimits {
		bytes = bytes || b == r
	}
	want := "a whole number or unlimited"
	if bytes {
		want = "a size (8MiB, or a number of bytes) or unlimited"
	}
	if n.Kind == yaml.ScalarNode {
		switch s := strings.TrimSpace(n.Value); {
		case n.ShortTag() == "!!int":
			if v, err := strconv.ParseUint(s, 0, 64); err == nil && v != overseer.Unlimited {
				return v, true
			}
		case n.ShortTag() != "!!str":
		case strings.EqualFold(s, "unlimited") || strings.EqualFold(s, "infinity"):
			return overseer.Unlimited, true
		case bytes:
			if v, err := parseSize(s); err == nil {
				return uint64(v), true
			}
		}
	}
	p.errorf(n.Line, key, "%s: want %s", describeValue(n), want)
	return 0, false
}

// nice reads a niceness, -20 to 19.
func (p *parser) nice(key string, value *yaml.Node) int {
	n := deref(value)
	before := p.n
	v := p.integer(key, n)
	if p.n == before && (v < -20 || v > 19) {
		p.errorf(n.Line, key, "%d is not a niceness (-20 to 19)", v)
	}
	return v
}

// umask reads a file mode creation mask in octal, as umask(1) takes it,
// written as a string or as a number: "077", 0077, 22, "0o027". 0 masks
// nothing (overseer.UmaskNone): leave the key out to keep the host's.
func (p *parser) umask(key string, value *yaml.Node) fs.FileMode {
	n := deref(value)
	s := strings.TrimSpace(n.Value)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0o"), "0O")
	v, err := strconv.ParseUint(s, 8, 32)
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!str" && n.ShortTag() != "!!int") || err != nil || v > 0o777 {
		p.errorf(n.Line, key, "%s: want a mask in octal, 0 to 777 (\"077\")", describeValue(n))
		return 0
	}
	if v == 0 {
		return overseer.UmaskNone
	}
	return fs.FileMode(v)
}

// user reads a user (name or id), optionally followed by ":group", and
// checks that they exist here, so that a slip is reported at its line
// rather than when the process starts.
func (p *parser) user(key string, value *yaml.Node) (name, group string) {
	n := deref(value)
	before := p.n
	s := p.text(key, n)
	if p.n > before {
		return "", ""
	}
	name, group, hasGroup := strings.Cut(s, ":")
	if name == "" || (hasGroup && group == "") {
		p.errorf(n.Line, key, "%q: want a user, or user:group", s)
		return "", ""
	}
	if err := checkUser(name); err != nil {
		p.errorf(n.Line, key, "%v", err)
	}
	if hasGroup {
		if err := checkGroup(group); err != nil {
			p.errorf(n.Line, key, "%v", err)
		}
	}
	return name, group
}

// userGroup reads a group (name or id) and checks that it exists here.
func (p *parser) userGroup(key string, value *yaml.Node) string {
	n := deref(value)
	before := p.n
	s := p.text(key, n)
	if p.n > before {
		return ""
	}
	if s == "" {
		p.errorf(n.Line, key, "empty group (leave the key out for the user's)")
		return ""
	}
	if err := checkGroup(s); err != nil {
		p.errorf(n.Line, key, "%v", err)
	}
	return s
}

// checkUser says whether user name (or id) is in the user database.
func checkUser(name string) error {
	var err error
	if isID(name) {
		_, err = user.LookupId(name)
	} else {
		_, err = user.Lookup(name)
	}
	var unknown user.UnknownUserError
	var unknownID user.UnknownUserIdError
	if errors.As(err, &unknown) || errors.As(err, &unknownID) {
		return fmt.Errorf("no user %q here", name)
	}
	return err
}

// checkGroup says whether group name is in the group database; an id needs
// not be.
func checkGroup(name string) error {
	if isID(name) {
		if _, err := strconv.ParseUint(name, 10, 32); err != nil {
			return fmt.Errorf("%s is not a group id", name)
		}
		return nil
	}
	_, err := user.LookupGroup(name)
	var unknown user.UnknownGroupError
	if errors.As(err, &unknown) {
		return fmt.Errorf("no group %q here", name)
	}
	return err
}

// isID reports whether s is a number, which user and user_group take for
// an id.
func isID(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// describeValue names a node for an error about its value: the value of a
// scalar, quoted, or what the node is.
func describeValue(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null" {
		return strconv.Quote(n.Value)
	}
	return describe(n)
}
