package engine

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Eviction as Redis 7.0's evict.c: before each command, while used memory
// (less replicas' output buffers) is over maxmemory, keys are deleted by
// the policy. The LRU and LFU policies do not keep an ordered list of every
// key; they sample maxmemory-samples keys per database into a pool of the
// 16 best candidates seen so far and evict the best, so the quality and
// the cost are Redis's.
//
// A key's access record lives with its value (idle.go), one uint32 per
// key, as the 24-bit lru field of Redis's object header:
//
//   - under an LFU policy, the last decrement time in minutes (16 bits)
//     and a logarithmic access counter (8 bits);
//   - otherwise the time of the last access in unix seconds (Redis's LRU
//     clock, 1 s resolution). Reads refresh it only under an LRU policy:
//     elsewhere nothing reads it but OBJECT IDLETIME, and a GET then costs
//     no write.
//
// Switching between LRU and LFU at run time leaves records in the other
// format until keys are touched again, as in Redis.

// Policies, with Redis's flag bits.
const (
	mmFlagLRU     = 1 << 0
	mmFlagLFU     = 1 << 1
	mmFlagAllKeys = 1 << 2

	policyVolatileLRU    = 0<<8 | mmFlagLRU
	policyVolatileLFU    = 1<<8 | mmFlagLFU
	policyVolatileTTL    = 2 << 8
	policyVolatileRandom = 3 << 8
	policyAllKeysLRU     = 4<<8 | mmFlagLRU | mmFlagAllKeys
	policyAllKeysLFU     = 5<<8 | mmFlagLFU | mmFlagAllKeys
	policyAllKeysRandom  = 6<<8 | mmFlagAllKeys
	policyNoEviction     = 7 << 8
)

var policyByName = map[string]int{
	"volatile-lru": policyVolatileLRU, "volatile-lfu": policyVolatileLFU,
	"volatile-ttl": policyVolatileTTL, "volatile-random": policyVolatileRandom,
	"allkeys-lru": policyAllKeysLRU, "allkeys-lfu": policyAllKeysLFU,
	"allkeys-random": policyAllKeysRandom, "noeviction": policyNoEviction,
}

// memoryConfig caches the parameters of eviction.
type memoryConfig struct {
	maxmemory     uint64
	policy        int
	samples       int
	tenacity      int
	lfuLogFactor  int64
	lfuDecayTime  int64
	replicaIgnore bool
	// lazyEviction is lazyfree-lazy-eviction: evictions propagate as
	// UNLINK.
	lazyEviction bool
}

func (m *memoryConfig) load(c *Config) {
	num := func(name string, def int64) int64 {
		if p, ok := c.lookup(name); ok {
			return p.num
		}
		return def
	}
	m.maxmemory = uint64(num("maxmemory", 0))
	m.policy = policyNoEviction
	if p, ok := c.lookup("maxmemory-policy"); ok {
		if v, ok := policyByName[p.value]; ok {
			m.policy = v
		}
	}
	m.samples = int(num("maxmemory-samples", 5))
	m.tenacity = int(num("maxmemory-eviction-tenacity", 10))
	m.lfuLogFactor = num("lfu-log-factor", 10)
	m.lfuDecayTime = num("lfu-decay-time", 1)
	m.replicaIgnore = true
	if p, ok := c.lookup("replica-ignore-maxmemory"); ok {
		m.replicaIgnore = p.value == "yes"
	}
	m.lazyEviction = false
	if p, ok := c.lookup("lazyfree-lazy-eviction"); ok {
		m.lazyEviction = p.value == "yes"
	}
}

func (m *memoryConfig) lfu() bool { return m.policy&mmFlagLFU != 0 }

// accessPolicy is what a keyspace needs to record key accesses.
type accessPolicy struct {
	cfg  *Config
	rand *rand.Rand
}

// lfuInitVal is the counter of a new key (Redis's LFU_INIT_VAL), so that
// it is not evicted before it had a chance to be used.
const lfuInitVal = 5

// lfuMinutes is Redis's LFUGetTimeInMinutes.
func lfuMinutes(nowMs int64) uint32 { return uint32(nowMs/60000) & 65535 }

