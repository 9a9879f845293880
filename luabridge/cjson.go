package luabridge

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// cjsonConfig is lua-cjson's per-module configuration.
type cjsonConfig struct {
	encodeMaxDepth, decodeMaxDepth int
	sparseConvert                  bool
	sparseRatio, sparseSafe        int
	encodeInvalidNumbers           int // 0 off, 1 on, 2 "null"
	decodeInvalidNumbers           bool
	precision                      int
	null                           *lua.LUserData
}

// newCJSONLib is lua-cjson 2.1 as Redis embeds it: encode, decode, null
// and the configuration functions.
func newCJSONLib(L *lua.LState) *lua.LTable {
	cfg := &cjsonConfig{encodeMaxDepth: 1000, decodeMaxDepth: 1000, sparseRatio: 2, sparseSafe: 10, decodeInvalidNumbers: true, precision: 14}
	cfg.null = L.NewUserData()
	t := L.NewTable()
	t.RawSetString("encode", L.NewFunction(cfg.encode))
	t.RawSetString("decode", L.NewFunction(cfg.decode))
	t.RawSetString("null", cfg.null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	intOpt := func(p *int, lo, hi int) lua.LGFunction {
		return func(L *lua.LState) int {
			if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
				n := L.CheckInt(1)
				if n < lo || n > hi {
					L.ArgError(1, "expected integer between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
				}
				*p = n
			}
			L.Push(lua.LNumber(*p))
			return 1
		}
	}
	boolOpt := func(p *bool) lua.LGFunction {
		return func(L *lua.LState) int {
			if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
				*p = cjsonBool(L, 1)
			}
			L.Push(lua.LBool(*p))
			return 1
		}
	}
	keep := true
	t.RawSetString("encode_max_depth", L.NewFunction(intOpt(&cfg.encodeMaxDepth, 1, math.MaxInt32)))
	t.RawSetString("decode_max_depth", L.NewFunction(intOpt(&cfg.decodeMaxDepth, 1, math.MaxInt32)))
	t.RawSetString("encode_number_precision", L.NewFunction(intOpt(&cfg.precision, 1, 14)))
	t.RawSetString("encode_keep_buffer", L.NewFunction(boolOpt(&keep)))
	t.RawSetString("decode_invalid_numbers", L.NewFunction(boolOpt(&cfg.decodeInvalidNumbers)))
	t.RawSetString("encode_invalid_numbers", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
			if s, ok := L.Get(1).(lua.LString); ok && s == "null" {
				cfg.encodeInvalidNumbers = 2
			} else if cjsonBool(L, 1) {
				cfg.encodeInvalidNumbers = 1
			} else {
				cfg.encodeInvalidNumbers = 0
			}
		}
		switch cfg.encodeInvalidNumbers {
		case 2:
			L.Push(lua.LString("null"))
		default:
			L.Push(lua.LBool(cfg.encodeInvalidNumbers == 1))
		}
		return 1
	}))
	t.RawSetString("encode_sparse_array", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
			cfg.sparseConvert = cjsonBool(L, 1)
		}
		if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
			cfg.sparseRatio = L.CheckInt(2)
		}
		if L.GetTop() >= 3 && L.Get(3) != lua.LNil {
			cfg.sparseSafe = L.CheckInt(3)
		}
		L.Push(lua.LBool(cfg.sparseConvert))
		L.Push(lua.LNumber(cfg.sparseRatio))
		L.Push(lua.LNumber(cfg.sparseSafe))
		return 3
	}))
	return t
}

func cjsonBool(L *lua.LState, i int) bool {
	switch v := L.Get(i).(type) {
	case lua.LBool:
		return bool(v)
	case lua.LString:
		switch v {
		case "on":
			return true
		case "off":
			return false
		}
	}
	L.ArgError(i, "invalid option '"+L.ToString(i)+"'")
	return false
}

func (cfg *cjsonConfig) encode(L *lua.LState) int {
	if L.GetTop() != 1 {
		L.ArgError(1, "expected 1 argument")
	}
	var b strings.Builder
	cfg.encodeValue(L, &b, L.Get(1), 0)
	L.Push(lua.LString(b.String()))
	return 1
}

