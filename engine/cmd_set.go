package engine

import (
	"math"
	"slices"
	"strconv"
)

func setHandlers() []handlerEntry {
	return []handlerEntry{
		{"sadd", cmdSadd},
		{"srem", cmdSrem},
		{"sismember", cmdSismember},
		{"smismember", cmdSmismember},
		{"scard", cmdScard},
		{"smembers", cmdSmembers},
		{"spop", cmdSpop},
		{"srandmember", cmdSrandmember},
		{"sinter", cmdSinter},
		{"sintercard", cmdSintercard},
		{"sinterstore", cmdSinterstore},
		{"sunion", cmdSunion},
		{"sunionstore", cmdSunionstore},
		{"sdiff", cmdSdiff},
		{"sdiffstore", cmdSdiffstore},
		{"smove", cmdSmove},
		{"sscan", cmdSscan},
	}
}

func (s *Session) maxIntset() int {
	return int(min(s.e.config.int("set-max-intset-entries"), math.MaxInt32))
}

// setMembersReply writes members as a RESP3 set (an array in RESP2).
func (s *Session) setMembersReply(members []string) {
	s.w.Set(len(members))
	for _, m := range members {
		s.w.BulkString(m)
	}
}

// SADD key member [member ...]
func cmdSadd(s *Session, args [][]byte) {
	st, found, bad := lookupObjWrite[*setObj](s, args[1])
	if bad {
		return
	}
	maxInts := s.maxIntset()
	if !found {
		st = newSet(s.e.seed)
		if _, isInt := parseInt(args[2]); !isInt {
			st.convert()
		}
		s.setObj(args[1], st)
	}
	added := int64(0)
	for _, m := range args[2:] {
		if st.add(m, maxInts) {
			added++
		}
	}
	if added > 0 {
		s.modified(args[1])
		s.notifyEvent(notifySet, "sadd", args[1])
	}
	s.w.Int(added)
}

// SREM key member [member ...]
func cmdSrem(s *Session, args [][]byte) {
	st, found, bad := lookupObjWrite[*setObj](s, args[1])
	if bad {
		return
	}
	if !found {
		s.w.Int(0)
		return
	}
	removed := int64(0)
	for _, m := range args[2:] {
		if st.remove(m) {
			removed++
			if st.len() == 0 {
				break
			}
		}
	}
	if removed > 0 {
		s.setChanged(args[1], st, "srem")
	}
	s.w.Int(removed)
}

// setChanged signals a set modified in place by event, deleting the key
// when the set became empty.
func (s *Session) setChanged(key []byte, st *setObj, event string) {
	s.modified(key)
	s.notifyEvent(notifySet, event, key)
	if st.len() == 0 {
		s.deleteKey(key)
		s.notifyEvent(notifyGeneric, "del", key)
	}
}

// SISMEMBER key member
func cmdSismember(s *Session, args [][]byte) {
	st, found, bad := lookupObj[*setObj](s, args[1])
	if bad {
		return
	}
	if found && st.has(args[2]) {
		s.w.Int(1)
		return
	}
	s.w.Int(0)
}

// SMISMEMBER key member [member ...]
func cmdSmismember(s *Session, args [][]byte) {
	st, found, bad := lookupObj[*setObj](s, args[1])
	if bad {
		return
	}
	s.w.Array(len(args) - 2)
	for _, m := range args[2:] {
		if found && st.has(m) {
			s.w.Int(1)
		} else {
			s.w.Int(0)
		}
	}
}

// SCARD key
func cmdScard(s *Session, args [][]byte) {
	st, found, bad := lookupObj[*setObj](s, args[1])
	if bad {
		return
	}
	if !found {
		s.w.Int(0)
		return
	}
	s.w.Int(int64(st.len()))
}

// SMEMBERS key
func cmdSmembers(s *Session, args [][]byte) {
	st, found, bad := lookupObj[*setObj](s, args[1])
	if bad {
		return
	}
	if !found {
		s.w.Set(0)
		return
	}
	s.setMembersReply(st.members())
}

