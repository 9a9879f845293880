package stream

import (
	"errors"
	"sort"
)

// Entry flags, as stored in each entry's first element.
const (
	flagDeleted    = 1 << 0
	flagSameFields = 1 << 1
)

const (
	// listpackMaxSize caps a node's bytes (STREAM_LISTPACK_MAX_SIZE).
	listpackMaxSize = 1 << 30
	// maxPrealloc is what a new node reserves (STREAM_LISTPACK_MAX_PRE_ALLOCATE).
	maxPrealloc = 4096
)

// Errors of Append.
var (
	// ErrIDTooSmall: the ID is not greater than the stream's last ID.
	ErrIDTooSmall = errors.New("stream: ID equal or smaller than the top item")
	// ErrTooLarge: the fields and values exceed what a node can hold.
	ErrTooLarge = errors.New("stream: elements too large")
)

// node is one listpack of entries; master is its first entry's ID, the
// base the entries' IDs are delta-encoded against.
type node struct {
	master ID
	lp     []byte
}

// Stream is a stream value.
type Stream struct {
	nodes []*node
	// Length counts live entries.
	Length uint64
	// LastID is the largest ID ever added (or set by XSETID).
	LastID ID
	// FirstID is the first live entry's ID, 0-0 when empty.
	FirstID ID
	// MaxDeletedID is the largest ID deleted by XDEL (or XSETID).
	MaxDeletedID ID
	// EntriesAdded counts every entry ever added.
	EntriesAdded uint64
	groups       []*Group // sorted by name
	// nodeBytes is the running count of the nodes' memory (listpack
	// capacities and node headers), so Bytes costs O(groups).
	nodeBytes int64
}

// nodeOverhead is a node's header and its index slot.
const nodeOverhead = 48

// setLP replaces n's listpack, keeping nodeBytes in step.
func (s *Stream) setLP(n *node, lp []byte) {
	s.nodeBytes += int64(cap(lp)) - int64(cap(n.lp))
	n.lp = lp
}

// dropNodeBytes forgets a removed node's memory.
func (s *Stream) dropNodeBytes(n *node) { s.nodeBytes -= int64(cap(n.lp)) + nodeOverhead }

// New returns an empty stream.
func New() *Stream { return &Stream{} }

// NodeLimits are stream-node-max-bytes and stream-node-max-entries.
type NodeLimits struct {
	MaxBytes   int64
	MaxEntries int64
}

// Nodes is the number of listpack nodes (XINFO's radix-tree-keys).
func (s *Stream) Nodes() int { return len(s.nodes) }

// NextID is the ID XADD * would give at time nowMs (streamNextID).
func (s *Stream) NextID(nowMs uint64) ID {
	if nowMs > s.LastID.Ms {
		return ID{nowMs, 0}
	}
	id, _ := s.LastID.Incr()
	return id
}

