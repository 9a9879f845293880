package engine

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zsetScript is deterministic; see setScript.
var zsetScript = []string{
	"ZADD z 1 a 2 b 3 c", "ZADD z 0.1 d", "ZRANGE z 0 -1 WITHSCORES", "ZCARD z", "ZCARD nokey",
	"ZSCORE z d", "ZSCORE z nope", "ZSCORE nokey a", "ZMSCORE z a nope d", "ZMSCORE nokey a",
	"ZADD z NX 5 a 5 e", "ZADD z XX 6 a 6 f", "ZADD z CH 7 a 7 g", "ZADD z GT 1 a", "ZADD z GT CH 8 a", "ZADD z LT CH 9 a 0 b",
	"ZADD z INCR 1 a", "ZADD z NX INCR 1 a", "ZADD z XX INCR 1 nope", "ZADD z GT INCR -1 a", "ZADD z INCR NX 1 h",
	"ZRANGE z 0 -1 WITHSCORES", "ZADD nokey XX 1 a", "EXISTS nokey",
	"ZADD z NX XX 1 a", "ZADD z GT LT 1 a", "ZADD z GT NX 1 a", "ZADD z LT NX 1 a", "ZADD z INCR 1 a 2 b", "ZADD z 1 a 2",
	"ZADD z x a", "ZADD z nan a", "ZADD z 1e-400 a", "ZADD z \\s1 a", "ZADD z 1\\s a", "ZADD z '' a", "ZADD z 1_0 a",
	"ZADD z 0x10 hex", "ZADD z 1e400 a", "ZADD z 1e-310 tiny", "ZSCORE z tiny", "ZSCORE z hex", "ZADD z +inf pinf -inf ninf",
	"ZINCRBY z inf pinf", "ZINCRBY z -inf pinf", "ZINCRBY z x a", "ZINCRBY z 2.5 new", "ZINCRBY z 1 a", "ZSCORE z pinf",
	"ZRANGE z 0 -1 WITHSCORES",
	"SET str x", "ZADD str 1 a", "ZSCORE str a", "ZCARD str", "ZRANGE str 0 -1", "ZINCRBY str 1 a", "ZRANK str a", "ZREM str a",
	"DEL z", "ZADD z 1 a 2 b 3 c 4 d 5 e 5 f",
	"ZRANGE z 0 2", "ZRANGE z -2 -1 WITHSCORES", "ZRANGE z 3 1", "ZRANGE z 10 20", "ZRANGE z -100 100", "ZRANGE z 0 1 REV",
	"ZRANGE z 0 -1 LIMIT 0 1", "ZRANGE z 0 -1 LIMIT 0 -1", "ZRANGE z 0 -1 REV REV", "ZRANGE z 0 x", "ZRANGE z 0 1 foo",
	"ZRANGE z (1 5 BYSCORE", "ZRANGE z 1 (5 BYSCORE WITHSCORES", "ZRANGE z -inf +inf BYSCORE LIMIT 1 2",
	"ZRANGE z 5 1 BYSCORE REV", "ZRANGE z (5 -inf BYSCORE REV LIMIT 0 2 WITHSCORES", "ZRANGE z a b BYSCORE",
	"ZRANGE z -inf +inf BYSCORE LIMIT -1 2", "ZRANGE z -inf +inf BYSCORE LIMIT 2 -1", "ZRANGE z -inf +inf BYSCORE LIMIT 2 0",
	"ZRANGE z 0 1 BYSCORE BYLEX", "ZRANGE z (1 (1 BYSCORE", "ZRANGE z 3 2 BYSCORE", "ZRANGE z \\s1 2 BYSCORE", "ZRANGE z nan 2 BYSCORE",
	"ZRANGE z - + BYLEX", "ZRANGE z [b (d BYLEX", "ZRANGE z + - BYLEX REV LIMIT 1 2", "ZRANGE z a b BYLEX", "ZRANGE z - + BYLEX WITHSCORES",
	"ZRANGE z -x + BYLEX", "ZRANGE nokey 0 -1", "ZRANGE nokey a b BYSCORE",
	"ZREVRANGE z 0 1 WITHSCORES", "ZREVRANGE z 0 1 LIMIT 0 1", "ZREVRANGE z 0 1 REV",
	"ZRANGEBYSCORE z 2 4", "ZRANGEBYSCORE z 2 4 WITHSCORES LIMIT 1 1", "ZRANGEBYSCORE z 2 4 REV", "ZRANGEBYSCORE z 2 4 LIMIT 0",
	"ZRANGEBYSCORE z 2 4 LIMIT x 1", "ZRANGEBYSCORE z 0 1 WITHSCORES WITHSCORES", "ZRANGEBYSCORE z 2 4 BYSCORE",
	"ZREVRANGEBYSCORE z 4 2", "ZREVRANGEBYSCORE z 2 4", "ZREVRANGEBYSCORE z +inf (4 WITHSCORES",
	"ZRANGEBYLEX z - +", "ZRANGEBYLEX z (a [c LIMIT 0 1", "ZRANGEBYLEX z - + WITHSCORES", "ZRANGEBYLEX z a b",
	"ZREVRANGEBYLEX z + -", "ZREVRANGEBYLEX z [c -",
	"ZCOUNT z 2 4", "ZCOUNT z (2 (4", "ZCOUNT z -inf +inf", "ZCOUNT z 4 2", "ZCOUNT z a b", "ZCOUNT nokey 0 1", "ZCOUNT z 1e-400 1",
	"ZLEXCOUNT z - +", "ZLEXCOUNT z [b (d", "ZLEXCOUNT z [a (", "ZLEXCOUNT z a b", "ZLEXCOUNT nokey - +",
	"ZRANK z a", "ZRANK z f", "ZRANK z nope", "ZRANK nokey a", "ZREVRANK z a", "ZREVRANK z f", "ZRANK z a WITHSCORE",
	"ZRANGESTORE d z 0 1", "ZRANGE d 0 -1 WITHSCORES", "ZRANGESTORE d z 5 1 BYSCORE REV LIMIT 1 2", "ZRANGE d 0 -1",
	"ZRANGESTORE d z 0 -1 WITHSCORES", "ZRANGESTORE d nokey 0 1", "EXISTS d", "ZRANGESTORE d str 0 1", "ZRANGESTORE str z 0 0", "TYPE str",
	"DEL str", "SET str x",
	"ZREM z a nope", "ZREM z nope", "ZREM nokey a",
	"ZREMRANGEBYRANK z 0 0", "ZREMRANGEBYRANK z x 1", "ZREMRANGEBYRANK z 5 10", "ZREMRANGEBYRANK nokey 0 1",
	"ZREMRANGEBYSCORE z (2 3", "ZREMRANGEBYSCORE z a b", "ZRANGE z 0 -1 WITHSCORES",
	"ZADD l 0 a 0 b 0 c 0 d", "ZREMRANGEBYLEX l [b (d", "ZREMRANGEBYLEX l a b", "ZRANGE l 0 -1", "ZREMRANGEBYLEX l - +", "EXISTS l",
	"DEL z", "ZADD z 1 a 2 b 3 c 4 d",
	"ZPOPMIN z", "ZPOPMAX z", "ZPOPMIN z 0", "ZPOPMIN z -1", "ZPOPMIN z x", "ZPOPMIN z 1 2", "ZPOPMIN nokey", "ZPOPMIN nokey 2",
	"ZPOPMIN str", "ZPOPMIN str 0", "ZPOPMAX z 10", "EXISTS z",
	"ZADD z 1 a 2 b 3 c 4 d", "ZADD y 10 x",
	"ZMPOP 1 z MIN", "ZMPOP 2 nokey z MAX COUNT 2", "ZMPOP 1 nokey MIN", "ZMPOP 0 z MIN", "ZMPOP x z MIN", "ZMPOP 1 z foo",
	"ZMPOP 1 z MIN COUNT 0", "ZMPOP 1 z MIN COUNT x", "ZMPOP 2 z MIN", "ZMPOP 1 z MIN COUNT 1 COUNT 2", "ZMPOP 1 z MIN COUNT x COUNT 2",
	"ZMPOP 1 z MIN COUNT", "ZMPOP 1 str MIN", "ZMPOP 2 z y MAX COUNT 10", "ZMPOP 1 y MAX",
	"ZADD z 7 q", "BZPOPMIN y z 0", "BZPOPMIN z x", "BZPOPMIN z -1", "BZMPOP x 1 z MIN", "BZMPOP 0 0 z MIN", "ZADD y 1 a 2 b", "BZMPOP 0 1 y MAX", "BZMPOP 0 1 y MAX COUNT 0",
	"ZADD z 1 a 2 b 3 c", "ZRANDMEMBER z 3", "ZRANDMEMBER z 5 WITHSCORES", "ZRANDMEMBER z 0", "ZRANDMEMBER nokey", "ZRANDMEMBER nokey 2",
	"ZRANDMEMBER z x", "ZRANDMEMBER z 1 withscores foo", "ZRANDMEMBER z 1 foo", "ZRANDMEMBER z -9223372036854775808",
	"ZRANDMEMBER z -4611686018427387904 WITHSCORES", "~ZRANDMEMBER z", "~ZRANDMEMBER z -5", "~ZRANDMEMBER z 2", "ZRANDMEMBER str",
	"DEL z y", "ZADD z 1 a 2 b 3 c", "ZADD y 10 b 20 c 30 d", "SADD s c d e",
	"ZUNION 2 z y", "ZUNION 2 z y WITHSCORES", "ZUNION 2 z y WEIGHTS 2 0.5 WITHSCORES", "ZUNION 2 z y AGGREGATE MIN WITHSCORES",
	"ZUNION 2 z y AGGREGATE MAX WITHSCORES", "ZUNION 3 z y s WITHSCORES", "ZUNION 2 z nokey WITHSCORES", "ZUNION 2 z str",
	"ZINTER 2 z y WITHSCORES", "ZINTER 2 z y WEIGHTS 1 -1", "ZINTER 3 z y s WITHSCORES", "ZINTER 2 z nokey",
	"ZDIFF 2 z y WITHSCORES", "ZDIFF 2 y s", "ZDIFF 1 nokey", "ZDIFF 2 z y WEIGHTS 1 1",
	"ZUNION 0 z", "ZUNION x z", "ZUNION 3 z y", "ZUNION 1 z WEIGHTS x", "ZUNION 1 z WEIGHTS 1 2", "ZUNION 1 z AGGREGATE foo",
	"ZUNION 1 z AGGREGATE", "ZUNION 1 z WITHSCORES WITHSCORES", "ZUNION 2 z y WEIGHTS inf 0 WITHSCORES",
	"ZUNION 2 z y WEIGHTS inf -inf WITHSCORES", "ZINTER 2 z y WEIGHTS inf -inf AGGREGATE SUM WITHSCORES",
	"ZUNIONSTORE d 2 z y", "ZRANGE d 0 -1 WITHSCORES", "ZINTERSTORE d 2 z y AGGREGATE MAX", "ZRANGE d 0 -1 WITHSCORES",
	"ZDIFFSTORE d 2 z y", "ZRANGE d 0 -1 WITHSCORES", "ZDIFFSTORE d 2 z z", "EXISTS d", "ZUNIONSTORE d 1 z WITHSCORES",
	"ZUNIONSTORE d 0 z", "ZINTERSTORE d 2 z str", "ZUNIONSTORE str 1 z", "TYPE str", "DEL str", "SET str x",
	"ZINTERCARD 2 z y", "ZINTERCARD 2 z y LIMIT 1", "ZINTERCARD 2 z y LIMIT 0", "ZINTERCARD 0 z", "ZINTERCARD 3 z y",
	"ZINTERCARD 1 z LIMIT -1", "ZINTERCARD x z", "ZINTERCARD 1 z WITHSCORES", "ZINTERCARD 1 z LIMIT", "ZINTERCARD 2 z s",
	"ZSCAN z 0", "ZSCAN z 0 MATCH a*", "ZSCAN z x", "ZSCAN z 0 COUNT 0", "ZSCAN nokey 0", "ZSCAN str 0",
	"ZADD f 0.1 a 1.5 b 1e20 c 123456789012345678 d -0 e 3.0 g", "ZRANGE f 0 -1 WITHSCORES", "ZSCAN f 0", "ZSCORE f e",
	"ZADD z2 -0 a 1e-7 d 1.5e-5 e 12345678.25 f 4611686018427387904 g 4611686018427387903 h", "ZSCAN z2 0", "ZSCORE z2 a",
	"ZADD e 0 a", "ZADD e 0 b", "ZRANGE e 0 -1 WITHSCORES", "ZINCRBY e -0 a", "ZSCORE e a",
	"ZADD one 1.5 x", "ZRANDMEMBER one -2 WITHSCORES", "ZRANDMEMBER one -2", "SADD sone x", "SRANDMEMBER sone -2",
}

