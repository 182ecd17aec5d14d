package overseer

import "time"

// Stream names the output stream a Line came from.
type Stream uint8

// The output streams of a process.
const (
	StreamStdout Stream = iota + 1
	StreamStderr
)

var streamNames = enumNames{typ: "Stream", names: []string{
	StreamStdout: "stdout",
	StreamStderr: "stderr",
}}

// String returns "stdout" or "stderr".
func (s Stream) String() string { return streamNames.String(int(s)) }

// MarshalText encodes the stream as its name.
func (s Stream) MarshalText() ([]byte, error) { return streamNames.marshal(int(s)) }

// UnmarshalText decodes a stream from its name, as written by MarshalText.
func (s *Stream) UnmarshalText(text []byte) error { return unmarshalEnum(streamNames, s, text) }

// Line is one line of a process's output.
//
// Text holds the bytes of the line as the process wrote them, without the
// ending "\n" and without a "\r" right before it; invalid UTF-8 is kept as it
// is. A line longer than the Cmd's MaxLineBytes arrives as several Lines in
// a row, each but the last marked Partial; joining their Texts gives the
// whole line back.
//
// Its JSON (see MarshalJSON) keeps the bytes too: a Text that is not UTF-8
// comes with a field "bytes" that holds them exactly. Bytes that are not
// UTF-8 become U+FFFD only where a line is shown: in the JSON field "text",
// on the dashboard's page, and when "overseer logs" prints to a terminal.
type Line struct {
	// ID is the id of the process, as given to Overseer.Add.
	ID string `json:"id"`
	// Stream is the stream the line was written to.
	Stream Stream `json:"stream"`
	// Seq numbers the lines of one Cmd: 1 for its first line, then one more
	// for every line, across both streams and across runs. A gap in Seq
	// seen by a subscriber means lines were dropped for it.
	Seq uint64 `json:"seq"`
	// PID is the process id of the run that wrote the line, so that the
	// output of two runs of a rolling restart, which overlap, can be told
	// apart.
	PID int `json:"pid"`
	// Time is when the line was read from the process.
	Time time.Time `json:"time"`
	// Text is the content of the line.
	Text string `json:"text"`
	// Partial is true when the line continues in the next Line of the same
	// stream.
	Partial bool `json:"partial,omitempty"`
	// Hook is the command that wrote the line when it is not the program
	// itself: a PreStart or PostStop command, or the StopCommand.
	Hook Hook `json:"hook,omitzero"`
}