// SPOP key [count]
func cmdSpop(s *Session, args [][]byte) {
	if len(args) > 3 {
		s.w.Error(errSyntax)
		return
	}
	if len(args) == 3 {
		spopCount(s, args)
		return
	}
	st, found, bad := lookupObjWrite[*setObj](s, args[1])
	if bad {
		return
	}
	if !found {
		s.w.Null()
		return
	}
	m := st.pop(s.e.rand)
	s.setChanged(args[1], st, "spop")
	// The random choice is propagated as its effect.
	s.rewriteArgv(argSrem, args[1], []byte(m))
	s.w.BulkString(m)
}

func spopCount(s *Session, args [][]byte) {
	n, ok := parseInt(args[2])
	if !ok || n < 0 {
		s.w.Error(errPositive)
		return
	}
	st, found, bad := lookupObjWrite[*setObj](s, args[1])
	if bad {
		return
	}
	if !found || n == 0 {
		s.w.Set(0)
		return
	}
	if n >= int64(st.len()) {
		members := st.members()
		s.deleteKey(args[1])
		s.notifyEvent(notifySet, "spop", args[1])
		s.notifyEvent(notifyGeneric, "del", args[1])
		s.rewriteArgv(argDel, args[1])
		s.setMembersReply(members)
		return
	}
	out := make([]string, n)
	for i := range out {
		out[i] = st.pop(s.e.rand)
	}
	// Propagated as one SREM per member popped, as Redis does.
	for _, m := range out {
		s.e.alsoPropagate(s.db, propagateAll, argSrem, args[1], []byte(m))
	}
	s.preventPropagation()
	s.setChanged(args[1], st, "spop")
	s.setMembersReply(out)
}

// SRANDMEMBER key [count]
func cmdSrandmember(s *Session, args [][]byte) {
	if len(args) > 3 {
		s.w.Error(errSyntax)
		return
	}
	if len(args) == 2 {
		st, found, bad := lookupObj[*setObj](s, args[1])
		if bad {
			return
		}
		if !found {
			s.w.Null()
			return
		}
		s.w.BulkString(st.random(s.e.rand))
		return
	}
	n, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	if n == math.MinInt64 {
		s.w.Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return
	}
	st, found, bad := lookupObj[*setObj](s, args[1])
	if bad {
		return
	}
	if !found || n == 0 {
		s.w.Array(0)
		return
	}
	if n < 0 {
		s.w.Array(int(-n))
		for i := int64(0); i < -n; i++ {
			if i%1024 == 1023 && s.outputAborted() {
				return
			}
			s.w.BulkString(st.random(s.e.rand))
		}
		return
	}
	size := st.len()
	if n >= int64(size) {
		s.w.BulkStrings(st.members())
		return
	}
	// distinct picks: a partial Fisher-Yates over positions
	pos := make([]int, size)
	for i := range pos {
		pos[i] = i
	}
	s.w.Array(int(n))
	for i := 0; i < int(n); i++ {
		j := i + s.e.rand.IntN(size-i)
		pos[i], pos[j] = pos[j], pos[i]
		s.w.BulkString(st.member(pos[i]))
	}
}

// readSets looks up keys as sets: a missing key is nil (an empty set).
// ok is false after a WRONGTYPE reply.
func (s *Session) readSets(keys [][]byte) ([]*setObj, bool) {
	sets := make([]*setObj, len(keys))
	for i, k := range keys {
		st, _, bad := lookupObj[*setObj](s, k)
		if bad {
			return nil, false
		}
		sets[i] = st
	}
	return sets, true
}

// interSets returns the members of every set, walking the smallest one, up
// to limit members (0: no limit).
func interSets(sets []*setObj, limit int) []string {
	for _, st := range sets {
		if st == nil {
			return nil
		}
	}
	sorted := slices.Clone(sets)
	slices.SortStableFunc(sorted, func(a, b *setObj) int { return a.len() - b.len() })
	var out []string
	sorted[0].each(func(m string) bool {
		b := []byte(m)
		for _, o := range sorted[1:] {
			if !o.has(b) {
				return true
			}
		}
		out = append(out, m)
		return limit == 0 || len(out) < limit
	})
	return out
}

