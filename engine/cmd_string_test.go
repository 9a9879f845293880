package engine

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	errWrong   = "-" + errWrongType + "\r\n"
	errInt     = "-" + errNotInt + "\r\n"
	errSyn     = "-" + errSyntax + "\r\n"
	errFloat   = "-" + errNotFloat + "\r\n"
	emptyBulk  = "$0\r\n\r\n"
	resp3Null  = "_\r\n"
	wrongArity = "-ERR wrong number of arguments for '%s' command\r\n"
)

func arity(cmd string) string { return strings.Replace(wrongArity, "%s", cmd, 1) }

// withList stores a non-string value at key directly, so the string tests
// can check WRONGTYPE without depending on another family's commands.
func withList(t *testing.T, c *client, key string) {
	t.Helper()
	c.s.e.mu.Lock()
	c.s.db.setObjRaw(key, &keysTestList{items: []string{"x"}})
	c.s.e.mu.Unlock()
}

func TestStringGetSet(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "GET a", want: nilBulk},
		{cmd: "SET a 1", want: ok},
		{cmd: "GET a", want: bulk("1")},
		{args: []string{"SET", "a", "hello world"}, want: ok},
		{cmd: "GET a", want: bulk("hello world")},
		{cmd: "SET a", want: arity("set")},
		{cmd: "GET", want: arity("get")},
		{cmd: "GET a b", want: arity("get")},
		{args: []string{"SET", "e", ""}, want: ok},
		{cmd: "GET e", want: emptyBulk},
		// NX / XX
		{cmd: "SET a 2 NX", want: nilBulk},
		{cmd: "SET b 2 NX", want: ok},
		{cmd: "SET c 2 XX", want: nilBulk},
		{cmd: "SET b 3 xx", want: ok},
		{cmd: "GET b", want: bulk("3")},
		{cmd: "SET b 3 NX XX", want: errSyn},
		{cmd: "SET b 3 XX NX", want: errSyn},
		{cmd: "SET b 3 NX NX", want: nilBulk},
		// GET
		{cmd: "SET b 4 GET", want: bulk("3")},
		{cmd: "SET new 4 GET", want: nilBulk},
		{cmd: "GET new", want: bulk("4")},
		{cmd: "SET b 5 GET GET", want: bulk("4")},
		{cmd: "SET b 6 NX GET", want: bulk("5")},
		{cmd: "GET b", want: bulk("5")},
		{cmd: "SET nx1 6 NX GET", want: nilBulk},
		{cmd: "GET nx1", want: bulk("6")},
		{cmd: "SET nx2 6 XX GET", want: nilBulk},
		{cmd: "EXISTS nx2", want: integer(0)},
		// expire options
		{cmd: "SET k v EX 100", want: ok},
		{cmd: "TTL k", want: integer(100)},
		{cmd: "SET k v PX 100000", want: ok},
		{cmd: "TTL k", want: integer(100)},
		{cmd: "SET k v EX 10 EX 20", want: ok},
		{cmd: "TTL k", want: integer(20)},
		{cmd: "SET k v2 KEEPTTL", want: ok},
		{cmd: "TTL k", want: integer(20)},
		{cmd: "SET k v3", want: ok},
		{cmd: "TTL k", want: integer(-1)},
		{cmd: "SET k v EXAT 99999999999", want: ok},
		{cmd: "EXPIRETIME k", want: integer(99999999999)},
		{cmd: "SET k v PXAT 99999999999999", want: ok},
		{cmd: "PEXPIRETIME k", want: integer(99999999999999)},
		{cmd: "SET k v EX 10 PX 10", want: errSyn},
		{cmd: "SET k v EX 10 KEEPTTL", want: errSyn},
		{cmd: "SET k v KEEPTTL EX 10", want: errSyn},
		{cmd: "SET k v EXAT 10 PXAT 10", want: errSyn},
		{cmd: "SET k v EX", want: errSyn},
		{cmd: "SET k v PERSIST", want: errSyn},
		{cmd: "SET k v FOO", want: errSyn},
		{cmd: "SET k v EX abc", want: errInt},
		{cmd: "SET k v EX abc FOO", want: errSyn},
		{cmd: "SET k v EX 0", want: errReply("ERR invalid expire time in 'set' command")},
		{cmd: "SET k v EX -5", want: errReply("ERR invalid expire time in 'set' command")},
		{cmd: "SET k v PX 0", want: errReply("ERR invalid expire time in 'set' command")},
		{cmd: "SET k v EXAT 0", want: errReply("ERR invalid expire time in 'set' command")},
		{cmd: "SET k v PXAT -1", want: errReply("ERR invalid expire time in 'set' command")},
		{cmd: "SET k v EX 9223372036854775807", want: errReply("ERR invalid expire time in 'set' command")},
		{cmd: "SET k v PX 9223372036854775807", want: errReply("ERR invalid expire time in 'set' command")},
		{cmd: "SET k v EXAT 9223372036854776", want: errReply("ERR invalid expire time in 'set' command")},
		{cmd: "SET k v EX 92233720368547758", want: errReply("ERR invalid expire time in 'set' command")},
		{cmd: "GET k", want: bulk("v")},
		// the expire error comes before the GET part
		{cmd: "SET k v GET EX 0", want: errReply("ERR invalid expire time in 'set' command")},
	})
}

