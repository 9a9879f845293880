package luabridge

import (
	"bytes"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Host is the engine's side of a running script.
type Host interface {
	// Call runs args as a command of the script's client, through the
	// same gate as any client's command, and returns its reply in RESP
	// (the protocol SetResp chose). A refusal by the gate is an error
	// reply. The engine may keep args until the command that runs the
	// script ends, as it keeps a client's arguments.
	Call(args [][]byte) []byte
	// ArgsFree tells whether the arguments passed to Call by earlier
	// runs may be overwritten: nothing the engine holds still refers to
	// them (earlier commands of a MULTI propagate at EXEC).
	ArgsFree() bool
	// SetResp switches the protocol of the script's client (2 or 3).
	SetResp(proto int)
	// SetRepl sets where the script's effects propagate (REPL_* bits).
	SetRepl(flags int)
	// Interrupt is called every few thousand Lua instructions, so the
	// host can serve other clients while a slow script runs; true means
	// the script was killed (SCRIPT KILL, FUNCTION KILL).
	Interrupt() bool
	// ACLCheck tells whether the caller's user may run args; known is
	// false when no such command exists.
	ACLCheck(args [][]byte) (allowed, known bool)
}

// Writer receives a script's result: the caller's typed reply writer.
type Writer interface {
	// Error writes an error reply counted in the error statistics.
	Error(msg string)
	// ErrorNoStats writes an error reply already counted (an error that
	// a command called by the script returned).
	ErrorNoStats(msg string)
	Simple(s string)
	Int(n int64)
	Bulk(b []byte)
	Null()
	Array(n int)
	Map(n int)
	Set(n int)
	Double(f float64)
	Bool(b bool)
	Verbatim(format, s string)
	BigNumber(digits string)
}

// Config is what every VM gets from its host, whatever the script.
type Config struct {
	// Log writes a line of the server log at a Redis level (0 debug, 1
	// verbose, 2 notice, 3 warning).
	Log func(level int, msg string)
	// Verbosity is the lowest level redis.log writes.
	Verbosity func() int
	// Version and VersionNum are redis.REDIS_VERSION and
	// redis.REDIS_VERSION_NUM.
	Version    string
	VersionNum int
}

// Log levels, as redis.LOG_*.
const (
	LogDebug = iota
	LogVerbose
	LogNotice
	LogWarning
)

// Propagation targets, as redis.REPL_*.
const (
	ReplAOF     = 1
	ReplReplica = 2
	replAll     = ReplAOF | ReplReplica
)

// maxKeptArgBytes bounds the argument buffer kept between runs (a
// script that wrote a large value does not keep its copy).
const maxKeptArgBytes = 64 << 10

// instrCheck is how many Lua instructions run between two calls of
// Host.Interrupt (Redis's count hook fires every 100000; gopher-lua runs
// instructions more slowly, and a call costs little).
const instrCheck = 10000

// ctxInterval is how many instructions run between two consultations of
// the interrupter (the patched gopher-lua's SetContextInterval): the
// count hook's granularity. Once a script is killed it is consulted
// before every instruction, so that pcall cannot swallow the kill.
const ctxInterval = 100

// vm is one Lua state with Redis's API and sandbox; Eval and Functions
// each own one, as Redis keeps one interpreter for each.
type vm struct {
	L   *lua.LState
	cfg Config
	// globals holds the global variables; env is the environment every
	// script function runs in (the globals, read-only once protected).
	globals, env *lua.LTable
	redis        *lua.LTable
	// errHandler adds the source and line of an error, as Redis's
	// __redis__err__handler.
	errHandler *lua.LFunction
	// run is the script running now (runBuf); nil between runs.
	run    *runState
	runBuf runState
	// argBuf and argList hold the arguments of every redis.call of a
	// run, each call's appended after the last's: the engine may keep
	// them until the command that ran the script ends (the effects it
	// propagates), so they are reused only from a run that starts with
	// nothing held (Host.ArgsFree), never overwritten during a run.
	argBuf  []byte
	argList [][]byte
	rand    lrand48
	// inCall detects a redis.call made while one is running.
	inCall bool
	// callArgs holds a function's two arguments (FCALL) while it is
	// called, without a slice made per call.
	callArgs [2]lua.LValue
}

// runState is one run of a script or function.
type runState struct {
	host  Host
	resp  int
	count int
	// killed: every further instruction raises the kill error, so
	// pcall cannot swallow it.
	killed bool
}

// interrupter is the gopher-lua context whose Done is consulted every
// ctxInterval instructions: it is Redis's count hook.
type interrupter struct{ v *vm }

func newVM(cfg Config) *vm {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: 256, RegistrySize: 1024 * 4, RegistryMaxSize: 1024 * 1024, RegistryGrowStep: 1024})
	v := &vm{L: L, cfg: cfg}
	v.rand.x = 0x1234ABCD330E // drand48's initial state, as Redis's rand.c
	for _, open := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(open.fn))
		L.Push(lua.LString(open.name))
		L.Call(1, 0)
	}
	g := L.G.Global
	v.globals = g
	for _, name := range []string{"dofile", "loadfile", "print", "module", "require", "_printregs", "_GOPHER_LUA_VERSION", "collectgarbage"} {
		g.RawSetString(name, lua.LNil)
	}
	g.RawSetString("collectgarbage", L.NewFunction(luaCollectGarbage))
	g.RawSetString("gcinfo", L.NewFunction(luaGCInfo))
	if s, ok := g.RawGetString("string").(*lua.LTable); ok {
		s.RawSetString("dump", L.NewFunction(stringDump))
	}
	if m, ok := g.RawGetString("math").(*lua.LTable); ok {
		m.RawSetString("random", L.NewFunction(v.mathRandom))
		m.RawSetString("randomseed", L.NewFunction(v.mathRandomSeed))
	}
	g.RawSetString("bit", newBitLib(L))
	g.RawSetString("cjson", newCJSONLib(L))
	g.RawSetString("cmsgpack", newMsgpackLib(L))
	g.RawSetString("struct", newStructLib(L))
	g.RawSetString("pcall", L.NewFunction(luaRedisPcall))
	g.RawSetString("setmetatable", L.NewFunction(v.setMetatable))
	g.RawSetString("rawset", L.NewFunction(v.rawSet))
	g.RawSetString("loadstring", L.NewFunction(v.loadString))
	g.RawSetString("load", lua.LNil)
	// Calling a nil, a boolean or a number fails with Lua 5.1's words
	// ("attempt to call field 'f' (a nil value)"), which gopher-lua
	// words otherwise.
	for _, val := range []lua.LValue{lua.LNil, lua.LFalse, lua.LNumber(0)} {
		mt := L.NewTable()
		name := val.Type().String()
		mt.RawSetString("__call", L.NewFunction(func(L *lua.LState) int {
			if what := calledName(L); what != "" {
				L.RaiseError("attempt to call %s (a %s value)", what, name)
			}
			L.RaiseError("attempt to call a %s value", name)
			return 0
		}))
		mt.RawSetString("__metatable", lua.LFalse)
		L.SetMetatable(val, mt)
	}
	v.redis = v.newRedisTable()
	g.RawSetString("redis", v.redis)
	v.errHandler = L.NewFunction(errorHandler)
	return v
}

