package engine

import (
	"cmp"
	"errors"
	"iter"
	"slices"
	"time"
)

// Point-in-time snapshots without fork. Redis forks and lets the kernel
// copy pages on write; Go cannot fork, so the engine does the copying
// itself, per key, and only for keys written while a snapshot is taken:
//
//   - A snapshot walks each database in hash order (the order SCAN uses).
//     Keys whose hash is below the walk's cursor are done; the others are
//     pending. Each hold of the engine lock does bounded work: it either
//     looks at the next snapGather keys of the window of hashes being
//     gathered (a shard of the keyspace), or takes the next snapChunk keys
//     of a gathered window in hash order, advancing the cursor past the
//     last key taken; a gathered window is sorted outside the lock. Between
//     holds the window's keys are plain strings: a key changed meanwhile
//     has been preserved (below) and is skipped, a key created meanwhile is
//     marked absent and skipped too.
//   - Before the first change of a pending key (a write, a delete, a new
//     deadline, an expiry, a key created that did not exist) the key's value
//     and deadline are set aside as they were ("preserved"), and the walk
//     later writes that instead of the live key.
//   - Values are written outside the lock. A string the snapshot holds is
//     no longer written in place (taking it ends its ownership: strbuf.go);
//     a collection the snapshot holds (captured by the walk or preserved) is
//     frozen: the first write to it through a lookup clones it into the
//     keyspace and the command changes the clone, so nobody writes what the
//     walk reads (copy-on-write per value, where fork copies per page).
//   - FLUSHDB hands the database's old tables to the snapshot, which walks
//     them without anyone else touching them; SWAPDB moves the snapshot's
//     state with the data; FLUSHALL aborts the snapshot, as Redis's
//     FLUSHALL kills its saving child.
//
// Snapshot is the API persistence drivers use (BGSAVE, SAVE, the AOF
// rewrite's RDB preamble): Engine.BeginSnapshot (or the locked variants the
// engine uses for SAVE), then Next until it returns no keys, then Close.

// ErrSnapshotAborted is returned by Snapshot.Next after FLUSHALL (or
// Engine.AbortSnapshots) ended the snapshot, as Redis kills a saving child.
var ErrSnapshotAborted = errors.New("snapshot aborted")

// SnapshotKey is one key of a snapshot, its value already encoded.
type SnapshotKey struct {
	// DB is the database index the key had when the snapshot began.
	DB  int
	Key string
	// Value is the RDB type byte and the encoded value.
	Value []byte
	// ExpireMs is the deadline in unix milliseconds, or -1.
	ExpireMs int64
	// Idle is the key's idle time in seconds when maxmemory-policy is an
	// LRU policy (RDB_OPCODE_IDLE), else -1.
	Idle int64
}

// snapMark is embedded in every collection: the generation of the
// snapshot that froze it.
type snapMark struct {
	gen uint32
	// mem is the value's memory as used_memory counts it, in 8-byte units
	// plus one; 0 while the value is not stored in a counted keyspace
	// (memory.go). It shares the header's word with gen: values stay as
	// small as before.
	mem uint32
	// access is the key's access record (idle.go), as the lru field of
	// Redis's object header; accessed says it was ever set.
	access   uint32
	accessed bool
}

func (m *snapMark) mark() *snapMark { return m }

// Snapshot is a consistent view of the main keyspace at the moment it
// began, read while clients go on writing.
type Snapshot struct {
	e      *Engine
	gen    uint32
	enc    valueEncoder
	locked bool // the caller holds the engine lock throughout (SAVE)
	// survivesFlushAll: FLUSHALL leaves it running (an AOF rewrite).
	survivesFlushAll bool
	dbs              []*dbSnap
	cur              int // database being walked
	// lru: write IDLE hints (an LRU maxmemory-policy).
	lru     bool
	startMs int64
	aborted bool
	closed  bool
	// arena holds the encoded values of the last batch; ends[i] is where
	// value i ends in it.
	arena []byte
	ends  []int
	// found is the storage of the window of keys being captured, kept
	// between calls.
	found []hashedKey
	// holds counts the engine lock holds of Next (and their total time in
	// holdTotal), for diagnostics.
	holds     int64
	holdTotal time.Duration
	// pending holds the keys taken from the keyspace under the lock, all
	// in database pendingDB; pending[:encoded] were handed out, the rest
	// are still to encode (their collections are frozen).
	pending   []capturedKey
	encoded   int
	pendingDB int
	// keysDone counts keys returned, for INFO current_save_keys_processed.
	keysDone int64
	keysAll  int64
	settings SaveSettings
	// cowBytes estimates what was copied because of writes during the
	// snapshot (preserved and cloned values), for INFO current_cow_size.
	cowBytes int64
	// longestHold is the longest time a Next held the engine lock (what
	// a client could wait because of the snapshot).
	longestHold time.Duration
	// functions is the code of the function libraries (scripting.go).
	functions [][]byte
}

