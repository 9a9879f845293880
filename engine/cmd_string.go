package engine

import "strconv"

func stringHandlers() []handlerEntry {
	return []handlerEntry{
		{"append", cmdAppend},
		{"decr", cmdDecr},
		{"decrby", cmdDecrBy},
		{"get", cmdGet},
		{"getdel", cmdGetDel},
		{"getex", cmdGetEx},
		{"getrange", cmdGetRange},
		{"getset", cmdGetSet},
		{"incr", cmdIncr},
		{"incrby", cmdIncrBy},
		{"incrbyfloat", cmdIncrByFloat},
		{"lcs", cmdLCS},
		{"mget", cmdMGet},
		{"mset", cmdMSet},
		{"msetnx", cmdMSetNX},
		{"psetex", cmdPSetEx},
		{"set", cmdSet},
		{"setex", cmdSetEx},
		{"setnx", cmdSetNX},
		{"setrange", cmdSetRange},
		{"strlen", cmdStrlen},
		{"substr", cmdGetRange},
	}
}

// GET key
func cmdGet(s *Session, args [][]byte) {
	s.getGeneric(args[1])
}

// getGeneric replies with key's string value or null, as Redis's
// getGenericCommand; it returns false after a WRONGTYPE error.
func (s *Session) getGeneric(key []byte) bool {
	v, found, bad := s.peekString(key) // bulkValue says whether it keeps v
	if bad {
		return false
	}
	if !found {
		s.w.Null()
		return true
	}
	s.bulkValue(key, v)
	return true
}

// bulkValue replies with key's stored string v, queued by reference when
// it is large, unless the reply may be rewritten in place afterwards
// (CLIENT REPLY OFF/SKIP, a transaction), which works on the unsealed
// buffer. A value queued by reference is no longer written in place
// (strbuf.go); a copied one stays writable.
func (s *Session) bulkValue(key []byte, v string) {
	if s.silenced() || s.inExec || s.multi != nil || len(v) < shareMinBytes {
		s.w.BulkString(v)
		return
	}
	s.db.disown(tmpString(key))
	s.w.BulkValue(v)
}

// Flags of SET and GETEX, as Redis's OBJ_* flags.
const (
	setNX = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT
	setExpireAny = setEX | setPX | setEXAT | setPXAT
)