func TestStringSetWrongType(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	withList(t, c, "l")
	assert.Equal(t, errWrong, c.line("GET l"))
	assert.Equal(t, errWrong, c.line("SET l v GET"))
	assert.Equal(t, errWrong, c.line("SET l v NX GET"))
	assert.Equal(t, nilBulk, c.line("SET l v NX"))
	assert.Equal(t, "+list\r\n", c.line("TYPE l"))
	assert.Equal(t, ok, c.line("SET l v XX"))
	assert.Equal(t, "+string\r\n", c.line("TYPE l"))
	withList(t, c, "l")
	assert.Equal(t, ok, c.line("SET l v"))
	assert.Equal(t, bulk("v"), c.line("GET l"))
	for _, cmd := range []string{"GETSET l x", "GETDEL l", "GETEX l", "APPEND l x", "SETRANGE l 0 x", "GETRANGE l 0 1",
		"SUBSTR l 0 1", "STRLEN l", "INCR l", "DECR l", "INCRBY l 1", "DECRBY l 1", "INCRBYFLOAT l 1"} {
		withList(t, c, "l")
		assert.Equal(t, errWrong, c.line(cmd), cmd)
		assert.Equal(t, "+list\r\n", c.line("TYPE l"), cmd)
	}
	withList(t, c, "l")
	assert.Equal(t, ok, c.line("SET s str"))
	assert.Equal(t, arr(nilBulk, bulk("str"), nilBulk), c.line("MGET l s none"))
	assert.Equal(t, errReply("ERR The specified keys must contain string values"), c.line("LCS l s"))
	assert.Equal(t, errReply("ERR The specified keys must contain string values"), c.line("LCS s l"))
	assert.Equal(t, integer(0), c.line("SETNX l v"))
	assert.Equal(t, integer(0), c.line("MSETNX x 1 l 2"))
	assert.Equal(t, ok, c.line("MSET x 1 l 2"))
	assert.Equal(t, bulk("2"), c.line("GET l"))
	withList(t, c, "l")
	assert.Equal(t, ok, c.line("SETEX l 10 v"))
	assert.Equal(t, bulk("v"), c.line("GET l"))
}

