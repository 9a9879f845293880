package engine

import (
	"strings"
)

// Key access for handlers: every read goes through lookup (which expires a
// due key first, as Redis's lookupKey does) and every write through the
// set/delete helpers (which keep deadlines, watchers and blocked clients in
// step).

// lookup returns key's value, expiring it first if due. obj is nil for a
// string value.
func (s *Session) lookup(key []byte) (str string, obj object, found bool) {
	return s.lookupKeeping(key, true)
}

// lookupKeeping is lookup; keep = false is for a caller that keeps nothing
// of a string value's bytes after the command, so that the value stays
// writable in place (strbuf.go).
func (s *Session) lookupKeeping(key []byte, keep bool) (str string, obj object, found bool) {
	k := tmpString(key)
	db := s.db
	if keep {
		str, obj, found = db.rawGet(k)
	} else {
		str, obj, found = db.peek(k)
	}
	if found && len(db.expires) > 0 && s.e.expireIfNeeded(db, k) {
		return "", nil, false
	}
	if obj != nil && s.e.mutating {
		if len(s.e.snapshots) > 0 {
			// A write command may change obj in place: a snapshot that
			// holds it keeps it, and the command gets a copy (snapshot.go).
			obj = s.e.beforeMutate(db, k, obj)
		}
		db.ks.mayChange(obj)
	}
	return str, obj, found
}

// lookupRead is lookup for commands that read a value, counting keyspace
// hits and misses for INFO; a miss is a "keymiss" event, as in Redis's
// lookupKeyRead.
func (s *Session) lookupRead(key []byte) (str string, obj object, found bool) {
	return s.lookupReadKeeping(key, true)
}

// lookupReadKeeping is lookupRead; keep as in lookupKeeping.
func (s *Session) lookupReadKeeping(key []byte, keep bool) (str string, obj object, found bool) {
	str, obj, found = s.lookupKeeping(key, keep)
	if found {
		if s.e.config.mm.policy&(mmFlagLRU|mmFlagLFU) != 0 {
			s.db.touchRead(tmpString(key), s.e.nowMs)
		}
		s.e.stats.keyspaceHits++
	} else {
		s.e.stats.keyspaceMisses++
		s.notifyEvent(notifyKeyMiss, "keymiss", key)
	}
	return str, obj, found
}

// exists reports whether key is present (and not expired).
func (s *Session) exists(key []byte) bool {
	_, _, found := s.lookupKeeping(key, false) // the value is not returned
	return found
}

// lookupString returns a string value; wrongType is true (and the
// WRONGTYPE error written) when the key holds another type.
func (s *Session) lookupString(key []byte) (val string, found, wrongType bool) {
	str, obj, found := s.lookupRead(key)
	if found && obj != nil {
		s.w.Error(errWrongType)
		return "", true, true
	}
	return str, found, false
}

// peekString is lookupString for a reader that keeps nothing of the value
// after the command (a bit count, a length): the value stays writable in
// place (strbuf.go).
func (s *Session) peekString(key []byte) (val string, found, wrongType bool) {
	str, obj, found := s.lookupReadKeeping(key, false)
	if found && obj != nil {
		s.w.Error(errWrongType)
		return "", true, true
	}
	return str, found, false
}

// lookupObj returns key's value as T. When the key holds another type it
// writes WRONGTYPE and returns bad = true.
func lookupObj[T any](s *Session, key []byte) (v T, found, bad bool) {
	_, obj, found := s.lookupRead(key)
	if !found {
		return v, false, false
	}
	v, ok := obj.(T)
	if !ok {
		s.w.Error(errWrongType)
		return v, true, true
	}
	return v, true, false
}

// lookupObjWrite is lookupObj for commands that change the key: like
// Redis's lookupKeyWrite it counts no keyspace hit or miss and sends no
// keymiss event.
func lookupObjWrite[T any](s *Session, key []byte) (v T, found, bad bool) {
	_, obj, found := s.lookup(key)
	if !found {
		return v, false, false
	}
	v, ok := obj.(T)
	if !ok {
		s.w.Error(errWrongType)
		return v, true, true
	}
	return v, true, false
}

// packedValueMax is the largest value setString stores in the same
// allocation as its key; larger ones are not worth copying again.
const packedValueMax = 128

// setString stores a string value. keepTTL keeps an existing deadline
// (SET KEEPTTL, SETRANGE, APPEND, INCR); otherwise it is cleared. It
// returns the stored copy of the key, for a deadline set next
// (setDeadlineOf) to share.
func (s *Session) setString(key []byte, val string, keepTTL bool) string {
	// Never tmpString here: assigning to an existing key of a Go map also
	// stores the key given (so the old copy can be freed), and a view of the
	// request buffer would then be the key once the buffer is reused.
	if len(val) <= packedValueMax {
		// Key and value in one allocation: a small string key then costs
		// one heap object instead of two, and less rounding to size classes.
		kv := string(key) + val
		return s.storeString(key, kv[:len(key)], kv[len(key):], keepTTL, len(val) > 0)
	}
	return s.storeString(key, string(key), val, keepTTL, false)
}

