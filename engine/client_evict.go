package engine

import (
	"math/bits"
	"sort"
	"strconv"
	"strings"
)

// Client eviction (maxmemory-clients, Redis 7.0): when the memory of all
// normal and pub/sub clients together reaches the limit, the largest
// clients are disconnected until it is under it again. A client's memory
// is what CLIENT LIST shows as tot-mem (clientMemory). The engine keeps
// the total up to date as replies, subscriptions, watched keys and query
// buffers change (noteMemory, NoteQueryBuffer), so the check before each
// command is one comparison while under the limit.

// minClientEvictionLimit is the least maxmemory-clients Redis applies, so
// that a bad setting cannot lock every client out.
const minClientEvictionLimit = 128 << 10

// clientEvictionLimit is Redis's getClientEvictionLimit: maxmemory-clients
// in bytes, or its percentage of maxmemory, at least 128 KB; 0 when
// client eviction is off (0, or a percentage without maxmemory).
func (c *Config) clientEvictionLimit() int64 {
	p, ok := c.lookup("maxmemory-clients")
	if !ok {
		return 0
	}
	var limit int64
	if pct, isPct := strings.CutSuffix(p.value, "%"); isPct {
		n, _ := strconv.ParseInt(pct, 10, 64)
		if n == 0 || c.mm.maxmemory == 0 {
			return 0
		}
		limit = int64(float64(c.mm.maxmemory) * float64(n) / 100)
	} else {
		limit = p.num
	}
	if limit <= 0 {
		return 0
	}
	return max(limit, minClientEvictionLimit)
}

// Client memory buckets as Redis's CLIENT_MEM_USAGE_BUCKET_MIN_LOG and
// MAX_LOG: clients are evicted from the largest bucket (log2 of their
// memory) down.
const (
	clientMemBucketMinLog = 15
	clientMemBucketMaxLog = 33
)

func clientMemBucket(mem int64) int {
	b := bits.Len64(uint64(mem))
	return min(max(b, clientMemBucketMinLog), clientMemBucketMaxLog)
}

// evictableClientsMemory is the memory of normal and pub/sub clients
// (Redis's stat_clients_type_memory of those two types): every client's
// but the replicas'.
func (e *Engine) evictableClientsMemory() int64 {
	return e.clientMem.Load() - e.replicaOutputMemory()
}

// evictionAllowed is Redis's clientEvictionAllowed: normal and pub/sub
// clients without CLIENT NO-EVICT. Clients with no connection (the
// script and file replay sessions) are not in Redis's client list.
func (s *Session) evictionAllowed() bool {
	return !s.noEvict && !s.closed && s.replica == nil && !s.fromMaster && s.info.Close != nil
}

// clientsOverLimit reports whether client eviction has work to do.
func (e *Engine) clientsOverLimit() bool {
	limit := e.config.clientsLimit.Load()
	return limit != 0 && e.evictableClientsMemory() >= limit
}

// evictClients is Redis's evictClients: while the clients' memory is at
// or over maxmemory-clients, the largest evictable client is freed. Called
// with the engine locked, before each command (the gate), when a query
// buffer grows (NoteQueryBuffer) and from the clients cron.
func (e *Engine) evictClients() {
	if !e.clientsOverLimit() {
		return
	}
	type candidate struct {
		s      *Session
		bucket int
	}
	var cands []candidate
	for _, s := range e.sessions {
		if s.evictionAllowed() {
			cands = append(cands, candidate{s, clientMemBucket(s.memNoted.Load() + s.qbufCap.Load())})
		}
	}
	// Largest bucket first; within a bucket, in connection order.
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].bucket != cands[j].bucket {
			return cands[i].bucket > cands[j].bucket
		}
		return cands[i].s.id < cands[j].s.id
	})
	limit := e.config.clientsLimit.Load()
	for _, c := range cands {
		if e.evictableClientsMemory() < limit {
			return
		}
		e.evictClient(c.s)
	}
	if e.evictableClientsMemory() >= limit {
		e.warnLine("Over client maxmemory after evicting all evictable clients")
	}
}