func TestStringResp3(t *testing.T) {
	runProto(t, 3, []step{
		{cmd: "GET a", want: resp3Null},
		{cmd: "SET a 1 NX", want: ok},
		{cmd: "SET a 1 NX", want: resp3Null},
		{cmd: "SET a 2 GET", want: bulk("1")},
		{cmd: "SET b 2 GET", want: resp3Null},
		{cmd: "MGET a nope b", want: arr(bulk("2"), resp3Null, bulk("2"))},
		{cmd: "GETDEL nope", want: resp3Null},
		{cmd: "GETEX nope", want: resp3Null},
		{cmd: "GETSET nope 1", want: resp3Null},
		{cmd: "INCRBYFLOAT f 1.5", want: bulk("1.5")},
		{cmd: "SET x ohmytext", want: ok},
		{cmd: "SET y mynewtext", want: ok},
		{cmd: "LCS x y IDX", want: "%2\r\n" + bulk("matches") + arr(
			arr(arr(integer(4), integer(7)), arr(integer(5), integer(8))),
			arr(arr(integer(2), integer(3)), arr(integer(0), integer(1)))) +
			bulk("len") + integer(6)},
	})
}

func TestStringGetSetDelEx(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "GETSET a 1", want: nilBulk},
		{cmd: "GETSET a 2", want: bulk("1")},
		{cmd: "EXPIRE a 100", want: integer(1)},
		{cmd: "GETSET a 3", want: bulk("2")},
		{cmd: "TTL a", want: integer(-1)},
		{cmd: "GETSET a", want: arity("getset")},
		{cmd: "GETDEL a", want: bulk("3")},
		{cmd: "GETDEL a", want: nilBulk},
		{cmd: "EXISTS a", want: integer(0)},
		{cmd: "GETDEL", want: arity("getdel")},
		// GETEX
		{cmd: "SET k v", want: ok},
		{cmd: "GETEX k", want: bulk("v")},
		{cmd: "TTL k", want: integer(-1)},
		{cmd: "GETEX k EX 100", want: bulk("v")},
		{cmd: "TTL k", want: integer(100)},
		{cmd: "GETEX k PX 50000", want: bulk("v")},
		{cmd: "TTL k", want: integer(50)},
		{cmd: "GETEX k EXAT 99999999999", want: bulk("v")},
		{cmd: "EXPIRETIME k", want: integer(99999999999)},
		{cmd: "GETEX k PXAT 99999999999000", want: bulk("v")},
		{cmd: "EXPIRETIME k", want: integer(99999999999)},
		{cmd: "GETEX k EX 10 EX 20", want: bulk("v")},
		{cmd: "TTL k", want: integer(20)},
		{cmd: "GETEX k PERSIST", want: bulk("v")},
		{cmd: "TTL k", want: integer(-1)},
		{cmd: "GETEX k PERSIST", want: bulk("v")},
		{cmd: "GETEX k PERSIST EX 10", want: errSyn},
		{cmd: "GETEX k EX 10 PERSIST", want: errSyn},
		{cmd: "GETEX k KEEPTTL", want: errSyn},
		{cmd: "GETEX k NX", want: errSyn},
		{cmd: "GETEX k GET", want: errSyn},
		{cmd: "GETEX k EX", want: errSyn},
		{cmd: "GETEX k EX 10 PX 10", want: errSyn},
		{cmd: "GETEX k EX abc", want: errInt},
		{cmd: "GETEX k EX 0", want: errReply("ERR invalid expire time in 'getex' command")},
		{cmd: "GETEX k PX -1", want: errReply("ERR invalid expire time in 'getex' command")},
		{cmd: "GETEX k EX 9223372036854775807", want: errReply("ERR invalid expire time in 'getex' command")},
		// a missing key answers null before the time is checked
		{cmd: "GETEX nope EX 0", want: nilBulk},
		{cmd: "GETEX nope FOO", want: errSyn},
		// an absolute time in the past deletes the key
		{cmd: "GETEX k EXAT 1", want: bulk("v")},
		{cmd: "EXISTS k", want: integer(0)},
		{cmd: "SET k v", want: ok},
		{cmd: "GETEX k PXAT 1", want: bulk("v")},
		{cmd: "EXISTS k", want: integer(0)},
		{cmd: "GETEX", want: arity("getex")},
	})
}

