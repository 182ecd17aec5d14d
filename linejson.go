package overseer

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// MarshalJSON encodes the Line as an object with the fields named by its
// tags, as encoding/json would without this method: "text" is a JSON
// string, in which bytes that are not UTF-8 read as U+FFFD. When Text is not
// valid UTF-8, a field "bytes" follows it with the exact bytes in base64, so
// that UnmarshalJSON gives back the line as the process wrote it.
//
// The object is written directly: a line of valid UTF-8 costs no reflection
// and no base64.
func (l Line) MarshalJSON() ([]byte, error) {
	if !streamNames.valid(int(l.Stream)) {
		return nil, streamNames.marshalErr(int(l.Stream))
	}
	b := make([]byte, 0, 112+len(l.ID)+len(l.Text))
	b = append(b, `{"id":`...)
	b, _ = appendJSONString(b, l.ID)
	b = append(b, `,"stream":"`...)
	b = append(b, streamNames.names[l.Stream]...)
	b = append(b, `","seq":`...)
	b = strconv.AppendUint(b, l.Seq, 10)
	b = append(b, `,"pid":`...)
	b = strconv.AppendInt(b, int64(l.PID), 10)
	b = append(b, `,"time":"`...)
	b, err := l.Time.AppendText(b) // RFC 3339, as Time.MarshalJSON writes it
	if err != nil {
		return nil, err
	}
	b = append(b, `","text":`...)
	b, valid := appendJSONString(b, l.Text)
	if !valid {
		b = append(b, `,"bytes":"`...)
		b = base64.StdEncoding.AppendEncode(b, []byte(l.Text))
		b = append(b, '"')
	}
	if l.Partial {
		b = append(b, `,"partial":true`...)
	}
	if l.Hook != HookNone {
		if !hookNames.valid(int(l.Hook)) {
			return nil, hookNames.marshalErr(int(l.Hook))
		}
		b = append(b, `,"hook":"`...)
		b = append(b, hookNames.names[l.Hook]...)
		b = append(b, '"')
	}
	return append(b, '}'), nil
}

// UnmarshalJSON decodes a Line as MarshalJSON encodes it. When the object
// has a field "bytes", Text is those bytes, whatever "text" says.
func (l *Line) UnmarshalJSON(data []byte) error {
	type fields Line // the fields without the methods
	var v struct {
		fields
		Bytes []byte `json:"bytes"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*l = Line(v.fields)
	if v.Bytes != nil {
		l.Text = string(v.Bytes)
	}
	return nil
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it when it does not escape HTML (its Encoder escapes <, > and &
// in what a MarshalJSON returns, if asked to): each byte that is not UTF-8
// becomes \ufffd. valid reports whether s was valid UTF-8.
func appendJSONString(b []byte, s string) (_ []byte, valid bool) {
	const hex = "0123456789abcdef"
	valid = true
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			valid = false
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029': // valid JSON, but not JavaScript
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"'), valid
}
