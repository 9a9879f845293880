package engine

import (
	"hash/maphash"
	"math"
	"slices"
	"sort"
	"strconv"
)

// zset is a sorted set: members ordered by (score, member bytes). Small
// sets are a sorted slice (Redis's listpack encoding: linear look-ups, but
// compact and cache friendly); large ones a skiplist with spans, so rank
// queries are O(log N), plus a member -> score map that also gives ZSCAN
// its cursor. Once a skiplist, a set stays one, as in Redis 7.0.
type zset struct {
	snapMark
	lp   []zentry // compact encoding, used while zsl == nil
	zsl  *skiplist
	dict smap[*zslNode] // member -> its node, skiplist encoding only
	seed maphash.Seed
	// elemMem is the memory of the members' bytes.
	elemMem int64
}

// zslEntryBytes is a skiplist member's node and its slot in the member map.
const zslEntryBytes = zslNodeBytes + smapSlotBytes

// memUsage is the sorted set's memory: entries and their members' bytes.
func (z *zset) memUsage() int64 {
	if z.zsl == nil {
		return 24*int64(cap(z.lp)) + z.elemMem
	}
	return zslEntryBytes*int64(z.zsl.length) + z.elemMem
}

// setEntries makes the entries, sorted and with listpack scores, the
// whole compact encoding.
func (z *zset) setEntries(entries []zentry) {
	z.lp = entries
	z.elemMem = 0
	for _, e := range entries {
		z.elemMem += strMem(e.member)
	}
}

type zentry struct {
	member string
	score  float64
}

func newZset(seed maphash.Seed) *zset { return &zset{seed: seed} }

func (z *zset) typeName() string { return "zset" }

func (z *zset) encoding() string {
	if z.zsl == nil {
		return "listpack"
	}
	return "skiplist"
}

// zless orders (score, member) pairs as Redis does: by score, then by the
// member's bytes.
func zless(s1 float64, m1 string, s2 float64, m2 string) bool {
	return s1 < s2 || (s1 == s2 && m1 < m2)
}

func (z *zset) len() int {
	if z.zsl == nil {
		return len(z.lp)
	}
	return z.zsl.length
}

// score returns member's score.
func (z *zset) score(member string) (float64, bool) {
	if z.zsl == nil {
		for i := range z.lp {
			if z.lp[i].member == member {
				return z.lp[i].score, true
			}
		}
		return 0, false
	}
	if x, ok := z.dict.get(member); ok {
		return x.score, true
	}
	return 0, false
}

// zsetLimits are the zset-max-listpack-* settings in force.
type zsetLimits struct{ entries, value int }

// convert switches to the skiplist encoding.
func (z *zset) convert() {
	if z.zsl != nil {
		return
	}
	z.zsl = newSkiplist()
	z.dict = newSmap[*zslNode](z.seed)
	// insert in order: each insert lands at the tail
	for _, e := range z.lp {
		z.dict.set(e.member, z.zsl.insert(e.score, e.member))
	}
	z.lp = nil
}

// insert adds a member known to be absent, converting the encoding first
// when the new size or member length passes the limits.
func (z *zset) insert(member string, score float64, lim zsetLimits) {
	if z.zsl == nil && (len(z.lp)+1 > lim.entries || len(member) > lim.value) {
		z.convert()
	}
	z.elemMem += strMem(member)
	if z.zsl == nil {
		score = lpScore(score)
		i := z.lpSearch(score, member)
		z.lp = append(z.lp, zentry{})
		copy(z.lp[i+1:], z.lp[i:])
		z.lp[i] = zentry{member, score}
		return
	}
	z.dict.set(member, z.zsl.insert(score, member))
}

// lpSearch is the index of the first entry not less than (score, member).
func (z *zset) lpSearch(score float64, member string) int {
	return sort.Search(len(z.lp), func(i int) bool {
		return !zless(z.lp[i].score, z.lp[i].member, score, member)
	})
}

// update changes the score of a present member. It keeps the member's
// stored string, so member may be a transient view (tmpString).
func (z *zset) update(member string, old, score float64) {
	if z.zsl == nil {
		i := z.lpSearch(old, member)
		member = z.lp[i].member
		copy(z.lp[i:], z.lp[i+1:])
		z.lp = z.lp[:len(z.lp)-1]
		score = lpScore(score)
		j := z.lpSearch(score, member)
		z.lp = append(z.lp, zentry{})
		copy(z.lp[j+1:], z.lp[j:])
		z.lp[j] = zentry{member, score}
		return
	}
	x, _ := z.dict.get(member)
	z.zsl.updateScore(x, score)
}

// remove deletes member; reports whether it was present.
func (z *zset) remove(member string) bool {
	if z.zsl != nil {
		x, ok := z.dict.take(member)
		if !ok {
			return false
		}
		z.elemMem -= strMem(member)
		z.zsl.unlink(x)
		return true
	}
	sc, ok := z.score(member)
	if !ok {
		return false
	}
	z.elemMem -= strMem(member)
	i := z.lpSearch(sc, member)
	copy(z.lp[i:], z.lp[i+1:])
	z.lp[len(z.lp)-1] = zentry{}
	z.lp = z.lp[:len(z.lp)-1]
	return true
}

