package probe

import (
	"testing"

	"github.com/overseer-go/overseer/internal/testbuild"
)

// TestMain checks that no test leaves a goroutine behind: a probe's tries,
// timers and HTTP transports end with its Ready.
func TestMain(m *testing.M) {
	testbuild.Main(m)
}