func TestZsetCommands(t *testing.T) {
	runScriptGolden(t, "zset", zsetScript)
}

func TestZsetDiffRedis(t *testing.T) {
	diffScript(t, false, zsetScript)
}

// zsetResp3Script runs in RESP3; see setScript.
var zsetResp3Script = []string{
	"ZADD z 1 a 2 b 0.1 c", "ZRANGE z 0 -1 WITHSCORES", "ZRANGE z 0 -1", "ZSCORE z c", "ZMSCORE z a x", "ZSCORE z nope",
	"ZINCRBY z 1 a", "ZPOPMIN z", "ZPOPMIN z 1", "ZPOPMAX z 0", "ZPOPMIN nokey", "ZPOPMIN nokey 2",
	"ZADD z 1 a 2 b", "ZUNION 1 z WITHSCORES", "ZINTER 1 z WITHSCORES", "ZDIFF 1 z WITHSCORES", "ZSCAN z 0", "ZRANK z a",
	"ZRANK nokey a", "ZADD z INCR 1 a", "ZADD z NX INCR 1 a", "BZPOPMIN z 0", "ZMPOP 1 z MIN", "ZMPOP 1 z MIN COUNT 5",
	"ZMPOP 1 nokey MIN", "ZADD z 1 a 2 b", "ZRANGEBYSCORE z -inf inf WITHSCORES", "ZREVRANGE z 0 -1 WITHSCORES",
	"ZRANDMEMBER z 5 WITHSCORES", "ZRANDMEMBER nokey 2", "ZRANDMEMBER nokey", "ZRANGESTORE x nokey 0 1",
	"BZMPOP 0 1 z MAX COUNT 5", "ZADD z 1 a", "BZPOPMAX z 0",
	"ZADD one 1.5 x", "ZRANDMEMBER one -2 WITHSCORES", "ZRANDMEMBER one -2",
}