func TestStringSetExNX(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "SETEX k 100 v", want: ok},
		{cmd: "TTL k", want: integer(100)},
		{cmd: "GET k", want: bulk("v")},
		{cmd: "PSETEX k 100000 w", want: ok},
		{cmd: "TTL k", want: integer(100)},
		{cmd: "GET k", want: bulk("w")},
		{cmd: "SETEX k 0 v", want: errReply("ERR invalid expire time in 'setex' command")},
		{cmd: "SETEX k -1 v", want: errReply("ERR invalid expire time in 'setex' command")},
		{cmd: "PSETEX k 0 v", want: errReply("ERR invalid expire time in 'psetex' command")},
		{cmd: "SETEX k abc v", want: errInt},
		{cmd: "PSETEX k 1.5 v", want: errInt},
		{cmd: "SETEX k 9223372036854775807 v", want: errReply("ERR invalid expire time in 'setex' command")},
		{cmd: "SETEX k 10", want: arity("setex")},
		{cmd: "PSETEX k 10", want: arity("psetex")},
		{cmd: "SETNX k x", want: integer(0)},
		{cmd: "SETNX n x", want: integer(1)},
		{cmd: "GET n", want: bulk("x")},
		{cmd: "SETNX n", want: arity("setnx")},
	})
}

func TestStringMultiKey(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "MSET a 1 b 2", want: ok},
		{cmd: "MGET a b c", want: arr(bulk("1"), bulk("2"), nilBulk)},
		{cmd: "MSET a 3 a 4", want: ok},
		{cmd: "GET a", want: bulk("4")},
		{cmd: "MSET a", want: arity("mset")},
		{cmd: "MSET a 1 b", want: arity("mset")},
		{cmd: "MSET", want: arity("mset")},
		{cmd: "MSETNX a 1 c 2", want: integer(0)},
		{cmd: "EXISTS c", want: integer(0)},
		{cmd: "MSETNX c 1 d 2", want: integer(1)},
		{cmd: "MGET c d", want: arr(bulk("1"), bulk("2"))},
		{cmd: "MSETNX e 1 e 2", want: integer(1)},
		{cmd: "GET e", want: bulk("2")},
		{cmd: "MSETNX a 1 b", want: arity("msetnx")},
		{cmd: "MGET", want: arity("mget")},
		{cmd: "EXPIRE a 100", want: integer(1)},
		{cmd: "MSET a 5", want: ok},
		{cmd: "TTL a", want: integer(-1)},
	})
}

