package engine

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// limitAbove sets maxmemory to the current used memory plus extra bytes.
func limitAbove(t *testing.T, c *client, extra int64) {
	t.Helper()
	used := c.s.e.usedMemoryLocked()
	require.Equal(t, "+OK\r\n", c.line("CONFIG SET maxmemory "+strconv.FormatInt(used+extra, 10)))
}

var oom = errReply(errOOM)

func TestOOMNoEviction(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("SET keep v")
	limitAbove(t, c, 1000)
	big := strings.Repeat("x", 5000)
	assert.Equal(t, "+OK\r\n", c.line("SET a "+big), "under the limit before it")
	// Now over: denyoom commands are refused, others run.
	for _, cmd := range []string{"SET b v", "LPUSH l x", "HSET h f v", "SADD s m", "ZADD z 1 m", "APPEND a x", "INCR n", "SETRANGE a 0 x", "PFADD p x", "RESTORE r 0 x"} {
		assert.Equal(t, oom, c.line(cmd), cmd)
	}
	assert.Equal(t, bulk("v"), c.line("GET keep"))
	assert.Equal(t, integer(1), c.line("EXPIRE keep 100"), "not denyoom")
	assert.Equal(t, integer(0), c.line("EXISTS b"))
	assert.Equal(t, integer(1), c.line("DEL a"), "DEL frees memory")
	assert.Equal(t, "+OK\r\n", c.line("SET b v"))
	assert.Contains(t, c.line("INFO stats"), "\r\nevicted_keys:0\r\n")
	assert.Contains(t, c.line("INFO memory"), "\r\nmaxmemory_policy:noeviction\r\n")
}

// TestOOMInMulti: under the limit nothing changes; over it, queuing
// anything but EXEC/DISCARD/QUIT/RESET is refused and aborts the
// transaction, and an EXEC of queued denyoom commands is refused.
func TestOOMInMulti(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	limitAbove(t, c, 100000)
	assert.Equal(t, "+OK\r\n", c.line("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", c.line("SET a "+strings.Repeat("x", 5000)))
	assert.Equal(t, "+QUEUED\r\n", c.line("SET b v"))
	// Over the limit, an EXEC of denyoom commands is refused, and the
	// transaction discarded (Redis's execCommandAbort).
	limitAbove(t, newClient(t, e), -100000)
	assert.Equal(t, errReply("EXECABORT Transaction discarded because of: "+errOOM), c.line("EXEC"))
	assert.Equal(t, integer(0), c.line("EXISTS a"))
	assert.Equal(t, "+OK\r\n", c.line("MULTI"))
	assert.Equal(t, oom, c.line("GET a"), "in MULTI every command is refused")
	assert.Equal(t, errReply(errExecAbort), c.line("EXEC"))
	assert.Equal(t, "+OK\r\n", c.line("MULTI"))
	assert.Equal(t, "+OK\r\n", c.line("DISCARD"))
}

func TestOOMVolatileWithoutVolatileKeys(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	for i := 0; i < 50; i++ {
		c.line("SET k" + strconv.Itoa(i) + " " + strings.Repeat("x", 1000))
	}
	for _, p := range []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		c.line("CONFIG SET maxmemory-policy " + p)
		limitAbove(t, c, -10000)
		assert.Equal(t, oom, c.line("SET more v"), p)
		assert.Equal(t, integer(50), c.line("DBSIZE"), p)
		c.line("CONFIG SET maxmemory 0")
	}
}

// fill writes keys of 1000 bytes until maxmemory makes the policy evict.
func fill(c *client, prefix string, n int, ex bool) {
	for i := 0; i < n; i++ {
		cmd := "SET " + prefix + strconv.Itoa(i) + " " + strings.Repeat("x", 1000)
		if ex {
			cmd += " EX " + strconv.Itoa(1000+i)
		}
		c.line(cmd)
	}
}

