package engine

import (
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zref is the reference model: a plain sorted slice.
type zref []zentry

func (r zref) find(m string) int {
	for i, e := range r {
		if e.member == m {
			return i
		}
	}
	return -1
}

func (r *zref) set(m string, sc float64) {
	if i := r.find(m); i >= 0 {
		*r = slices.Delete(*r, i, i+1)
	}
	*r = append(*r, zentry{m, sc})
	slices.SortFunc(*r, func(a, b zentry) int {
		if zless(a.score, a.member, b.score, b.member) {
			return -1
		}
		if zless(b.score, b.member, a.score, a.member) {
			return 1
		}
		return 0
	})
}

// checkZset compares every query of z with the model.
func checkZset(t testing.TB, z *zset, ref zref) {
	t.Helper()
	require.Equal(t, len(ref), z.len())
	var got []zentry
	z.walk(0, z.len(), false, func(m string, sc float64) { got = append(got, zentry{m, sc}) })
	if len(ref) == 0 {
		require.Empty(t, got)
	} else {
		require.Equal(t, []zentry(ref), got)
	}
	var rev []zentry
	z.walk(z.len()-1, z.len(), true, func(m string, sc float64) { rev = append(rev, zentry{m, sc}) })
	for i := range rev {
		require.Equal(t, ref[len(ref)-1-i], rev[i])
	}
	for i, e := range ref {
		r, ok := z.rank(e.member)
		require.True(t, ok)
		require.Equal(t, i, r)
		require.Equal(t, e, z.at(i))
		sc, ok := z.score(e.member)
		require.True(t, ok)
		require.Equal(t, e.score, sc)
	}
	for _, v := range []float64{-1, 0, 3, 5.5, 10} {
		below, belowEq := 0, 0
		for _, e := range ref {
			if e.score < v {
				below++
			}
			if e.score <= v {
				belowEq++
			}
		}
		require.Equal(t, below, z.countScoreBelow(v, false), "below %v", v)
		require.Equal(t, belowEq, z.countScoreBelow(v, true), "below-eq %v", v)
	}
}

func TestZsetAgainstModel(t *testing.T) {
	for _, lim := range []zsetLimits{{128, 64}, {4, 64}, {0, 0}} {
		rng := rand.New(rand.NewPCG(1, uint64(lim.entries)))
		z := newZset(maphash.MakeSeed())
		var ref zref
		for i := 0; i < 3000; i++ {
			m := "m" + strconv.Itoa(rng.IntN(60))
			sc := float64(rng.IntN(11))
			switch rng.IntN(5) {
			case 0, 1:
				if old, ok := z.score(m); ok {
					z.update(m, old, sc)
				} else {
					z.insert(m, sc, lim)
				}
				ref.set(m, sc)
			case 2:
				removed := z.remove(m)
				j := ref.find(m)
				assert.Equal(t, j >= 0, removed)
				if j >= 0 {
					ref = slices.Delete(ref, j, j+1)
				}
			case 3:
				if len(ref) > 0 {
					a := rng.IntN(len(ref))
					b := a + rng.IntN(3)
					if b >= len(ref) {
						b = len(ref) - 1
					}
					var gone []string
					z.removeRanks(a, b, func(m string) { gone = append(gone, m) })
					for _, e := range ref[a : b+1] {
						assert.Contains(t, gone, e.member)
					}
					ref = slices.Delete(ref, a, b+1)
				}
			case 4:
				_, ok := z.rank(m)
				assert.Equal(t, ref.find(m) >= 0, ok)
			}
			if i%50 == 0 {
				checkZset(t, z, ref)
			}
		}
		checkZset(t, z, ref)
	}
}

func TestZsetEncodingConversion(t *testing.T) {
	z := newZset(maphash.MakeSeed())
	lim := zsetLimits{entries: 3, value: 5}
	z.insert("a", 1, lim)
	z.insert("b", 2, lim)
	z.insert("c", 3, lim)
	assert.Equal(t, "listpack", z.encoding())
	z.insert("d", 4, lim)
	assert.Equal(t, "skiplist", z.encoding())
	z.remove("d")
	z.remove("c")
	assert.Equal(t, "skiplist", z.encoding(), "never converts back")

	z2 := newZset(maphash.MakeSeed())
	z2.insert("longmember", 1, lim)
	assert.Equal(t, "skiplist", z2.encoding())
}

func TestZsetLex(t *testing.T) {
	for _, lim := range []zsetLimits{{128, 64}, {0, 0}} {
		z := newZset(maphash.MakeSeed())
		for _, m := range []string{"a", "b", "c", "d", "e"} {
			z.insert(m, 0, lim)
		}
		assert.Equal(t, 2, z.countLexBelow("c", false))
		assert.Equal(t, 3, z.countLexBelow("c", true))
		assert.Equal(t, 5, z.countLexBelow("z", false))
		assert.Equal(t, 0, z.countLexBelow("", true))
	}
}

func FuzzZset(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("the quick brown fox jumps over the lazy dog"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		z := newZset(maphash.MakeSeed())
		var ref zref
		lim := zsetLimits{entries: 8, value: 64}
		for i := 0; i+1 < len(ops); i += 2 {
			m := string(rune('a' + ops[i]%16))
			sc := float64(ops[i+1] % 7)
			switch ops[i+1] % 3 {
			case 0, 1:
				if old, ok := z.score(m); ok {
					z.update(m, old, sc)
				} else {
					z.insert(m, sc, lim)
				}
				ref.set(m, sc)
			case 2:
				z.remove(m)
				if j := ref.find(m); j >= 0 {
					ref = slices.Delete(ref, j, j+1)
				}
			}
		}
		checkZset(t, z, ref)
	})
}

