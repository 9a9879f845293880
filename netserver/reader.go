package netserver

import (
	"bytes"
	"errors"
)

// Limits Redis applies to requests (networking.c).
const (
	inlineMaxSize     = 64 * 1024         // PROTO_INLINE_MAX_SIZE
	maxMultibulkLen   = 1024 * 1024       // largest accepted *<count>
	defaultMaxBulkLen = 512 * 1024 * 1024 // proto-max-bulk-len
	unauthMultibulk   = 10
	unauthBulkLen     = 16384
	minReadSize       = 16 * 1024
)

// ProtocolError is a malformed request. Its text is what Redis replies
// after "-ERR " before closing the connection.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

// Reply returns the error line Redis sends.
func (e *ProtocolError) Reply() []byte { return []byte("-ERR " + e.Error() + "\r\n") }

func protoErr(msg string) error { return &ProtocolError{msg} }

// errQueryBufferLimit means a client exceeded client-query-buffer-limit;
// Redis closes such a client without a reply.
var errQueryBufferLimit = errors.New("query buffer limit reached")

// Reader splits a byte stream into commands without allocating: each
// argument is a slice of the read buffer, valid until the next call to
// Fill or Next. It keeps its place inside an incomplete command, so a large
// command arriving in many reads is parsed once (linear time).
type Reader struct {
	buf  []byte
	r, w int // unread data is buf[r:w]

	// state of a multibulk command in progress
	inCmd   bool
	nargs   int
	spans   []span // argument offsets relative to r
	pos     int    // parse position relative to r
	needLen int    // bytes of buf[r:] needed before parsing can advance

	args [][]byte

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

// Space returns the free tail of the buffer for the next read, compacting
// or growing the buffer first. The caller reads into it and calls Advance.
func (rd *Reader) Space() []byte {
	if rd.r > 0 && (rd.r == rd.w || rd.w == len(rd.buf) || rd.r > len(rd.buf)/2) {
		n := copy(rd.buf, rd.buf[rd.r:rd.w])
		rd.r, rd.w = 0, n
	}
	want := minReadSize
	if rd.needLen > rd.w-rd.r+want {
		// a large bulk is coming: make room for all of it at once
		want = rd.needLen - (rd.w - rd.r)
	}
	if len(rd.buf)-rd.w < want {
		nb := make([]byte, rd.w-rd.r+max(want, len(rd.buf)))
		rd.w = copy(nb, rd.buf[rd.r:rd.w])
		rd.r = 0
		rd.buf = nb
	}
	return rd.buf[rd.w:]
}

// Advance records n bytes read into the slice Space returned.
func (rd *Reader) Advance(n int) { rd.w += n }

// Feed appends data (for transports that hand over whole messages).
func (rd *Reader) Feed(p []byte) {
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
		return errQueryBufferLimit
	}
	return nil
}

func (rd *Reader) authenticated() bool {
	return rd.Authenticated == nil || rd.Authenticated()
}

// line finds the CRLF-terminated line starting at buf[r+from]; ok is false
// when the line is not complete yet.
func (rd *Reader) line(from int) (line []byte, next int, ok bool) {
	data := rd.buf[rd.r+from : rd.w]
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return nil, 0, false
	}
	l := data[:i]
	if len(l) > 0 && l[len(l)-1] == '\r' {
		l = l[:len(l)-1]
	}
	return l, from + i + 1, true
}

func (rd *Reader) parseMultibulk() ([][]byte, bool, error) {
	if !rd.inCmd {
		n, next, ok := rd.fastLen(1)
		if !ok {
			var l []byte
			l, next, ok = rd.line(0)
			if !ok {
				if rd.w-rd.r > inlineMaxSize {
					return nil, false, protoErr("too big mbulk count string")
				}
				return nil, false, nil
			}
			n, ok = atoi(l[1:])
		}
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
		if rd.r+rd.pos >= rd.w {
			return nil, false, nil
		}
		if rd.buf[rd.r+rd.pos] != '$' {
			return nil, false, protoErr("expected '$', got '" + string(rd.buf[rd.r+rd.pos]) + "'")
		}
		n, next, ok := rd.fastLen(rd.pos + 1)
		if !ok {
			var l []byte
			l, next, ok = rd.line(rd.pos)
			if !ok {
				if rd.w-rd.r-rd.pos > inlineMaxSize {
					return nil, false, protoErr("too big bulk count string")
				}
				return nil, false, nil
			}
			n, ok = atoi(l[1:])
		}
		if !ok || n < 0 || n > rd.MaxBulkLen {
			return nil, false, protoErr("invalid bulk length")
		}
		if n > unauthBulkLen && !rd.authenticated() {
			return nil, false, protoErr("unauthenticated bulk length")
		}
		end := next + int(n)
		if end+2 > rd.w-rd.r {
			rd.needLen = end + 2
			return nil, false, nil
		}
		rd.needLen = 0
		rd.spans = append(rd.spans, span{next, end})
		// Redis skips the two bytes after the payload without checking them.
		rd.pos = end + 2
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
	l, next, ok := rd.line(0)
	if !ok {
		if rd.w-rd.r > inlineMaxSize {
			return nil, false, protoErr("too big inline request")
		}
		return nil, false, nil
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

// fastLen reads the common form of a length line, "<digits>\r\n" at
// buf[r+from:], without searching for the line end first. ok is false for
// anything else (a sign, a bare LF, an incomplete line...): the caller then
// takes the general path, which gives the same value or Redis's error.
func (rd *Reader) fastLen(from int) (n int64, next int, ok bool) {
	b := rd.buf[rd.r+from : rd.w]
	for i := 0; i < len(b) && i <= 18; i++ {
		c := b[i]
		if '0' <= c && c <= '9' {
			n = n*10 + int64(c-'0')
			continue
		}
		if c == '\r' && i > 0 && i+1 < len(b) && b[i+1] == '\n' {
			return n, from + i + 2, true
		}
		return 0, 0, false
	}
	return 0, 0, false
}

// atoi parses a request length (digits with an optional minus sign).
func atoi(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