// protect makes the global table, every table reachable from it and
// their metatables read-only (Redis's luaSetTableProtectionRecursively,
// on the read-only tables of the patched gopher-lua in third_party, as
// Redis patches its Lua), with a metatable on the globals that refuses
// to read undeclared names.
func (v *vm) protect() {
	L := v.L
	gmt := L.NewTable()
	gmt.RawSetString("__index", L.NewFunction(nonexistentGlobal))
	v.globals.Metatable = gmt
	v.env = v.globals
	v.globals.RawSetString("_G", v.globals)
	protectTable(v.globals)
}

// protectTable marks t, the tables it holds and its metatable read-only.
func protectTable(t *lua.LTable) {
	if t.ReadOnly() {
		return
	}
	t.SetReadOnly(true)
	t.ForEach(func(_, val lua.LValue) {
		if sub, ok := val.(*lua.LTable); ok {
			protectTable(sub)
		}
	})
	if mt, ok := t.Metatable.(*lua.LTable); ok {
		protectTable(mt)
	}
}

// The sandbox's errors, worded as Redis's patched Lua words them.
func readonlyError(L *lua.LState) int {
	L.RaiseError("Attempt to modify a readonly table")
	return 0
}

func nonexistentGlobal(L *lua.LState) int {
	L.RaiseError("Script attempted to access nonexistent global variable '%s'", L.ToString(2))
	return 0
}

