package luabridge

import (
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// newStructLib is Roberto Ierusalimschy's struct library (0.2) as Redis
// embeds it: struct.pack, struct.unpack and struct.size with formats of
// '<' '>' '!' (endianness, alignment), 'x' (padding), 'b' 'B' 'h' 'H' 'l'
// 'L' 'T' 'i[n]' 'I[n]' (integers), 'f' 'd' (floats), 's' (zero-ended
// string), 'c[n]' (fixed string; c0 takes the length from the previous
// value).
func newStructLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	return t
}

type structState struct {
	little bool
	align  int
}

const structMaxIntSize = 32

// structOpt reads one option: its kind and size.
func structOpt(L *lua.LState, f string, i *int) (byte, int) {
	c := f[*i]
	*i++
	num := func(def int) int {
		if *i >= len(f) || f[*i] < '0' || f[*i] > '9' {
			return def
		}
		n := 0
		for *i < len(f) && f[*i] >= '0' && f[*i] <= '9' {
			n = n*10 + int(f[*i]-'0')
			if n > math.MaxInt32/10 {
				L.RaiseError("integral size overflow")
			}
			*i++
		}
		return n
	}
	switch c {
	case 'B', 'b':
		return c, 1
	case 'H', 'h':
		return c, 2
	case 'L', 'l', 'T':
		return c, 8
	case 'f':
		return c, 4
	case 'd':
		return c, 8
	case 'x':
		return c, 1
	case 'c':
		return c, num(1)
	case 'i', 'I':
		n := num(4)
		if n > structMaxIntSize {
			L.RaiseError("integral size %d is larger than limit of %d", n, structMaxIntSize)
		}
		return c, n
	default:
		return c, 0
	}
}

func (st *structState) control(L *lua.LState, c byte, f string, i *int) bool {
	switch c {
	case ' ':
	case '>':
		st.little = false
	case '<':
		st.little = true
	case '=':
		st.little = true
	case '!':
		n := 0
		for *i < len(f) && f[*i] >= '0' && f[*i] <= '9' {
			n = n*10 + int(f[*i]-'0')
			*i++
		}
		if n == 0 {
			n = 8
		}
		if n&(n-1) != 0 {
			L.ArgError(1, "alignment must be power of 2")
		}
		st.align = n
	default:
		return false
	}
	return true
}

func (st *structState) gap(c byte, size, total int) int {
	if c == 'c' || c == 's' || c == 'x' {
		return 0
	}
	a := size
	if a > st.align {
		a = st.align
	}
	if a <= 1 {
		return 0
	}
	return (a - total&(a-1)) & (a - 1)
}

func (st *structState) putInt(b []byte, v uint64, size int) []byte {
	out := make([]byte, size)
	for k := 0; k < size; k++ {
		var byteVal byte
		if k < 8 {
			byteVal = byte(v >> (8 * k))
		} else if int64(v) < 0 {
			byteVal = 0xff
		}
		if st.little {
			out[k] = byteVal
		} else {
			out[size-1-k] = byteVal
		}
	}
	return append(b, out...)
}

func structPack(L *lua.LState) int {
	f := L.CheckString(1)
	st := &structState{little: true, align: 1}
	var b []byte
	arg := 2
	for i := 0; i < len(f); {
		c, size := structOpt(L, f, &i)
		if size == 0 && st.control(L, c, f, &i) {
			continue
		}
		for n := st.gap(c, size, len(b)); n > 0; n-- {
			b = append(b, 0)
		}
		switch c {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			n := float64(L.CheckNumber(arg))
			arg++
			var v uint64
			if n < 0 {
				v = uint64(int64(n))
			} else {
				v = uint64(n)
			}
			b = st.putInt(b, v, size)
		case 'x':
			b = append(b, 0)
		case 'f':
			var tmp [4]byte
			bits := math.Float32bits(float32(L.CheckNumber(arg)))
			arg++
			if st.little {
				binary.LittleEndian.PutUint32(tmp[:], bits)
			} else {
				binary.BigEndian.PutUint32(tmp[:], bits)
			}
			b = append(b, tmp[:]...)
		case 'd':
			var tmp [8]byte
			bits := math.Float64bits(float64(L.CheckNumber(arg)))
			arg++
			if st.little {
				binary.LittleEndian.PutUint64(tmp[:], bits)
			} else {
				binary.BigEndian.PutUint64(tmp[:], bits)
			}
			b = append(b, tmp[:]...)
		case 'c', 's':
			s := L.CheckString(arg)
			arg++
			l := len(s)
			if c == 'c' && size != 0 {
				if l < size {
					L.ArgError(arg-1, "string too short")
				}
				l = size
			}
			b = append(b, s[:l]...)
			if c == 's' {
				b = append(b, 0)
			}
		default:
			L.RaiseError("invalid format option '%c'", c)
		}
	}
	L.Push(lua.LString(b))
	return 1
}

