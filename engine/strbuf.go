package engine

import "unsafe"

// Mutable string values. A string value is a Go string, and most of the
// engine relies on its bytes never changing: a snapshot encodes it outside
// the lock (BGSAVE, the AOF rewrite, a full sync), a large GET reply is
// queued by reference (Writer.BulkValue), COPY stores the same string under
// a second key. Yet SETBIT, SETRANGE, APPEND, BITFIELD, PFADD, PFCOUNT's
// cache, PFMERGE and BITOP write into values in place in Redis, and copying
// a 12 KB HyperLogLog or a 1 MB bitmap on every such write is most of what
// the command costs.
//
// So a value written by one of those commands may be owned: DB.owned maps
// its key to the byte slice the value is a view of, and while the entry
// matches the stored value (same first byte, same length) nothing outside
// the keyspace holds those bytes. A command then changes them where they
// are (writableString, storeOwned) instead of building a new value.
//
// The ownership ends (the entry is deleted: copy on the next write) whenever
// the value can become visible elsewhere:
//
//   - every read through DB.rawGet, and so through Session.lookup and the
//     lookups built on it (COPY, DUMP, RENAME, MOVE, OBJECT, MEMORY USAGE,
//     SORT, LCS, DEBUG OBJECT, ...) and the snapshot's capture and
//     preserve. Only readers that keep nothing of the bytes after the
//     command (GETBIT, BITCOUNT, BITPOS, BITFIELD GET, STRLEN, GETRANGE,
//     PFCOUNT, the sources of BITOP and PFMERGE, and the write commands
//     above) look with DB.peek instead;
//   - a GET or MGET reply queued by reference (Session.bulkValue); a
//     shorter reply is a copy;
//   - every replacement or removal of the key (the entry is dropped with
//     the value), FLUSHDB and a load. SWAPDB moves the entries with the
//     values.
//
// A snapshot in progress is covered by the first rule: writableString calls
// beforeChange first, whose preserve reads the value with rawGet, so the
// snapshot's copy and the keyspace's stop being one. Values shorter than
// ownedMinBytes are never owned: copying them costs less than the
// bookkeeping (a map entry per key), and the shortest are stored packed
// with their key. The room an owned value keeps for growth (as sds's
// greedy preallocation) is not counted in used_memory, which counts
// lengths.

// ownedMinBytes is the length from which a value written in place is kept
// owned.
const ownedMinBytes = 512

// ownedString is the buffer of an owned value: key is the stored copy of
// the key (a map assignment with it does not allocate), buf the value's
// bytes, with room to grow up to cap(buf).
type ownedString struct {
	key string
	buf []byte
}

// peek finds a key without looking at its deadline and without ending
// the ownership of its value: for callers that keep nothing of the bytes
// after the command.
func (db *DB) peek(key string) (str string, obj object, ok bool) {
	if s, found := db.strs.get(key); found {
		return s.v, nil, true
	}
	if o, found := db.objs.get(key); found {
		return "", o, true
	}
	return "", nil, false
}

// rawGet finds a key without looking at its deadline. A string value it
// returns may be kept by the caller: it is no longer changed in place.
func (db *DB) rawGet(key string) (str string, obj object, ok bool) {
	str, obj, ok = db.peek(key)
	if ok && obj == nil {
		db.disown(key)
	}
	return str, obj, ok
}

// disown ends the ownership of key's value: the caller keeps its bytes.
func (db *DB) disown(key string) {
	if len(db.owned) > 0 {
		delete(db.owned, key)
	}
}

// ownedBytes returns the buffer of key's value cur when it is owned, else
// nil.
func (db *DB) ownedBytes(key, cur string) []byte {
	if len(db.owned) == 0 {
		return nil
	}
	o, ok := db.owned[key]
	if !ok || len(o.buf) != len(cur) || len(cur) == 0 || unsafe.SliceData(o.buf) != unsafe.StringData(cur) {
		return nil
	}
	return o.buf
}