func TestEvictionKeepsMemoryUnderLimit(t *testing.T) {
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			e, _ := testEngine(t)
			c := newClient(t, e)
			c.line("CONFIG SET maxmemory-policy " + policy)
			limitAbove(t, c, 200*1100)
			volatile := strings.HasPrefix(policy, "volatile")
			fill(c, "k", 1000, volatile)
			for i := 0; i < 100; i++ {
				// keys without a deadline are never evicted by volatile-*
				c.line("SET persistent" + strconv.Itoa(i) + " v")
			}
			limit := e.config.mm.maxmemory
			assert.LessOrEqual(t, uint64(e.usedMemoryLocked()), limit+2000, "at most one write over")
			n := dbsize(c)
			assert.Less(t, n, int64(400))
			assert.Greater(t, n, int64(100))
			info := c.line("INFO stats")
			assert.Contains(t, info, "\r\nevicted_keys:"+strconv.FormatInt(1100-n, 10)+"\r\n")
			if volatile {
				for i := 0; i < 100; i++ {
					assert.Equal(t, bulk("v"), c.line("GET persistent"+strconv.Itoa(i)))
				}
			}
		})
	}
}

func dbsize(c *client) int64 {
	out := c.line("DBSIZE")
	n, _ := strconv.ParseInt(strings.TrimSpace(out[1:]), 10, 64)
	return n
}

// TestEvictionLRUKeepsRecentKeys: with access times spread over minutes,
// the sampled LRU evicts old keys and keeps the recently read ones.
func TestEvictionLRUKeepsRecentKeys(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	c.line("CONFIG SET maxmemory-policy allkeys-lru")
	c.line("CONFIG SET maxmemory-samples 10")
	fill(c, "k", 500, false)
	clk.Advance(100 * time.Second)
	for i := 0; i < 100; i++ {
		c.line("GET k" + strconv.Itoa(i)) // recent reads
	}
	clk.Advance(time.Second)
	limitAbove(t, c, 0)
	fill(c, "new", 200, false)
	kept := 0
	for i := 0; i < 100; i++ {
		if c.line("EXISTS k"+strconv.Itoa(i)) == integer(1) {
			kept++
		}
	}
	assert.Greater(t, kept, 90, "recently read keys survive")
	oldKept := 0
	for i := 100; i < 500; i++ {
		if c.line("EXISTS k"+strconv.Itoa(i)) == integer(1) {
			oldKept++
		}
	}
	assert.Less(t, oldKept, 250, "old keys go first")
}

func TestEvictionVolatileTTLEvictsSoonestFirst(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("CONFIG SET maxmemory-policy volatile-ttl")
	c.line("CONFIG SET maxmemory-samples 10")
	fill(c, "k", 300, true) // k0 expires first
	limitAbove(t, c, 0)
	fill(c, "new", 100, false)
	count := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			if c.line("EXISTS k"+strconv.Itoa(i)) == integer(1) {
				n++
			}
		}
		return n
	}
	soon, late := count(0, 100), count(200, 300)
	t.Logf("kept: %d of the 100 soonest to expire, %d of the 100 latest", soon, late)
	assert.Greater(t, late, 95)
	assert.Less(t, soon, 60)
}