func TestStringAppendRange(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "APPEND a hello", want: integer(5)},
		{cmd: "APPEND a world", want: integer(10)},
		{cmd: "GET a", want: bulk("helloworld")},
		{args: []string{"APPEND", "a", ""}, want: integer(10)},
		{args: []string{"APPEND", "e", ""}, want: integer(0)},
		{cmd: "EXISTS e", want: integer(1)},
		{cmd: "EXPIRE a 100", want: integer(1)},
		{cmd: "APPEND a !", want: integer(11)},
		{cmd: "TTL a", want: integer(100)},
		{cmd: "APPEND a", want: arity("append")},
		// STRLEN
		{cmd: "STRLEN a", want: integer(11)},
		{cmd: "STRLEN nope", want: integer(0)},
		{cmd: "STRLEN", want: arity("strlen")},
		// GETRANGE / SUBSTR
		{cmd: "SET s Hello", want: ok},
		{cmd: "GETRANGE s 0 3", want: bulk("Hell")},
		{cmd: "GETRANGE s -3 -1", want: bulk("llo")},
		{cmd: "GETRANGE s 0 -1", want: bulk("Hello")},
		{cmd: "GETRANGE s 0 100", want: bulk("Hello")},
		{cmd: "GETRANGE s -100 2", want: bulk("Hel")},
		{cmd: "GETRANGE s 3 1", want: emptyBulk},
		{cmd: "GETRANGE s -1 -3", want: emptyBulk},
		{cmd: "GETRANGE s 5 10", want: emptyBulk},
		{cmd: "GETRANGE s -100 -90", want: bulk("H")},
		{cmd: "GETRANGE s 4 4", want: bulk("o")},
		{cmd: "GETRANGE nope 0 -1", want: emptyBulk},
		{cmd: "GETRANGE s a 1", want: errInt},
		{cmd: "GETRANGE s 0 b", want: errInt},
		{cmd: "GETRANGE nope a 1", want: errInt},
		{cmd: "GETRANGE s 0", want: arity("getrange")},
		{cmd: "SUBSTR s 1 2", want: bulk("el")},
		{cmd: "SUBSTR s 1", want: arity("substr")},
		{args: []string{"SET", "z", ""}, want: ok},
		{cmd: "GETRANGE z 0 -1", want: emptyBulk},
		// SETRANGE
		{cmd: "SETRANGE s 1 ipp", want: integer(5)},
		{cmd: "GET s", want: bulk("Hippo")},
		{cmd: "SETRANGE s 7 !", want: integer(8)},
		{cmd: "GET s", want: bulk("Hippo\x00\x00!")},
		{cmd: "SETRANGE p 3 x", want: integer(4)},
		{cmd: "GET p", want: bulk("\x00\x00\x00x")},
		{args: []string{"SETRANGE", "p", "10", ""}, want: integer(4)},
		{args: []string{"SETRANGE", "q", "10", ""}, want: integer(0)},
		{cmd: "EXISTS q", want: integer(0)},
		{cmd: "SETRANGE p -1 x", want: errReply(errOffsetRange)},
		{cmd: "SETRANGE p abc x", want: errInt},
		{cmd: "SETRANGE p 536870912 x", want: errReply(errStringTooLong)},
		{cmd: "SETRANGE p 536870911 xx", want: errReply(errStringTooLong)},
		{cmd: "SETRANGE p 9223372036854775807 x", want: errReply(errStringTooLong)},
		{args: []string{"SETRANGE", "p", "536870912", ""}, want: integer(4)},
		{cmd: "EXPIRE p 100", want: integer(1)},
		{cmd: "SETRANGE p 0 y", want: integer(4)},
		{cmd: "TTL p", want: integer(100)},
		{cmd: "SETRANGE p 0", want: arity("setrange")},
	})
}

func TestStringAppendMaxLen(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	require.NoError(t, e.config.set("proto-max-bulk-len", "1mb", false))
	big := strings.Repeat("x", 1024*1024-1)
	assert.Equal(t, ok, c.do("SET", "a", big))
	assert.Equal(t, integer(1024*1024), c.line("APPEND a y"))
	assert.Equal(t, errReply(errStringTooLong), c.line("APPEND a z"))
	assert.Equal(t, integer(1024*1024), c.line("STRLEN a"))
	assert.Equal(t, errReply(errStringTooLong), c.line("SETRANGE b 1048576 z"))
	assert.Equal(t, integer(1024*1024), c.line("SETRANGE b 1048575 z"))
	// A large offset on a fresh key is refused before anything is allocated.
	assert.Equal(t, integer(0), c.line("EXISTS c"))
}

