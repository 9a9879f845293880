package stream

import (
	"encoding/binary"
	"errors"
	"sort"
)

// ErrCorrupt is a node that is not a valid stream listpack.
var ErrCorrupt = errors.New("stream: corrupt listpack node")

// EachNode calls fn with every node's master ID and listpack, in order
// (the RDB format writes them as they are). fn must not keep or change lp.
func (s *Stream) EachNode(fn func(master ID, lp []byte)) {
	for _, n := range s.nodes {
		fn(n.master, n.lp)
	}
}

// AddNode inserts a node read from a file or a DUMP payload after checking
// it as Redis's streamValidateListpackIntegrity does (deeply). The caller
// sets the counters afterwards.
func (s *Stream) AddNode(master ID, lp []byte) error {
	if err := validateNode(lp); err != nil {
		return err
	}
	if lpFirst(lp) < 0 {
		return ErrCorrupt
	}
	i := sort.Search(len(s.nodes), func(i int) bool { return master.Compare(s.nodes[i].master) <= 0 })
	if i < len(s.nodes) && s.nodes[i].master == master {
		return ErrCorrupt
	}
	s.nodes = append(s.nodes, nil)
	copy(s.nodes[i+1:], s.nodes[i:])
	s.nodes[i] = &node{master: master, lp: lp}
	s.nodeBytes += int64(cap(lp)) + nodeOverhead
	return nil
}

// validElement checks the element at p lies inside lp and returns the
// next element's offset (-1 at the terminator).
func validElement(lp []byte, p int) (int, bool) {
	end := len(lp) - 1 // the terminator
	if p >= end {
		return 0, false
	}
	c := lp[p]
	need := 1
	switch {
	case c >= 0x80 && c < 0xc0, c < 0x80:
	case c < 0xe0, c < 0xf0:
		need = 2
	case c == 0xf0, c == 0xf3:
		need = 5
	case c == 0xf1:
		need = 3
	case c == 0xf2:
		need = 4
	case c == 0xf4:
		need = 9
	default:
		return 0, false
	}
	if p+need > end {
		return 0, false
	}
	n := lpEncodedSize(lp, p)
	if n < 0 || p+n > end {
		return 0, false
	}
	bl := backlenSize(n)
	if p+n+bl > end {
		return 0, false
	}
	// The backlen must say the element's size.
	var tmp [5]byte
	if string(appendBacklen(tmp[:0], n)) != string(lp[p+n:p+n+bl]) {
		return 0, false
	}
	next := p + n + bl
	if next == end {
		return -1, true
	}
	return next, true
}

// validateNode checks a listpack's framing and the stream entry layout.
func validateNode(lp []byte) error {
	if len(lp) < lpHeaderSize+1 || int(binary.LittleEndian.Uint32(lp)) != len(lp) || lp[len(lp)-1] != lpEOF {
		return ErrCorrupt
	}
	// Walk every element once, checking bounds, and count them.
	var offsets []int
	p := lpHeaderSize
	if lp[p] != lpEOF {
		for p >= 0 {
			offsets = append(offsets, p)
			next, ok := validElement(lp, p)
			if !ok {
				return ErrCorrupt
			}
			p = next
		}
	}
	if c := lpCount(lp); c != lpCountUnknown && c != len(offsets) {
		return ErrCorrupt
	}
	k := 0
	nextInt := func() (int64, bool) {
		if k >= len(offsets) {
			return 0, false
		}
		v, ok := lpGetInt(lp, offsets[k])
		k++
		return v, ok
	}
	skip := func(n int64) bool {
		if n < 0 || int64(len(offsets)-k) < n {
			return false
		}
		k += int(n)
		return true
	}
	count, ok1 := nextInt()
	deleted, ok2 := nextInt()
	masterFields, ok3 := nextInt()
	if !ok1 || !ok2 || !ok3 || !skip(masterFields) {
		return ErrCorrupt
	}
	if zero, ok := nextInt(); !ok || zero != 0 {
		return ErrCorrupt
	}
	total := count + deleted
	if count < 0 || deleted < 0 || total < 0 {
		return ErrCorrupt
	}
	for ; total > 0; total-- {
		flags, ok := nextInt()
		if !ok {
			return ErrCorrupt
		}
		if _, ok := nextInt(); !ok {
			return ErrCorrupt
		}
		if _, ok := nextInt(); !ok {
			return ErrCorrupt
		}
		fields, extra := masterFields, int64(3)
		if flags&flagSameFields == 0 {
			f, ok := nextInt()
			if !ok || !skip(f) {
				return ErrCorrupt
			}
			fields = f
			extra += f + 1
		}
		if !skip(fields) {
			return ErrCorrupt
		}
		lc, ok := nextInt()
		if !ok || lc != fields+extra {
			return ErrCorrupt
		}
	}
	if k != len(offsets) {
		return ErrCorrupt
	}
	return nil
}

// Check verifies what a loaded stream's counters claim against its nodes:
// Redis's loader trusts them, but a hostile payload must not leave a stream
// whose commands would misbehave. It recounts live entries and checks the
// node order and the last ID.
func (s *Stream) Check() error {
	var live uint64
	var prev ID
	seen := false
	for _, n := range s.nodes {
		count, _, _, _ := masterInfo(n.lp)
		var it Iterator
		it.IncludeTombstones = true
		first, ok := edgeID(n, true)
		if !ok || first.Less(n.master) {
			return ErrCorrupt
		}
		it.s = &Stream{nodes: []*node{n}}
		it.Start(it.s, ID{}, MaxID, false)
		it.IncludeTombstones = true
		var c int64
		for {
			id, _, ok := it.Next()
			if !ok {
				break
			}
			if seen && id.Compare(prev) <= 0 {
				return ErrCorrupt
			}
			prev, seen = id, true
			if !it.Deleted() {
				c++
			}
		}
		if c != count {
			return ErrCorrupt
		}
		live += uint64(c)
	}
	if live != s.Length {
		return ErrCorrupt
	}
	if len(s.nodes) > 0 && s.LastID.Less(prev) {
		return ErrCorrupt
	}
	return nil
}

// RadixNodes is the number of nodes Redis's radix tree would have for the
// node keys (XINFO STREAM's radix-tree-nodes): the nodes of the compressed
// trie of the 16-byte big-endian master IDs, counted as rax lays it out
// (one node per compressed run or branch point, plus a leaf per key).
func (s *Stream) RadixNodes() int {
	if len(s.nodes) == 0 {
		return 1
	}
	keys := make([][16]byte, len(s.nodes))
	for i, n := range s.nodes {
		keys[i] = n.master.Key()
	}
	return raxCount(keys, 0)
}

// raxCount counts the nodes of the subtree for keys (sorted, distinct, all
// sharing their first depth bytes).
func raxCount(keys [][16]byte, depth int) int {
	if depth == 16 {
		return 1 // the key's leaf
	}
	if len(keys) == 1 {
		return 2 // one compressed run to the end, then the leaf
	}
	first, last := keys[0], keys[len(keys)-1]
	c := 0
	for depth+c < 16 && first[depth+c] == last[depth+c] {
		c++
	}
	if c > 0 {
		return 1 + raxCount(keys, depth+c)
	}
	n := 1
	for i := 0; i < len(keys); {
		j := i
		for j < len(keys) && keys[j][depth] == keys[i][depth] {
			j++
		}
		n += raxCount(keys[i:j], depth+1)
		i = j
	}
	return n
}
