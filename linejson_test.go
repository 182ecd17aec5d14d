package overseer

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plainLine is a Line without its methods: what encoding/json made of a
// Line before Line had MarshalJSON.
type plainLine Line

// jsonTexts are texts whose escaping MarshalJSON must get as encoding/json
// does.
var jsonTexts = []string{
	"", "hello", `say "hi" \ bye`, "tab\there\r\nnl\b\f\x00\x01\x1f\x7f",
	"<script>&amp;</script>", "é ü 日本 🚀", "line\u2028sep\u2029para",
	"\xff", "a\xffb", "\xc3\x28", "\xe2\x82", "é\xed\xa0\x80z", // not UTF-8
}

// TestLineJSONAsBefore checks that a Line encodes as encoding/json encoded
// it before it had MarshalJSON, with or without the escaping of HTML,
// plus "bytes" only for a Text that is not UTF-8.
func TestLineJSONAsBefore(t *testing.T) {
	at := time.Date(2026, 12, 3, 7, 24, 38, 123456789, time.FixedZone("", 3600))
	for _, text := range jsonTexts {
		for i, partial := range []bool{false, true, false, true} {
			l := Line{ID: "web<1>", Stream: StreamStderr, Seq: 1 << 60, PID: 4131, Time: at, Text: text, Partial: partial}
			if i >= 2 {
				l.Hook = Hook(i - 1) // pre_start, post_stop: written after partial, as the tags say
			}
			for _, escapeHTML := range []bool{true, false} {
				got, want := encode(t, l, escapeHTML), encode(t, plainLine(l), escapeHTML)
				if !bytes.Equal(got, want) {
					// Only the bytes may be added, right after the text.
					var m map[string]any
					require.NoError(t, json.Unmarshal(got, &m))
					require.Contains(t, m, "bytes", "%q: %s, want %s", text, got, want)
					delete(m, "bytes")
					var w map[string]any
					require.NoError(t, json.Unmarshal(want, &w))
					assert.Equal(t, w, m, "%q", text)
					assert.Contains(t, string(got), `"text":`+string(jsonField(t, want, "text"))+`,"bytes":`)
				}
			}
		}
	}
}

func encode(t *testing.T, v any, escapeHTML bool) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	require.NoError(t, enc.Encode(v))
	return b.Bytes()
}

func jsonField(t *testing.T, obj []byte, name string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(obj, &m))
	return m[name]
}

// TestLineJSONKeepsBytes checks that a Text that is not UTF-8 comes back
// exactly through JSON, and that a valid one costs no "bytes" field.
func TestLineJSONKeepsBytes(t *testing.T) {
	for i, text := range jsonTexts {
		l := Line{ID: "web", Stream: StreamStdout, Seq: 7, PID: 12, Time: time.Unix(1700000000, 5).UTC(), Text: text, Partial: true}
		l.Hook = Hook(i % 4) // none, pre_start, post_stop, stop_command
		data, err := json.Marshal(l)
		require.NoError(t, err)
		var back Line
		require.NoError(t, json.Unmarshal(data, &back), "%s", data)
		assert.Equal(t, l, back, "%s", data)
		assert.Equal(t, !isUTF8(text), bytes.Contains(data, []byte(`"bytes":`)), "%s", data)
	}
	// JSON from before: no bytes, the text as it is.
	var old Line
	require.NoError(t, json.Unmarshal([]byte(`{"id":"w","stream":"stdout","seq":1,"pid":2,"time":"2026-01-02T03:04:05Z","text":"a\ufffdb"}`), &old))
	assert.Equal(t, "a\uFFFDb", old.Text)
	assert.Equal(t, StreamStdout, old.Stream)
}

func isUTF8(s string) bool { return string([]rune(s)) == s }

func TestLineJSONErrors(t *testing.T) {
	_, err := json.Marshal(Line{Stream: 9})
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = json.Marshal(Line{Stream: StreamStdout, Hook: 9})
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = json.Marshal(Line{Stream: StreamStdout, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	assert.Error(t, err, "a year outside of RFC 3339")
	var l Line
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"stream":"stdin"}`), &l), ErrInvalid)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"stream":"stdout","hook":"exec_start"}`), &l), ErrInvalid)
	assert.Error(t, json.Unmarshal([]byte(`{"text":"a","bytes":"%%%"}`), &l), "bytes not base64")
}

// TestInvalidUTF8Kept checks that bytes that are not UTF-8, printed by a
// child, are what Lines returns and what survives JSON.
func TestInvalidUTF8Kept(t *testing.T) {
	c, _ := newChild(t, `out:caf\xe9 \xff\xfe end`, "exit:0")
	require.NoError(t, c.Start())
	wait(t, c)
	lines := c.Lines(0)
	require.Len(t, lines, 1)
	want := "caf\xe9 \xff\xfe end"
	assert.Equal(t, want, lines[0].Text)

	data, err := json.Marshal(lines)
	require.NoError(t, err)
	var back []Line
	require.NoError(t, json.Unmarshal(data, &back))
	require.Len(t, back, 1)
	assert.Equal(t, want, back[0].Text)
}

// BenchmarkLineJSON compares json.Marshal of a Line, which calls its
// MarshalJSON, with that of the same fields through reflection (what it
// cost before Line had MarshalJSON), and MarshalJSON called directly.
func BenchmarkLineJSON(b *testing.B) {
	at := time.Now()
	texts := map[string]string{
		"ascii100":   string(bytes.Repeat([]byte("x"), 100)),
		"utf8-100":   string(bytes.Repeat([]byte("é"), 50)),
		"invalid100": string(bytes.Repeat([]byte("x"), 99)) + "\xff",
	}
	for _, name := range []string{"ascii100", "utf8-100", "invalid100"} {
		l := Line{ID: "web", Stream: StreamStdout, Seq: 123456, PID: 4131, Time: at, Text: texts[name]}
		b.Run(name+"/reflect", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(plainLine(l)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/json.Marshal", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(l); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/MarshalJSON", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.MarshalJSON(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
