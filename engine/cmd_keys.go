package engine

import (
	"bytes"
	"math"
)

func keyHandlers() []handlerEntry {
	return []handlerEntry{
		{"copy", cmdCopy},
		{"del", cmdDel},
		{"exists", cmdExists},
		{"expire", cmdExpire},
		{"expireat", cmdExpireAt},
		{"expiretime", cmdExpireTime},
		{"keys", cmdKeys},
		{"move", cmdMove},
		{"object|encoding", cmdObjectEncoding},
		{"object|freq", cmdObjectFreq},
		{"object|help", cmdObjectHelp},
		{"object|idletime", cmdObjectIdleTime},
		{"object|refcount", cmdObjectRefcount},
		{"persist", cmdPersist},
		{"pexpire", cmdPExpire},
		{"pexpireat", cmdPExpireAt},
		{"pexpiretime", cmdPExpireTime},
		{"pttl", cmdPTTL},
		{"randomkey", cmdRandomKey},
		{"rename", cmdRename},
		{"renamenx", cmdRenameNX},
		{"scan", cmdScan},
		{"touch", cmdTouch},
		{"ttl", cmdTTL},
		{"type", cmdType},
		{"unlink", cmdDel},
	}
}

// DEL key [key ...] (and UNLINK key [key ...]: GoRedis frees memory through
// the garbage collector, so unlinking is deleting)
func cmdDel(s *Session, args [][]byte) {
	n := int64(0)
	for _, k := range args[1:] {
		if s.exists(k) && s.deleteKey(k) {
			s.notifyEvent(notifyGeneric, "del", k)
			n++
		}
	}
	s.w.Int(n)
}

// EXISTS key [key ...]
func cmdExists(s *Session, args [][]byte) {
	n := int64(0)
	for _, k := range args[1:] {
		if _, _, found := s.lookupReadKeeping(k, false); found {
			n++
		}
	}
	s.w.Int(n)
}

// typeOf is TYPE's name for a value.
func typeOf(obj object) string {
	if obj == nil {
		return "string"
	}
	return obj.typeName()
}

// TYPE key
func cmdType(s *Session, args [][]byte) {
	_, obj, found := s.lookupReadKeeping(args[1], false)
	if !found {
		s.w.Simple("none")
		return
	}
	s.w.Simple(typeOf(obj))
}

// storeMoved adds key to db with a value taken from another key (RENAME,
// MOVE, COPY): the deadline and write time travel with it, and blocked
// clients are woken as by Redis's dbAdd.
func (e *Engine) storeMoved(db *DB, key string, str string, obj object, deadline int64, wtime uint32, hasWtime bool) {
	if obj == nil {
		db.setStringRaw(key, str)
	} else {
		db.setObjRaw(key, obj)
	}
	if deadline >= 0 {
		db.expires[key] = deadline
	} else if len(db.expires) > 0 {
		delete(db.expires, key)
	}
	if hasWtime {
		db.setAccess(key, wtime)
	} else {
		db.noteWrite(key, e.nowMs)
	}
	e.touchKey(db, key)
	if obj != nil {
		e.signalReady(db, key)
	}
}

// RENAME key newkey
func cmdRename(s *Session, args [][]byte) { s.renameGeneric(args, false) }

// RENAMENX key newkey
func cmdRenameNX(s *Session, args [][]byte) { s.renameGeneric(args, true) }

func (s *Session) renameGeneric(args [][]byte, nx bool) {
	src, dst := args[1], args[2]
	str, obj, found := s.lookup(src)
	if !found {
		s.w.Error(errNoSuchKey)
		return
	}
	if bytes.Equal(src, dst) {
		if nx {
			s.w.Int(0)
		} else {
			s.w.OK()
		}
		return
	}
	db := s.db
	srcKey := tmpString(src)
	deadline := db.deadline(srcKey)
	wt, hasWt := db.writeTime(srcKey)
	if s.exists(dst) {
		if nx {
			s.w.Int(0)
			return
		}
		db.removeRaw(tmpString(dst))
	}
	raw := db.isRaw(srcKey, str)
	dk := string(dst)
	// The source goes first: a value is counted in used_memory under one
	// key at a time (memory.go).
	db.removeRaw(srcKey)
	s.e.storeMoved(db, dk, str, obj, deadline, wt, hasWt)
	if raw {
		db.markRaw(dk)
	}
	s.e.touchKey(db, srcKey)
	s.notifyEvent(notifyGeneric, "rename_from", src)
	s.notifyEvent(notifyGeneric, "rename_to", dst)
	if nx {
		s.w.Int(1)
	} else {
		s.w.OK()
	}
}

