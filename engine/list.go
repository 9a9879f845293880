package engine

// list is the value of a Redis list. A short list is a ring buffer of
// strings; past listFlatMax elements it becomes a ring of fixed-size
// blocks (listBlocks), as Redis's quicklist is a list of bounded nodes, so
// a push never copies the elements already there (a flat buffer grown by
// half copied all of them, with a write barrier each while the GC runs).
// Either way pushing and popping at either end is O(1) amortized and every
// index is O(1), so LINDEX, LSET and LRANGE near either end cost no walk;
// inserting or removing in the middle moves the shorter side, as a
// quicklist touches only the nodes it must. The flat buffer is sized
// exactly for a multi-element push, grows by half when full and shrinks
// when three quarters are unused, so a short list costs little more than
// its strings.
type list struct {
	snapMark
	buf []string // the flat ring buffer, used while bl == nil
	// head is, flat, the index in buf of element 0; in blocks, the offset
	// of element 0 in the first block.
	head int
	n    int
	bl   *listBlocks
	// elemMem is the memory of the elements' bytes (memUsage).
	elemMem int64
}

const (
	listBlockShift = 7
	// listBlockLen elements (2 KB of string headers) make a block.
	listBlockLen  = 1 << listBlockShift
	listBlockMask = listBlockLen - 1
	// listFlatMax is the most a flat buffer holds. Up to there blocks
	// would cost more than the flat buffer's room to grow; past it they
	// cost less (at most two partly used blocks).
	listFlatMax = 4 * listBlockLen
)

type listBlock [listBlockLen]string

// listBlocks holds a long list: element i is at offset head+i of the
// concatenated blocks ring[first], ring[first+1], ... (modulo the ring's
// power-of-two length). Slots outside the elements hold "" so that no
// removed string stays reachable.
type listBlocks struct {
	ring  []*listBlock
	first int // ring index of the block holding element 0
	used  int // blocks in use
	// spare is one emptied block kept for the next one needed, so pushes
	// and pops that cross a block boundary back and forth don't allocate.
	spare *listBlock
}

// memUsage is the list's memory: the buffer or blocks and the elements.
func (l *list) memUsage() int64 { return 16*int64(l.slots()) + l.ringBytes() + l.elemMem }

// slots is the number of element slots allocated.
func (l *list) slots() int {
	if l.bl != nil {
		return listBlockLen * l.bl.used
	}
	return cap(l.buf)
}

// ringBytes is the block ring's memory.
func (l *list) ringBytes() int64 {
	if l.bl == nil {
		return 0
	}
	return 8 * int64(len(l.bl.ring))
}

// listMinCap is the first capacity: most lists are short.
const listMinCap = 4

func (l *list) typeName() string { return "list" }

// encoding is what OBJECT ENCODING reports. Redis 7.0 keeps every list in
// a quicklist (the listpack encoding for small lists came with 7.2), so
// 7.0 answers "quicklist" whatever the size.
func (l *list) encoding() string { return "quicklist" }

func (l *list) len() int { return l.n }

// slot maps a logical index (0 <= i < len(buf)) to a position in buf
// (flat only).
func (l *list) slot(i int) int {
	j := l.head + i
	if j >= len(l.buf) {
		j -= len(l.buf)
	}
	return j
}

// block is the k-th block in use.
func (b *listBlocks) block(k int) *listBlock { return b.ring[(b.first+k)&(len(b.ring)-1)] }

// ref is where element i (0 <= i < n, or the slot just past the elements
// that a push has made room for) is stored.
func (l *list) ref(i int) *string {
	if b := l.bl; b != nil {
		p := l.head + i
		return &b.block(p >> listBlockShift)[p&listBlockMask]
	}
	return &l.buf[l.slot(i)]
}

// at returns element i (0 <= i < n).
func (l *list) at(i int) string { return *l.ref(i) }

// set replaces element i (0 <= i < n).
func (l *list) set(i int, v string) {
	r := l.ref(i)
	l.elemMem += strMem(v) - strMem(*r)
	*r = v
}

// resize moves the elements to a new flat buffer of capacity c (>= n),
// with element 0 at position 0; a list in blocks becomes flat.
func (l *list) resize(c int) {
	nb := make([]string, c)
	if l.bl != nil {
		i := 0
		l.each(0, l.n-1, func(v string) { nb[i] = v; i++ })
		l.bl = nil
	} else if l.n > 0 {
		end := l.head + l.n
		if end <= len(l.buf) {
			copy(nb, l.buf[l.head:end])
		} else {
			k := copy(nb, l.buf[l.head:])
			copy(nb[k:], l.buf[:end-len(l.buf)])
		}
	}
	l.buf = nb
	l.head = 0
}

// toBlocks moves a flat list's elements into blocks.
func (l *list) toBlocks() {
	ring := 4
	for ring < l.n>>listBlockShift+2 {
		ring *= 2
	}
	b := &listBlocks{ring: make([]*listBlock, ring)}
	for k := 0; k<<listBlockShift < l.n; k++ {
		blk := new(listBlock)
		for j := range min(listBlockLen, l.n-k<<listBlockShift) {
			blk[j] = l.buf[l.slot(k<<listBlockShift+j)]
		}
		b.ring[k] = blk
		b.used++
	}
	l.buf, l.head, l.bl = nil, 0, b
}