func (st *structState) getInt(p []byte, signed bool, size int) float64 {
	var v uint64
	for k := 0; k < size; k++ {
		var byteVal byte
		if st.little {
			byteVal = p[size-1-k]
		} else {
			byteVal = p[k]
		}
		v = v<<8 | uint64(byteVal)
	}
	if signed && size < 8 {
		shift := 64 - 8*uint(size)
		return float64(int64(v<<shift) >> shift)
	}
	if signed {
		return float64(int64(v))
	}
	return float64(v)
}

func structUnpack(L *lua.LState) int {
	f := L.CheckString(1)
	data := L.CheckString(2)
	pos := L.OptInt(3, 1) - 1
	if pos < 0 || pos > len(data) {
		L.ArgError(3, "offset must be 1 or greater")
	}
	st := &structState{little: true, align: 1}
	n := 0
	var prev lua.LValue = lua.LNil
	for i := 0; i < len(f); {
		c, size := structOpt(L, f, &i)
		if size == 0 && c != 'c' && st.control(L, c, f, &i) {
			continue
		}
		pos += st.gap(c, size, pos)
		if pos+size > len(data) {
			L.ArgError(2, "data string too short")
		}
		switch c {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			signed := c >= 'a'
			prev = lua.LNumber(st.getInt([]byte(data[pos:pos+size]), signed, size))
			L.Push(prev)
			n++
		case 'x':
		case 'f':
			var bits uint32
			if st.little {
				bits = binary.LittleEndian.Uint32([]byte(data[pos : pos+4]))
			} else {
				bits = binary.BigEndian.Uint32([]byte(data[pos : pos+4]))
			}
			L.Push(lua.LNumber(math.Float32frombits(bits)))
			n++
		case 'd':
			var bits uint64
			if st.little {
				bits = binary.LittleEndian.Uint64([]byte(data[pos : pos+8]))
			} else {
				bits = binary.BigEndian.Uint64([]byte(data[pos : pos+8]))
			}
			L.Push(lua.LNumber(math.Float64frombits(bits)))
			n++
		case 'c':
			if size == 0 {
				num, ok := prev.(lua.LNumber)
				if n == 0 || !ok {
					L.RaiseError("format 'c0' needs a previous size")
				}
				size = int(num)
				L.Pop(1)
				n--
				if pos+size > len(data) {
					L.ArgError(2, "data string too short")
				}
			}
			L.Push(lua.LString(data[pos : pos+size]))
			n++
		case 's':
			e := strings.IndexByte(data[pos:], 0)
			if e < 0 {
				L.RaiseError("unfinished string in data")
			}
			size = e + 1
			L.Push(lua.LString(data[pos : pos+e]))
			n++
		default:
			L.RaiseError("invalid format option '%c'", c)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos + 1))
	return n + 1
}

func structSize(L *lua.LState) int {
	f := L.CheckString(1)
	st := &structState{little: true, align: 1}
	pos := 0
	for i := 0; i < len(f); {
		c, size := structOpt(L, f, &i)
		if size == 0 && st.control(L, c, f, &i) {
			continue
		}
		if c == 's' || (c == 'c' && size == 0) {
			L.ArgError(1, "options 'c0' - 's' have undefined sizes")
		}
		pos += st.gap(c, size, pos) + size
	}
	L.Push(lua.LNumber(pos))
	return 1
}