// lfuDecr is Redis's LFUDecrAndReturn: the counter less one per
// lfu-decay-time minutes since its last decrement.
func (m *memoryConfig) lfuDecr(v uint32, nowMs int64) uint32 {
	ldt, counter := v>>8, v&255
	if m.lfuDecayTime == 0 {
		return counter
	}
	now := lfuMinutes(nowMs)
	elapsed := now - ldt
	if now < ldt {
		elapsed = 65535 - ldt + now
	}
	periods := int64(elapsed) / m.lfuDecayTime
	if periods > int64(counter) {
		return 0
	}
	return counter - uint32(periods)
}

// lfuIncr is Redis's LFULogIncr: the counter grows with probability
// 1/((counter-5)*lfu-log-factor+1), so it is logarithmic in the accesses.
func (a *accessPolicy) lfuIncr(counter uint32) uint32 {
	if counter == 255 {
		return 255
	}
	base := float64(counter) - lfuInitVal
	if base < 0 {
		base = 0
	}
	p := 1.0 / (base*float64(a.cfg.mm.lfuLogFactor) + 1)
	if a.rand.Float64() < p {
		counter++
	}
	return counter
}

// record is the new access record of a key accessed at nowMs, given its
// previous one (had: it has one).
func (a *accessPolicy) record(old uint32, had bool, nowMs int64) uint32 {
	if a == nil || a.cfg == nil || !a.cfg.mm.lfu() {
		return uint32(nowMs / 1000)
	}
	counter := uint32(lfuInitVal)
	if had {
		counter = a.lfuIncr(a.cfg.mm.lfuDecr(old, nowMs))
	}
	return lfuMinutes(nowMs)<<8 | counter
}

// lfuValue is a record with the given counter (RESTORE ... FREQ).
func lfuValue(freq int64, nowMs int64) uint32 {
	return lfuMinutes(nowMs)<<8 | uint32(freq)
}

// touchRead records a read of key under an LRU or LFU policy (Redis's
// lookupKey updating the object's lru field).
func (db *DB) touchRead(key string, nowMs int64) {
	a := db.accessPolicy()
	if a == nil || a.cfg.mm.policy&(mmFlagLRU|mmFlagLFU) == 0 {
		return
	}
	db.noteWriteTmp(key, nowMs)
}

// accessPolicy is the engine's access recording for db, or nil.
func (db *DB) accessPolicy() *accessPolicy {
	if db.ks == nil || db.ks.access == nil || db.ks.access.cfg == nil {
		return nil
	}
	return db.ks.access
}

// evictPoolSize is Redis's EVPOOL_SIZE.
const evictPoolSize = 16

type evictCandidate struct {
	key  string
	db   int
	idle uint64
}

// evictionState is the eviction pool and counters.
type evictionState struct {
	pool    [evictPoolSize]evictCandidate
	used    int // candidates in pool[0:used], by ascending idle
	nextDB  int // round robin of the random policies
	evicted int64
	// running: the last eviction stopped at its time limit with memory
	// still over the limit; the cron goes on (Redis's evictionTimeProc).
	running bool
	// oomAtStart is Redis's pre_command_oom_state, for scripts.
	oomAtStart bool
	// totalTime is the time spent evicting, for INFO's
	// total_eviction_exceeded_time-style reporting.
	exceededSince time.Time
	exceededTotal time.Duration
}

type evictResult int

const (
	evictOK evictResult = iota
	evictRunning
	evictFail
)

// memoryOverLimit is Redis's getMaxmemoryState: the bytes to free (0 when
// under maxmemory), counting all used memory but replicas' output.
func (e *Engine) memoryOverLimit() int64 {
	max := e.config.mm.maxmemory
	if max == 0 {
		return 0
	}
	b := e.memory()
	used := b.total() - b.replicas
	if used < 0 || uint64(used) <= max {
		return 0
	}
	return used - int64(max)
}

// evictionTimeLimit is Redis's evictionTimeLimitUs: how long one call may
// evict, from maxmemory-eviction-tenacity (10: 500 us; 100: no limit).
func (e *Engine) evictionTimeLimit() time.Duration {
	t := e.config.mm.tenacity
	if t <= 10 {
		return time.Duration(50*t) * time.Microsecond
	}
	if t < 100 {
		return time.Duration(500*math.Pow(1.15, float64(t-10))) * time.Microsecond
	}
	return time.Duration(math.MaxInt64)
}