// Append adds an entry (fields and values alternating in fv) with the
// given ID, which the caller resolved (NextID, or an explicit one). It is
// Redis's streamAppendItem: same node split rules, same layout.
func (s *Stream) Append(id ID, fv [][]byte, lim NodeLimits) error {
	if id.Compare(s.LastID) <= 0 {
		return ErrIDTooSmall
	}
	total := 0
	for _, e := range fv {
		total += len(e)
	}
	if total > listpackMaxSize {
		return ErrTooLarge
	}
	numFields := int64(len(fv) / 2)
	var tail *node
	if len(s.nodes) > 0 {
		tail = s.nodes[len(s.nodes)-1]
		maxBytes := lim.MaxBytes
		if maxBytes == 0 || maxBytes > listpackMaxSize {
			maxBytes = listpackMaxSize
		}
		full := false
		if int64(len(tail.lp)+total) >= maxBytes {
			full = true
		} else if lim.MaxEntries > 0 {
			p := lpFirst(tail.lp)
			count, _ := lpGetInt(tail.lp, p)
			deleted, _ := lpGetInt(tail.lp, lpNext(tail.lp, p))
			if count+deleted >= lim.MaxEntries {
				full = true
			}
		}
		if full {
			// A full node gives back its spare capacity, as Redis's
			// lpShrinkToFit.
			s.setLP(tail, append([]byte(nil), tail.lp...))
			tail = nil
		}
	}
	flags := int64(0)
	var lp []byte
	if tail == nil {
		prealloc := int64(maxPrealloc)
		if lim.MaxBytes > 0 && lim.MaxBytes < prealloc {
			prealloc = lim.MaxBytes
		}
		lp = lpNew(int(prealloc))
		lp = lpAppendInt(lp, 1)
		lp = lpAppendInt(lp, 0)
		lp = lpAppendInt(lp, numFields)
		for i := 0; i < len(fv); i += 2 {
			lp = lpAppendString(lp, fv[i])
		}
		lp = lpAppendInt(lp, 0)
		tail = &node{master: id}
		s.nodeBytes += nodeOverhead
		s.nodes = append(s.nodes, tail)
		flags |= flagSameFields
	} else {
		lp = tail.lp
		p := lpFirst(lp)
		count, _ := lpGetInt(lp, p)
		lp = lpReplaceInt(lp, p, count+1)
		p = lpNext(lp, p) // deleted
		p = lpNext(lp, p) // master fields count
		masterFields, _ := lpGetInt(lp, p)
		p = lpNext(lp, p)
		if numFields == masterFields {
			var buf [24]byte
			i := int64(0)
			for ; i < masterFields; i++ {
				if string(lpGetBytes(lp, p, buf[:])) != string(fv[i*2]) {
					break
				}
				p = lpNext(lp, p)
			}
			if i == masterFields {
				flags |= flagSameFields
			}
		}
	}
	master := tail.master
	lp = lpAppendInt(lp, flags)
	lp = lpAppendInt(lp, int64(id.Ms-master.Ms))
	lp = lpAppendInt(lp, int64(id.Seq-master.Seq))
	if flags&flagSameFields == 0 {
		lp = lpAppendInt(lp, numFields)
	}
	for i := 0; i < len(fv); i += 2 {
		if flags&flagSameFields == 0 {
			lp = lpAppendString(lp, fv[i])
		}
		lp = lpAppendString(lp, fv[i+1])
	}
	lpCountField := numFields + 3
	if flags&flagSameFields == 0 {
		lpCountField += numFields + 1
	}
	lp = lpAppendInt(lp, lpCountField)
	s.setLP(tail, lp)
	s.Length++
	s.EntriesAdded++
	s.LastID = id
	if s.Length == 1 {
		s.FirstID = id
	}
	return nil
}

// TrimStrategy is MAXLEN or MINID.
type TrimStrategy int

// Trim strategies.
const (
	TrimNone TrimStrategy = iota
	TrimMaxLen
	TrimMinID
)

// TrimArgs are XADD's and XTRIM's trimming options.
type TrimArgs struct {
	Strategy TrimStrategy
	MaxLen   int64
	MinID    ID
	Approx   bool
	// Limit caps the entries removed; 0 is unlimited.
	Limit int64
}

// masterInfo reads a node's header: live count, deleted count, master
// field count, and the offset of the first master field.
func masterInfo(lp []byte) (count, deleted, fields int64, fieldsAt int) {
	p := lpFirst(lp)
	count, _ = lpGetInt(lp, p)
	p = lpNext(lp, p)
	deleted, _ = lpGetInt(lp, p)
	p = lpNext(lp, p)
	fields, _ = lpGetInt(lp, p)
	return count, deleted, fields, lpNext(lp, p)
}

