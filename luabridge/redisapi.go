package luabridge

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"

	"github.com/goredis-dev/goredis/internal/shasum"
	lua "github.com/yuin/gopher-lua"
)

// newRedisTable builds the redis table of src/script_lua.c
// (luaRegisterRedisAPI) plus the eval-only debugging stubs.
func (v *vm) newRedisTable() *lua.LTable {
	L := v.L
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"call":               func(L *lua.LState) int { return v.redisCall(L, true) },
		"pcall":              func(L *lua.LState) int { return v.redisCall(L, false) },
		"log":                v.redisLog,
		"setresp":            v.redisSetResp,
		"sha1hex":            redisSha1hex,
		"error_reply":        redisErrorReply,
		"status_reply":       redisStatusReply,
		"set_repl":           v.redisSetRepl,
		"acl_check_cmd":      v.redisACLCheckCmd,
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		// No debugger (SCRIPT DEBUG): redis.breakpoint answers that none
		// is active and redis.debug prints nothing, as outside a debug
		// session in Redis.
		"breakpoint": func(L *lua.LState) int { L.Push(lua.LFalse); return 1 },
		"debug":      func(L *lua.LState) int { return 0 },
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	v.addLogLevels(t)
	v.addVersion(t)
	for name, n := range map[string]int{"REPL_NONE": 0, "REPL_AOF": ReplAOF, "REPL_SLAVE": ReplReplica, "REPL_REPLICA": ReplReplica, "REPL_ALL": replAll} {
		t.RawSetString(name, lua.LNumber(n))
	}
	return t
}

func (v *vm) addLogLevels(t *lua.LTable) {
	t.RawSetString("LOG_DEBUG", lua.LNumber(LogDebug))
	t.RawSetString("LOG_VERBOSE", lua.LNumber(LogVerbose))
	t.RawSetString("LOG_NOTICE", lua.LNumber(LogNotice))
	t.RawSetString("LOG_WARNING", lua.LNumber(LogWarning))
}

func (v *vm) addVersion(t *lua.LTable) {
	t.RawSetString("REDIS_VERSION", lua.LString(v.cfg.Version))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(v.cfg.VersionNum))
}

// luaArgs converts redis.call's arguments: strings as they are, numbers
// as %.17g (Lua's own conversion would lose precision); anything else is
// refused with Redis's words. The arguments are appended to the run's
// buffers (vm.argBuf, vm.argList), each sliced with its own capacity.
func (v *vm) luaArgs(L *lua.LState) ([][]byte, string) {
	n := L.GetTop()
	if n == 0 {
		return nil, "Please specify at least one argument for this redis lib call"
	}
	first, firstByte := len(v.argList), len(v.argBuf)
	for i := 1; i <= n; i++ {
		start := len(v.argBuf)
		switch a := L.Get(i).(type) {
		case lua.LString:
			v.argBuf = append(v.argBuf, a...)
		case lua.LNumber:
			v.argBuf = appendG17(v.argBuf, float64(a))
		default:
			// this call's arguments only: earlier calls' may be held
			v.argList, v.argBuf = v.argList[:first], v.argBuf[:firstByte]
			return nil, "Lua redis lib command arguments must be strings or integers"
		}
		v.argList = append(v.argList, v.argBuf[start:len(v.argBuf):len(v.argBuf)])
	}
	return v.argList[first:len(v.argList):len(v.argList)], ""
}

// appendG17 appends f as C's %.17g.
func appendG17(b []byte, f float64) []byte {
	if math.IsInf(f, 0) {
		if f > 0 {
			return append(b, "inf"...)
		}
		return append(b, "-inf"...)
	}
	if math.IsNaN(f) {
		return append(b, "nan"...)
	}
	return strconv.AppendFloat(b, f, 'g', 17, 64)
}

// redisCall is redis.call (raise) and redis.pcall: Redis's
// luaRedisGenericCommand.
func (v *vm) redisCall(L *lua.LState, raiseErr bool) int {
	if v.run == nil {
		raise(L, "redis.call/pcall can only be called inside a script invocation")
	}
	args, msg := v.luaArgs(L)
	if msg != "" {
		t := errTable(L, msg)
		if raiseErr {
			L.Error(t, 0)
		}
		L.Push(t)
		return 1
	}
	if v.inCall {
		msg := "luaRedisGenericCommand() recursive call detected. Are you doing funny stuff with Lua debug hooks?"
		v.logf(LogWarning, msg)
		L.Push(errTable(L, msg))
		return 1
	}
	v.inCall = true
	reply := v.run.host.Call(args)
	v.inCall = false
	val, _ := respToLua(L, reply)
	if raiseErr && len(reply) > 0 && reply[0] == '-' {
		L.Error(val, 0)
	}
	L.Push(val)
	return 1
}

// luaRedisPcall replaces Lua's pcall: an error that is a Redis error
// table is handed back as its message, as in Redis 6 (src/script_lua.c).
func luaRedisPcall(L *lua.LState) int {
	L.CheckAny(1)
	f := L.Get(1)
	if f.Type() != lua.LTFunction && L.GetMetaField(f, "__call").Type() != lua.LTFunction {
		L.Push(lua.LFalse)
		L.Push(lua.LString("attempt to call a " + f.Type().String() + " value"))
		return 2
	}
	if err := L.PCall(L.GetTop()-1, lua.MultRet, nil); err != nil {
		L.Push(lua.LFalse)
		var obj lua.LValue = lua.LString(err.Error())
		if ae, ok := err.(*lua.ApiError); ok && ae.Object != nil {
			obj = ae.Object
		}
		if t, ok := obj.(*lua.LTable); ok {
			if e, ok := t.RawGetString("err").(lua.LString); ok {
				obj = e
			}
		}
		L.Push(obj)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

func redisSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "wrong number of arguments")
	}
	var s string
	switch a := L.Get(1).(type) {
	case lua.LString:
		s = string(a)
	case lua.LNumber:
		s = a.String()
	}
	sum := shasum.SHA1([]byte(s))
	L.Push(lua.LString(hex.EncodeToString(sum[:])))
	return 1
}

func redisErrorReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errTable(L, "wrong number or type of arguments"))
		return 1
	}
	msg := string(s)
	if len(msg) == 0 || msg[0] != '-' {
		msg = "-" + msg
	}
	L.Push(errTable(L, msg))
	return 1
}

func redisStatusReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errTable(L, "wrong number or type of arguments"))
		return 1
	}
	L.Push(L.NewFieldTable("ok", s))
	return 1
}

func (v *vm) redisLog(L *lua.LState) int {
	argc := L.GetTop()
	if argc < 2 {
		raise(L, "redis.log() requires two arguments or more.")
	}
	n, ok := L.Get(1).(lua.LNumber)
	if !ok {
		if s, isStr := L.Get(1).(lua.LString); isStr {
			f, err := strconv.ParseFloat(string(s), 64)
			ok, n = err == nil, lua.LNumber(f)
		}
	}
	if !ok {
		raise(L, "First argument must be a number (log level).")
	}
	level := int(n)
	if level < LogDebug || level > LogWarning {
		raise(L, "Invalid debug level.")
	}
	if v.cfg.Verbosity != nil && level < v.cfg.Verbosity() {
		return 0
	}
	var msg []byte
	for i := 2; i <= argc; i++ {
		var s string
		switch a := L.Get(i).(type) {
		case lua.LString:
			s = string(a)
		case lua.LNumber:
			s = a.String()
		default:
			continue
		}
		if i != 2 {
			msg = append(msg, ' ')
		}
		msg = append(msg, s...)
	}
	v.logf(level, string(msg))
	return 0
}

func (v *vm) redisSetResp(L *lua.LState) int {
	if v.run == nil {
		raise(L, "redis.setresp can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raise(L, "redis.setresp() requires one argument.")
	}
	resp := int(luaNumberArg(L, 1))
	if resp != 2 && resp != 3 {
		raise(L, "RESP version must be 2 or 3.")
	}
	v.run.resp = resp
	v.run.host.SetResp(resp)
	return 0
}

func (v *vm) redisSetRepl(L *lua.LState) int {
	if v.run == nil {
		raise(L, "redis.set_repl can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raise(L, "redis.set_repl() requires two arguments.")
	}
	flags := int(luaNumberArg(L, 1))
	if flags & ^replAll != 0 {
		raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	v.run.host.SetRepl(flags)
	return 0
}

func (v *vm) redisACLCheckCmd(L *lua.LState) int {
	if v.run == nil {
		raise(L, "redis.acl_check_cmd can only be called inside a script invocation")
	}
	args, msg := v.luaArgs(L)
	if msg != "" {
		raise(L, msg)
	}
	allowed, known := v.run.host.ACLCheck(args)
	if !known {
		raise(L, "Invalid command passed to redis.acl_check_cmd()")
	}
	L.Push(lua.LBool(allowed))
	return 1
}

// luaNumberArg is lua_tonumber: a number, a numeric string, else 0.
func luaNumberArg(L *lua.LState, i int) float64 {
	switch a := L.Get(i).(type) {
	case lua.LNumber:
		return float64(a)
	case lua.LString:
		f, err := strconv.ParseFloat(string(a), 64)
		if err == nil {
			return f
		}
	}
	return 0
}

// math.random and math.randomseed as Redis replaces them: the same
// sequence on every platform (redisLrand48).
func (v *vm) mathRandom(L *lua.LState) int {
	if v.run == nil {
		L.RaiseError("math.random can only be called inside a script invocation")
	}
	r := float64(v.rand.next()%lrandMax) / float64(lrandMax)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := checkInt(L, 1)
		if u < 1 {
			L.ArgError(1, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l, u := checkInt(L, 1), checkInt(L, 2)
		if l > u {
			L.ArgError(2, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func (v *vm) mathRandomSeed(L *lua.LState) int {
	if v.run == nil {
		L.RaiseError("math.randomseed can only be called inside a script invocation")
	}
	v.rand.seed(int32(checkInt(L, 1)))
	return 0
}

// checkInt is Lua 5.1's luaL_checkint: a number or a string that reads
// as one, truncated.
func checkInt(L *lua.LState, i int) int {
	switch a := L.Get(i).(type) {
	case lua.LNumber:
		return int(a)
	case lua.LString:
		if f, err := strconv.ParseFloat(strings.TrimSpace(string(a)), 64); err == nil {
			return int(f)
		}
	}
	L.TypeError(i, lua.LTNumber)
	return 0
}

// lrand48 is Redis's redisLrand48 (src/rand.c): the 48-bit linear
// congruential generator of drand48.
type lrand48 struct{ x uint64 }

const lrandMax = math.MaxInt32

func (r *lrand48) seed(s int32) { r.x = uint64(uint32(s))<<16 | 0x330E }

func (r *lrand48) next() int32 {
	r.x = (0x5DEECE66D*r.x + 0xB) & (1<<48 - 1)
	return int32(r.x >> 17)
}
