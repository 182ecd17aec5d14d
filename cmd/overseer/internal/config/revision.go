package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// notDigested are the exported fields of overseer.Cmd that revision
// leaves out, none of which a file sets, with the reason.
var notDigested = map[string]string{
	"Stdout":   "the command sets the writers of the output",
	"Stderr":   "the command sets the writers of the output",
	"Revision": "the digest itself",
}

// revision returns the digest of the configuration of proc, for
// Cmd.Revision: the first 16 hex digits of the SHA-256 of every exported
// field of its Cmd (but those of notDigested), by name, and of its Log
// and LogTimestamps. The fields are written by value, whatever holds them
// (a probe behind a pointer in an interface, a schedule, a map in any
// order), never by address, so that two loads of the same file give the
// same revision and an instance gets the same one whatever the number of
// instances of its process.
func revision(proc *Process) string {
	h := sha256.New()
	d := digester{w: h, path: make(map[uintptr]bool)}
	v := reflect.ValueOf(proc.Cmd).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || notDigested[f.Name] != "" {
			continue
		}
		d.printf("%s:", f.Name)
		d.value(v.Field(i))
		d.printf("\n")
	}
	d.printf("Log:%q\nLogTimestamps:%t\n", proc.Log, proc.LogTimestamps)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// A digester writes values to a hash in a form that depends on the value
// only: the same for equal values, different for different ones.
type digester struct {
	w    hash.Hash
	path map[uintptr]bool // the pointers being written, to cut a cycle
}

func (d *digester) printf(format string, args ...any) {
	fmt.Fprintf(d.w, format, args...) // a hash.Hash never fails a write
}

var (
	locationType = reflect.TypeFor[time.Location]()
	regexpType   = reflect.TypeFor[regexp.Regexp]()
	durationType = reflect.TypeFor[time.Duration]()
)

// value writes v: its kind and content, pointers followed, struct fields
// (unexported ones too: those of a probe) by name, map entries in the
// order of their keys' forms. A func or channel is written as set or not:
// its value cannot be read.
func (d *digester) value(v reflect.Value) {
	if !v.IsValid() {
		d.printf("nil")
		return
	}
	switch v.Type() {
	case locationType:
		// A zone by its name: its tables are what the name loads (and
		// its cache, what the time of the load was).
		if name, ok := stringField(v, "name"); ok {
			d.printf("zone(%q)", name)
			return
		}
	case regexpType:
		// An expression by its text: the rest is compiled from it.
		if expr, ok := stringField(v, "expr"); ok {
			d.printf("regexp(%q)", expr)
			return
		}
	case durationType:
		d.printf("%s", time.Duration(v.Int()))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		d.printf("%t", v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		d.printf("%d", v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		d.printf("%d", v.Uint())
	case reflect.Float32, reflect.Float64:
		d.printf("%s", strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		d.printf("(%g%+gi)", real(c), imag(c))
	case reflect.String:
		d.printf("%q", v.String())
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			d.printf("nil")
			return
		}
		d.printf("[%d:", v.Len())
		for i := range v.Len() {
			d.value(v.Index(i))
			d.printf(",")
		}
		d.printf("]")
	case reflect.Map:
		if v.IsNil() {
			d.printf("nil")
			return
		}
		entries := make([]string, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			entries = append(entries, d.sub(it.Key())+"="+d.sub(it.Value()))
		}
		slices.Sort(entries)
		d.printf("map[%d:", len(entries))
		for _, e := range entries {
			d.printf("%q,", e)
		}
		d.printf("]")
	case reflect.Pointer:
		if v.IsNil() {
			d.printf("nil")
			return
		}
		if d.path[v.Pointer()] {
			d.printf("cycle")
			return
		}
		d.path[v.Pointer()] = true
		defer delete(d.path, v.Pointer())
		d.printf("&")
		d.value(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			d.printf("nil")
			return
		}
		d.printf("(%s)", v.Elem().Type())
		d.value(v.Elem())
	case reflect.Struct:
		t := v.Type()
		d.printf("%s{", t)
		for i := range t.NumField() {
			d.printf("%s:", t.Field(i).Name)
			d.value(v.Field(i))
			d.printf(",")
		}
		d.printf("}")
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		d.printf("%s(set=%t)", v.Kind(), !v.IsNil())
	default:
		d.printf("%s", v.Kind())
	}
}

// sub returns the form value writes of v, as a string, for a map entry.
func (d *digester) sub(v reflect.Value) string {
	h := sha256.New()
	(&digester{w: h, path: d.path}).value(v)
	return hex.EncodeToString(h.Sum(nil))
}

// stringField returns the string field name of the struct v, read even
// when unexported, and whether it has one (a type of the standard library
// that changed would not: value then writes it field by field).
func stringField(v reflect.Value, name string) (string, bool) {
	if f := v.FieldByName(name); f.IsValid() && f.Kind() == reflect.String {
		return f.String(), true
	}
	return "", false
}
