// Package resp reads Redis requests (RESP multibulk and inline commands)
// exactly as Redis 7.0's networking.c does. It is shared by the TCP
// server and the wasm build, so it imports nothing that does I/O.
package resp

import (
	"bytes"
	"errors"
	"math"
)

// Limits Redis applies to requests (networking.c).
const (
	inlineMaxSize     = 64 * 1024         // PROTO_INLINE_MAX_SIZE
	maxMultibulkLen   = math.MaxInt32     // largest accepted *<count> (INT_MAX in 7.0)
	defaultMaxBulkLen = 512 * 1024 * 1024 // proto-max-bulk-len
	unauthMultibulk   = 10
	unauthBulkLen     = 16384
	minReadSize       = 16 * 1024
	maxIdleBuffer     = 1 << 20   // a larger empty buffer is dropped
	resizeThreshold   = 32 * 1024 // PROTO_RESIZE_THRESHOLD
	resizeMinWaste    = 4 * 1024  // Redis resizes only a buffer wasting more
)

// ProtocolError is a malformed request. Its text is what Redis replies
// after "-ERR " before closing the connection.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

// Reply returns the error line Redis sends.
func (e *ProtocolError) Reply() []byte { return []byte("-ERR " + e.Error() + "\r\n") }

func protoErr(msg string) error { return &ProtocolError{msg} }

// ErrQueryBufferLimit means a client exceeded client-query-buffer-limit;
// Redis closes such a client without a reply.
var ErrQueryBufferLimit = errors.New("query buffer limit reached")

// Reader splits a byte stream into commands without allocating: each
// argument is a slice of the read buffer, valid until the next call to
// Space, Feed or Next. It keeps its place inside an incomplete command, so a large
// command arriving in many reads is parsed once (linear time).
type Reader struct {
	buf  []byte
	r, w int // unread data is buf[r:w]

	// state of a multibulk command in progress
	inCmd   bool
	nargs   int
	spans   []span // argument offsets relative to r
	pos     int    // parse position relative to r
	needLen int    // bytes of buf[r:] that end the bulk being read (0: none)

	args [][]byte
	// bulkBuf: the buffer grew to hold a large argument; it is let go
	// once that command ran (ReleaseIdle).
	bulkBuf bool

	// peak is the most the buffer had to hold since the last Resize
	// (Redis's querybuf_peak): pending bytes, or a bulk being read.
	peak int

	MaxBulkLen       int64
	QueryBufferLimit int
	// Authenticated relaxes the tight limits Redis applies before AUTH.
	Authenticated func() bool
	// Inline reports whether the last command was an inline one.
	Inline bool
}

type span struct{ start, end int }

// NewReader returns a Reader with Redis's default limits.
func NewReader() *Reader {
	return &Reader{
		buf:              make([]byte, minReadSize),
		MaxBulkLen:       defaultMaxBulkLen,
		QueryBufferLimit: 1024 * 1024 * 1024,
	}
}

// Buffered is the number of unparsed bytes.
func (rd *Reader) Buffered() int { return rd.w - rd.r }

// Pending is the unparsed input (valid until the next Space, Feed or Next).
func (rd *Reader) Pending() []byte { return rd.buf[rd.r:rd.w] }

// Cap is the size of the buffer (Redis's qbuf plus qbuf-free).
func (rd *Reader) Cap() int { return len(rd.buf) }

// Resize gives back buffer room the client does not use, as Redis's
// clientsCronResizeQueryBuffer does once per cron cycle: an idle client's
// buffer is freed (down to its pending bytes), and a buffer above 32 KB
// more than twice the recent peak shrinks to that peak. Hosts call it
// periodically, never while a read into Space's slice is in progress.
func (rd *Reader) Resize(idle bool) {
	pending := rd.w - rd.r
	if len(rd.buf)-pending > resizeMinWaste {
		switch {
		case idle:
			rd.realloc(pending)
		case len(rd.buf) > resizeThreshold && len(rd.buf)/2 > rd.peak:
			rd.realloc(max(pending, rd.peak, rd.needLen))
		}
	}
	rd.peak = max(pending, rd.needLen)
}

// realloc moves the pending bytes to a buffer of size n (nil for 0).
func (rd *Reader) realloc(n int) {
	var nb []byte
	if n > 0 {
		nb = make([]byte, n)
	}
	copy(nb, rd.buf[rd.r:rd.w])
	rd.buf, rd.w, rd.r = nb, rd.w-rd.r, 0
}

