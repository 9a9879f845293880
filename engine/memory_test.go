package engine

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recountData walks every key of the main keyspace and sums what the
// running accounting should hold.
func recountData(e *Engine) int64 {
	var n int64
	for _, db := range e.main.dbs {
		db.strs.each(func(k string, v strEntry) bool {
			n += stringKeyMem(k, v.v)
			return true
		})
		db.objs.each(func(k string, o object) bool {
			n += keySlotBytes + strMem(k) + (objectMem(o)+7)&^7
			return true
		})
	}
	return n
}

// TestMemoryAccountingMatchesRecount runs random writes of every type
// and checks after each that the running count equals a full recount:
// no path changes a value without the accounting seeing it.
func TestMemoryAccountingMatchesRecount(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	rng := rand.New(rand.NewPCG(1, 2))
	key := func() string { return "k" + strconv.Itoa(rng.IntN(40)) }
	val := func() string { return strings.Repeat("v", rng.IntN(3)*rng.IntN(100)) + strconv.Itoa(rng.IntN(1000)) }
	cmds := []func() string{
		func() string { return "SET " + key() + " " + val() },
		func() string { return "APPEND " + key() + " " + val() },
		func() string { return "SETRANGE " + key() + " " + strconv.Itoa(rng.IntN(200)) + " " + val() },
		func() string { return "INCR " + key() },
		func() string { return "DEL " + key() },
		func() string { return "RPUSH " + key() + " " + val() + " " + val() },
		func() string { return "LPUSH " + key() + " " + val() },
		func() string { return "LPOP " + key() },
		func() string { return "LTRIM " + key() + " 1 -2" },
		func() string { return "LSET " + key() + " 0 " + val() },
		func() string { return "LREM " + key() + " 0 " + val() },
		func() string { return "LINSERT " + key() + " BEFORE " + val() + " " + val() },
		func() string { return "HSET " + key() + " f" + strconv.Itoa(rng.IntN(300)) + " " + val() },
		func() string { return "HDEL " + key() + " f" + strconv.Itoa(rng.IntN(300)) },
		func() string { return "SADD " + key() + " " + val() + " " + strconv.Itoa(rng.IntN(900)) },
		func() string { return "SREM " + key() + " " + val() },
		func() string { return "SPOP " + key() },
		func() string {
			return "ZADD " + key() + " " + strconv.Itoa(rng.IntN(50)) + " m" + strconv.Itoa(rng.IntN(200))
		},
		func() string { return "ZREM " + key() + " m" + strconv.Itoa(rng.IntN(200)) },
		func() string { return "ZREMRANGEBYRANK " + key() + " 0 2" },
		func() string { return "ZUNIONSTORE " + key() + " 2 " + key() + " " + key() },
		func() string { return "SUNIONSTORE " + key() + " " + key() + " " + key() },
		func() string { return "RENAME " + key() + " " + key() },
		func() string { return "COPY " + key() + " " + key() + " REPLACE" },
		func() string { return "MOVE " + key() + " 1" },
		func() string { return "SWAPDB 0 1" },
		func() string { return "EXPIRE " + key() + " 1" },
		func() string { return "LMOVE " + key() + " " + key() + " LEFT RIGHT" },
		func() string { return "SORT " + key() + " ALPHA STORE " + key() },
		func() string { return "PFADD " + key() + " " + val() },
		func() string { return "GEOADD " + key() + " 13.36 38.11 " + val() },
		func() string { return "XADD " + key() + " * f " + val() + " g " + val() },
		func() string { return "XADD " + key() + " MAXLEN ~ 5 * f " + val() },
		func() string { return "XTRIM " + key() + " MAXLEN " + strconv.Itoa(rng.IntN(5)) },
		func() string { return "XDEL " + key() + " 1700000000000-" + strconv.Itoa(rng.IntN(50)) },
		func() string { return "XGROUP CREATE " + key() + " g 0 MKSTREAM" },
		func() string {
			return "XREADGROUP GROUP g c" + strconv.Itoa(rng.IntN(3)) + " COUNT 2 STREAMS " + key() + " >"
		},
		func() string { return "XACK " + key() + " g 1700000000000-" + strconv.Itoa(rng.IntN(50)) },
		func() string { return "XGROUP DELCONSUMER " + key() + " g c" + strconv.Itoa(rng.IntN(3)) },
	}
	for i := 0; i < 6000; i++ {
		line := cmds[rng.IntN(len(cmds))]()
		c.line(line)
		if i%500 == 499 {
			clk.Advance(2 * time.Second)
			e.ActiveExpireCycle()
		}
		if i == 4000 {
			c.line("FLUSHDB")
		}
		e.mu.Lock()
		e.mem.settle()
		got, want := e.mem.data, recountData(e)
		e.mu.Unlock()
		require.Equal(t, want, got, "after command %d: %s", i, line)
	}
	c.line("FLUSHALL")
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mem.settle()
	assert.Equal(t, int64(0), e.mem.data)
}

