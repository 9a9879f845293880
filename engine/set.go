package engine

import (
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"strconv"
)

// setObj is a set. While every member is an integer and there are at most
// set-max-intset-entries of them it is a sorted []int64 (Redis's intset,
// replied in ascending order); otherwise a hashtable: a dense slice of
// members (O(1) random picks for SPOP/SRANDMEMBER) with an index map that
// also gives SSCAN its cursor. Redis 7.0 has no listpack sets, and a set
// never goes back to intset. A hashtable set of at most smallSetMax
// members has no index yet (see there).
type setObj struct {
	snapMark
	ints  []int64 // intset encoding while idx is unset
	items []string
	idx   smap[int] // member -> position in items
	hash  bool
	seed  maphash.Seed
	// elemMem is the memory of the members' bytes (hashtable encoding).
	elemMem int64
}

// memUsage is the set's memory: the integers of an intset, else the
// members, their bytes and their index.
func (st *setObj) memUsage() int64 {
	if !st.hash {
		return 8 * int64(cap(st.ints))
	}
	if !st.indexed() {
		return 16*int64(cap(st.items)) + st.elemMem
	}
	return 16*int64(cap(st.items)) + st.elemMem + smapSlotBytes*int64(len(st.items))
}

func newSet(seed maphash.Seed) *setObj { return &setObj{seed: seed} }

// smallSetMax is the most members a hashtable set keeps without an index
// map: finding a member among so few by comparing them costs about what a
// map look-up does, and a Go map per small set was the largest cost of
// loading a dump with many small sets (and of its memory). The index is
// built when the set grows past it. SSCAN visits members in the same hash
// order either way, so a cursor stays valid across the change.
const smallSetMax = 32

// indexed reports whether the index map exists (hashtable encoding).
func (st *setObj) indexed() bool { return st.idx.shards != nil }

// buildIndex makes the index map of the members.
func (st *setObj) buildIndex() {
	st.idx = newSmap[int](st.seed)
	st.idx.reserve(len(st.items))
	for i, m := range st.items {
		st.idx.set(m, i)
	}
}

// find returns member's position in items (hashtable encoding).
func (st *setObj) find(member string) (int, bool) {
	if st.indexed() {
		return st.idx.get(member)
	}
	for i, m := range st.items {
		if m == member {
			return i, true
		}
	}
	return 0, false
}

func (st *setObj) typeName() string { return "set" }

func (st *setObj) encoding() string {
	if st.hash {
		return "hashtable"
	}
	return "intset"
}

func (st *setObj) len() int {
	if st.hash {
		return len(st.items)
	}
	return len(st.ints)
}

// convert switches to the hashtable encoding.
func (st *setObj) convert() {
	if st.hash {
		return
	}
	st.hash = true
	st.items = make([]string, 0, len(st.ints))
	for _, v := range st.ints {
		m := strconv.FormatInt(v, 10)
		st.items = append(st.items, m)
		st.elemMem += strMem(m)
	}
	st.ints = nil
	if len(st.items) > smallSetMax {
		st.buildIndex()
	}
}

// add inserts member; reports whether it was new. maxInts is
// set-max-intset-entries.
func (st *setObj) add(member []byte, maxInts int) bool {
	if !st.hash {
		if v, ok := parseInt(member); ok {
			i, found := slices.BinarySearch(st.ints, v)
			if found {
				return false
			}
			st.ints = slices.Insert(st.ints, i, v)
			if len(st.ints) > maxInts {
				st.convert()
			}
			return true
		}
		st.convert()
	}
	if !st.indexed() {
		if _, ok := st.find(tmpString(member)); ok {
			return false
		}
		st.appendMember(string(member))
		return true
	}
	// One hash of the member picks the shard for both the look-up and
	// the insert.
	shard := st.idx.shardFor(tmpString(member))
	if _, ok := st.idx.getIn(shard, tmpString(member)); ok {
		return false
	}
	m := string(member)
	st.idx.setIn(shard, m, len(st.items))
	st.items = append(st.items, m)
	st.elemMem += strMem(m)
	return true
}

// appendMember adds m, known not to be a member, to a set without an
// index, building the index once the set outgrows smallSetMax.
func (st *setObj) appendMember(m string) {
	st.items = append(st.items, m)
	st.elemMem += strMem(m)
	if len(st.items) > smallSetMax {
		st.buildIndex()
	}
}

