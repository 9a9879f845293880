package engine

import "unsafe"

// skiplist is Redis's zskiplist: levels with spans, so the rank of a node
// is the sum of the spans crossed to reach it.
type skiplist struct {
	header *zslNode
	tail   *zslNode
	length int
	level  int
	rng    uint64 // xorshift state for node levels: deterministic, no globals
}

// zslNode is laid out as Redis's zskiplistNode: score, member and backward
// link, then the levels inline. A search reads a node's score (and, on a
// tie, its member) and then one of its levels; with the levels behind a
// slice header those were two cache lines apart for most nodes. Here a
// node of height 1 (3 in 4 of them) is 48 bytes with level 0 in them, as
// in Redis.
//
// A node of height h is allocated as the zslNodeN type with h-1 more
// levels right behind level0 (see newZslNode), and lv reaches them by
// offset from level0. The offset stays inside the node's own allocation,
// which is what unsafe.Pointer's rule 3 and the race detector's checkptr
// require; a search only reads level i of nodes reached at level i or
// above, so i is always below the node's height, as in Redis's C.
type zslNode struct {
	score    float64
	member   string
	backward *zslNode
	level0   zslLevel // the last field: level 1 and up follow it in memory
}

type zslLevel struct {
	forward *zslNode
	span    int
}

const zslMaxLevel = 32

// zslLevelSize is the stride of the inline level array.
const zslLevelSize = unsafe.Sizeof(zslLevel{})

// lv is level i of x; i must be below x's height.
func (x *zslNode) lv(i int) *zslLevel {
	return (*zslLevel)(unsafe.Add(unsafe.Pointer(&x.level0), uintptr(i)*zslLevelSize))
}

// zslNode2..8 and zslNodeMax are nodes with their upper levels: a node's
// height is its allocation's type, so the GC sees every forward pointer.
// Heights above 8 (1 node in 65536 at P = 1/4) take the largest type.
type (
	zslNode2 struct {
		zslNode
		up [1]zslLevel
	}
	zslNode3 struct {
		zslNode
		up [2]zslLevel
	}
	zslNode4 struct {
		zslNode
		up [3]zslLevel
	}
	zslNode5 struct {
		zslNode
		up [4]zslLevel
	}
	zslNode6 struct {
		zslNode
		up [5]zslLevel
	}
	zslNode7 struct {
		zslNode
		up [6]zslLevel
	}
	zslNode8 struct {
		zslNode
		up [7]zslLevel
	}
	zslNodeMax struct {
		zslNode
		up [zslMaxLevel - 1]zslLevel
	}
)

// zslNodeBytes is the average node: 48 bytes plus 16 per level above the
// first (1/3 of a level on average at P = 1/4), each height in a size
// class of its own.
const zslNodeBytes = 54

func newZslNode(member string, score float64, height int) *zslNode {
	var x *zslNode
	switch height {
	case 1:
		x = &zslNode{}
	case 2:
		x = &(&zslNode2{}).zslNode
	case 3:
		x = &(&zslNode3{}).zslNode
	case 4:
		x = &(&zslNode4{}).zslNode
	case 5:
		x = &(&zslNode5{}).zslNode
	case 6:
		x = &(&zslNode6{}).zslNode
	case 7:
		x = &(&zslNode7{}).zslNode
	case 8:
		x = &(&zslNode8{}).zslNode
	default:
		x = &(&zslNodeMax{}).zslNode
	}
	x.member, x.score = member, score
	return x
}

