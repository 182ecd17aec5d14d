package sdnotify

import (
	"testing"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// TestMain fails the tests if one leaves a Serve goroutine behind.
func TestMain(m *testing.M) { testbuild.Main(m) }
