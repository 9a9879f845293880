package engine

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
)

func zsetHandlers() []handlerEntry {
	return []handlerEntry{
		{"zadd", cmdZadd},
		{"zincrby", cmdZincrby},
		{"zscore", cmdZscore},
		{"zmscore", cmdZmscore},
		{"zcard", cmdZcard},
		{"zcount", cmdZcount},
		{"zlexcount", cmdZlexcount},
		{"zrange", cmdZrange},
		{"zrangestore", cmdZrangestore},
		{"zrangebyscore", cmdZrangebyscore},
		{"zrevrangebyscore", cmdZrevrangebyscore},
		{"zrangebylex", cmdZrangebylex},
		{"zrevrangebylex", cmdZrevrangebylex},
		{"zrevrange", cmdZrevrange},
		{"zrank", cmdZrank},
		{"zrevrank", cmdZrevrank},
		{"zrem", cmdZrem},
		{"zremrangebyrank", cmdZremrangebyrank},
		{"zremrangebyscore", cmdZremrangebyscore},
		{"zremrangebylex", cmdZremrangebylex},
		{"zpopmin", cmdZpopmin},
		{"zpopmax", cmdZpopmax},
		{"zmpop", cmdZmpop},
		{"bzpopmin", cmdBzpopmin},
		{"bzpopmax", cmdBzpopmax},
		{"bzmpop", cmdBzmpop},
		{"zrandmember", cmdZrandmember},
		{"zunion", cmdZunion},
		{"zinter", cmdZinter},
		{"zdiff", cmdZdiff},
		{"zunionstore", cmdZunionstore},
		{"zinterstore", cmdZinterstore},
		{"zdiffstore", cmdZdiffstore},
		{"zintercard", cmdZintercard},
		{"zscan", cmdZscan},
	}
}

const (
	errMinMaxNotFloat = "ERR min or max is not a float"
	errLexRange       = "ERR min or max not valid string range item"
	errScoreNaN       = "ERR resulting score is not a number (NaN)"
)

func (s *Session) zlimits() zsetLimits {
	c := s.e.config
	return zsetLimits{
		entries: int(min(c.int("zset-max-listpack-entries"), math.MaxInt32)),
		value:   int(min(c.int("zset-max-listpack-value"), math.MaxInt32)),
	}
}

// strtod parses s as C's strtod must consume it whole: leading white space
// allowed, hex without exponent, inf/infinity/nan in any case. erange is
// set on overflow and on underflow to zero, as errno would be.
func strtod(s string) (f float64, ok, erange bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	t := s[i:]
	if t == "" || strings.ContainsRune(t, '_') {
		return 0, false, false
	}
	body := strings.TrimLeft(t, "+-")
	if len(t)-len(body) > 1 {
		return 0, false, false
	}
	if len(body) > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') && !strings.ContainsAny(body, "pP") {
		t += "p0"
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if ne, isNum := err.(*strconv.NumError); isNum && ne.Err == strconv.ErrRange {
			return f, true, true
		}
		return 0, false, false
	}
	if f == 0 {
		// underflow: C reports ERANGE when non-zero digits gave zero
		mant, digits := strings.ToLower(body), "123456789"
		if strings.HasPrefix(mant, "0x") {
			mant, digits = mant[2:], "123456789abcdef"
			if k := strings.IndexByte(mant, 'p'); k >= 0 {
				mant = mant[:k]
			}
		} else if k := strings.IndexByte(mant, 'e'); k >= 0 {
			mant = mant[:k]
		}
		if strings.ContainsAny(mant, digits) {
			return f, true, true
		}
	}
	return f, true, false
}

// parseScore reads a score as getDoubleFromObject does: no leading space,
// no NaN, no overflow or underflow to zero.
func parseScore(b []byte) (float64, bool) {
	if len(b) == 0 || b[0] == ' ' || (b[0] >= '\t' && b[0] <= '\r') {
		return 0, false
	}
	f, ok, erange := strtod(string(b))
	if !ok || math.IsNaN(f) || (erange && (math.IsInf(f, 0) || f == 0)) {
		return 0, false
	}
	return f, true
}

// scoreRange is a parsed min/max score interval.
type scoreRange struct {
	min, max     float64
	minex, maxex bool
}

// parseRangeItem reads one end of a score range: "(" makes it exclusive.
func parseRangeItem(b []byte) (v float64, excl, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		excl = true
		b = b[1:]
	}
	// Redis's zslParseRange runs strtod on the C string: it stops at a
	// NUL byte, and an empty string is 0 (strtod converts nothing and
	// leaves the end pointer on the terminator).
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 {
		return 0, excl, true
	}
	f, ok, _ := strtod(string(b))
	if !ok || math.IsNaN(f) {
		return 0, false, false
	}
	return f, excl, true
}

func parseScoreRange(minArg, maxArg []byte) (scoreRange, bool) {
	var r scoreRange
	var ok1, ok2 bool
	r.min, r.minex, ok1 = parseRangeItem(minArg)
	r.max, r.maxex, ok2 = parseRangeItem(maxArg)
	return r, ok1 && ok2
}

// ranks returns the [first, end) ranks of the members in r.
func (r scoreRange) ranks(z *zset) (int, int) {
	first := z.countScoreBelow(r.min, r.minex)
	end := z.countScoreBelow(r.max, !r.maxex)
	if end < first {
		end = first
	}
	return first, end
}