func TestStringIncrDecr(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "INCR n", want: integer(1)},
		{cmd: "INCR n", want: integer(2)},
		{cmd: "DECR n", want: integer(1)},
		{cmd: "DECR x", want: integer(-1)},
		{cmd: "INCRBY n 10", want: integer(11)},
		{cmd: "INCRBY n -20", want: integer(-9)},
		{cmd: "DECRBY n 1", want: integer(-10)},
		{cmd: "DECRBY n -10", want: integer(0)},
		{cmd: "GET n", want: bulk("0")},
		{cmd: "SET n 9223372036854775806", want: ok},
		{cmd: "INCR n", want: integer(9223372036854775807)},
		{cmd: "INCR n", want: errReply(errOverflow)},
		{cmd: "INCRBY n 1", want: errReply(errOverflow)},
		{cmd: "DECRBY n -1", want: errReply(errOverflow)},
		{cmd: "SET n -9223372036854775807", want: ok},
		{cmd: "DECR n", want: integer(-9223372036854775808)},
		{cmd: "DECR n", want: errReply(errOverflow)},
		{cmd: "INCRBY n -1", want: errReply(errOverflow)},
		{cmd: "DECRBY n -9223372036854775808", want: errReply("ERR decrement would overflow")},
		{cmd: "DECRBY z -9223372036854775808", want: errReply("ERR decrement would overflow")},
		{cmd: "INCRBY n 9223372036854775807", want: integer(-1)},
		{cmd: "INCRBY n 9223372036854775808", want: errInt},
		{cmd: "INCRBY n abc", want: errInt},
		{cmd: "INCRBY n 1.5", want: errInt},
		{cmd: "DECRBY n abc", want: errInt},
		{cmd: "SET s abc", want: ok},
		{cmd: "INCR s", want: errInt},
		{cmd: "SET s 1.5", want: ok},
		{cmd: "INCR s", want: errInt},
		{args: []string{"SET", "s", " 1"}, want: ok},
		{cmd: "INCR s", want: errInt},
		{cmd: "SET s 01", want: ok},
		{cmd: "INCR s", want: errInt},
		{cmd: "SET s +1", want: ok},
		{cmd: "INCR s", want: errInt},
		{args: []string{"SET", "s", ""}, want: ok},
		{cmd: "INCR s", want: errInt},
		{cmd: "SET s 99999999999999999999", want: ok},
		{cmd: "INCR s", want: errInt},
		{cmd: "SET t 5 EX 100", want: ok},
		{cmd: "INCR t", want: integer(6)},
		{cmd: "TTL t", want: integer(100)},
		{cmd: "INCR", want: arity("incr")},
		{cmd: "INCRBY n", want: arity("incrby")},
		{cmd: "DECR a b", want: arity("decr")},
		{cmd: "DECRBY n", want: arity("decrby")},
	})
}

func TestStringIncrByFloat(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "INCRBYFLOAT f 10.5", want: bulk("10.5")},
		{cmd: "INCRBYFLOAT f 0.1", want: bulk("10.6")},
		{cmd: "SET g 0.1", want: ok},
		{cmd: "INCRBYFLOAT g 0.2", want: bulk("0.3")},
		{cmd: "INCRBYFLOAT g -0.3", want: bulk("0")},
		{cmd: "SET h 5.0e3", want: ok},
		{cmd: "INCRBYFLOAT h 2.0e2", want: bulk("5200")},
		{cmd: "INCRBYFLOAT h -5200", want: bulk("0")},
		{cmd: "INCRBYFLOAT i 1", want: bulk("1")},
		{cmd: "INCRBYFLOAT i 3.0000000000000000001", want: bulk("4")},
		{cmd: "INCRBYFLOAT j 1e100", want: bulk("9999999999999999999669353532207342619498699019828496079271391541752018669482644324418977840117055488")},
		{cmd: "INCRBYFLOAT h 1.", want: bulk("1")},
		{cmd: "INCRBYFLOAT h .5", want: bulk("1.5")},
		{cmd: "INCRBYFLOAT h +1", want: bulk("2.5")},
		{cmd: "INCRBYFLOAT h 1e-400", want: bulk("2.5")},
		{cmd: "INCRBYFLOAT h 00.5", want: bulk("3")},
		{cmd: "INCRBYFLOAT h 1e+2", want: bulk("103")},
		// strtold reads C99 hexadecimal floats; other prefixes are refused
		{cmd: "INCRBYFLOAT x 0x10", want: bulk("16")},
		{cmd: "INCRBYFLOAT x 0x1.8p1", want: bulk("19")},
		{cmd: "INCRBYFLOAT x -0X1A", want: bulk("-7")},
		{cmd: "INCRBYFLOAT x 0x", want: errFloat},
		{cmd: "INCRBYFLOAT x 0b1", want: errFloat},
		{cmd: "INCRBYFLOAT x 1p4", want: errFloat},
		{cmd: "INCRBYFLOAT x 1_0", want: errFloat},
		{cmd: "INCRBYFLOAT x 1e", want: errFloat},
		{cmd: "INCRBYFLOAT x -", want: errFloat},
		{cmd: "SET hex 0x1e", want: ok},
		{cmd: "INCRBYFLOAT hex 0", want: bulk("30")},
		{cmd: "INCRBYFLOAT i abc", want: errFloat},
		{cmd: "INCRBYFLOAT i inf", want: errReply(errIncrFloatNaN)},
		{cmd: "INCRBYFLOAT i -inf", want: errReply(errIncrFloatNaN)},
		{cmd: "INCRBYFLOAT i nan", want: errFloat},
		{args: []string{"INCRBYFLOAT", "i", " 1"}, want: errFloat},
		{args: []string{"INCRBYFLOAT", "i", ""}, want: errFloat},
		{cmd: "SET s abc", want: ok},
		{cmd: "INCRBYFLOAT s 1", want: errFloat},
		{cmd: "SET t 3 EX 100", want: ok},
		{cmd: "INCRBYFLOAT t 0.5", want: bulk("3.5")},
		{cmd: "TTL t", want: integer(100)},
		{cmd: "INCRBYFLOAT t", want: arity("incrbyfloat")},
	})
}