// TestUsedMemoryFollowsHeap builds a dataset of each type and checks that
// used_memory grew within 15% of what the Go heap grew (live bytes after a
// collection): the accounting is honest, not just consistent.
func TestUsedMemoryFollowsHeap(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector changes allocation sizes")
	}
	const n = 20000
	cases := []struct {
		name string
		cmd  func(i int) string
	}{
		{"small strings", func(i int) string { return fmt.Sprintf("SET key:%d value:%d", i, i) }},
		{"100-byte strings", func(i int) string { return fmt.Sprintf("SET key:%d %s", i, strings.Repeat("x", 100)) }},
		{"1 KB strings", func(i int) string { return fmt.Sprintf("SET key:%d %s", i, strings.Repeat("x", 1000)) }},
		{"list", func(i int) string { return fmt.Sprintf("RPUSH l:%d element:%d", i%100, i) }},
		{"big list", func(i int) string { return fmt.Sprintf("LPUSH l element:%d", i) }},
		{"small hashes", func(i int) string { return fmt.Sprintf("HSET h:%d field:%d value:%d", i%2000, i, i) }},
		{"big hash", func(i int) string { return fmt.Sprintf("HSET h field:%d value:%d", i, i) }},
		{"intset", func(i int) string { return fmt.Sprintf("SADD s:%d %d", i%100, i) }},
		{"big set", func(i int) string { return fmt.Sprintf("SADD s member:%d", i) }},
		{"small zsets", func(i int) string { return fmt.Sprintf("ZADD z:%d %d member:%d", i%1000, i, i) }},
		{"big zset", func(i int) string { return fmt.Sprintf("ZADD z %d member:%d", i, i) }},
		{"volatile", func(i int) string { return fmt.Sprintf("SET key:%d v EX 1000", i) }},
		{"streams", func(i int) string { return fmt.Sprintf("XADD x:%d * name user%d score %d", i%20, i, i%977) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := testEngine(t)
			c := newClient(t, e)
			lines := make([]string, n)
			for i := range lines {
				lines[i] = tc.cmd(i)
			}
			// The engine's own tables made at its first command
			// (cmdStats) are not the data measured here.
			c.line("PING")
			heapBefore, usedBefore := liveHeap(), e.usedMemoryLocked()
			for _, l := range lines {
				c.line(l)
			}
			heapAfter, usedAfter := liveHeap(), e.usedMemoryLocked()
			heap, used := heapAfter-heapBefore, usedAfter-usedBefore
			t.Logf("%s: heap grew %d, used_memory %d (%.2f)", tc.name, heap, used, float64(used)/float64(heap))
			assert.InEpsilon(t, heap, used, 0.15)
			runtime.KeepAlive(lines)
		})
	}
}

func (e *Engine) usedMemoryLocked() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.usedMemory()
}

func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// TestUsedMemoryCountsClients: pending replies and queued transactions
// count, and are given back when sent or when the client goes.
func TestUsedMemoryCountsClients(t *testing.T) {
	e, _ := testEngine(t)
	a, b := newClient(t, e), newClient(t, e)
	a.line("SET big " + strings.Repeat("x", 100000))
	base := e.usedMemoryLocked()
	// b's replies stay pending: a reader that does not read.
	for i := 0; i < 20; i++ {
		b.s.Exec([][]byte{[]byte("GET"), []byte("big")})
	}
	grown := e.usedMemoryLocked() - base
	assert.Greater(t, grown, int64(20*100000), "pending replies count")
	b.s.TakeOutput(nil)
	assert.Less(t, e.usedMemoryLocked()-base, int64(20000), "sent replies no longer count")
	b.line("MULTI")
	for i := 0; i < 100; i++ {
		b.line("SET k " + strings.Repeat("y", 1000))
	}
	assert.Greater(t, e.usedMemoryLocked()-base, int64(100000), "queued commands count")
	b.s.Close()
	assert.Less(t, e.usedMemoryLocked()-base, int64(0), "a closed client counts no more")
}

