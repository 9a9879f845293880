package engine

import "unsafe"

// A session's pending replies are kept as Redis keeps them: a buffer the
// handlers append to (Writer.buf, Redis's fixed 16 KB c->buf and the tail
// of its reply list) and a queue of sealed blocks the host writes from,
// oldest first. Sealed blocks never change, so the host writes them
// without holding any lock while commands append after them.
//
// A large stored string is queued by reference instead of being copied
// (Writer.BulkValue): a client that pipelines GETs of a 1 MB value without
// reading holds a few bytes per reply, not a copy of the value each time.
// Output limits and CLIENT LIST count such a reply at its full size, as
// Redis does, since that is what the client is owed.

const (
	// replyChunkBytes is Redis's PROTO_REPLY_CHUNK_BYTES: the size of the
	// fixed per-client reply buffer and of each reply-list block.
	replyChunkBytes = 16 * 1024
	// shareMinBytes: stored strings at least this long are queued by
	// reference; shorter ones are cheaper to copy.
	shareMinBytes = 16 * 1024
	// maxRecycledBuffer: written buffers are kept for the next replies up
	// to this many bytes of capacity in all; the rest go back to the
	// allocator. A pipeline's worth of blocks then costs the collector
	// nothing batch after batch (Redis's allocator keeps freed blocks the
	// same way); the clients cron drops them once the client is idle
	// (dropIdleSpares).
	maxRecycledBuffer = 128 * 1024
)

// outBlock is one sealed piece of output.
type outBlock struct {
	b []byte
	// owned: b is a whole buffer of the writer's, reusable once written.
	// Otherwise it is a shared value or a part of a buffer still in use.
	owned bool
	// value: b is a stored value queued by reference (Redis would give it
	// a reply block of its own).
	value bool
}

// outQueue holds the sealed blocks not yet written.
type outQueue struct {
	blocks []outBlock // blocks[head:] are pending, oldest first
	head   int
	sent   int   // bytes of blocks[head] already written
	bytes  int64 // pending bytes in the blocks (not counting sent)
	// spares are written buffers kept for reuse (emptied), spareCap their
	// capacity in all, at most maxRecycledBuffer.
	spares   [][]byte
	spareCap int
	// values and valueBytes count the pending value blocks and their
	// bytes, for the reply-block accounting (Writer.replyList).
	values, valueBytes int64
}

// seal moves the writer's buffer to the queue. Unless bufShared says buf
// shares its array with blocks sealed before, the block is recycled once
// written.
func (w *Writer) seal() {
	if len(w.buf) == 0 {
		return
	}
	q := &w.q
	n := len(w.buf)
	if w.bufShared {
		// Commands go on appending after these bytes, in the same array.
		q.blocks = append(q.blocks, outBlock{b: w.buf[:n:n]})
		w.buf = w.buf[n:]
	} else {
		q.blocks = append(q.blocks, outBlock{b: w.buf, owned: true})
		w.buf = q.takeSpare()
	}
	w.bufShared = false
	q.bytes += int64(n)
	w.sealed += int64(n)
}

// BulkValue writes a bulk string holding a stored string value. Long
// values are queued by reference, not copied: v must never change, which
// holds for the keyspace's string values once their in-place writes are
// ended (Session.bulkValue, strbuf.go), not for views of request buffers
// or of collection encodings.
func (w *Writer) BulkValue(v string) {
	if len(v) < shareMinBytes {
		w.BulkString(v)
		return
	}
	w.header('$', len(v))
	n := len(w.buf)
	q := &w.q
	// The header ends the current block, and the value is a block of its
	// own; the writer goes on after the header in the same array.
	q.blocks = append(q.blocks, outBlock{b: w.buf[:n:n]}, outBlock{b: unsafe.Slice(unsafe.StringData(v), len(v)), value: true})
	w.buf = w.buf[n:]
	w.bufShared = true
	q.values++
	q.valueBytes += int64(len(v))
	q.bytes += int64(n + len(v))
	w.sealed += int64(n + len(v))
	w.buf = append(w.buf, '\r', '\n')
}

