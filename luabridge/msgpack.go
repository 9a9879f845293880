package luabridge

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// msgpackMaxNesting is lua-cmsgpack's LUACMSGPACK_MAX_NESTING: deeper
// tables are packed as nil, so circular references end.
const msgpackMaxNesting = 16

// newMsgpackLib is lua-cmsgpack 0.4 as Redis embeds it.
func newMsgpackLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(mpPack))
	t.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int { return mpUnpack(L, 0, 0) }))
	t.RawSetString("unpack_one", L.NewFunction(func(L *lua.LState) int {
		off := L.OptInt64(2, 0)
		L.SetTop(1)
		return mpUnpack(L, 1, off)
	}))
	t.RawSetString("unpack_limit", L.NewFunction(func(L *lua.LState) int {
		limit := L.CheckInt64(2)
		off := L.OptInt64(3, 0)
		L.SetTop(1)
		return mpUnpack(L, limit, off)
	}))
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

func mpPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		L.ArgError(0, "MessagePack pack needs input.")
	}
	var buf []byte
	for i := 1; i <= n; i++ {
		buf = mpEncode(L, buf, L.Get(i), 0)
	}
	L.Push(lua.LString(buf))
	return 1
}

func mpEncode(L *lua.LState, buf []byte, v lua.LValue, level int) []byte {
	switch x := v.(type) {
	case lua.LString:
		return mpBytes(buf, []byte(x))
	case lua.LBool:
		if x {
			return append(buf, 0xc3)
		}
		return append(buf, 0xc2)
	case lua.LNumber:
		f := float64(x)
		if !math.IsInf(f, 0) && !math.IsNaN(f) && f >= -9223372036854775808.0 && f < 9223372036854775808.0 && float64(int64(f)) == f {
			return mpInt(buf, int64(f))
		}
		if float64(float32(f)) == f {
			buf = append(buf, 0xca)
			return binary.BigEndian.AppendUint32(buf, math.Float32bits(float32(f)))
		}
		buf = append(buf, 0xcb)
		return binary.BigEndian.AppendUint64(buf, math.Float64bits(f))
	case *lua.LTable:
		if level == msgpackMaxNesting {
			return append(buf, 0xc0)
		}
		if tableIsArray(x) {
			n := x.Len()
			buf = mpHeader(buf, n, 0x90, 0xdc, 0xdd)
			for j := 1; j <= n; j++ {
				buf = mpEncode(L, buf, L.GetTable(x, lua.LNumber(j)), level+1)
			}
			return buf
		}
		pairs := luaPairs(x, nil) // lua_next's order
		buf = mpHeader(buf, len(pairs), 0x80, 0xde, 0xdf)
		for _, kv := range pairs {
			buf = mpEncode(L, buf, kv.k, level+1)
			buf = mpEncode(L, buf, kv.v, level+1)
		}
		return buf
	}
	return append(buf, 0xc0)
}

// tableIsArray: keys exactly 1..N.
func tableIsArray(t *lua.LTable) bool {
	count, maxKey := 0, 0.0
	ok := true
	t.ForEach(func(k, _ lua.LValue) {
		n, isNum := k.(lua.LNumber)
		if !isNum || n <= 0 || float64(n) != math.Trunc(float64(n)) {
			ok = false
			return
		}
		if float64(n) > maxKey {
			maxKey = float64(n)
		}
		count++
	})
	return ok && maxKey == float64(count)
}

func mpHeader(buf []byte, n int, fix, b16, b32 byte) []byte {
	switch {
	case n <= 15:
		return append(buf, fix|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(buf, b16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(buf, b32), uint32(n))
}

func mpBytes(buf, s []byte) []byte {
	n := len(s)
	switch {
	case n < 32:
		buf = append(buf, 0xa0|byte(n))
	case n <= 0xff:
		buf = append(buf, 0xd9, byte(n))
	case n <= 0xffff:
		buf = binary.BigEndian.AppendUint16(append(buf, 0xda), uint16(n))
	default:
		buf = binary.BigEndian.AppendUint32(append(buf, 0xdb), uint32(n))
	}
	return append(buf, s...)
}

func mpInt(buf []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n <= 127:
			return append(buf, byte(n))
		case n <= 0xff:
			return append(buf, 0xcc, byte(n))
		case n <= 0xffff:
			return binary.BigEndian.AppendUint16(append(buf, 0xcd), uint16(n))
		case n <= 0xffffffff:
			return binary.BigEndian.AppendUint32(append(buf, 0xce), uint32(n))
		}
		return binary.BigEndian.AppendUint64(append(buf, 0xcf), uint64(n))
	}
	switch {
	case n >= -32:
		return append(buf, byte(int8(n)))
	case n >= -128:
		return append(buf, 0xd0, byte(n))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(buf, 0xd1), uint16(n))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(buf, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(buf, 0xd3), uint64(n))
}

type mpErr int

const (
	mpOK mpErr = iota
	mpEOF
	mpBadFmt
)

