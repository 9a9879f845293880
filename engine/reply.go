package engine

import (
	"math"
	"strconv"
)

// Writer appends RESP replies to a buffer for one session. It knows the
// session's protocol version, so handlers say what they mean (a map, a
// double, a null) and never write RESP by hand or check the protocol.
type Writer struct {
	// buf is where replies are appended; sealed blocks wait in q before it
	// (see outqueue.go).
	buf   []byte
	proto int // 2 or 3
	// onError, when set, counts error replies for INFO errorstats.
	onError func(msg string)

	q outQueue
	// sealed counts the bytes ever moved from buf to q: mark positions.
	sealed int64
	// bufShared: buf does not start its backing array, whose head is a
	// sealed block; it must not be recycled.
	bufShared bool
	// rbs and rbp are the reply buffer's accounted size (0: 16 KB) and
	// its peak use since the last reset (replybuf.go).
	rbs, rbp int64
}

// Reset drops every pending reply.
func (w *Writer) Reset() { w.dropOutput() }

// Len is the number of reply bytes not yet written to the client.
func (w *Writer) Len() int { return int(w.pending()) }

// Proto is the protocol version the writer emits.
func (w *Writer) Proto() int { return w.proto }

func (w *Writer) header(prefix byte, n int) {
	w.buf = append(w.buf, prefix)
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
	w.buf = append(w.buf, '\r', '\n')
}

// OK writes +OK.
func (w *Writer) OK() { w.buf = append(w.buf, "+OK\r\n"...) }

