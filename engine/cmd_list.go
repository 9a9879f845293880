package engine

import "strings"

// List commands, as t_list.c of Redis 7.0: argument checks in Redis's
// order (so the same bad input gets the same error), replies and keyspace
// events as Redis sends them. The data structure lives in list.go.

func listHandlers() []handlerEntry {
	return []handlerEntry{
		{"lpush", cmdLPush},
		{"rpush", cmdRPush},
		{"lpushx", cmdLPushX},
		{"rpushx", cmdRPushX},
		{"lpop", cmdLPop},
		{"rpop", cmdRPop},
		{"llen", cmdLLen},
		{"lrange", cmdLRange},
		{"lindex", cmdLIndex},
		{"lset", cmdLSet},
		{"linsert", cmdLInsert},
		{"lrem", cmdLRem},
		{"ltrim", cmdLTrim},
		{"lpos", cmdLPos},
		{"lmove", cmdLMove},
		{"rpoplpush", cmdRPopLPush},
		{"lmpop", cmdLMPop},
		{"blpop", cmdBLPop},
		{"brpop", cmdBRPop},
		{"blmove", cmdBLMove},
		{"brpoplpush", cmdBRPopLPush},
		{"blmpop", cmdBLMPop},
	}
}

const (
	errNumkeys       = "ERR numkeys should be greater than 0"
	errCountPositive = "ERR count should be greater than 0"
	errLPosRankZero  = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	errLPosCount     = "ERR COUNT can't be negative"
	errLPosMaxlen    = "ERR MAXLEN can't be negative"
)

// listForRead returns key's list (nil when missing) for a command that
// only reads it, counting a keyspace hit or miss. bad means the key holds
// another type and WRONGTYPE was written.
func listForRead(s *Session, key []byte) (l *list, bad bool) {
	l, _, bad = lookupObj[*list](s, key)
	return l, bad
}

// listForWrite is listForRead for commands that change the key: like
// Redis's lookupKeyWrite it counts no hit or miss.
func listForWrite(s *Session, key []byte) (l *list, bad bool) {
	l, _, bad = lookupObjWrite[*list](s, key)
	return l, bad
}

// listChanged ends a command that removed elements: it sends event, then
// deletes the key if the list is now empty (Redis never keeps an empty
// list), or marks it modified.
func listChanged(s *Session, key []byte, l *list, event string) {
	s.notifyEvent(notifyList, event, key)
	if l.len() == 0 {
		s.deleteKey(key)
		s.notifyEvent(notifyGeneric, "del", key)
		return
	}
	s.modified(key)
}

func popEvent(left bool) string {
	if left {
		return "lpop"
	}
	return "rpop"
}

func pushEvent(left bool) string {
	if left {
		return "lpush"
	}
	return "rpush"
}

// parseWhere reads LEFT or RIGHT.
func parseWhere(arg []byte) (left, ok bool) {
	switch {
	case equalFold(arg, "left"):
		return true, true
	case equalFold(arg, "right"):
		return false, true
	}
	return false, false
}

// LPUSH key element [element ...]
func cmdLPush(s *Session, args [][]byte) { listPush(s, args, true, false) }

// RPUSH key element [element ...]
func cmdRPush(s *Session, args [][]byte) { listPush(s, args, false, false) }

// LPUSHX key element [element ...]
func cmdLPushX(s *Session, args [][]byte) { listPush(s, args, true, true) }

// RPUSHX key element [element ...]
func cmdRPushX(s *Session, args [][]byte) { listPush(s, args, false, true) }

// listPush is Redis's pushGenericCommand; xx only pushes to an existing
// list.
func listPush(s *Session, args [][]byte, left, xx bool) {
	key := args[1]
	l, bad := listForWrite(s, key)
	if bad {
		return
	}
	if l == nil {
		if xx {
			s.w.Int(0)
			return
		}
		l = &list{}
		s.setObj(key, l)
	} else {
		s.modified(key)
	}
	l.reserve(len(args) - 2)
	for _, a := range args[2:] {
		l.push(string(a), left)
	}
	s.w.Int(int64(l.len()))
	s.notifyEvent(notifyList, pushEvent(left), key)
}

