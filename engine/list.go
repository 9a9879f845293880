package engine

// list is the value of a Redis list: a ring buffer of strings. Pushing and
// popping at either end is O(1) amortized and every index is O(1), so
// LINDEX, LSET and LRANGE near either end cost no walk at all; inserting or
// removing in the middle moves the shorter side, as a quicklist touches
// only the nodes it must. The buffer is sized exactly for a multi-element
// push, grows by half when full and shrinks when three quarters are unused,
// so a short list costs little more than its strings.
type list struct {
	snapMark
	buf  []string
	head int // index in buf of element 0
	n    int
	// elemMem is the memory of the elements' bytes (memUsage).
	elemMem int64
}

// memUsage is the list's memory: the ring buffer and the elements.
func (l *list) memUsage() int64 { return 16*int64(cap(l.buf)) + l.elemMem }

// listMinCap is the first capacity: most lists are short.
const listMinCap = 4

func (l *list) typeName() string { return "list" }

// encoding is what OBJECT ENCODING reports. Redis 7.0 keeps every list in
// a quicklist (the listpack encoding for small lists came with 7.2), so
// 7.0 answers "quicklist" whatever the size.
func (l *list) encoding() string { return "quicklist" }

func (l *list) len() int { return l.n }

// slot maps a logical index (0 <= i < len(buf)) to a position in buf.
func (l *list) slot(i int) int {
	j := l.head + i
	if j >= len(l.buf) {
		j -= len(l.buf)
	}
	return j
}

// at returns element i (0 <= i < n).
func (l *list) at(i int) string { return l.buf[l.slot(i)] }

// set replaces element i (0 <= i < n).
func (l *list) set(i int, v string) {
	j := l.slot(i)
	l.elemMem += strMem(v) - strMem(l.buf[j])
	l.buf[j] = v
}

// resize moves the elements to a new buffer of capacity c (>= n), with
// element 0 at position 0.
func (l *list) resize(c int) {
	nb := make([]string, c)
	if l.n > 0 {
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

func (l *list) grow() {
	if l.n < len(l.buf) {
		return
	}
	l.resize(max(listMinCap, len(l.buf)+len(l.buf)/2))
}

// reserve makes room for n more elements at once (a push of n), so a
// list built by one RPUSH has no unused slots.
func (l *list) reserve(n int) {
	if need := l.n + n; need > len(l.buf) {
		l.resize(max(need, len(l.buf)+len(l.buf)/2))
	}
}

// maybeShrink gives memory back when the buffer is at most a quarter
// full (after pops, LREM, a big LTRIM), keeping room to grow again.
func (l *list) maybeShrink() {
	if c := len(l.buf); c > listMinCap && l.n <= c/4 {
		l.resize(max(listMinCap, 2*l.n))
	}
}

func (l *list) pushBack(v string) {
	l.grow()
	l.buf[l.slot(l.n)] = v
	l.n++
	l.elemMem += strMem(v)
}

func (l *list) pushFront(v string) {
	l.grow()
	l.head--
	if l.head < 0 {
		l.head += len(l.buf)
	}
	l.buf[l.head] = v
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

// popFront removes and returns element 0; the list must not be empty.
func (l *list) popFront() string {
	v := l.buf[l.head]
	l.elemMem -= strMem(v)
	l.buf[l.head] = "" // let the string be collected
	l.head = l.slot(1)
	l.n--
	l.maybeShrink()
	return v
}

// popBack removes and returns the last element; the list must not be empty.
func (l *list) popBack() string {
	i := l.slot(l.n - 1)
	v := l.buf[i]
	l.elemMem -= strMem(v)
	l.buf[i] = ""
	l.n--
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

// insert puts v before element i (0 <= i <= n), moving the shorter side.
func (l *list) insert(i int, v string) {
	switch {
	case i == 0:
		l.pushFront(v)
		return
	case i == l.n:
		l.pushBack(v)
		return
	}
	l.grow()
	if i < l.n/2 {
		// shift elements 0..i-1 one place to the left
		l.head--
		if l.head < 0 {
			l.head += len(l.buf)
		}
		for j := 0; j < i; j++ {
			l.buf[l.slot(j)] = l.buf[l.slot(j+1)]
		}
	} else {
		// shift elements i..n-1 one place to the right
		for j := l.n; j > i; j-- {
			l.buf[l.slot(j)] = l.buf[l.slot(j-1)]
		}
	}
	l.buf[l.slot(i)] = v
	l.n++
	l.elemMem += strMem(v)
}

// removeAt deletes element i (0 <= i < n), moving the shorter side.
func (l *list) removeAt(i int) {
	l.elemMem -= strMem(l.at(i))
	if i < l.n/2 {
		for j := i; j > 0; j-- {
			l.buf[l.slot(j)] = l.buf[l.slot(j-1)]
		}
		l.buf[l.head] = ""
		l.head = l.slot(1)
	} else {
		for j := i; j < l.n-1; j++ {
			l.buf[l.slot(j)] = l.buf[l.slot(j+1)]
		}
		l.buf[l.slot(l.n-1)] = ""
	}
	l.n--
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
				l.buf[l.slot(w)] = e
			}
			w++
		}
		for j := w; j < l.n; j++ {
			l.buf[l.slot(j)] = ""
		}
		l.n = w
	} else {
		w := l.n - 1
		for r := l.n - 1; r >= 0; r-- {
			e := l.at(r)
			if e == v && (limit == 0 || removed < limit) {
				removed++
				continue
			}
			if w != r {
				l.buf[l.slot(w)] = e
			}
			w--
		}
		for j := 0; j <= w; j++ {
			l.buf[l.slot(j)] = ""
		}
		if removed > 0 {
			l.head = l.slot(removed)
		}
		l.n -= removed
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
		l.set(j, "")
	}
	for j := max(stop+1, start); j < l.n; j++ {
		l.set(j, "")
	}
	if l.n > 0 {
		l.head = l.slot(start)
	}
	l.n = stop - start + 1
	if l.n == 0 {
		l.buf, l.head = nil, 0
		return
	}
	l.maybeShrink()
}

// each calls fn for elements start..stop (inclusive, in range).
func (l *list) each(start, stop int, fn func(v string)) {
	for i := start; i <= stop; i++ {
		fn(l.at(i))
	}
}

// copyObject returns an independent copy, for COPY.
func (l *list) copyObject() object {
	c := &list{buf: make([]string, max(l.n, listMinCap)), n: l.n, elemMem: l.elemMem}
	for i := 0; i < l.n; i++ {
		c.buf[i] = l.at(i)
	}
	return c
}

// approxBytes estimates the memory the list holds (MEMORY USAGE, sandbox
// limits): the ring buffer's string headers and the strings' bytes.
func (l *list) approxBytes() int64 {
	n := int64(48 + 16*len(l.buf))
	for i := 0; i < l.n; i++ {
		n += int64(len(l.buf[l.slot(i)]))
	}
	return n
}