// unionDiff builds the union, or the difference of the first set minus
// the others, as a new set (intset while it can be, as Redis builds it).
func (s *Session) unionDiff(sets []*setObj, diff bool) *setObj {
	dst := newSet(s.e.seed)
	maxInts := s.maxIntset()
	if diff {
		if sets[0] == nil {
			return dst
		}
		sets[0].each(func(m string) bool {
			b := []byte(m)
			for _, o := range sets[1:] {
				if o != nil && o.has(b) {
					return true
				}
			}
			dst.add(b, maxInts)
			return true
		})
		return dst
	}
	for _, st := range sets {
		if st == nil {
			continue
		}
		st.each(func(m string) bool {
			dst.add([]byte(m), maxInts)
			return true
		})
	}
	return dst
}

// storeSet writes dst as the result of a *STORE command, or deletes the
// key when the result is empty.
func (s *Session) storeSet(key []byte, dst *setObj, event string) {
	if dst.len() == 0 {
		if s.exists(key) && s.deleteKey(key) {
			s.notifyEvent(notifyGeneric, "del", key)
		}
		s.w.Int(0)
		return
	}
	s.setObj(key, dst)
	s.notifyEvent(notifySet, event, key)
	s.w.Int(int64(dst.len()))
}

// SINTER key [key ...]
func cmdSinter(s *Session, args [][]byte) {
	sets, ok := s.readSets(args[1:])
	if !ok {
		return
	}
	s.setMembersReply(interSets(sets, 0))
}

// SINTERSTORE destination key [key ...]
func cmdSinterstore(s *Session, args [][]byte) {
	sets, ok := s.readSets(args[2:])
	if !ok {
		return
	}
	dst := newSet(s.e.seed)
	maxInts := s.maxIntset()
	for _, m := range interSets(sets, 0) {
		dst.add([]byte(m), maxInts)
	}
	s.storeSet(args[1], dst, "sinterstore")
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func cmdSintercard(s *Session, args [][]byte) {
	n, ok := parseInt(args[1])
	if !ok || n <= 0 {
		s.w.Error("ERR numkeys should be greater than 0")
		return
	}
	if n > int64(len(args)-2) {
		s.w.Error("ERR Number of keys can't be greater than number of args")
		return
	}
	keys := args[2 : 2+n]
	limit := int64(0)
	for i := 2 + int(n); i < len(args); i++ {
		if equalFold(args[i], "limit") && i+1 < len(args) {
			v, ok := parseInt(args[i+1])
			if !ok || v < 0 {
				s.w.Error("ERR LIMIT can't be negative")
				return
			}
			limit = v
			i++
			continue
		}
		s.w.Error(errSyntax)
		return
	}
	sets, ok := s.readSets(keys)
	if !ok {
		return
	}
	s.w.Int(int64(len(interSets(sets, int(min(limit, math.MaxInt32))))))
}

// SUNION key [key ...]
func cmdSunion(s *Session, args [][]byte) {
	sets, ok := s.readSets(args[1:])
	if !ok {
		return
	}
	s.setMembersReply(s.unionDiff(sets, false).members())
}

// SUNIONSTORE destination key [key ...]
func cmdSunionstore(s *Session, args [][]byte) {
	sets, ok := s.readSets(args[2:])
	if !ok {
		return
	}
	s.storeSet(args[1], s.unionDiff(sets, false), "sunionstore")
}

// SDIFF key [key ...]
func cmdSdiff(s *Session, args [][]byte) {
	sets, ok := s.readSets(args[1:])
	if !ok {
		return
	}
	s.setMembersReply(s.unionDiff(sets, true).members())
}

// SDIFFSTORE destination key [key ...]
func cmdSdiffstore(s *Session, args [][]byte) {
	sets, ok := s.readSets(args[2:])
	if !ok {
		return
	}
	s.storeSet(args[1], s.unionDiff(sets, true), "sdiffstore")
}

// SMOVE source destination member
func cmdSmove(s *Session, args [][]byte) {
	_, srcObj, srcFound := s.lookup(args[1])
	_, dstObj, dstFound := s.lookup(args[2])
	if !srcFound {
		s.w.Int(0)
		return
	}
	src, ok := srcObj.(*setObj)
	if !ok {
		s.w.Error(errWrongType)
		return
	}
	dst, ok := dstObj.(*setObj)
	if dstFound && !ok {
		s.w.Error(errWrongType)
		return
	}
	if src == dst {
		if src.has(args[3]) {
			s.w.Int(1)
		} else {
			s.w.Int(0)
		}
		return
	}
	if !src.remove(args[3]) {
		s.w.Int(0)
		return
	}
	s.setChanged(args[1], src, "srem")
	if !dstFound {
		dst = newSet(s.e.seed)
		if _, isInt := parseInt(args[3]); !isInt {
			dst.convert()
		}
		s.setObj(args[2], dst)
	}
	if dst.add(args[3], s.maxIntset()) {
		s.modified(args[2])
		s.notifyEvent(notifySet, "sadd", args[2])
	}
	s.w.Int(1)
}

// collScanOptions are the MATCH and COUNT arguments of SSCAN, HSCAN, ZSCAN.
type collScanOptions struct {
	pattern []byte
	count   int
}

// parseCollCursor is parseScanCursor with SSCAN/ZSCAN's error.
func parseCollCursor(c []byte) (uint64, error) {
	v, ok := parseScanCursor(c)
	if !ok {
		return 0, argError("ERR invalid cursor")
	}
	return v, nil
}

// parseCollScanOptions reads "[MATCH pattern] [COUNT count]" as Redis's
// scanGenericCommand does for a key's collection (no TYPE).
func parseCollScanOptions(args [][]byte) (collScanOptions, error) {
	o := collScanOptions{count: 10}
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return o, argError(errSyntax)
		}
		switch {
		case equalFold(args[i], "count"):
			n, ok := parseInt(args[i+1])
			if !ok {
				return o, argError(errNotInt)
			}
			if n < 1 {
				return o, argError(errSyntax)
			}
			o.count = int(min(n, math.MaxInt32))
		case equalFold(args[i], "match"):
			o.pattern = args[i+1]
		default:
			return o, argError(errSyntax)
		}
	}
	return o, nil
}

