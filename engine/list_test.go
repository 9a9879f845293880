package engine

import (
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listItems returns the list's elements in order.
func listItems(l *list) []string {
	out := []string{}
	if l.n > 0 {
		l.each(0, l.n-1, func(v string) { out = append(out, v) })
	}
	return out
}

func TestListPushPop(t *testing.T) {
	var l list
	assert.Equal(t, "list", l.typeName())
	assert.Equal(t, "quicklist", l.encoding())
	for i := 0; i < 10; i++ {
		l.pushBack(strconv.Itoa(i))
		l.pushFront(strconv.Itoa(-i))
	}
	require.Equal(t, 20, l.len())
	assert.Equal(t, "-9", l.at(0))
	assert.Equal(t, "9", l.at(19))
	assert.Equal(t, "-9", l.popFront())
	assert.Equal(t, "9", l.popBack())
	assert.Equal(t, "-8", l.pop(true))
	assert.Equal(t, "8", l.pop(false))
	for l.len() > 0 {
		l.popBack()
	}
	assert.LessOrEqual(t, len(l.buf), listMinCap, "emptied list shrinks back")
}

func TestListInsertRemove(t *testing.T) {
	var l list
	for _, v := range []string{"a", "b", "c", "d", "e"} {
		l.pushBack(v)
	}
	l.insert(1, "x") // near the head
	l.insert(5, "y") // near the tail
	l.insert(0, "h")
	l.insert(l.len(), "t")
	assert.Equal(t, []string{"h", "a", "x", "b", "c", "d", "y", "e", "t"}, listItems(&l))
	l.removeAt(1)
	l.removeAt(6)
	assert.Equal(t, []string{"h", "x", "b", "c", "d", "y", "t"}, listItems(&l))
	assert.Equal(t, 3, l.index("c", 0))
	assert.Equal(t, -1, l.index("c", 4))
}

func TestListRemoveTrim(t *testing.T) {
	var l list
	for _, v := range []string{"a", "b", "a", "c", "a", "b", "a"} {
		l.pushBack(v)
	}
	assert.Equal(t, 2, l.remove("a", 2, false))
	assert.Equal(t, []string{"b", "c", "a", "b", "a"}, listItems(&l))
	assert.Equal(t, 1, l.remove("b", 1, true))
	assert.Equal(t, []string{"b", "c", "a", "a"}, listItems(&l))
	assert.Equal(t, 2, l.remove("a", 0, true))
	assert.Equal(t, []string{"b", "c"}, listItems(&l))
	l.trim(1, 1)
	assert.Equal(t, []string{"c"}, listItems(&l))
	l.trim(1, 0)
	assert.Equal(t, 0, l.len())
}

func TestListShrinkAfterTrim(t *testing.T) {
	var l list
	for i := 0; i < 1000; i++ {
		l.pushFront(strconv.Itoa(i))
	}
	require.NotNil(t, l.bl, "a long list is in blocks")
	checkListSlots(t, &l)
	l.trim(10, 12)
	assert.Equal(t, []string{"989", "988", "987"}, listItems(&l))
	assert.Nil(t, l.bl)
	assert.LessOrEqual(t, len(l.buf), 16)
}

// checkListSlots checks that unused slots hold no strings (they would
// leak), that the blocks in use are those the elements span, and the
// memory accounting of the elements.
func checkListSlots(t *testing.T, l *list) {
	t.Helper()
	var mem int64
	l.each(0, l.n-1, func(v string) { mem += strMem(v) })
	require.Equal(t, mem, l.elemMem)
	b := l.bl
	if b == nil {
		for j := l.n; j < len(l.buf); j++ {
			require.Equal(t, "", l.buf[l.slot(j)])
		}
		return
	}
	require.Nil(t, l.buf)
	require.Less(t, l.head, listBlockLen)
	require.Equal(t, (l.head+l.n+listBlockMask)>>listBlockShift, b.used)
	require.Zero(t, len(b.ring)&(len(b.ring)-1), "ring length is a power of two")
	for k := 0; k < len(b.ring); k++ {
		blk := b.ring[(b.first+k)&(len(b.ring)-1)]
		if k >= b.used {
			require.Nil(t, blk)
			continue
		}
		for o, v := range blk {
			if p := k<<listBlockShift + o; p < l.head || p >= l.head+l.n {
				require.Equal(t, "", v)
			}
		}
	}
	if b.spare != nil {
		require.Equal(t, listBlock{}, *b.spare)
	}
}

// FuzzList drives the ring buffer and a plain slice with the same
// operations and compares them after each step.
func FuzzList(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	f.Add([]byte{0, 0, 0, 0, 0, 1, 1, 1, 1, 7, 3, 8, 2, 9, 0, 5, 6, 6})
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var l list
		var model []string
		for i := 0; i+1 < len(ops); i += 2 {
			op, arg := ops[i]%12, int(ops[i+1])
			v := strconv.Itoa(arg % 5)
			switch op {
			case 0:
				l.pushFront(v)
				model = slices.Insert(model, 0, v)
			case 1:
				l.pushBack(v)
				model = append(model, v)
			case 2:
				if len(model) > 0 {
					require.Equal(t, model[0], l.popFront())
					model = model[1:]
				}
			case 3:
				if len(model) > 0 {
					require.Equal(t, model[len(model)-1], l.popBack())
					model = model[:len(model)-1]
				}
			case 4:
				p := arg % (len(model) + 1)
				l.insert(p, v)
				model = slices.Insert(model, p, v)
			case 5:
				if len(model) > 0 {
					p := arg % len(model)
					l.removeAt(p)
					model = slices.Delete(model, p, p+1)
				}
			case 6:
				limit := arg % 3
				fromTail := arg&8 != 0
				want := 0
				var next []string
				if !fromTail {
					for _, e := range model {
						if e == v && (limit == 0 || want < limit) {
							want++
							continue
						}
						next = append(next, e)
					}
				} else {
					for j := len(model) - 1; j >= 0; j-- {
						e := model[j]
						if e == v && (limit == 0 || want < limit) {
							want++
							continue
						}
						next = append([]string{e}, next...)
					}
				}
				require.Equal(t, want, l.remove(v, limit, fromTail))
				model = next
			case 7:
				if len(model) > 0 {
					a, b := arg%len(model), (arg/7)%len(model)
					l.trim(a, b)
					if a > b {
						model = nil
					} else {
						model = slices.Clone(model[a : b+1])
					}
				}
			case 8:
				if len(model) > 0 {
					p := arg % len(model)
					l.set(p, v)
					model[p] = v
				}
			case 9:
				want := slices.Index(model, v)
				require.Equal(t, want, l.index(v, 0))
			case 10:
				l.reserve(arg % 7)
			case 11:
				// a long push, so that the list moves to blocks
				k := 40 + 3*arg
				l.reserve(k)
				for j := 0; j < k; j++ {
					if arg&1 == 0 {
						l.pushBack(v)
						model = append(model, v)
					} else {
						l.pushFront(v)
						model = slices.Insert(model, 0, v)
					}
				}
			}
			require.Equal(t, len(model), l.len())
			got := listItems(&l)
			if len(model) == 0 {
				require.Empty(t, got)
			} else {
				require.Equal(t, model, got)
			}
			checkListSlots(t, &l)
		}
	})
}