type capturedKey struct {
	key      string
	str      string
	obj      object
	deadline int64
	idle     int64
}

// dbSnap is a snapshot's state for one database's data.
type dbSnap struct {
	s     *Snapshot
	index int
	// db is where the data lives now (SWAPDB moves it).
	db *DB
	// cursor: keys whose hash is below it are done.
	cursor   uint64
	finished bool
	// preserved holds the pre-write state of pending keys changed since
	// the snapshot began; absent marks keys that did not exist.
	preserved map[string]capturedKey
	absent    map[string]struct{}
	// detached holds the tables FLUSHDB took away, walked instead of db.
	detached *DB
	// window holds the keys of the window being captured, sorted by hash;
	// those from wpos on are still to take. windowHi is the window's last
	// hash.
	window   []hashedKey
	wpos     int
	windowLo uint64
	windowHi uint64
	inWindow bool
	// gatherNext yields the keys of the window's shards while it is
	// gathered (gatherStop ends that walk); unsorted: the window is
	// gathered and waits to be sorted outside the lock.
	gatherNext func() (string, bool)
	gatherStop func()
	unsorted   bool
	// walkNext yields the database's keys and values for a locked
	// snapshot (captureLocked); walkStop ends that walk.
	walkNext func() (capturedKey, bool)
	walkStop func()
	// rest holds the preserved keys once the walk is done, returned a
	// chunk at a time.
	rest []capturedKey
	// emittedPreserved: the preserved keys were moved to rest.
	emittedPreserved bool
	keys, expires    int
}

// BeginSnapshot starts a snapshot of the main keyspace for a reader in
// another goroutine (BGSAVE, AOF rewrite). The engine lock is held only
// briefly, here and in each Next.
func (e *Engine) BeginSnapshot() *Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.beginSnapshot(false)
}

// BeginSnapshotLocked is BeginSnapshot for a caller that holds the engine
// lock (an AppendOnlyFile method, a function run by Exclusive): the AOF
// rewrite switches to a new incr file and begins its snapshot between the
// same two commands.
func (e *Engine) BeginSnapshotLocked() *Snapshot { return e.beginSnapshot(false) }

// BeginRewriteSnapshotLocked is BeginSnapshotLocked for an AOF rewrite:
// FLUSHALL does not end it. Redis's FLUSHALL kills only the RDB child; the
// rewrite child goes on with the data of its fork, and the incr file
// that follows the new base holds the FLUSHALL.
func (e *Engine) BeginRewriteSnapshotLocked() *Snapshot {
	s := e.beginSnapshot(false)
	s.survivesFlushAll = true
	return s
}

// beginSnapshot starts a snapshot; locked means the caller reads it all
// while holding the engine lock (SAVE), so nothing needs preserving.
func (e *Engine) beginSnapshot(locked bool) *Snapshot {
	s := &Snapshot{e: e, enc: e.encoder(), locked: locked, startMs: e.now().UnixMilli()}
	s.enc.scratch = &encScratch{}
	policy, _ := e.config.get("maxmemory-policy")
	s.lru = policy == "allkeys-lru" || policy == "volatile-lru"
	s.settings = e.saveSettings()
	s.functions = e.snapshotFunctions()
	if !locked {
		e.snapGen++
		if e.snapGen == 0 {
			e.snapGen = 1
		}
		s.gen = e.snapGen
		e.snapshots = append(e.snapshots, s)
	}
	for i, db := range e.main.dbs {
		ds := &dbSnap{s: s, index: i, db: db, keys: db.size(), expires: len(db.expires)}
		s.keysAll += int64(ds.keys)
		if !locked {
			db.snaps = append(db.snaps, ds)
		}
		s.dbs = append(s.dbs, ds)
	}
	return s
}

// DBs is the number of databases.
func (s *Snapshot) DBs() int { return len(s.dbs) }

// DBSize is database i's number of keys and of keys with a deadline when
// the snapshot began (RDB's RESIZEDB hint).
func (s *Snapshot) DBSize(i int) (keys, expires int) { return s.dbs[i].keys, s.dbs[i].expires }