// performEvictions frees memory down to maxmemory by the policy, as
// Redis's performEvictions.
func (e *Engine) performEvictions() evictResult {
	mm := &e.config.mm
	if mm.maxmemory == 0 {
		return evictOK
	}
	if e.master != nil && mm.replicaIgnore {
		// A replica takes its master's DELs instead.
		return evictOK
	}
	if e.clientsPaused() {
		// The dataset stays still while clients are paused.
		return evictOK
	}
	toFree := e.memoryOverLimit()
	if toFree == 0 {
		e.noteUnderLimit()
		return evictOK
	}
	if mm.policy == policyNoEviction {
		e.noteOverLimit()
		return evictFail
	}
	// The time limit counts from the command's start, taken already
	// (tick): one clock reading less per command.
	start := e.cmdStart
	limit := e.evictionTimeLimit()
	freed, keys := int64(0), 0
	result := evictOK
	for freed < toFree {
		db, key, ok := e.evictionCandidate()
		if !ok {
			result = evictFail
			break
		}
		n, gone := e.evictKey(db, key)
		if !gone {
			// A ghost: deleted since it was sampled. The deletion is the
			// look-up (Redis's dictFind of the pool's best key).
			continue
		}
		freed += n
		keys++
		if keys%16 == 0 {
			if e.memoryOverLimit() == 0 {
				break
			}
			if time.Duration(e.monoNow()-start) > limit {
				result = evictRunning
				break
			}
		}
	}
	if keys > 0 {
		// Each DEL is its own unit, as after active expiry.
		e.prop.noMulti = true
		e.flushPropagation()
		e.trackingAfterCommand(e.main)
	}
	e.evict.running = result == evictRunning
	if result == evictOK {
		e.noteUnderLimit()
	} else {
		e.noteOverLimit()
	}
	return result
}

// noteOverLimit starts the clock of INFO's eviction_exceeded_time: as in
// Redis, only when an eviction stopped with memory still over the limit
// (at its time limit, or with nothing it may evict), not while each
// command's eviction gets back under it.
func (e *Engine) noteOverLimit() {
	if e.evict.exceededSince.IsZero() {
		e.evict.exceededSince = time.Now()
	}
}

func (e *Engine) noteUnderLimit() {
	if !e.evict.exceededSince.IsZero() {
		e.evict.exceededTotal += time.Since(e.evict.exceededSince)
		e.evict.exceededSince = time.Time{}
	}
}

// evictKey deletes key as evicted: counted, notified and propagated as
// a DEL (or UNLINK under lazyfree-lazy-eviction). It returns the memory
// the deletion alone freed (the keyspace's: nothing else changes with
// it), and gone = false when there was no such key: as in Redis, what
// the invalidation messages and the propagated DEL take is not held
// against it (else eviction could feed itself until no key is left).
func (e *Engine) evictKey(db *DB, key string) (freed int64, gone bool) {
	e.mem.settle()
	before := e.mem.data + int64(len(db.expires))*expireSlotBytes
	if !db.removeRaw(key) {
		return 0, false
	}
	// key is the stored one (the pool's): whatever keeps it below keeps
	// an immutable string.
	freed = before - e.mem.data - int64(len(db.expires))*expireSlotBytes
	e.evict.evicted++
	e.keyChanged(db, key)
	e.notifyKeyspaceEvent(notifyEvicted, "evicted", db, key)
	e.propagateDeletion(db, key, e.config.mm.lazyEviction)
	return freed, true
}

// maxmemoryChanged is Redis's updateMaxmemory after CONFIG SET: a
// warning when the new limit is under the memory in use, and eviction
// starts in the cron without waiting for a command.
func (e *Engine) maxmemoryChanged() {
	max := e.config.mm.maxmemory
	if max == 0 {
		return
	}
	b := e.memory()
	if used := b.total() - b.replicas; used > int64(max) {
		e.warnLine("WARNING: the new maxmemory value set via CONFIG SET (" + strconv.FormatUint(max, 10) + ") is smaller than the current memory usage (" + strconv.FormatInt(used, 10) + "). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.")
	}
	e.evict.running = true
}