// lexBound is one end of a lex range: "-", "+", "[x" or "(x".
type lexBound struct {
	kind byte // '-', '+', '[', '('
	s    string
}

func parseLexBound(b []byte) (lexBound, bool) {
	if len(b) == 0 {
		return lexBound{}, false
	}
	switch b[0] {
	case '-', '+':
		if len(b) != 1 {
			return lexBound{}, false
		}
		return lexBound{kind: b[0]}, true
	case '[', '(':
		return lexBound{kind: b[0], s: string(b[1:])}, true
	}
	return lexBound{}, false
}

type lexRange struct{ min, max lexBound }

func parseLexRange(minArg, maxArg []byte) (lexRange, bool) {
	lo, ok1 := parseLexBound(minArg)
	hi, ok2 := parseLexBound(maxArg)
	return lexRange{lo, hi}, ok1 && ok2
}

// ranks returns the [first, end) ranks of the members in r.
func (r lexRange) ranks(z *zset) (int, int) {
	n := z.len()
	var first, end int
	switch r.min.kind {
	case '-':
		first = 0
	case '+':
		first = n
	case '[':
		first = z.countLexBelow(r.min.s, false)
	default:
		first = z.countLexBelow(r.min.s, true)
	}
	switch r.max.kind {
	case '-':
		end = 0
	case '+':
		end = n
	case '[':
		end = z.countLexBelow(r.max.s, true)
	default:
		end = z.countLexBelow(r.max.s, false)
	}
	if end < first {
		end = first
	}
	return first, end
}

// zsetChanged signals a zset modified in place by event, deleting the key
// when it became empty.
func (s *Session) zsetChanged(key []byte, z *zset, event string) {
	s.modified(key)
	s.notifyEvent(notifyZset, event, key)
	if z.len() == 0 {
		s.deleteKey(key)
		s.notifyEvent(notifyGeneric, "del", key)
	}
}

// ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
func cmdZadd(s *Session, args [][]byte) {
	zaddGeneric(s, args, false)
}

// ZINCRBY key increment member
func cmdZincrby(s *Session, args [][]byte) {
	zaddGeneric(s, args, true)
}

func zaddGeneric(s *Session, args [][]byte, incr bool) {
	var nx, xx, gt, lt, ch bool
	i := 2
	zincrby := incr // ZINCRBY takes no flags
	for ; i < len(args) && !zincrby; i++ {
		a := args[i]
		switch {
		case equalFold(a, "nx"):
			nx = true
		case equalFold(a, "xx"):
			xx = true
		case equalFold(a, "ch"):
			ch = true
		case equalFold(a, "incr"):
			incr = true
		case equalFold(a, "gt"):
			gt = true
		case equalFold(a, "lt"):
			lt = true
		default:
			goto scores
		}
	}
scores:
	elems := len(args) - i
	if elems == 0 || elems%2 != 0 {
		s.w.Error(errSyntax)
		return
	}
	elems /= 2
	if nx && xx {
		s.w.Error("ERR XX and NX options at the same time are not compatible")
		return
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		s.w.Error("ERR GT, LT, and/or NX options at the same time are not compatible")
		return
	}
	if incr && elems > 1 {
		s.w.Error("ERR INCR option supports a single increment-element pair")
		return
	}
	var few [4]float64 // most ZADDs set a few members: no allocation
	scores := few[:0]
	if elems > len(few) {
		scores = make([]float64, 0, elems)
	}
	scores = scores[:elems]
	for j := range scores {
		f, ok := parseScore(args[i+2*j])
		if !ok {
			s.w.Error(errNotFloat)
			return
		}
		scores[j] = f
	}
	key := args[1]
	z, found, bad := lookupObjWrite[*zset](s, key)
	if bad {
		return
	}
	lim := s.zlimits()
	added, updated, processed := 0, 0, 0
	var score float64
	if !found {
		if xx {
			goto reply
		}
		z = newZset(s.e.seed)
		if lim.entries == 0 || lim.value < len(args[i+1]) {
			z.convert()
		}
		s.setObj(key, z)
	}
	for j, sc := range scores {
		member := args[i+2*j+1]
		cur, exists := z.score(tmpString(member))
		if exists {
			if nx {
				continue
			}
			if incr {
				sc += cur
				if math.IsNaN(sc) {
					s.w.Error(errScoreNaN)
					s.zaddDone(key, z, added+updated, incr)
					return
				}
			}
			if (lt && sc >= cur) || (gt && sc <= cur) {
				continue
			}
			if sc != cur {
				z.update(tmpString(member), cur, sc)
				updated++
			}
			processed++
			score = sc
			continue
		}
		if xx {
			continue
		}
		z.insert(string(member), sc, lim)
		added++
		processed++
		score = sc
	}
	s.zaddDone(key, z, added+updated, incr)
reply:
	if incr {
		if processed > 0 {
			s.w.Double(score)
		} else {
			s.w.Null()
		}
		return
	}
	if ch {
		s.w.Int(int64(added + updated))
	} else {
		s.w.Int(int64(added))
	}
}