// Trim removes entries from the head as Redis's streamTrim does: whole
// nodes while it can; then, unless approximate, entries inside the next
// node are flagged deleted. It returns how many entries were removed.
func (s *Stream) Trim(a TrimArgs) int64 {
	if a.Strategy == TrimNone {
		return 0
	}
	var deleted int64
	for len(s.nodes) > 0 {
		if a.Strategy == TrimMaxLen && s.Length <= uint64(a.MaxLen) {
			break
		}
		n := s.nodes[0]
		entries, _, masterFields, fieldsAt := masterInfo(n.lp)
		if a.Limit != 0 && deleted+entries > a.Limit {
			break
		}
		var remove bool
		if a.Strategy == TrimMaxLen {
			remove = int64(s.Length)-entries >= a.MaxLen
		} else {
			last, _ := edgeID(n, false)
			remove = last.Less(a.MinID)
		}
		if remove {
			s.dropNodeBytes(n)
			s.nodes[0] = nil
			s.nodes = s.nodes[1:]
			s.Length -= uint64(entries)
			deleted += entries
			continue
		}
		if a.Approx {
			break
		}
		lp := n.lp
		var fromNode int64
		p := fieldsAt
		for range masterFields {
			p = lpNext(lp, p)
		}
		p = lpNext(lp, p) // past the master terminator
		for p >= 0 {
			flagsAt := p
			flags, _ := lpGetInt(lp, p)
			p = lpNext(lp, p)
			msDelta, _ := lpGetInt(lp, p)
			p = lpNext(lp, p)
			seqDelta, _ := lpGetInt(lp, p)
			p = lpNext(lp, p)
			var stop bool
			if a.Strategy == TrimMaxLen {
				stop = s.Length <= uint64(a.MaxLen)
			} else {
				cur := ID{n.master.Ms + uint64(msDelta), n.master.Seq + uint64(seqDelta)}
				stop = cur.Compare(a.MinID) >= 0
			}
			if stop {
				break
			}
			var skip int64
			if flags&flagSameFields != 0 {
				skip = masterFields
			} else {
				skip, _ = lpGetInt(lp, p)
				p = lpNext(lp, p)
				skip *= 2
			}
			for ; skip > 0; skip-- {
				p = lpNext(lp, p)
			}
			p = lpNext(lp, p) // past lp-count
			if flags&flagDeleted == 0 {
				before := len(lp)
				lp = lpReplaceInt(lp, flagsAt, flags|flagDeleted)
				if p >= 0 {
					p += len(lp) - before
				}
				fromNode++
				s.Length--
			}
		}
		deleted += fromNode
		p = lpFirst(lp)
		lp = lpReplaceInt(lp, p, entries-fromNode)
		p = lpNext(lp, p)
		marked, _ := lpGetInt(lp, p)
		lp = lpReplaceInt(lp, p, marked+fromNode)
		s.setLP(n, lp)
		break
	}
	if s.Length == 0 {
		s.FirstID = ID{}
	} else if deleted > 0 {
		s.FirstID = s.EdgeID(true, true)
	}
	return deleted
}

// edgeID is a node's first or last entry ID (tombstones included).
func edgeID(n *node, first bool) (ID, bool) {
	lp := n.lp
	var p int
	if first {
		_, _, fields, at := masterInfo(lp)
		p = at
		for range fields {
			p = lpNext(lp, p)
		}
		p = lpNext(lp, p)
		if p < 0 {
			return ID{}, false
		}
	} else {
		p = lpLast(lp)
		c, _ := lpGetInt(lp, p)
		if c == 0 {
			return ID{}, false
		}
		for ; c > 0; c-- {
			p = lpPrev(lp, p)
		}
	}
	p = lpNext(lp, p)
	ms, _ := lpGetInt(lp, p)
	p = lpNext(lp, p)
	seq, _ := lpGetInt(lp, p)
	return ID{n.master.Ms + uint64(ms), n.master.Seq + uint64(seq)}, true
}

// EdgeID is the first or last entry's ID; when there is none, the largest
// ID for first and 0-0 for last (streamGetEdgeID).
func (s *Stream) EdgeID(first, skipTombstones bool) ID {
	var it Iterator
	if first {
		it.Start(s, ID{}, MaxID, false)
	} else {
		it.Start(s, ID{}, MaxID, true)
	}
	it.IncludeTombstones = !skipTombstones
	id, _, ok := it.Next()
	if !ok {
		if first {
			return MaxID
		}
		return ID{}
	}
	return id
}