// reserve makes room for n more elements at once (a push of n), so a
// short list built by one RPUSH has no unused slots. A list that would
// pass listFlatMax moves to blocks, which are added as pushes need them.
func (l *list) reserve(n int) {
	if l.bl != nil {
		return
	}
	need := l.n + n
	switch {
	case need <= len(l.buf):
	case need > listFlatMax:
		l.toBlocks()
	default:
		l.resize(min(listFlatMax, max(need, listMinCap, len(l.buf)+len(l.buf)/2)))
	}
}

// maybeShrink gives memory back when the buffer is at most a quarter
// full (after pops, LREM, a big LTRIM), keeping room to grow again; a
// list in blocks turns flat again at a quarter of listFlatMax.
func (l *list) maybeShrink() {
	if b := l.bl; b != nil {
		switch {
		case l.n <= listFlatMax/4:
			l.resize(max(listMinCap, 2*l.n))
		case len(b.ring) > 8 && b.used <= len(b.ring)/4:
			b.resizeRing(len(b.ring) / 2)
		}
		return
	}
	if c := len(l.buf); c > listMinCap && l.n <= c/4 {
		l.resize(max(listMinCap, 2*l.n))
	}
}

// resizeRing moves the blocks in use to a new ring of n slots.
func (b *listBlocks) resizeRing(n int) {
	nr := make([]*listBlock, n)
	for k := 0; k < b.used; k++ {
		nr[k] = b.block(k)
	}
	b.ring, b.first = nr, 0
}

func (b *listBlocks) newBlock() *listBlock {
	if s := b.spare; s != nil {
		b.spare = nil
		return s
	}
	return new(listBlock)
}

func (b *listBlocks) addBack() {
	if b.used == len(b.ring) {
		b.resizeRing(2 * len(b.ring))
	}
	b.ring[(b.first+b.used)&(len(b.ring)-1)] = b.newBlock()
	b.used++
}

func (b *listBlocks) addFront() {
	if b.used == len(b.ring) {
		b.resizeRing(2 * len(b.ring))
	}
	b.first = (b.first - 1) & (len(b.ring) - 1)
	b.ring[b.first] = b.newBlock()
	b.used++
}

// dropFront and dropBack release the first or last block, whose slots
// must all be "".
func (b *listBlocks) dropFront() {
	b.spare, b.ring[b.first] = b.ring[b.first], nil
	b.first = (b.first + 1) & (len(b.ring) - 1)
	b.used--
}

func (b *listBlocks) dropBack() {
	i := (b.first + b.used - 1) & (len(b.ring) - 1)
	b.spare, b.ring[i] = b.ring[i], nil
	b.used--
}

func (l *list) pushBack(v string) {
	if l.bl == nil && l.n == len(l.buf) {
		l.reserve(1)
	}
	if b := l.bl; b != nil {
		p := l.head + l.n
		if p>>listBlockShift == b.used {
			b.addBack()
		}
		b.block(p >> listBlockShift)[p&listBlockMask] = v
	} else {
		l.buf[l.slot(l.n)] = v
	}
	l.n++
	l.elemMem += strMem(v)
}

func (l *list) pushFront(v string) {
	if l.bl == nil && l.n == len(l.buf) {
		l.reserve(1)
	}
	if b := l.bl; b != nil {
		if l.head == 0 {
			b.addFront()
			l.head = listBlockLen
		}
		l.head--
		b.ring[b.first][l.head] = v
	} else {
		l.head--
		if l.head < 0 {
			l.head += len(l.buf)
		}
		l.buf[l.head] = v
	}
	l.n++
	l.elemMem += strMem(v)
}

// push adds v at the head (left) or the tail.
func (l *list) push(v string, left bool) {
	if left {
		l.pushFront(v)
	} else {
		l.pushBack(v)
	}
}

// cutFront drops the first k elements (0 <= k <= n), clearing their
// slots; the caller accounts for their memory.
func (l *list) cutFront(k int) {
	for j := 0; j < k; j++ {
		*l.ref(j) = ""
	}
	if b := l.bl; b != nil {
		l.head += k
		for l.head >= listBlockLen {
			b.dropFront()
			l.head -= listBlockLen
		}
	} else if k > 0 {
		l.head = l.slot(k)
	}
	l.n -= k
}

// cutBack drops the last k elements (0 <= k <= n), clearing their slots;
// the caller accounts for their memory.
func (l *list) cutBack(k int) {
	for j := l.n - k; j < l.n; j++ {
		*l.ref(j) = ""
	}
	l.n -= k
	if b := l.bl; b != nil {
		for need := (l.head + l.n + listBlockMask) >> listBlockShift; b.used > need; {
			b.dropBack()
		}
	}
}