// evictionCandidate picks the key to evict next, or ok = false when the
// policy finds none (no keys, or no volatile keys).
func (e *Engine) evictionCandidate() (db *DB, key string, ok bool) {
	mm := &e.config.mm
	dbs := e.main.dbs
	allKeys := mm.policy&mmFlagAllKeys != 0
	if mm.policy&(mmFlagLRU|mmFlagLFU) != 0 || mm.policy == policyVolatileTTL {
		for {
			total := 0
			for _, d := range dbs {
				n := len(d.expires)
				if allKeys {
					n = d.size()
				}
				if n > 0 {
					e.evictionPoolPopulate(d, allKeys)
					total += n
				}
			}
			if total == 0 {
				return nil, "", false
			}
			// From the best candidate down; ghosts (keys gone since they
			// were sampled, or no longer volatile) are dropped.
			p := &e.evict
			for p.used > 0 {
				c := p.pool[p.used-1]
				p.pool[p.used-1] = evictCandidate{}
				p.used--
				d := dbs[c.db]
				if allKeys {
					return d, c.key, true // evictKey tells a ghost
				}
				if _, has := d.expires[c.key]; has {
					return d, c.key, true
				}
			}
		}
	}
	// Random policies: one key of the next non-empty database.
	for range dbs {
		e.evict.nextDB++
		d := dbs[e.evict.nextDB%len(dbs)]
		if allKeys && d.size() > 0 {
			var k string
			if e.rand.IntN(d.size()) < d.strs.len() {
				sampleSmap(&d.strs, 1, e.rand, func(key string, _ strEntry) { k = key })
			} else {
				sampleSmap(&d.objs, 1, e.rand, func(key string, _ object) { k = key })
			}
			return d, k, true
		}
		if !allKeys && len(d.expires) > 0 {
			var k string
			sampleMap(d.expires, 1, e.rand, func(key string, _ int64) { k = key })
			return d, k, true
		}
	}
	return nil, "", false
}

// evictionPoolPopulate samples keys of db and keeps the best in the pool
// (Redis's evictionPoolPopulate).
func (e *Engine) evictionPoolPopulate(db *DB, allKeys bool) {
	mm := &e.config.mm
	n := mm.samples
	if !allKeys {
		sampleMap(db.expires, n, e.rand, func(key string, deadline int64) {
			var idle uint64
			if mm.policy == policyVolatileTTL {
				idle = math.MaxUint64 - uint64(deadline)
			} else {
				// The record is the value's: one look-up, as Redis's
				// dictFind of the sampled key in the main dict.
				idle = e.evictionScore(db.writeTime(key))
			}
			e.evict.insert(evictCandidate{key: key, db: db.id, idle: idle})
		})
		return
	}
	// Sample the string and the other-type maps in proportion to size.
	ns, no := db.strs.len(), db.objs.len()
	take := 0
	switch {
	case no == 0:
		take = n
	case ns > 0:
		for i := 0; i < n; i++ {
			if e.rand.IntN(ns+no) < ns {
				take++
			}
		}
	}
	// The sampled entry holds the key's record: no second look-up.
	if take > 0 {
		sampleSmap(&db.strs, take, e.rand, func(k string, v strEntry) {
			e.evict.insert(evictCandidate{key: k, db: db.id, idle: e.evictionScore(v.access, v.accessed)})
		})
	}
	if n-take > 0 {
		sampleSmap(&db.objs, n-take, e.rand, func(k string, o object) {
			h := o.mark()
			e.evict.insert(evictCandidate{key: k, db: db.id, idle: e.evictionScore(h.access, h.accessed)})
		})
	}
}

// evictionScore is how evictable a key with the given access record is
// under an LRU or LFU policy, higher first (Redis's idle in
// evictionPoolPopulate): the idle time in ms, or 255 less the decayed
// LFU counter. A key never accessed goes first.
func (e *Engine) evictionScore(access uint32, accessed bool) uint64 {
	mm := &e.config.mm
	if mm.lfu() {
		return 255 - uint64(mm.lfuDecr(access, e.nowMs))
	}
	if !accessed {
		return math.MaxUint32
	}
	if now := uint64(e.nowMs / 1000); now >= uint64(access) {
		return (now - uint64(access)) * 1000
	}
	return 0
}

// insert puts c in the pool, ordered by ascending idle, when it is better
// than the worst (Redis drops the worst candidate when full).
func (p *evictionState) insert(c evictCandidate) {
	k := 0
	for k < p.used && p.pool[k].idle < c.idle {
		k++
	}
	switch {
	case k == 0 && p.used == evictPoolSize:
		return // worse than every candidate of a full pool
	case p.used < evictPoolSize:
		copy(p.pool[k+1:p.used+1], p.pool[k:p.used])
		p.used++
	default:
		// Full: drop the worst (first) to make room before k.
		copy(p.pool[0:k-1], p.pool[1:k])
		k--
	}
	p.pool[k] = c
}