func (s *Session) zaddDone(key []byte, z *zset, changed int, incr bool) {
	if changed == 0 {
		if z.len() == 0 {
			s.deleteKey(key) // created for nothing (Redis never keeps it)
		}
		return
	}
	s.modified(key)
	if incr {
		s.notifyEvent(notifyZset, "zincr", key)
	} else {
		s.notifyEvent(notifyZset, "zadd", key)
	}
}

// ZSCORE key member
func cmdZscore(s *Session, args [][]byte) {
	z, found, bad := lookupObj[*zset](s, args[1])
	if bad {
		return
	}
	if found {
		if sc, ok := z.score(tmpString(args[2])); ok {
			s.w.Double(sc)
			return
		}
	}
	s.w.Null()
}

// ZMSCORE key member [member ...]
func cmdZmscore(s *Session, args [][]byte) {
	z, found, bad := lookupObj[*zset](s, args[1])
	if bad {
		return
	}
	s.w.Array(len(args) - 2)
	for _, m := range args[2:] {
		if found {
			if sc, ok := z.score(tmpString(m)); ok {
				s.w.Double(sc)
				continue
			}
		}
		s.w.Null()
	}
}

// ZCARD key
func cmdZcard(s *Session, args [][]byte) {
	z, found, bad := lookupObj[*zset](s, args[1])
	if bad {
		return
	}
	if !found {
		s.w.Int(0)
		return
	}
	s.w.Int(int64(z.len()))
}

// ZCOUNT key min max
func cmdZcount(s *Session, args [][]byte) {
	r, ok := parseScoreRange(args[2], args[3])
	if !ok {
		s.w.Error(errMinMaxNotFloat)
		return
	}
	z, found, bad := lookupObj[*zset](s, args[1])
	if bad {
		return
	}
	if !found {
		s.w.Int(0)
		return
	}
	first, end := r.ranks(z)
	s.w.Int(int64(end - first))
}

// ZLEXCOUNT key min max
func cmdZlexcount(s *Session, args [][]byte) {
	r, ok := parseLexRange(args[2], args[3])
	if !ok {
		s.w.Error(errLexRange)
		return
	}
	z, found, bad := lookupObj[*zset](s, args[1])
	if bad {
		return
	}
	if !found {
		s.w.Int(0)
		return
	}
	first, end := r.ranks(z)
	s.w.Int(int64(end - first))
}

type rangeKind int

const (
	rangeAuto rangeKind = iota
	rangeRank
	rangeScore
	rangeLex
)

// zrangeSpec is a parsed ZRANGE-family request.
type zrangeSpec struct {
	kind          rangeKind
	rev, revGiven bool
	withScores    bool
	offset, limit int64 // limit -1: none
	start, end    int64
	score         scoreRange
	lex           lexRange
}

// parseZrange reads the ZRANGE family's arguments as zrangeGenericCommand
// does. args starts at the key; kind and rev are preset by the older
// commands (ZRANGEBYSCORE, ...), which then refuse BYSCORE, BYLEX, REV.
func parseZrange(args [][]byte, kind rangeKind, rev, store bool) (zrangeSpec, error) {
	sp := zrangeSpec{kind: kind, rev: rev, revGiven: rev, limit: -1}
	limitGiven := false
	for j := 3; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case !store && equalFold(a, "withscores"):
			sp.withScores = true
		case equalFold(a, "limit") && left >= 2:
			var err error
			if sp.offset, err = intArg(args[j+1]); err != nil {
				return sp, err
			}
			if sp.limit, err = intArg(args[j+2]); err != nil {
				return sp, err
			}
			limitGiven = true
			j += 2
		case !sp.revGiven && kind == rangeAuto && equalFold(a, "rev"):
			sp.rev, sp.revGiven = true, true
		case sp.kind == rangeAuto && kind == rangeAuto && equalFold(a, "bylex"):
			sp.kind = rangeLex
		case sp.kind == rangeAuto && kind == rangeAuto && equalFold(a, "byscore"):
			sp.kind = rangeScore
		default:
			return sp, argError(errSyntax)
		}
	}
	if sp.kind == rangeAuto {
		sp.kind = rangeRank
	}
	if limitGiven && sp.limit != -1 && sp.kind == rangeRank {
		return sp, argError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
	}
	if sp.withScores && sp.kind == rangeLex {
		return sp, argError("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
	}
	minArg, maxArg := args[1], args[2]
	if sp.rev && sp.kind != rangeRank {
		minArg, maxArg = maxArg, minArg
	}
	var ok bool
	switch sp.kind {
	case rangeRank:
		var err error
		if sp.start, err = intArg(minArg); err != nil {
			return sp, err
		}
		if sp.end, err = intArg(maxArg); err != nil {
			return sp, err
		}
	case rangeScore:
		if sp.score, ok = parseScoreRange(minArg, maxArg); !ok {
			return sp, argError(errMinMaxNotFloat)
		}
	case rangeLex:
		if sp.lex, ok = parseLexRange(minArg, maxArg); !ok {
			return sp, argError(errLexRange)
		}
	}
	return sp, nil
}