// popFront removes and returns element 0; the list must not be empty.
func (l *list) popFront() string {
	v := l.at(0)
	l.elemMem -= strMem(v)
	l.cutFront(1)
	l.maybeShrink()
	return v
}

// popBack removes and returns the last element; the list must not be empty.
func (l *list) popBack() string {
	v := l.at(l.n - 1)
	l.elemMem -= strMem(v)
	l.cutBack(1)
	l.maybeShrink()
	return v
}

// pop removes an element from the head (left) or the tail.
func (l *list) pop(left bool) string {
	if left {
		return l.popFront()
	}
	return l.popBack()
}

// insert puts v before element i (0 <= i <= n), moving the shorter side:
// the end element is pushed again, which makes the room, and the elements
// between it and i move one place.
func (l *list) insert(i int, v string) {
	switch {
	case i == 0:
		l.pushFront(v)
		return
	case i == l.n:
		l.pushBack(v)
		return
	}
	if i < l.n/2 {
		e := l.at(0)
		l.pushFront(e)
		for j := 1; j < i; j++ {
			*l.ref(j) = *l.ref(j + 1)
		}
		l.elemMem -= strMem(e)
	} else {
		e := l.at(l.n - 1)
		l.pushBack(e)
		for j := l.n - 2; j > i; j-- {
			*l.ref(j) = *l.ref(j - 1)
		}
		l.elemMem -= strMem(e)
	}
	*l.ref(i) = v
	l.elemMem += strMem(v)
}

// removeAt deletes element i (0 <= i < n), moving the shorter side.
func (l *list) removeAt(i int) {
	l.elemMem -= strMem(l.at(i))
	if i < l.n/2 {
		for j := i; j > 0; j-- {
			*l.ref(j) = *l.ref(j - 1)
		}
		l.cutFront(1)
	} else {
		for j := i; j < l.n-1; j++ {
			*l.ref(j) = *l.ref(j + 1)
		}
		l.cutBack(1)
	}
	l.maybeShrink()
}

// index finds the first element equal to v from position from on, or -1.
func (l *list) index(v string, from int) int {
	for i := from; i < l.n; i++ {
		if l.at(i) == v {
			return i
		}
	}
	return -1
}

// remove deletes up to limit elements equal to v (all when limit is 0),
// scanning from the head, or from the tail when fromTail; it returns how
// many went. One pass compacts the survivors in place.
func (l *list) remove(v string, limit int, fromTail bool) int {
	removed := 0
	if !fromTail {
		w := 0
		for r := 0; r < l.n; r++ {
			e := l.at(r)
			if e == v && (limit == 0 || removed < limit) {
				removed++
				continue
			}
			if w != r {
				*l.ref(w) = e
			}
			w++
		}
		l.cutBack(removed)
	} else {
		w := l.n - 1
		for r := l.n - 1; r >= 0; r-- {
			e := l.at(r)
			if e == v && (limit == 0 || removed < limit) {
				removed++
				continue
			}
			if w != r {
				*l.ref(w) = e
			}
			w--
		}
		l.cutFront(removed)
	}
	if removed > 0 {
		l.elemMem -= int64(removed) * strMem(v)
		l.maybeShrink()
	}
	return removed
}

// trim keeps elements start..stop (inclusive, 0 <= start <= stop < n), or
// empties the list when start > stop.
func (l *list) trim(start, stop int) {
	if start > stop {
		start, stop = l.n, l.n-1
	}
	for j := 0; j < start; j++ {
		l.elemMem -= strMem(l.at(j))
	}
	for j := stop + 1; j < l.n; j++ {
		l.elemMem -= strMem(l.at(j))
	}
	l.cutBack(l.n - 1 - stop)
	l.cutFront(start)
	if l.n == 0 {
		l.buf, l.head, l.bl = nil, 0, nil
		return
	}
	l.maybeShrink()
}

// each calls fn for elements start..stop (inclusive, in range), a block
// or a run of the ring buffer at a time.
func (l *list) each(start, stop int, fn func(v string)) {
	for i := start; i <= stop; {
		var run []string
		if b := l.bl; b != nil {
			p := l.head + i
			o := p & listBlockMask
			run = b.block(p >> listBlockShift)[o:min(listBlockLen, o+stop-i+1)]
		} else {
			j := l.slot(i)
			run = l.buf[j:min(len(l.buf), j+stop-i+1)]
		}
		for _, v := range run {
			fn(v)
		}
		i += len(run)
	}
}

// copyObject returns an independent copy, for COPY.
func (l *list) copyObject() object {
	c := &list{}
	if l.n <= listFlatMax {
		c.buf = make([]string, max(l.n, listMinCap))
	}
	c.reserve(l.n)
	l.each(0, l.n-1, c.pushBack)
	return c
}

// approxBytes estimates the memory the list holds (MEMORY USAGE, sandbox
// limits): the slots' string headers, the block ring and the strings'
// bytes.
func (l *list) approxBytes() int64 {
	n := int64(48+16*l.slots()) + l.ringBytes()
	l.each(0, l.n-1, func(v string) { n += int64(len(v)) })
	return n
}