func TestStringLCS(t *testing.T) {
	m := func(a0, a1, b0, b1 int64, ml ...int64) string {
		items := []string{arr(integer(a0), integer(a1)), arr(integer(b0), integer(b1))}
		for _, l := range ml {
			items = append(items, integer(l))
		}
		return arr(items...)
	}
	runProto(t, 2, []step{
		{cmd: "MSET a ohmytext b mynewtext", want: ok},
		{cmd: "LCS a b", want: bulk("mytext")},
		{cmd: "LCS a b LEN", want: integer(6)},
		{cmd: "LCS a b IDX", want: arr(bulk("matches"), arr(m(4, 7, 5, 8), m(2, 3, 0, 1)), bulk("len"), integer(6))},
		{cmd: "LCS a b IDX MINMATCHLEN 4", want: arr(bulk("matches"), arr(m(4, 7, 5, 8)), bulk("len"), integer(6))},
		{cmd: "LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN", want: arr(bulk("matches"), arr(m(4, 7, 5, 8, 4)), bulk("len"), integer(6))},
		{cmd: "LCS a b IDX WITHMATCHLEN MINMATCHLEN -5", want: arr(bulk("matches"), arr(m(4, 7, 5, 8, 4), m(2, 3, 0, 1, 2)), bulk("len"), integer(6))},
		{cmd: "LCS a b WITHMATCHLEN", want: bulk("mytext")},
		{cmd: "LCS a b LEN MINMATCHLEN 10", want: integer(6)},
		{cmd: "LCS a b LEN IDX", want: errReply("ERR If you want both the length and indexes, please just use IDX.")},
		{cmd: "LCS a b MINMATCHLEN", want: errSyn},
		{cmd: "LCS a b MINMATCHLEN x", want: errInt},
		{cmd: "LCS a b FOO", want: errSyn},
		{cmd: "LCS a nope", want: emptyBulk},
		{cmd: "LCS nope nope2 LEN", want: integer(0)},
		{cmd: "LCS a nope IDX", want: arr(bulk("matches"), arr(), bulk("len"), integer(0))},
		{cmd: "LCS a a", want: bulk("ohmytext")},
		{cmd: "LCS a a IDX", want: arr(bulk("matches"), arr(m(0, 7, 0, 7)), bulk("len"), integer(8))},
		{cmd: "MSET x ABCBDAB y BDCABA", want: ok},
		{cmd: "LCS x y", want: bulk("BDAB")},
		{cmd: "LCS x y IDX WITHMATCHLEN", want: arr(bulk("matches"), arr(m(5, 6, 3, 4, 2), m(3, 4, 0, 1, 2)), bulk("len"), integer(4))},
		{cmd: "LCS a", want: arity("lcs")},
	})
}

func TestStringLCSMemoryLimit(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	require.NoError(t, e.config.set("proto-max-bulk-len", "1mb", false))
	assert.Equal(t, ok, c.do("MSET", "a", strings.Repeat("a", 600), "b", strings.Repeat("a", 600)))
	assert.Equal(t, errReply("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"), c.line("LCS a b LEN"))
	assert.Equal(t, ok, c.do("SET", "b", strings.Repeat("a", 400)))
	assert.Equal(t, integer(400), c.line("LCS a b LEN"))
}