func (o *collScanOptions) matches(m string) bool {
	if o.pattern == nil || (len(o.pattern) == 1 && o.pattern[0] == '*') {
		return true
	}
	return globMatch(string(o.pattern), m, false)
}

// scanner is a collection with a SCAN cursor (sets, sorted sets).
type scanner interface {
	scan(cursor uint64, count int) ([]string, uint64)
}

// collScan is the shared part of SSCAN and ZSCAN: the cursor, the key,
// the options, then one step of the collection's scan filtered by MATCH.
// ok is false when it has already replied (an error, or a missing key).
func collScan[T scanner](s *Session, args [][]byte) (v T, members []string, next uint64, ok bool) {
	cursor, err := parseCollCursor(args[2])
	if err != nil {
		s.w.Error(err.Error())
		return v, nil, 0, false
	}
	v, found, bad := lookupObj[T](s, args[1])
	if bad {
		return v, nil, 0, false
	}
	if !found {
		s.emptyCollScan()
		return v, nil, 0, false
	}
	o, err := parseCollScanOptions(args[3:])
	if err != nil {
		s.w.Error(err.Error())
		return v, nil, 0, false
	}
	all, next := v.scan(cursor, o.count)
	members = all[:0]
	for _, m := range all {
		if o.matches(m) {
			members = append(members, m)
		}
	}
	return v, members, next, true
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
func cmdSscan(s *Session, args [][]byte) {
	_, members, next, ok := collScan[*setObj](s, args)
	if !ok {
		return
	}
	s.w.Array(2)
	s.w.BulkString(strconv.FormatUint(next, 10))
	s.w.BulkStrings(members)
}

// emptyCollScan is the reply of a scan over a missing key.
func (s *Session) emptyCollScan() {
	s.w.Array(2)
	s.w.BulkString("0")
	s.w.Array(0)
}