// ownsStored reports whether o is still the buffer of the value stored
// under its key.
func (db *DB) ownsStored(o ownedString) bool {
	cur, ok := db.strs.get(o.key)
	return ok && len(cur.v) == len(o.buf) && unsafe.StringData(cur.v) == unsafe.SliceData(o.buf)
}

// greedyCap is the room Redis's sdsMakeRoomFor leaves when a string
// grows to n bytes: double up to 1 MB, then 1 MB more.
func greedyCap(n int) int {
	const maxPrealloc = 1 << 20
	if n < maxPrealloc {
		return 2 * n
	}
	return n + maxPrealloc
}

// writableString returns key's string value cur (found: the key holds it)
// as bytes the command may change and then store with storeOwned, at least
// n long with zeros after cur: the value's own buffer when it is owned and
// has room, else a new copy (with room to grow further when it grows, as
// Redis's sdsgrowzero). It first lets snapshots set the old value aside.
func (s *Session) writableString(key []byte, cur string, found bool, n int) []byte {
	db := s.db
	k := tmpString(key)
	db.beforeChange(k) // may end the ownership (preserve reads with rawGet)
	if found {
		if b := db.ownedBytes(k, cur); b != nil {
			if n <= len(b) {
				return b
			}
			if n <= cap(b) {
				b = b[:n]
				clear(b[len(cur):])
				return b
			}
		}
	}
	if n <= len(cur) {
		b := make([]byte, len(cur))
		copy(b, cur)
		return b
	}
	c := n
	if found && n >= ownedMinBytes {
		c = greedyCap(n)
	}
	b := make([]byte, n, c)
	copy(b, cur)
	return b
}

// reusableString is writableString for a command that overwrites every
// byte of the value (BITOP's destination): key's owned buffer, whatever its
// contents, when it can hold n bytes without hoarding much more, else a
// new buffer. The key may hold any type.
func (s *Session) reusableString(key []byte, n int) []byte {
	db := s.db
	k := tmpString(key)
	db.beforeChange(k)
	if len(db.owned) > 0 {
		if cur, obj, found := db.peek(k); found && obj == nil {
			if b := db.ownedBytes(k, cur); b != nil && n <= cap(b) && cap(b) <= 2*n {
				return b[:n]
			}
		}
	}
	return make([]byte, n)
}

// storeOwned stores buf (from writableString or reusableString) as key's
// string value and keeps it owned. keepTTL keeps the deadline (every in
// place write but BITOP's); raw marks the value a raw sds (markRaw), as
// every value Redis writes in place is. A short value is stored unowned,
// the shortest copied and packed with their key.
func (s *Session) storeOwned(key []byte, buf []byte, keepTTL, raw bool) {
	if len(buf) <= packedValueMax {
		kv := packKV(key, buf)
		s.storeStringAs(key, kv[:len(key)], kv[len(key):], keepTTL, len(buf) > 0, raw)
		return
	}
	db := s.db
	val := unsafe.String(unsafe.SliceData(buf), len(buf))
	if len(buf) < ownedMinBytes {
		// buf is a new copy or the key's own buffer: storing it unowned
		// is safe, and nothing writes it in place from now on.
		s.storeStringAs(key, string(key), val, keepTTL, false, raw)
		return
	}
	o, had := db.owned[tmpString(key)]
	if had && keepTTL && unsafe.SliceData(o.buf) == unsafe.SliceData(buf) && len(o.buf) == len(buf) && db.ownsStored(o) {
		// The bytes changed where they are: the stored string is the same,
		// its memory too. What remains of a store is the write itself.
		db.noteWrite(o.key, s.e.nowMs)
		s.e.touchKey(db, o.key)
		if raw {
			db.markRawValue(o.key, val)
		}
		return
	}
	k := o.key
	if !had {
		k = string(key)
	}
	s.storeStringAs(key, k, val, keepTTL, false, raw)
	if db.owned == nil {
		db.owned = map[string]ownedString{}
	}
	db.owned[k] = ownedString{key: k, buf: buf}
}