func newSkiplist() *skiplist {
	return &skiplist{
		header: &(&zslNodeMax{}).zslNode,
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

// zslPath is where a search stopped on each level: the last node before
// the searched position and its rank.
type zslPath struct {
	update [zslMaxLevel]*zslNode
	rank   [zslMaxLevel]int
}

// insert adds a node for (score, member), which must be absent.
func (l *skiplist) insert(score float64, member string) *zslNode {
	var p zslPath
	l.findInsert(score, member, &p)
	h := l.randomLevel()
	x := newZslNode(member, score, h)
	l.link(x, h, &p)
	return x
}

// findInsert fills p with the path to the position of (score, member).
func (l *skiplist) findInsert(score float64, member string, p *zslPath) {
	x := l.header
	r := 0
	for i := l.level - 1; i >= 0; i-- {
		lv := x.lv(i)
		for f := lv.forward; f != nil && zless(f.score, f.member, score, member); f = lv.forward {
			r += lv.span
			x = f
			lv = x.lv(i)
		}
		p.update[i] = x
		p.rank[i] = r
	}
}

// link puts x, of height h, at the position p leads to.
func (l *skiplist) link(x *zslNode, h int, p *zslPath) {
	if h > l.level {
		for i := l.level; i < h; i++ {
			p.rank[i] = 0
			p.update[i] = l.header
			l.header.lv(i).span = l.length
		}
		l.level = h
	}
	r0 := p.rank[0]
	for i := 0; i < h; i++ {
		xl, ul := x.lv(i), p.update[i].lv(i)
		xl.forward = ul.forward
		ul.forward = x
		xl.span = ul.span - (r0 - p.rank[i])
		ul.span = r0 - p.rank[i] + 1
	}
	for i := h; i < l.level; i++ {
		p.update[i].lv(i).span++
	}
	if p.update[0] == l.header {
		x.backward = nil
	} else {
		x.backward = p.update[0]
	}
	if f := x.level0.forward; f != nil {
		f.backward = x
	} else {
		l.tail = x
	}
	l.length++
}

// deleteNode unlinks x, given the last node before it on each level, and
// returns x's height: the levels on which it was linked.
func (l *skiplist) deleteNode(x *zslNode, update *[zslMaxLevel]*zslNode) int {
	h := 0
	for i := 0; i < l.level; i++ {
		ul := update[i].lv(i)
		if ul.forward == x {
			xl := x.lv(i)
			ul.span += xl.span - 1
			ul.forward = xl.forward
			h++
		} else {
			ul.span--
		}
	}
	if f := x.level0.forward; f != nil {
		f.backward = x.backward
	} else {
		l.tail = x.backward
	}
	for l.level > 1 && l.header.lv(l.level-1).forward == nil {
		l.level--
	}
	l.length--
	return h
}

// updateScore gives node x a new score: in place when the order does not
// change (Redis's zslUpdateScore; x's neighbours are known without a
// search, as the member map leads to x), else by unlinking x and linking
// the same node, with the same height, at its new place. The node stays
// the member's, so the member -> node map needs no change.
func (l *skiplist) updateScore(x *zslNode, score float64) {
	if (x.backward == nil || zless(x.backward.score, x.backward.member, score, x.member)) &&
		(x.level0.forward == nil || zless(score, x.member, x.level0.forward.score, x.level0.forward.member)) {
		x.score = score
		return
	}
	var p zslPath
	l.findBefore(x, &p.update)
	h := l.deleteNode(x, &p.update)
	x.score = score
	l.findInsert(score, x.member, &p)
	l.link(x, h, &p)
}

// unlink removes node x.
func (l *skiplist) unlink(x *zslNode) {
	var update [zslMaxLevel]*zslNode
	l.findBefore(x, &update)
	l.deleteNode(x, &update)
}

// findBefore fills update with the last node before x on each level
// (Redis's search for zslDelete). It stops at x by its address rather than
// by comparing x's member with itself.
func (l *skiplist) findBefore(x *zslNode, update *[zslMaxLevel]*zslNode) {
	y := l.header
	for i := l.level - 1; i >= 0; i-- {
		lv := y.lv(i)
		for f := lv.forward; f != x && f != nil && zless(f.score, f.member, x.score, x.member); f = lv.forward {
			y = f
			lv = y.lv(i)
		}
		update[i] = y
	}
}

// rank is the 1-based rank of (score, member), 0 when absent.
func (l *skiplist) rank(score float64, member string) int {
	x := l.header
	r := 0
	for i := l.level - 1; i >= 0; i-- {
		lv := x.lv(i)
		for f := lv.forward; f != nil && !zless(score, member, f.score, f.member); f = lv.forward {
			r += lv.span
			x = f
			lv = x.lv(i)
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
		for lv := x.lv(i); lv.forward != nil && traversed+lv.span <= r; lv = x.lv(i) {
			traversed += lv.span
			x = lv.forward
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
		for lv := x.lv(i); lv.forward != nil && traversed+lv.span < start; lv = x.lv(i) {
			traversed += lv.span
			x = lv.forward
		}
		update[i] = x
	}
	traversed++
	x = x.level0.forward
	for x != nil && traversed <= end {
		next := x.level0.forward
		l.deleteNode(x, &update)
		fn(x.member)
		traversed++
		x = next
	}
}

// countBelow is the number of nodes before the first one for which below
// is false (below must hold for a prefix of the order).
func (l *skiplist) countBelow(below func(x *zslNode) bool) int {
	x := l.header
	r := 0
	for i := l.level - 1; i >= 0; i-- {
		lv := x.lv(i)
		for f := lv.forward; f != nil && below(f); f = lv.forward {
			r += lv.span
			x = f
			lv = x.lv(i)
		}
	}
	return r
}

// firstFrom is the first node with score >= lo, nil when none.
func (l *skiplist) firstFrom(lo float64) *zslNode {
	x := l.header
	for i := l.level - 1; i >= 0; i-- {
		lv := x.lv(i)
		for f := lv.forward; f != nil && f.score < lo; f = lv.forward {
			x = f
			lv = x.lv(i)
		}
	}
	return x.level0.forward
}
