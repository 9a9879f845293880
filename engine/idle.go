package engine

import "unsafe"

// Every key carries an access record, a uint32 as the 24-bit lru field of
// Redis's object header (evict.go says what it holds under each policy):
// a string key's beside its value in the database's map (strEntry), a
// collection's in the value's header (snapMark). A lookup returns it with
// the value, and the eviction sampler reads it from the entry it samples,
// as Redis reads the lru field of the object it holds: no second table,
// no second hash of the key.
//
// Writes always refresh it; reads only under an LRU or LFU policy
// (touchRead), so a GET elsewhere costs no write. OBJECT IDLETIME then
// reports the time since the key was last written (or TOUCHed).

// strEntry is a string value as its database's map holds it.
type strEntry struct {
	v string
	// access is the key's access record; accessed says it was set.
	access   uint32
	accessed bool
	// packed: v's bytes follow the stored key's in one allocation
	// (setString), so the stored key can be had from v (storedKey). An
	// entry assigned with another copy of its key is not packed.
	packed bool
}

// storedKey is the key the map holds for e, given a key of equal bytes
// that may alias a request buffer: Go's map assignment stores the key it
// is given, so an entry changed through a borrowed key must be assigned
// with the stored one. A packed entry gives it without copying.
func (e strEntry) storedKey(key string) string {
	if e.packed {
		if len(key) == 0 {
			return ""
		}
		p := unsafe.Add(unsafe.Pointer(unsafe.StringData(e.v)), -len(key))
		return unsafe.String((*byte)(p), len(key))
	}
	return string([]byte(key))
}

// noteWrite records an access of key (present) at nowMs; key is a stored
// copy (one the map or the deadlines hold, or a new one).
func (db *DB) noteWrite(key string, nowMs int64) { db.noteAccess(key, nowMs, true) }

// noteWriteTmp is noteWrite for a key that may alias a request buffer.
func (db *DB) noteWriteTmp(key string, nowMs int64) { db.noteAccess(key, nowMs, false) }

func (db *DB) noteAccess(key string, nowMs int64, stored bool) {
	a := db.accessPolicy()
	if db.strs.len() > 0 {
		i := db.strs.shardFor(key)
		if e, ok := db.strs.getIn(i, key); ok {
			if r := a.record(e.access, e.accessed, nowMs); r != e.access || !e.accessed {
				if !stored || e.packed {
					key = e.storedKey(key)
				}
				e.access, e.accessed = r, true
				db.strs.setIn(i, key, e)
			}
			return
		}
	}
	if o, ok := db.objs.get(key); ok {
		h := o.mark()
		h.access, h.accessed = a.record(h.access, h.accessed, nowMs), true
	}
}

// setAccess sets key's access record (a key moved, restored or loaded
// with its idle time or frequency); key must be the stored key.
func (db *DB) setAccess(key string, r uint32) {
	if e, ok := db.strs.get(key); ok {
		e.access, e.accessed = r, true
		e.packed = false // assigned with key, which may be another copy
		db.strs.set(key, e)
		return
	}
	if o, ok := db.objs.get(key); ok {
		h := o.mark()
		h.access, h.accessed = r, true
	}
}

// writeTime returns key's access record.
func (db *DB) writeTime(key string) (uint32, bool) {
	if e, ok := db.strs.get(key); ok {
		return e.access, e.accessed
	}
	if o, ok := db.objs.get(key); ok {
		h := o.mark()
		return h.access, h.accessed
	}
	return 0, false
}

// idleSeconds is OBJECT IDLETIME's answer for an existing key.
func (db *DB) idleSeconds(key string, nowMs int64) int64 {
	t, ok := db.writeTime(key)
	if !ok {
		return 0
	}
	return max(nowMs/1000-int64(t), 0)
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
