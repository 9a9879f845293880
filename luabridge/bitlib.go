package luabridge

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// newBitLib is LuaBitOp 1.0 (the bit library Redis embeds): 32-bit
// operations on numbers, results as signed 32-bit integers.
func newBitLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	unary := func(op func(int32) int32) lua.LGFunction {
		return func(L *lua.LState) int {
			L.Push(lua.LNumber(op(bitArg(L, 1))))
			return 1
		}
	}
	fold := func(op func(a, b int32) int32) lua.LGFunction {
		return func(L *lua.LState) int {
			r := bitArg(L, 1)
			for i := 2; i <= L.GetTop(); i++ {
				r = op(r, bitArg(L, i))
			}
			L.Push(lua.LNumber(r))
			return 1
		}
	}
	shift := func(op func(a int32, n uint) int32) lua.LGFunction {
		return func(L *lua.LState) int {
			a, n := bitArg(L, 1), uint(bitArg(L, 2))&31
			L.Push(lua.LNumber(op(a, n)))
			return 1
		}
	}
	fns := map[string]lua.LGFunction{
		"tobit": unary(func(a int32) int32 { return a }),
		"bnot":  unary(func(a int32) int32 { return ^a }),
		"bswap": unary(func(a int32) int32 {
			u := uint32(a)
			return int32(u>>24 | u>>8&0xff00 | u<<8&0xff0000 | u<<24)
		}),
		"band":    fold(func(a, b int32) int32 { return a & b }),
		"bor":     fold(func(a, b int32) int32 { return a | b }),
		"bxor":    fold(func(a, b int32) int32 { return a ^ b }),
		"lshift":  shift(func(a int32, n uint) int32 { return int32(uint32(a) << n) }),
		"rshift":  shift(func(a int32, n uint) int32 { return int32(uint32(a) >> n) }),
		"arshift": shift(func(a int32, n uint) int32 { return a >> n }),
		"rol":     shift(func(a int32, n uint) int32 { return int32(uint32(a)<<n | uint32(a)>>(32-n)) }),
		"ror":     shift(func(a int32, n uint) int32 { return int32(uint32(a)>>n | uint32(a)<<(32-n)) }),
		"tohex":   bitToHex,
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}

// bitArg normalizes a number as LuaBitOp does (adding 2^52+2^51 keeps the
// low 32 bits of the rounded value).
func bitArg(L *lua.LState, i int) int32 {
	f := float64(L.CheckNumber(i))
	r := math.RoundToEven(f)
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return 0
	}
	m := math.Mod(r, 4294967296)
	return int32(uint32(int64(m)))
}

func bitToHex(L *lua.LState) int {
	b := uint32(bitArg(L, 1))
	n := int32(8)
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		n = bitArg(L, 2)
	}
	digits := "0123456789abcdef"
	if n < 0 {
		n = -n
		digits = "0123456789ABCDEF"
	}
	if n > 8 {
		n = 8
	}
	buf := make([]byte, n)
	for i := int(n) - 1; i >= 0; i-- {
		buf[i] = digits[b&15]
		b >>= 4
	}
	L.Push(lua.LString(buf))
	return 1
}