// dbArg parses a database index argument (an int32, as Redis's
// getIntFromObject) and returns the database, or writes the error.
func (s *Session) dbArg(arg []byte) (*DB, bool) {
	n, ok := parseInt(arg)
	if !ok {
		s.w.Error(errNotInt)
		return nil, false
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		s.w.Error("ERR value is out of range, value must between -2147483648 and 2147483647")
		return nil, false
	}
	if n < 0 || n >= int64(len(s.ks.dbs)) {
		s.w.Error(errDBIndex)
		return nil, false
	}
	return s.ks.dbs[n], true
}

// lookupIn is lookup on another database of the session's keyspace.
func (s *Session) lookupIn(db *DB, key []byte) (string, object, bool) {
	saved := s.db
	s.db = db
	str, obj, found := s.lookup(key)
	s.db = saved
	return str, obj, found
}

// MOVE key db
func cmdMove(s *Session, args [][]byte) {
	if s.e.cluster != nil {
		s.w.Error("ERR MOVE is not allowed in cluster mode")
		return
	}
	dst, ok := s.dbArg(args[2])
	if !ok {
		return
	}
	src := s.db
	if src == dst {
		s.w.Error(errSameObject)
		return
	}
	key := args[1]
	str, obj, found := s.lookup(key)
	if !found {
		s.w.Int(0)
		return
	}
	k := tmpString(key)
	deadline := src.deadline(k)
	wt, hasWt := src.writeTime(k)
	if _, _, exists := s.lookupIn(dst, key); exists {
		s.w.Int(0)
		return
	}
	raw := src.isRaw(k, str)
	dk := string(key)
	src.removeRaw(k) // first, as in RENAME
	s.e.storeMoved(dst, dk, str, obj, deadline, wt, hasWt)
	if raw {
		dst.markRaw(dk)
	}
	s.e.touchKey(src, k)
	s.notifyEvent(notifyGeneric, "move_from", key)
	s.e.notifyKeyspaceEvent(notifyGeneric, "move_to", dst, string(key))
	s.w.Int(1)
}

