// Package luabridge runs Redis scripts: EVAL scripts and FUNCTION
// libraries, in Lua 5.1 as Redis embeds it (through
// github.com/yuin/gopher-lua, pure Go, so it also runs in the browser).
//
// It is the only package that knows Lua. It gives scripts Redis's API
// (redis.call, redis.pcall, redis.error_reply, ...), the libraries Redis
// loads (cjson, cmsgpack, bit, struct besides string, table and math), the
// sandbox (read-only globals and library tables, no os, io, loadfile,
// dofile, require) and the conversions between Lua values and replies
// that Redis documents (src/script_lua.c).
//
// It knows nothing of the keyspace: a run gets a Host, through which
// redis.call runs a command as the script's client and hands back the
// reply in RESP; and a Writer, the caller's typed reply writer, that
// receives the script's result.
//
//	vm := luabridge.NewEval(luabridge.Config{Log: logf})
//	sc, err := vm.Compile(body) // once per body: cached by SHA1
//	vm.Run(sc, host, writer, keys, args)
package luabridge