// Writing a string clears the deadline unless the command keeps it, and
// lazy expiry hides (and removes) a key whose deadline passed.
func TestStringExpiryWithClock(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	assert.Equal(t, ok, c.line("SET k v PX 1500"))
	assert.Equal(t, integer(1500), c.line("PTTL k"))
	clk.Advance(1500 * time.Millisecond)
	assert.Equal(t, bulk("v"), c.line("GET k"), "due but not past: still there")
	clk.Advance(time.Millisecond)
	assert.Equal(t, nilBulk, c.line("GET k"))
	assert.Equal(t, 0, e.main.dbs[0].size())
	assert.Empty(t, e.main.dbs[0].expires)
	assert.Equal(t, ok, c.line("SET k v EXAT 1700000010"))
	assert.Equal(t, integer(8), c.line("TTL k"), "8.499s rounds to 8")
	assert.Equal(t, ok, c.line("SET j v PXAT 1699999999999"))
	assert.Equal(t, integer(0), c.line("EXISTS j"))
}

// Repeated APPENDs grow one buffer in place; values that share its memory
// (COPY shares strings) never see later bytes.
func TestStringAppendInPlace(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("APPEND a x")
	c.line("APPEND a y")
	assert.Equal(t, integer(1), c.line("COPY a b"))
	assert.Equal(t, integer(3), c.line("APPEND a z"))
	assert.Equal(t, integer(3), c.line("APPEND b w"))
	assert.Equal(t, bulk("xyz"), c.line("GET a"))
	assert.Equal(t, bulk("xyw"), c.line("GET b"))
	// a value put back from a shared prefix is still safe to extend
	c.line("APPEND c 1")
	c.line("APPEND c 2")
	c.line("COPY c d")
	c.line("DEL c")
	c.line("COPY d c")
	assert.Equal(t, integer(3), c.line("APPEND c 3"))
	assert.Equal(t, integer(3), c.line("APPEND d 4"))
	assert.Equal(t, integer(4), c.line("APPEND c 5"))
	assert.Equal(t, bulk("1235"), c.line("GET c"))
	assert.Equal(t, bulk("124"), c.line("GET d"))
	c.line("SET c 12")
	assert.Equal(t, integer(3), c.line("APPEND c x"))
	assert.Equal(t, bulk("124"), c.line("GET d"))

	// 20,000 appends of 100 bytes copy about the final size, not 20 GB.
	chunk := strings.Repeat("z", 100)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 20000 {
		c.do("APPEND", "log", chunk)
	}
	runtime.ReadMemStats(&after)
	assert.Equal(t, integer(2_000_000), c.line("STRLEN log"))
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(100<<20))
}

// A key stored by SET or EXPIRE must own its bytes: the host reuses its
// request buffers after each command.
func TestStringKeysDoNotAliasRequestBuffers(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	key := []byte("key1")
	for range 2 { // the second SET overwrites an existing entry
		c.s.Exec([][]byte{[]byte("SET"), key, []byte("v")})
		c.s.Exec([][]byte{[]byte("EXPIRE"), key, []byte("100")})
		c.s.Exec([][]byte{[]byte("INCR"), []byte("n")})
	}
	c.s.TakeOutput(nil)
	copy(key, "XXXX")
	assert.Equal(t, bulk("v"), c.line("GET key1"))
	assert.Equal(t, integer(100), c.line("TTL key1"))
	assert.Equal(t, "*0\r\n", c.line("KEYS XXXX"))
}

func TestSetOverwritesOtherTypes(t *testing.T) {
	runSteps(t, []step{
		{cmd: "RPUSH k a", want: integer(1)},
		{cmd: "SET k v", want: ok},
		{cmd: "GET k", want: bulk("v")},
		{cmd: "SADD s a", want: integer(1)},
		{cmd: "SET s v GET", want: errReply(errWrongType)},
		{cmd: "TYPE s", want: "+set\r\n"},
	})
}