// Space returns the free tail of the buffer for the next read, compacting
// or growing the buffer first. The caller reads into it and calls Advance.
func (rd *Reader) Space() []byte {
	rd.ReleaseIdle()
	if rd.r > 0 && (rd.r == rd.w || rd.w == len(rd.buf) || rd.r > len(rd.buf)/2) {
		n := copy(rd.buf, rd.buf[rd.r:rd.w])
		rd.r, rd.w = 0, n
	}
	want := minReadSize
	if need := rd.needLen - (rd.w - rd.r); need > want {
		// A large bulk is coming: grow toward it, at most doubling the
		// buffer at a time, so announcing a huge length costs nothing
		// until the bytes really arrive (growth stays linear overall).
		want = min(need, max(len(rd.buf), minReadSize))
	}
	if len(rd.buf)-rd.w < want {
		grow := max(want, len(rd.buf))
		if need := rd.needLen - (rd.w - rd.r); need > 0 {
			rd.bulkBuf = true
			if need < grow {
				// Doubling stops where the bulk ends: a large argument
				// costs its size, as Redis sizes its query buffer to it.
				grow = max(want, need)
			}
		}
		nb := make([]byte, rd.w-rd.r+grow)
		rd.w = copy(nb, rd.buf[rd.r:rd.w])
		rd.r = 0
		rd.buf = nb
	}
	// Read no more than Redis does at a time (16 KB, or the rest of a big
	// argument): the "too big" limits are checked between reads, so an
	// over-long inline line is refused at the same point as by Redis.
	return rd.buf[rd.w : rd.w+want]
}

// ReleaseIdle lets go of the room a big command needed once nothing is
// pending, as Redis hands a big argument's buffer to the command and
// starts a new query buffer.
func (rd *Reader) ReleaseIdle() {
	if rd.r == rd.w && (len(rd.buf) > maxIdleBuffer || rd.bulkBuf && len(rd.buf) > minReadSize) {
		rd.buf = make([]byte, minReadSize)
		rd.r, rd.w = 0, 0
		rd.bulkBuf = false
	}
}

// BulkRemaining is how many bytes of a large argument being read have not
// arrived yet (0 when none is being read).
func (rd *Reader) BulkRemaining() int { return max(rd.needLen-(rd.w-rd.r), 0) }

// bigArgBytes is Redis's PROTO_MBULK_BIG_ARG: a bulk at least this long
// gets a query buffer of its full size as soon as its length is read.
const bigArgBytes = 32 * 1024

// Reserved is the query buffer's size as Redis would have allocated it:
// the buffer, or, while a large bulk is being read, the room it needs
// (Redis sizes its query buffer to a big bulk as soon as its length is
// read; this buffer grows toward it as the bytes arrive, at most one
// read past it). Client memory (CLIENT LIST tot-mem, maxmemory-clients)
// counts it, the same for every client sending the same command.
func (rd *Reader) Reserved() int {
	if rd.inBigBulk() {
		return rd.needLen - rd.pos
	}
	return len(rd.buf)
}

// QueryBufUsed is the query buffer's content as Redis would show it
// (CLIENT LIST qbuf): the unparsed bytes, or, while a large bulk is being
// read, the part of it that arrived (Redis moves the arguments before a
// big bulk out of its query buffer).
func (rd *Reader) QueryBufUsed() int {
	if rd.inBigBulk() {
		return rd.w - rd.r - rd.pos
	}
	return rd.w - rd.r
}

// inBigBulk: a bulk of bigArgBytes or more is being read (rd.pos is
// where its payload starts).
func (rd *Reader) inBigBulk() bool {
	return rd.BulkRemaining() > 0 && rd.needLen-rd.pos-2 >= bigArgBytes
}

// Advance records n bytes read into the slice Space returned.
func (rd *Reader) Advance(n int) {
	rd.w += n
	rd.peak = max(rd.peak, rd.w-rd.r, rd.needLen)
}