// Simple writes a simple string; s must not contain CR or LF.
func (w *Writer) Simple(s string) {
	w.buf = append(w.buf, '+')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// Error writes an error reply. msg starts with its code ("ERR ...",
// "WRONGTYPE ..."); CR and LF are replaced by spaces as Redis does.
func (w *Writer) Error(msg string) {
	if w.onError != nil {
		w.onError(msg)
	}
	w.buf = append(w.buf, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.buf = append(w.buf, c)
	}
	w.buf = append(w.buf, '\r', '\n')
}

// Int writes an integer reply.
func (w *Writer) Int(n int64) {
	w.buf = append(w.buf, ':')
	w.buf = strconv.AppendInt(w.buf, n, 10)
	w.buf = append(w.buf, '\r', '\n')
}

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) {
	w.header('$', len(b))
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkString writes a bulk string from a Go string.
func (w *Writer) BulkString(s string) {
	w.header('$', len(s))
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// BulkInt writes an integer as a bulk string.
func (w *Writer) BulkInt(n int64) {
	var tmp [24]byte
	w.Bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// Null writes the null bulk string ($-1 in RESP2, _ in RESP3).
func (w *Writer) Null() {
	if w.proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "$-1\r\n"...)
}

// NullArray writes the null array (*-1 in RESP2, _ in RESP3).
func (w *Writer) NullArray() {
	if w.proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "*-1\r\n"...)
}

// deferredLen is an aggregate header whose length is known only once its
// elements are written (Redis's addReplyDeferredLen): the position the
// header goes to. The elements must be written with the plain writes
// (Array, Bulk, Int, ...), which never seal the buffer.
type deferredLen struct {
	pos    int   // in w.buf
	sealed int64 // w.sealed then
}

// deferLen starts an aggregate of unknown length.
func (w *Writer) deferLen() deferredLen { return deferredLen{pos: len(w.buf), sealed: w.sealed} }

// setDeferredArray writes the array header of n elements at d, before the
// elements written since deferLen (Redis's setDeferredArrayLen): one pass
// over what they come from, instead of one to count and one to write.
func (w *Writer) setDeferredArray(d deferredLen, n int) {
	if w.sealed != d.sealed {
		panic("engine: reply buffer sealed under a deferred length")
	}
	var tmp [24]byte
	h := append(tmp[:0], '*')
	h = strconv.AppendInt(h, int64(n), 10)
	h = append(h, '\r', '\n')
	end := len(w.buf)
	w.buf = append(w.buf, h...)
	copy(w.buf[d.pos+len(h):], w.buf[d.pos:end])
	copy(w.buf[d.pos:], h)
}

// Array writes an array header of n elements.
func (w *Writer) Array(n int) { w.header('*', n) }

// Map writes a map header of n pairs; RESP2 gets a flat array of 2n.
func (w *Writer) Map(n int) {
	if w.proto >= 3 {
		w.header('%', n)
		return
	}
	w.header('*', 2*n)
}

// Set writes a set header; RESP2 gets an array.
func (w *Writer) Set(n int) {
	if w.proto >= 3 {
		w.header('~', n)
		return
	}
	w.header('*', n)
}

// Push writes a push header (out-of-band data); RESP2 gets an array.
func (w *Writer) Push(n int) {
	if w.proto >= 3 {
		w.header('>', n)
		return
	}
	w.header('*', n)
}

// Double writes a double; RESP2 gets a bulk string formatted as Redis
// formats doubles (%.17g, inf, -inf).
func (w *Writer) Double(f float64) {
	if w.proto >= 3 {
		w.buf = append(w.buf, ',')
		w.buf = appendDoubleResp3(w.buf, f)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	var tmp [32]byte
	w.Bulk(AppendDouble(tmp[:0], f))
}

// Bool writes a boolean; RESP2 gets the integers 1 and 0.
func (w *Writer) Bool(b bool) {
	if w.proto >= 3 {
		if b {
			w.buf = append(w.buf, "#t\r\n"...)
		} else {
			w.buf = append(w.buf, "#f\r\n"...)
		}
		return
	}
	if b {
		w.buf = append(w.buf, ":1\r\n"...)
	} else {
		w.buf = append(w.buf, ":0\r\n"...)
	}
}

// Verbatim writes a verbatim string with a three-letter format ("txt");
// RESP2 gets a bulk string.
func (w *Writer) Verbatim(format, s string) {
	if w.proto >= 3 {
		w.header('=', len(s)+4)
		w.buf = append(w.buf, format...)
		w.buf = append(w.buf, ':')
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.BulkString(s)
}

// BigNumber writes a big number (decimal digits); RESP2 gets a bulk
// string.
func (w *Writer) BigNumber(digits string) {
	if w.proto >= 3 {
		w.buf = append(w.buf, '(')
		w.buf = append(w.buf, digits...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.BulkString(digits)
}

// Attribute writes an attribute header of n pairs (RESP3 only: the caller
// writes no attribute under RESP2).
func (w *Writer) Attribute(n int) { w.header('|', n) }

// BulkStrings writes an array of bulk strings.
func (w *Writer) BulkStrings(items []string) {
	w.Array(len(items))
	for _, s := range items {
		w.BulkString(s)
	}
}

// Raw appends bytes that are already RESP (used to replay stored replies).
func (w *Writer) Raw(b []byte) { w.buf = append(w.buf, b...) }

// AppendDouble formats f the way Redis replies with doubles in RESP2
// (%.17g, with inf and -inf).
func AppendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return appendG17(dst, f)
}

func appendDoubleResp3(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return appendG17(dst, f)
}

// appendG17 is C's printf("%.17g"): 17 significant digits, trailing zeros
// trimmed, exponent form outside [1e-4, 1e17).
func appendG17(dst []byte, f float64) []byte {
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	exp := int(math.Floor(math.Log10(math.Abs(f))))
	// Log10 can be off by one near powers of ten; let strconv decide.
	s := strconv.FormatFloat(f, 'e', 16, 64)
	if i := indexByte(s, 'e'); i >= 0 {
		if e, err := strconv.Atoi(s[i+1:]); err == nil {
			exp = e
		}
	}
	if exp < -4 || exp >= 17 {
		// mantissa with trailing zeros removed, exponent with at least 2 digits
		i := indexByte(s, 'e')
		mant := trimZeros(s[:i])
		dst = append(dst, mant...)
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	return append(dst, trimZeros(strconv.FormatFloat(f, 'f', 16-exp, 64))...)
}

func trimZeros(s string) string {
	if indexByte(s, '.') < 0 {
		return s
	}
	i := len(s)
	for i > 0 && s[i-1] == '0' {
		i--
	}
	if i > 0 && s[i-1] == '.' {
		i--
	}
	return s[:i]
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
