package engine

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setScript is deterministic: it runs against the engine with exact
// replies (TestSetCommands) and, with GOREDIS_DIFF_ADDR set, is compared
// with a real redis-server (TestSetDiffRedis).
var setScript = []string{
	"SADD s 3 1 2", "SADD s 2 4", "SMEMBERS s", "SCARD s", "OBJECT ENCODING s",
	"SISMEMBER s 1", "SISMEMBER s 9", "SISMEMBER nokey 1", "SMISMEMBER s 1 9 2", "SMISMEMBER nokey a",
	"SADD s a", "OBJECT ENCODING s", "SREM s a", "OBJECT ENCODING s",
	"SREM s 1 2 3 4 9", "EXISTS s", "SREM nokey a", "SCARD nokey", "SMEMBERS nokey",
	"SET str x", "SADD str a", "SREM str a", "SCARD str", "SMEMBERS str", "SISMEMBER str a", "SMISMEMBER str a",
	"SPOP str", "SRANDMEMBER str", "SSCAN str 0",
	"SADD a 1 2 3 4 5", "SADD b 3 4 5 6 7", "SADD c 5 6 7 8",
	"SINTER a b", "SINTER a b c", "SINTER a nokey", "SINTER nokey str", "SINTER a str",
	"SUNION a b", "SUNION a nokey c", "SUNION str a",
	"SDIFF a b", "SDIFF a b c", "SDIFF nokey a", "SDIFF a nokey", "SDIFF a str",
	"SINTERSTORE d a b", "SMEMBERS d", "OBJECT ENCODING d", "SINTERSTORE d a nokey", "EXISTS d",
	"SUNIONSTORE d a b c", "SMEMBERS d", "SDIFFSTORE d a b", "SMEMBERS d", "SDIFFSTORE d a a", "EXISTS d",
	"SINTERSTORE d a str", "SUNIONSTORE str a", "TYPE str",
	"SINTERCARD 2 a b", "SINTERCARD 2 a b LIMIT 1", "SINTERCARD 2 a b LIMIT 0", "SINTERCARD 1 nokey",
	"SINTERCARD 0 a", "SINTERCARD 3 a b", "SINTERCARD 1 a LIMIT -1", "SINTERCARD 1 a LIMIT x",
	"SINTERCARD 1 a LIMIT", "SINTERCARD 1 a foo", "SINTERCARD x a", "SINTERCARD -1 a",
	"SADD m 1 2 x", "SMOVE m n 1", "SMEMBERS n", "OBJECT ENCODING n", "SMOVE m n x", "OBJECT ENCODING n",
	"SMOVE m n 9", "SMOVE m m 2", "SMOVE m m 9", "SMOVE nokey n 1", "SMOVE m str 2", "SMOVE str m 2", "SMOVE nokey str 1",
	"SMOVE m n 2", "EXISTS m",
	"SPOP nokey", "SPOP nokey 3", "SPOP a -1", "SPOP a x", "SPOP a 0", "SPOP a 1 2",
	"SRANDMEMBER nokey", "SRANDMEMBER nokey 3", "SRANDMEMBER a 0", "SRANDMEMBER a x",
	"SRANDMEMBER a -9223372036854775808", "SRANDMEMBER a 9223372036854775807", "SRANDMEMBER a 5", "SRANDMEMBER a 1 2",
	"SPOP a 5", "EXISTS a",
	"SSCAN b 0", "SSCAN b 0 MATCH 5*", "SSCAN b 0 COUNT 1", "SSCAN b x", "SSCAN b 0 COUNT 0", "SSCAN b 0 COUNT x",
	"SSCAN b 0 TYPE string", "SSCAN b 0 MATCH", "SSCAN b -1", "SSCAN b 18446744073709551615", "SSCAN b 18446744073709551616",
	"SSCAN nokey 0 COUNT 0", "SSCAN nokey x", "SSCAN b ''", "SSCAN b +5",
	"SADD big 1 -5 9223372036854775807 -9223372036854775808 007 1.0", "~SMEMBERS big", "SCARD big", "OBJECT ENCODING big",
}

func TestSetCommands(t *testing.T) {
	runScriptGolden(t, "set", setScript)
}

func TestSetDiffRedis(t *testing.T) {
	diffScript(t, false, setScript)
}

// setResp3Script runs in RESP3; see setScript.
var setResp3Script = []string{
	"SADD s 1 2 3", "SMEMBERS s", "SINTER s", "SUNION s", "SDIFF s", "SMEMBERS nokey", "SPOP nokey 1",
	"SRANDMEMBER nokey 1", "SPOP s 3", "SINTER nokey", "SSCAN nokey 0",
}

func TestSetCommandsResp3(t *testing.T) {
	runScriptGoldenProto(t, "setresp3", setResp3Script, true)
}

func TestSetDiffRedisResp3(t *testing.T) {
	diffScript(t, true, setResp3Script)
}

// encodingOf is what OBJECT ENCODING would answer for key in db 0.
func encodingOf(t *testing.T, e *Engine, key string) string {
	t.Helper()
	_, obj, ok := e.main.dbs[0].rawGet(key)
	require.True(t, ok, "key %s", key)
	require.NotNil(t, obj)
	return obj.encoding()
}

func TestSetEncoding(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("SADD s 1 2 3")
	assert.Equal(t, "intset", encodingOf(t, e, "s"))
	c.line("SADD s a")
	assert.Equal(t, "hashtable", encodingOf(t, e, "s"))
	c.line("SREM s a")
	assert.Equal(t, "hashtable", encodingOf(t, e, "s"), "never back to intset")
	c.line("SADD h x")
	assert.Equal(t, "hashtable", encodingOf(t, e, "h"))
	args := []string{"SADD", "big"}
	for i := 0; i < 512; i++ {
		args = append(args, strconv.Itoa(i))
	}
	c.do(args...)
	assert.Equal(t, "intset", encodingOf(t, e, "big"))
	c.line("SADD big 512")
	assert.Equal(t, "hashtable", encodingOf(t, e, "big"))
	c.line("SINTERSTORE d s s")
	assert.Equal(t, "intset", encodingOf(t, e, "d"), "store results start as intset")
	c.line("SMOVE h n x")
	assert.Equal(t, "hashtable", encodingOf(t, e, "n"))
}

