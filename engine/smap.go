package engine

import (
	"hash/maphash"
	"iter"
	"math/bits"
	"slices"
)

// smap is a string-keyed map split into shards by the top bits of a seeded
// hash. The split gives SCAN what a plain Go map cannot: a cursor. Keys are
// visited in hash order, and the cursor is the next hash to visit, so it
// stays valid while the map grows, shrinks or reshards, and every key that is
// present for a whole scan is returned (Redis's SCAN guarantee).
type smap[V any] struct {
	seed   maphash.Seed
	shards []map[string]V
	shift  uint // 64 - log2(len(shards))
	n      int
	// hint sizes shards made on first use (reserve).
	hint int
}

// shardTarget is the size at which the number of shards doubles: large
// enough that small maps are one shard, small enough that a SCAN step (which
// sorts one shard's hashes) stays cheap.
const shardTarget = 2048

func newSmap[V any](seed maphash.Seed) smap[V] {
	return smap[V]{seed: seed, shards: []map[string]V{nil}, shift: 64}
}

func (m *smap[V]) hash(key string) uint64 { return maphash.String(m.seed, key) }

// shardFor is the shard holding key. A map of one shard skips the hash:
// the Go map hashes the key again anyway.
func (m *smap[V]) shardFor(key string) int {
	if m.shift >= 64 {
		return 0
	}
	return int(m.hash(key) >> m.shift)
}

func (m *smap[V]) shardOf(h uint64) int {
	if m.shift >= 64 {
		return 0
	}
	return int(h >> m.shift)
}

func (m *smap[V]) get(key string) (V, bool) {
	if m.n == 0 {
		var zero V
		return zero, false
	}
	v, ok := m.shards[m.shardFor(key)][key]
	return v, ok
}

// getIn is get in shard i, which must be shardFor(key).
func (m *smap[V]) getIn(i int, key string) (V, bool) {
	if m.n == 0 {
		var zero V
		return zero, false
	}
	v, ok := m.shards[i][key]
	return v, ok
}

// set stores v and reports whether the key is new.
func (m *smap[V]) set(key string, v V) bool {
	return m.setIn(m.shardFor(key), key, v)
}

// setIn is set in shard i, which must be shardFor(key).
func (m *smap[V]) setIn(i int, key string, v V) bool {
	s := m.shards[i]
	if s == nil {
		s = make(map[string]V, m.hint)
		m.shards[i] = s
	}
	before := len(s)
	s[key] = v
	if len(s) == before {
		return false
	}
	m.n++
	if m.n > len(m.shards)*shardTarget {
		m.reshard(len(m.shards) * 2)
	}
	return true
}

// swapHashed is setHashed that also returns the value it replaced.
func (m *smap[V]) swapHashed(key string, h uint64, v V) (old V, had bool) {
	i := m.shardOf(h)
	if s := m.shards[i]; s != nil {
		if old, had = s[key]; had {
			s[key] = v
			return old, true
		}
	}
	m.setIn(i, key, v)
	return old, false
}

// swap is set that also returns the value it replaced.
func (m *smap[V]) swap(key string, v V) (old V, had bool) {
	if m.shift >= 64 {
		return m.swapHashed(key, 0, v)
	}
	return m.swapHashed(key, m.hash(key), v)
}

// take deletes key and returns the value it had.
func (m *smap[V]) take(key string) (old V, had bool) {
	if m.n == 0 {
		return old, false
	}
	s := m.shards[m.shardFor(key)]
	if old, had = s[key]; had {
		delete(s, key)
		m.n--
	}
	return old, had
}

func (m *smap[V]) del(key string) bool {
	if m.n == 0 {
		return false
	}
	s := m.shards[m.shardFor(key)]
	before := len(s)
	delete(s, key)
	if len(s) == before {
		return false
	}
	m.n--
	return true
}

func (m *smap[V]) len() int { return m.n }

func (m *smap[V]) clear() {
	m.shards = []map[string]V{nil}
	m.shift = 64
	m.n = 0
	m.hint = 0
}