func (v *vm) isReadonly(t *lua.LTable) bool { return t.ReadOnly() }

// setMetatable is setmetatable refusing the protected tables.
func (v *vm) setMetatable(L *lua.LState) int {
	if t, ok := L.Get(1).(*lua.LTable); ok && v.isReadonly(t) {
		L.Error(lua.LString("Attempt to modify a readonly table"), 0)
	}
	L.CheckTypes(2, lua.LTNil, lua.LTTable)
	obj := L.Get(1)
	if obj == lua.LNil {
		L.RaiseError("cannot set metatable to a nil object.")
	}
	mt := L.Get(2)
	if m := L.GetMetatable(obj); m != lua.LNil {
		if mt, ok := m.(*lua.LTable); ok && mt.RawGetString("__metatable") != lua.LNil {
			L.RaiseError("cannot change a protected metatable")
		}
	}
	L.SetMetatable(obj, mt)
	L.SetTop(1)
	return 1
}

// rawSet is rawset refusing the protected tables.
func (v *vm) rawSet(L *lua.LState) int {
	t := L.CheckTable(1)
	if v.isReadonly(t) {
		// raised in a C function by Redis's Lua: no position
		L.Error(lua.LString("Attempt to modify a readonly table"), 0)
	}
	L.RawSet(t, L.CheckAny(2), L.CheckAny(3))
	return 0
}

// loadString compiles text only: binary chunks are refused, as Redis's
// Lua does.
func (v *vm) loadString(L *lua.LState) int {
	src := L.CheckString(1)
	if strings.HasPrefix(src, "\x1bLua") {
		L.Push(lua.LNil)
		L.Push(lua.LString("binary string: bad binary format"))
		return 2
	}
	name := L.OptString(2, src)
	fn, err := L.Load(strings.NewReader(src), name)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	fn.Env = v.env
	L.Push(fn)
	return 1
}

// stringDump is string.dump as far as a Redis script can use it: the
// binary chunks it makes are refused by loadstring (Redis's scripts load
// source only), so its result is only ever a string that starts as a
// Lua 5.1 chunk does. gopher-lua's compiled functions have no Lua 5.1
// bytecode to write: the result is the chunk header (signature, version
// 5.1, official format, the sizes of x86-64) and nothing more.
func stringDump(L *lua.LState) int {
	fn := L.CheckFunction(1)
	if fn.IsG {
		L.RaiseError("unable to dump given function")
	}
	L.Push(lua.LString("\x1bLua\x51\x00\x01\x04\x08\x04\x08\x00"))
	return 1
}

func luaCollectGarbage(L *lua.LState) int {
	switch L.OptString(1, "collect") {
	case "count":
		L.Push(lua.LNumber(0))
		return 1
	}
	L.Push(lua.LNumber(0))
	return 1
}

func luaGCInfo(L *lua.LState) int {
	L.Push(lua.LNumber(0))
	return 1
}

// errorHandler is Redis's __redis__err__handler: the error becomes a
// table {err=..., source=..., line=...} naming where the script was when
// it failed (its caller's place when a Go function such as redis.call
// raised it).
func errorHandler(L *lua.LState) int {
	e := L.Get(1)
	t, ok := e.(*lua.LTable)
	if !ok {
		t = L.NewTable()
		t.RawSetString("err", lua.LString("ERR "+lua51ArgError(lua.LVAsString(L.ToStringMeta(e)))))
	}
	for level := 1; level <= 2; level++ {
		d, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", d, nil); err != nil {
			break
		}
		if d.What == "G" {
			continue
		}
		t.RawSetString("source", lua.LString("@"+d.Source))
		t.RawSetString("line", lua.LNumber(d.CurrentLine))
		break
	}
	L.Push(t)
	return 1
}