func BenchmarkZsetInsert(b *testing.B) {
	b.ReportAllocs()
	z := newZset(maphash.MakeSeed())
	lim := zsetLimits{128, 64}
	for i := 0; i < b.N; i++ {
		z.insert(strconv.Itoa(i), float64(i*7919%1000003), lim)
	}
}

// TestSkiplistNodeLayout pins what zslNode.lv relies on: level 0 is the
// last field of a node and every zslNodeN puts its upper levels right
// behind it, so level i is at level0 + i*zslLevelSize inside the node's
// own allocation. Under -race, checkptr checks each lv in the rest of the
// skiplist tests as well.
func TestSkiplistNodeLayout(t *testing.T) {
	require.Equal(t, unsafe.Sizeof(zslNode{}), unsafe.Offsetof(zslNode{}.level0)+zslLevelSize)
	if unsafe.Sizeof(uintptr(0)) == 8 {
		require.Equal(t, uintptr(48), unsafe.Sizeof(zslNode{}), "a height-1 node is Redis's 48 bytes")
	}
	ups := []uintptr{
		unsafe.Offsetof(zslNode2{}.up), unsafe.Offsetof(zslNode3{}.up), unsafe.Offsetof(zslNode4{}.up),
		unsafe.Offsetof(zslNode5{}.up), unsafe.Offsetof(zslNode6{}.up), unsafe.Offsetof(zslNode7{}.up),
		unsafe.Offsetof(zslNode8{}.up), unsafe.Offsetof(zslNodeMax{}.up),
	}
	for _, off := range ups {
		require.Equal(t, unsafe.Sizeof(zslNode{}), off)
	}
	for h := 1; h <= zslMaxLevel; h++ {
		x := newZslNode("m", 1, h)
		for i := 0; i < h; i++ {
			x.lv(i).span = i + 1
		}
		for i := 0; i < h; i++ {
			require.Equal(t, i+1, x.lv(i).span)
		}
		require.Equal(t, "m", x.member)
	}
}

// insertHeight is skiplist.insert with a chosen height, to reach every
// node type.
func (l *skiplist) insertHeight(score float64, member string, h int) *zslNode {
	var p zslPath
	l.findInsert(score, member, &p)
	x := newZslNode(member, score, h)
	l.link(x, h, &p)
	return x
}

// checkSkiplist checks every level's links and spans against level 0.
func checkSkiplist(t *testing.T, l *skiplist) {
	t.Helper()
	var order []*zslNode
	for x := l.header.level0.forward; x != nil; x = x.level0.forward {
		order = append(order, x)
	}
	require.Equal(t, l.length, len(order))
	if len(order) > 0 {
		require.Same(t, order[len(order)-1], l.tail)
		require.Nil(t, order[0].backward)
	}
	pos := map[*zslNode]int{l.header: 0}
	for i, x := range order {
		pos[x] = i + 1
		if i > 0 {
			require.Same(t, order[i-1], x.backward)
			require.True(t, zless(order[i-1].score, order[i-1].member, x.score, x.member))
		}
	}
	for i := 0; i < l.level; i++ {
		x := l.header
		for f := x.lv(i).forward; f != nil; f = x.lv(i).forward {
			require.Equal(t, pos[f]-pos[x], x.lv(i).span, "span at level %d", i)
			x = f
		}
	}
	for i := l.level; i < zslMaxLevel; i++ {
		require.Nil(t, l.header.lv(i).forward)
	}
}

func TestSkiplistAllHeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	l := newSkiplist()
	scores := map[string]float64{}
	nodes := map[string]*zslNode{}
	for i := 0; i < 4000; i++ {
		m := "m" + strconv.Itoa(rng.IntN(300))
		sc := float64(rng.IntN(40))
		old, ok := scores[m]
		switch {
		case !ok:
			h := 1 + rng.IntN(zslMaxLevel)
			if rng.IntN(2) == 0 {
				h = 1 + rng.IntN(3)
			}
			nodes[m] = l.insertHeight(sc, m, h)
			scores[m] = sc
		case rng.IntN(3) == 0:
			require.Equal(t, old, nodes[m].score)
			l.unlink(nodes[m])
			delete(scores, m)
			delete(nodes, m)
		default:
			l.updateScore(nodes[m], sc)
			require.Same(t, nodes[m], l.nodeAt(l.rank(sc, m)), "the member keeps its node")
			scores[m] = sc
		}
		if i%100 == 0 {
			checkSkiplist(t, l)
			for m, sc := range scores {
				r := l.rank(sc, m)
				require.NotZero(t, r)
				require.Equal(t, m, l.nodeAt(r).member)
			}
		}
	}
	checkSkiplist(t, l)
	var gone []string
	l.deleteRanks(2, l.length/2, func(m string) { gone = append(gone, m) })
	require.Len(t, gone, len(scores)/2-1)
	checkSkiplist(t, l)
}