// selectRange returns the first rank to visit and how many, walking
// downwards when sp.rev.
func (sp *zrangeSpec) selectRange(z *zset) (from, n int) {
	size := int64(z.len())
	if sp.kind == rangeRank {
		start, end := sp.start, sp.end
		if start < 0 {
			start += size
		}
		if end < 0 {
			end += size
		}
		if start < 0 {
			start = 0
		}
		if start > end || start >= size {
			return 0, 0
		}
		if end >= size {
			end = size - 1
		}
		n := int(end - start + 1)
		if sp.rev {
			return int(size - 1 - start), n
		}
		return int(start), n
	}
	var first, end int
	if sp.kind == rangeScore {
		first, end = sp.score.ranks(z)
	} else {
		first, end = sp.lex.ranks(z)
	}
	avail := int64(end - first)
	if sp.offset < 0 || sp.offset >= avail {
		return 0, 0
	}
	avail -= sp.offset
	if sp.limit >= 0 && sp.limit < avail {
		avail = sp.limit
	}
	if sp.rev {
		return end - 1 - int(sp.offset), int(avail)
	}
	return first + int(sp.offset), int(avail)
}

// zrangeReply writes n entries walked from rank from.
func (s *Session) zrangeReply(z *zset, from, n int, rev, withScores bool) {
	if withScores && s.w.proto >= 3 {
		s.w.Array(n)
		z.walk(from, n, rev, func(m string, sc float64) {
			s.w.Array(2)
			s.w.BulkString(m)
			s.w.Double(sc)
		})
		return
	}
	if withScores {
		s.w.Array(2 * n)
	} else {
		s.w.Array(n)
	}
	z.walk(from, n, rev, func(m string, sc float64) {
		s.w.BulkString(m)
		if withScores {
			s.w.Double(sc)
		}
	})
}

func zrangeGeneric(s *Session, args [][]byte, kind rangeKind, rev bool) {
	sp, err := parseZrange(args[1:], kind, rev, false)
	if err != nil {
		s.w.Error(err.Error())
		return
	}
	z, found, bad := lookupObj[*zset](s, args[1])
	if bad {
		return
	}
	if !found {
		s.w.Array(0)
		return
	}
	from, n := sp.selectRange(z)
	s.zrangeReply(z, from, n, sp.rev, sp.withScores)
}

// ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
func cmdZrange(s *Session, args [][]byte) { zrangeGeneric(s, args, rangeAuto, false) }

// ZREVRANGE key start stop [WITHSCORES]
func cmdZrevrange(s *Session, args [][]byte) { zrangeGeneric(s, args, rangeRank, true) }

// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
func cmdZrangebyscore(s *Session, args [][]byte) { zrangeGeneric(s, args, rangeScore, false) }

// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
func cmdZrevrangebyscore(s *Session, args [][]byte) { zrangeGeneric(s, args, rangeScore, true) }

// ZRANGEBYLEX key min max [LIMIT offset count]
func cmdZrangebylex(s *Session, args [][]byte) { zrangeGeneric(s, args, rangeLex, false) }

// ZREVRANGEBYLEX key max min [LIMIT offset count]
func cmdZrevrangebylex(s *Session, args [][]byte) { zrangeGeneric(s, args, rangeLex, true) }

// ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]
func cmdZrangestore(s *Session, args [][]byte) {
	sp, err := parseZrange(args[2:], rangeAuto, false, true)
	if err != nil {
		s.w.Error(err.Error())
		return
	}
	z, found, bad := lookupObj[*zset](s, args[2])
	if bad {
		return
	}
	var entries []zentry
	if found {
		from, n := sp.selectRange(z)
		entries = make([]zentry, 0, n)
		z.walk(from, n, sp.rev, func(m string, sc float64) { entries = append(entries, zentry{m, sc}) })
	}
	s.storeZset(args[1], entries, "zrangestore")
}

// storeZset writes entries (any order) as a new zset at key, or deletes
// key when there are none; replies with the count. The encoding follows
// zsetConvertToListpackIfNeeded.
func (s *Session) storeZset(key []byte, entries []zentry, event string) {
	if len(entries) == 0 {
		if s.exists(key) && s.deleteKey(key) {
			s.notifyEvent(notifyGeneric, "del", key)
		}
		s.w.Int(0)
		return
	}
	s.setObj(key, s.buildZset(entries))
	s.notifyEvent(notifyZset, event, key)
	s.w.Int(int64(len(entries)))
}

func (s *Session) buildZset(entries []zentry) *zset {
	lim := s.zlimits()
	z := newZset(s.e.seed)
	maxLen := 0
	for _, e := range entries {
		maxLen = max(maxLen, len(e.member))
	}
	if len(entries) > lim.entries || maxLen > lim.value {
		z.convert()
	}
	slices.SortFunc(entries, func(a, b zentry) int {
		if zless(a.score, a.member, b.score, b.member) {
			return -1
		}
		return 1
	})
	big := zsetLimits{entries: math.MaxInt32, value: math.MaxInt32}
	if z.zsl == nil {
		for i := range entries {
			entries[i].score = lpScore(entries[i].score)
		}
		z.setEntries(entries)
		return z
	}
	for _, e := range entries {
		z.insert(e.member, e.score, big)
	}
	return z
}

func zrankGeneric(s *Session, args [][]byte, rev bool) {
	z, found, bad := lookupObj[*zset](s, args[1])
	if bad {
		return
	}
	if !found {
		s.w.Null()
		return
	}
	r, ok := z.rank(tmpString(args[2]))
	if !ok {
		s.w.Null()
		return
	}
	if rev {
		r = z.len() - 1 - r
	}
	s.w.Int(int64(r))
}