func (cfg *cjsonConfig) encodeValue(L *lua.LState, b *strings.Builder, v lua.LValue, depth int) {
	switch x := v.(type) {
	case lua.LString:
		jsonString(b, string(x))
	case lua.LNumber:
		f := float64(x)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			switch cfg.encodeInvalidNumbers {
			case 0:
				L.RaiseError("Cannot serialise number: must not be NaN or Inf")
			case 2:
				b.WriteString("null")
				return
			}
			switch {
			case math.IsNaN(f):
				b.WriteString("nan")
			case f > 0:
				b.WriteString("inf")
			default:
				b.WriteString("-inf")
			}
			return
		}
		b.WriteString(formatG(f, cfg.precision))
	case lua.LBool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case *lua.LNilType:
		b.WriteString("null")
	case *lua.LUserData:
		if x == cfg.null {
			b.WriteString("null")
			return
		}
		L.RaiseError("Cannot serialise userdata: type not supported")
	case *lua.LTable:
		depth++
		if depth > cfg.encodeMaxDepth {
			L.RaiseError("Cannot serialise, excessive nesting (%d)", depth)
		}
		n := cfg.arrayLength(L, x)
		if n >= 0 {
			b.WriteByte('[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					b.WriteByte(',')
				}
				cfg.encodeValue(L, b, x.RawGetInt(i), depth)
			}
			b.WriteByte(']')
			return
		}
		b.WriteByte('{')
		for i, kv := range luaPairs(x, nil) { // lua_next's order
			k, val := kv.k, kv.v
			if i > 0 {
				b.WriteByte(',')
			}
			switch kk := k.(type) {
			case lua.LString:
				jsonString(b, string(kk))
			case lua.LNumber:
				b.WriteByte('"')
				b.WriteString(formatG(float64(kk), cfg.precision))
				b.WriteByte('"')
			default:
				L.RaiseError("Cannot serialise %s: table key must be a number or string", k.Type().String())
			}
			b.WriteByte(':')
			cfg.encodeValue(L, b, val, depth)
		}
		b.WriteByte('}')
	default:
		L.RaiseError("Cannot serialise %s: type not supported", v.Type().String())
	}
}

// arrayLength is lua_array_length: the array size when every key is a
// positive integer (and the array not excessively sparse), else -1.
func (cfg *cjsonConfig) arrayLength(L *lua.LState, t *lua.LTable) int {
	maxKey, items := 0, 0
	isArray := true
	t.ForEach(func(k, _ lua.LValue) {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) < 1 || float64(n) != math.Floor(float64(n)) {
			isArray = false
			return
		}
		if int(n) > maxKey {
			maxKey = int(n)
		}
		items++
	})
	if !isArray {
		return -1
	}
	if cfg.sparseRatio > 0 && maxKey > items*cfg.sparseRatio && maxKey > cfg.sparseSafe {
		if !cfg.sparseConvert {
			L.RaiseError("Cannot serialise table: excessively sparse array")
		}
		return -1
	}
	return maxKey
}

// formatG is C's %.<prec>g.
func formatG(f float64, prec int) string {
	s := strconv.FormatFloat(f, 'g', prec, 64)
	// C prints at least two exponent digits, as Go does; Go may print
	// "1e+06" where C prints "1e+06" too.
	return s
}