// Feed appends data (for transports that hand over whole messages).
func (rd *Reader) Feed(p []byte) {
	if len(p) > minReadSize && len(p) > len(rd.buf)-rd.w {
		// A large message (a deep pipeline in one wasm call): make room
		// for all of it at once rather than growing by doubling in
		// 16 KB steps, copying the pending bytes each time.
		pending := rd.w - rd.r
		nb := rd.buf
		if pending+len(p) > len(rd.buf) {
			nb = make([]byte, pending+len(p))
		}
		copy(nb, rd.buf[rd.r:rd.w])
		rd.buf, rd.r, rd.w = nb, 0, pending
		rd.w += copy(rd.buf[rd.w:], p)
		rd.peak = max(rd.peak, rd.w-rd.r, rd.needLen)
		return
	}
	for len(p) > 0 {
		sp := rd.Space()
		n := copy(sp, p)
		rd.Advance(n)
		p = p[n:]
	}
}

// Next returns the next complete command, or nil when more input is
// needed. A protocol error is final for the connection.
func (rd *Reader) Next() ([][]byte, error) {
	for rd.r < rd.w {
		if rd.needLen > rd.w-rd.r {
			break
		}
		var args [][]byte
		var progressed bool
		var err error
		if !rd.inCmd && rd.buf[rd.r] != '*' {
			args, progressed, err = rd.parseInline()
		} else {
			args, progressed, err = rd.parseMultibulk()
		}
		if err != nil || args != nil {
			return args, err
		}
		if !progressed {
			break
		}
		// an empty line or *0: skipped as Redis does
	}
	return nil, rd.checkLimit()
}

func (rd *Reader) checkLimit() error {
	if rd.w-rd.r > rd.QueryBufferLimit {
		return ErrQueryBufferLimit
	}
	return nil
}

func (rd *Reader) authenticated() bool {
	return rd.Authenticated == nil || rd.Authenticated()
}

// crLine finds the header line starting at buf[r+from] the way Redis does
// (strchr for '\r' in a NUL-terminated buffer): the line ends at the first
// '\r', which must be followed by one more byte that is skipped unchecked.
// A NUL before the '\r' hides it, so the line never completes. ok is false
// while the line is incomplete.
func (rd *Reader) crLine(from int) (line []byte, next int, ok bool) {
	data := rd.buf[rd.r+from : rd.w]
	i := indexByteOrNUL(data, '\r')
	if i < 0 || data[i] == 0 || i+1 >= len(data) {
		return nil, 0, false
	}
	return data[:i], from + i + 2, true
}

// hasByte reports whether C's strchr finds c in the NUL-terminated b.
func hasByte(b []byte, c byte) bool {
	i := indexByteOrNUL(b, c)
	return i >= 0 && b[i] == c
}

// indexByteOrNUL returns the index of the first c or NUL byte in b, or -1.
func indexByteOrNUL(b []byte, c byte) int {
	i := bytes.IndexByte(b, c)
	end := i
	if i < 0 {
		end = len(b)
	}
	if j := bytes.IndexByte(b[:end], 0); j >= 0 {
		return j
	}
	return i
}

// fastLen parses the common form of a length line at b[i:]: 1 to 9
// digits without a leading zero (or "0"), then '\r' and one more byte
// (skipped unchecked, as Redis does). ok is false for anything else —
// a sign, more digits, a NUL, an incomplete line — which the general
// path then handles with Redis's exact rules and errors.
func fastLen(b []byte, i int) (n, next int, ok bool) {
	start := i
	for ; i < len(b) && i-start < 10; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	d := i - start
	if d == 0 || d > 9 || (d > 1 && b[start] == '0') || i+1 >= len(b) || b[i] != '\r' {
		return 0, 0, false
	}
	return n, i + 2, true
}

// parseFast parses a whole multibulk command that is complete in the
// buffer and within the limits, in one pass without saving state. It
// reports false, having changed nothing but rd.args, when the command is
// incomplete or unusual: the general path then parses it from the start.
func (rd *Reader) parseFast() ([][]byte, bool) {
	b := rd.buf[rd.r:rd.w]
	n, i, ok := fastLen(b, 1)
	if !ok || n == 0 || (n > unauthMultibulk && !rd.authenticated()) {
		return nil, false
	}
	args := rd.args[:0]
	authed := false // asked only for a long argument, as the general path
	for range n {
		if i >= len(b) || b[i] != '$' {
			return nil, false
		}
		l, next, ok := fastLen(b, i+1)
		if !ok || int64(l) > rd.MaxBulkLen {
			return nil, false
		}
		if l > unauthBulkLen && !authed {
			if !rd.authenticated() {
				return nil, false
			}
			authed = true
		}
		end := next + l
		if end+2 > len(b) {
			return nil, false
		}
		args = append(args, b[next:end:end])
		i = end + 2
	}
	rd.args = args
	rd.r += i
	rd.Inline = false
	return args, true
}