// ZRANK key member
func cmdZrank(s *Session, args [][]byte) { zrankGeneric(s, args, false) }

// ZREVRANK key member
func cmdZrevrank(s *Session, args [][]byte) { zrankGeneric(s, args, true) }

// ZREM key member [member ...]
func cmdZrem(s *Session, args [][]byte) {
	z, found, bad := lookupObjWrite[*zset](s, args[1])
	if bad {
		return
	}
	if !found {
		s.w.Int(0)
		return
	}
	n := 0
	for _, m := range args[2:] {
		if z.remove(tmpString(m)) {
			n++
			if z.len() == 0 {
				break
			}
		}
	}
	if n > 0 {
		s.zsetChanged(args[1], z, "zrem")
	}
	s.w.Int(int64(n))
}

func zremRangeGeneric(s *Session, args [][]byte, kind rangeKind) {
	var sp zrangeSpec
	sp.kind, sp.limit = kind, -1
	var ok bool
	switch kind {
	case rangeRank:
		var err error
		if sp.start, err = intArg(args[2]); err == nil {
			sp.end, err = intArg(args[3])
		}
		if err != nil {
			s.w.Error(err.Error())
			return
		}
	case rangeScore:
		if sp.score, ok = parseScoreRange(args[2], args[3]); !ok {
			s.w.Error(errMinMaxNotFloat)
			return
		}
	case rangeLex:
		if sp.lex, ok = parseLexRange(args[2], args[3]); !ok {
			s.w.Error(errLexRange)
			return
		}
	}
	z, found, bad := lookupObjWrite[*zset](s, args[1])
	if bad {
		return
	}
	if !found {
		s.w.Int(0)
		return
	}
	from, n := sp.selectRange(z)
	if n > 0 {
		z.removeRanks(from, from+n-1, nil)
		s.zsetChanged(args[1], z, strings.ToLower(string(args[0])))
	}
	s.w.Int(int64(n))
}

// ZREMRANGEBYRANK key start stop
func cmdZremrangebyrank(s *Session, args [][]byte) { zremRangeGeneric(s, args, rangeRank) }

// ZREMRANGEBYSCORE key min max
func cmdZremrangebyscore(s *Session, args [][]byte) { zremRangeGeneric(s, args, rangeScore) }

// ZREMRANGEBYLEX key min max
func cmdZremrangebylex(s *Session, args [][]byte) { zremRangeGeneric(s, args, rangeLex) }

// zpop removes up to count members from the low (or high) end and returns
// them; the key is deleted when emptied.
func (s *Session) zpop(key []byte, z *zset, count int, max bool) []zentry {
	n := min(count, z.len())
	out := make([]zentry, 0, n)
	if max {
		z.walk(z.len()-1, n, true, func(m string, sc float64) { out = append(out, zentry{m, sc}) })
		z.removeRanks(z.len()-n, z.len()-1, nil)
	} else {
		z.walk(0, n, false, func(m string, sc float64) { out = append(out, zentry{m, sc}) })
		z.removeRanks(0, n-1, nil)
	}
	if max {
		s.zsetChanged(key, z, "zpopmax")
	} else {
		s.zsetChanged(key, z, "zpopmin")
	}
	return out
}

// writePairs writes member/score pairs: flat in RESP2, nested pairs in
// RESP3 (flat in both when !nested).
func (s *Session) writePairs(entries []zentry, nested bool) {
	if nested && s.w.proto >= 3 {
		s.w.Array(len(entries))
		for _, e := range entries {
			s.w.Array(2)
			s.w.BulkString(e.member)
			s.w.Double(e.score)
		}
		return
	}
	s.w.Array(2 * len(entries))
	for _, e := range entries {
		s.w.BulkString(e.member)
		s.w.Double(e.score)
	}
}

func zpopGeneric(s *Session, args [][]byte, max bool) {
	if len(args) > 3 {
		s.w.Error(errSyntax)
		return
	}
	count := int64(1)
	if len(args) == 3 {
		n, ok := parseInt(args[2])
		if !ok || n < 0 {
			s.w.Error(errPositive)
			return
		}
		count = n
	}
	z, found, bad := lookupObjWrite[*zset](s, args[1])
	if bad {
		return
	}
	if !found || count == 0 {
		s.w.Array(0)
		return
	}
	s.writePairs(s.zpop(args[1], z, int(min(count, math.MaxInt32)), max), len(args) == 3)
}

// ZPOPMIN key [count]
func cmdZpopmin(s *Session, args [][]byte) { zpopGeneric(s, args, false) }

// ZPOPMAX key [count]
func cmdZpopmax(s *Session, args [][]byte) { zpopGeneric(s, args, true) }

// zmpopArgs parses "numkeys key [key ...] MIN|MAX [COUNT count]".
func zmpopArgs(args [][]byte) (keys [][]byte, max bool, count int64, err error) {
	n, ok := parseInt(args[0])
	if !ok || n <= 0 {
		return nil, false, 0, argError("ERR numkeys should be greater than 0")
	}
	if n > int64(len(args)-2) {
		return nil, false, 0, argError(errSyntax)
	}
	keys = args[1 : 1+n]
	rest := args[1+n:]
	switch {
	case equalFold(rest[0], "min"):
	case equalFold(rest[0], "max"):
		max = true
	default:
		return nil, false, 0, argError(errSyntax)
	}
	count = -1
	for j := 1; j < len(rest); j++ {
		if count == -1 && equalFold(rest[j], "count") && j+1 < len(rest) {
			c, ok := parseInt(rest[j+1])
			if !ok || c <= 0 {
				return nil, false, 0, argError("ERR count should be greater than 0")
			}
			count = c
			j++
			continue
		}
		return nil, false, 0, argError(errSyntax)
	}
	if count == -1 {
		count = 1
	}
	return keys, max, count, nil
}