// TestListMemory logs what a 10-element list costs per element, next to
// Redis's MEMORY USAGE when GOREDIS_DIFF_ADDR names a real server.
func TestListMemory(t *testing.T) {
	const elems, keys = 10, 2000
	e, _ := testEngine(t)
	c := newClient(t, e)
	args := []string{"RPUSH", ""}
	for i := 0; i < elems; i++ {
		args = append(args, "element:"+strconv.Itoa(i))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	for k := 0; k < keys; k++ {
		args[1] = "list:" + strconv.Itoa(k)
		c.do(args...)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perKey := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / keys
	t.Logf("10-element list (element:N) in the keyspace: %.0f bytes per list, %.1f bytes per element", perKey, perKey/elems)
	runtime.KeepAlive(e)
	if addr := os.Getenv("GOREDIS_DIFF_ADDR"); addr != "" {
		r := dialReal(t, addr)
		r.do("FLUSHALL")
		args[1] = "list:0"
		r.do(args...)
		n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(r.do("MEMORY", "USAGE", "list:0"), ":")))
		t.Logf("Redis quicklist, MEMORY USAGE: %d bytes per list, %.1f bytes per element", n, float64(n)/elems)
	}
}

// TestListBlocksAgainstModel pushes, pops, inserts and removes at both
// ends and in the middle of lists long enough to span many blocks, and
// across the flat/blocks switch both ways.
func TestListBlocksAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	var l list
	var model []string
	sawBlocks, sawFlatAgain := 0, false
	for step := 0; step < 30000; step++ {
		v := strconv.Itoa(rng.IntN(50))
		// drift: grow to thousands, then shrink to nothing, and again
		grow := step%10000 < 4000
		switch op := rng.IntN(10); {
		case op < 1 || (grow && op < 6):
			if rng.IntN(2) == 0 {
				l.pushFront(v)
				model = slices.Insert(model, 0, v)
			} else {
				l.pushBack(v)
				model = append(model, v)
			}
		case op < 7 && len(model) > 0:
			if rng.IntN(2) == 0 {
				require.Equal(t, model[0], l.popFront())
				model = model[1:]
			} else {
				require.Equal(t, model[len(model)-1], l.popBack())
				model = model[:len(model)-1]
			}
		case op == 7:
			p := rng.IntN(len(model) + 1)
			l.insert(p, v)
			model = slices.Insert(model, p, v)
		case op == 8 && len(model) > 0:
			p := rng.IntN(len(model))
			l.removeAt(p)
			model = slices.Delete(model, p, p+1)
		case op == 9 && len(model) > 0:
			p := rng.IntN(len(model))
			require.Equal(t, model[p], l.at(p))
			l.set(p, v)
			model[p] = v
		}
		if step%500 == 0 || len(model) < 3 {
			require.Equal(t, len(model), l.len())
			if len(model) > 0 {
				require.Equal(t, model, listItems(&l))
				a := rng.IntN(len(model))
				b := a + rng.IntN(len(model)-a)
				var got []string
				l.each(a, b, func(v string) { got = append(got, v) })
				require.Equal(t, model[a:b+1], got)
			}
			checkListSlots(t, &l)
		}
		if l.bl != nil {
			sawBlocks++
		} else if sawBlocks > 0 {
			sawFlatAgain = true
		}
	}
	require.Positive(t, sawBlocks)
	require.True(t, sawFlatAgain)
	for _, keep := range [][2]int{{100, 1200}, {3, 2}} {
		if len(model) > keep[1] {
			l.trim(keep[0], keep[1])
			if keep[0] > keep[1] {
				model = nil
			} else {
				model = slices.Clone(model[keep[0] : keep[1]+1])
			}
			require.Equal(t, len(model), l.len())
			checkListSlots(t, &l)
		}
	}
}