// LPOP key [count]
func cmdLPop(s *Session, args [][]byte) { listPop(s, args, true) }

// RPOP key [count]
func cmdRPop(s *Session, args [][]byte) { listPop(s, args, false) }

// listPop is Redis's popGenericCommand: without count a bulk string (null
// when the key is missing), with count an array (null array when missing,
// empty for count 0).
func listPop(s *Session, args [][]byte, left bool) {
	if len(args) > 3 {
		s.w.Error("ERR wrong number of arguments for '" + strings.ToLower(string(args[0])) + "' command")
		return
	}
	hasCount := len(args) == 3
	var count int64
	if hasCount {
		n, ok := parseInt(args[2])
		if !ok || n < 0 {
			s.w.Error(errPositive)
			return
		}
		count = n
	}
	key := args[1]
	l, bad := listForWrite(s, key)
	if bad {
		return
	}
	if l == nil {
		if hasCount {
			s.w.NullArray()
		} else {
			s.w.Null()
		}
		return
	}
	if !hasCount {
		s.w.BulkString(l.pop(left))
		listChanged(s, key, l, popEvent(left))
		return
	}
	if count == 0 {
		s.w.Array(0)
		return
	}
	n := min(count, int64(l.len()))
	s.w.Array(int(n))
	for range n {
		s.w.BulkString(l.pop(left))
	}
	listChanged(s, key, l, popEvent(left))
}

// LLEN key
func cmdLLen(s *Session, args [][]byte) {
	l, bad := listForRead(s, args[1])
	if bad {
		return
	}
	if l == nil {
		s.w.Int(0)
		return
	}
	s.w.Int(int64(l.len()))
}

// LINDEX key index
func cmdLIndex(s *Session, args [][]byte) {
	l, bad := listForRead(s, args[1])
	if bad {
		return
	}
	if l == nil {
		s.w.Null()
		return
	}
	i, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	n := int64(l.len())
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		s.w.Null()
		return
	}
	s.w.BulkString(l.at(int(i)))
}

// LSET key index element
func cmdLSet(s *Session, args [][]byte) {
	key := args[1]
	l, bad := listForWrite(s, key)
	if bad {
		return
	}
	if l == nil {
		s.w.Error(errNoSuchKey)
		return
	}
	i, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	n := int64(l.len())
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		s.w.Error(errIndexRange)
		return
	}
	l.set(int(i), string(args[3]))
	s.w.OK()
	s.modified(key)
	s.notifyEvent(notifyList, "lset", key)
}

// listRange turns Redis's start/stop (negative from the end) into a valid
// inclusive range of a list of n elements; ok is false when it is empty.
func listRange(start, stop, n int64) (int, int, bool) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= n {
		return 0, 0, false
	}
	if stop >= n {
		stop = n - 1
	}
	return int(start), int(stop), true
}

// parseStartStop reads two integer arguments.
func parseStartStop(a, b []byte) (int64, int64, bool) {
	start, ok1 := parseInt(a)
	stop, ok2 := parseInt(b)
	return start, stop, ok1 && ok2
}

// LRANGE key start stop
func cmdLRange(s *Session, args [][]byte) {
	start, stop, ok := parseStartStop(args[2], args[3])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	l, bad := listForRead(s, args[1])
	if bad {
		return
	}
	if l == nil {
		s.w.Array(0)
		return
	}
	from, to, ok := listRange(start, stop, int64(l.len()))
	if !ok {
		s.w.Array(0)
		return
	}
	s.w.Array(to - from + 1)
	l.each(from, to, s.w.BulkString)
}

// LTRIM key start stop
func cmdLTrim(s *Session, args [][]byte) {
	start, stop, ok := parseStartStop(args[2], args[3])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	key := args[1]
	l, bad := listForWrite(s, key)
	if bad {
		return
	}
	if l == nil {
		s.w.OK()
		return
	}
	from, to, ok := listRange(start, stop, int64(l.len()))
	if !ok {
		from, to = 1, 0 // empties the list
	}
	l.trim(from, to)
	listChanged(s, key, l, "ltrim")
	s.w.OK()
}