// mpUnpack is mp_unpack_full: limit 0 and offset 0 decode everything and
// return the values; otherwise the next offset (-1 at the end) comes
// first.
func mpUnpack(L *lua.LState, limit, offset int64) int {
	s := L.CheckString(1)
	decodeAll := limit == 0 && offset == 0
	if offset < 0 || limit < 0 {
		L.RaiseError("Invalid request to unpack with offset of %d and limit of %d.", offset, len(s))
	} else if offset > int64(len(s)) {
		L.RaiseError("Start offset %d greater than input length %d.", offset, len(s))
	}
	if decodeAll {
		limit = math.MaxInt32
	}
	p := []byte(s[offset:])
	var out []lua.LValue
	for cnt := int64(0); len(p) > 0 && cnt < limit; cnt++ {
		var v lua.LValue
		var err mpErr
		v, p, err = mpDecode(L, p, 0)
		switch err {
		case mpEOF:
			L.RaiseError("Missing bytes in input.")
		case mpBadFmt:
			L.RaiseError("Bad data format in input.")
		}
		out = append(out, v)
	}
	if !decodeAll {
		next := int64(len(s) - len(p))
		if len(p) == 0 {
			next = -1
		}
		L.Push(lua.LNumber(next))
	}
	for _, v := range out {
		L.Push(v)
	}
	if !decodeAll {
		return len(out) + 1
	}
	return len(out)
}

// mpMaxDepth bounds the nesting of decoded values (hostile input).
const mpMaxDepth = 1000

func mpDecode(L *lua.LState, p []byte, depth int) (lua.LValue, []byte, mpErr) {
	if len(p) == 0 {
		return lua.LNil, p, mpEOF
	}
	if depth > mpMaxDepth {
		return lua.LNil, p, mpBadFmt
	}
	need := func(n int) bool { return len(p) >= n }
	c := p[0]
	switch {
	case c <= 0x7f:
		return lua.LNumber(c), p[1:], mpOK
	case c >= 0xe0:
		return lua.LNumber(int8(c)), p[1:], mpOK
	case c&0xe0 == 0xa0:
		n := int(c & 0x1f)
		if !need(1 + n) {
			return lua.LNil, p, mpEOF
		}
		return lua.LString(p[1 : 1+n]), p[1+n:], mpOK
	case c&0xf0 == 0x90:
		return mpArray(L, p[1:], int(c&0xf), depth)
	case c&0xf0 == 0x80:
		return mpMap(L, p[1:], int(c&0xf), depth)
	}
	fixed := map[byte]int{0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8, 0xca: 4, 0xcb: 8}
	if n, ok := fixed[c]; ok {
		if !need(1 + n) {
			return lua.LNil, p, mpEOF
		}
		b := p[1 : 1+n]
		rest := p[1+n:]
		var v float64
		switch c {
		case 0xcc:
			v = float64(b[0])
		case 0xcd:
			v = float64(binary.BigEndian.Uint16(b))
		case 0xce:
			v = float64(binary.BigEndian.Uint32(b))
		case 0xcf:
			v = float64(binary.BigEndian.Uint64(b))
		case 0xd0:
			v = float64(int8(b[0]))
		case 0xd1:
			v = float64(int16(binary.BigEndian.Uint16(b)))
		case 0xd2:
			v = float64(int32(binary.BigEndian.Uint32(b)))
		case 0xd3:
			v = float64(int64(binary.BigEndian.Uint64(b)))
		case 0xca:
			v = float64(math.Float32frombits(binary.BigEndian.Uint32(b)))
		case 0xcb:
			v = math.Float64frombits(binary.BigEndian.Uint64(b))
		}
		return lua.LNumber(v), rest, mpOK
	}
	switch c {
	case 0xc0:
		return lua.LNil, p[1:], mpOK
	case 0xc2:
		return lua.LFalse, p[1:], mpOK
	case 0xc3:
		return lua.LTrue, p[1:], mpOK
	case 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf:
		size := map[byte]int{0xd9: 1, 0xda: 2, 0xdb: 4, 0xdc: 2, 0xdd: 4, 0xde: 2, 0xdf: 4}[c]
		if !need(1 + size) {
			return lua.LNil, p, mpEOF
		}
		var n uint64
		for _, b := range p[1 : 1+size] {
			n = n<<8 | uint64(b)
		}
		rest := p[1+size:]
		switch c {
		case 0xdc, 0xdd:
			return mpArray(L, rest, int(n), depth)
		case 0xde, 0xdf:
			return mpMap(L, rest, int(n), depth)
		}
		if uint64(len(rest)) < n {
			return lua.LNil, p, mpEOF
		}
		return lua.LString(rest[:n]), rest[n:], mpOK
	}
	return lua.LNil, p, mpBadFmt
}

func mpArray(L *lua.LState, p []byte, n, depth int) (lua.LValue, []byte, mpErr) {
	if n > len(p) {
		return lua.LNil, p, mpEOF // every element takes at least a byte
	}
	t := L.CreateTable(n, 0)
	for i := 1; i <= n; i++ {
		v, rest, err := mpDecode(L, p, depth+1)
		if err != mpOK {
			return lua.LNil, p, err
		}
		p = rest
		t.RawSetInt(i, v)
	}
	return t, p, mpOK
}

func mpMap(L *lua.LState, p []byte, n, depth int) (lua.LValue, []byte, mpErr) {
	if 2*n > len(p) {
		return lua.LNil, p, mpEOF
	}
	t := L.CreateTable(0, n)
	for i := 0; i < n; i++ {
		k, rest, err := mpDecode(L, p, depth+1)
		if err != mpOK {
			return lua.LNil, p, err
		}
		v, rest2, err := mpDecode(L, rest, depth+1)
		if err != mpOK {
			return lua.LNil, p, err
		}
		p = rest2
		if k == lua.LNil {
			L.RaiseError("table index is nil")
		}
		t.RawSet(k, v)
	}
	return t, p, mpOK
}
