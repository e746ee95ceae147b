package beamfit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
)

// The codec of what a pass ships: the columns, the rows and the shards'
// statistics, which are mostly long float64 arrays (p × K per shard and
// pass). gob takes about 4 ns per float64 each way, which made encoding
// the largest cost of a pass; this codec writes them as little-endian
// words. It walks any value of the core's types by reflection (structs,
// pointers to them, integers, floats, bools, strings and slices of
// these), so a field the core adds is carried without a change here, and
// it is versioned by a leading tag.

const codecTag = "pfbeam1"

// marshal encodes v, one of the shipped types or a pointer to one (which
// unmarshal decodes into a pointer to that type).
func marshal(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, fmt.Errorf("beamfit: cannot encode a nil %v", rv.Type())
		}
		rv = rv.Elem()
	}
	b := make([]byte, 0, len(codecTag)+encodedSize(rv))
	return appendValue(append(b, codecTag...), rv)
}

// encodedSize returns the bytes appendValue writes for v, so that marshal
// allocates once.
func encodedSize(v reflect.Value) int {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return 1
		}
		return 1 + encodedSize(v.Elem())
	case reflect.Struct:
		n := 0
		for i := 0; i < v.NumField(); i++ {
			if carried(v.Type().Field(i)) {
				n += encodedSize(v.Field(i))
			}
		}
		return n
	case reflect.Slice:
		switch v.Type().Elem().Kind() {
		case reflect.Float64:
			return 8 + 8*v.Len()
		case reflect.Uint8:
			return 8 + v.Len()
		}
		n := 8
		for j := 0; j < v.Len(); j++ {
			n += encodedSize(v.Index(j))
		}
		return n
	case reflect.String:
		return 8 + v.Len()
	case reflect.Bool:
		return 1
	}
	return 8
}

// unmarshal decodes b into the value v points to.
func unmarshal(name string, b []byte, v any) error {
	if len(b) < len(codecTag) || string(b[:len(codecTag)]) != codecTag {
		return fmt.Errorf("%s: not written by this version of poisfact-beam", name)
	}
	d := &decoder{b: b[len(codecTag):]}
	d.value(reflect.ValueOf(v).Elem())
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes left over", len(d.b))
	}
	if d.err != nil {
		return fmt.Errorf("%s: %v (corrupt, or written by another version)", name, d.err)
	}
	return nil
}

// carried reports whether a struct field is encoded: exported and not a
// function or channel (which, as in gob, are left at zero).
func carried(f reflect.StructField) bool {
	k := f.Type.Kind()
	return f.IsExported() && k != reflect.Func && k != reflect.Chan
}

func appendValue(b []byte, v reflect.Value) ([]byte, error) {
	le := binary.LittleEndian
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, 0), nil
		}
		return appendValue(append(b, 1), v.Elem())
	case reflect.Struct:
		var err error
		for i := 0; i < v.NumField(); i++ {
			if !carried(v.Type().Field(i)) {
				continue
			}
			if b, err = appendValue(b, v.Field(i)); err != nil {
				return nil, err
			}
		}
		return b, nil
	case reflect.Slice:
		if v.IsNil() {
			return le.AppendUint64(b, 0), nil
		}
		b = le.AppendUint64(b, uint64(v.Len())+1)
		switch x := v.Interface().(type) {
		case []float64:
			for _, f := range x {
				b = le.AppendUint64(b, math.Float64bits(f))
			}
			return b, nil
		case []byte:
			return append(b, x...), nil
		}
		var err error
		for j := 0; j < v.Len(); j++ {
			if b, err = appendValue(b, v.Index(j)); err != nil {
				return nil, err
			}
		}
		return b, nil
	case reflect.String:
		b = le.AppendUint64(b, uint64(v.Len()))
		return append(b, v.String()...), nil
	case reflect.Bool:
		if v.Bool() {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return le.AppendUint64(b, uint64(v.Int())), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return le.AppendUint64(b, v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return le.AppendUint64(b, math.Float64bits(v.Float())), nil
	}
	return nil, fmt.Errorf("beamfit: cannot encode a %v", v.Type())
}

type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated")

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.err = errShort
		return 0
	}
	x := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return x
}

func (d *decoder) byte1() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 1 {
		d.err = errShort
		return 0
	}
	x := d.b[0]
	d.b = d.b[1:]
	return x
}

// length reads a length of items of at least size bytes each, refusing
// one the remaining bytes cannot hold before anything is allocated.
func (d *decoder) length(size int) int {
	n := d.u64()
	if d.err == nil && n > uint64(len(d.b)/max(size, 1)) {
		d.err = fmt.Errorf("a length of %d for %d bytes", n, len(d.b))
		return 0
	}
	return int(n)
}

func (d *decoder) value(v reflect.Value) {
	if d.err != nil {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if d.byte1() == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		d.value(v.Elem())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if carried(v.Type().Field(i)) {
				d.value(v.Field(i))
			}
		}
	case reflect.Slice:
		// The length plus one, so that nil (0) and empty (1) differ.
		m := d.u64()
		if m == 0 || d.err != nil {
			v.SetZero()
			return
		}
		if m-1 > uint64(len(d.b)) {
			d.err = fmt.Errorf("a length of %d for %d bytes", m-1, len(d.b))
			return
		}
		n := int(m - 1)
		if v.Type().Elem().Kind() == reflect.Float64 {
			if n > len(d.b)/8 {
				d.err = errShort
				return
			}
			f := make([]float64, n)
			for j := range f {
				f[j] = math.Float64frombits(binary.LittleEndian.Uint64(d.b[8*j:]))
			}
			d.b = d.b[8*n:]
			v.Set(reflect.ValueOf(f).Convert(v.Type()))
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes(append([]byte(nil), d.b[:n]...))
			d.b = d.b[n:]
			return
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for j := 0; j < n && d.err == nil; j++ {
			d.value(s.Index(j))
		}
		v.Set(s)
	case reflect.String:
		n := d.length(1)
		if d.err == nil {
			v.SetString(string(d.b[:n]))
			d.b = d.b[n:]
		}
	case reflect.Bool:
		v.SetBool(d.byte1() != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(d.u64()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(d.u64())
	case reflect.Float32, reflect.Float64:
		v.SetFloat(math.Float64frombits(d.u64()))
	default:
		d.err = fmt.Errorf("cannot decode a %v", v.Type())
	}
}