// evictedBeforeCall is the gate's client eviction step, as Redis's
// processCommand: clients are evicted before the command runs (after the
// previous one grew some client's memory), and a command whose own
// client was evicted is not run and gets no reply.
func (s *Session) evictedBeforeCall() bool {
	s.e.evictClients()
	return s.closed
}

// evictClient frees c at once, as Redis's freeClient: it leaves CLIENT
// LIST, its replies are dropped unsent, its subscriptions and watched keys
// released, and its host told to close the connection.
func (e *Engine) evictClient(c *Session) {
	self := c == e.current // its lock is held by the running command
	if !self {
		c.mu.Lock()
	}
	obl, oll, omem := c.w.replyList()
	e.logLine("Evicting client: " + e.clientInfoWith(c, nil, nil, obl, oll, omem))
	c.w.dropOutput()
	c.closed = true
	c.noteMemory()
	c.dropQueryBufferMemory()
	if !self {
		c.mu.Unlock()
	}
	e.stats.evictedClients++
	c.release()
	c.kill()
}

// dropQueryBufferMemory takes the query buffer out of the clients' memory
// total once the client is closed. Called with s.mu held.
func (s *Session) dropQueryBufferMemory() {
	if s.qbufNoted != 0 {
		s.e.clientMem.Add(-s.qbufNoted)
		s.qbufNoted = 0
	}
}

// NoteQueryBuffer records the size of the session's query buffer: used
// bytes not yet run, and its whole capacity (memory the client holds).
// A query buffer that takes the clients over maxmemory-clients evicts
// clients at once, as Redis does after each read. Hosts call it from
// their own goroutines, without the engine's lock.
func (s *Session) NoteQueryBuffer(used, capacity int) {
	s.qbufUsed.Store(int64(used))
	s.qbufCap.Store(int64(capacity))
	s.mu.Lock()
	grew := false
	if !s.closed {
		d := int64(capacity) - s.qbufNoted
		s.qbufNoted = int64(capacity)
		s.e.clientMem.Add(d)
		grew = d > 0
	}
	s.mu.Unlock()
	if grew && s.e.clientsOverLimit() {
		e := s.e
		e.mu.Lock()
		e.evictClients()
		e.mu.Unlock()
	}
}

// Per-item overheads Redis counts in a client's memory (64-bit sizes).
const (
	// watchedKeyBytes: a listNode and a watchedKey per WATCHed key.
	watchedKeyBytes = 24 + 32
	// patternBytes: a listNode per pattern subscription.
	patternBytes = 24
	// channelBytes: a dictEntry per channel, plus its slot (counted by
	// the table's size below).
	channelBytes = 24
	// trackingPrefixBytes: Redis's estimate per rax node of the BCAST
	// prefixes, sizeof(raxNode)*sizeof(raxNode*).
	trackingPrefixBytes = 4 * 8
	// multiCmdBytes: a queued command's multiCmd entry.
	multiCmdBytes = 8 + 8 + 4 + 4 + 8
)

// stateMemory is what the client's transaction, watched keys,
// subscriptions and tracking prefixes hold, as Redis's
// multiStateMemOverhead and pubsubMemOverhead count it.
func (s *Session) stateMemory() int64 {
	var n int64
	if s.multi != nil {
		for _, q := range s.multi.queue {
			for _, a := range q.args {
				n += int64(len(a))
			}
			n += multiCmdBytes
		}
	}
	n += int64(len(s.watching)) * watchedKeyBytes
	if p := s.pubsub; p != nil {
		n += int64(len(p.patterns)) * patternBytes
		n += dictBytes(len(p.channels)) + dictBytes(len(p.shards))
	}
	if t := s.tracking; t != nil {
		// Redis counts rax nodes; a prefix takes about one node.
		n += int64(len(t.prefixes)) * trackingPrefixBytes
	}
	return n
}

// dictBytes is a Redis dict's entries and its power-of-two table.
func dictBytes(n int) int64 {
	if n == 0 {
		return 0
	}
	slots := int64(4)
	for slots < int64(n) {
		slots <<= 1
	}
	return int64(n)*channelBytes + slots*8
}