// LastValidID is the last live entry's ID (streamLastValidID).
func (s *Stream) LastValidID() (ID, bool) {
	var it Iterator
	it.Start(s, ID{}, MaxID, true)
	id, _, ok := it.Next()
	return id, ok
}

// Iterator walks entries between two IDs (inclusive), forwards or
// backwards, as Redis's streamIterator. The fields of the current entry are
// read with Field before the next call to Next.
type Iterator struct {
	s     *Stream
	start ID
	end   ID
	rev   bool
	// IncludeTombstones also returns entries flagged deleted.
	IncludeTombstones bool

	ni           int // index of the current node
	n            *node
	lp           []byte
	pos          int // -1: move to the next node
	masterFields int64
	masterStart  int
	masterPtr    int
	flags        int64
	flagsAt      int
	started      bool
	// fieldsLeft are the current entry's fields not read with Field:
	// Next skips them to reach the entry's lp-count.
	fieldsLeft int64
	buf        [2][24]byte
	// base is the offset of the current node's master terminator; resume
	// the position StartFrom begins at, last that of the entry returned
	// last (forwards).
	base   int
	resume Cursor
	last   Cursor
}

// Cursor remembers where an entry is: its node, and its offset past the
// node's master entry. A node's bytes past the master entry only ever
// grow at the end (Append) or have an entry's flags rewritten at the same
// size (XDEL, XTRIM), while its header may change size, so the offset
// stays right for as long as the node is in the stream. Streams never
// reuse a node: a cursor whose node is gone (trimmed, emptied, or the
// stream copied) is simply not found.
type Cursor struct {
	n   *node
	rel int
	id  ID
}

// StartFrom is Start forwards, from c onwards when c is an entry of the
// node holding start and not after start: it skips walking the node's
// entries before c. A consumer group remembers where its last delivery
// was (Group.ReadCursor), and its next read starts right after it.
func (it *Iterator) StartFrom(s *Stream, start, end ID, c Cursor) {
	it.Start(s, start, end, false)
	if c.n != nil && it.ni < len(s.nodes) && s.nodes[it.ni] == c.n && c.id.Compare(start) <= 0 {
		it.resume = c
	}
}

// Cursor is the position of the entry the iterator returned last, going
// forwards (the zero Cursor when none).
func (it *Iterator) Cursor() Cursor { return it.last }

// Start positions the iterator.
func (it *Iterator) Start(s *Stream, start, end ID, rev bool) {
	*it = Iterator{s: s, start: start, end: end, rev: rev, IncludeTombstones: it.IncludeTombstones}
	nodes := s.nodes
	// The node holding the seek key: the last whose master <= key.
	seek := func(key ID) int {
		i := sort.Search(len(nodes), func(i int) bool { return key.Less(nodes[i].master) })
		return i - 1
	}
	if !rev {
		it.ni = 0
		if !start.IsZero() {
			if i := seek(start); i >= 0 {
				it.ni = i
			}
		}
	} else {
		it.ni = len(nodes) - 1
		if !end.IsZero() {
			if i := seek(end); i >= 0 {
				it.ni = i
			}
		}
	}
	it.pos = -1
}

