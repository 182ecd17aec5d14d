package overseer

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/overseer-go/overseer/internal/proc"
)

// setupConfig checks Limits, Nice, Umask, User and UserGroup and returns
// what the child gets before its program's first instruction, and the
// variables that User sets in its environment (HOME=…), or an error naming
// the field: wrapping ErrInvalid for a bad value or an unknown user,
// os.ErrPermission for a user the host cannot become.
func (c *Cmd) setupConfig() (proc.Setup, []string, error) {
	var s proc.Setup
	for _, r := range slices.Sorted(maps.Keys(c.Limits)) {
		if !resourceNames.valid(int(r)) {
			return s, nil, fmt.Errorf("%w: %s: Limits has %v, not a Resource", ErrInvalid, c.name(), r)
		}
		n, err := proc.Rlimit(r.String())
		if err != nil {
			return s, nil, fmt.Errorf("%w: %s: Limits: %w", ErrInvalid, c.name(), err)
		}
		s.Limits = append(s.Limits, proc.Limit{Resource: n, Value: c.Limits[r]})
	}
	if c.Nice < -20 || c.Nice > 19 {
		return s, nil, fmt.Errorf("%w: %s: Nice %d is not a niceness (-20 to 19)", ErrInvalid, c.name(), c.Nice)
	}
	s.Nice = c.Nice
	switch {
	case c.Umask == UmaskNone:
		s.Umask, s.SetUmask = 0, true
	case c.Umask&^0o777 != 0:
		return s, nil, fmt.Errorf("%w: %s: Umask %#o is not a mask (0 to 0777, or UmaskNone)", ErrInvalid, c.name(), uint32(c.Umask))
	case c.Umask != 0:
		s.Umask, s.SetUmask = int(c.Umask), true
	}
	for _, f := range []struct{ name, value string }{{"User", c.User}, {"UserGroup", c.UserGroup}} {
		if strings.IndexByte(f.value, 0) >= 0 || strings.TrimSpace(f.value) != f.value {
			return s, nil, fmt.Errorf("%w: %s: %s %q is not a name or an id", ErrInvalid, c.name(), f.name, f.value)
		}
	}
	if c.User == "" && c.UserGroup == "" {
		return s, nil, nil
	}
	acct, err := lookupAccount(c.User, c.UserGroup)
	if errors.Is(err, errUnknownAccount) {
		return s, nil, fmt.Errorf("%w: %s: %w", ErrInvalid, c.name(), err)
	}
	if err == nil {
		if s.Cred, err = hostCred(hostIDs(), acct.cred); err != nil {
			var fields []string
			if c.User != "" {
				fields = append(fields, fmt.Sprintf("User %q", c.User))
			}
			if c.UserGroup != "" {
				fields = append(fields, fmt.Sprintf("UserGroup %q", c.UserGroup))
			}
			err = fmt.Errorf("%s: %w", strings.Join(fields, ", "), err)
		}
	}
	if err != nil {
		return s, nil, fmt.Errorf("overseer: %s: %w", c.name(), err)
	}
	return s, acct.env, nil
}

// withVars returns env with each KEY=value of vars in place of env's KEY,
// or added.
func withVars(env, vars []string) []string {
	if len(vars) == 0 {
		return env
	}
	out := make([]string, 0, len(env)+len(vars))
	for _, kv := range env {
		key, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(vars, func(v string) bool { return strings.HasPrefix(v, key+"=") }) {
			out = append(out, kv)
		}
	}
	return append(out, vars...)
}
