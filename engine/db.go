package engine

import (
	"hash/maphash"
	"strings"
	"unsafe"
)

// DB is one logical database: string values in one map, every other type in
// another (so a string key costs no boxing), and deadlines of volatile keys
// in a third, as Redis keeps its expires dict apart.
type DB struct {
	id int
	// strs holds string values with their keys' access records
	// (idle.go); a collection keeps its record in its header.
	strs    smap[strEntry]
	objs    smap[object]
	expires map[string]int64 // unix milliseconds
	// rawStrs marks the string values that Redis would hold as raw,
	// unshared sds (made by APPEND to an existing key or by SETRANGE), by
	// their bytes' address, for OBJECT ENCODING. Any other write of the key
	// drops the mark.
	rawStrs map[string]*byte
	// owned holds the buffers of the string values that commands may
	// change in place, by key (strbuf.go). Any read that may keep a value
	// (rawGet) and any other write of the key drops its entry.
	owned map[string]ownedString
	// watched maps a key to the sessions that WATCH it.
	watched map[string][]*Session
	// blocked maps a key to the sessions blocked on it, in arrival order.
	blocked map[string][]*Session
	// snaps are the snapshots in progress over this database's data
	// (snapshot.go).
	snaps []*dbSnap
	// ks is the keyspace the database belongs to (keyspace notifications
	// are published there).
	ks *Keyspace
	// slots indexes the keys by hash slot in cluster mode (db 0 only;
	// cluster.go); nil otherwise.
	slots *slotIndex
	// strMem is the memory of the string keys, counted in ks's used
	// memory (memory.go).
	strMem int64
}

func newDB(id int, seed maphash.Seed) *DB {
	return &DB{
		id:      id,
		strs:    newSmap[strEntry](seed),
		objs:    newSmap[object](seed),
		expires: make(map[string]int64),
	}
}

// Keyspace is the set of logical databases that sessions select from.
// Normally one per engine; a sandboxed session gets a private one.
type Keyspace struct {
	dbs []*DB
	// pubsub indexes the sessions of this keyspace that hear about others:
	// channel and pattern subscribers, monitors, CLIENT TRACKING tables.
	// Nil until first used.
	pubsub *pubsubHub
	// mem counts the keyspace's memory in the engine's used_memory, and
	// access says how key accesses are recorded (LRU or LFU) for eviction;
	// both are the engine's, nil in keyspaces made outside one.
	mem    *memAccount
	access *accessPolicy
}

func newKeyspace(n int, seed maphash.Seed) *Keyspace {
	ks := &Keyspace{dbs: make([]*DB, n)}
	for i := range ks.dbs {
		ks.dbs[i] = newDB(i, seed)
		ks.dbs[i].ks = ks
	}
	return ks
}

// tmpString views b as a string without copying. The result must not be
// stored or outlive b: it is for map look-ups and deletes only. Never use it
// as the key of a map assignment, even for a key that exists: Go's map
// assignment replaces the stored key string with the new one, which would
// then alias a reused request buffer.
func tmpString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// size is the number of keys, including ones expired but not yet reclaimed.
func (db *DB) size() int { return db.strs.len() + db.objs.len() }

// rawGetHashed is rawGet for a key whose hash h (strs.hash) is known. A
// string value it returns may be kept: it is no longer changed in place.
func (db *DB) rawGetHashed(key string, h uint64) (str string, obj object, ok bool) {
	if s, found := db.strs.getIn(db.strs.shardOf(h), key); found {
		db.disown(key)
		return s.v, nil, true
	}
	if o, found := db.objs.getIn(db.objs.shardOf(h), key); found {
		return "", o, true
	}
	return "", nil, false
}

// exists reports whether key is present, without expiring it.
func (db *DB) rawExists(key string) bool {
	_, _, ok := db.peek(key) // the value is not returned: it stays writable
	return ok
}

// removeRaw deletes key and its deadline; reports whether it existed.
func (db *DB) removeRaw(key string) bool {
	db.beforeChange(key)
	found := false
	if old, ok := db.strs.take(key); ok {
		db.stringRemoved(key, old.v)
		found = true
	} else if o, ok := db.objs.take(key); ok {
		db.objectRemoved(key, o)
		found = true
	}
	if found && db.slots != nil {
		db.slots.remove(key)
	}
	if found {
		if len(db.expires) > 0 {
			delete(db.expires, key)
		}
		if len(db.rawStrs) > 0 {
			delete(db.rawStrs, key)
		}
		if len(db.owned) > 0 {
			delete(db.owned, key)
		}
	}
	return found
}