func TestLFUCounters(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	c.line("CONFIG SET maxmemory-policy allkeys-lfu")
	c.line("CONFIG SET lfu-log-factor 0") // every access counts
	c.line("SET k v")
	assert.Equal(t, integer(5), c.line("OBJECT FREQ k"))
	for i := 0; i < 10; i++ {
		c.line("GET k")
	}
	assert.Equal(t, integer(15), c.line("OBJECT FREQ k"))
	assert.Equal(t, integer(15), c.line("OBJECT FREQ k"), "OBJECT does not touch")
	c.line("SET k w")
	assert.Equal(t, integer(16), c.line("OBJECT FREQ k"), "a write is an access")
	clk.Advance(3 * time.Minute)
	assert.Equal(t, integer(13), c.line("OBJECT FREQ k"), "one less per lfu-decay-time minute")
	c.line("CONFIG SET lfu-decay-time 0")
	clk.Advance(30 * time.Minute)
	assert.Equal(t, integer(16), c.line("OBJECT FREQ k"), "no decay")
	c.line("CONFIG SET lfu-log-factor 10")
	for i := 0; i < 1000; i++ {
		c.line("GET k")
	}
	n, _ := strconv.Atoi(strings.TrimSpace(c.line("OBJECT FREQ k")[1:]))
	assert.Greater(t, n, 16)
	assert.Less(t, n, 40, "logarithmic")
	assert.Equal(t, errReply("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."), c.line("OBJECT IDLETIME k"))
	c.line("CONFIG SET maxmemory-policy allkeys-lru")
	assert.Equal(t, errReply("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."), c.line("OBJECT FREQ k"))
	// RESTORE sets the counter under LFU, the idle time otherwise.
	dump := c.do("DUMP", "k")
	payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
	c.line("CONFIG SET maxmemory-policy allkeys-lfu")
	assert.Equal(t, "+OK\r\n", c.do("RESTORE", "r", "0", payload, "FREQ", "100"))
	assert.Equal(t, integer(100), c.line("OBJECT FREQ r"))
	c.line("CONFIG SET maxmemory-policy allkeys-lru")
	assert.Equal(t, "+OK\r\n", c.do("RESTORE", "r", "0", payload, "IDLETIME", "1000", "REPLACE"))
	assert.Equal(t, integer(1000), c.line("OBJECT IDLETIME r"))
	c.line("GET r")
	assert.Equal(t, integer(0), c.line("OBJECT IDLETIME r"), "a read refreshes the LRU clock")
}

// TestEvictionLFUKeepsFrequentKeys: keys read often survive those read
// once.
func TestEvictionLFUKeepsFrequentKeys(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("CONFIG SET maxmemory-policy allkeys-lfu")
	fill(c, "k", 400, false)
	for r := 0; r < 20; r++ {
		for i := 0; i < 50; i++ {
			c.line("GET k" + strconv.Itoa(i))
		}
	}
	limitAbove(t, c, 0)
	fill(c, "new", 200, false)
	kept := 0
	for i := 0; i < 50; i++ {
		if c.line("EXISTS k"+strconv.Itoa(i)) == integer(1) {
			kept++
		}
	}
	assert.Greater(t, kept, 45)
}

// TestEvictionIsNotifiedAndPropagated: each evicted key is an "evicted"
// keyspace event and a DEL (UNLINK under lazyfree-lazy-eviction) sent to
// the AOF and replicas as its own unit, before the command that caused it.
func TestEvictionIsNotifiedAndPropagated(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	sub := newClient(t, e)
	rec := &opRecorder{}
	e.AttachPropagator(rec)
	c.line("CONFIG SET notify-keyspace-events Ee")
	sub.line("SUBSCRIBE __keyevent@0__:evicted")
	sub.s.TakeOutput(nil)
	c.line("CONFIG SET maxmemory-policy allkeys-lru")
	c.line("SET a " + strings.Repeat("x", 3000))
	clk.Advance(10 * time.Second) // a is the least recently used
	limitAbove(t, c, 500)
	// The write that crosses the limit runs; the next command evicts.
	c.line("SET b " + strings.Repeat("y", 3000))
	assert.Equal(t, integer(0), c.line("EXISTS a"))
	assert.Equal(t, string(arr(bulk("message"), bulk("__keyevent@0__:evicted"), bulk("a"))), string(sub.s.TakeOutput(nil)))
	flat := rec.flat()
	require.GreaterOrEqual(t, len(flat), 3)
	assert.Equal(t, []string{"0:SET b " + strings.Repeat("y", 3000), "0:DEL a"}, flat[len(flat)-2:])
	assert.Equal(t, []string{"0:DEL a"}, rec.units[len(rec.units)-1], "a unit of its own")
	c.line("CONFIG SET lazyfree-lazy-eviction yes")
	c.line("SET c " + strings.Repeat("z", 3000))
	c.line("PING")
	flat = rec.flat()
	assert.True(t, strings.HasPrefix(flat[len(flat)-1], "0:UNLINK "), flat[len(flat)-1])
}