func jsonString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\u00`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&15])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

// jsonDecoder decodes as lua-cjson: errors name the character (1-based)
// where decoding failed.
type jsonDecoder struct {
	L     *lua.LState
	cfg   *cjsonConfig
	s     string
	i     int
	depth int
}

func (cfg *cjsonConfig) decode(L *lua.LState) int {
	if L.GetTop() != 1 {
		L.ArgError(1, "expected 1 argument")
	}
	d := &jsonDecoder{L: L, cfg: cfg, s: L.CheckString(1)}
	v := d.value()
	d.skip()
	if d.i < len(d.s) {
		d.fail("the end", d.tokenName())
	}
	L.Push(v)
	return 1
}

func (d *jsonDecoder) skip() {
	for d.i < len(d.s) && (d.s[d.i] == ' ' || d.s[d.i] == '\t' || d.s[d.i] == '\n' || d.s[d.i] == '\r') {
		d.i++
	}
}

func (d *jsonDecoder) fail(expected, found string) {
	d.L.RaiseError("Expected %s but found %s at character %d", expected, found, d.i+1)
}

func (d *jsonDecoder) tokenName() string {
	if d.i >= len(d.s) {
		return "T_END"
	}
	switch d.s[d.i] {
	case '{':
		return "T_OBJ_BEGIN"
	case '}':
		return "T_OBJ_END"
	case '[':
		return "T_ARR_BEGIN"
	case ']':
		return "T_ARR_END"
	case ',':
		return "T_COMMA"
	case ':':
		return "T_COLON"
	case '"':
		return "T_STRING"
	}
	return "invalid token"
}

func (d *jsonDecoder) enter() {
	d.depth++
	if d.depth > d.cfg.decodeMaxDepth {
		d.L.RaiseError("Found too many nested data structures (%d) at character %d", d.depth, d.i+1)
	}
}

func (d *jsonDecoder) value() lua.LValue {
	d.skip()
	if d.i >= len(d.s) {
		d.fail("value", "T_END")
	}
	c := d.s[d.i]
	switch {
	case c == '{':
		d.enter()
		d.i++
		t := d.L.NewTable()
		d.skip()
		if d.i < len(d.s) && d.s[d.i] == '}' {
			d.i++
			d.depth--
			return t
		}
		for {
			d.skip()
			if d.i >= len(d.s) || d.s[d.i] != '"' {
				d.fail("object key string", d.tokenName())
			}
			k := d.str()
			d.skip()
			if d.i >= len(d.s) || d.s[d.i] != ':' {
				d.fail("colon", d.tokenName())
			}
			d.i++
			t.RawSetString(k, d.value())
			d.skip()
			if d.i < len(d.s) && d.s[d.i] == '}' {
				d.i++
				d.depth--
				return t
			}
			if d.i >= len(d.s) || d.s[d.i] != ',' {
				d.fail("comma or object end", d.tokenName())
			}
			d.i++
		}
	case c == '[':
		d.enter()
		d.i++
		t := d.L.NewTable()
		d.skip()
		if d.i < len(d.s) && d.s[d.i] == ']' {
			d.i++
			d.depth--
			return t
		}
		for n := 1; ; n++ {
			t.RawSetInt(n, d.value())
			d.skip()
			if d.i < len(d.s) && d.s[d.i] == ']' {
				d.i++
				d.depth--
				return t
			}
			if d.i >= len(d.s) || d.s[d.i] != ',' {
				d.fail("comma or array end", d.tokenName())
			}
			d.i++
		}
	case c == '"':
		return lua.LString(d.str())
	case c == '-' || (c >= '0' && c <= '9') || c == 'i' || c == 'I' || c == 'n' && strings.HasPrefix(d.s[d.i:], "nan"):
		if strings.HasPrefix(d.s[d.i:], "null") {
			break
		}
		return d.number()
	}
	for _, lit := range []struct {
		word string
		v    lua.LValue
	}{{"true", lua.LTrue}, {"false", lua.LFalse}, {"null", d.cfg.null}} {
		if strings.HasPrefix(d.s[d.i:], lit.word) {
			d.i += len(lit.word)
			return lit.v
		}
	}
	d.fail("value", d.tokenName())
	return lua.LNil
}

func (d *jsonDecoder) number() lua.LValue {
	start := d.i
	j := d.i
	for j < len(d.s) && strings.IndexByte("+-0123456789.eExXabcdefABCDEFinftyINFTYN", d.s[j]) >= 0 {
		j++
	}
	text := d.s[start:j]
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			d.fail("value", "invalid number")
		}
	}
	if (math.IsInf(f, 0) || math.IsNaN(f)) && !d.cfg.decodeInvalidNumbers {
		d.fail("value", "invalid number")
	}
	d.i = j
	return lua.LNumber(f)
}

func (d *jsonDecoder) str() string {
	d.i++ // opening quote
	var b []byte
	for {
		if d.i >= len(d.s) {
			d.L.RaiseError("Expected object key string but found unexpected end of string at character %d", d.i+1)
		}
		c := d.s[d.i]
		if c == '"' {
			d.i++
			return string(b)
		}
		if c != '\\' {
			b = append(b, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.s) {
			d.fail("value", "invalid escape code")
		}
		e := d.s[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				d.fail("value", "invalid unicode escape code")
			}
			if r >= 0xd800 && r <= 0xdbff {
				if d.i+1 < len(d.s) && d.s[d.i] == '\\' && d.s[d.i+1] == 'u' {
					d.i += 2
					lo, ok := d.hex4()
					if !ok || lo < 0xdc00 || lo > 0xdfff {
						d.fail("value", "invalid unicode escape code")
					}
					r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
				} else {
					d.fail("value", "invalid unicode escape code")
				}
			}
			b = appendUTF8(b, r)
		default:
			d.fail("value", "invalid escape code")
		}
	}
}

func (d *jsonDecoder) hex4() (rune, bool) {
	if d.i+4 > len(d.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(d.s[d.i:d.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	d.i += 4
	return rune(n), true
}

func appendUTF8(b []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(b, byte(r))
	case r < 0x800:
		return append(b, 0xc0|byte(r>>6), 0x80|byte(r&0x3f))
	case r < 0x10000:
		return append(b, 0xe0|byte(r>>12), 0x80|byte(r>>6&0x3f), 0x80|byte(r&0x3f))
	}
	return append(b, 0xf0|byte(r>>18), 0x80|byte(r>>12&0x3f), 0x80|byte(r>>6&0x3f), 0x80|byte(r&0x3f))
}
