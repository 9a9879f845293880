package engine

import (
	"runtime"
	"runtime/metrics"
	"sort"
	"time"
	"unsafe"
)

// used_memory is an accounting, not a reading of the Go heap: the heap
// holds garbage until the next collection (up to as much again as the live
// data), so it would make eviction and the output limits act on noise.
// Like Redis's zmalloc counter, the accounting follows every change at
// once:
//
//   - every key adds its bytes, rounded to Go's size classes, and a fixed
//     share of the hash tables that index it (keySlotBytes);
//   - a string value adds its bytes (with its key when they share one
//     allocation, see setString);
//   - a value of another type adds what its memUsage says. Types keep
//     their size up to date as they change, so the call is O(1); a command
//     that may change a value in place puts it on the keyspace's dirty list
//     (lookup), and the difference is settled after the command (settle);
//   - deadlines add expireSlotBytes each;
//   - clients add their query buffer, pending replies and queued MULTI
//     commands (noteMemory), the replication backlog its size.
//
// A new type plugs in by implementing memSizer (see list.memUsage): keep a
// running count of the bytes its elements hold, and add the structure
// around them from lengths and capacities.

// memSizer is implemented by value types that report their memory in
// O(1). Types without it are measured by approxBytes (O(N)) or counted as
// a fixed size.
type memSizer interface {
	memUsage() int64
}

// memAccount is the engine's running count of keyspace memory, shared by
// the main keyspace and the sandboxes'.
type memAccount struct {
	// data is the bytes of keys and values (with their table slots) of
	// every keyspace, as settled so far.
	data int64
	// dirty are values that a command may have changed in place since
	// the last settle.
	dirty []object
}

// Fixed costs of Go's structures, measured with runtime.MemStats on
// amd64 (TestUsedMemoryFollowsHeap keeps them honest): a key's slot in a
// Go map of string to a string entry (with the key's access record,
// idle.go) or interface, at a typical load of two thirds; a deadline's slot in
// map[string]int64 (its key shares the stored key's bytes when SET gave
// the deadline; EXPIRE's copy of a short key, 16 bytes more, is not
// counted); a value's header (the object and its interface).
const (
	keySlotBytes    = 72
	expireSlotBytes = 56
	objHeaderBytes  = 48
	// clientFixedBytes is what a connected client costs besides its
	// buffers: the Session and the host's per-connection state.
	clientFixedBytes = 2048
)

// goSizeClasses are Go's small-object size classes (runtime/sizeclasses.go).
var goSizeClasses = [...]int64{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}

// smallClass maps (n+7)/8 to the size class of n, for n up to 1024: the
// accounting of every write asks, so the common sizes are one load.
var smallClass = func() (t [129]uint16) {
	c := 0
	for i := range t {
		for goSizeClasses[c] < int64(i*8) {
			c++
		}
		t[i] = uint16(goSizeClasses[c])
	}
	return t
}()

// goAllocSize is what Go's allocator uses for a request of n bytes.
func goAllocSize(n int64) int64 {
	switch {
	case n <= 0:
		return 0
	case n <= 1024:
		return int64(smallClass[(n+7)>>3])
	case n > 32768:
		return (n + 8191) &^ 8191
	}
	i := sort.Search(len(goSizeClasses), func(i int) bool { return goSizeClasses[i] >= n })
	return goSizeClasses[i]
}

// strMem is the memory of a string's bytes held on their own.
func strMem(s string) int64 { return goAllocSize(int64(len(s))) }

// stringKeyMem is the memory of a string key and its value: one allocation
// when setString packed them together, else two.
func stringKeyMem(k, v string) int64 {
	if len(v) <= packedValueMax {
		return keySlotBytes + goAllocSize(int64(len(k)+len(v)))
	}
	return keySlotBytes + strMem(k) + strMem(v)
}

// objectMem is a value's memory, its header included.
func objectMem(o object) int64 {
	switch v := o.(type) {
	case memSizer:
		return objHeaderBytes + v.memUsage()
	case sizer:
		return objHeaderBytes + v.approxBytes()
	}
	return objHeaderBytes + 64
}