// rank is member's 0-based position in ascending order.
func (z *zset) rank(member string) (int, bool) {
	sc, ok := z.score(member)
	if !ok {
		return 0, false
	}
	if z.zsl == nil {
		return z.lpSearch(sc, member), true
	}
	return z.zsl.rank(sc, member) - 1, true
}

// at returns the entry at 0-based rank r (0 <= r < len).
func (z *zset) at(r int) zentry {
	if z.zsl == nil {
		return z.lp[r]
	}
	n := z.zsl.nodeAt(r + 1)
	return zentry{n.member, n.score}
}

// walk visits entries from rank from, n of them, towards higher ranks or,
// when rev, towards lower ranks. fn may not change the set.
func (z *zset) walk(from, n int, rev bool, fn func(member string, score float64)) {
	if n <= 0 {
		return
	}
	if z.zsl == nil {
		for i := 0; i < n; i++ {
			e := z.lp[from]
			fn(e.member, e.score)
			if rev {
				from--
			} else {
				from++
			}
		}
		return
	}
	x := z.zsl.nodeAt(from + 1)
	for i := 0; i < n && x != nil; i++ {
		fn(x.member, x.score)
		if rev {
			x = x.backward
		} else {
			x = x.level0.forward
		}
	}
}

// countScoreBelow is the number of members whose score is < v, or <= v
// when orEqual.
func (z *zset) countScoreBelow(v float64, orEqual bool) int {
	below := func(s float64) bool { return s < v || (orEqual && s == v) }
	if z.zsl == nil {
		return sort.Search(len(z.lp), func(i int) bool { return !below(z.lp[i].score) })
	}
	return z.zsl.countBelow(func(x *zslNode) bool { return below(x.score) })
}

// countLexBelow is the number of members that sort before s (or equal to
// it when orEqual), comparing members only, as lex ranges assume equal
// scores.
func (z *zset) countLexBelow(s string, orEqual bool) int {
	below := func(m string) bool { return m < s || (orEqual && m == s) }
	if z.zsl == nil {
		return sort.Search(len(z.lp), func(i int) bool { return !below(z.lp[i].member) })
	}
	return z.zsl.countBelow(func(x *zslNode) bool { return below(x.member) })
}

// removeRanks deletes the members at ranks start..end (0-based, inclusive)
// and calls fn with each removed member.
func (z *zset) removeRanks(start, end int, fn func(member string)) {
	if start > end {
		return
	}
	if z.zsl == nil {
		for _, e := range z.lp[start : end+1] {
			z.elemMem -= strMem(e.member)
			if fn != nil {
				fn(e.member)
			}
		}
		z.lp = slices.Delete(z.lp, start, end+1) // clears the tail: no stale strings
		return
	}
	z.zsl.deleteRanks(start+1, end+1, func(m string) {
		z.elemMem -= strMem(m)
		z.dict.del(m)
		if fn != nil {
			fn(m)
		}
	})
}

// lpScore is the score a listpack gives back: Redis stores it as text
// (see appendScoreText), which turns -0 into 0; every other double comes
// back unchanged.
func lpScore(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

// appendScoreText formats a score as Redis's d2string stores it in a
// listpack (and ZSCAN shows it): integers in ±2^62 as integers, else %.17g.
func appendScoreText(dst []byte, f float64) []byte {
	const lim = float64(math.MaxInt64 / 2)
	if f >= -lim && f <= lim && f == math.Trunc(f) {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return AppendDouble(dst, f)
}

// scan returns about count members from cursor on (skiplist encoding), or
// everything at once with cursor 0 (listpack), as Redis does.
func (z *zset) scan(cursor uint64, count int) ([]string, uint64) {
	if z.zsl == nil {
		out := make([]string, len(z.lp))
		for i, e := range z.lp {
			out[i] = e.member
		}
		return out, 0
	}
	return scanStep(cursor, count, z.dict.collectRange, z.dict.shardBits())
}

// copyObject returns an independent copy, for COPY.
func (z *zset) copyObject() object {
	c := newZset(z.seed)
	if z.zsl == nil {
		c.lp = slices.Clone(z.lp)
		c.elemMem = z.elemMem
		return c
	}
	c.convert()
	big := zsetLimits{entries: math.MaxInt32, value: math.MaxInt32}
	z.walk(0, z.len(), false, func(m string, sc float64) { c.insert(m, sc, big) })
	return c
}

// approxBytes estimates the memory the zset holds, for sandbox limits.
func (z *zset) approxBytes() int64 {
	n := int64(64)
	per := int64(24) // listpack entry: string header and score
	if z.zsl != nil {
		per = zslEntryBytes // skiplist node and its slot in the member map
	}
	z.walk(0, z.len(), false, func(m string, _ float64) { n += int64(len(m)) + per })
	return n
}