// packKV copies key and val into one new string. One allocation: the
// views are only read by the concatenation, whereas string(key) +
// string(val) copies each first once the pair passes 32 bytes. With an
// empty operand a concatenation returns the other one itself, here a view
// of a request buffer, so that case copies.
func packKV(key, val []byte) string {
	if len(key) == 0 || len(val) == 0 {
		return string(key) + string(val)
	}
	return tmpString(key) + tmpString(val)
}

// setStringBytes is setString for a value still in bytes (a request
// argument, a formatted number): a small value is copied once, together
// with the key, instead of once on its own and again beside the key.
func (s *Session) setStringBytes(key, val []byte, keepTTL bool) string {
	if len(val) <= packedValueMax {
		kv := packKV(key, val)
		return s.storeString(key, kv[:len(key)], kv[len(key):], keepTTL, len(val) > 0)
	}
	return s.storeString(key, string(key), string(val), keepTTL, false)
}

// storeString is setString's second half: k is the stored copy of key,
// which it returns; packed says val's bytes follow k's in one allocation.
func (s *Session) storeString(key []byte, k, val string, keepTTL, packed bool) string {
	return s.storeStringAs(key, k, val, keepTTL, packed, false)
}

// storeStringAs is storeString; raw marks the new value as a raw sds in
// Redis (markRaw) in the same pass, with the stored copy of the key.
func (s *Session) storeStringAs(key []byte, k, val string, keepTTL, packed, raw bool) string {
	db := s.db
	db.beforeChange(k)
	isNew := s.e.config.notifyFlags&notifyNew != 0 && !db.rawExists(k)
	db.replaceString(k, val, packed, raw, true, s.e.nowMs)
	if isNew {
		s.notifyEvent(notifyNew, "new", key)
	}
	if len(db.expires) > 0 {
		if !keepTTL {
			delete(db.expires, k)
		} else if at, ok := db.expires[k]; ok {
			// Stored again with the new copy of the key: the deadline may
			// share the old one (setDeadlineOf), which holds the old value's
			// bytes when they were packed together.
			db.expires[k] = at
		}
	}
	s.e.touchKey(db, k)
	if len(db.blocked) > 0 {
		// A stream replaced by a string ends XREADGROUP waits on it.
		s.e.signalReady(db, k)
	}
	return k
}

// setObj stores a value of a non-string type (list, hash, set, zset)
// under a new or replaced key, clearing any deadline.
func (s *Session) setObj(key []byte, val object) {
	db := s.db
	k := string(key)
	existed := db.rawExists(k)
	db.setObjRaw(k, val)
	if !existed {
		s.notifyEvent(notifyNew, "new", key)
	}
	if len(db.expires) > 0 {
		delete(db.expires, k)
	}
	db.noteWrite(k, s.e.nowMs)
	s.e.touchKey(db, k)
	s.e.signalReady(db, k)
}

// deleteKey removes key; reports whether it existed.
func (s *Session) deleteKey(key []byte) bool {
	return s.e.deleteKey(s.db, tmpString(key))
}

func (e *Engine) deleteKey(db *DB, key string) bool {
	if !db.removeRaw(key) {
		return false
	}
	e.touchKey(db, key)
	if len(db.blocked[key]) > 0 {
		// A client blocked in XREADGROUP learns its stream is gone.
		e.signalReady(db, strings.Clone(key))
	}
	return true
}

// modified signals that a collection stored at key changed in place:
// watchers are touched and blocked clients may be served.
func (s *Session) modified(key []byte) {
	k := tmpString(key)
	s.db.noteWriteTmp(k, s.e.nowMs)
	s.e.touchKey(s.db, k)
	if len(s.db.blocked) > 0 {
		s.e.signalReady(s.db, string(key))
	}
}

// setDeadline sets key's expiry (unix ms); the key must exist.
func (s *Session) setDeadline(key []byte, at int64) {
	s.setDeadlineOf(string(key), at) // stored: never a tmpString (see tmpString)
}

// setDeadlineOf is setDeadline with k the key as setString stored it: the
// deadline shares its bytes instead of holding a copy of its own (SET ...
// EX, the commonest way keys get a deadline).
func (s *Session) setDeadlineOf(k string, at int64) {
	db := s.db
	db.beforeChange(k)
	db.expires[k] = at
	s.e.touchKey(db, k)
	if s.e.master != nil && !s.fromMaster && db.ks == s.e.main && !s.e.config.bool("replica-read-only") {
		// Only a writable replica's own keys (Redis's setExpire): an AOF
		// replayed by a read-only replica holds its master's writes.
		s.e.rememberReplicaKeyWithExpire(db, k)
	}
}

// persist removes key's deadline; reports whether it had one.
func (s *Session) persist(key []byte) bool {
	db := s.db
	k := tmpString(key)
	if _, ok := db.expires[k]; !ok {
		return false
	}
	db.beforeChange(k)
	delete(db.expires, k)
	s.e.touchKey(db, k)
	return true
}