// TestReplicaDoesNotEvict: a replica leaves eviction to its master
// (replica-ignore-maxmemory yes, the default).
func TestReplicaDoesNotEvict(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("CONFIG SET maxmemory-policy allkeys-lru")
	fill(c, "k", 100, false)
	limitAbove(t, c, -50000)
	e.mu.Lock()
	e.master = &masterInfo{host: "127.0.0.1", port: 1}
	assert.Equal(t, evictOK, e.performEvictions())
	assert.Equal(t, 100, e.main.dbs[0].size())
	e.config.set("replica-ignore-maxmemory", "no", false)
	e.performEvictions()
	assert.Less(t, e.main.dbs[0].size(), 100)
	e.master = nil
	e.mu.Unlock()
}

func TestEvictionPoolOrder(t *testing.T) {
	var p evictionState
	for i, idle := range []uint64{5, 1, 9, 3, 7, 20, 2, 8, 4, 6, 11, 12, 13, 14, 15, 16, 17, 0, 18} {
		p.insert(evictCandidate{key: strconv.Itoa(i), idle: idle})
	}
	require.Equal(t, evictPoolSize, p.used)
	var idles []uint64
	for _, c := range p.pool[:p.used] {
		idles = append(idles, c.idle)
	}
	// The full pool kept the 16 best (highest idle), in ascending order;
	// 0 was worse than all when it came.
	assert.Equal(t, []uint64{3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 20}, idles)
}

func TestMaxmemoryConfig(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	assert.Equal(t, "+OK\r\n", c.line("CONFIG SET maxmemory 100mb"))
	assert.Equal(t, uint64(100<<20), e.config.mm.maxmemory)
	assert.Equal(t, "+OK\r\n", c.line("CONFIG SET maxmemory-eviction-tenacity 100"))
	assert.Equal(t, time.Duration(1<<63-1), e.evictionTimeLimit())
	c.line("CONFIG SET maxmemory-eviction-tenacity 10")
	assert.Equal(t, 500*time.Microsecond, e.evictionTimeLimit())
	c.line("CONFIG SET maxmemory-eviction-tenacity 11")
	assert.Equal(t, 575*time.Microsecond, e.evictionTimeLimit())
	assert.Contains(t, c.line("INFO memory"), "\r\nmaxmemory:104857600\r\nmaxmemory_human:100.00M\r\n")
}

func TestScriptOOMRule(t *testing.T) {
	e, _ := testEngine(t)
	set, get := e.commands["set"], e.commands["get"]
	assert.False(t, e.scriptOOMRefuses(set, false, false), "no maxmemory")
	e.config.set("maxmemory", "1", false)
	assert.False(t, e.scriptOOMRefuses(set, false, false), "not OOM when the script started")
	e.evict.oomAtStart = true
	assert.True(t, e.scriptOOMRefuses(set, false, false))
	assert.False(t, e.scriptOOMRefuses(get, false, false), "not denyoom")
	assert.False(t, e.scriptOOMRefuses(set, true, false), "the script wrote already")
	assert.False(t, e.scriptOOMRefuses(set, false, true), "the master's or the AOF's script")
}

func TestScriptRedisCallOOM(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("CONFIG SET maxmemory 1")
	out := c.do("EVAL", "return redis.call('set','k','v')", "0")
	assert.True(t, strings.HasPrefix(out, "-OOM command not allowed when used memory > 'maxmemory'."), out)
	assert.Equal(t, bulk("x"), c.do("EVAL", "return 'x'", "0"), "scripts that do not write run")
	c.line("CONFIG SET maxmemory 0")
	assert.Equal(t, "+OK\r\n", c.do("EVAL", "return redis.call('set','k','v')", "0"))
}