// zmpopServe pops from the first non-empty key and writes
// [key, [[member, score] ...]]; reports false (nothing written) when all
// keys are empty. A key of another type writes WRONGTYPE, except when a
// blocked client retries: then, as in Redis, it is not ready yet.
func (s *Session) zmpopServe(keys [][]byte, max bool, count int64, retry bool) bool {
	for _, k := range keys {
		z, found, bad := s.lookupZsetFor(k, retry)
		if bad {
			return true
		}
		if !found {
			continue
		}
		entries := s.zpop(k, z, int(min(count, math.MaxInt32)), max)
		// ZMPOP and BZMPOP propagate as the pop with the count popped.
		s.rewriteArgv(zpopVerb(max), k, int64Arg(int64(len(entries))))
		s.w.Array(2)
		s.w.Bulk(k)
		s.w.Array(len(entries))
		for _, e := range entries {
			s.w.Array(2)
			s.w.BulkString(e.member)
			s.w.Double(e.score)
		}
		return true
	}
	return false
}

// ZMPOP numkeys key [key ...] MIN | MAX [COUNT count]
func cmdZmpop(s *Session, args [][]byte) {
	keys, max, count, err := zmpopArgs(args[1:])
	if err != nil {
		s.w.Error(err.Error())
		return
	}
	if !s.zmpopServe(keys, max, count, false) {
		s.w.NullArray()
	}
}

// BZMPOP timeout numkeys key [key ...] MIN | MAX [COUNT count]
func cmdBzmpop(s *Session, args [][]byte) {
	deadline, err := s.parseTimeout(args[1])
	if err != nil {
		s.w.Error(err.Error())
		return
	}
	keys, max, count, err := zmpopArgs(args[2:])
	if err != nil {
		s.w.Error(err.Error())
		return
	}
	if s.zmpopServe(keys, max, count, false) {
		return
	}
	if s.inExec {
		s.w.NullArray()
		return
	}
	keyCopy := copyKeyArgs(keys)
	s.block(keys, deadline, func(s *Session) bool {
		return s.zmpopServe(keyCopy, max, count, true)
	}, func(s *Session) { s.w.NullArray() })
}

// lookupZsetFor looks key up as a zset; when retry (a blocked client
// being served) a value of another type counts as missing.
func (s *Session) lookupZsetFor(key []byte, retry bool) (z *zset, found, bad bool) {
	if !retry {
		return lookupObjWrite[*zset](s, key)
	}
	_, obj, ok := s.lookup(key)
	z, isZset := obj.(*zset)
	return z, ok && isZset, false
}

// bzpopServe pops one member from the first non-empty key and writes
// [key, member, score].
func (s *Session) bzpopServe(keys [][]byte, max bool, retry bool) bool {
	for _, k := range keys {
		z, found, bad := s.lookupZsetFor(k, retry)
		if bad {
			return true
		}
		if !found {
			continue
		}
		e := s.zpop(k, z, 1, max)[0]
		s.rewriteArgv(zpopVerb(max), k)
		s.w.Array(3)
		s.w.Bulk(k)
		s.w.BulkString(e.member)
		s.w.Double(e.score)
		return true
	}
	return false
}

func bzpopGeneric(s *Session, args [][]byte, max bool) {
	deadline, err := s.parseTimeout(args[len(args)-1])
	if err != nil {
		s.w.Error(err.Error())
		return
	}
	keys := args[1 : len(args)-1]
	if s.bzpopServe(keys, max, false) {
		return
	}
	if s.inExec {
		s.w.NullArray()
		return
	}
	keyCopy := copyKeyArgs(keys)
	s.block(keys, deadline, func(s *Session) bool {
		return s.bzpopServe(keyCopy, max, true)
	}, func(s *Session) { s.w.NullArray() })
}

func copyKeyArgs(args [][]byte) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(string(a))
	}
	return out
}

// BZPOPMIN key [key ...] timeout
func cmdBzpopmin(s *Session, args [][]byte) { bzpopGeneric(s, args, false) }

// BZPOPMAX key [key ...] timeout
func cmdBzpopmax(s *Session, args [][]byte) { bzpopGeneric(s, args, true) }

