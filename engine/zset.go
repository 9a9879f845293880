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
	dict smap[float64] // member -> score, skiplist encoding only
	seed maphash.Seed
	// elemMem is the memory of the members' bytes.
	elemMem int64
}

// zslEntryBytes is a skiplist member's node (1.33 levels on average,
// rounded to Go's size classes) and its slot in the score map.
const zslEntryBytes = 88 + smapSlotBytes

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
	return z.dict.get(member)
}

// zsetLimits are the zset-max-listpack-* settings in force.
type zsetLimits struct{ entries, value int }

// convert switches to the skiplist encoding.
func (z *zset) convert() {
	if z.zsl != nil {
		return
	}
	z.zsl = newSkiplist()
	z.dict = newSmap[float64](z.seed)
	// insert in order: each insert lands at the tail
	for _, e := range z.lp {
		z.zsl.insert(e.score, e.member)
		z.dict.set(e.member, e.score)
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
	z.zsl.insert(score, member)
	z.dict.set(member, score)
}

// lpSearch is the index of the first entry not less than (score, member).
func (z *zset) lpSearch(score float64, member string) int {
	return sort.Search(len(z.lp), func(i int) bool {
		return !zless(z.lp[i].score, z.lp[i].member, score, member)
	})
}

// update changes the score of a present member.
func (z *zset) update(member string, old, score float64) {
	if z.zsl == nil {
		i := z.lpSearch(old, member)
		copy(z.lp[i:], z.lp[i+1:])
		z.lp = z.lp[:len(z.lp)-1]
		score = lpScore(score)
		j := z.lpSearch(score, member)
		z.lp = append(z.lp, zentry{})
		copy(z.lp[j+1:], z.lp[j:])
		z.lp[j] = zentry{member, score}
		return
	}
	z.zsl.updateScore(old, member, score)
	z.dict.set(member, score)
}

// remove deletes member; reports whether it was present.
func (z *zset) remove(member string) bool {
	sc, ok := z.score(member)
	if !ok {
		return false
	}
	z.elemMem -= strMem(member)
	if z.zsl == nil {
		i := z.lpSearch(sc, member)
		copy(z.lp[i:], z.lp[i+1:])
		z.lp[len(z.lp)-1] = zentry{}
		z.lp = z.lp[:len(z.lp)-1]
		return true
	}
	z.zsl.delete(sc, member)
	z.dict.del(member)
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
			x = x.level[0].forward
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
	x := z.zsl.header
	r := 0
	for i := z.zsl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && below(f.score); f = x.level[i].forward {
			r += x.level[i].span
			x = f
		}
	}
	return r
}

// countLexBelow is the number of members that sort before s (or equal to
// it when orEqual), comparing members only, as lex ranges assume equal
// scores.
func (z *zset) countLexBelow(s string, orEqual bool) int {
	below := func(m string) bool { return m < s || (orEqual && m == s) }
	if z.zsl == nil {
		return sort.Search(len(z.lp), func(i int) bool { return !below(z.lp[i].member) })
	}
	x := z.zsl.header
	r := 0
	for i := z.zsl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && below(f.member); f = x.level[i].forward {
			r += x.level[i].span
			x = f
		}
	}
	return r
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

// skiplist is Redis's zskiplist: levels with spans, so the rank of a node
// is the sum of the spans crossed to reach it.
type skiplist struct {
	header *zslNode
	tail   *zslNode
	length int
	level  int
	rng    uint64 // xorshift state for node levels: deterministic, no globals
}

type zslNode struct {
	member   string
	score    float64
	backward *zslNode
	level    []zslLevel
}

type zslLevel struct {
	forward *zslNode
	span    int
}

const zslMaxLevel = 32

// zslNode1..4 hold a node and its level array in one allocation: levels 1
// to 4 are all but 1 in 256 nodes (P = 1/4), so an insert costs one
// allocation instead of two.
type (
	zslNode1 struct {
		n zslNode
		l [1]zslLevel
	}
	zslNode2 struct {
		n zslNode
		l [2]zslLevel
	}
	zslNode3 struct {
		n zslNode
		l [3]zslLevel
	}
	zslNode4 struct {
		n zslNode
		l [4]zslLevel
	}
)

func newZslNode(member string, score float64, lvl int) *zslNode {
	var x *zslNode
	switch lvl {
	case 1:
		b := &zslNode1{}
		b.n.level = b.l[:]
		x = &b.n
	case 2:
		b := &zslNode2{}
		b.n.level = b.l[:]
		x = &b.n
	case 3:
		b := &zslNode3{}
		b.n.level = b.l[:]
		x = &b.n
	case 4:
		b := &zslNode4{}
		b.n.level = b.l[:]
		x = &b.n
	default:
		x = &zslNode{level: make([]zslLevel, lvl)}
	}
	x.member, x.score = member, score
	return x
}

