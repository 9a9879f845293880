package luabridge

import (
	"encoding/hex"
	"strings"

	"github.com/goredis-dev/goredis/internal/shasum"
	"github.com/goredis-dev/goredis/netserver/resp"
	lua "github.com/yuin/gopher-lua"
)

// Flags are a script's or function's declared flags (the shebang's
// flags=..., register_function's flags).
type Flags uint32

const (
	// FlagNoWrites: the script only reads.
	FlagNoWrites Flags = 1 << iota
	// FlagAllowOOM: the script may run past maxmemory.
	FlagAllowOOM
	// FlagAllowStale: the script may run on a stale replica.
	FlagAllowStale
	// FlagNoCluster: the script refuses to run in cluster mode.
	FlagNoCluster
	// FlagAllowCrossSlot: the script may touch keys of several slots.
	FlagAllowCrossSlot
	// FlagEvalCompat: an EVAL script without a shebang, which Redis runs
	// as before 7.0 (its command's own flags apply).
	FlagEvalCompat
)

// flagNames are Redis's scripts_flags_def, in its order.
var flagNames = []struct {
	name string
	flag Flags
}{
	{"no-writes", FlagNoWrites},
	{"allow-oom", FlagAllowOOM},
	{"allow-stale", FlagAllowStale},
	{"no-cluster", FlagNoCluster},
	{"allow-cross-slot-keys", FlagAllowCrossSlot},
}

// FlagNames lists the names of the flags set in f, in Redis's order.
func (f Flags) Names() []string {
	var out []string
	for _, fn := range flagNames {
		if f&fn.flag != 0 {
			out = append(out, fn.name)
		}
	}
	return out
}

// ParseShebang reads the "#!lua flags=..." first line of an EVAL body
// (Redis's evalExtractShebangFlags). Without a shebang the flags are
// FlagEvalCompat. n is the length of the shebang line (without its line
// feed, which stays so that line numbers do not move).
func ParseShebang(body []byte) (flags Flags, n int, err error) {
	if len(body) < 2 || body[0] != '#' || body[1] != '!' {
		return FlagEvalCompat, 0, nil
	}
	end := -1
	for i, c := range body {
		if c == '\n' {
			end = i
			break
		}
		if c == 0 {
			break
		}
	}
	if end < 0 {
		return 0, 0, errorf("Invalid script shebang")
	}
	parts, ok := resp.SplitArgs(string(body[:end]))
	if !ok || len(parts) == 0 {
		return 0, 0, errorf("Invalid engine in script shebang")
	}
	if parts[0] != "#!lua" {
		return 0, 0, errorf("Unexpected engine in script shebang: " + parts[0])
	}
	for _, p := range parts[1:] {
		if !strings.HasPrefix(p, "flags=") {
			return 0, 0, errorf("Unknown lua shebang option: " + p)
		}
		list := p[len("flags="):]
		if list == "" {
			continue
		}
		for _, name := range strings.Split(list, ",") {
			f := flagByName(name, false)
			if f == 0 {
				return 0, 0, errorf("Unexpected flag in script shebang: " + name)
			}
			flags |= f
		}
	}
	return flags, end, nil
}

func flagByName(name string, fold bool) Flags {
	for _, fn := range flagNames {
		if fn.name == name || (fold && strings.EqualFold(fn.name, name)) {
			return fn.flag
		}
	}
	return 0
}

// Error is an error whose text is the reply's, without the "ERR " code.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(msg string) error { return &Error{msg} }

// Script is a cached EVAL script.
type Script struct {
	SHA   string
	Body  []byte
	Flags Flags
	fn    *lua.LFunction
}

// Eval is the EVAL interpreter and its script cache.
type Eval struct {
	cfg     Config
	vm      *vm
	scripts map[string]*Script
	mem     int64
	// last is the script Lookup found last: EVALSHA looks its script up
	// twice (the gate's flags, the run), and a client usually calls the
	// same script again.
	last *Script
	// keys and argv are the KEYS and ARGV tables the last run left in
	// the globals, refilled by the next run (runArray).
	keys, argv *lua.LTable
}

// NewEval returns an interpreter with an empty cache.
func NewEval(cfg Config) *Eval {
	e := &Eval{cfg: cfg}
	e.reset()
	return e
}