// addLoaded adds a member decoded from a dump (m is its own fresh string,
// kept as is); it reports whether m was new.
func (st *setObj) addLoaded(m string, maxInts int) bool {
	if !st.hash {
		return st.add(stringToBytes(m), maxInts)
	}
	if st.indexed() {
		shard := st.idx.shardFor(m)
		if _, ok := st.idx.getIn(shard, m); ok {
			return false
		}
		st.idx.setIn(shard, m, len(st.items))
		st.items = append(st.items, m)
		st.elemMem += strMem(m)
		return true
	}
	if _, ok := st.find(m); ok {
		return false
	}
	st.appendMember(m)
	return true
}

func (st *setObj) has(member []byte) bool {
	if !st.hash {
		v, ok := parseInt(member)
		if !ok {
			return false
		}
		_, found := slices.BinarySearch(st.ints, v)
		return found
	}
	_, ok := st.find(tmpString(member))
	return ok
}

// remove deletes member; reports whether it was present.
func (st *setObj) remove(member []byte) bool {
	if !st.hash {
		v, ok := parseInt(member)
		if !ok {
			return false
		}
		i, found := slices.BinarySearch(st.ints, v)
		if !found {
			return false
		}
		st.ints = slices.Delete(st.ints, i, i+1)
		return true
	}
	i, ok := st.find(tmpString(member))
	if !ok {
		return false
	}
	st.removeAt(i)
	return true
}

// removeAt deletes the member at position i (hashtable encoding): the last
// member moves into its place.
func (st *setObj) removeAt(i int) {
	last := len(st.items) - 1
	st.elemMem -= strMem(st.items[i])
	if st.indexed() {
		st.idx.del(st.items[i])
	}
	if i != last {
		st.items[i] = st.items[last]
		if st.indexed() {
			st.idx.set(st.items[i], i)
		}
	}
	st.items[last] = ""
	st.items = st.items[:last]
}

// member returns the member at position i (0 <= i < len).
func (st *setObj) member(i int) string {
	if st.hash {
		return st.items[i]
	}
	return strconv.FormatInt(st.ints[i], 10)
}

// members lists every member: ascending for an intset.
func (st *setObj) members() []string {
	out := make([]string, st.len())
	for i := range out {
		out[i] = st.member(i)
	}
	return out
}

// each visits every member until fn returns false.
func (st *setObj) each(fn func(m string) bool) {
	n := st.len()
	for i := 0; i < n; i++ {
		if !fn(st.member(i)) {
			return
		}
	}
}

// pop removes and returns a random member; the set must not be empty.
func (st *setObj) pop(rng *rand.Rand) string {
	i := rng.IntN(st.len())
	m := st.member(i)
	if st.hash {
		st.removeAt(i)
	} else {
		st.ints = slices.Delete(st.ints, i, i+1)
	}
	return m
}

// random returns a random member; the set must not be empty.
func (st *setObj) random(rng *rand.Rand) string {
	return st.member(rng.IntN(st.len()))
}

// scan returns about count members from cursor on (hashtable), or all of
// them with cursor 0 (intset), as Redis does.
func (st *setObj) scan(cursor uint64, count int) ([]string, uint64) {
	if !st.hash {
		return st.members(), 0
	}
	if !st.indexed() {
		// The order a one-shard index would give: hashes with its seed.
		collect := func(dst []hashedKey, lo, hi uint64) []hashedKey {
			for _, m := range st.items {
				if h := maphash.String(st.seed, m); h >= lo && h <= hi {
					dst = append(dst, hashedKey{h, m})
				}
			}
			return dst
		}
		return scanStep(cursor, count, collect, 0)
	}
	return scanStep(cursor, count, st.idx.collectRange, st.idx.shardBits())
}

// copyObject returns an independent copy, for COPY.
func (st *setObj) copyObject() object {
	c := &setObj{seed: st.seed, hash: st.hash, elemMem: st.elemMem}
	if !st.hash {
		c.ints = slices.Clone(st.ints)
		return c
	}
	c.items = slices.Clone(st.items)
	if st.indexed() {
		c.buildIndex()
	}
	return c
}

// approxBytes estimates the memory the set holds, for sandbox limits.
func (st *setObj) approxBytes() int64 {
	if !st.hash {
		return 48 + 8*int64(len(st.ints))
	}
	n := int64(64)
	for _, m := range st.items {
		n += int64(len(m)) + 56 // string header in the slice and the index map
	}
	return n
}