func TestSetRandom(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("SADD s a b c d e f")
	members := map[string]bool{}
	for _, m := range []string{"a", "b", "c", "d", "e", "f"} {
		members[m] = true
	}
	got := c.line("SRANDMEMBER s -20")
	assert.Equal(t, 20, strings.Count(got, "$1\r\n"))
	got = c.line("SRANDMEMBER s 4")
	require.True(t, strings.HasPrefix(got, "*4\r\n"))
	seen := map[string]bool{}
	for _, part := range strings.Split(got, "\r\n")[1:] {
		if part != "" && part[0] != '$' {
			assert.True(t, members[part])
			assert.False(t, seen[part], "distinct")
			seen[part] = true
		}
	}
	got = c.line("SPOP s 2")
	assert.True(t, strings.HasPrefix(got, "*2\r\n"))
	assert.Equal(t, integer(4), c.line("SCARD s"))
	got = c.line("SPOP s")
	assert.True(t, strings.HasPrefix(got, "$1\r\n"))
	assert.Equal(t, integer(3), c.line("SCARD s"))
	c.line("SPOP s 3")
	assert.Equal(t, integer(0), c.line("EXISTS s"))
}

func TestSetScanLarge(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	args := []string{"SADD", "s"}
	for i := 0; i < 5000; i++ {
		args = append(args, "m"+strconv.Itoa(i))
	}
	c.do(args...)
	seen := map[string]int{}
	cursor := "0"
	for {
		_, obj, _ := e.main.dbs[0].rawGet("s")
		cur, _ := strconv.ParseUint(cursor, 10, 64)
		keys, next := obj.(*setObj).scan(cur, 100)
		for _, k := range keys {
			seen[k]++
		}
		if next == 0 {
			break
		}
		cursor = strconv.FormatUint(next, 10)
	}
	assert.Len(t, seen, 5000)
	assert.True(t, strings.HasPrefix(c.line("SSCAN s 0 COUNT 10 MATCH m1*"), "*2\r\n"))
}

func BenchmarkSadd(b *testing.B) {
	e, _ := testEngine(b)
	c := newClient(b, e)
	args := [][]byte{[]byte("SADD"), []byte("s"), nil}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		args[2] = strconv.AppendInt(args[2][:0], int64(i), 10)
		args[2] = append(args[2], 'm')
		c.s.Exec(args)
		c.s.TakeOutput(nil)
	}
}

// TestSmallSetIndex: a hashtable set of up to smallSetMax members has no
// index map and gets one when it grows past that; membership, removal,
// SPOP and an SSCAN that spans the change give the same answers either way.
func TestSmallSetIndex(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	members := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, "m"+strconv.Itoa(i))
		}
		return out
	}
	require.Equal(t, integer(smallSetMax), c.do(append([]string{"SADD", "s"}, members(0, smallSetMax)...)...))
	st := e.main.dbs[0].objs.shards[0]["s"].(*setObj)
	assert.False(t, st.indexed())
	assert.Equal(t, integer(0), c.do("SADD", "s", "m3"))
	assert.Equal(t, integer(1), c.do("SISMEMBER", "s", "m7"))
	assert.Equal(t, integer(0), c.do("SISMEMBER", "s", "m999"))

	// An SSCAN begun on the small set goes on after the index is built:
	// every member present throughout is returned.
	seen := map[string]bool{}
	scan := func(cursor string) string {
		r := c.do("SSCAN", "s", cursor, "COUNT", "5")
		parts := strings.Split(r, "\r\n")
		for i := 5; i < len(parts); i += 2 {
			seen[parts[i]] = true
		}
		return parts[2]
	}
	cursor := scan("0")
	require.NotEqual(t, "0", cursor)
	assert.Equal(t, integer(8), c.do(append([]string{"SADD", "s"}, members(smallSetMax, smallSetMax+8)...)...))
	st = e.main.dbs[0].objs.shards[0]["s"].(*setObj)
	assert.True(t, st.indexed())
	for cursor != "0" {
		cursor = scan(cursor)
	}
	for _, m := range members(0, smallSetMax) {
		assert.True(t, seen[m], m)
	}

	assert.Equal(t, integer(1), c.do("SREM", "s", "m0"))
	assert.Equal(t, integer(0), c.do("SISMEMBER", "s", "m0"))
	assert.Equal(t, integer(smallSetMax+7), c.do("SCARD", "s"))
	assert.Equal(t, integer(1), c.do("SISMEMBER", "s", "m"+strconv.Itoa(smallSetMax+7)))

	// Removal and SPOP in a small set keep positions right.
	c.do("SADD", "t", "a", "b", "c", "d")
	assert.Equal(t, integer(2), c.do("SREM", "t", "a", "c"))
	assert.Equal(t, bulks("b", "d"), c.do("SORT", "t", "ALPHA"))
	assert.Equal(t, "hashtable", strings.Split(c.do("OBJECT", "ENCODING", "t"), "\r\n")[1])
	c.do("SPOP", "t")
	assert.Equal(t, integer(1), c.do("SCARD", "t"))
	assert.Equal(t, integer(1), c.do("COPY", "t", "u"))
	assert.Equal(t, c.do("SMEMBERS", "t"), c.do("SMEMBERS", "u"))
}