func (e *Eval) reset() {
	if e.vm != nil {
		e.vm.L.Close()
	}
	e.vm = newVM(e.cfg)
	e.vm.protect()
	e.scripts = map[string]*Script{}
	e.mem = 0
	e.last, e.keys, e.argv = nil, nil, nil
}

// SHA1Hex is the lowercase hex SHA1 of body, a script's name.
func SHA1Hex(body []byte) string {
	sum := shasum.SHA1(body)
	return hex.EncodeToString(sum[:])
}

// Lookup finds a cached script by its SHA1 (any case). It takes the
// command's argument as it is: lowered on the stack, the name costs no
// allocation (EVALSHA looks it up twice per call).
func (e *Eval) Lookup(sha []byte) *Script {
	if len(sha) != 40 {
		return nil
	}
	if e.last != nil && string(sha) == e.last.SHA {
		return e.last
	}
	var lower [40]byte
	for i, c := range sha {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	if e.last != nil && e.last.SHA == string(lower[:]) {
		return e.last
	}
	sc := e.scripts[string(lower[:])]
	if sc != nil {
		e.last = sc
	}
	return sc
}

// Create compiles body and caches it (Redis's luaCreateFunction); a body
// already cached is returned as it is.
func (e *Eval) Create(body []byte) (*Script, error) {
	sha := SHA1Hex(body)
	if sc := e.scripts[sha]; sc != nil {
		return sc, nil
	}
	flags, n, err := ParseShebang(body)
	if err != nil {
		return nil, err
	}
	fn, err := e.vm.compile(body[n:], "user_script")
	if err != nil {
		return nil, errorf("Error compiling script (new function): " + compileError(err))
	}
	sc := &Script{SHA: sha, Body: append([]byte(nil), body...), Flags: flags, fn: fn}
	e.scripts[sha] = sc
	e.mem += int64(len(sha)+len(body)) + 2*16
	return sc, nil
}

// compileError words a compile error as Lua's "user_script:LINE: ...".
func compileError(err error) string {
	msg := err.Error()
	// gopher-lua: "user_script line:3(column:7) near 'x':   syntax error"
	if rest, ok := strings.CutPrefix(msg, "user_script line:"); ok {
		if i := strings.IndexByte(rest, '('); i > 0 {
			line := rest[:i]
			if j := strings.Index(rest, ") "); j > 0 {
				detail := strings.Join(strings.Fields(rest[j+2:]), " ")
				return "user_script:" + line + ": " + detail
			}
		}
	}
	return msg
}

// Run runs a cached script with its KEYS and ARGV, writing its result
// to w. Commands it calls go through host.
func (e *Eval) Run(sc *Script, keys, args [][]byte, host Host, w Writer) {
	v := e.vm
	e.keys = runArray(v, e.keys, "KEYS", keys)
	e.argv = runArray(v, e.argv, "ARGV", args)
	v.call(sc.fn, nil, host, w, sc.SHA)
}

// runArray fills the KEYS or ARGV global of a run. Redis makes new
// tables each run; the last run's are refilled instead when the script
// used nothing but their array part, which makes no difference a script
// could see: nothing of a run outlives it (the globals are read-only and
// a script's main chunk has no upvalues), so a table is new to each run
// either way.
func runArray(v *vm, t *lua.LTable, name string, items [][]byte) *lua.LTable {
	if t != nil && t.ResetArray() {
		for _, it := range items {
			t.AppendArray(v.L.StringValue(lua.LString(it)))
		}
		return t
	}
	t = stringArray(v.L, items)
	v.globals.RawSetString(name, t)
	return t
}

// Flush empties the cache and starts a fresh interpreter (SCRIPT FLUSH).
func (e *Eval) Flush() { e.reset() }

// Len is the number of cached scripts.
func (e *Eval) Len() int { return len(e.scripts) }

// ScriptsMemory is the memory of the cached bodies (used_memory_scripts_eval).
func (e *Eval) ScriptsMemory() int64 { return e.mem }

// VMMemory estimates the interpreter's memory (used_memory_lua):
// Redis's empty Lua state plus the compiled scripts.
func (e *Eval) VMMemory() int64 { return baseVMMemory + 4*e.mem }

// baseVMMemory is what Redis 7.0 reports for a fresh Lua state.
const baseVMMemory = 31744

func stringArray(L *lua.LState, items [][]byte) *lua.LTable {
	t := L.CreateArrayTable(len(items))
	for _, it := range items {
		t.AppendArray(L.StringValue(lua.LString(it)))
	}
	return t
}