// sampleMap calls fn for up to n entries of m, read from a random place
// on (Go randomizes where a map's iteration starts), as Redis's
// dictGetSomeKeys reads neighbouring buckets from a random one.
func sampleMap[V any](m map[string]V, n int, _ *rand.Rand, fn func(string, V)) {
	for k, v := range m {
		if n == 0 {
			return
		}
		fn(k, v)
		n--
	}
}

// sampleSmap is sampleMap over an smap: a random shard first.
func sampleSmap[V any](m *smap[V], n int, rng *rand.Rand, fn func(string, V)) {
	if m.n == 0 {
		return
	}
	start := rng.IntN(len(m.shards))
	for i := 0; i < len(m.shards) && n > 0; i++ {
		shard := m.shards[(start+i)%len(m.shards)]
		for k, v := range shard {
			if n == 0 {
				return
			}
			fn(k, v)
			n--
		}
	}
}

// oomRefuses is the OOM step of the gate (Redis's processCommand): with
// maxmemory set, keys are evicted first; a command that may grow memory
// (denyoom, an EXEC of one, or anything but EXEC/DISCARD/QUIT/RESET
// queued in MULTI) is refused if that could not bring memory under the
// limit.
func (s *Session) oomRefuses(cmd *Command) bool {
	e := s.e
	out := e.performEvictions() == evictFail
	reject := cmd.flags&flagDenyOOM != 0
	if cmd.Name == "exec" && s.multi != nil {
		for _, q := range s.multi.queue {
			if q.cmd.flags&flagDenyOOM != 0 {
				reject = true
			}
		}
	}
	if s.multi != nil {
		switch cmd.Name {
		case "exec", "discard", "quit", "reset":
		default:
			reject = true
		}
	}
	switch cmd.Name {
	case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro":
		// Scripts remember the state for their redis.call.
		e.evict.oomAtStart = out
	}
	return out && reject
}

// scriptOOMRefuses is the OOM check of a command a script calls (Redis's
// scriptCall): nothing is evicted during a script; a denyoom command is
// refused when memory was over the limit as the script started
// (oomAtStart), unless the script wrote already (it must be allowed to
// finish what it began) or runs for the master or the AOF.
func (e *Engine) scriptOOMRefuses(cmd *Command, wroteAlready, obeyed bool) bool {
	return e.config.mm.maxmemory != 0 && !obeyed && !wroteAlready &&
		e.evict.oomAtStart && cmd.flags&flagDenyOOM != 0
}

// EvictionCron goes on with an eviction that stopped at its time limit
// (Redis's evictionTimeProc). Hosts call it with ClientsCron.
func (e *Engine) evictionCron() {
	if e.evict.running {
		e.tick()
		e.performEvictions()
	}
}

// memDoctor is MEMORY DOCTOR's report, with Redis's words.
func (e *Engine) memDoctor() string {
	b := e.memory()
	// Redis asks for 5 MB in all, about 4 MB over its startup size; the
	// Go process's own startup size varies with the host.
	if b.total()-b.startup < 4*1024*1024 {
		return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting."
	}
	var issues []string
	peak := e.srv.peakMemory
	if peak > 0 && float64(peak)/float64(b.total()) > 1.5 {
		issues = append(issues, " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n")
	}
	normal := b.clients
	nClients := int64(len(e.sessions))
	if nClients > 0 && normal/nClients > 1024*200 {
		issues = append(issues, " * Big client buffers: The clients output buffers are in general too big, over 200k per client. This may happen because of slow clients or commands returning a very large amount of data (for instance KEYS). Please check the output buffer of your clients using the CLIENT LIST command and try to investigate why the output buffers are so big.\n\n")
	}
	if b.replicas > 1024*1024*10 {
		issues = append(issues, " * Big replica buffers: The replica output buffers in this instance are greater than 10MB for each replica (on average). This likely means that there is some replica instance that is struggling receiving data, either because it is too slow or because of networking issues. As a result, data piles on the master output buffers. Please try to identify what replica is not receiving data correctly and why. You can use the INFO output in order to check the replicas delays and the CLIENT LIST command to check the output buffers of each replica.\n\n")
	}
	if len(issues) == 0 {
		return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base."
	}
	out := "Sam, I detected a few issues in this Redis instance memory implants:\n\n"
	for _, s := range issues {
		out += s
	}
	return out + "I'm here to keep you safe, Sam. I want to help you.\n"
}