// markRaw notes that key's current string value is a raw sds in Redis.
// The mark is the stored value's address (setString may have copied it).
// key may be a view of a request buffer: it is copied when a mark is
// added, and a value marked already (a bitmap written again) costs no
// allocation.
func (db *DB) markRaw(key string) {
	if e, ok := db.strs.get(key); ok {
		db.markRawValue(key, e.v)
	}
}

// markRawValue is markRaw for a caller that has just looked up key's
// value val (unchanged since): the value is not looked up again.
func (db *DB) markRawValue(key, val string) {
	p := unsafe.StringData(val)
	if q, ok := db.rawStrs[key]; ok && q == p {
		return
	}
	if db.rawStrs == nil {
		db.rawStrs = map[string]*byte{}
	}
	db.rawStrs[strings.Clone(key)] = p
}

// isRaw reports whether key's value val was marked by markRaw.
func (db *DB) isRaw(key, val string) bool {
	p, ok := db.rawStrs[key]
	return ok && p == unsafe.StringData(val)
}

// setStringRaw stores a string value, replacing any value of any type,
// and keeps the access record of the value it replaces (a new key gets
// none until its caller notes the write). The deadline is left alone;
// callers clear or keep it.
func (db *DB) setStringRaw(key, val string) {
	db.beforeChange(key)
	db.replaceString(key, val, false, false, false, 0)
}

// replaceString stores val under key in place of a value of any type,
// after beforeChange. The key keeps the access record of the value it
// replaces, as Redis's dbOverwrite keeps an LFU counter; record notes the
// store itself as an access at nowMs. packed says val's bytes follow the
// key's in one allocation (strEntry); raw marks the value as Redis's raw
// encoding (markRaw) in the same pass, with key the stored copy.
func (db *DB) replaceString(key, val string, packed, raw, record bool, nowMs int64) {
	wasObj := false
	var access uint32
	accessed := false
	if db.objs.len() > 0 {
		if o, ok := db.objs.take(key); ok {
			db.objectRemoved(key, o)
			wasObj = true
			h := o.mark()
			access, accessed = h.access, h.accessed
		}
	}
	if raw {
		if db.rawStrs == nil {
			db.rawStrs = map[string]*byte{}
		}
		db.rawStrs[key] = unsafe.StringData(val)
	} else if len(db.rawStrs) > 0 {
		delete(db.rawStrs, key)
	}
	if len(db.owned) > 0 {
		delete(db.owned, key)
	}
	i := db.strs.shardFor(key)
	old, had := db.strs.getIn(i, key)
	if had {
		access, accessed = old.access, old.accessed
	}
	if record {
		access, accessed = db.accessPolicy().record(access, accessed, nowMs), true
	}
	db.strs.setIn(i, key, strEntry{v: val, access: access, accessed: accessed, packed: packed})
	db.stringStored(key, val, old.v, had)
	if !had && !wasObj && db.slots != nil {
		db.slots.add(key)
	}
}

// setObjRaw stores a non-string value, replacing any value of any type.
func (db *DB) setObjRaw(key string, val object) {
	db.beforeChange(key)
	wasStr := false
	if db.strs.len() > 0 {
		if old, ok := db.strs.take(key); ok {
			db.stringRemoved(key, old.v)
			wasStr = true
			if h := val.mark(); !h.accessed {
				// The new value takes the replaced one's access record,
				// as a key's record survives its being set again.
				h.access, h.accessed = old.access, true
			}
		}
	}
	if len(db.rawStrs) > 0 {
		delete(db.rawStrs, key)
	}
	if len(db.owned) > 0 {
		delete(db.owned, key)
	}
	o, had := db.objs.swap(key, val)
	if had && o != val {
		db.objectRemoved(key, o)
		if h, oh := val.mark(), o.mark(); !h.accessed {
			h.access, h.accessed = oh.access, oh.accessed
		}
	}
	db.objectStored(key, val)
	if !had && !wasStr && db.slots != nil {
		db.slots.add(key)
	}
}

func (db *DB) clear() {
	db.cleared()
	db.strs.clear()
	db.objs.clear()
	if db.slots != nil {
		db.slots = &slotIndex{}
	}
	db.expires = make(map[string]int64)
	db.rawStrs = nil
	db.owned = nil
}

// deadline returns the key's expiry in unix ms, or -1.
func (db *DB) deadline(key string) int64 {
	if len(db.expires) == 0 {
		return -1
	}
	if t, ok := db.expires[key]; ok {
		return t
	}
	return -1
}

// scanKeys returns about count keys from cursor on.
func (db *DB) scanKeys(cursor uint64, count int) ([]string, uint64) {
	b := max(db.strs.shardBits(), db.objs.shardBits())
	return scanStep(cursor, count, func(dst []hashedKey, lo, hi uint64) []hashedKey {
		dst = db.strs.collectRange(dst, lo, hi)
		return db.objs.collectRange(dst, lo, hi)
	}, b)
}
