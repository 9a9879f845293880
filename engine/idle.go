package engine

import (
	"strings"
	"unsafe"
)

// OBJECT IDLETIME needs a time per key. Redis keeps a 24-bit LRU clock in
// every object header and refreshes it on every read and write. GoRedis
// stores string values as bare Go strings (no header to put a clock in), and
// refreshing a map on every read would cost GET a map write, so it keeps one
// small per-DB map of the last *write* time in seconds (4 bytes plus the map
// slot; the key string is shared with the value map), for every type.
// IDLETIME therefore reports the time since the key was last written (or
// TOUCHed), not since it was last read.

// noteWrite records a write of key (a string that owns its bytes) at now
// (unix ms).
func (db *DB) noteWrite(key string, nowMs int64) {
	db.wtime[key] = uint32(nowMs / 1000)
}

// noteWriteTmp is noteWrite for a key that may alias a request buffer: the
// entry is only rewritten when the second changed, so a collection written
// many times a second copies its key at most once a second.
func (db *DB) noteWriteTmp(key string, nowMs int64) {
	now := uint32(nowMs / 1000)
	if t, ok := db.wtime[key]; ok && t == now {
		return
	}
	db.wtime[strings.Clone(key)] = now
}

// idleSeconds is OBJECT IDLETIME's answer for an existing key.
func (db *DB) idleSeconds(key string, nowMs int64) int64 {
	t, ok := db.wtime[key]
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