func newSkiplist() *skiplist {
	return &skiplist{
		header: &zslNode{level: make([]zslLevel, zslMaxLevel)},
		level:  1,
		rng:    0x9E3779B97F4A7C15,
	}
}

// randomLevel gives level k with probability 1/4^(k-1), as ZSKIPLIST_P.
func (l *skiplist) randomLevel() int {
	lvl := 1
	for lvl < zslMaxLevel {
		l.rng ^= l.rng << 13
		l.rng ^= l.rng >> 7
		l.rng ^= l.rng << 17
		if l.rng&3 != 0 {
			break
		}
		lvl++
	}
	return lvl
}

func (l *skiplist) insert(score float64, member string) *zslNode {
	var update [zslMaxLevel]*zslNode
	var rank [zslMaxLevel]int
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		if i != l.level-1 {
			rank[i] = rank[i+1]
		}
		for f := x.level[i].forward; f != nil && zless(f.score, f.member, score, member); f = x.level[i].forward {
			rank[i] += x.level[i].span
			x = f
		}
		update[i] = x
	}
	lvl := l.randomLevel()
	if lvl > l.level {
		for i := l.level; i < lvl; i++ {
			rank[i] = 0
			update[i] = l.header
			update[i].level[i].span = l.length
		}
		l.level = lvl
	}
	x = newZslNode(member, score, lvl)
	for i := 0; i < lvl; i++ {
		x.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = x
		x.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := lvl; i < l.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != l.header {
		x.backward = update[0]
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x
	} else {
		l.tail = x
	}
	l.length++
	return x
}

func (l *skiplist) deleteNode(x *zslNode, update *[zslMaxLevel]*zslNode) {
	for i := 0; i < l.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x.backward
	} else {
		l.tail = x.backward
	}
	for l.level > 1 && l.header.level[l.level-1].forward == nil {
		l.level--
	}
	l.length--
}

// findUpdate fills update with the last node before (score, member) on
// each level.
func (l *skiplist) findUpdate(score float64, member string, update *[zslMaxLevel]*zslNode) *zslNode {
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && zless(f.score, f.member, score, member); f = x.level[i].forward {
			x = f
		}
		update[i] = x
	}
	return x.level[0].forward
}

// delete removes the node (score, member); reports whether it was found.
func (l *skiplist) delete(score float64, member string) bool {
	var update [zslMaxLevel]*zslNode
	x := l.findUpdate(score, member, &update)
	if x != nil && x.score == score && x.member == member {
		l.deleteNode(x, &update)
		return true
	}
	return false
}

// updateScore moves member from score old to score, in place when the
// order does not change (Redis's zslUpdateScore).
func (l *skiplist) updateScore(old float64, member string, score float64) {
	var update [zslMaxLevel]*zslNode
	x := l.findUpdate(old, member, &update)
	if (x.backward == nil || zless(x.backward.score, x.backward.member, score, member)) &&
		(x.level[0].forward == nil || zless(score, member, x.level[0].forward.score, x.level[0].forward.member)) {
		x.score = score
		return
	}
	l.deleteNode(x, &update)
	l.insert(score, member)
}

// rank is the 1-based rank of (score, member), 0 when absent.
func (l *skiplist) rank(score float64, member string) int {
	x := l.header
	r := 0
	for i := l.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && !zless(score, member, f.score, f.member); f = x.level[i].forward {
			r += x.level[i].span
			x = f
		}
		if x != l.header && x.member == member {
			return r
		}
	}
	return 0
}

// nodeAt returns the node at 1-based rank r, nil when out of range.
func (l *skiplist) nodeAt(r int) *zslNode {
	x := l.header
	traversed := 0
	for i := l.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= r {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		if traversed == r {
			if x == l.header {
				return nil
			}
			return x
		}
	}
	return nil
}

// deleteRanks removes nodes at 1-based ranks start..end inclusive.
func (l *skiplist) deleteRanks(start, end int, fn func(member string)) {
	var update [zslMaxLevel]*zslNode
	x := l.header
	traversed := 0
	for i := l.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span < start {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	traversed++
	x = x.level[0].forward
	for x != nil && traversed <= end {
		next := x.level[0].forward
		l.deleteNode(x, &update)
		fn(x.member)
		traversed++
		x = next
	}
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
		per = 120 // skiplist node, its levels, and the member -> score map
	}
	z.walk(0, z.len(), false, func(m string, _ float64) { n += int64(len(m)) + per })
	return n
}