func (ks *Keyspace) addMem(n int64) {
	if ks != nil && ks.mem != nil {
		ks.mem.data += n
	}
}

// stringStored accounts for a string value replacing old (had: there was
// one) under key.
func (db *DB) stringStored(key, val, old string, had bool) {
	n := stringKeyMem(key, val)
	if had {
		n -= stringKeyMem(key, old)
	}
	db.strMem += n
	db.ks.addMem(n)
}

// stringRemoved accounts for a string key that went.
func (db *DB) stringRemoved(key, old string) {
	n := stringKeyMem(key, old)
	db.strMem -= n
	db.ks.addMem(-n)
}

// counted is the memory used_memory counts for the value, and whether
// it counts it at all.
func (m *snapMark) counted() (int64, bool) {
	if m.mem == 0 {
		return 0, false
	}
	return int64(m.mem-1) * 8, true
}

// count records n (a multiple of 8) as the value's counted memory.
func (m *snapMark) count(n int64) { m.mem = uint32(min(n/8, 1<<32-2)) + 1 }

// objectStored accounts for a value of another type stored under a key:
// its size is settled after the command (it is often filled after being
// stored).
func (db *DB) objectStored(key string, o object) {
	ks := db.ks
	if ks == nil || ks.mem == nil {
		return
	}
	h := o.mark()
	if n, ok := h.counted(); ok {
		// Stored twice without a removal in between: count it once.
		ks.mem.data -= n
	}
	h.count(0)
	ks.mem.data += keySlotBytes + strMem(key)
	ks.mem.dirty = append(ks.mem.dirty, o)
}

// objectRemoved accounts for a value of another type that left its key.
func (db *DB) objectRemoved(key string, o object) {
	h := o.mark()
	if n, ok := h.counted(); ok {
		db.ks.addMem(-n - keySlotBytes - strMem(key))
	}
	h.mem = 0
}

// mayChange notes that the running command may change o in place.
func (ks *Keyspace) mayChange(o object) {
	if ks.mem != nil && o.mark().mem != 0 {
		ks.mem.dirty = append(ks.mem.dirty, o)
	}
}

// settle brings the accounting up to date with the values changed in
// place since the last call.
func (m *memAccount) settle() {
	for i, o := range m.dirty {
		h := o.mark()
		if old, ok := h.counted(); ok {
			n := (objectMem(o) + 7) &^ 7
			m.data += n - old
			h.count(n)
		}
		m.dirty[i] = nil
	}
	m.dirty = m.dirty[:0]
}

// cleared accounts for db being emptied at once (FLUSHDB, FLUSHALL): its
// strings are counted in strMem; its other values are released one by one.
func (db *DB) cleared() {
	db.ks.addMem(-db.strMem)
	db.strMem = 0
	db.objs.each(func(k string, o object) bool {
		db.objectRemoved(k, o)
		return true
	})
}

// memBreakdown is used_memory in parts, as MEMORY STATS reports it.
type memBreakdown struct {
	startup      int64
	dataset      int64 // keys and values, including their slots
	expires      int64
	clients      int64 // normal and pub/sub clients
	replicas     int64 // replica clients' buffers
	backlog      int64
	keys         int64
	expiringKeys int64
}

func (b memBreakdown) total() int64 {
	return b.startup + b.dataset + b.expires + b.clients + b.replicas + b.backlog
}

// memory returns used_memory and its parts.
func (e *Engine) memory() memBreakdown {
	e.mem.settle()
	var b memBreakdown
	b.startup = e.startupMemory
	b.dataset = e.mem.data
	for _, db := range e.main.dbs {
		b.keys += int64(db.size())
		b.expiringKeys += int64(len(db.expires))
	}
	b.expires = b.expiringKeys * expireSlotBytes
	b.clients = e.clientMem.Load()
	b.replicas = e.replicaOutputMemory()
	b.clients -= b.replicas
	if e.repl.feeding {
		b.backlog = e.repl.backlog.allocated()
	}
	return b
}

// usedMemory is INFO's used_memory.
func (e *Engine) usedMemory() int64 { return e.memory().total() }