// RawBlock queues b, which the caller gives up, as output of its own
// without copying it (a full sync's payload, written in large chunks).
func (w *Writer) RawBlock(b []byte) {
	if len(b) < replyChunkBytes {
		w.Raw(b)
		return
	}
	w.seal()
	q := &w.q
	q.blocks = append(q.blocks, outBlock{b: b})
	q.bytes += int64(len(b))
	w.sealed += int64(len(b))
}

// rollover seals the buffer once it holds a reply block's worth, so a
// client that does not read holds its output in blocks of bounded size
// rather than in one buffer that doubles (and is copied) as it grows.
func (w *Writer) rollover() {
	if len(w.buf) < replyChunkBytes {
		return
	}
	w.seal()
	if w.buf == nil {
		w.buf = make([]byte, 0, replyChunkBytes)
	}
}

// takeSpare returns a recycled buffer, emptied, or nil.
func (q *outQueue) takeSpare() []byte {
	n := len(q.spares)
	if n == 0 {
		return nil
	}
	b := q.spares[n-1]
	q.spares[n-1] = nil
	q.spares = q.spares[:n-1]
	q.spareCap -= cap(b)
	return b[:0]
}

// dropSpares lets the recycled buffers go.
func (q *outQueue) dropSpares() {
	clear(q.spares)
	q.spares, q.spareCap = nil, 0
}

// keepSpare keeps a written buffer for reuse if there is room.
func (q *outQueue) keepSpare(b []byte) {
	if q.spareCap+cap(b) > maxRecycledBuffer {
		return
	}
	q.spares = append(q.spares, b[:0])
	q.spareCap += cap(b)
}

// reserve makes room for n more bytes of output. When they would overflow
// a buffer already half a reply block full, the buffer is sealed first and
// a new block started: output that keeps growing (a subscriber that does
// not read) then costs one copy of its bytes, not a copy into an array of
// twice the size each time append outgrows one. Only between commands of
// the session: CLIENT REPLY works on positions in the buffer of the running
// command.
func (w *Writer) reserve(n int) {
	if len(w.buf)+n <= cap(w.buf) || len(w.buf) < replyChunkBytes/2 {
		return
	}
	w.seal()
	if cap(w.buf) < n {
		w.buf = make([]byte, 0, max(n, replyChunkBytes))
	}
}

// pending is the number of reply bytes not yet written to the client.
func (w *Writer) pending() int64 { return w.q.bytes + int64(len(w.buf)) }

// mark is the position of the next reply byte in the session's output
// stream; truncate drops what was written after a mark (CLIENT REPLY OFF
// and SKIP). Only bytes written by the running command may be dropped.
func (w *Writer) mark() int64 { return w.sealed + int64(len(w.buf)) }

func (w *Writer) truncate(mark int64) {
	for mark < w.sealed {
		// Blocks sealed by the running command are not the host's yet.
		q := &w.q
		last := q.blocks[len(q.blocks)-1]
		q.blocks[len(q.blocks)-1] = outBlock{}
		q.blocks = q.blocks[:len(q.blocks)-1]
		q.bytes -= int64(len(last.b))
		w.sealed -= int64(len(last.b))
		if last.value {
			q.values--
			q.valueBytes -= int64(len(last.b))
		}
		if w.sealed < mark {
			// The mark falls inside it: keep its head as the buffer.
			// Capped, so the next append copies it out: the array may be a
			// shared value or still hold other blocks.
			k := mark - w.sealed
			w.buf = last.b[:k:k]
			w.bufShared = true
			return
		}
		w.buf = w.buf[:0]
	}
	w.buf = w.buf[:mark-w.sealed]
}

// byteAt returns the output byte at position mark (see mark), which the
// running command wrote; 0 when there is none.
func (w *Writer) byteAt(mark int64) byte {
	if mark >= w.sealed {
		if i := mark - w.sealed; i < int64(len(w.buf)) {
			return w.buf[i]
		}
		return 0
	}
	pos := w.sealed
	for i := len(w.q.blocks) - 1; i >= w.q.head; i-- {
		b := w.q.blocks[i].b
		pos -= int64(len(b))
		if mark >= pos {
			return b[mark-pos]
		}
	}
	return 0
}