// Next returns the next entry's ID and its number of fields.
func (it *Iterator) Next() (ID, int64, bool) {
	if it.fieldsLeft > 0 {
		per := int64(2)
		if it.flags&flagSameFields != 0 {
			per = 1
		}
		for k := it.fieldsLeft * per; k > 0; k-- {
			it.pos = lpNext(it.lp, it.pos)
		}
		it.fieldsLeft = 0
	}
	for {
		if it.n == nil || it.pos < 0 {
			if it.started {
				if it.rev {
					it.ni--
				} else {
					it.ni++
				}
			}
			it.started = true
			if it.ni < 0 || it.ni >= len(it.s.nodes) {
				return ID{}, 0, false
			}
			it.n = it.s.nodes[it.ni]
			it.lp = it.n.lp
			_, _, it.masterFields, it.masterStart = masterInfo(it.lp)
			if !it.rev {
				p := it.masterStart
				for range it.masterFields {
					p = lpNext(it.lp, p)
				}
				it.pos = p // the master terminator
				it.base = p
				if it.resume.n == it.n {
					// Right before the remembered entry.
					it.pos = lpPrev(it.lp, p+it.resume.rel)
					it.resume = Cursor{}
				}
			} else {
				it.pos = lpLast(it.lp)
			}
		} else if it.rev {
			// Step back over the entry just returned.
			c, _ := lpGetInt(it.lp, it.pos)
			for ; c > 0; c-- {
				it.pos = lpPrev(it.lp, it.pos)
			}
			it.pos = lpPrev(it.lp, it.pos)
		}
		lp := it.lp
		for {
			if !it.rev {
				it.pos = lpNext(lp, it.pos)
				if it.pos < 0 {
					break
				}
			} else {
				c, _ := lpGetInt(lp, it.pos)
				if c == 0 {
					it.pos = -1
					break
				}
				for ; c > 0; c-- {
					it.pos = lpPrev(lp, it.pos)
				}
			}
			it.flagsAt = it.pos
			flags, _ := lpGetInt(lp, it.pos)
			it.pos = lpNext(lp, it.pos)
			ms, _ := lpGetInt(lp, it.pos)
			it.pos = lpNext(lp, it.pos)
			seq, _ := lpGetInt(lp, it.pos)
			it.pos = lpNext(lp, it.pos)
			id := ID{it.n.master.Ms + uint64(ms), it.n.master.Seq + uint64(seq)}
			var numFields int64
			if flags&flagSameFields != 0 {
				numFields = it.masterFields
			} else {
				numFields, _ = lpGetInt(lp, it.pos)
				it.pos = lpNext(lp, it.pos)
			}
			live := it.IncludeTombstones || flags&flagDeleted == 0
			if !it.rev {
				if id.Compare(it.start) >= 0 && live {
					if id.Compare(it.end) > 0 {
						return ID{}, 0, false
					}
					it.flags = flags
					it.masterPtr = it.masterStart
					it.fieldsLeft = numFields
					it.last = Cursor{n: it.n, rel: it.flagsAt - it.base, id: id}
					return id, numFields, true
				}
			} else {
				if id.Compare(it.end) <= 0 && live {
					if id.Less(it.start) {
						return ID{}, 0, false
					}
					it.flags = flags
					it.masterPtr = it.masterStart
					it.fieldsLeft = numFields
					return id, numFields, true
				}
			}
			if !it.rev {
				skip := numFields * 2
				if flags&flagSameFields != 0 {
					skip = numFields
				}
				for ; skip > 0; skip-- {
					it.pos = lpNext(lp, it.pos)
				}
			} else {
				back := 4
				if flags&flagSameFields == 0 {
					back++
				}
				for ; back > 0; back-- {
					it.pos = lpPrev(lp, it.pos)
				}
			}
		}
	}
}

// Field returns the current entry's next field and value. Integers are
// formatted into the iterator's buffers, so both are valid until the next
// call; strings alias the node.
func (it *Iterator) Field() (field, value []byte) {
	lp := it.lp
	if it.flags&flagSameFields != 0 {
		field = lpGetBytes(lp, it.masterPtr, it.buf[0][:])
		it.masterPtr = lpNext(lp, it.masterPtr)
	} else {
		field = lpGetBytes(lp, it.pos, it.buf[0][:])
		it.pos = lpNext(lp, it.pos)
	}
	value = lpGetBytes(lp, it.pos, it.buf[1][:])
	it.pos = lpNext(lp, it.pos)
	it.fieldsLeft--
	return field, value
}