// ZRANDMEMBER key [count [WITHSCORES]]
func cmdZrandmember(s *Session, args [][]byte) {
	if len(args) > 4 || (len(args) == 4 && !equalFold(args[3], "withscores")) {
		s.w.Error(errSyntax)
		return
	}
	if len(args) == 2 {
		z, found, bad := lookupObj[*zset](s, args[1])
		if bad {
			return
		}
		if !found {
			s.w.Null()
			return
		}
		s.w.BulkString(z.at(s.e.rand.IntN(z.len())).member)
		return
	}
	withScores := len(args) == 4
	n, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	if n == math.MinInt64 {
		s.w.Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return
	}
	if withScores && (n < -math.MaxInt64/2 || n > math.MaxInt64/2) {
		s.w.Error("ERR value is out of range")
		return
	}
	z, found, bad := lookupObj[*zset](s, args[1])
	if bad {
		return
	}
	if !found || n == 0 {
		s.w.Array(0)
		return
	}
	size := z.len()
	if n < 0 {
		// with repetitions: streamed, the count may be huge
		if withScores && s.w.proto >= 3 {
			s.w.Array(int(-n))
		} else if withScores {
			s.w.Array(int(-2 * n))
		} else {
			s.w.Array(int(-n))
		}
		for i := int64(0); i < -n; i++ {
			if i%1024 == 1023 && s.outputAborted() {
				return
			}
			e := z.at(s.e.rand.IntN(size))
			if withScores && s.w.proto >= 3 {
				s.w.Array(2)
			}
			s.w.BulkString(e.member)
			if withScores {
				s.w.Double(e.score)
			}
		}
		return
	}
	var picks []zentry
	switch {
	case n >= int64(size):
		// the whole set, highest first, as Redis answers it
		picks = make([]zentry, 0, size)
		z.walk(size-1, size, true, func(m string, sc float64) { picks = append(picks, zentry{m, sc}) })
	default:
		pos := make([]int, size)
		for i := range pos {
			pos[i] = i
		}
		picks = make([]zentry, n)
		for i := range picks {
			j := i + s.e.rand.IntN(size-i)
			pos[i], pos[j] = pos[j], pos[i]
			picks[i] = z.at(pos[i])
		}
	}
	if withScores {
		s.writePairs(picks, true)
		return
	}
	s.w.Array(len(picks))
	for _, e := range picks {
		s.w.BulkString(e.member)
	}
}

// zsource is one input of ZUNION/ZINTER/ZDIFF: a zset, a set (scores
// 1), or nothing.
type zsource struct {
	z      *zset
	set    *setObj
	weight float64
}

func (src *zsource) len() int {
	switch {
	case src.z != nil:
		return src.z.len()
	case src.set != nil:
		return src.set.len()
	}
	return 0
}

func (src *zsource) score(m string) (float64, bool) {
	switch {
	case src.z != nil:
		return src.z.score(m)
	case src.set != nil:
		if src.set.has([]byte(m)) {
			return 1, true
		}
	}
	return 0, false
}

func (src *zsource) each(fn func(m string, sc float64)) {
	switch {
	case src.z != nil:
		src.z.walk(0, src.z.len(), false, fn)
	case src.set != nil:
		src.set.each(func(m string) bool { fn(m, 1); return true })
	}
}

type setOp int

const (
	opUnion setOp = iota
	opInter
	opDiff
)

// zsetOpArgs is a parsed ZUNION/ZINTER/ZDIFF(STORE)/ZINTERCARD request.
type zsetOpArgs struct {
	srcs       []zsource
	aggregate  string // "sum", "min", "max"
	withScores bool
	limit      int64
}

// parseZsetOp reads "numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...]
// [WITHSCORES]" (or LIMIT for ZINTERCARD) as zunionInterDiffGenericCommand.
// name is the command's name for the numkeys error.
func (s *Session) parseZsetOp(args [][]byte, name string, op setOp, store, cardOnly bool) (zsetOpArgs, bool) {
	o := zsetOpArgs{aggregate: "sum"}
	n, ok := parseInt(args[0])
	if !ok {
		s.w.Error(errNotInt)
		return o, false
	}
	if n < 1 {
		s.w.Error("ERR at least 1 input key is needed for '" + name + "' command")
		return o, false
	}
	if n > int64(len(args)-1) {
		s.w.Error(errSyntax)
		return o, false
	}
	o.srcs = make([]zsource, n)
	for i := range o.srcs {
		_, obj, found := s.lookupRead(args[1+i])
		o.srcs[i].weight = 1
		if !found {
			continue
		}
		switch v := obj.(type) {
		case *zset:
			o.srcs[i].z = v
		case *setObj:
			o.srcs[i].set = v
		default:
			s.w.Error(errWrongType)
			return o, false
		}
	}
	j := 1 + int(n)
	for j < len(args) {
		remaining := len(args) - j
		a := args[j]
		switch {
		case op != opDiff && !cardOnly && remaining >= int(n)+1 && equalFold(a, "weights"):
			j++
			for i := range o.srcs {
				w, ok := parseScore(args[j])
				if !ok {
					s.w.Error("ERR weight value is not a float")
					return o, false
				}
				o.srcs[i].weight = w
				j++
			}
		case op != opDiff && !cardOnly && remaining >= 2 && equalFold(a, "aggregate"):
			switch agg := args[j+1]; {
			case equalFold(agg, "sum"):
				o.aggregate = "sum"
			case equalFold(agg, "min"):
				o.aggregate = "min"
			case equalFold(agg, "max"):
				o.aggregate = "max"
			default:
				s.w.Error(errSyntax)
				return o, false
			}
			j += 2
		case !store && !cardOnly && equalFold(a, "withscores"):
			o.withScores = true
			j++
		case cardOnly && remaining >= 2 && equalFold(a, "limit"):
			l, ok := parseInt(args[j+1])
			if !ok || l < 0 {
				s.w.Error("ERR LIMIT can't be negative")
				return o, false
			}
			o.limit = l
			j += 2
		default:
			s.w.Error(errSyntax)
			return o, false
		}
	}
	return o, true
}