func (rd *Reader) parseMultibulk() ([][]byte, bool, error) {
	if !rd.inCmd {
		if args, ok := rd.parseFast(); ok {
			return args, true, nil
		}
		l, next, ok := rd.crLine(0)
		if !ok {
			if rd.w-rd.r > inlineMaxSize && !hasByte(rd.buf[rd.r:rd.w], '\r') {
				return nil, false, protoErr("too big mbulk count string")
			}
			return nil, false, nil
		}
		n, ok := string2ll(l[1:])
		if !ok || n > maxMultibulkLen {
			return nil, false, protoErr("invalid multibulk length")
		}
		if n > unauthMultibulk && !rd.authenticated() {
			return nil, false, protoErr("unauthenticated multibulk length")
		}
		if n <= 0 {
			rd.r += next
			return nil, true, nil
		}
		rd.inCmd, rd.nargs, rd.pos = true, int(n), next
		rd.spans = rd.spans[:0]
	}
	for len(rd.spans) < rd.nargs {
		if rd.needLen == 0 {
			l, next, ok := rd.crLine(rd.pos)
			if !ok {
				if rest := rd.buf[rd.r+rd.pos : rd.w]; len(rest) > inlineMaxSize && !hasByte(rest, '\r') {
					return nil, false, protoErr("too big bulk count string")
				}
				return nil, false, nil
			}
			// the line may be empty ("\r\n"): Redis then reports the '\r'
			if c := rd.buf[rd.r+rd.pos]; c != '$' {
				if c == '\r' || c == '\n' {
					c = ' ' // addReplyErrorFormat keeps the reply on one line
				}
				return nil, false, protoErr("expected '$', got '" + string([]byte{c}) + "'")
			}
			n, ok := string2ll(l[1:])
			if !ok || n < 0 || n > rd.MaxBulkLen {
				return nil, false, protoErr("invalid bulk length")
			}
			if n > unauthBulkLen && !rd.authenticated() {
				return nil, false, protoErr("unauthenticated bulk length")
			}
			rd.pos = next
			rd.needLen = next + int(n) + 2
		}
		if rd.needLen > rd.w-rd.r {
			return nil, false, nil
		}
		// Redis skips the two bytes after the payload without checking them.
		rd.spans = append(rd.spans, span{rd.pos, rd.needLen - 2})
		rd.pos = rd.needLen
		rd.needLen = 0
	}
	rd.args = rd.args[:0]
	base := rd.r
	for _, sp := range rd.spans {
		rd.args = append(rd.args, rd.buf[base+sp.start:base+sp.end:base+sp.end])
	}
	rd.r += rd.pos
	rd.inCmd, rd.pos = false, 0
	rd.Inline = false
	return rd.args, true, nil
}

func (rd *Reader) parseInline() ([][]byte, bool, error) {
	// Redis looks for '\n' with strchr: a NUL before it hides it.
	data := rd.buf[rd.r:rd.w]
	i := indexByteOrNUL(data, '\n')
	if i < 0 || data[i] == 0 {
		if rd.w-rd.r > inlineMaxSize {
			return nil, false, protoErr("too big inline request")
		}
		return nil, false, nil
	}
	l, next := data[:i], i+1
	if len(l) > 0 && l[len(l)-1] == '\r' {
		l = l[:len(l)-1]
	}
	args, ok := splitArgs(l, rd.args[:0])
	if !ok {
		return nil, false, protoErr("unbalanced quotes in request")
	}
	rd.args = args
	rd.r += next
	rd.Inline = true
	if len(args) == 0 {
		return nil, true, nil
	}
	return args, true, nil
}

// string2ll parses a request length with Redis's string2ll rules: an
// optional minus sign, no leading zeros ("0" alone is fine), no plus sign,
// no spaces, at most 20 characters, and no overflow.
func string2ll(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) >= 21 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > math.MaxUint64/10 || v*10 > math.MaxUint64-d {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
