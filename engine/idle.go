package engine

import (
	"hash/maphash"
	"unsafe"
)

// OBJECT IDLETIME needs a time per key. Redis keeps a 24-bit LRU clock in
// every object header and refreshes it on every read and write. GoRedis
// stores string values as bare Go strings (no header to put a clock in), and
// refreshing a table on every read would cost GET a write, so each database
// keeps the last *write* time of every key, in seconds, for every type.
// IDLETIME therefore reports the time since the key was last written (or
// TOUCHed), not since it was last read.
//
// A Go map[string]uint32 for this costs about 56 bytes per key (a third of
// a small string key's footprint), so the times live in a compact
// open-addressing table keyed by the key's 64-bit hash: 12 bytes per slot,
// about 20 bytes per key. Two keys whose hashes collide (odds about n²/2⁶⁵)
// would share a time; nothing else depends on it.

// noteWrite records a write of key at now (unix ms). key may alias a
// request buffer: only its hash is kept.
func (db *DB) noteWrite(key string, nowMs int64) {
	db.noteWriteHashed(db.keyHash(key), nowMs)
}

// noteWriteTmp is noteWrite; the name marks call sites whose key aliases a
// request buffer.
func (db *DB) noteWriteTmp(key string, nowMs int64) { db.noteWrite(key, nowMs) }

// writeTime returns key's last write time (unix seconds).
func (db *DB) writeTime(key string) (uint32, bool) {
	return db.wtime.get(db.keyHash(key))
}

// forgetWrite drops key's write time (the key was deleted).
func (db *DB) forgetWrite(key string) {
	if db.wtime.n > 0 {
		db.wtime.del(db.keyHash(key))
	}
}

// idleSeconds is OBJECT IDLETIME's answer for an existing key.
func (db *DB) idleSeconds(key string, nowMs int64) int64 {
	t, ok := db.writeTime(key)
	if !ok {
		return 0
	}
	return max(nowMs/1000-int64(t), 0)
}

// noteWriteHashed is noteWrite for a key whose hash (db.strs.hash) the
// caller has.
func (db *DB) noteWriteHashed(h uint64, nowMs int64) {
	if h == 0 {
		h = 1 // as keyHash
	}
	if a := db.accessPolicy(); a != nil && a.cfg.mm.lfu() {
		// A write is an access: the LFU counter grows (evict.go).
		old, had := db.wtime.get(h)
		db.wtime.set(h, a.record(old, had, nowMs))
		return
	}
	db.wtime.set(h, uint32(nowMs/1000))
}

func (db *DB) keyHash(key string) uint64 {
	h := maphash.String(db.strs.seed, key)
	if h == 0 {
		h = 1 // 0 marks an empty slot
	}
	return h
}

// timeTable maps 64-bit key hashes to uint32 times with linear probing and
// backward-shift deletion (no tombstones). It grows at 3/4 full and shrinks
// at 1/8, so memory follows the number of keys.
type timeTable struct {
	hashes []uint64 // 0 = empty slot
	times  []uint32
	n      int
}

const timeTableMin = 8

func (t *timeTable) slot(h uint64) int { return int(h & uint64(len(t.hashes)-1)) }

func (t *timeTable) get(h uint64) (uint32, bool) {
	if t.n == 0 {
		return 0, false
	}
	for i := t.slot(h); ; i = (i + 1) & (len(t.hashes) - 1) {
		switch t.hashes[i] {
		case h:
			return t.times[i], true
		case 0:
			return 0, false
		}
	}
}

func (t *timeTable) set(h uint64, v uint32) {
	if (t.n+1)*4 > len(t.hashes)*3 {
		t.resize(max(len(t.hashes)*2, timeTableMin))
	}
	for i := t.slot(h); ; i = (i + 1) & (len(t.hashes) - 1) {
		switch t.hashes[i] {
		case h:
			t.times[i] = v
			return
		case 0:
			t.hashes[i], t.times[i] = h, v
			t.n++
			return
		}
	}
}

func (t *timeTable) del(h uint64) {
	if t.n == 0 {
		return
	}
	mask := len(t.hashes) - 1
	i := t.slot(h)
	for t.hashes[i] != h {
		if t.hashes[i] == 0 {
			return
		}
		i = (i + 1) & mask
	}
	// Shift back the entries after i that would not be found any more
	// with a hole at i.
	for j := (i + 1) & mask; t.hashes[j] != 0; j = (j + 1) & mask {
		home := t.slot(t.hashes[j])
		// j stays if its home lies cyclically in (i, j].
		if (i <= j && i < home && home <= j) || (i > j && (home > i || home <= j)) {
			continue
		}
		t.hashes[i], t.times[i] = t.hashes[j], t.times[j]
		i = j
	}
	t.hashes[i], t.times[i] = 0, 0
	t.n--
	if len(t.hashes) > timeTableMin && t.n*8 < len(t.hashes) {
		t.resize(len(t.hashes) / 2)
	}
}

// reserve makes room for n entries without growing on the way.
func (t *timeTable) reserve(n int) {
	size := max(len(t.hashes), timeTableMin)
	for (n+1)*4 > size*3 {
		size *= 2
	}
	if size > len(t.hashes) {
		t.resize(size)
	}
}

func (t *timeTable) resize(size int) {
	old, oldTimes := t.hashes, t.times
	t.hashes, t.times, t.n = make([]uint64, size), make([]uint32, size), 0
	for i, h := range old {
		if h != 0 {
			t.set(h, oldTimes[i])
		}
	}
}

// bytesToString views b as a string; b must not be modified afterwards.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// stringToBytes views s as bytes for read-only parsing; the result must
// not be modified.
func stringToBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