// LINSERT key BEFORE|AFTER pivot element
func cmdLInsert(s *Session, args [][]byte) {
	var after bool
	switch {
	case equalFold(args[2], "after"):
		after = true
	case equalFold(args[2], "before"):
	default:
		s.w.Error(errSyntax)
		return
	}
	key := args[1]
	l, bad := listForWrite(s, key)
	if bad {
		return
	}
	if l == nil {
		s.w.Int(0)
		return
	}
	i := l.index(tmpString(args[3]), 0)
	if i < 0 {
		s.w.Int(-1)
		return
	}
	if after {
		i++
	}
	l.insert(i, string(args[4]))
	s.modified(key)
	s.notifyEvent(notifyList, "linsert", key)
	s.w.Int(int64(l.len()))
}

// LREM key count element
func cmdLRem(s *Session, args [][]byte) {
	count, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	key := args[1]
	l, bad := listForWrite(s, key)
	if bad {
		return
	}
	if l == nil {
		s.w.Int(0)
		return
	}
	fromTail := count < 0
	if fromTail {
		count = -count
		if count < 0 {
			// -LONG_MIN overflows in Redis too, and then nothing stops
			// the removal: all of them go.
			count = 0
		}
	}
	limit := int(min(count, int64(l.len())))
	removed := l.remove(tmpString(args[3]), limit, fromTail)
	if removed > 0 {
		listChanged(s, key, l, "lrem")
	}
	s.w.Int(int64(removed))
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func cmdLPos(s *Session, args [][]byte) {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(args); j++ {
		more := j+1 < len(args)
		switch opt := args[j]; {
		case equalFold(opt, "rank") && more:
			j++
			r, ok := parseInt(args[j])
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			if r == 0 {
				s.w.Error(errLPosRankZero)
				return
			}
			rank = r
		case equalFold(opt, "count") && more:
			j++
			c, ok := parseInt(args[j])
			if !ok || c < 0 {
				s.w.Error(errLPosCount)
				return
			}
			count = c
		case equalFold(opt, "maxlen") && more:
			j++
			m, ok := parseInt(args[j])
			if !ok || m < 0 {
				s.w.Error(errLPosMaxlen)
				return
			}
			maxlen = m
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	fromTail := rank < 0
	if fromTail {
		// As in Redis, -LONG_MIN stays negative: every match qualifies.
		rank = -rank
	}
	l, bad := listForRead(s, args[1])
	if bad {
		return
	}
	if l == nil {
		if count != -1 {
			s.w.Array(0)
		} else {
			s.w.Null()
		}
		return
	}
	elem := tmpString(args[2])
	n := int64(l.len())
	var found []int64  // with COUNT
	first := int64(-1) // without
	var matches int64
	for index := int64(0); index < n && (maxlen == 0 || index < maxlen); index++ {
		pos := index
		if fromTail {
			pos = n - index - 1
		}
		if l.at(int(pos)) != elem {
			continue
		}
		matches++
		if matches < rank {
			continue
		}
		if count == -1 {
			first = pos
			break
		}
		found = append(found, pos)
		if count != 0 && matches-rank+1 >= count {
			break
		}
	}
	switch {
	case count != -1:
		s.w.Array(len(found))
		for _, p := range found {
			s.w.Int(p)
		}
	case first < 0:
		s.w.Null()
	default:
		s.w.Int(first)
	}
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
func cmdLMove(s *Session, args [][]byte) {
	from, ok1 := parseWhere(args[3])
	to, ok2 := parseWhere(args[4])
	if !ok1 || !ok2 {
		s.w.Error(errSyntax)
		return
	}
	listMove(s, args[1], args[2], from, to)
}

// RPOPLPUSH source destination
func cmdRPopLPush(s *Session, args [][]byte) { listMove(s, args[1], args[2], false, true) }

// listMove is Redis's lmoveGenericCommand: pop from src, push to dst
// (which may be the same list), reply with the element. It reports
// whether an element moved.
func listMove(s *Session, src, dst []byte, fromLeft, toLeft bool) bool {
	sl, bad := listForWrite(s, src)
	if bad {
		return false
	}
	if sl == nil {
		s.w.Null()
		return false
	}
	dl, bad := listForWrite(s, dst)
	if bad {
		return false
	}
	v := sl.pop(fromLeft)
	if dl == nil {
		dl = &list{}
		s.setObj(dst, dl)
	} else {
		s.modified(dst)
	}
	dl.push(v, toLeft)
	s.notifyEvent(notifyList, pushEvent(toLeft), dst)
	s.w.BulkString(v)
	listChanged(s, src, sl, popEvent(fromLeft))
	return true
}

// mpopArgs are the parsed arguments of LMPOP and BLMPOP.
type mpopArgs struct {
	keys  [][]byte
	left  bool
	count int64
}

// parseMpop reads "numkeys key [key ...] LEFT|RIGHT [COUNT count]" from
// args[at:], writing Redis's error when it fails.
func parseMpop(s *Session, args [][]byte, at int) (mpopArgs, bool) {
	var m mpopArgs
	numkeys, ok := parseInt(args[at])
	if !ok || numkeys < 1 {
		s.w.Error(errNumkeys)
		return m, false
	}
	if numkeys >= int64(len(args)-at-1) {
		s.w.Error(errSyntax)
		return m, false
	}
	whereAt := at + 1 + int(numkeys)
	m.keys = args[at+1 : whereAt]
	if m.left, ok = parseWhere(args[whereAt]); !ok {
		s.w.Error(errSyntax)
		return m, false
	}
	m.count = -1
	for j := whereAt + 1; j < len(args); j++ {
		if m.count == -1 && equalFold(args[j], "count") && j+1 < len(args) {
			j++
			c, ok := parseInt(args[j])
			if !ok || c < 1 {
				s.w.Error(errCountPositive)
				return m, false
			}
			m.count = c
			continue
		}
		s.w.Error(errSyntax)
		return m, false
	}
	if m.count == -1 {
		m.count = 1
	}
	return m, true
}

// popRangeWithKey replies [key, [elements...]] with up to count elements
// popped from l (LMPOP's reply).
func popRangeWithKey(s *Session, key []byte, l *list, left bool, count int64) {
	n := int(min(count, int64(l.len())))
	// LMPOP and BLMPOP propagate as the pop with the count popped.
	s.rewriteArgv(popVerb(left), key, int64Arg(int64(n)))
	s.w.Array(2)
	s.w.Bulk(key)
	s.w.Array(n)
	for range n {
		s.w.BulkString(l.pop(left))
	}
	listChanged(s, key, l, popEvent(left))
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
func cmdLMPop(s *Session, args [][]byte) {
	m, ok := parseMpop(s, args, 1)
	if !ok {
		return
	}
	for _, key := range m.keys {
		l, bad := listForWrite(s, key)
		if bad {
			return
		}
		if l != nil {
			popRangeWithKey(s, key, l, m.left, m.count)
			return
		}
	}
	s.w.NullArray()
}

// BLPOP key [key ...] timeout
func cmdBLPop(s *Session, args [][]byte) { blockingPop(s, args, true) }

// BRPOP key [key ...] timeout
func cmdBRPop(s *Session, args [][]byte) { blockingPop(s, args, false) }

func blockingPop(s *Session, args [][]byte, left bool) {
	deadline, err := s.parseTimeout(args[len(args)-1])
	if err != nil {
		s.w.Error(err.Error())
		return
	}
	keys := args[1 : len(args)-1]
	for _, key := range keys {
		l, bad := listForWrite(s, key)
		if bad {
			return
		}
		if l != nil {
			s.w.Array(2)
			s.w.Bulk(key)
			s.w.BulkString(l.pop(left))
			listChanged(s, key, l, popEvent(left))
			s.rewriteArgv(popVerb(left), key)
			return
		}
	}
	if s.inExec {
		s.w.NullArray()
		return
	}
	s.block(keys, deadline, func(s *Session) bool {
		key := []byte(s.blocked.readyKey)
		l := readyList(s, key)
		if l == nil {
			return false
		}
		s.w.Array(2)
		s.w.Bulk(key)
		s.w.BulkString(l.pop(left))
		listChanged(s, key, l, popEvent(left))
		s.rewriteArgv(popVerb(left), key)
		return true
	}, (*Session).replyBlockedListTimeout)
}

// readyList returns the list at key when a blocked client can be served
// from it: a key of another type leaves the client blocked, as in 7.0.
func readyList(s *Session, key []byte) *list {
	_, obj, found := s.lookup(key)
	if !found {
		return nil
	}
	l, _ := obj.(*list)
	return l
}

// replyBlockedListTimeout is the timeout reply of every blocking list
// command, BLMOVE included: Redis answers a null array for all of them.
func (s *Session) replyBlockedListTimeout() { s.w.NullArray() }

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
func cmdBLMPop(s *Session, args [][]byte) {
	deadline, err := s.parseTimeout(args[1])
	if err != nil {
		s.w.Error(err.Error())
		return
	}
	m, ok := parseMpop(s, args, 2)
	if !ok {
		return
	}
	for _, key := range m.keys {
		l, bad := listForWrite(s, key)
		if bad {
			return
		}
		if l != nil {
			popRangeWithKey(s, key, l, m.left, m.count)
			return
		}
	}
	if s.inExec {
		s.w.NullArray()
		return
	}
	left, count := m.left, m.count
	s.block(m.keys, deadline, func(s *Session) bool {
		key := []byte(s.blocked.readyKey)
		l := readyList(s, key)
		if l == nil {
			return false
		}
		popRangeWithKey(s, key, l, left, count)
		return true
	}, (*Session).replyBlockedListTimeout)
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
func cmdBLMove(s *Session, args [][]byte) {
	from, ok1 := parseWhere(args[3])
	to, ok2 := parseWhere(args[4])
	if !ok1 || !ok2 {
		s.w.Error(errSyntax)
		return
	}
	blockingMove(s, args[1], args[2], args[5], from, to, false)
}

// BRPOPLPUSH source destination timeout
func cmdBRPopLPush(s *Session, args [][]byte) {
	blockingMove(s, args[1], args[2], args[3], false, true, true)
}

// blockingMove is BLMOVE, or BRPOPLPUSH with rpoplpush: propagated as
// LMOVE (RPOPLPUSH) when an element moves.
func blockingMove(s *Session, src, dst, timeout []byte, fromLeft, toLeft, rpoplpush bool) {
	moved := func(s *Session, src, dst []byte) {
		if rpoplpush {
			s.rewriteArgv(argRPopLPush, src, dst)
		} else {
			s.rewriteArgv(argLMove, src, dst, whereArg(fromLeft), whereArg(toLeft))
		}
	}
	deadline, err := s.parseTimeout(timeout)
	if err != nil {
		s.w.Error(err.Error())
		return
	}
	sl, bad := listForWrite(s, src)
	if bad {
		return
	}
	if sl != nil {
		if listMove(s, src, dst, fromLeft, toLeft) {
			moved(s, src, dst)
		}
		return
	}
	if s.inExec {
		s.w.Null()
		return
	}
	dstKey := string(dst)
	s.block([][]byte{src}, deadline, func(s *Session) bool {
		key := []byte(s.blocked.readyKey)
		if readyList(s, key) == nil {
			return false
		}
		// A destination of another type answers WRONGTYPE and ends the
		// wait, leaving the source alone, as Redis does.
		if listMove(s, key, []byte(dstKey), fromLeft, toLeft) {
			moved(s, key, []byte(dstKey))
		}
		return true
	}, (*Session).replyBlockedListTimeout)
}

// popVerb is the pop command a pop from that end propagates as.
func popVerb(left bool) []byte {
	if left {
		return argLPop
	}
	return argRPop
}

// whereArg is LEFT or RIGHT, as LMOVE takes it.
func whereArg(left bool) []byte {
	if left {
		return argLeft
	}
	return argRight
}
