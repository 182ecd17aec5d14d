package testbuild

// GuardianWaiter is the function of the goroutine that waits for the host's
// guardian (see internal/proc's guardian_unix.go). It lives as long as
// the guardian, which lives as long as the test binary once a run has
// started: a leak check ignores it, with
// goleak.IgnoreAnyFunction(testbuild.GuardianWaiter), as goleak ignores the
// standard library's own process-wide goroutines.
const GuardianWaiter = "github.com/overseer-go/overseer/internal/proc.(*host).awaitGuardian"