func TestInfoMemoryFields(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	info := c.line("INFO memory")
	var names []string
	for _, l := range strings.Split(info, "\r\n")[2:] {
		if name, _, ok := strings.Cut(l, ":"); ok {
			names = append(names, name)
		}
	}
	// Redis 7.0.15's fields, in its order.
	assert.Equal(t, strings.Fields(`used_memory used_memory_human used_memory_rss used_memory_rss_human
		used_memory_peak used_memory_peak_human used_memory_peak_perc used_memory_overhead used_memory_startup
		used_memory_dataset used_memory_dataset_perc allocator_allocated allocator_active allocator_resident
		total_system_memory total_system_memory_human used_memory_lua used_memory_vm_eval used_memory_lua_human
		used_memory_scripts_eval number_of_cached_scripts number_of_functions number_of_libraries
		used_memory_vm_functions used_memory_vm_total used_memory_vm_total_human used_memory_functions
		used_memory_scripts used_memory_scripts_human maxmemory maxmemory_human maxmemory_policy
		allocator_frag_ratio allocator_frag_bytes allocator_rss_ratio allocator_rss_bytes rss_overhead_ratio
		rss_overhead_bytes mem_fragmentation_ratio mem_fragmentation_bytes mem_not_counted_for_evict
		mem_replication_backlog mem_total_replication_buffers mem_clients_slaves mem_clients_normal
		mem_cluster_links mem_aof_buffer mem_allocator active_defrag_running lazyfree_pending_objects
		lazyfreed_objects`), names)
}

func TestMemoryStatsAndDoctor(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("SET a 1")
	c.line("SET b 2 EX 100")
	out := c.line("MEMORY STATS")
	require.True(t, strings.HasPrefix(out, "*56\r\n$14\r\npeak.allocated\r\n:"), out)
	for _, want := range []string{"$4\r\ndb.0\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n:" + itoa(2*keySlotBytes) + "\r\n$26\r\noverhead.hashtable.expires\r\n:" + itoa(expireSlotBytes) + "\r\n",
		"$10\r\nkeys.count\r\n:2\r\n", "$19\r\nfragmentation.bytes\r\n:"} {
		assert.Contains(t, out, want)
	}
	assert.Equal(t, bulk("Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting."), c.line("MEMORY DOCTOR"))
	assert.Equal(t, bulk("Stats not supported for the current allocator"), c.line("MEMORY MALLOC-STATS"))
	assert.Equal(t, "+OK\r\n", c.line("MEMORY PURGE"))
}

func TestGoAllocSize(t *testing.T) {
	// Against the class table searched directly, for every size to 40 KB.
	for n := int64(1); n <= 40000; n++ {
		want := (n + 8191) &^ 8191
		for _, c := range goSizeClasses {
			if c >= n {
				want = c
				break
			}
		}
		require.Equal(t, want, goAllocSize(n), "n=%d", n)
	}
	assert.Equal(t, int64(0), goAllocSize(0))
}

// TestStreamMemoryAccounting: streams plug into the accounting through
// memUsage; XADD and XTRIM move used_memory, and a DEL gives it all back.
func TestStreamMemoryAccounting(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	base := e.usedMemoryLocked()
	for i := 0; i < 5000; i++ {
		c.line("XADD s * field " + strings.Repeat("v", 50) + strconv.Itoa(i))
	}
	grown := e.usedMemoryLocked() - base
	assert.Greater(t, grown, int64(5000*50), "the entries count")
	c.line("XTRIM s MAXLEN 100")
	assert.Less(t, e.usedMemoryLocked()-base, grown/10, "trimmed entries are given back")
	c.line("DEL s")
	e.mu.Lock()
	e.mem.settle()
	assert.Equal(t, int64(0), e.mem.data)
	e.mu.Unlock()
}
