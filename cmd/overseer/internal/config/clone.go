package config

import (
	"reflect"

	"github.com/overseer-go/overseer"
)

// cloneCmd returns a new Cmd with the exported fields of c, copied deeply
// enough that changing the new one (its Args, Env, Dir, the Dir and Env of
// a probe.Command, DependsOn, ...) changes nothing of c: slices and maps
// are copied, and so are the structs that pointers, held directly or in an
// interface (a probe), point to (one level: what they point to in turn,
// a regexp, a time zone, is shared, read only). The unexported fields, the
// state of a run, are not copied: the new Cmd has never run.
func cloneCmd(c *overseer.Cmd) *overseer.Cmd {
	out := new(overseer.Cmd)
	dst, src := reflect.ValueOf(out).Elem(), reflect.ValueOf(c).Elem()
	for i := range dst.NumField() {
		if dst.Type().Field(i).IsExported() {
			dst.Field(i).Set(deepCopy(src.Field(i)))
		}
	}
	return out
}

// deepCopy returns a copy of v, reached through exported fields only,
// as cloneCmd copies a field.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(deepCopy(v.Index(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), deepCopy(it.Value()))
		}
		return c
	case reflect.Pointer:
		if v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(deepCopy(v.Elem()))
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(deepCopy(v.Elem()))
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v) // the unexported fields as they are
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				c.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return c
	}
	return v
}