// lua51ArgError quotes the function's name in a library's argument error
// as luaL_argerror does ("bad argument #1 to 'rep' (...)"), where
// gopher-lua writes it bare.
func lua51ArgError(msg string) string {
	const prefix = "bad argument #"
	i := strings.Index(msg, prefix)
	if i < 0 {
		return msg
	}
	rest := msg[i+len(prefix):]
	to := strings.Index(rest, " to ")
	if to < 1 || strings.Trim(rest[:to], "0123456789") != "" {
		return msg
	}
	name := rest[to+len(" to "):]
	end := strings.Index(name, " (")
	if end < 1 || name[0] == '\'' || strings.ContainsAny(name[:end], " '") {
		return msg
	}
	cut := len(msg) - len(name)
	return msg[:cut] + "'" + name[:end] + "'" + name[end:]
}

// errTable is the error object of Redis's luaPushError: {err="CODE msg"}
// with ERR added when msg has no code ("-CODE msg" keeps its code).
func errTable(L *lua.LState, msg string) *lua.LTable {
	var final string
	if strings.HasPrefix(msg, "-") {
		if sp := strings.IndexByte(msg, ' '); sp < 0 {
			final = "ERR " + trimCRLF(msg[1:])
		} else {
			final = msg[1:sp] + " " + trimCRLF(msg[sp+1:])
		}
	} else {
		final = "ERR " + trimCRLF(msg)
	}
	return L.NewFieldTable("err", L.StringValue(lua.LString(final)))
}

func trimCRLF(s string) string { return strings.Trim(s, "\r\n") }

// raise raises a Redis error table.
func raise(L *lua.LState, msg string) {
	L.Error(errTable(L, msg), 0)
}

// Done is consulted every ctxInterval instructions: every instrCheck of them
// the host may serve other clients, or say that the script was killed.
func (c interrupter) Done() <-chan struct{} {
	r := c.v.run
	if r == nil {
		return nil
	}
	if r.killed {
		c.v.L.Error(errTable(c.v.L, "Script killed by user with SCRIPT KILL..."), 0)
	}
	r.count += ctxInterval
	if r.count >= instrCheck {
		r.count = 0
		if r.host.Interrupt() {
			r.killed = true
			c.v.L.SetContextInterval(1)
			c.v.logf(LogWarning, "Lua script killed by user with SCRIPT KILL.")
			c.v.L.Error(errTable(c.v.L, "Script killed by user with SCRIPT KILL..."), 0)
		}
	}
	return nil
}

func (c interrupter) Err() error { return nil }

func (c interrupter) Value(key any) any { return nil }

func (c interrupter) Deadline() (deadline time.Time, ok bool) { return }

func (v *vm) logf(level int, msg string) {
	if v.cfg.Log != nil {
		v.cfg.Log(level, msg)
	}
}

// compile turns source into a function of the sandbox.
func (v *vm) compile(src []byte, name string) (*lua.LFunction, error) {
	fn, err := v.L.Load(bytes.NewReader(src), name)
	if err != nil {
		return nil, err
	}
	fn.Env = v.env
	// gopher-lua marks a main chunk as needing Lua 5.0's "arg" table
	// unless it uses "...", and then builds that table (a Go map sized
	// for 32 keys) at every call; yet no name reaches it in a main chunk
	// (only nested vararg functions declare "arg"), so it is never built.
	fn.Proto.IsVarArg &^= lua.VarArgNeedsArg
	return fn, nil
}

