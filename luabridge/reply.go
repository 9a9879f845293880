package luabridge

import (
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// maxReplyDepth bounds the nesting of a script's result: a table that
// contains itself ends in Redis's "reached lua stack limit" error, as
// Redis's lua_checkstack failure does.
const maxReplyDepth = 2000

// writeReply converts a Lua value into a reply, as Redis's
// luaReplyToRedisReply (src/script_lua.c): strings are bulk strings,
// numbers are integers (truncated), true is 1 (RESP2) or #t, false is a
// null (RESP2) or #f, tables are arrays up to their first nil unless
// they carry err, ok, double, big_number, verbatim_string, map or set.
func (v *vm) writeReply(w Writer, val lua.LValue, depth int) {
	if depth > maxReplyDepth {
		w.Error("ERR reached lua stack limit")
		return
	}
	switch x := val.(type) {
	case lua.LString:
		w.Bulk([]byte(x))
	case lua.LBool:
		if v.run != nil && v.run.resp == 3 {
			w.Bool(bool(x))
		} else if x {
			w.Int(1)
		} else {
			w.Null()
		}
	case lua.LNumber:
		w.Int(luaToInt64(float64(x)))
	case *lua.LTable:
		v.writeTable(w, x, depth)
	default:
		w.Null()
	}
}

// luaToInt64 is C's (long long) cast of a double as x86-64 does it:
// truncation, and the "integer indefinite" value for what does not fit.
func luaToInt64(f float64) int64 {
	if math.IsNaN(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(f)
}

func (v *vm) writeTable(w Writer, t *lua.LTable, depth int) {
	if e, ok := t.RawGetString("err").(lua.LString); ok {
		msg := string(e)
		if t.RawGetString("ignore_error_stats_update") == lua.LTrue {
			w.ErrorNoStats(msg)
		} else {
			w.Error(msg)
		}
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		w.Simple(noCRLF(string(s)))
		return
	}
	if d, ok := t.RawGetString("double").(lua.LNumber); ok {
		w.Double(float64(d))
		return
	}
	if b, ok := t.RawGetString("big_number").(lua.LString); ok {
		w.BigNumber(noCRLF(string(b)))
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		format, fok := vt.RawGetString("format").(lua.LString)
		str, sok := vt.RawGetString("string").(lua.LString)
		if fok && sok {
			f := string(format)
			if len(f) > 3 {
				f = f[:3]
			}
			w.Verbatim(f, string(str))
			return
		}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		pairs := luaPairs(m, nil) // lua_next's order
		w.Map(len(pairs))
		for _, kv := range pairs {
			v.writeReply(w, kv.k, depth+1)
			v.writeReply(w, kv.v, depth+1)
		}
		return
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		pairs := luaPairs(s, nil) // lua_next's order
		w.Set(len(pairs))
		for _, kv := range pairs {
			v.writeReply(w, kv.k, depth+1)
		}
		return
	}
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	w.Array(n)
	for i := 1; i <= n; i++ {
		v.writeReply(w, t.RawGetInt(i), depth+1)
	}
}

// noCRLF replaces CR and LF by spaces, as Redis does for status replies
// built by scripts.
func noCRLF(s string) string {
	b := []byte(nil)
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' || s[i] == '\n' {
			if b == nil {
				b = []byte(s)
			}
			b[i] = ' '
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

// respToLua converts one RESP reply into a Lua value as Redis's
// redisProtocolToLuaType: integers are numbers, bulk strings strings,
// nulls false (RESP2) or nil (RESP3 null), statuses {ok=...}, errors
// {err=...}, maps {map={...}}, sets {set={k=true}}, doubles
// {double=...}, big numbers {big_number=...}, verbatim strings
// {verbatim_string={format=...,string=...}}; attributes are skipped.
// It returns the value and the bytes that follow it.
func respToLua(L *lua.LState, p []byte) (lua.LValue, []byte) {
	if len(p) == 0 {
		return lua.LNil, p
	}
	typ := p[0]
	line, rest := respLine(p[1:])
	switch typ {
	case ':':
		// boxed by the VM's block allocator: INCR in a loop makes a
		// number per call
		return L.NumberValue(lua.LNumber(respInt(line))), rest
	case '$':
		n := int(respInt(line))
		if n < 0 {
			return lua.LFalse, rest
		}
		return L.StringValue(lua.LString(rest[:n])), rest[n+2:]
	case '+':
		return L.NewFieldTable("ok", L.StringValue(lua.LString(line))), rest
	case '-':
		t := errTable(L, "-"+string(line))
		t.RawSetString("ignore_error_stats_update", lua.LTrue)
		return t, rest
	case '*', '~', '%', '>':
		n := int(respInt(line))
		if n < 0 {
			return lua.LFalse, rest
		}
		inner := L.CreateTable(n, 0)
		var el, key lua.LValue
		for i := 0; i < n; i++ {
			switch typ {
			case '%':
				key, rest = respToLua(L, rest)
				el, rest = respToLua(L, rest)
				inner.RawSet(key, el)
			case '~':
				el, rest = respToLua(L, rest)
				inner.RawSet(el, lua.LTrue)
			default:
				el, rest = respToLua(L, rest)
				inner.RawSetInt(i+1, el)
			}
		}
		switch typ {
		case '%':
			return L.NewFieldTable("map", inner), rest
		case '~':
			return L.NewFieldTable("set", inner), rest
		}
		return inner, rest
	case '_':
		return lua.LNil, rest
	case '#':
		return lua.LBool(len(line) > 0 && line[0] == 't'), rest
	case ',':
		f, err := strconv.ParseFloat(string(line), 64)
		if err != nil {
			switch string(line) {
			case "inf":
				f = math.Inf(1)
			case "-inf":
				f = math.Inf(-1)
			default:
				f = math.NaN()
			}
		}
		return L.NewFieldTable("double", L.NumberValue(lua.LNumber(f))), rest
	case '(':
		return L.NewFieldTable("big_number", lua.LString(line)), rest
	case '=':
		n := int(respInt(line))
		body := rest[:n]
		rest = rest[n+2:]
		vt := L.NewTable()
		if len(body) >= 4 {
			vt.RawSetString("format", lua.LString(body[:3]))
			vt.RawSetString("string", lua.LString(body[4:]))
		}
		return L.NewFieldTable("verbatim_string", vt), rest
	case '|':
		n := int(respInt(line))
		for i := 0; i < 2*n; i++ {
			_, rest = respToLua(L, rest)
		}
		return respToLua(L, rest)
	}
	return lua.LNil, nil
}

// respInt reads the decimal integer of a reply line the engine wrote
// (an integer reply, a length): an optional minus and digits.
func respInt(line []byte) int64 {
	neg := len(line) > 0 && line[0] == '-'
	if neg {
		line = line[1:]
	}
	var n uint64
	for _, c := range line {
		n = n*10 + uint64(c-'0')
	}
	if neg {
		return -int64(n)
	}
	return int64(n)
}

func respLine(p []byte) (line, rest []byte) {
	for i := 0; i+1 < len(p); i++ {
		if p[i] == '\r' && p[i+1] == '\n' {
			return p[:i], p[i+2:]
		}
	}
	return p, nil
}