// aggregate is Redis's zunionInterAggregate: C comparisons, so a NaN
// value never wins MIN or MAX and -0 does not replace 0; a NaN sum is 0.
func aggregate(agg string, acc, v float64) float64 {
	switch agg {
	case "min":
		if v < acc {
			return v
		}
		return acc
	case "max":
		if v > acc {
			return v
		}
		return acc
	}
	r := acc + v
	if math.IsNaN(r) {
		return 0
	}
	return r
}

// byCardinality orders the sources smallest first, as Redis's qsort
// with zuiCompareByCardinality (glibc's merge sort: stable) before a
// union or an intersection. Floating-point sums depend on this order.
func (o *zsetOpArgs) byCardinality() []int {
	idx := make([]int, len(o.srcs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return o.srcs[a].len() - o.srcs[b].len() })
	return idx
}

func weighted(sc, w float64) float64 {
	r := sc * w
	if math.IsNaN(r) {
		return 0
	}
	return r
}

// compute runs the operation and returns the result entries, unsorted.
func (o *zsetOpArgs) compute(op setOp) []zentry {
	var out []zentry
	switch op {
	case opUnion:
		acc := map[string]float64{}
		var order []string
		for _, i := range o.byCardinality() {
			src := &o.srcs[i]
			src.each(func(m string, sc float64) {
				v := weighted(sc, src.weight)
				if cur, ok := acc[m]; ok {
					acc[m] = aggregate(o.aggregate, cur, v)
					return
				}
				acc[m] = v
				order = append(order, m)
			})
		}
		out = make([]zentry, len(order))
		for i, m := range order {
			out[i] = zentry{m, acc[m]}
		}
	case opInter:
		idx := o.byCardinality()
		first := &o.srcs[idx[0]]
		first.each(func(m string, sc float64) {
			if o.limit > 0 && int64(len(out)) >= o.limit {
				return
			}
			v := weighted(sc, first.weight)
			for _, k := range idx[1:] {
				other := &o.srcs[k]
				osc, ok := other.score(m)
				if !ok {
					return
				}
				// only the first set's product is cleaned of NaN
				v = aggregate(o.aggregate, v, osc*other.weight)
			}
			out = append(out, zentry{m, v})
		})
	case opDiff:
		o.srcs[0].each(func(m string, sc float64) {
			for k := range o.srcs[1:] {
				if _, ok := o.srcs[1+k].score(m); ok {
					return
				}
			}
			out = append(out, zentry{m, sc})
		})
	}
	return out
}

func zsetOpGeneric(s *Session, args [][]byte, op setOp, store bool) {
	name := strings.ToLower(string(args[0]))
	first := 1
	if store {
		first = 2
	}
	o, ok := s.parseZsetOp(args[first:], name, op, store, false)
	if !ok {
		return
	}
	entries := o.compute(op)
	if store {
		s.storeZset(args[1], entries, name)
		return
	}
	slices.SortFunc(entries, func(a, b zentry) int {
		if zless(a.score, a.member, b.score, b.member) {
			return -1
		}
		return 1
	})
	if o.withScores {
		s.writePairs(entries, true)
		return
	}
	s.w.Array(len(entries))
	for _, e := range entries {
		s.w.BulkString(e.member)
	}
}

// ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]
func cmdZunion(s *Session, args [][]byte) { zsetOpGeneric(s, args, opUnion, false) }

// ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]
func cmdZinter(s *Session, args [][]byte) { zsetOpGeneric(s, args, opInter, false) }

// ZDIFF numkeys key [key ...] [WITHSCORES]
func cmdZdiff(s *Session, args [][]byte) { zsetOpGeneric(s, args, opDiff, false) }

// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]
func cmdZunionstore(s *Session, args [][]byte) { zsetOpGeneric(s, args, opUnion, true) }

// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]
func cmdZinterstore(s *Session, args [][]byte) { zsetOpGeneric(s, args, opInter, true) }

// ZDIFFSTORE destination numkeys key [key ...]
func cmdZdiffstore(s *Session, args [][]byte) { zsetOpGeneric(s, args, opDiff, true) }

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
func cmdZintercard(s *Session, args [][]byte) {
	o, ok := s.parseZsetOp(args[1:], "zintercard", opInter, false, true)
	if !ok {
		return
	}
	s.w.Int(int64(len(o.compute(opInter))))
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
func cmdZscan(s *Session, args [][]byte) {
	z, out, next, ok := collScan[*zset](s, args)
	if !ok {
		return
	}
	s.w.Array(2)
	s.w.BulkString(strconv.FormatUint(next, 10))
	s.w.Array(2 * len(out))
	var tmp [32]byte
	for _, m := range out {
		sc, _ := z.score(m)
		s.w.BulkString(m)
		if z.zsl == nil {
			s.w.Bulk(appendScoreText(tmp[:0], sc))
		} else {
			s.w.Bulk(AppendDouble(tmp[:0], sc))
		}
	}
}

// zpopVerb is the command a pop from that end propagates as.
func zpopVerb(max bool) []byte {
	if max {
		return argZPopMax
	}
	return argZPopMin
}
