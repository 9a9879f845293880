package engine

import (
	"testing"

	"github.com/goredis-dev/goredis/luabridge"

	"github.com/stretchr/testify/assert"
)

// TestScriptingConversions checks each conversion rule between Lua values
// and replies, and the sandbox, with the exact RESP Redis 7.0 gives.
func TestScriptingConversions(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	sha := func(body string) string { return SHA1ForTest(body) }
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"integer", []string{"EVAL", "return 1", "0"}, ":1\r\n"},
		{"float truncated", []string{"EVAL", "return 3.99", "0"}, ":3\r\n"},
		{"negative float truncated", []string{"EVAL", "return -3.99", "0"}, ":-3\r\n"},
		{"string", []string{"EVAL", "return 'x'", "0"}, "$1\r\nx\r\n"},
		{"true is 1", []string{"EVAL", "return true", "0"}, ":1\r\n"},
		{"false is nil", []string{"EVAL", "return false", "0"}, "$-1\r\n"},
		{"nil is nil", []string{"EVAL", "return nil", "0"}, "$-1\r\n"},
		{"array stops at nil", []string{"EVAL", "return {1,2,nil,4}", "0"}, "*2\r\n:1\r\n:2\r\n"},
		{"nested", []string{"EVAL", "return {1,{2,'a'}}", "0"}, "*2\r\n:1\r\n*2\r\n:2\r\n$1\r\na\r\n"},
		{"status", []string{"EVAL", "return {ok='FINE'}", "0"}, "+FINE\r\n"},
		{"error table", []string{"EVAL", "return {err='MY fail'}", "0"}, "-MY fail\r\n"},
		{"error_reply adds nothing", []string{"EVAL", "return redis.error_reply('MY err')", "0"}, "-MY err\r\n"},
		{"status_reply", []string{"EVAL", "return redis.status_reply('DONE')", "0"}, "+DONE\r\n"},
		// field lookups in loops (the VM's field caches) see every write
		{"field written in a loop", []string{"EVAL", "local t = {a = 0} local s = 0 for i = 1, 5 do s = s + t.a t.a = i end return s", "0"}, ":10\r\n"},
		{"field removed in a loop", []string{"EVAL", "local t = setmetatable({a = 5}, {__index = function() return 100 end}) local s = 0 for i = 1, 3 do s = s + t.a t.a = nil end return s", "0"}, ":205\r\n"},
		{"same code, other tables", []string{"EVAL", "local ts = {{k = 1}, {k = 2}, {k = 3}} local s = 0 for _, t in ipairs(ts) do s = s * 10 + t.k end return s", "0"}, ":123\r\n"},
		{"field in a rebuilt table", []string{"EVAL", "local s = 0 for i = 1, 4 do local t = {v = i} s = s + t.v end return s", "0"}, ":10\r\n"},
		{"keys and argv", []string{"EVAL", "return {KEYS[1], ARGV[1], #KEYS, #ARGV}", "1", "k", "a"}, "*4\r\n$1\r\nk\r\n$1\r\na\r\n:1\r\n:1\r\n"},
		{"call set", []string{"EVAL", "return redis.call('set', KEYS[1], 'v')", "1", "key"}, "+OK\r\n"},
		{"call get", []string{"EVAL", "return redis.call('get', KEYS[1])", "1", "key"}, "$1\r\nv\r\n"},
		{"nil bulk is false", []string{"EVAL", "return redis.call('get', 'nokey') == false", "0"}, ":1\r\n"},
		{"number args %.17g", []string{"EVAL", "redis.call('set', 'n', 0.1); return redis.call('get', 'n')", "0"}, "$19\r\n0.10000000000000001\r\n"},
		{"pcall returns error table", []string{"EVAL", "return redis.pcall('incr', 'key')", "0"}, "-ERR value is not an integer or out of range\r\n"},
		{"call raises", []string{"EVAL", "return redis.call('incr', 'key')", "0"}, "-ERR value is not an integer or out of range script: " + sha("return redis.call('incr', 'key')") + ", on @user_script:1.\r\n"},
		{"unknown command", []string{"EVAL", "return redis.call('nosuch')", "0"}, "-ERR Unknown Redis command called from script script: " + sha("return redis.call('nosuch')") + ", on @user_script:1.\r\n"},
		{"noscript command", []string{"EVAL", "return redis.pcall('eval', 'return 1', '0')", "0"}, "-ERR This Redis command is not allowed from script\r\n"},
		{"wrong arity", []string{"EVAL", "return redis.pcall('get')", "0"}, "-ERR Wrong number of args calling Redis command from script\r\n"},
		{"bad argument type", []string{"EVAL", "return redis.pcall('get', {})", "0"}, "-ERR Lua redis lib command arguments must be strings or integers\r\n"},
		{"read-only script", []string{"EVAL_RO", "return redis.pcall('set', 'a', 'b')", "0"}, "-ERR Write commands are not allowed from read-only scripts.\r\n"},
		{"no-writes flag", []string{"EVAL", "#!lua flags=no-writes\nreturn redis.pcall('set', 'a', 'b')", "0"}, "-ERR Write commands are not allowed from read-only scripts.\r\n"},
		{"write flag on _RO", []string{"EVAL_RO", "#!lua\nreturn 1", "0"}, "-ERR Can not execute a script with write flag using *_ro command.\r\n"},
		{"unknown shebang flag", []string{"EVAL", "#!lua flags=bad\nreturn 1", "0"}, "-ERR Unexpected flag in script shebang: bad\r\n"},
		{"undeclared global read", []string{"EVAL", "return a", "0"}, "-ERR user_script:1: Script attempted to access nonexistent global variable 'a' script: " + sha("return a") + ", on @user_script:1.\r\n"},
		{"global write", []string{"EVAL", "a = 1", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: " + sha("a = 1") + ", on @user_script:1.\r\n"},
		{"redis table read-only", []string{"EVAL", "redis.call = nil", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: " + sha("redis.call = nil") + ", on @user_script:1.\r\n"},
		// The library tables are read-only, not empty proxies: pairs,
		// next and rawget see them as in Redis (redis-server 7.0.15's
		// replies).
		{"pairs sees redis", []string{"EVAL", "local n = 0 for k in pairs(redis) do n = n + 1 end return n", "0"}, ":23\r\n"},
		{"rawget sees globals", []string{"EVAL", "return rawget(_G, 'redis') == redis", "0"}, ":1\r\n"},
		{"table.insert refused", []string{"EVAL", "table.insert(redis, 1)", "0"}, "-ERR Attempt to modify a readonly table script: " + sha("table.insert(redis, 1)") + ", on @user_script:1.\r\n"},
		{"rawset refused", []string{"EVAL", "rawset(_G, 'a', 1)", "0"}, "-ERR Attempt to modify a readonly table script: " + sha("rawset(_G, 'a', 1)") + ", on @user_script:1.\r\n"},
		{"table.remove of nothing", []string{"EVAL", "return table.remove(string)", "0"}, "$-1\r\n"},
		{"metatable read-only", []string{"EVAL", "getmetatable(_G).__index = 1", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: " + sha("getmetatable(_G).__index = 1") + ", on @user_script:1.\r\n"},
		{"KEYS writable", []string{"EVAL", "KEYS[1] = 'x' return KEYS[1]", "1", "k"}, "$1\r\nx\r\n"},
		{"no os", []string{"EVAL", "return os", "0"}, "-ERR user_script:1: Script attempted to access nonexistent global variable 'os' script: " + sha("return os") + ", on @user_script:1.\r\n"},
		{"sha1hex", []string{"EVAL", "return redis.sha1hex('')", "0"}, "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n"},
		{"cjson", []string{"EVAL", "return cjson.encode({1,'a',{b=true}})", "0"}, "$18\r\n[1,\"a\",{\"b\":true}]\r\n"},
		{"cmsgpack double", []string{"EVAL", "local s = cmsgpack.pack(0.1) local h = '' for i = 1, #s do h = h .. string.format('%02x', string.byte(s, i)) end return h", "0"}, "$18\r\ncb3fb999999999999a\r\n"},
		{"bit", []string{"EVAL", "return bit.bor(1,2,4,8,16,32,64,128)", "0"}, ":255\r\n"},
		{"struct", []string{"EVAL", "return {struct.unpack('>I2', struct.pack('>I2', 258))}", "0"}, "*2\r\n:258\r\n:3\r\n"},
		{"numkeys too big", []string{"EVAL", "return 1", "2", "a"}, "-ERR Number of keys can't be greater than number of args\r\n"},
		{"numkeys negative", []string{"EVAL", "return 1", "-1"}, "-ERR Number of keys can't be negative\r\n"},
		{"evalsha unknown", []string{"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"}, "-NOSCRIPT No matching script. Please use EVAL.\r\n"},
		{"evalsha cached", []string{"EVALSHA", sha("return 1"), "0"}, ":1\r\n"},
		{"script exists", []string{"SCRIPT", "EXISTS", sha("return 1"), "ffffffffffffffffffffffffffffffffffffffff"}, "*2\r\n:1\r\n:0\r\n"},
		{"script kill idle", []string{"SCRIPT", "KILL"}, "-NOTBUSY No scripts in execution right now.\r\n"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, c.do(tc.args...), tc.name)
	}
}

// TestScriptCallErrorWords: calling a value that is no function names
// it as Lua 5.1's getobjname does (checked against redis-server 7.0.15).
func TestScriptCallErrorWords(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	cases := []struct{ script, words string }{
		{"local f; f()", "attempt to call local 'f' (a nil value)"},
		{"redis.nofield()", "attempt to call field 'nofield' (a nil value)"},
		{"local t = {} t:meth()", "attempt to call method 'meth' (a nil value)"},
		{"local u; local function g() u() end g()", "attempt to call upvalue 'u' (a nil value)"},
		{"local t = {} t[1]()", "attempt to call field '?' (a nil value)"},
		{"local t = {} local k = 'z' t[k]()", "attempt to call field '?' (a nil value)"},
		{"local x = {} x['y']()", "attempt to call field 'y' (a nil value)"},
		{"string.rep2('a')", "attempt to call field 'rep2' (a nil value)"},
		{"return (function() end)()()", "attempt to call a nil value"},
		{"local f = false; f()", "attempt to call local 'f' (a boolean value)"},
		{"local n = 3; n()", "attempt to call local 'n' (a number value)"},
		// string.dump exists; loadstring refuses its binary chunk (nil)
		{"return loadstring(string.dump(function() return 1 end))()", "attempt to call a nil value"},
		{"return string.dump(1)", "bad argument #1 to 'dump' (function expected, got number)"},
		{"return string.rep('x', 'y')", "bad argument #2 to 'rep' (number expected, got string)"},
		{"return table.concat(1)", "bad argument #1 to 'concat' (table expected, got number)"},
	}
	for _, tc := range cases {
		want := "-ERR user_script:1: " + tc.words + " script: " + SHA1ForTest(tc.script) + ", on @user_script:1.\r\n"
		assert.Equal(t, want, c.do("EVAL", tc.script, "0"), tc.script)
	}
	// A function calling register_function, nil once the library is loaded.
	c.do("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f1', function(keys, args)\n  redis.register_function('f2', function() return 2 end)\n  return 1\nend)")
	assert.Equal(t, "-ERR user_function:3: attempt to call field 'register_function' (a nil value) script: f1, on @user_function:3.\r\n", c.do("FCALL", "f1", "0"))
}

// TestScriptKeysArgvFresh checks that each run of a script sees KEYS
// and ARGV holding its own arguments and nothing a run before left in
// them (the bridge refills the last run's tables when it can), and that a
// function may keep its keys table past the call.
func TestScriptKeysArgvFresh(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	show := "return {#KEYS, #ARGV, tostring(KEYS.extra), tostring(getmetatable(KEYS)), tostring(rawget(ARGV, 5)), KEYS[1] or 'none', ARGV[1] or 'none'}"
	fresh := func(nk, na int, k1, a1 string) string {
		return "*7\r\n:" + itoa(int64(nk)) + "\r\n:" + itoa(int64(na)) + "\r\n$3\r\nnil\r\n$3\r\nnil\r\n$3\r\nnil\r\n" +
			"$" + itoa(int64(len(k1))) + "\r\n" + k1 + "\r\n$" + itoa(int64(len(a1))) + "\r\n" + a1 + "\r\n"
	}
	assert.Equal(t, fresh(2, 1, "k1", "a1"), c.do("EVAL", show, "2", "k1", "k2", "a1"))
	// runs that change their tables in every way a script can
	for _, change := range []string{
		"KEYS[1] = 'x' KEYS[9] = 'y' ARGV[5] = 'z' table.insert(ARGV, 'w')",
		"KEYS.extra = 1",
		"KEYS.extra = 1 KEYS.extra = nil",
		"setmetatable(KEYS, {__index = function() return 'meta' end})",
		"rawset(ARGV, 5, 'r') KEYS[1] = nil KEYS[2] = nil",
		"error('fails halfway')",
	} {
		c.do("EVAL", change, "2", "k1", "k2", "a1", "a2")
		assert.Equal(t, fresh(1, 2, "kk", "aa"), c.do("EVAL", show, "1", "kk", "aa", "ab"), change)
		assert.Equal(t, fresh(0, 0, "none", "none"), c.do("EVAL", show, "0"), change)
	}
	c.do("FUNCTION", "LOAD", "#!lua name=keep\nlocal kept = {}\n"+
		"redis.register_function('keep', function(keys) kept[#kept+1] = keys return #kept end)\n"+
		"redis.register_function('kept', function() local out = {} for i, k in ipairs(kept) do out[i] = k[1] end return out end)")
	c.do("FCALL", "keep", "1", "first")
	c.do("FCALL", "keep", "1", "second")
	assert.Equal(t, "*2\r\n$5\r\nfirst\r\n$6\r\nsecond\r\n", c.do("FCALL", "kept", "0"))
}

// TestScriptingRESP3 checks the RESP3 conversions of redis.setresp(3).
func TestScriptingRESP3(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.do("HELLO", "3")
	c.do("HSET", "h", "f", "v")
	cases := []struct{ script, want string }{
		{"return {map={a=1}}", "%1\r\n$1\r\na\r\n:1\r\n"},
		{"return {set={a=true}}", "~1\r\n$1\r\na\r\n"},
		{"return {double=3.5}", ",3.5\r\n"},
		{"return {big_number='123'}", "(123\r\n"},
		{"redis.setresp(3) return true", "#t\r\n"},
		{"redis.setresp(3) return false", "#f\r\n"},
		{"redis.setresp(3) return redis.call('hgetall', 'h')", "%1\r\n$1\r\nf\r\n$1\r\nv\r\n"},
		{"redis.setresp(3) return redis.call('get', 'nokey') == nil", "#t\r\n"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, c.do("EVAL", tc.script, "0"), tc.script)
	}
}

// TestFunctions checks FUNCTION LOAD, FCALL and the library commands.
func TestFunctions(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	lib := "#!lua name=mylib\nredis.register_function('echo', function(keys, args) return args[1] end)\n" +
		"redis.register_function{function_name='ro', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}"
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"FUNCTION", "LOAD", lib}, "$5\r\nmylib\r\n"},
		{[]string{"FUNCTION", "LOAD", lib}, "-ERR Library 'mylib' already exists\r\n"},
		{[]string{"FCALL", "echo", "0", "hi"}, "$2\r\nhi\r\n"},
		{[]string{"FCALL_RO", "echo", "0", "hi"}, "-ERR Can not execute a script with write flag using *_ro command.\r\n"},
		{[]string{"FCALL_RO", "ro", "1", "nokey"}, "$-1\r\n"},
		{[]string{"FCALL", "nosuch", "0"}, "-ERR Function not found\r\n"},
		{[]string{"FUNCTION", "LOAD", "#!lua name=x\nreturn 1"}, "-ERR No functions registered\r\n"},
		{[]string{"FUNCTION", "LOAD", "return 1"}, "-ERR Missing library metadata\r\n"},
		{[]string{"FUNCTION", "LOAD", "#!lua name=x\nredis.call('ping')"}, "-ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'\r\n"},
		{[]string{"FUNCTION", "STATS"}, "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:2\r\n"},
		{[]string{"FUNCTION", "DELETE", "mylib"}, "+OK\r\n"},
		{[]string{"FUNCTION", "DELETE", "mylib"}, "-ERR Library not found\r\n"},
	}
	for _, st := range steps {
		assert.Equal(t, st.want, c.do(st.args...), st.args)
	}
	// DUMP and RESTORE round trip
	c.do("FUNCTION", "LOAD", lib)
	dump := c.do("FUNCTION", "DUMP")
	payload := dump[len(dump)-2-(len(dump)-len(firstLine(dump))-4) : len(dump)-2]
	assert.Equal(t, "+OK\r\n", c.do("FUNCTION", "FLUSH"))
	assert.Equal(t, "+OK\r\n", c.do("FUNCTION", "RESTORE", payload))
	assert.Equal(t, "$2\r\nhi\r\n", c.do("FCALL", "echo", "0", "hi"))
	assert.Equal(t, "-ERR Library mylib already exists\r\n", c.do("FUNCTION", "RESTORE", payload))
	assert.Equal(t, "+OK\r\n", c.do("FUNCTION", "RESTORE", payload, "REPLACE"))
}

func firstLine(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '\r' && s[i+1] == '\n' {
			return s[:i]
		}
	}
	return s
}

// SHA1ForTest is a script's name.
func SHA1ForTest(body string) string { return luabridge.SHA1Hex([]byte(body)) }

// TestFullSyncReplacesFunctions: a replica's full synchronization empties
// the function libraries with the keys, so the master's payload brings
// its own (Redis's emptyData before readSyncBulkPayload loads).
func TestFullSyncReplacesFunctions(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	assert.Equal(t, "$3\r\nlib\r\n", c.do("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)"))
	ld := e.BeginMasterLoad(0)
	assert.NoError(t, ld.LoadFunction([]byte("#!lua name=master\nredis.register_function('g', function() return 2 end)")))
	ld.End()
	assert.Equal(t, "-ERR Function not found\r\n", c.do("FCALL", "f", "0"))
	assert.Equal(t, ":2\r\n", c.do("FCALL", "g", "0"))
	// A payload that fails to load leaves nothing behind.
	e.DiscardMasterLoad()
	assert.Equal(t, "-ERR Function not found\r\n", c.do("FCALL", "g", "0"))
}
