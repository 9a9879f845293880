package engine

import (
	"hash/maphash"
	"math"
	"strconv"
	"strings"
)

// Hash commands, as t_hash.c of Redis 7.0. The data structure and its two
// encodings live in hash.go.

func hashHandlers() []handlerEntry {
	return []handlerEntry{
		{"hset", cmdHSet},
		{"hmset", cmdHSet},
		{"hsetnx", cmdHSetNX},
		{"hget", cmdHGet},
		{"hmget", cmdHMGet},
		{"hdel", cmdHDel},
		{"hlen", cmdHLen},
		{"hexists", cmdHExists},
		{"hstrlen", cmdHStrLen},
		{"hkeys", cmdHKeys},
		{"hvals", cmdHVals},
		{"hgetall", cmdHGetAll},
		{"hincrby", cmdHIncrBy},
		{"hincrbyfloat", cmdHIncrByFloat},
		{"hrandfield", cmdHRandField},
		{"hscan", cmdHScan},
	}
}

const (
	errHashNotInt      = "ERR hash value is not an integer"
	errHashNotFloat    = "ERR hash value is not a float"
	errNaNOrInfinity   = "ERR value is NaN or Infinity"
	errInvalidCursor   = "ERR invalid cursor"
	errValueOutOfRng   = "ERR value is out of range"
	errHRandCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
)

// hashForRead returns key's hash (nil when missing), counting a keyspace
// hit or miss; bad means WRONGTYPE was written.
func hashForRead(s *Session, key []byte) (h *hash, bad bool) {
	h, _, bad = lookupObj[*hash](s, key)
	return h, bad
}

// hashForWrite is hashForRead for commands that change the key (no
// hit/miss counted, as Redis's lookupKeyWrite).
func hashForWrite(s *Session, key []byte) (h *hash, bad bool) {
	h, _, bad = lookupObjWrite[*hash](s, key)
	return h, bad
}

// hashLimits holds hash-max-listpack-entries and -value for one command.
type hashLimits struct{ entries, value int64 }

func (s *Session) hashLimits() hashLimits {
	return hashLimits{s.e.config.int("hash-max-listpack-entries"), s.e.config.int("hash-max-listpack-value")}
}

// tryConvert is Redis's hashTypeTryConversion: a field or value longer
// than hash-max-listpack-value sends the hash to the big form before it
// is stored.
func (s *Session) hashTryConvert(h *hash, lim hashLimits, args [][]byte) {
	if !h.isSmall() {
		return
	}
	for _, a := range args {
		if int64(len(a)) > lim.value {
			h.convert(s.e.seed)
			return
		}
	}
}

// hashSet stores one field (Redis's hashTypeSet): a field or value
// longer than hash-max-listpack-value converts the hash first, more fields
// than hash-max-listpack-entries after.
func (s *Session) hashSet(h *hash, lim hashLimits, field, value string) bool {
	return hashSetLimited(h, lim, s.e.seed, field, value)
}

// hashSetLimited is hashSet without a session (loading a snapshot).
func hashSetLimited(h *hash, lim hashLimits, seed maphash.Seed, field, value string) bool {
	if h.isSmall() && (int64(len(field)) > lim.value || int64(len(value)) > lim.value) {
		h.convert(seed)
	}
	isNew := h.set(field, value)
	if h.isSmall() && int64(h.len()) > lim.entries {
		h.convert(seed)
	}
	return isNew
}

// hashStore makes the hash at key (new or existing) take the change: a
// new one is added to the keyspace, an existing one marked modified.
func (s *Session) hashStore(key []byte, h *hash) *hash {
	if h == nil {
		h = &hash{}
		s.setObj(key, h)
		return h
	}
	s.modified(key)
	return h
}

// HSET key field value [field value ...]
// HMSET key field value [field value ...]
func cmdHSet(s *Session, args [][]byte) {
	if len(args)%2 == 1 {
		s.w.Error("ERR wrong number of arguments for '" + strings.ToLower(string(args[0])) + "' command")
		return
	}
	key := args[1]
	h, bad := hashForWrite(s, key)
	if bad {
		return
	}
	h = s.hashStore(key, h)
	lim := s.hashLimits()
	s.hashTryConvert(h, lim, args[2:])
	created := 0
	for i := 2; i < len(args); i += 2 {
		if s.hashSet(h, lim, tmpString(args[i]), tmpString(args[i+1])) {
			created++
		}
	}
	if equalFold(args[0], "hmset") {
		s.w.OK()
	} else {
		s.w.Int(int64(created))
	}
	s.notifyEvent(notifyHash, "hset", key)
}

// HSETNX key field value
func cmdHSetNX(s *Session, args [][]byte) {
	key := args[1]
	h, bad := hashForWrite(s, key)
	if bad {
		return
	}
	if h != nil && h.has(tmpString(args[2])) {
		s.w.Int(0)
		return
	}
	h = s.hashStore(key, h)
	lim := s.hashLimits()
	s.hashTryConvert(h, lim, args[2:4])
	s.hashSet(h, lim, tmpString(args[2]), tmpString(args[3]))
	s.w.Int(1)
	s.notifyEvent(notifyHash, "hset", key)
}

