package overseer

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/overseer-go/overseer/internal/proc"
)

// passwdFile is where the login shell of a user is read: os/user does not
// say it.
const passwdFile = "/etc/passwd"

// errUnknownAccount is what a User or a UserGroup that is not in the
// user database gets; the Cmd's check makes it an ErrInvalid.
var errUnknownAccount = errors.New("not in the user database")

// account is what User and UserGroup resolve to.
type account struct {
	cred proc.Cred
	env  []string // HOME, USER, LOGNAME and SHELL, with User
}

// ids are a process's user and group ids.
type ids struct{ uid, gid int }

// hostIDs returns the host's effective ids: those a change of user needs.
func hostIDs() ids { return ids{os.Geteuid(), os.Getegid()} }

// lookupAccount resolves name (a user's name or id, or "" for the host's)
// and group (a group's name or id, or "" for the user's primary group) in
// the user database. The user's supplementary groups come with it; with a
// group alone, the host's are kept.
func lookupAccount(name, group string) (account, error) {
	var a account
	host := hostIDs()
	a.cred = proc.Cred{UID: uint32(host.uid), GID: uint32(host.gid), KeepGroups: true}
	if name != "" {
		u, err := lookupUser(name)
		if err != nil {
			return a, err
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			return a, fmt.Errorf("User %q: ids %q and %q are not numbers", name, u.Uid, u.Gid)
		}
		a.cred = proc.Cred{UID: uint32(uid), GID: uint32(gid)}
		gids, err := u.GroupIds()
		if err != nil {
			return a, fmt.Errorf("User %q: its groups: %w", name, err)
		}
		for _, g := range gids {
			if id, err := strconv.ParseUint(g, 10, 32); err == nil {
				a.cred.Groups = append(a.cred.Groups, uint32(id))
			}
		}
		// As login(1) sets them.
		a.env = []string{"HOME=" + u.HomeDir, "USER=" + u.Username, "LOGNAME=" + u.Username}
		if shell, ok := passwdShell(passwdFile, u.Username); ok {
			a.env = append(a.env, "SHELL="+shell)
		}
	}
	if group != "" {
		gid, err := lookupGroup(group)
		if err != nil {
			return a, err
		}
		a.cred.GID = gid
	}
	return a, nil
}

// lookupUser finds a user by id (a number) or by name.
func lookupUser(name string) (*user.User, error) {
	var u *user.User
	var err error
	if isID(name) {
		u, err = user.LookupId(name)
	} else {
		u, err = user.Lookup(name)
	}
	var unknownID user.UnknownUserIdError
	var unknown user.UnknownUserError
	if errors.As(err, &unknownID) || errors.As(err, &unknown) {
		return nil, fmt.Errorf("User %q: no such user: %w", name, errUnknownAccount)
	}
	if err != nil {
		return nil, fmt.Errorf("User %q: %w", name, err)
	}
	return u, nil
}

// lookupGroup returns the id of a group given by name, or by id: an id need
// not be in the group database.
func lookupGroup(group string) (uint32, error) {
	if isID(group) {
		id, err := strconv.ParseUint(group, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("UserGroup %q: not a group id: %w", group, errUnknownAccount)
		}
		return uint32(id), nil
	}
	g, err := user.LookupGroup(group)
	var unknown user.UnknownGroupError
	if errors.As(err, &unknown) {
		return 0, fmt.Errorf("UserGroup %q: no such group: %w", group, errUnknownAccount)
	}
	if err != nil {
		return 0, fmt.Errorf("UserGroup %q: %w", group, err)
	}
	id, err := strconv.ParseUint(g.Gid, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("UserGroup %q: id %q is not a number", group, g.Gid)
	}
	return uint32(id), nil
}

// isID reports whether s is a number, which User and UserGroup take for an
// id.
func isID(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// hostCred returns the change of user a host with ids host must make to
// run a process as cred: nil when there is none, an error wrapping
// os.ErrPermission when the host is not root and cred is not itself.
func hostCred(host ids, cred proc.Cred) (*proc.Cred, error) {
	if host.uid == 0 {
		return &cred, nil
	}
	if int(cred.UID) == host.uid && int(cred.GID) == host.gid {
		return nil, nil // itself: its groups stay
	}
	return nil, fmt.Errorf("running as uid %d, gid %d needs a host running as root, and this one runs as uid %d: %w",
		cred.UID, cred.GID, host.uid, os.ErrPermission)
}

// passwdShell returns the login shell of user name in the passwd file at
// path, "/bin/sh" where its entry leaves it empty (as login does), and
// false where the file has no entry for name (a user of another database).
func passwdShell(path, name string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) == 7 && fields[0] == name {
			if fields[6] == "" {
				return "/bin/sh", true
			}
			return fields[6], true
		}
	}
	return "", false
}
