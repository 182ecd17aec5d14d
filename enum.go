package overseer

import "fmt"

// enumNames holds the names of a small enum's values, indexed by value; an
// empty name marks a value that is not valid. State, Stream, RestartPolicy
// and Condition encode themselves with it.
type enumNames struct {
	typ   string
	names []string
}

func (e enumNames) valid(v int) bool {
	return v >= 0 && v < len(e.names) && e.names[v] != ""
}

func (e enumNames) String(v int) string {
	if e.valid(v) {
		return e.names[v]
	}
	return fmt.Sprintf("%s(%d)", e.typ, v)
}

func (e enumNames) marshal(v int) ([]byte, error) {
	if !e.valid(v) {
		return nil, e.marshalErr(v)
	}
	return []byte(e.names[v]), nil
}

// marshalErr is the error of marshal for v, a value that is not valid.
func (e enumNames) marshalErr(v int) error {
	return fmt.Errorf("%w: %s %d", ErrInvalid, e.typ, v)
}

func (e enumNames) parse(text []byte) (int, error) {
	for v, name := range e.names {
		if name != "" && name == string(text) {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown %s %q", ErrInvalid, e.typ, text)
}

// unmarshalEnum sets *p to the value named text, the UnmarshalText of an
// enum encoded with e; *p is left as it was if text names no value.
func unmarshalEnum[T ~uint8](e enumNames, p *T, text []byte) error {
	v, err := e.parse(text)
	if err == nil {
		*p = T(v)
	}
	return err
}