// HGET key field
func cmdHGet(s *Session, args [][]byte) {
	h, bad := hashForRead(s, args[1])
	if bad {
		return
	}
	if h == nil {
		s.w.Null()
		return
	}
	v, ok := h.peek(tmpString(args[2]))
	if !ok {
		s.w.Null()
		return
	}
	s.w.BulkString(v)
}

// HMGET key field [field ...]
func cmdHMGet(s *Session, args [][]byte) {
	h, bad := hashForRead(s, args[1])
	if bad {
		return
	}
	s.w.Array(len(args) - 2)
	for _, f := range args[2:] {
		if h == nil {
			s.w.Null()
			continue
		}
		if v, ok := h.peek(tmpString(f)); ok {
			s.w.BulkString(v)
		} else {
			s.w.Null()
		}
	}
}

// HDEL key field [field ...]
func cmdHDel(s *Session, args [][]byte) {
	key := args[1]
	h, bad := hashForWrite(s, key)
	if bad {
		return
	}
	if h == nil {
		s.w.Int(0)
		return
	}
	deleted := 0
	for _, f := range args[2:] {
		if h.del(tmpString(f)) {
			deleted++
			if h.len() == 0 {
				break
			}
		}
	}
	if deleted > 0 {
		removed := h.len() == 0
		if removed {
			s.deleteKey(key)
		} else {
			s.modified(key)
		}
		s.notifyEvent(notifyHash, "hdel", key)
		if removed {
			s.notifyEvent(notifyGeneric, "del", key)
		}
	}
	s.w.Int(int64(deleted))
}

// HLEN key
func cmdHLen(s *Session, args [][]byte) {
	h, bad := hashForRead(s, args[1])
	if bad {
		return
	}
	if h == nil {
		s.w.Int(0)
		return
	}
	s.w.Int(int64(h.len()))
}

// HEXISTS key field
func cmdHExists(s *Session, args [][]byte) {
	h, bad := hashForRead(s, args[1])
	if bad {
		return
	}
	if h != nil && h.has(tmpString(args[2])) {
		s.w.Int(1)
		return
	}
	s.w.Int(0)
}

// HSTRLEN key field
func cmdHStrLen(s *Session, args [][]byte) {
	h, bad := hashForRead(s, args[1])
	if bad {
		return
	}
	if h == nil {
		s.w.Int(0)
		return
	}
	v, _ := h.peek(tmpString(args[2]))
	s.w.Int(int64(len(v)))
}

// HKEYS key
func cmdHKeys(s *Session, args [][]byte) { hashGetAll(s, args[1], true, false) }

// HVALS key
func cmdHVals(s *Session, args [][]byte) { hashGetAll(s, args[1], false, true) }

// HGETALL key
func cmdHGetAll(s *Session, args [][]byte) { hashGetAll(s, args[1], true, true) }

// hashGetAll is Redis's genericHgetallCommand: a map when both fields and
// values are asked for, else an array.
func hashGetAll(s *Session, key []byte, fields, values bool) {
	h, bad := hashForRead(s, key)
	if bad {
		return
	}
	n := 0
	if h != nil {
		n = h.len()
	}
	if fields && values {
		s.w.Map(n)
	} else {
		s.w.Array(n)
	}
	if h == nil {
		return
	}
	h.each(func(f, v string) bool {
		if fields {
			s.w.BulkString(f)
		}
		if values {
			s.w.BulkString(v)
		}
		return true
	})
}

// HINCRBY key field increment
func cmdHIncrBy(s *Session, args [][]byte) {
	incr, ok := parseInt(args[3])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	key, field := args[1], tmpString(args[2])
	h, bad := hashForWrite(s, key)
	if bad {
		return
	}
	var value int64
	if h != nil {
		if cur, found := h.peek(field); found {
			if value, ok = parseInt([]byte(cur)); !ok {
				s.w.Error(errHashNotInt)
				return
			}
		}
	}
	if (incr < 0 && value < 0 && incr < math.MinInt64-value) ||
		(incr > 0 && value > 0 && incr > math.MaxInt64-value) {
		s.w.Error(errOverflow)
		return
	}
	value += incr
	h = s.hashStore(key, h)
	s.hashSet(h, s.hashLimits(), field, strconv.FormatInt(value, 10))
	s.w.Int(value)
	s.notifyEvent(notifyHash, "hincrby", key)
}

