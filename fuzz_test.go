//go:build unix

package overseer

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Fuzz target for the id check against its documented rule. Its seeds are
// in testdata/fuzz/FuzzCheckID; those of the line splitter and the ring are
// in internal/linebuf.
//
//	go test -run '^$' -fuzz '^FuzzCheckID$' -fuzztime 10s .

// idRule is the rule for ids as README.md and CheckID's comment state it:
// 1 to 256 bytes of UTF-8 letters, digits and - _ . : @ +, not "." or "..".
func idRule(id string) bool {
	if len(id) == 0 || len(id) > 256 || !utf8.ValidString(id) || id == "." || id == ".." {
		return false
	}
	for _, r := range id {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.:@+", r) {
			return false
		}
	}
	return true
}

// FuzzCheckID checks that Add accepts exactly the ids of the documented
// rule, that what it accepts can stand as a file name and (when ASCII) a
// URL path segment as it is, and that it refuses the rest with ErrInvalid,
// registering nothing.
func FuzzCheckID(f *testing.F) {
	// More seeds in testdata/fuzz/FuzzCheckID.
	f.Add("web-1")
	f.Fuzz(func(t *testing.T, id string) {
		o := NewOverseer()          // nothing is started: no cleanup needed
		c, err := o.Add(id, "prog") // never run
		if !idRule(id) {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Add(%q): got %v, want an error wrapping ErrInvalid", id, err)
			}
			if c != nil || o.HasProc(id) || len(o.ListAll()) != 0 {
				t.Fatalf("Add(%q) failed but registered something: %v", id, o.ListAll())
			}
			if len(id) <= maxIDBytes && !strings.Contains(err.Error(), fmt.Sprintf("%q", id)) && id != "" {
				t.Fatalf("Add(%q): the error %q does not quote the id", id, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Add(%q): %v, but the id follows the rule", id, err)
		}
		if strings.ContainsAny(id, "/\\\x00 \t\r\n%?#\"'") || filepath.Base(id) != id || filepath.Clean(id) != id {
			t.Fatalf("id %q was accepted but cannot stand as a file name as it is", id)
		}
		for _, r := range id {
			if unicode.IsSpace(r) || unicode.IsControl(r) || !unicode.IsPrint(r) {
				t.Fatalf("id %q was accepted with %q", id, r)
			}
		}
		if isASCII(id) && url.PathEscape(id) != id {
			t.Fatalf("id %q was accepted but a URL path segment escapes it to %q", id, url.PathEscape(id))
		}
		if got := o.ListAll(); len(got) != 1 || got[0] != id || c.Status().ID != id || c.ToJSON().ID != id {
			t.Fatalf("Add(%q): registered as %q", id, got)
		}
		if err := o.Remove(id); err != nil || o.HasProc(id) {
			t.Fatalf("Remove(%q): %v", id, err)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