// COPY source destination [DB destination-db] [REPLACE]
func cmdCopy(s *Session, args [][]byte) {
	src, dst := s.db, s.db
	replace := false
	for j := 3; j < len(args); j++ {
		switch {
		case equalFold(args[j], "replace"):
			replace = true
		case equalFold(args[j], "db") && j+1 < len(args):
			db, ok := s.dbArg(args[j+1])
			if !ok {
				return
			}
			dst = db
			j++
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	if s.e.cluster != nil && (src.id != 0 || dst.id != 0) {
		s.w.Error("ERR Copying to another database is not allowed in cluster mode")
		return
	}
	key, newKey := args[1], args[2]
	if src == dst && bytes.Equal(key, newKey) {
		s.w.Error(errSameObject)
		return
	}
	str, obj, found := s.lookupRead(key)
	if !found {
		s.w.Int(0)
		return
	}
	deadline := src.deadline(tmpString(key))
	if _, _, exists := s.lookupIn(dst, newKey); exists {
		if !replace {
			s.w.Int(0)
			return
		}
	}
	if obj != nil {
		obj = obj.copyObject()
	}
	nk := string(newKey)
	dst.removeRaw(nk)
	s.e.storeMoved(dst, nk, str, obj, deadline, 0, false)
	if obj == nil && src.isRaw(tmpString(key), str) {
		// Redis copies a raw string as a raw string.
		dst.markRaw(nk)
	}
	s.e.notifyKeyspaceEvent(notifyGeneric, "copy_to", dst, nk)
	s.w.Int(1)
}

// KEYS pattern
func cmdKeys(s *Session, args [][]byte) {
	pat := string(args[1])
	all := pat == "*"
	db := s.db
	var out []string
	each := func(k string) {
		if (all || globMatch(pat, k, false)) && !s.e.isExpired(db, k) {
			out = append(out, k)
		}
	}
	db.strs.each(func(k string, _ strEntry) bool { each(k); return true })
	db.objs.each(func(k string, _ object) bool { each(k); return true })
	s.w.BulkStrings(out)
}

// parseScanCursor reads a cursor as Redis does with strtoul: an optional
// sign (a minus wraps around), decimal digits, nothing else; the empty
// string is 0.
func parseScanCursor(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	neg := false
	i := 0
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i = 1
	}
	if i == len(b) {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
func cmdScan(s *Session, args [][]byte) {
	cursor, ok := parseScanCursor(args[1])
	if !ok {
		s.w.Error("ERR invalid cursor")
		return
	}
	count := int64(10)
	var pat, typ []byte
	usePat, useType := false, false
	for i := 2; i < len(args); i += 2 {
		more := len(args) - i
		switch {
		case equalFold(args[i], "count") && more >= 2:
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
		case equalFold(args[i], "match") && more >= 2:
			pat = args[i+1]
			usePat = !(len(pat) == 1 && pat[0] == '*')
		case equalFold(args[i], "type") && more >= 2:
			typ, useType = args[i+1], true
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	keys, next := s.db.scanKeys(cursor, int(min(count, math.MaxInt32)))
	out := keys[:0]
	for _, k := range keys {
		if usePat && !globMatch(tmpString(pat), k, false) {
			continue
		}
		kb := stringToBytes(k)
		if useType {
			_, obj, found := s.lookup(kb)
			if !found || !equalFoldString(typ, typeOf(obj)) {
				continue
			}
		}
		if !s.exists(kb) {
			continue
		}
		out = append(out, k)
	}
	s.w.Array(2)
	var tmp [20]byte
	s.w.Bulk(appendUint(tmp[:0], next))
	s.w.BulkStrings(out)
}

func appendUint(dst []byte, v uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}

// equalFoldString compares b and s ignoring ASCII case.
func equalFoldString(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if lower(b[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

// RANDOMKEY
func cmdRandomKey(s *Session, args [][]byte) {
	db := s.db
	// A replica does not delete expired keys: when every key is volatile
	// it may draw only expired ones, so it gives up after 100 draws and
	// returns one of them, as Redis's dbRandomKey.
	tries := 100
	for n := db.size(); n > 0; n = db.size() {
		k := db.nthKey(s.e.rand.IntN(n))
		if db.deadline(k) >= 0 && s.e.expireIfNeeded(db, k) {
			if s.e.master != nil && len(db.expires) == n {
				if tries--; tries == 0 {
					s.w.BulkString(k)
					return
				}
			}
			continue // as Redis's dbRandomKey: reclaim it and draw again
		}
		s.w.BulkString(k)
		return
	}
	s.w.Null()
}

// nthKey returns the i-th key (0 <= i < size) in the maps' current order.
// With i uniform, every key is equally likely; the cost is one shard's
// walk at most.
func (db *DB) nthKey(i int) string {
	if i < db.strs.len() {
		return smapNth(&db.strs, i)
	}
	return smapNth(&db.objs, i-db.strs.len())
}

func smapNth[V any](m *smap[V], i int) string {
	for _, shard := range m.shards {
		if i >= len(shard) {
			i -= len(shard)
			continue
		}
		for k := range shard {
			if i == 0 {
				return k
			}
			i--
		}
	}
	panic("smapNth: index out of range")
}

// TOUCH key [key ...]
func cmdTouch(s *Session, args [][]byte) {
	n := int64(0)
	for _, k := range args[1:] {
		if _, _, found := s.lookupRead(k); found {
			s.db.noteWriteTmp(tmpString(k), s.e.nowMs)
			n++
		}
	}
	s.w.Int(n)
}

// Flags of EXPIRE and friends.
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

// EXPIRE key seconds [NX | XX | GT | LT]
func cmdExpire(s *Session, args [][]byte) { s.expireGeneric(args, s.e.nowMs, true) }

// PEXPIRE key milliseconds [NX | XX | GT | LT]
func cmdPExpire(s *Session, args [][]byte) { s.expireGeneric(args, s.e.nowMs, false) }

// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
func cmdExpireAt(s *Session, args [][]byte) { s.expireGeneric(args, 0, true) }

// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
func cmdPExpireAt(s *Session, args [][]byte) { s.expireGeneric(args, 0, false) }

// expireGeneric is Redis's expireGenericCommand: a deadline at or before
// now deletes the key at once.
func (s *Session) expireGeneric(args [][]byte, base int64, seconds bool) {
	key := args[1]
	flags := 0
	for _, a := range args[3:] {
		switch {
		case equalFold(a, "nx"):
			flags |= expireNX
		case equalFold(a, "xx"):
			flags |= expireXX
		case equalFold(a, "gt"):
			flags |= expireGT
		case equalFold(a, "lt"):
			flags |= expireLT
		default:
			s.w.Error("ERR Unsupported option " + string(a))
			return
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		s.w.Error("ERR NX and XX, GT or LT options at the same time are not compatible")
		return
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		s.w.Error("ERR GT and LT options at the same time are not compatible")
		return
	}
	when, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	invalid := "ERR invalid expire time in '" + s.cmdName(args[0]) + "' command"
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			s.w.Error(invalid)
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		s.w.Error(invalid)
		return
	}
	when += base
	if !s.exists(key) {
		s.w.Int(0)
		return
	}
	if flags != 0 {
		cur := s.db.deadline(tmpString(key))
		if (flags&expireNX != 0 && cur != -1) ||
			(flags&expireXX != 0 && cur == -1) ||
			(flags&expireGT != 0 && (when <= cur || cur == -1)) ||
			(flags&expireLT != 0 && cur != -1 && when >= cur) {
			s.w.Int(0)
			return
		}
	}
	if s.e.alreadyExpired(when) {
		s.deleteKey(key)
		s.notifyEvent(notifyGeneric, "del", key)
		s.propagateAsDeletion(key, "lazyfree-lazy-expire")
	} else {
		s.setDeadline(key, when)
		if s.e.propagating() && (base != 0 || seconds) {
			// PEXPIREAT with the absolute time; the NX/XX/GT/LT
			// options stay, as Redis keeps them.
			argv := append([][]byte{argPExpireAt, key, int64Arg(when)}, args[3:]...)
			s.rewriteArgv(argv...)
		}
		s.notifyEvent(notifyGeneric, "expire", key)
	}
	s.w.Int(1)
}

// cmdName is the lower-case command name for error texts.
func (s *Session) cmdName(name []byte) string {
	b := make([]byte, len(name))
	for i, c := range name {
		b[i] = lower(c)
	}
	return string(b)
}

// TTL key
func cmdTTL(s *Session, args [][]byte) { s.ttlGeneric(args[1], false, false) }

// PTTL key
func cmdPTTL(s *Session, args [][]byte) { s.ttlGeneric(args[1], true, false) }

// EXPIRETIME key
func cmdExpireTime(s *Session, args [][]byte) { s.ttlGeneric(args[1], false, true) }

// PEXPIRETIME key
func cmdPExpireTime(s *Session, args [][]byte) { s.ttlGeneric(args[1], true, true) }

// ttlGeneric is Redis's ttlGenericCommand: -2 for no key, -1 for no
// deadline; seconds are rounded to the nearest.
func (s *Session) ttlGeneric(key []byte, ms, abs bool) {
	if _, _, found := s.lookupRead(key); !found {
		s.w.Int(-2)
		return
	}
	t := s.db.deadline(tmpString(key))
	if t == -1 {
		s.w.Int(-1)
		return
	}
	if !abs {
		t = max(t-s.e.nowMs, 0)
	}
	if !ms {
		t = (t + 500) / 1000
	}
	s.w.Int(t)
}

// PERSIST key
func cmdPersist(s *Session, args [][]byte) {
	if s.exists(args[1]) && s.persist(args[1]) {
		s.notifyEvent(notifyGeneric, "persist", args[1])
		s.w.Int(1)
		return
	}
	s.w.Int(0)
}

// objectLookup finds OBJECT's key, replying null when it is missing. As
// in Redis, it counts a hit or miss but sends no keymiss event.
func (s *Session) objectLookup(key []byte) (string, object, bool) {
	str, obj, found := s.lookup(key)
	if !found {
		s.e.stats.keyspaceMisses++
		s.w.Null()
		return "", nil, false
	}
	s.e.stats.keyspaceHits++
	return str, obj, found
}

// stringEncoding is what Redis's tryObjectEncoding would choose for a
// string value: "int" for a 64-bit integer, "embstr" up to 44 bytes, else
// "raw".
func stringEncoding(v string) string {
	if len(v) <= 20 {
		if _, ok := parseInt(stringToBytes(v)); ok {
			return "int"
		}
	}
	if len(v) <= 44 {
		return "embstr"
	}
	return "raw"
}

// OBJECT ENCODING key
func cmdObjectEncoding(s *Session, args [][]byte) {
	str, obj, found := s.objectLookup(args[2])
	if !found {
		return
	}
	if obj != nil {
		s.w.BulkString(obj.encoding())
		return
	}
	if s.db.isRaw(tmpString(args[2]), str) {
		s.w.BulkString("raw")
		return
	}
	s.w.BulkString(stringEncoding(str))
}

// lfuPolicy reports whether maxmemory-policy is an LFU one.
func (s *Session) lfuPolicy() bool { return s.e.config.mm.lfu() }

// OBJECT FREQ key
func cmdObjectFreq(s *Session, args [][]byte) {
	if _, _, found := s.objectLookup(args[2]); !found {
		return
	}
	if !s.lfuPolicy() {
		s.w.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	v, _ := s.db.writeTime(tmpString(args[2]))
	s.w.Int(int64(s.e.config.mm.lfuDecr(v, s.e.nowMs)))
}

// OBJECT IDLETIME key
func cmdObjectIdleTime(s *Session, args [][]byte) {
	if _, _, found := s.objectLookup(args[2]); !found {
		return
	}
	if s.lfuPolicy() {
		s.w.Error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	s.w.Int(s.db.idleSeconds(tmpString(args[2]), s.e.nowMs))
}

// sharedIntegers is Redis's OBJ_SHARED_INTEGERS: string values 0..9999 are
// one shared object (refcount INT_MAX) unless an LRU/LFU policy with a
// maxmemory limit needs per-key access data.
const sharedIntegers = 10000

// OBJECT REFCOUNT key
func cmdObjectRefcount(s *Session, args [][]byte) {
	str, obj, found := s.objectLookup(args[2])
	if !found {
		return
	}
	if obj == nil && len(str) <= 20 {
		if n, ok := parseInt(stringToBytes(str)); ok && n >= 0 && n < sharedIntegers && s.sharedIntegersAllowed() {
			s.w.Int(math.MaxInt32)
			return
		}
	}
	s.w.Int(1)
}

func (s *Session) sharedIntegersAllowed() bool {
	if s.e.config.int("maxmemory") == 0 {
		return true
	}
	p, _ := s.e.config.get("maxmemory-policy")
	switch p {
	case "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu":
		return false
	}
	return true
}

// OBJECT HELP
func cmdObjectHelp(s *Session, args [][]byte) {
	lines := []string{
		"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
		"HELP",
		"    Prints this help.",
	}
	s.w.Array(len(lines))
	for _, l := range lines {
		s.w.Simple(l)
	}
}