// dropOutput frees every pending reply: the client is being closed
// without them.
func (w *Writer) dropOutput() {
	q := &w.q
	clear(q.blocks)
	q.blocks, q.head, q.sent, q.bytes = q.blocks[:0], 0, 0, 0
	q.values, q.valueBytes = 0, 0
	q.dropSpares()
	w.sealed += int64(len(w.buf))
	w.buf, w.bufShared = nil, false
}

// Output appends to iov the client's pending output, oldest first, as
// slices the host writes without holding any lock: they stay valid and
// unchanged until the host reports them written with Consumed, while
// commands and pushes go on adding output after them. At most maxBytes
// are returned (at least one block's worth when there is output), and at
// most cap(iov)-len(iov) slices when iov has room for any.
func (s *Session) Output(iov [][]byte, maxBytes int) [][]byte {
	s.e.syncBeforeReply()
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.noteMemory()
	w := &s.w
	w.seal()
	q := &w.q
	total := 0
	limit := cap(iov)
	for i := q.head; i < len(q.blocks); i++ {
		if total >= maxBytes || (limit > 0 && len(iov) == limit) {
			break
		}
		b := q.blocks[i].b
		if i == q.head {
			b = b[q.sent:]
		}
		iov = append(iov, b)
		total += len(b)
	}
	return iov
}

// Consumed reports that n bytes of the output Output returned were written.
// Written buffers are freed, or kept for the next replies (keepSpare).
func (s *Session) Consumed(n int) {
	if n > 0 {
		s.countOutput(n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := &s.w.q
	for n > 0 && q.head < len(q.blocks) {
		blk := &q.blocks[q.head]
		left := len(blk.b) - q.sent
		if n < left {
			q.sent += n
			q.bytes -= int64(n)
			if blk.value {
				q.valueBytes -= int64(n)
			}
			return
		}
		n -= left
		q.bytes -= int64(left)
		if blk.value {
			q.values--
			q.valueBytes -= int64(left)
		}
		if blk.owned {
			q.keepSpare(blk.b)
		}
		*blk = outBlock{}
		q.head++
		q.sent = 0
	}
	if q.head == len(q.blocks) {
		q.blocks, q.head = q.blocks[:0], 0
		if cap(q.blocks) > 1024 {
			q.blocks = nil // a burst of blocks is over: free the index
		}
	}
}

// outBlockOverhead is what a queued block costs besides its bytes.
const outBlockOverhead = int64(unsafe.Sizeof(outBlock{}))

// memory is what the pending output really holds: its bytes, except
// values queued by reference, plus the queue's bookkeeping.
func (w *Writer) memory() int64 {
	q := &w.q
	return q.bytes - q.valueBytes + int64(len(w.buf)) + int64(len(q.blocks)-q.head)*outBlockOverhead
}

// OutputMemory is the memory the client's pending output holds. It is
// less than OutputLen when large values are queued by reference: a host
// that holds back a client that does not read should look at this one.
func (s *Session) OutputMemory() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.memory()
}

// OutputLen is the number of reply bytes the client has not been sent yet.
func (s *Session) OutputLen() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.pending()
}

// TakeOutput returns the pending replies in one buffer and installs spare
// (emptied) as the new buffer: a host that writes all its output at once
// (the wasm build, tests) reuses buffers without allocating.
func (s *Session) TakeOutput(spare []byte) []byte {
	s.e.syncBeforeReply()
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.noteMemory()
	w := &s.w
	q := &w.q
	w.sealed += int64(len(w.buf))
	if q.head == len(q.blocks) && !w.bufShared {
		out := w.buf
		w.buf = spare[:0]
		return out
	}
	out := spare[:0]
	for i := q.head; i < len(q.blocks); i++ {
		b := q.blocks[i].b
		if i == q.head {
			b = b[q.sent:]
		}
		out = append(out, b...)
	}
	out = append(out, w.buf...)
	clear(q.blocks)
	q.blocks, q.head, q.sent, q.bytes = q.blocks[:0], 0, 0, 0
	q.values, q.valueBytes = 0, 0
	w.buf, w.bufShared = nil, false
	return out
}