func TestZsetCommandsResp3(t *testing.T) {
	runScriptGoldenProto(t, "zsetresp3", zsetResp3Script, true)
}

func TestZsetDiffRedisResp3(t *testing.T) {
	diffScript(t, true, zsetResp3Script)
}

func TestZsetBlockingPops(t *testing.T) {
	e, clk := testEngine(t)
	a, b := newClient(t, e), newClient(t, e)

	// served by a later ZADD from another session
	assert.Equal(t, "", a.line("BZPOPMIN z1 z2 0"))
	require.True(t, a.s.Blocked())
	assert.Equal(t, integer(2), b.line("ZADD z2 5 x 6 y"))
	assert.False(t, a.s.Blocked())
	assert.Equal(t, arr(bulk("z2"), bulk("x"), bulk("5")), string(a.s.TakeOutput(nil)))
	assert.Equal(t, arr(bulk("y"), bulk("6")), b.line("ZRANGE z2 0 -1 WITHSCORES"))

	// BZPOPMAX with a timeout that expires
	assert.Equal(t, "", a.line("BZPOPMAX nokey 1.5"))
	clk.Advance(1 * time.Second)
	a.s.CheckTimeout()
	assert.True(t, a.s.Blocked())
	clk.Advance(600 * time.Millisecond)
	a.s.CheckTimeout()
	assert.False(t, a.s.Blocked())
	assert.Equal(t, nilArr, string(a.s.TakeOutput(nil)))

	// BZMPOP with COUNT, served by ZADD; the emptied key is deleted
	assert.Equal(t, "", a.line("BZMPOP 0 2 k1 k2 MAX COUNT 10"))
	b.line("ZADD k2 1 p 2 q")
	assert.Equal(t, arr(bulk("k2"), arr(arr(bulk("q"), bulk("2")), arr(bulk("p"), bulk("1")))), string(a.s.TakeOutput(nil)))
	assert.Equal(t, integer(0), b.line("EXISTS k2"))

	// two waiters: the first one is served first
	c := newClient(t, e)
	a.line("BZPOPMIN w 0")
	c.line("BZPOPMIN w 0")
	b.line("ZADD w 1 one")
	assert.Equal(t, arr(bulk("w"), bulk("one"), bulk("1")), string(a.s.TakeOutput(nil)))
	assert.True(t, c.s.Blocked())
	b.line("ZADD w 2 two")
	assert.Equal(t, arr(bulk("w"), bulk("two"), bulk("2")), string(c.s.TakeOutput(nil)))

	// RESP3: the score is a double
	c.line("HELLO 3")
	c.line("BZPOPMIN r 0")
	b.line("ZADD r 0.5 m")
	assert.Equal(t, "*3\r\n$1\r\nr\r\n$1\r\nm\r\n,0.5\r\n", string(c.s.TakeOutput(nil)))
	c.line("BZMPOP 0.01 1 r MIN")
	clk.Advance(20 * time.Millisecond)
	c.s.CheckTimeout()
	assert.Equal(t, "_\r\n", string(c.s.TakeOutput(nil)))
}

