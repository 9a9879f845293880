package luabridge

import (
	"sort"
	"strings"
	"time"

	"github.com/goredis-dev/goredis/netserver/resp"
	lua "github.com/yuin/gopher-lua"
)

// Library is a loaded FUNCTION library.
type Library struct {
	Name   string
	Engine string
	// Code is the whole source as loaded, shebang included (what FUNCTION
	// LIST WITHCODE and FUNCTION DUMP give back).
	Code      []byte
	Functions map[string]*Function
}

// Function is one function a library registered.
type Function struct {
	Name  string
	Desc  string
	Flags Flags
	Lib   *Library
	fn    *lua.LFunction
}

// SortedFunctions lists the library's functions by name.
func (l *Library) SortedFunctions() []*Function {
	out := make([]*Function, 0, len(l.Functions))
	for _, f := range l.Functions {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LibrarySet is a set of libraries and the index of their functions (a
// functionsLibCtx): the live one, or one FUNCTION RESTORE builds aside.
type LibrarySet struct {
	libs  map[string]*Library
	funcs map[string]*Function
}

func newLibrarySet() *LibrarySet {
	return &LibrarySet{libs: map[string]*Library{}, funcs: map[string]*Function{}}
}

// Functions is the FUNCTION engine: its interpreter and the live
// libraries.
type Functions struct {
	cfg  Config
	vm   *vm
	live *LibrarySet
	// env is the environment of library code: its __index is the
	// globals while functions run and libAPI while a library loads.
	env, envMeta *lua.LTable
	libAPI       *lua.LTable
	// loading is the library being loaded (redis.register_function adds
	// to it); nil otherwise.
	loading *Library
}

// loadTimeout is Redis's LOAD_TIMEOUT_MS.
const loadTimeout = 500 * time.Millisecond

// NewFunctions returns the engine with no library.
func NewFunctions(cfg Config) *Functions {
	f := &Functions{cfg: cfg, live: newLibrarySet()}
	v := newVM(cfg)
	f.vm = v
	v.protect()
	L := v.L
	// what library code sees while it loads: redis.register_function,
	// redis.log and the versions, nothing else
	api := L.NewTable()
	api.RawSetString("register_function", L.NewFunction(f.registerFunction))
	v.addLogLevels(api)
	v.addVersion(api)
	api.RawSetString("log", L.NewFunction(v.redisLog))
	apiMeta := L.NewTable()
	apiMeta.RawSetString("__index", L.NewFunction(nonexistentGlobal))
	api.Metatable = apiMeta
	libGlobals := L.NewTable()
	libGlobals.RawSetString("redis", api)
	libGlobals.Metatable = apiMeta
	protectTable(libGlobals)
	f.libAPI = libGlobals
	// Library code runs in an empty read-only table whose __index is
	// switched between the load API and the globals; getmetatable shows
	// the globals' metatable, as for scripts.
	f.env = L.NewTable()
	f.envMeta = L.NewTable()
	f.envMeta.RawSetString("__index", v.env)
	f.envMeta.RawSetString("__newindex", L.NewFunction(readonlyError))
	f.envMeta.RawSetString("__metatable", v.globals.Metatable)
	f.env.Metatable = f.envMeta
	f.env.SetReadOnly(true)
	f.envMeta.SetReadOnly(true)
	return f
}

// Lookup finds a live function by name.
// Lookup finds a function by its name, in any case (Redis's functions
// dictionary compares names case-insensitively).
func (f *Functions) Lookup(name string) *Function { return f.live.funcs[strings.ToLower(name)] }

// LookupBytes is Lookup for a command's argument, without copying it: a
// function's name is letters, digits and underscores, which FCALL finds
// in any case (Redis compares names with strcasecmp, ASCII only).
func (f *Functions) LookupBytes(name []byte) *Function {
	var buf [64]byte
	lower := buf[:0]
	if len(name) > len(buf) {
		lower = make([]byte, len(name))
	}
	lower = lower[:len(name)]
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return f.live.funcs[string(lower)]
}

// Libraries lists the live libraries by name.
func (f *Functions) Libraries() []*Library { return f.live.Sorted() }

// Sorted lists the set's libraries by name.
func (s *LibrarySet) Sorted() []*Library {
	out := make([]*Library, 0, len(s.libs))
	for _, l := range s.libs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Len is the number of libraries in the set.
func (s *LibrarySet) Len() int { return len(s.libs) }

// Counts are the numbers of live libraries and functions.
func (f *Functions) Counts() (libs, funcs int) { return len(f.live.libs), len(f.live.funcs) }

// Memory estimates the memory of the library code and index
// (used_memory_functions) and of the interpreter (used_memory_vm_functions).
func (f *Functions) Memory() (functions, vm int64) {
	for _, l := range f.live.libs {
		functions += int64(len(l.Code)) + 64
		for name := range l.Functions {
			functions += int64(len(name)) + 96
		}
	}
	return functions + 184, baseVMMemory + 4*functions
}

func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// libMeta is a library's shebang: "#!<engine> name=<name>".
func libMeta(code []byte) (engine, name string, body []byte, err error) {
	if len(code) < 2 || code[0] != '#' || code[1] != '!' {
		return "", "", nil, errorf("Missing library metadata")
	}
	end := -1
	for i, c := range code {
		if c == '\n' {
			end = i
			break
		}
	}
	if end < 0 {
		return "", "", nil, errorf("Invalid library metadata")
	}
	parts, ok := resp.SplitArgs(string(code[:end]))
	if !ok || len(parts) == 0 {
		return "", "", nil, errorf("Invalid library metadata")
	}
	engine = parts[0][2:]
	haveName := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(p[:5], "name=") {
			if haveName {
				return "", "", nil, errorf("Invalid metadata value, name argument was given multiple times")
			}
			name, haveName = p[5:], true
			continue
		}
		return "", "", nil, errorf("Invalid metadata value given: " + p)
	}
	if !haveName {
		return "", "", nil, errorf("Library name was not given")
	}
	return engine, name, code[end:], nil
}

// Load compiles and runs a library's code and links it into the live set
// (FUNCTION LOAD [REPLACE]); it returns the library's name. timeout 0
// lets the load run as long as it takes (loading from a master or a
// file).
func (f *Functions) Load(code []byte, replace bool, timeout bool) (string, error) {
	return f.LoadInto(f.live, code, replace, timeout)
}

// LoadInto is Load into another set (FUNCTION RESTORE builds one aside).
func (f *Functions) LoadInto(set *LibrarySet, code []byte, replace bool, timeout bool) (string, error) {
	engine, name, body, err := libMeta(code)
	if err != nil {
		return "", err
	}
	if !validName(name) {
		return "", errorf("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
	}
	if !strings.EqualFold(engine, "lua") {
		return "", errorf("Engine '" + engine + "' not found")
	}
	old := set.libs[name]
	if old != nil && !replace {
		return "", errorf("Library '" + name + "' already exists")
	}
	lib := &Library{Name: name, Engine: "LUA", Code: append([]byte(nil), code...), Functions: map[string]*Function{}}
	if err := f.compileLibrary(lib, body, timeout); err != nil {
		return "", err
	}
	if len(lib.Functions) == 0 {
		return "", errorf("No functions registered")
	}
	for fname := range lib.Functions {
		if other := set.funcs[strings.ToLower(fname)]; other != nil && other.Lib != old {
			return "", errorf("Function " + fname + " already exists")
		}
	}
	if old != nil {
		set.unlink(old)
	}
	set.link(lib)
	return name, nil
}

func (s *LibrarySet) link(l *Library) {
	s.libs[l.Name] = l
	for name, fn := range l.Functions {
		s.funcs[strings.ToLower(name)] = fn
	}
}

func (s *LibrarySet) unlink(l *Library) {
	delete(s.libs, l.Name)
	for name := range l.Functions {
		delete(s.funcs, strings.ToLower(name))
	}
}

// loadDeadline is the interrupter of a library load: past the timeout
// the load fails (Redis's luaEngineLoadHook).
type loadDeadline struct {
	L        *lua.LState
	deadline time.Time
	count    int
	expired  bool
}

func (d *loadDeadline) Done() <-chan struct{} {
	if d.expired {
		d.L.Error(errTable(d.L, "FUNCTION LOAD timeout"), 0)
	}
	d.count++
	if d.count >= instrCheck {
		d.count = 0
		if time.Now().After(d.deadline) {
			d.expired = true
			d.L.Error(errTable(d.L, "FUNCTION LOAD timeout"), 0)
		}
	}
	return nil
}

func (d *loadDeadline) Err() error                              { return nil }
func (d *loadDeadline) Value(any) any                           { return nil }
func (d *loadDeadline) Deadline() (deadline time.Time, ok bool) { return }

func (f *Functions) compileLibrary(lib *Library, body []byte, timeout bool) error {
	v := f.vm
	L := v.L
	fn, err := L.Load(strings.NewReader(string(body)), "user_function")
	if err != nil {
		return errorf("Error compiling function: " + compileErrorNamed(err, "user_function"))
	}
	fn.Env = f.env
	f.envMeta.RawSetString("__index", f.libAPI)
	f.loading = lib
	defer func() {
		f.envMeta.RawSetString("__index", v.env)
		f.loading = nil
		L.RemoveContext()
	}()
	if timeout {
		L.SetContext(&loadDeadline{L: L, deadline: time.Now().Add(loadTimeout)})
		L.SetContextInterval(ctxInterval)
	}
	top := L.GetTop()
	L.Push(fn)
	if err := L.PCall(0, 0, nil); err != nil {
		L.SetTop(top)
		var obj lua.LValue = lua.LString(err.Error())
		if ae, ok := err.(*lua.ApiError); ok && ae.Object != nil {
			obj = ae.Object
		}
		msg := ""
		if s, ok := obj.(lua.LString); ok {
			msg = "ERR " + string(s)
		} else if t, ok := obj.(*lua.LTable); ok {
			msg = lua.LVAsString(t.RawGetString("err"))
		}
		return errorf("Error registering functions: " + msg)
	}
	L.SetTop(top)
	return nil
}

func compileErrorNamed(err error, name string) string {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, name+" line:"); ok {
		if i := strings.IndexByte(rest, '('); i > 0 {
			line := rest[:i]
			if j := strings.Index(rest, ") "); j > 0 {
				return name + ":" + line + ": " + strings.Join(strings.Fields(rest[j+2:]), " ")
			}
		}
	}
	return msg
}

// registerFunction is redis.register_function, callable only while a
// library loads.
func (f *Functions) registerFunction(L *lua.LState) int {
	lib := f.loading
	if lib == nil {
		raise(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	var name, desc string
	var cb *lua.LFunction
	var flags Flags
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			raise(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		haveName := false
		var bad string
		t.ForEach(func(k, val lua.LValue) {
			if bad != "" {
				return
			}
			ks, isStr := k.(lua.LString)
			if !isStr {
				if _, isNum := k.(lua.LNumber); !isNum {
					bad = "named argument key given to redis.register_function is not a string"
					return
				}
				ks = lua.LString(lua.LVAsString(k))
			}
			switch strings.ToLower(string(ks)) {
			case "function_name":
				s, ok := luaString(val)
				if !ok {
					bad = "function_name argument given to redis.register_function must be a string"
					return
				}
				name, haveName = s, true
			case "description":
				s, ok := luaString(val)
				if !ok {
					bad = "description argument given to redis.register_function must be a string"
					return
				}
				desc = s
			case "callback":
				fn, ok := val.(*lua.LFunction)
				if !ok {
					bad = "callback argument given to redis.register_function must be a function"
					return
				}
				cb = fn
			case "flags":
				ft, ok := val.(*lua.LTable)
				if !ok {
					bad = "flags argument to redis.register_function must be a table representing function flags"
					return
				}
				for j := 1; ; j++ {
					fv := L.GetTable(ft, lua.LNumber(j))
					if fv == lua.LNil {
						break
					}
					s, ok := luaString(fv)
					flag := flagByName(s, true)
					if !ok || flag == 0 {
						bad = "unknown flag given"
						return
					}
					flags |= flag
				}
			default:
				bad = "unknown argument given to redis.register_function"
			}
		})
		if bad != "" {
			raise(L, bad)
		}
		if !haveName {
			raise(L, "redis.register_function must get a function name argument")
		}
		if cb == nil {
			raise(L, "redis.register_function must get a callback argument")
		}
	case 2:
		s, ok := luaString(L.Get(1))
		if !ok {
			raise(L, "first argument to redis.register_function must be a string")
		}
		fn, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			raise(L, "second argument to redis.register_function must be a function")
		}
		name, cb = s, fn
	default:
		raise(L, "wrong number of arguments to redis.register_function")
	}
	if !validName(name) {
		raise(L, "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
	}
	if lib.Functions[name] != nil {
		raise(L, "Function already exists in the library")
	}
	lib.Functions[name] = &Function{Name: name, Desc: desc, Flags: flags, Lib: lib, fn: cb}
	return 0
}

func luaString(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return x.String(), true
	}
	return "", false
}

// Delete unloads a library; false when there is none of that name.
func (f *Functions) Delete(name string) bool {
	l := f.live.libs[name]
	if l == nil {
		return false
	}
	f.live.unlink(l)
	return true
}

// Flush unloads every library.
func (f *Functions) Flush() { f.live = newLibrarySet() }

// NewSet returns an empty set for FUNCTION RESTORE to load into.
func (f *Functions) NewSet() *LibrarySet { return newLibrarySet() }

// Restore merges a restored set into the live one with FUNCTION
// RESTORE's policy: "FLUSH" replaces everything, "APPEND" fails on a
// library that exists, "REPLACE" replaces libraries of the same name.
// Nothing changes when it fails.
func (f *Functions) Restore(set *LibrarySet, policy string) error {
	switch policy {
	case "FLUSH":
		f.live = set
		return nil
	case "APPEND":
		for name := range set.libs {
			if f.live.libs[name] != nil {
				return errorf("Library " + name + " already exists")
			}
		}
	}
	// REPLACE (and APPEND past its check): function names must not
	// collide with the libraries that stay.
	for _, l := range set.libs {
		for fname := range l.Functions {
			if other := f.live.funcs[strings.ToLower(fname)]; other != nil && set.libs[other.Lib.Name] == nil {
				return errorf("Function " + fname + " already exists")
			}
		}
	}
	for _, l := range set.libs {
		if old := f.live.libs[l.Name]; old != nil {
			f.live.unlink(old)
		}
		f.live.link(l)
	}
	return nil
}

// Call runs a function with its keys and args (FCALL).
func (f *Functions) Call(fn *Function, keys, args [][]byte, host Host, w Writer) {
	v := f.vm
	// Fresh tables each call: a library's local tables outlive calls, so
	// a function may keep its keys or args.
	v.callArgs = [2]lua.LValue{stringArray(v.L, keys), stringArray(v.L, args)}
	v.call(fn.fn, v.callArgs[:], host, w, fn.Name)
	v.callArgs = [2]lua.LValue{}
}
