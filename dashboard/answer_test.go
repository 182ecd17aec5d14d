package dashboard

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Each write of a long answer gets the write timeout, but none ends after
// the answer's own end: a client that reads a little before each deadline
// cannot hold the answer for ever.
func TestAnswerDeadline(t *testing.T) {
	start := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	d := &deadlineWriter{timeout: 10 * time.Second, end: start.Add(answerTimeouts * 10 * time.Second)}
	assert.Equal(t, start.Add(10*time.Second), d.deadline(start))
	late := start.Add(answerTimeouts*10*time.Second - time.Second)
	assert.Equal(t, d.end, d.deadline(late))
	assert.Equal(t, d.end, d.deadline(d.end.Add(time.Minute)))
}
