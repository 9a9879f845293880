package luabridge

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// Lua 5.1's traversal order. Redis's cmsgpack and cjson encode a table's
// pairs, and its RESP3 conversion writes a {map=...} or {set=...}, in the
// order lua_next gives them: the array part by index, then the hash
// part's nodes by position, a position that follows from each key's hash,
// from collisions and from the table's growth. gopher-lua keeps its hash
// part in Go maps plus the keys' insertion order, so its order is another
// one; luaPairs rebuilds Lua 5.1's (as embedded by Redis, whose string
// hash reads every byte) by replaying the insertion of the keys, in
// gopher-lua's order, into an empty Lua 5.1 table: luaH_set, newkey,
// rehash, computesizes and resize as ltable.c does them.
//
// That is exact for a table grown key by key from {} (a loop filling a
// result) and for any table whose keys meet no collision. A constructor
// ({a=1, b=2}) sizes its table at once, so Lua places its colliding keys
// without the rehashes replayed here, and puts its [1]=... keys in the
// hash part; a key set to nil keeps its node in Lua until the next
// rehash, where gopher-lua forgets it; and gopher-lua lists its array
// part before the other keys, whatever their insertion order was. Keys that are tables, functions or
// userdata are hashed by their address in Lua, which no one can
// reproduce; they take their insertion rank as hash.

// keyValue is one pair of a table.
type keyValue struct {
	k, v lua.LValue
}

// luaPairs appends t's pairs to dst in Lua 5.1's lua_next order.
func luaPairs(t *lua.LTable, dst []keyValue) []keyValue {
	var sim luaTable
	rank := 0
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		sim.set(keyValue{k, v}, rank)
		rank++
	}
	for _, v := range sim.array {
		if v.v != nil {
			dst = append(dst, v)
		}
	}
	for _, n := range sim.nodes {
		if n.used {
			dst = append(dst, n.kv)
		}
	}
	return dst
}

// luaTable is the layout of a Lua 5.1 table (ltable.c): its array part
// and its node vector.
type luaTable struct {
	array    []keyValue // slot i holds key i+1; unused slots have a nil v
	nodes    []luaNode  // empty: Lua's dummynode
	lastFree int
}

type luaNode struct {
	kv   keyValue
	rank int // the key's insertion rank (its "address")
	next int // the collision chain, -1 at its end
	used bool
}

// set inserts a key that is not in the table (luaH_set, then newkey).
func (t *luaTable) set(kv keyValue, rank int) {
	if i := arrayIndexOf(kv.k); i > 0 && i <= len(t.array) {
		t.array[i-1] = kv
		return
	}
	if len(t.nodes) == 0 {
		t.rehash(kv)
		t.set(kv, rank)
		return
	}
	mp := mainPosition(kv.k, rank, len(t.nodes))
	if t.nodes[mp].used {
		free := t.freePos()
		if free < 0 {
			t.rehash(kv)
			t.set(kv, rank)
			return
		}
		occupant := &t.nodes[mp]
		if other := mainPosition(occupant.kv.k, occupant.rank, len(t.nodes)); other != mp {
			// The occupant is out of its main position: it moves to the
			// free node and the new key takes its place.
			for t.nodes[other].next != mp {
				other = t.nodes[other].next
			}
			t.nodes[other].next = free
			t.nodes[free] = *occupant
			t.nodes[mp] = luaNode{next: -1}
		} else {
			t.nodes[free].next = occupant.next
			occupant.next = free
			mp = free
		}
	} else {
		t.nodes[mp].next = -1
	}
	t.nodes[mp].kv, t.nodes[mp].rank, t.nodes[mp].used = kv, rank, true
}

// freePos is getfreepos: the next unused node below lastfree, or -1.
func (t *luaTable) freePos() int {
	for t.lastFree > 0 {
		t.lastFree--
		if !t.nodes[t.lastFree].used {
			return t.lastFree
		}
	}
	return -1
}

// rehash sizes both parts for the keys and the one being inserted
// (rehash, computesizes) and reinserts the keys (resize).
func (t *luaTable) rehash(extra keyValue) {
	var nums [27]int // nums[i]: integer keys in (2^(i-1), 2^i]
	intKeys, total := 0, 0
	count := func(k lua.LValue) {
		total++
		if i := arrayIndexOf(k); i > 0 {
			nums[ceilLog2(i)]++
			intKeys++
		}
	}
	for _, v := range t.array {
		if v.v != nil {
			count(v.k)
		}
	}
	for _, n := range t.nodes {
		if n.used {
			count(n.kv.k)
		}
	}
	count(extra.k)
	arraySize, inArray := computeSizes(nums[:], intKeys)
	oldArray, oldNodes := t.array, t.nodes
	if arraySize > len(oldArray) {
		t.array = append(oldArray, make([]keyValue, arraySize-len(oldArray))...)
	}
	t.nodes, t.lastFree = nil, 0
	if n := total - inArray; n > 0 {
		t.nodes = make([]luaNode, 1<<ceilLog2(n))
		t.lastFree = len(t.nodes)
	}
	if arraySize < len(oldArray) {
		t.array = oldArray[:arraySize:arraySize]
		for _, v := range oldArray[arraySize:] {
			if v.v != nil {
				t.set(v, 0)
			}
		}
	}
	for i := len(oldNodes) - 1; i >= 0; i-- {
		if n := oldNodes[i]; n.used {
			t.set(n.kv, n.rank)
		}
	}
}

// computeSizes is computesizes: the largest power of two n with more
// than n/2 of the keys 1..n present, and how many keys that holds.
func computeSizes(nums []int, intKeys int) (size, inArray int) {
	a := 0
	for i, twotoi := 0, 1; twotoi/2 < intKeys && i < len(nums); i, twotoi = i+1, twotoi*2 {
		if nums[i] > 0 {
			a += nums[i]
			if a > twotoi/2 {
				size, inArray = twotoi, a
			}
		}
		if a == intKeys {
			break
		}
	}
	return size, inArray
}

// arrayIndexOf is Lua's arrayindex: k as an index of the array part, or
// 0.
func arrayIndexOf(k lua.LValue) int {
	n, ok := k.(lua.LNumber)
	if !ok {
		return 0
	}
	f := float64(n)
	if f >= 1 && f <= 1<<26 && f == math.Trunc(f) { // MAXASIZE
		return int(f)
	}
	return 0
}

// ceilLog2 is Lua's ceillog2: the least i with 2^i >= x.
func ceilLog2(x int) int {
	i := 0
	for 1<<i < x {
		i++
	}
	return i
}

// mainPosition is Lua 5.1's mainposition in a node vector of size (a
// power of two); rank stands for the address of keys hashed by it.
func mainPosition(k lua.LValue, rank, size int) int {
	switch x := k.(type) {
	case lua.LString:
		return int(luaStringHash(string(x)) & uint32(size-1))
	case lua.LNumber:
		if x == 0 {
			return 0 // -0 and 0
		}
		bits := math.Float64bits(float64(x))
		h := uint32(bits) + uint32(bits>>32)
		return int(h % uint32((size-1)|1))
	case lua.LBool:
		if x {
			return 1 & (size - 1)
		}
		return 0
	}
	return rank % ((size - 1) | 1)
}

// luaStringHash is luaS_newlstr's hash as Redis builds its Lua (every
// byte read: its step is 1).
func luaStringHash(s string) uint32 {
	h := uint32(len(s))
	for i := len(s); i >= 1; i-- {
		h ^= (h << 5) + (h >> 2) + uint32(s[i-1])
	}
	return h
}
