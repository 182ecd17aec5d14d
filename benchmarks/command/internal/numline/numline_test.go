package numline

import (
	"strings"
	"testing"
)

func TestAppendParse(t *testing.T) {
	for _, seq := range []int{0, 1, 25, 26, 999999999} {
		line := string(Append(nil, "p12", seq, 60))
		if len(line) != 60 || !strings.HasSuffix(line, "\n") {
			t.Fatalf("line %d: %q is not 60 bytes with a newline", seq, line)
		}
		tag, got, ok := Parse(strings.TrimSuffix(line, "\n"), 60)
		if !ok || tag != "p12" || got != seq {
			t.Errorf("Parse(line %d) = %q, %d, %v", seq, tag, got, ok)
		}
		text := strings.TrimSuffix(line, "\n")
		for _, piece := range []string{text[:20], text[20:], text[:58], text[1:]} {
			if _, _, ok := Parse(piece, 60); ok {
				t.Errorf("Parse took the piece %q", piece)
			}
			if !LooksLikePiece(piece) {
				t.Errorf("LooksLikePiece(%q) = false", piece)
			}
		}
		shifted := text[:30] + string(text[31]) + string(text[30]) + text[32:]
		if _, _, ok := Parse(shifted, 60); ok {
			t.Errorf("Parse took a line with two letters swapped: %q", shifted)
		}
	}
	for _, msg := range []string{"Starting p0 on port 5000", "started with pid 31", "Running...", "exited with code 0"} {
		if LooksLikePiece(msg) {
			t.Errorf("LooksLikePiece(%q) = true", msg)
		}
	}
	if Check("p0", MinSize("p0")-1) == nil || Check("p0", MinSize("p0")) != nil {
		t.Errorf("Check does not agree with MinSize %d", MinSize("p0"))
	}
}