// replicationBuffers is mem_total_replication_buffers, Redis 7's one
// replication buffer that the backlog and the replicas share: the
// backlog's blocks (which hold the stream of replicas waiting for their
// payload) and the stream queued to online replicas, which GoRedis copies
// into their output. The replicas' other client memory is not in it.
func (e *Engine) replicationBuffers(backlog int64) int64 {
	n := backlog
	for _, l := range e.repl.replicas {
		_, _, omem := e.outputUsage(l.s)
		n += omem
	}
	return n
}

// replicaOutputMemory is what replicas' pending output holds (Redis does
// not count it against maxmemory).
func (e *Engine) replicaOutputMemory() int64 {
	var n int64
	for _, l := range e.repl.replicas {
		n += l.s.memNoted.Load()
	}
	return n
}

// sessionMemory is what a client costs besides its query buffer (which
// NoteQueryBuffer counts as the host reports it): fixed state, pending
// replies, queued MULTI commands, watched keys and subscriptions. As in
// Redis, the first replyChunkBytes of replies live in a buffer every
// client has (obl): a fixed cost; only the reply list past it (omem)
// grows with the replies. Called with s.mu held.
func (s *Session) sessionMemory() int64 {
	_, _, omem := s.w.replyList()
	return s.memoryWith(omem)
}

// memoryWith is sessionMemory with the reply list's size given.
func (s *Session) memoryWith(omem int64) int64 {
	return clientFixedBytes + int64(unsafe.Sizeof(*s)) + s.w.replyBufSize() + omem + s.stateMemory()
}

// noteMemory updates the engine's total of client memory with the
// session's current size. Called with s.mu held.
func (s *Session) noteMemory() {
	noted := s.memNoted.Load()
	if s.closed && noted == 0 {
		return
	}
	n := int64(0)
	if !s.closed {
		n = s.sessionMemory()
	}
	if d := n - noted; d != 0 {
		s.memNoted.Store(n)
		s.e.clientMem.Add(d)
	}
	if s.closed {
		s.dropQueryBufferMemory()
	}
}

// startupHeap is used_memory_startup: the heap the process holds when the
// engine is made, as Redis reports its own size before any data.
func startupHeap() int64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(sample[0].Value.Uint64())
}

// memReport is what INFO memory and MEMORY STATS print.
type memReport struct {
	b                                                          memBreakdown
	used, peak, overhead, dataset                              int64
	rss, allocated, active, resident                           int64
	peakPerc, datasetPerc                                      float64
	allocFragRatio, allocRSSRatio, rssOverheadRatio, fragRatio float64
}

func (e *Engine) memStats() memReport {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r := memReport{b: e.memory()}
	r.used = r.b.total()
	if uint64(r.used) > e.srv.peakMemory {
		e.srv.peakMemory = uint64(r.used)
	}
	r.peak = int64(e.srv.peakMemory)
	r.dataset = r.b.dataset - r.b.keys*keySlotBytes
	r.overhead = r.used - r.dataset
	r.rss = int64(ms.Sys)
	r.allocated, r.active, r.resident = int64(ms.HeapAlloc), int64(ms.HeapInuse), int64(ms.HeapSys)
	ratio := func(a, b int64) float64 {
		if b <= 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	r.peakPerc = ratio(r.used, r.peak) * 100
	r.datasetPerc = ratio(r.dataset, r.used-r.b.startup) * 100
	r.allocFragRatio = ratio(r.active, r.allocated)
	r.allocRSSRatio = ratio(r.resident, r.active)
	r.rssOverheadRatio = ratio(r.rss, r.resident)
	r.fragRatio = ratio(r.rss, r.used)
	return r
}

// evictionExceededTimes are INFO's total_ and current_eviction_exceeded_time
// in milliseconds.
func (e *Engine) evictionExceededTimes() (total, current int64) {
	total = e.evict.exceededTotal.Milliseconds()
	if !e.evict.exceededSince.IsZero() {
		current = time.Since(e.evict.exceededSince).Milliseconds()
	}
	return total + current, current
}
