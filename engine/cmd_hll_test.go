package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine/hyperloglog"
)

// hllScript covers the HyperLogLog commands, their errors, the sparse
// opcodes (PFDEBUG DECODE), promotion and corrupt values; replies in
// testdata/hll.golden.json were recorded from Redis 7.0.15.
var hllScript = []string{
	"PFADD h", "PFCOUNT h", "PFDEBUG ENCODING h", "PFDEBUG DECODE h", "STRLEN h",
	"PFADD h a b c d e f g", "PFADD h a", "PFCOUNT h", "PFDEBUG DECODE h", "STRLEN h", "GETRANGE h 0 3",
	"PFADD h2 x y z a", "PFCOUNT h h2", "PFCOUNT h nokey h2", "PFMERGE m h h2", "PFCOUNT m", "PFDEBUG DECODE m",
	"PFMERGE m", "PFCOUNT m", "PFMERGE empty nokey", "PFCOUNT empty", "PFDEBUG DECODE empty",
	"PFADD '' ''", "PFCOUNT ''",
	"SET str hello", "PFADD str a", "PFCOUNT str", "PFCOUNT h str", "PFMERGE h str", "PFMERGE str h", "PFDEBUG ENCODING str",
	"LPUSH l a", "PFADD l a", "PFCOUNT l", "PFCOUNT h l", "PFMERGE h l", "PFDEBUG ENCODING l",
	"PFDEBUG ENCODING nokey", "PFDEBUG FOO h", "PFDEBUG FOO nokey",
	"CONFIG SET hll-sparse-max-bytes 60",
	"PFADD p 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20", "PFDEBUG ENCODING p", "STRLEN p", "PFCOUNT p",
	"PFDEBUG DECODE p", "PFDEBUG TODENSE p", "PFDEBUG TODENSE h", "PFDEBUG ENCODING h", "PFDEBUG DECODE h", "PFCOUNT h",
	"PFMERGE m2 p h2", "PFDEBUG ENCODING m2", "PFCOUNT m2",
	"CONFIG SET hll-sparse-max-bytes 3000",
	"SETRANGE h2 4 \\x02", "PFCOUNT h2", "PFADD h2 q", "SET h3 HYLL", "PFCOUNT h3",
	"PFADD c a", "SETRANGE c 18 zzzz", "PFCOUNT c", "PFADD c aaa bbb", "PFMERGE c2 c", "PFCOUNT c c2", "PFDEBUG DECODE c", "PFDEBUG TODENSE c",
	"PFADD d a", "APPEND d x", "PFCOUNT d", "PFDEBUG TODENSE d",
	"PFADD t 1", "PFDEBUG TODENSE t", "APPEND t x", "PFCOUNT t", "PFADD t 2",
}

func TestHLLCommands(t *testing.T) {
	runScriptGolden(t, "hll", hllScript)
}

func TestHLLDiffRedis(t *testing.T) {
	diffScript(t, false, hllScript)
}

// PFCOUNT caches the estimate in the value's header; PFADD invalidates it.
func TestHLLCachedCardinality(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("PFADD h a b c")
	raw := func() []byte { v, _, _ := e.main.dbs[0].rawGet("h"); return []byte(v) }
	_, valid := hyperloglog.CachedCard(raw())
	assert.False(t, valid)
	assert.Equal(t, integer(3), c.line("PFCOUNT h"))
	card, valid := hyperloglog.CachedCard(raw())
	assert.True(t, valid)
	assert.Equal(t, uint64(3), card)
	c.line("PFADD h d")
	_, valid = hyperloglog.CachedCard(raw())
	assert.False(t, valid)
	assert.Equal(t, integer(4), c.line("PFCOUNT h"))
}

// PFDEBUG GETREG makes the value dense and lists the 16384 registers.
func TestHLLGetreg(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("PFADD h a")
	out := c.line("PFDEBUG GETREG h")
	require.True(t, strings.HasPrefix(out, "*16384\r\n"))
	assert.Equal(t, 16383, strings.Count(out, ":0\r\n"))
	assert.Equal(t, "+dense\r\n", c.line("PFDEBUG ENCODING h"))
}

// Estimates for counts of distinct elements as Redis 7.0.15 gives them
// (PFADD of "0".."n-1" in batches, then PFCOUNT).
func TestHLLEstimatesLikeRedis(t *testing.T) {
	want := map[int]int64{1: 1, 10: 10, 100: 100, 1000: 1001, 10000: 9987, 100000: 99565}
	for n, est := range want {
		e, _ := testEngine(t)
		c := newClient(t, e)
		for lo := 0; lo < n; lo += 1000 {
			args := []string{"PFADD", "h"}
			for i := lo; i < min(lo+1000, n); i++ {
				args = append(args, fmt.Sprint(i))
			}
			c.do(args...)
		}
		assert.Equal(t, integer(est), c.line("PFCOUNT h"), "n=%d", n)
	}
}

// PFADD, PFMERGE and a PFCOUNT that refreshes the cache send "pfadd"
// events (PFCOUNT none).
func TestHLLKeyspaceEvents(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	sub := newClient(t, e)
	c.line("CONFIG SET notify-keyspace-events KEA")
	sub.line("SUBSCRIBE __keyevent@0__:pfadd")
	sub.s.TakeOutput(nil)
	c.line("PFADD h a")
	c.line("PFADD h a")
	c.line("PFCOUNT h")
	c.line("PFMERGE m h")
	out := string(sub.s.TakeOutput(nil))
	assert.Equal(t, 2, strings.Count(out, "__keyevent@0__:pfadd"))
	assert.Contains(t, out, "$1\r\nh\r\n")
	assert.Contains(t, out, "$1\r\nm\r\n")
}