// reserve prepares an empty map for about n keys (a load that announced
// its size): the shards it will end with, each created at its final size
// when first used, so the load neither reshards nor grows a shard.
func (m *smap[V]) reserve(n int) {
	if m.n != 0 || n <= shardTarget {
		return
	}
	count := 1 << bits.Len(uint((n-1)/shardTarget))
	if count > len(m.shards) {
		m.shards = make([]map[string]V, count)
		m.shift = uint(64 - bits.TrailingZeros(uint(count)))
	}
	m.hint = min(n/len(m.shards)+1, shardTarget)
}

func (m *smap[V]) reshard(count int) {
	old := m.shards
	m.shards = make([]map[string]V, count)
	m.shift = uint(64 - bits.TrailingZeros(uint(count)))
	for _, s := range old {
		for k, v := range s {
			i := m.shardOf(m.hash(k))
			if m.shards[i] == nil {
				// sized for the half of an old shard each new one receives:
				// a larger hint leaves most slots of a fresh shard empty
				m.shards[i] = make(map[string]V, shardTarget/2)
			}
			m.shards[i][k] = v
		}
	}
}

// each calls fn for every entry until fn returns false.
func (m *smap[V]) each(fn func(k string, v V) bool) {
	for _, s := range m.shards {
		for k, v := range s {
			if !fn(k, v) {
				return
			}
		}
	}
}

// hashedKey is a key with its scan position.
type hashedKey struct {
	h uint64
	k string
}

// collectRange appends the keys whose hash lies in [lo, hi] (inclusive).
func (m *smap[V]) collectRange(dst []hashedKey, lo, hi uint64) []hashedKey {
	if m.n == 0 {
		return dst
	}
	first, last := m.shardOf(lo), m.shardOf(hi)
	for i := first; i <= last; i++ {
		for k := range m.shards[i] {
			if h := m.hash(k); h >= lo && h <= hi {
				dst = append(dst, hashedKey{h, k})
			}
		}
	}
	return dst
}

// keysAround yields the keys of the shards that hold the hashes [lo, hi]
// (keys outside the range too: the caller filters). The shards are taken
// when it starts, so a walk spread over several holds of the engine lock
// goes on through the maps it began with if the map reshards meanwhile
// (Go's map iteration tolerates changes between steps).
func (m *smap[V]) keysAround(lo, hi uint64) iter.Seq[string] {
	if m.n == 0 {
		return func(func(string) bool) {}
	}
	shards := m.shards[m.shardOf(lo) : m.shardOf(hi)+1]
	return func(yield func(string) bool) {
		for _, s := range shards {
			for k := range s {
				if !yield(k) {
					return
				}
			}
		}
	}
}

// scanStep returns about count keys from cursor on, gathered from all the
// maps given (which must share one seed), and the next cursor (0 when done).
func scanStep(cursor uint64, count int, collect func(dst []hashedKey, lo, hi uint64) []hashedKey, shardBits int) ([]string, uint64) {
	if count < 1 {
		count = 1
	}
	width := uint64(1) << (64 - uint(shardBits)) // size of one hash window
	if shardBits == 0 {
		width = 0 // whole space in one window
	}
	var found []hashedKey
	lo := cursor
	for {
		hi := ^uint64(0)
		if width != 0 {
			// end of the window that contains lo
			hi = lo | (width - 1)
		}
		found = collect(found, lo, hi)
		if len(found) >= count {
			slices.SortFunc(found, func(a, b hashedKey) int {
				switch {
				case a.h < b.h:
					return -1
				case a.h > b.h:
					return 1
				}
				return 0
			})
			// cut after count keys, keeping ties together
			end := count
			for end < len(found) && found[end].h == found[end-1].h {
				end++
			}
			next := found[end-1].h + 1 // 0 after the last possible hash: done
			keys := make([]string, end)
			for i := range keys {
				keys[i] = found[i].k
			}
			return keys, next
		}
		if hi == ^uint64(0) {
			keys := make([]string, len(found))
			for i := range found {
				keys[i] = found[i].k
			}
			return keys, 0
		}
		lo = hi + 1
	}
}

// shardBits is log2 of the number of shards.
func (m *smap[V]) shardBits() int { return 64 - int(m.shift) }