// call runs fn with args under the error handler and writes its result
// (or its error, naming funcname) to w. It is Redis's luaCallFunction.
func (v *vm) call(fn *lua.LFunction, args []lua.LValue, host Host, w Writer, funcname string) {
	L := v.L
	v.runBuf = runState{host: host, resp: 2}
	v.run = &v.runBuf
	defer func() { v.run = nil }()
	if host.ArgsFree() && cap(v.argBuf) <= maxKeptArgBytes {
		v.argBuf, v.argList = v.argBuf[:0], v.argList[:0]
	} else {
		v.argBuf, v.argList = nil, nil
	}
	L.SetContext(interrupter{v})
	L.SetContextInterval(ctxInterval)
	defer L.RemoveContext()
	top := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), 1, v.errHandler)
	if err != nil {
		var obj lua.LValue = lua.LString(err.Error())
		if ae, ok := err.(*lua.ApiError); ok && ae.Object != nil {
			obj = ae.Object
		}
		L.SetTop(top)
		writeRunError(w, obj, funcname)
		return
	}
	ret := L.Get(-1)
	L.SetTop(top)
	v.writeReply(w, ret, 0)
}

// writeRunError writes the reply of a failed run, as luaCallFunction.
func writeRunError(w Writer, obj lua.LValue, funcname string) {
	t, ok := obj.(*lua.LTable)
	if !ok {
		msg := "execution failure"
		if s, ok := obj.(lua.LString); ok {
			msg = string(s)
		}
		if len(msg) > 100 {
			msg = msg[:100]
		}
		w.Error("ERR Error running script " + funcname + ", " + msg)
		return
	}
	msg := lua.LVAsString(t.RawGetString("err"))
	if _, isStr := t.RawGetString("err").(lua.LString); !isStr {
		if n, isNum := t.RawGetString("err").(lua.LNumber); isNum {
			msg = n.String()
		}
	}
	source, line := t.RawGetString("source"), t.RawGetString("line")
	if source != lua.LNil && line != lua.LNil {
		msg += " script: " + funcname + ", on " + lua.LVAsString(source) + ":" + lua.LVAsString(line) + "."
	}
	if t.RawGetString("ignore_error_stats_update") == lua.LTrue {
		w.ErrorNoStats(msg)
		return
	}
	w.Error(msg)
}

// calledName names what a failed call tried to call as Lua 5.1's
// getobjname does ("global 'f'", "field 'f'", "method 'f'", "local 'f'",
// "upvalue 'f'"), or "" when it has no name. It runs in the __call
// handler of the called value: gopher-lua records each call's name in
// the caller's debug information, but not its kind, which is read from
// the instruction that loaded the called register.
func calledName(L *lua.LState) string {
	self, ok := L.GetStack(0)
	if !ok {
		return ""
	}
	// "?": gopher-lua has no name for it (t[1]); Lua 5.1 still says
	// "field '?'" for a table's element.
	if _, err := L.GetInfo("n", self, lua.LNil); err != nil || self.Name == "" {
		return ""
	}
	caller, ok := L.GetStack(1)
	if !ok {
		return ""
	}
	fv, err := L.GetInfo("fl", caller, lua.LNil)
	fn, isFn := fv.(*lua.LFunction)
	if err != nil || !isFn || fn.IsG || fn.Proto == nil {
		return ""
	}
	p := fn.Proto
	callPC := -1
	for _, c := range p.DbgCalls {
		if c.Name == self.Name && c.Pc >= 0 && c.Pc < len(p.DbgSourcePositions) && p.DbgSourcePositions[c.Pc] == caller.CurrentLine {
			callPC = c.Pc
		}
	}
	if callPC < 0 || callPC >= len(p.Code) {
		return ""
	}
	opOf := func(inst uint32) int { return int(inst >> 26) }
	argA := func(inst uint32) int { return int(inst>>18) & 0xff }
	reg := argA(p.Code[callPC])
	for pc := callPC - 1; pc >= 0; pc-- {
		inst := p.Code[pc]
		if argA(inst) != reg {
			continue
		}
		op := opOf(inst)
		if self.Name == "?" && op != lua.OP_GETTABLE && op != lua.OP_GETTABLEKS {
			return ""
		}
		switch op {
		case lua.OP_GETGLOBAL:
			return "global '" + self.Name + "'"
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS:
			return "field '" + self.Name + "'"
		case lua.OP_SELF:
			return "method '" + self.Name + "'"
		case lua.OP_GETUPVAL:
			return "upvalue '" + self.Name + "'"
		case lua.OP_MOVE:
			return "local '" + self.Name + "'"
		}
		return ""
	}
	return ""
}