func TestZsetBlockedKeyOfAnotherType(t *testing.T) {
	e, _ := testEngine(t)
	a, b := newClient(t, e), newClient(t, e)
	assert.Equal(t, "", a.line("BZPOPMIN k 0"))
	b.line("SADD k x")
	assert.True(t, a.s.Blocked(), "a set does not serve BZPOPMIN")
	b.line("DEL k")
	b.line("ZADD k 1 m")
	assert.Equal(t, arr(bulk("k"), bulk("m"), bulk("1")), string(a.s.TakeOutput(nil)))
	b.line("SADD s x")
	assert.Equal(t, errReply(errWrongType), a.line("BZPOPMIN s 0"))
	assert.Equal(t, errReply(errWrongType), a.line("BZMPOP 0 1 s MIN"))
}

func TestZsetBlockingInMulti(t *testing.T) {
	e, _ := testEngine(t)
	a := newClient(t, e)
	a.line("MULTI")
	a.line("BZPOPMIN z 0")
	a.line("BZMPOP 0 1 z MIN")
	assert.Equal(t, arr(nilArr, nilArr), a.line("EXEC"))
}

func TestZsetEncodingCommands(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	args := []string{"ZADD", "z"}
	for i := 0; i < 128; i++ {
		args = append(args, strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	c.do(args...)
	assert.Equal(t, "listpack", encodingOf(t, e, "z"))
	c.line("ZADD z 1000 one-more")
	assert.Equal(t, "skiplist", encodingOf(t, e, "z"))
	c.line("ZRANGESTORE d z 0 9")
	assert.Equal(t, "listpack", encodingOf(t, e, "d"))
	c.line("ZUNIONSTORE u 1 z")
	assert.Equal(t, "skiplist", encodingOf(t, e, "u"))
	c.do("ZADD", "long", "1", strings.Repeat("x", 65))
	assert.Equal(t, "skiplist", encodingOf(t, e, "long"))
	c.do("ZADD", "short", "1", "x")
	c.do("ZADD", "short", "2", strings.Repeat("x", 65))
	assert.Equal(t, "skiplist", encodingOf(t, e, "short"))
}

// TestZsetLargeRanks runs range queries on a skiplist zset big enough to
// have many levels.
func TestZsetLargeRanks(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	args := []string{"ZADD", "z"}
	for i := 0; i < 20000; i++ {
		args = append(args, strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	c.do(args...)
	assert.Equal(t, integer(12345), c.line("ZRANK z m12345"))
	assert.Equal(t, integer(20000-1-12345), c.line("ZREVRANK z m12345"))
	assert.Equal(t, bulks("m100", "m101"), c.line("ZRANGE z 100 101"))
	assert.Equal(t, bulks("m19999"), c.line("ZRANGE z -1 -1"))
	assert.Equal(t, bulks("m501", "m502"), c.line("ZRANGE z (500 +inf BYSCORE LIMIT 0 2"))
	assert.Equal(t, bulks("m499", "m498"), c.line("ZRANGE z (500 -inf BYSCORE REV LIMIT 0 2"))
	assert.Equal(t, integer(1000), c.line("ZCOUNT z 1000 (2000"))
	assert.Equal(t, integer(1000), c.line("ZREMRANGEBYSCORE z 1000 (2000"))
	assert.Equal(t, integer(1000), c.line("ZRANK z m2000"))
	assert.Equal(t, integer(10), c.line("ZREMRANGEBYRANK z 0 9"))
	assert.Equal(t, bulks("m10", "10", "m11", "11"), c.line("ZPOPMIN z 2"))
	seen := map[string]bool{}
	cursor := "0"
	for {
		reply := c.do("ZSCAN", "z", cursor, "COUNT", "500")
		parts := strings.Split(reply, "\r\n")
		cursor = parts[2]
		for i := 5; i+2 < len(parts); i += 4 {
			seen[parts[i]] = true
		}
		if cursor == "0" {
			break
		}
	}
	assert.Equal(t, 20000-1000-10-2, len(seen))
}

func BenchmarkZadd(b *testing.B) {
	e, _ := testEngine(b)
	c := newClient(b, e)
	args := [][]byte{[]byte("ZADD"), []byte("z"), nil, nil}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		args[2] = strconv.AppendInt(args[2][:0], int64(i*7919%1000003), 10)
		args[3] = append(strconv.AppendInt(args[3][:0], int64(i), 10), 'm')
		c.s.Exec(args)
		c.s.TakeOutput(nil)
	}
}

// BenchmarkZrank1M measures ZRANK on a 1M-member skiplist zset.
func BenchmarkZrank1M(b *testing.B) {
	e, _ := testEngine(b)
	c := newClient(b, e)
	const n = 1_000_000
	args := [][]byte{[]byte("ZADD"), []byte("z"), nil, nil}
	for i := 0; i < n; i++ {
		args[2] = strconv.AppendInt(args[2][:0], int64(i), 10)
		args[3] = strconv.AppendInt(args[3][:0], int64(i), 10)
		c.s.Exec(args)
		c.s.TakeOutput(nil)
	}
	q := [][]byte{[]byte("ZRANK"), []byte("z"), nil}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q[2] = strconv.AppendInt(q[2][:0], int64(i*7919%n), 10)
		c.s.Exec(q)
		c.s.TakeOutput(nil)
	}
}

func TestSetZsetCopy(t *testing.T) {
	runSteps(t, []step{
		{cmd: "SADD s 1 2", want: integer(2)},
		{cmd: "COPY s s2", want: integer(1)},
		{cmd: "SADD s2 3", want: integer(1)},
		{cmd: "SMEMBERS s", want: bulks("1", "2")},
		{cmd: "SMEMBERS s2", want: bulks("1", "2", "3")},
		{cmd: "SADD h a", want: integer(1)},
		{cmd: "COPY h h2", want: integer(1)},
		{cmd: "SREM h a", want: integer(1)},
		{cmd: "SMEMBERS h2", want: bulks("a")},
		{cmd: "ZADD z 1 a 2 b", want: integer(2)},
		{cmd: "COPY z z2", want: integer(1)},
		{cmd: "ZINCRBY z2 5 a", want: bulk("6")},
		{cmd: "ZRANGE z 0 -1 WITHSCORES", want: bulks("a", "1", "b", "2")},
		{cmd: "ZRANGE z2 0 -1 WITHSCORES", want: bulks("b", "2", "a", "6")},
	})
	e, _ := testEngine(t)
	c := newClient(t, e)
	args := []string{"ZADD", "big"}
	for i := 0; i < 300; i++ {
		args = append(args, strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	c.do(args...)
	assert.Equal(t, integer(1), c.line("COPY big big2"))
	assert.Equal(t, "skiplist", encodingOf(t, e, "big2"))
	c.line("ZREM big m5")
	assert.Equal(t, integer(5), c.line("ZRANK big2 m5"))
	assert.Equal(t, integer(300), c.line("ZCARD big2"))
}

// BenchmarkZaddRandom100k is redis-benchmark's ZADD row at its steady
// state: a random score for one of 100k members, most of them present, so
// most calls move a member in a 100k-node skiplist.
func BenchmarkZaddRandom100k(b *testing.B) {
	e, _ := testEngine(b)
	c := newClient(b, e)
	const n = 100_000
	rng := uint64(1)
	next := func() int64 {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return int64(rng % n)
	}
	args := [][]byte{[]byte("ZADD"), []byte("myzset"), nil, nil}
	zadd := func() {
		args[2] = strconv.AppendInt(args[2][:0], next(), 10)
		args[3] = strconv.AppendInt(append(args[3][:0], "element:"...), next(), 10)
		c.s.Exec(args)
		c.s.TakeOutput(nil)
	}
	for range 3 * n {
		zadd()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		zadd()
	}
}

// BenchmarkZincrbyInPlace100k nudges scores of a 100k-member zset by less
// than the gap to their neighbours, so each update keeps the member's
// place: Redis's in-place case, which needs no skiplist search here.
func BenchmarkZincrbyInPlace100k(b *testing.B) {
	e, _ := testEngine(b)
	c := newClient(b, e)
	const n = 100_000
	args := [][]byte{[]byte("ZADD"), []byte("z"), nil, nil}
	for i := 0; i < n; i++ {
		args[2] = strconv.AppendInt(args[2][:0], int64(i)*1_000_000, 10)
		args[3] = strconv.AppendInt(append(args[3][:0], "element:"...), int64(i), 10)
		c.s.Exec(args)
		c.s.TakeOutput(nil)
	}
	incr := [][]byte{[]byte("ZINCRBY"), []byte("z"), []byte("1"), nil}
	var out []byte
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		incr[3] = strconv.AppendInt(append(incr[3][:0], "element:"...), int64(i*7919%n), 10)
		c.s.Exec(incr)
		out = c.s.TakeOutput(out)
		i++
	}
}