// Progress is the number of keys returned so far and the number there
// were when the snapshot began.
func (s *Snapshot) Progress() (done, total int64) {
	s.lock()
	defer s.unlock()
	return s.keysDone, s.keysAll
}

// CopiedBytes estimates the memory copied because keys were written
// during the snapshot (Redis's copy-on-write size).
func (s *Snapshot) CopiedBytes() int64 {
	s.lock()
	defer s.unlock()
	return s.cowBytes
}

func (s *Snapshot) lock() {
	if !s.locked {
		s.e.mu.Lock()
	}
}

func (s *Snapshot) unlock() {
	if !s.locked {
		s.e.mu.Unlock()
	}
}

// Next appends the next keys to dst (reusing its storage) and returns it;
// no keys means the snapshot is complete. The values stay valid until the
// next call. Keys come database by database,
// in ascending DB order.
func (s *Snapshot) Next(dst []SnapshotKey) ([]SnapshotKey, error) {
	dst = dst[:0]
	for {
		s.lock()
		held := time.Now()
		if s.aborted {
			s.unlock()
			return dst, ErrSnapshotAborted
		}
		if s.encoded == len(s.pending) {
			// The previous batch is encoded: it is no longer in flight.
			clear(s.pending)
			s.pending = s.pending[:0]
			s.encoded = 0
			// Bounded work per hold: a step that gathered a large window
			// or took a full chunk ends it; small steps (empty databases,
			// small windows) go on up to snapSteps.
			for steps := 0; s.cur < len(s.dbs) && len(s.pending) == 0 && steps < snapSteps; steps++ {
				ds := s.dbs[s.cur]
				full := ds.capture(&s.pending)
				s.pendingDB = ds.index
				if ds.done() {
					s.cur++
				}
				if full {
					break
				}
			}
		}
		if !s.locked {
			d := time.Since(held)
			s.holds++
			s.holdTotal += d
			if d > s.longestHold {
				s.longestHold = d
			}
		}
		if len(s.pending) > s.encoded || s.cur >= len(s.dbs) {
			break
		}
		var toSort *dbSnap
		if s.cur < len(s.dbs) && s.dbs[s.cur].unsorted {
			toSort = s.dbs[s.cur]
		}
		s.unlock()
		if toSort != nil {
			// The window is the snapshot's own slice of immutable
			// strings: no lock needed, and none held while sorting.
			toSort.sortWindow()
		}
	}
	db := s.pendingDB
	// Encode outside the lock: the strings are no longer written in place
	// and every collection in the batch is frozen. The values share one
	// buffer (the caller is done with the previous call's when it calls
	// Next); a batch of large values is handed out over several calls, so
	// the buffer stays about snapshotArenaBytes, reused warm, instead of
	// growing to the batch.
	batch := s.pending[s.encoded:]
	s.unlock()
	arena := s.arena[:0]
	ends := s.ends[:0]
	n := 0
	for _, c := range batch {
		if n > 0 && len(arena) >= snapshotArenaBytes {
			break
		}
		arena = s.enc.appendValue(arena, c.str, c.obj)
		ends = append(ends, len(arena))
		n++
	}
	batch = batch[:n]
	s.arena, s.ends = arena, ends
	start := 0
	for i, c := range batch {
		dst = append(dst, SnapshotKey{DB: db, Key: c.key, Value: arena[start:ends[i]:ends[i]], ExpireMs: c.deadline, Idle: c.idle})
		start = ends[i]
	}
	s.lock()
	s.encoded += n
	s.keysDone += int64(n)
	s.unlock()
	return dst, nil
}

// snapshotArenaBytes bounds the encoded values one Snapshot.Next returns
// (at least one value, whatever its size).
const snapshotArenaBytes = 1 << 20

// LongestLockHold is the longest time one Next held the engine lock, for
// diagnostics (with the time a descheduled thread held it).
func (s *Snapshot) LongestLockHold() time.Duration {
	s.lock()
	defer s.unlock()
	return s.longestHold
}

// LockHolds is the number of times Next held the engine lock and the
// time it held it in all.
func (s *Snapshot) LockHolds() (holds int64, total time.Duration) {
	s.lock()
	defer s.unlock()
	return s.holds, s.holdTotal
}

// Close ends the snapshot (complete or not): writes stop preserving for it.
func (s *Snapshot) Close() {
	s.lock()
	defer s.unlock()
	s.detach()
}

