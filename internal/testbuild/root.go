package testbuild

import (
	"os"
	"testing"
)

// Nobody is the uid and gid of user nobody, the other user of the tests
// that act as, or for, another user.
const Nobody = 65534

// NeedRoot skips a test that acts as, or for, another user, which only root
// can do.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to act as another user")
	}
}