// Deleted reports whether the current entry is a tombstone.
func (it *Iterator) Deleted() bool { return it.flags&flagDeleted != 0 }

// removeCurrent flags the current entry deleted (streamIteratorRemoveEntry)
// and drops its node when it was the node's last live entry.
func (it *Iterator) removeCurrent() {
	s := it.s
	n := it.n
	lp := lpReplaceInt(n.lp, it.flagsAt, it.flags|flagDeleted)
	p := lpFirst(lp)
	count, _ := lpGetInt(lp, p)
	if count == 1 {
		s.dropNodeBytes(n)
		s.nodes = append(s.nodes[:it.ni], s.nodes[it.ni+1:]...)
	} else {
		lp = lpReplaceInt(lp, p, count-1)
		p = lpNext(lp, p)
		del, _ := lpGetInt(lp, p)
		lp = lpReplaceInt(lp, p, del+1)
		s.setLP(n, lp)
	}
	s.Length--
}

// Delete removes the live entry id; reports whether it existed. It does
// not touch FirstID or MaxDeletedID (XDEL does).
func (s *Stream) Delete(id ID) bool {
	var it Iterator
	it.Start(s, id, id, false)
	if _, _, ok := it.Next(); ok {
		it.removeCurrent()
		return true
	}
	return false
}

// Exists reports whether id is a live entry.
func (s *Stream) Exists(id ID) bool {
	var it Iterator
	it.Start(s, id, id, false)
	_, _, ok := it.Next()
	return ok
}

// HasTombstones reports whether the range [start, end] may hold a deleted
// entry (streamRangeHasTombstones).
func (s *Stream) HasTombstones(start, end ID) bool {
	if s.Length == 0 || s.MaxDeletedID.IsZero() {
		return false
	}
	if s.FirstID.Compare(s.MaxDeletedID) > 0 {
		return false
	}
	return start.Compare(s.MaxDeletedID) <= 0 && s.MaxDeletedID.Compare(end) <= 0
}

// InvalidEntriesRead marks a group's entries-read counter as unknown.
const InvalidEntriesRead = -1

// EstimateDistance is streamEstimateDistanceFromFirstEverEntry: id's
// logical read counter, or InvalidEntriesRead.
func (s *Stream) EstimateDistance(id ID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	if s.Length == 0 && id.Compare(s.LastID) < 1 {
		return int64(s.EntriesAdded)
	}
	cmpLast := id.Compare(s.LastID)
	if cmpLast == 0 {
		return int64(s.EntriesAdded)
	} else if cmpLast > 0 {
		return InvalidEntriesRead
	}
	cmpFirst := id.Compare(s.FirstID)
	if s.MaxDeletedID.IsZero() || s.MaxDeletedID.Less(s.FirstID) {
		if cmpFirst < 0 {
			return int64(s.EntriesAdded - s.Length)
		} else if cmpFirst == 0 {
			return int64(s.EntriesAdded - s.Length + 1)
		}
	}
	return InvalidEntriesRead
}

// Lag is a group's lag, ok false when it cannot be known.
func (s *Stream) Lag(g *Group) (int64, bool) {
	if s.EntriesAdded == 0 {
		return 0, true
	}
	if g.EntriesRead != InvalidEntriesRead && !s.HasTombstones(g.LastID, MaxID) {
		return int64(s.EntriesAdded) - g.EntriesRead, true
	}
	read := s.EstimateDistance(g.LastID)
	if read != InvalidEntriesRead {
		return int64(s.EntriesAdded) - read, true
	}
	return 0, false
}

// Bytes estimates the stream's memory in O(groups): the nodes (a running
// count of their listpacks) plus the groups, their consumers and pending
// entries (each NACK is in the group's PEL and its consumer's).
func (s *Stream) Bytes() int64 {
	n := int64(64+8*cap(s.nodes)) + s.nodeBytes
	for _, g := range s.groups {
		n += 96 + int64(len(g.Name)) + int64(len(g.pel))*96 + g.consumerBytes
	}
	return n
}