// HINCRBYFLOAT key field increment
func cmdHIncrByFloat(s *Session, args [][]byte) {
	incr, ok := parseLongDouble(string(args[3]))
	if !ok {
		s.w.Error(errNotFloat)
		return
	}
	if incr.isInf() {
		s.w.Error(errNaNOrInfinity)
		return
	}
	key, field := args[1], tmpString(args[2])
	h, bad := hashForWrite(s, key)
	if bad {
		return
	}
	cur := "0"
	if h != nil {
		if v, found := h.peek(field); found {
			if _, ok := parseLongDouble(v); !ok {
				s.w.Error(errHashNotFloat)
				return
			}
			cur = v
		}
	}
	sum, err := addLongDouble(cur, args[3])
	if err != nil {
		s.w.Error(err.Error())
		return
	}
	h = s.hashStore(key, h)
	s.hashSet(h, s.hashLimits(), field, sum)
	s.w.BulkString(sum)
	s.notifyEvent(notifyHash, "hincrbyfloat", key)
	// The result, not the increment, as INCRBYFLOAT.
	s.rewriteArgv(argHSet, key, args[2], []byte(sum))
}

// HRANDFIELD key [count [WITHVALUES]]
func cmdHRandField(s *Session, args [][]byte) {
	if len(args) >= 3 {
		count, ok := parseInt(args[2])
		if !ok {
			s.w.Error(errNotInt)
			return
		}
		if count == math.MinInt64 {
			s.w.Error(errHRandCountRange)
			return
		}
		withValues := false
		switch {
		case len(args) > 4 || (len(args) == 4 && !equalFold(args[3], "withvalues")):
			s.w.Error(errSyntax)
			return
		case len(args) == 4:
			withValues = true
			if count < -math.MaxInt64/2 || count > math.MaxInt64/2 {
				s.w.Error(errValueOutOfRng)
				return
			}
		}
		hashRandWithCount(s, args[1], count, withValues)
		return
	}
	h, bad := hashForRead(s, args[1])
	if bad {
		return
	}
	if h == nil {
		s.w.Null()
		return
	}
	pairs := h.pairsView()
	s.w.BulkString(pairs[2*s.e.rand.IntN(h.len())])
}

// hashRandWithCount is Redis's hrandfieldWithCountCommand. A negative
// count may repeat fields; a positive one returns distinct fields, all of
// them when count covers the hash.
func hashRandWithCount(s *Session, key []byte, count int64, withValues bool) {
	h, bad := hashForRead(s, key)
	if bad {
		return
	}
	if h == nil || count == 0 {
		s.w.Array(0)
		return
	}
	// RESP2 gets a flat field, value, ... array; RESP3 pairs as arrays.
	flat := s.w.Proto() < 3
	header := func(n int) {
		if withValues && flat {
			s.w.Array(2 * n)
		} else {
			s.w.Array(n)
		}
	}
	emit := func(f, v string) {
		if withValues && !flat {
			s.w.Array(2)
		}
		s.w.BulkString(f)
		if withValues {
			s.w.BulkString(v)
		}
	}
	pairs := h.pairsView()
	size := len(pairs) / 2
	rnd := s.e.rand
	if count < 0 || count == 1 {
		n := count
		if n < 0 {
			n = -n
		}
		header(int(n))
		for k := range n {
			if k%1024 == 1023 && s.outputAborted() {
				return // the client is closed for its output limit
			}
			i := rnd.IntN(size)
			emit(pairs[2*i], pairs[2*i+1])
		}
		return
	}
	if count >= int64(size) {
		header(size)
		for i := 0; i < size; i++ {
			emit(pairs[2*i], pairs[2*i+1])
		}
		return
	}
	// Distinct picks in random order: a Fisher-Yates shuffle stopped after
	// count steps, with the swaps kept in a map so a few picks from a big
	// hash cost only a few entries.
	n := int(count)
	header(n)
	swapped := make(map[int]int, n)
	at := func(i int) int {
		if v, ok := swapped[i]; ok {
			return v
		}
		return i
	}
	for i := 0; i < n; i++ {
		j := i + rnd.IntN(size-i)
		pick := at(j)
		swapped[j] = at(i)
		emit(pairs[2*pick], pairs[2*pick+1])
	}
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
func cmdHScan(s *Session, args [][]byte) {
	cursor, ok := parseScanCursor(args[2])
	if !ok {
		s.w.Error(errInvalidCursor)
		return
	}
	h, bad := hashForRead(s, args[1])
	if bad {
		return
	}
	if h == nil {
		s.w.Array(2)
		s.w.BulkString("0")
		s.w.Array(0)
		return
	}
	count := int64(10)
	pattern := ""
	usePattern := false
	for i := 3; i < len(args); i += 2 {
		more := i+1 < len(args)
		switch {
		case equalFold(args[i], "count") && more:
			n, ok := parseInt(args[i+1])
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			if n < 1 {
				s.w.Error(errSyntax)
				return
			}
			count = n
		case equalFold(args[i], "match") && more:
			pattern = string(args[i+1])
			usePattern = pattern != "*"
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	fields, next := h.scan(cursor, int(min(count, math.MaxInt32)))
	kept := fields[:0]
	for _, f := range fields {
		if !usePattern || globMatch(pattern, f, false) {
			kept = append(kept, f)
		}
	}
	s.w.Array(2)
	s.w.BulkString(strconv.FormatUint(next, 10))
	s.w.Array(2 * len(kept))
	for _, f := range kept {
		v, _ := h.peek(f)
		s.w.BulkString(f)
		s.w.BulkString(v)
	}
}
