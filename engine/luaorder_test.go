package engine

import (
	"strings"
	"testing"
)

// luaOrderScripts encode tables whose pairs cjson, cmsgpack and the RESP3
// {map=...} conversion write in Lua 5.1's lua_next order, which the
// luabridge rebuilds (tables grown from {}, and constructors whose keys
// do not collide); replies recorded from redis-server 7.0.15.
var luaOrderScripts = func() []string {
	bodies := []string{
		"return cjson.encode({a=1,b=2,c=3,d=4,e=5})",
		"local t = {} for i=1,20 do t['key'..i] = i end return cjson.encode(t)",
		"local t = {} for i=1,50 do t['k'..i] = i end return cjson.encode(t)",
		"local t = {} for i=50,1,-1 do t['field:'..i] = i end return cjson.encode(t)",
		"local t = {} for i=1,30 do t[tostring(i)] = i end return cjson.encode(t)",
		"local t = {} for i=1,100 do t[i*3] = i end return cjson.encode(t)",
		"local t = {} for i=1,40 do t[i+0.5] = i end return cjson.encode(t)",
		"local t = {1,2,3} t[10]=10 t.z=1 return cjson.encode(t)",
		"local t = {} t.a=1 t.b=2 t.c=3 t.d=4 t.e=5 t.f=6 t.g=7 t.h=8 t.i=9 return cjson.encode(t)",
		"local t = {} for i=1,64 do t['user:'..i..':name'] = 'n'..i end return cjson.encode(t)",
		"local t = {} for i=1,25 do t['m'..i] = i end local s = cmsgpack.pack(t) local h = '' for i = 1, #s do h = h .. string.format('%02x', string.byte(s, i)) end return h",
		// unit/scripting's "cmsgpack can pack and unpack circular references?"
		"local a = {x=nil,y=5} local b = {x=a} a['x'] = b local s = cmsgpack.pack(a) local h = '' for i = 1, #s do h = h .. string.format('%02x', string.byte(s, i)) end return h",
		"local t = {} for i=1,12 do t['f'..i] = i end return {map=t}",
		"local t = {} for i=1,12 do t['s'..i] = true end return {set=t}",
	}
	var out []string
	for _, b := range bodies {
		out = append(out, "EVAL "+strings.ReplaceAll(b, " ", `\s`)+" 0")
	}
	return out
}()

func TestLuaOrderCommands(t *testing.T) {
	runScriptGoldenProto(t, "luaorder", luaOrderScripts, true)
}

func TestLuaOrderDiffRedis(t *testing.T) {
	diffScript(t, true, luaOrderScripts)
}