// detach removes the snapshot from the engine; locked.
func (s *Snapshot) detach() {
	if s.closed {
		return
	}
	s.closed = true
	for _, ds := range s.dbs {
		ds.stopGather() // a walk left half way (an error, FLUSHALL)
	}
	if s.locked {
		return
	}
	e := s.e
	for _, ds := range s.dbs {
		ds.db.snaps = removeSnap(ds.db.snaps, ds)
	}
	for i, x := range e.snapshots {
		if x == s {
			e.snapshots = append(e.snapshots[:i], e.snapshots[i+1:]...)
			break
		}
	}
}

func removeSnap(list []*dbSnap, ds *dbSnap) []*dbSnap {
	for i, x := range list {
		if x == ds {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

// AbortSnapshots ends every snapshot in progress (FLUSHALL): their Next
// returns ErrSnapshotAborted. Locked.
func (e *Engine) abortSnapshots() { e.abortSnapshotsBut(false) }

// abortSnapshotsBut is abortSnapshots, sparing the AOF rewrites' when
// forFlushAll; locked.
func (e *Engine) abortSnapshotsBut(forFlushAll bool) {
	var kept []*Snapshot
	for len(e.snapshots) > 0 {
		s := e.snapshots[0]
		if forFlushAll && s.survivesFlushAll {
			kept = append(kept, s)
			e.snapshots = e.snapshots[1:]
			continue
		}
		s.aborted = true
		s.detach()
		if e.persist.bgsave == s {
			// Redis's parent learns at once that it killed the child.
			e.bgsaveEnded(s, ErrSnapshotAborted)
		}
	}
	e.snapshots = append(e.snapshots, kept...)
}

// Aborted reports whether FLUSHALL or SHUTDOWN ended the snapshot: a
// writer stops at once.
func (s *Snapshot) Aborted() bool {
	s.lock()
	defer s.unlock()
	return s.aborted
}

// frozen reports whether obj is held by a snapshot in progress.
func (e *Engine) frozen(obj object) bool {
	g := obj.mark().gen
	if g == 0 {
		return false
	}
	for _, s := range e.snapshots {
		if s.gen == g {
			return true
		}
	}
	return false
}

// freeze marks obj as held by snapshot s.
func (s *Snapshot) freeze(obj object) {
	if obj != nil && !s.locked {
		obj.mark().gen = s.gen
	}
}

// snapChunk is the most keys one hold of the engine lock takes from a
// window (or from the preserved keys), and snapGather the most keys it
// looks at while gathering one: what bounds a client's wait behind a
// snapshot to a few hundred map look-ups.
const (
	snapChunk  = 128
	snapGather = 512
)

// snapSteps is the most small steps (an empty database, a window of few
// keys) one hold takes.
const snapSteps = 16

// capture does one bounded step of the walk; locked. It takes the next
// keys of the gathered window into out, at most snapChunk of them, or
// looks at the next keys of the window being gathered. It reports whether
// the step was a full hold's work, although it may have added no key.
func (ds *dbSnap) capture(out *[]capturedKey) (full bool) {
	if ds.s.locked && !ds.finished {
		return ds.captureLocked(out)
	}
	if ds.finished {
		ds.takeRest(out)
		return len(*out) > 0
	}
	src := ds.db
	if ds.detached != nil {
		src = ds.detached
	}
	if !ds.inWindow {
		ds.openWindow(src)
	}
	if ds.gatherNext != nil {
		if ds.gather(src) {
			return true
		}
		if len(ds.window) > snapChunk {
			ds.unsorted = true // sorted by Next, outside the lock
			return true
		}
		ds.sortWindow()
	}
	if ds.unsorted {
		return true // cannot happen: Next sorts before the next hold
	}
	start := ds.wpos
	for ds.wpos < len(ds.window) && ds.wpos-start < snapChunk {
		// Keys of one hash go together: the cursor cannot split them.
		h := ds.window[ds.wpos].h
		for ds.wpos < len(ds.window) && ds.window[ds.wpos].h == h {
			ds.take(src, ds.window[ds.wpos], out)
			ds.wpos++
		}
		if h != ^uint64(0) {
			ds.cursor = h + 1
		}
	}
	if ds.wpos < len(ds.window) {
		return true
	}
	ds.inWindow = false
	ds.window = nil
	if ds.windowHi == ^uint64(0) {
		ds.finished = true
		ds.takeRest(out)
	} else {
		ds.cursor = ds.windowHi + 1
	}
	return ds.wpos-start >= snapChunk
}

// captureLocked is capture for a snapshot that holds the engine lock from
// its start to its end (SAVE): nothing changes under it, so the keys come
// straight from the tables, a chunk at a time, without the hashed and
// sorted windows a background snapshot needs to resume after writes
// (which made a SAVE spend a third of its time finding keys). A string
// stays writable in place: Next encodes it before the lock goes.
func (ds *dbSnap) captureLocked(out *[]capturedKey) bool {
	src := ds.db
	if ds.walkNext == nil {
		ds.walkNext, ds.walkStop = iter.Pull(func(yield func(capturedKey) bool) {
			ok := true
			src.strs.each(func(k string, v strEntry) bool {
				ok = yield(capturedKey{key: k, str: v.v})
				return ok
			})
			if ok {
				src.objs.each(func(k string, o object) bool { return yield(capturedKey{key: k, obj: o}) })
			}
		})
	}
	for n := 0; n < snapChunk; n++ {
		c, ok := ds.walkNext()
		if !ok {
			ds.stopGather()
			ds.finished = true
			return n > 0
		}
		c.deadline, c.idle = src.deadline(c.key), ds.idleOf(src, c.key)
		*out = append(*out, c)
	}
	return true
}

// openWindow starts gathering the window of hashes that begins at the
// cursor: a shard of the larger of the two tables.
func (ds *dbSnap) openWindow(src *DB) {
	bits := max(src.strs.shardBits(), src.objs.shardBits())
	lo := ds.cursor
	hi := ^uint64(0)
	if bits > 0 {
		hi = lo | (uint64(1)<<(64-uint(bits)) - 1)
	}
	strs, objs := src.strs.keysAround(lo, hi), src.objs.keysAround(lo, hi)
	ds.gatherNext, ds.gatherStop = iter.Pull(func(yield func(string) bool) {
		for k := range strs {
			if !yield(k) {
				return
			}
		}
		for k := range objs {
			if !yield(k) {
				return
			}
		}
	})
	ds.window, ds.wpos, ds.windowLo, ds.windowHi, ds.inWindow = ds.s.found[:0], 0, lo, hi, true
}

// gather looks at up to snapGather keys of the window's shards, keeping
// those in the window; it reports whether more remain.
func (ds *dbSnap) gather(src *DB) bool {
	for n := 0; n < snapGather; n++ {
		k, ok := ds.gatherNext()
		if !ok {
			ds.stopGather()
			ds.s.found = ds.window
			return false
		}
		if h := src.strs.hash(k); h >= ds.windowLo && h <= ds.windowHi {
			ds.window = append(ds.window, hashedKey{h, k})
		}
	}
	return true
}

// stopGather ends the walk of a window's shards, or of a locked
// snapshot's tables, if one is under way.
func (ds *dbSnap) stopGather() {
	if ds.gatherStop != nil {
		ds.gatherStop()
		ds.gatherNext, ds.gatherStop = nil, nil
	}
	if ds.walkStop != nil {
		ds.walkStop()
		ds.walkNext, ds.walkStop = nil, nil
	}
}

// sortWindow puts the gathered window in hash order.
func (ds *dbSnap) sortWindow() {
	slices.SortFunc(ds.window, func(a, b hashedKey) int { return cmp.Compare(a.h, b.h) })
	ds.unsorted = false
}

// take adds key to out unless a write preserved it (or it was created
// after the snapshot began).
func (ds *dbSnap) take(src *DB, hk hashedKey, out *[]capturedKey) {
	key := hk.k
	if _, ok := ds.preserved[key]; ok {
		return
	}
	if _, ok := ds.absent[key]; ok {
		return
	}
	// rawGetHashed, not peek: the snapshot keeps the string, which must
	// no longer be written in place (strbuf.go).
	str, obj, found := src.rawGetHashed(key, hk.h)
	if !found {
		return // cannot happen: a pending key is preserved before it goes
	}
	ds.s.freeze(obj)
	*out = append(*out, capturedKey{key: key, str: str, obj: obj, deadline: src.deadline(key), idle: ds.idleOf(src, key)})
}

// takeRest returns the keys preserved during the walk, a chunk at a time,
// once it is done (nothing is preserved for it any more).
func (ds *dbSnap) takeRest(out *[]capturedKey) {
	if !ds.emittedPreserved {
		ds.emittedPreserved = true
		ds.rest = make([]capturedKey, 0, len(ds.preserved))
		for _, c := range ds.preserved {
			ds.rest = append(ds.rest, c)
		}
		ds.preserved = nil
	}
	n := min(len(ds.rest), snapChunk)
	*out = append(*out, ds.rest[:n]...)
	ds.rest = ds.rest[n:]
}

// done reports whether every key of the database was returned.
func (ds *dbSnap) done() bool { return ds.finished && len(ds.rest) == 0 }

// idleOf is the key's IDLE hint, -1 unless an LRU policy is in force.
func (ds *dbSnap) idleOf(db *DB, key string) int64 {
	if !ds.s.lru {
		return -1
	}
	return db.idleSeconds(key, ds.s.startMs)
}

// pendingKey reports whether key is not yet done and not yet preserved.
func (ds *dbSnap) pendingKey(key string) bool {
	if ds.finished || ds.detached != nil {
		return false
	}
	if ds.db.strs.hash(key) < ds.cursor {
		return false
	}
	if _, ok := ds.preserved[key]; ok {
		return false
	}
	_, ok := ds.absent[key]
	return !ok
}

// preserve sets key's current state aside before it changes; locked.
func (ds *dbSnap) preserve(key string) {
	db := ds.db
	// rawGet ends in-place writes to str (strbuf.go).
	str, obj, found := db.rawGet(key)
	key = string([]byte(key)) // may alias a request buffer
	if !found {
		if ds.absent == nil {
			ds.absent = map[string]struct{}{}
		}
		ds.absent[key] = struct{}{}
		return
	}
	if ds.preserved == nil {
		ds.preserved = map[string]capturedKey{}
	}
	ds.s.freeze(obj)
	ds.preserved[key] = capturedKey{key: key, str: str, obj: obj, deadline: db.deadline(key), idle: ds.idleOf(db, key)}
	// What the snapshot keeps alive that the write would have freed: the
	// analogue of the pages a forked child keeps.
	ds.s.cowBytes += int64(len(key)+len(str)) + 64
	if obj != nil {
		ds.s.cowBytes += approxObjectBytes(obj)
	}
}

// beforeChange is called, with the engine locked, before key's value or
// deadline in db changes in any way (set, delete, expire, new deadline).
// Without a snapshot in progress it costs a length check.
func (db *DB) beforeChange(key string) {
	if len(db.snaps) > 0 {
		db.preserveForSnaps(key)
	}
}

func (db *DB) preserveForSnaps(key string) {
	for _, ds := range db.snaps {
		if ds.pendingKey(key) {
			ds.preserve(key)
		}
	}
}

// beforeMutate is called before a command changes obj, the value of key
// in db, in place; it returns the object to change: obj, or a clone put in
// its place when a snapshot holds obj.
func (e *Engine) beforeMutate(db *DB, key string, obj object) object {
	db.beforeChange(key)
	if !e.frozen(obj) {
		return obj
	}
	c := obj.copyObject()
	// The copy takes the original's place in the accounting; the original
	// is the snapshot's now.
	h, ch := obj.mark(), c.mark()
	ch.mem, h.mem = h.mem, 0
	ch.access, ch.accessed = h.access, h.accessed
	db.ks.mayChange(c)
	for _, s := range e.snapshots {
		if s.gen == obj.mark().gen {
			s.cowBytes += approxObjectBytes(c)
		}
	}
	db.objs.set(string([]byte(key)), c)
	return c
}

// approxObjectBytes estimates a collection's memory.
func approxObjectBytes(o object) int64 {
	if a, ok := o.(interface{ approxBytes() int64 }); ok {
		return a.approxBytes()
	}
	return 64
}

// beforeFlush is called before db is emptied (FLUSHDB): snapshots still
// walking it take its tables and go on from them.
func (db *DB) beforeFlush() {
	for _, ds := range db.snaps {
		if ds.finished || ds.detached != nil {
			continue
		}
		old := &DB{id: db.id, strs: db.strs, objs: db.objs, expires: db.expires}
		ds.detached = old
		for _, c := range ds.preserved {
			ds.s.freeze(c.obj)
		}
		old.objs.each(func(_ string, o object) bool { ds.s.freeze(o); return true })
	}
	db.snaps = db.snaps[:0]
}

// swapSnaps moves the snapshots' states with the data SWAPDB exchanged.
func swapSnaps(x, y *DB) {
	x.snaps, y.snaps = y.snaps, x.snaps
	for _, ds := range x.snaps {
		ds.db = x
	}
	for _, ds := range y.snaps {
		ds.db = y
	}
}