// parseSetOptions is Redis's parseExtendedStringArgumentsOrReply for SET
// (getex false) and GETEX (getex true). Repeating an option is allowed (the
// last expire wins); conflicting ones are a syntax error. The expire
// argument is returned unparsed: Redis validates it after the whole
// command line, so a syntax error wins over a bad number.
func parseSetOptions(args [][]byte, getex bool) (flags int, expire []byte, ok bool) {
	for j := 3 - btoi(getex); j < len(args); j++ {
		a := args[j]
		hasNext := j+1 < len(args)
		switch {
		case !getex && equalFold(a, "nx") && flags&setXX == 0:
			flags |= setNX
		case !getex && equalFold(a, "xx") && flags&setNX == 0:
			flags |= setXX
		case !getex && equalFold(a, "get"):
			flags |= setGet
		case !getex && equalFold(a, "keepttl") && flags&(setPersist|setExpireAny) == 0:
			flags |= setKeepTTL
		case getex && equalFold(a, "persist") && flags&(setExpireAny|setKeepTTL) == 0:
			flags |= setPersist
		case equalFold(a, "ex") && flags&(setKeepTTL|setPersist|setEXAT|setPX|setPXAT) == 0 && hasNext:
			flags |= setEX
			expire = args[j+1]
			j++
		case equalFold(a, "px") && flags&(setKeepTTL|setPersist|setEX|setEXAT|setPXAT) == 0 && hasNext:
			flags |= setPX
			expire = args[j+1]
			j++
		case equalFold(a, "exat") && flags&(setKeepTTL|setPersist|setEX|setPX|setPXAT) == 0 && hasNext:
			flags |= setEXAT
			expire = args[j+1]
			j++
		case equalFold(a, "pxat") && flags&(setKeepTTL|setPersist|setEX|setEXAT|setPX) == 0 && hasNext:
			flags |= setPXAT
			expire = args[j+1]
			j++
		default:
			return 0, nil, false
		}
	}
	return flags, expire, true
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// expireFlagUnit maps an expire flag to deadlineFromArg's unit.
func expireFlagUnit(flags int) string {
	switch {
	case flags&setEX != 0:
		return "ex"
	case flags&setPX != 0:
		return "px"
	case flags&setEXAT != 0:
		return "exat"
	}
	return "pxat"
}

// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds |
// EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]
func cmdSet(s *Session, args [][]byte) {
	flags, expire, ok := parseSetOptions(args, false)
	if !ok {
		s.w.Error(errSyntax)
		return
	}
	s.setGeneric(args[1], args[2], flags, expire, "set", false)
}

// setGeneric is Redis's setGenericCommand. With countReply the reply is
// :1 or :0 (SETNX) instead of OK or null.
func (s *Session) setGeneric(key, val []byte, flags int, expire []byte, cmd string, countReply bool) {
	var deadline int64
	if expire != nil {
		at, err := s.deadlineFromArg(expire, expireFlagUnit(flags), cmd)
		if err != nil {
			s.w.Error(err.Error())
			return
		}
		deadline = at
	}
	if flags&setGet != 0 && !s.getGeneric(key) {
		return
	}
	// Only NX and XX need to know whether the key exists; the look-up
	// also expires a due key (with its event), which matters only when
	// some key in the database has a deadline.
	found := false
	if flags&(setNX|setXX) != 0 || len(s.db.expires) > 0 {
		found = s.exists(key)
	}
	if (flags&setNX != 0 && found) || (flags&setXX != 0 && !found) {
		switch {
		case flags&setGet != 0:
		case countReply:
			s.w.Int(0)
		default:
			s.w.Null()
		}
		return
	}
	stored := s.setStringBytes(key, val, flags&setKeepTTL != 0)
	s.notifyEvent(notifyString, "set", key)
	if expire != nil {
		s.setDeadlineOf(stored, deadline)
		// Propagated with the absolute deadline it got.
		s.rewriteArgv(argSet, key, val, argPXAT, int64Arg(deadline))
		s.notifyEvent(notifyGeneric, "expire", key)
	} else if flags&setGet != 0 && s.e.propagating() {
		s.rewriteArgv(withoutGet(s.e.prop.callArgs)...)
	}
	switch {
	case flags&setGet != 0:
	case countReply:
		s.w.Int(1)
	default:
		s.w.OK()
	}
}

// deadlineFromArg turns an EX/PX/EXAT/PXAT argument into unix ms, with
// Redis's checks: an integer, positive, and no overflow.
func (s *Session) deadlineFromArg(arg []byte, unit, cmd string) (int64, error) {
	n, ok := parseInt(arg)
	if !ok {
		return 0, argError(errNotInt)
	}
	invalid := argError("ERR invalid expire time in '" + cmd + "' command")
	if n <= 0 {
		return 0, invalid
	}
	const maxMs = int64(1<<63-1) / 1000
	switch unit {
	case "ex":
		if n > maxMs {
			return 0, invalid
		}
		n *= 1000
		if n > 1<<63-1-s.e.nowMs {
			return 0, invalid
		}
		return s.e.nowMs + n, nil
	case "px":
		if n > 1<<63-1-s.e.nowMs {
			return 0, invalid
		}
		return s.e.nowMs + n, nil
	case "exat":
		if n > maxMs {
			return 0, invalid
		}
		return n * 1000, nil
	default: // pxat
		return n, nil
	}
}

// SETEX key seconds value
func cmdSetEx(s *Session, args [][]byte) {
	s.setGeneric(args[1], args[3], setEX, args[2], "setex", false)
}

// PSETEX key milliseconds value
func cmdPSetEx(s *Session, args [][]byte) {
	s.setGeneric(args[1], args[3], setPX, args[2], "psetex", false)
}

// SETNX key value
func cmdSetNX(s *Session, args [][]byte) {
	s.setGeneric(args[1], args[2], setNX, nil, "setnx", true)
}

// GETSET key value
func cmdGetSet(s *Session, args [][]byte) {
	if !s.getGeneric(args[1]) {
		return
	}
	s.setStringBytes(args[1], args[2], false)
	s.notifyEvent(notifyString, "set", args[1])
	s.rewriteArgv(argSet, args[1], args[2])
}

// GETDEL key
func cmdGetDel(s *Session, args [][]byte) {
	if !s.getGeneric(args[1]) {
		return
	}
	if s.deleteKey(args[1]) {
		s.notifyEvent(notifyGeneric, "del", args[1])
		s.propagateAsDeletion(args[1], "lazyfree-lazy-user-del")
	}
}

// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
// PXAT unix-time-milliseconds | PERSIST]
func cmdGetEx(s *Session, args [][]byte) {
	flags, expire, ok := parseSetOptions(args, true)
	if !ok {
		s.w.Error(errSyntax)
		return
	}
	key := args[1]
	v, found, bad := s.lookupString(key)
	if bad {
		return
	}
	if !found {
		s.w.Null()
		return
	}
	var deadline int64
	if expire != nil {
		at, err := s.deadlineFromArg(expire, expireFlagUnit(flags), "getex")
		if err != nil {
			s.w.Error(err.Error())
			return
		}
		deadline = at
	}
	s.w.BulkString(v)
	switch {
	case flags&(setEXAT|setPXAT) != 0 && s.e.alreadyExpired(deadline):
		// An absolute time already past deletes the key at once.
		s.deleteKey(key)
		s.notifyEvent(notifyGeneric, "del", key)
		s.propagateAsDeletion(key, "lazyfree-lazy-expire")
	case expire != nil:
		s.setDeadline(key, deadline)
		s.rewriteArgv(argPExpireAt, key, int64Arg(deadline))
		s.notifyEvent(notifyGeneric, "expire", key)
	case flags&setPersist != 0:
		if s.persist(key) {
			s.rewriteArgv(argPersist, key)
			s.notifyEvent(notifyGeneric, "persist", key)
		}
	}
}

// MGET key [key ...]
func cmdMGet(s *Session, args [][]byte) {
	s.w.Array(len(args) - 1)
	for _, k := range args[1:] {
		v, obj, found := s.lookupReadKeeping(k, false) // bulkValue says whether it keeps v
		if !found || obj != nil {
			s.w.Null()
			continue
		}
		s.bulkValue(k, v)
	}
}

// MSET key value [key value ...]
func cmdMSet(s *Session, args [][]byte) {
	if len(args)%2 == 0 {
		s.w.Error("ERR wrong number of arguments for 'mset' command")
		return
	}
	s.msetGeneric(args)
	s.w.OK()
}

// MSETNX key value [key value ...]
func cmdMSetNX(s *Session, args [][]byte) {
	if len(args)%2 == 0 {
		s.w.Error("ERR wrong number of arguments for 'msetnx' command")
		return
	}
	for i := 1; i < len(args); i += 2 {
		if s.exists(args[i]) {
			s.w.Int(0)
			return
		}
	}
	s.msetGeneric(args)
	s.w.Int(1)
}

func (s *Session) msetGeneric(args [][]byte) {
	for i := 1; i < len(args); i += 2 {
		s.setStringBytes(args[i], args[i+1], false)
		s.notifyEvent(notifyString, "set", args[i])
	}
}

// checkStringLength is Redis's check that a grown string stays within
// proto-max-bulk-len.
func (s *Session) checkStringLength(size, add int64) bool {
	total := size + add
	if total > s.e.config.int("proto-max-bulk-len") || total < size || total < add {
		s.w.Error(errStringTooLong)
		return false
	}
	return true
}

// APPEND key value
func cmdAppend(s *Session, args [][]byte) {
	key, val := args[1], args[2]
	cur, found, bad := s.lookupWriteString(key)
	if bad {
		return
	}
	if !found {
		s.setStringBytes(key, val, true)
		s.notifyEvent(notifyString, "append", key)
		s.w.Int(int64(len(val)))
		return
	}
	if !s.checkStringLength(int64(len(cur)), int64(len(val))) {
		return
	}
	// Into the value's own buffer while it is unshared and has room, as
	// sds preallocation makes a run of APPENDs amortized O(1) in Redis.
	b := s.writableString(key, cur, true, len(cur)+len(val))
	copy(b[len(cur):], val)
	// Redis appends to an unshared copy: the value is raw from now on.
	s.storeOwned(key, b, true, true)
	s.notifyEvent(notifyString, "append", key)
	s.w.Int(int64(len(b)))
}

// lookupWriteString looks key up for a write: no hit/miss accounting, and
// WRONGTYPE written when it holds another type. Its callers replace or
// change the value and keep nothing of the old bytes: the value stays
// writable in place (strbuf.go).
func (s *Session) lookupWriteString(key []byte) (val string, found, wrongType bool) {
	str, obj, found := s.lookupKeeping(key, false)
	if found && obj != nil {
		s.w.Error(errWrongType)
		return "", true, true
	}
	return str, found, false
}

// SETRANGE key offset value
func cmdSetRange(s *Session, args [][]byte) {
	key, val := args[1], args[3]
	offset, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	if offset < 0 {
		s.w.Error(errOffsetRange)
		return
	}
	cur, found, bad := s.lookupWriteString(key)
	if bad {
		return
	}
	if len(val) == 0 {
		s.w.Int(int64(len(cur)))
		return
	}
	if !s.checkStringLength(offset, int64(len(val))) {
		return
	}
	n := max(int64(len(cur)), offset+int64(len(val)))
	b := s.writableString(key, cur, found, int(n)) // zero padding up to offset, as sdsgrowzero
	copy(b[offset:], val)
	// Redis builds or unshares an sds for SETRANGE: always raw.
	s.storeOwned(key, b, found, true)
	s.notifyEvent(notifyString, "setrange", key)
	s.w.Int(n)
}

// GETRANGE key start end (and SUBSTR, its old name)
func cmdGetRange(s *Session, args [][]byte) {
	start, ok1 := parseInt(args[2])
	end, ok2 := parseInt(args[3])
	if !ok1 || !ok2 {
		s.w.Error(errNotInt)
		return
	}
	v, found, bad := s.peekString(args[1]) // copied into the reply
	if bad {
		return
	}
	if !found {
		s.w.BulkString("")
		return
	}
	n := int64(len(v))
	if start < 0 && end < 0 && start > end {
		s.w.BulkString("")
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		s.w.BulkString("")
		return
	}
	s.w.BulkString(v[start : end+1])
}

// STRLEN key
func cmdStrlen(s *Session, args [][]byte) {
	v, _, bad := s.peekString(args[1])
	if bad {
		return
	}
	s.w.Int(int64(len(v)))
}

// INCR key
func cmdIncr(s *Session, args [][]byte) { s.incrDecr(args[1], 1) }

// DECR key
func cmdDecr(s *Session, args [][]byte) { s.incrDecr(args[1], -1) }

// INCRBY key increment
func cmdIncrBy(s *Session, args [][]byte) {
	n, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	s.incrDecr(args[1], n)
}

// DECRBY key decrement
func cmdDecrBy(s *Session, args [][]byte) {
	n, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	if n == -1<<63 {
		s.w.Error("ERR decrement would overflow")
		return
	}
	s.incrDecr(args[1], -n)
}

// incrDecr is Redis's incrDecrCommand: the value must parse as a 64-bit
// integer and the result must not overflow; the deadline is kept.
func (s *Session) incrDecr(key []byte, incr int64) {
	cur, found, bad := s.lookupWriteString(key)
	if bad {
		return
	}
	var v int64
	if found {
		var ok bool
		if v, ok = parseInt(stringToBytes(cur)); !ok {
			s.w.Error(errNotInt)
			return
		}
	}
	if (incr < 0 && v < 0 && incr < -1<<63-v) || (incr > 0 && v > 0 && incr > 1<<63-1-v) {
		s.w.Error(errOverflow)
		return
	}
	v += incr
	var num [20]byte
	s.setStringBytes(key, strconv.AppendInt(num[:0], v, 10), true)
	s.notifyEvent(notifyString, "incrby", key)
	s.w.Int(v)
}

// INCRBYFLOAT key increment
func cmdIncrByFloat(s *Session, args [][]byte) {
	key := args[1]
	cur, found, bad := s.lookupWriteString(key)
	if bad {
		return
	}
	if !found {
		cur = "0"
	}
	nv, err := addLongDouble(cur, args[2])
	if err != nil {
		s.w.Error(err.Error())
		return
	}
	s.setString(key, nv, true)
	s.notifyEvent(notifyString, "incrbyfloat", key)
	// The result, not the increment: float formatting must not differ
	// between here and whoever replays it.
	s.rewriteArgv(argSet, key, []byte(nv), argKeepTTL)
	s.w.BulkString(nv)
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
func cmdLCS(s *Session, args [][]byte) {
	a, objA, _ := s.lookupRead(args[1])
	b, objB, _ := s.lookupRead(args[2])
	if objA != nil || objB != nil {
		s.w.Error("ERR The specified keys must contain string values")
		return
	}
	var getLen, getIdx, withMatchLen bool
	var minMatchLen int64
	for j := 3; j < len(args); j++ {
		opt := args[j]
		switch {
		case equalFold(opt, "idx"):
			getIdx = true
		case equalFold(opt, "len"):
			getLen = true
		case equalFold(opt, "withmatchlen"):
			withMatchLen = true
		case equalFold(opt, "minmatchlen") && j+1 < len(args):
			n, ok := parseInt(args[j+1])
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			minMatchLen = max(n, 0)
			j++
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	if getIdx && getLen {
		s.w.Error("ERR If you want both the length and indexes, please just use IDX.")
		return
	}
	if len(a) >= 1<<32-2 || len(b) >= 1<<32-2 {
		s.w.Error("ERR String too long for LCS")
		return
	}
	// The dynamic-programming table is transient memory of
	// (len(a)+1)*(len(b)+1) cells; refuse what Redis could not allocate
	// either rather than exhaust the process.
	cells := uint64(len(a)+1) * uint64(len(b)+1)
	if cells*4 > uint64(s.e.config.int("proto-max-bulk-len")) {
		s.w.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}
	res := lcs(a, b, getIdx || !getLen, uint32(minMatchLen), getIdx)
	switch {
	case getIdx:
		s.w.Map(2)
		s.w.BulkString("matches")
		s.w.Array(len(res.ranges))
		for _, r := range res.ranges {
			if withMatchLen {
				s.w.Array(3)
			} else {
				s.w.Array(2)
			}
			s.w.Array(2)
			s.w.Int(int64(r.aStart))
			s.w.Int(int64(r.aEnd))
			s.w.Array(2)
			s.w.Int(int64(r.bStart))
			s.w.Int(int64(r.bEnd))
			if withMatchLen {
				s.w.Int(int64(r.aEnd - r.aStart + 1))
			}
		}
		s.w.BulkString("len")
		s.w.Int(int64(res.length))
	case getLen:
		s.w.Int(int64(res.length))
	default:
		s.w.Bulk(res.str)
	}
}

type lcsRange struct{ aStart, aEnd, bStart, bEnd uint32 }

type lcsResult struct {
	length uint32
	str    []byte
	ranges []lcsRange
}

// lcs is Redis's lcsCommand algorithm: the classic dynamic-programming
// table, then a walk back from the end that rebuilds the string and emits
// the matching ranges (last first, as Redis does).
func lcs(a, b string, compute bool, minMatchLen uint32, wantRanges bool) lcsResult {
	alen, blen := uint32(len(a)), uint32(len(b))
	dp := make([]uint32, (uint64(alen)+1)*(uint64(blen)+1))
	at := func(i, j uint32) uint32 { return dp[uint64(j)+uint64(i)*uint64(blen+1)] }
	for i := uint32(1); i <= alen; i++ {
		for j := uint32(1); j <= blen; j++ {
			var v uint32
			if a[i-1] == b[j-1] {
				v = at(i-1, j-1) + 1
			} else {
				v = max(at(i-1, j), at(i, j-1))
			}
			dp[uint64(j)+uint64(i)*uint64(blen+1)] = v
		}
	}
	idx := at(alen, blen)
	res := lcsResult{length: idx}
	if !compute {
		return res
	}
	res.str = make([]byte, idx)
	aStart, aEnd, bStart, bEnd := alen, uint32(0), uint32(0), uint32(0) // aStart == alen: no range yet
	i, j := alen, blen
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			res.str[idx-1] = a[i-1]
			if aStart == alen {
				aStart, aEnd, bStart, bEnd = i-1, i-1, j-1, j-1
			} else if aStart == i && bStart == j {
				aStart--
				bStart--
			} else {
				emit = true
			}
			if aStart == 0 || bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if at(i-1, j) > at(i, j-1) {
				i--
			} else {
				j--
			}
			if aStart != alen {
				emit = true
			}
		}
		if emit {
			matchLen := aEnd - aStart + 1
			if wantRanges && (minMatchLen == 0 || matchLen >= minMatchLen) {
				res.ranges = append(res.ranges, lcsRange{aStart, aEnd, bStart, bEnd})
			}
			aStart = alen
		}
	}
	return res
}
