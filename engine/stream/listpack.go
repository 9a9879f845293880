package stream

import (
	"encoding/binary"
	"github.com/goredis-dev/goredis/rdb"
	"math"
	"strconv"
)

// A listpack as Redis 7.0 lays it out (listpack.c): a 6-byte header (total
// bytes, element count), the elements, each followed by its length for
// walking backwards, and 0xFF. Stream nodes are kept in this form in memory,
// so a node costs what it costs in Redis, node boundaries fall where Redis
// puts them, and RDB files and DUMP payloads carry the bytes as they are.
//
// Positions are byte offsets into the listpack; -1 means "no element".

const (
	lpHeaderSize = 6
	lpEOF        = 0xff
	// lpCountUnknown is the header's count once it no longer fits.
	lpCountUnknown = 65535
)

// lpNew returns an empty listpack with capacity for c bytes.
func lpNew(c int) []byte {
	lp := make([]byte, lpHeaderSize+1, max(c, lpHeaderSize+1))
	lp[lpHeaderSize] = lpEOF
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	return lp
}

func lpCount(lp []byte) int { return int(binary.LittleEndian.Uint16(lp[4:])) }

func lpSetHeader(lp []byte, count int) {
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	if count > lpCountUnknown {
		count = lpCountUnknown
	}
	binary.LittleEndian.PutUint16(lp[4:], uint16(count))
}

// lpFirst is the offset of the first element, -1 when empty.
func lpFirst(lp []byte) int {
	if lp[lpHeaderSize] == lpEOF {
		return -1
	}
	return lpHeaderSize
}

// lpEncodedSize is the size of the element at p without its backlen.
func lpEncodedSize(lp []byte, p int) int {
	c := lp[p]
	switch {
	case c < 0x80:
		return 1
	case c < 0xc0:
		return 1 + int(c&0x3f)
	case c < 0xe0:
		return 2
	case c < 0xf0:
		return 2 + (int(c&0x0f)<<8 | int(lp[p+1]))
	}
	switch c {
	case 0xf0:
		return 5 + int(binary.LittleEndian.Uint32(lp[p+1:]))
	case 0xf1:
		return 3
	case 0xf2:
		return 4
	case 0xf3:
		return 5
	case 0xf4:
		return 9
	}
	return 1
}

// backlenSize and appendBacklen are the listpack's backlen coding, shared
// with the rdb package's listpack writer.
func backlenSize(l int) int { return rdb.ListpackBacklenSize(l) }

func appendBacklen(b []byte, l int) []byte { return rdb.AppendListpackBacklen(b, l) }

// lpNext is the element after p, -1 at the end.
func lpNext(lp []byte, p int) int {
	n := lpEncodedSize(lp, p)
	p += n + backlenSize(n)
	if lp[p] == lpEOF {
		return -1
	}
	return p
}

// lpPrev is the element before p (p may be the EOF byte), -1 at the start.
func lpPrev(lp []byte, p int) int {
	if p <= lpHeaderSize {
		return -1
	}
	// The backlen is read from its last byte backwards, 7 bits at a time.
	q := p - 1
	l, shift := 0, 0
	for {
		b := lp[q]
		l |= int(b&127) << shift
		if b&128 == 0 {
			break
		}
		shift += 7
		q--
	}
	return p - l - backlenSize(l)
}

// lpLast is the last element, -1 when empty.
func lpLast(lp []byte) int { return lpPrev(lp, len(lp)-1) }

