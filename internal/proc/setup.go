package proc

import (
	"fmt"
	"strconv"
	"strings"
)

// Setup is what a child gets before its program's first instruction:
// resource limits, a niceness, a file mode creation mask and another user.
// The exec wrapper applies it (see execwrap_unix.go), in that order, the
// change of user last, since the others may need the host's privileges;
// where only Cred is set, the fork applies it (SysProcAttr.Credential) and
// the wrapper is not needed. The zero Setup changes nothing.
type Setup struct {
	// Limits are set with setrlimit(2), soft and hard alike, in order.
	Limits []Limit
	// Nice is the niceness to set (setpriority(2)); zero keeps the host's.
	Nice int
	// Umask is the mask to set (umask(2)) when SetUmask is true.
	Umask    int
	SetUmask bool
	// Cred, if not nil, is the user the program runs as.
	Cred *Cred
}

// Limit is one resource limit of a Setup.
type Limit struct {
	// Resource is the RLIMIT_ number of the resource (see Rlimit).
	Resource int
	// Value is its soft and hard limit; RLIM_INFINITY (all bits set) is
	// none.
	Value uint64
}

// Cred is the user and groups a child runs as.
type Cred struct {
	UID, GID uint32
	// Groups are the supplementary groups, unless KeepGroups, which keeps
	// the host's.
	Groups     []uint32
	KeepGroups bool
}

// wrapped reports whether s needs the exec wrapper: everything but the
// change of user, which the fork can do.
func (s *Setup) wrapped() bool {
	return len(s.Limits) > 0 || s.Nice != 0 || s.SetUmask
}

// encode writes s as the value of SetupEnv, for the exec wrapper: fields
// separated by spaces, "limit:RESOURCE:VALUE", "nice:N", "umask:N",
// "cred:UID:GID:G1,G2" (or "cred:UID:GID:keep"), all numbers in decimal.
func (s *Setup) encode() string {
	var f []string
	for _, l := range s.Limits {
		f = append(f, fmt.Sprintf("limit:%d:%d", l.Resource, l.Value))
	}
	if s.Nice != 0 {
		f = append(f, "nice:"+strconv.Itoa(s.Nice))
	}
	if s.SetUmask {
		f = append(f, "umask:"+strconv.Itoa(s.Umask))
	}
	if c := s.Cred; c != nil {
		groups := "keep"
		if !c.KeepGroups {
			g := make([]string, len(c.Groups))
			for i, id := range c.Groups {
				g[i] = strconv.FormatUint(uint64(id), 10)
			}
			groups = strings.Join(g, ",")
		}
		f = append(f, fmt.Sprintf("cred:%d:%d:%s", c.UID, c.GID, groups))
	}
	return strings.Join(f, " ")
}

// decodeSetup reads what encode wrote.
func decodeSetup(text string) (Setup, error) {
	var s Setup
	for _, field := range strings.Fields(text) {
		parts := strings.Split(field, ":")
		bad := fmt.Errorf("bad %s field %q", SetupEnv, field)
		switch {
		case parts[0] == "limit" && len(parts) == 3:
			r, err1 := strconv.Atoi(parts[1])
			v, err2 := strconv.ParseUint(parts[2], 10, 64)
			if err1 != nil || err2 != nil {
				return s, bad
			}
			s.Limits = append(s.Limits, Limit{Resource: r, Value: v})
		case parts[0] == "nice" && len(parts) == 2:
			n, err := strconv.Atoi(parts[1])
			if err != nil {
				return s, bad
			}
			s.Nice = n
		case parts[0] == "umask" && len(parts) == 2:
			n, err := strconv.Atoi(parts[1])
			if err != nil {
				return s, bad
			}
			s.Umask, s.SetUmask = n, true
		case parts[0] == "cred" && len(parts) == 4:
			uid, err1 := strconv.ParseUint(parts[1], 10, 32)
			gid, err2 := strconv.ParseUint(parts[2], 10, 32)
			if err1 != nil || err2 != nil {
				return s, bad
			}
			c := &Cred{UID: uint32(uid), GID: uint32(gid), Groups: []uint32{}}
			switch parts[3] {
			case "keep":
				c.Groups, c.KeepGroups = nil, true
			case "":
			default:
				for _, g := range strings.Split(parts[3], ",") {
					id, err := strconv.ParseUint(g, 10, 32)
					if err != nil {
						return s, bad
					}
					c.Groups = append(c.Groups, uint32(id))
				}
			}
			s.Cred = c
		default:
			return s, bad
		}
	}
	return s, nil
}