// lpGet reads the element at p: an integer (isInt) or a string, which
// aliases the listpack.
func lpGet(lp []byte, p int) (v int64, s []byte, isInt bool) {
	c := lp[p]
	switch {
	case c < 0x80:
		return int64(c), nil, true
	case c < 0xc0:
		n := int(c & 0x3f)
		return 0, lp[p+1 : p+1+n], false
	case c < 0xe0:
		u := int64(c&0x1f)<<8 | int64(lp[p+1])
		if u >= 1<<12 {
			u -= 1 << 13
		}
		return u, nil, true
	case c < 0xf0:
		n := int(c&0x0f)<<8 | int(lp[p+1])
		return 0, lp[p+2 : p+2+n], false
	}
	switch c {
	case 0xf0:
		n := int(binary.LittleEndian.Uint32(lp[p+1:]))
		return 0, lp[p+5 : p+5+n], false
	case 0xf1:
		return int64(int16(binary.LittleEndian.Uint16(lp[p+1:]))), nil, true
	case 0xf2:
		u := uint32(lp[p+1]) | uint32(lp[p+2])<<8 | uint32(lp[p+3])<<16
		return int64(int32(u<<8) >> 8), nil, true
	case 0xf3:
		return int64(int32(binary.LittleEndian.Uint32(lp[p+1:]))), nil, true
	}
	return int64(binary.LittleEndian.Uint64(lp[p+1:])), nil, true
}

// lpGetInt reads an element as an integer; a string that holds a number
// (never written by streams, but possible in a loaded file) is parsed.
func lpGetInt(lp []byte, p int) (int64, bool) {
	v, s, isInt := lpGet(lp, p)
	if isInt {
		return v, true
	}
	n, err := strconv.ParseInt(string(s), 10, 64)
	return n, err == nil
}

// lpGetBytes reads an element as bytes: an integer is formatted into buf.
func lpGetBytes(lp []byte, p int, buf []byte) []byte {
	v, s, isInt := lpGet(lp, p)
	if isInt {
		return strconv.AppendInt(buf[:0], v, 10)
	}
	return s
}

// appendIntElement encodes v as the smallest integer element.
func appendIntElement(b []byte, v int64) []byte { return rdb.AppendListpackInt(b, v) }

// appendStringElement encodes s as Redis's lpAppend does: as an integer
// when it is the canonical form of an int64.
func appendStringElement(b []byte, s []byte) []byte {
	if v, ok := canonicalInt(s); ok {
		return rdb.AppendListpackInt(b, v)
	}
	return rdb.AppendListpackString(b, s)
}

// canonicalInt is Redis's lpStringToInt64: the exact decimal of an int64,
// no sign on zero, no leading zeros.
func canonicalInt(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	neg := s[0] == '-'
	d := s
	if neg {
		d = s[1:]
		if len(d) == 0 {
			return 0, false
		}
	}
	if d[0] == '0' && (len(d) > 1 || neg) {
		return 0, false
	}
	var u uint64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return int64(-u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// lpAppendInt appends an integer element.
func lpAppendInt(lp []byte, v int64) []byte {
	n := lpCount(lp)
	lp = appendIntElement(lp[:len(lp)-1], v)
	return lpFinishAppend(lp, n)
}

// lpAppendString appends a string element.
func lpAppendString(lp []byte, s []byte) []byte {
	n := lpCount(lp)
	lp = appendStringElement(lp[:len(lp)-1], s)
	return lpFinishAppend(lp, n)
}

// lpFinishAppend restores the terminator and the header after an element
// was added to a listpack that held n (a header count that no longer fits
// stays "unknown", as in Redis).
func lpFinishAppend(lp []byte, n int) []byte {
	lp = append(lp, lpEOF)
	if n != lpCountUnknown {
		n++
	}
	lpSetHeader(lp, n)
	return lp
}

// lpReplaceInt replaces the integer element at p with v, growing or
// shrinking the listpack when the encoding's size changes.
func lpReplaceInt(lp []byte, p int, v int64) []byte {
	old := lpEncodedSize(lp, p)
	oldTotal := old + backlenSize(old)
	var tmp [16]byte
	enc := appendIntElement(tmp[:0], v)
	if len(enc) == oldTotal {
		copy(lp[p:], enc)
		return lp
	}
	count := lpCount(lp)
	out := make([]byte, 0, len(lp)-oldTotal+len(enc))
	out = append(out, lp[:p]...)
	out = append(out, enc...)
	out = append(out, lp[p+oldTotal:]...)
	lpSetHeader(out, count)
	return out
}
