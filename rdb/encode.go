package rdb

import (
	"encoding/binary"
	"math"
	"slices"
	"unsafe"
)

// Version is the RDB version Redis 7.0 writes.
const Version = 10

// Value types: the byte before a key in a file, the first byte of a DUMP
// payload.
const (
	TypeString          = 0
	TypeList            = 1
	TypeSet             = 2
	TypeZset            = 3
	TypeHash            = 4
	TypeZset2           = 5
	TypeModule          = 6
	TypeModule2         = 7
	TypeHashZipmap      = 9
	TypeListZiplist     = 10
	TypeSetIntset       = 11
	TypeZsetZiplist     = 12
	TypeHashZiplist     = 13
	TypeListQuicklist   = 14
	TypeStreamListpacks = 15
	TypeHashListpack    = 16
	TypeZsetListpack    = 17
	TypeListQuicklist2  = 18
	TypeStreamListpack2 = 19
)

// File opcodes.
const (
	opFunction2    = 245
	opFunction     = 246
	opModuleAux    = 247
	opIdle         = 248
	opFreq         = 249
	opAux          = 250
	opResizeDB     = 251
	opExpireTimeMs = 252
	opExpireTime   = 253
	opSelectDB     = 254
	opEOF          = 255
)

// Quicklist node containers of TypeListQuicklist2.
const (
	QuicklistPlain  = 1
	QuicklistPacked = 2
)

// AppendLen appends an RDB length: 6, 14, 32 or 64 bits.
func AppendLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, byte(n>>8)|0x40, byte(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, 0x81), n)
	}
}

// AppendString appends s as Redis's rdbSaveRawString does: a decimal
// integer of up to 11 bytes that fits 32 bits and reads back the same goes
// in the integer encodings; with compress, a string over 20 bytes is LZF
// compressed when that saves at least 4 bytes; anything else is length and
// bytes.
func AppendString(b []byte, s string, compress bool) []byte {
	if len(s) <= 11 && len(s) > 0 {
		if v, ok := CanonicalInt64(s); ok {
			switch {
			case v >= math.MinInt8 && v <= math.MaxInt8:
				return append(b, 0xc0, byte(v))
			case v >= math.MinInt16 && v <= math.MaxInt16:
				return binary.LittleEndian.AppendUint16(append(b, 0xc1), uint16(v))
			case v >= math.MinInt32 && v <= math.MaxInt32:
				return binary.LittleEndian.AppendUint32(append(b, 0xc2), uint32(v))
			}
		}
	}
	if compress && len(s) > 20 {
		if out, ok := appendLZFString(b, s); ok {
			return out
		}
	}
	return append(AppendLen(b, uint64(len(s))), s...)
}

// appendLZFString is rdbSaveLzfStringObject: 0xc3, compressed length,
// original length, the compressed bytes.
func appendLZFString(b []byte, s string) ([]byte, bool) {
	// Compressed after room for the header (at most 1+5+5 bytes), then
	// moved back over the unused part: no second buffer.
	const room = 11
	start := len(b)
	out, ok := LZFCompress(slices.Grow(b, room+len(s))[:start+room], unsafe.Slice(unsafe.StringData(s), len(s)), len(s)-4)
	if !ok {
		return b[:start], false
	}
	comp := out[start+room:]
	var hdr [room]byte
	h := append(hdr[:0], 0xc3)
	h = AppendLen(h, uint64(len(comp)))
	h = AppendLen(h, uint64(len(s)))
	n := copy(out[start:], h)
	n += copy(out[start+n:], comp)
	return out[:start+n], true
}

// AppendBinaryDouble appends a score as TypeZset2 stores it.
func AppendBinaryDouble(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// ListpackBuilder builds a listpack, Redis's packed list of strings and
// integers: a 6-byte header (total bytes, element count), the entries,
// each followed by its length for walking backwards, and 0xFF.
type ListpackBuilder struct {
	buf []byte
	n   int
}

// NewListpackBuilder starts an empty listpack.
func NewListpackBuilder() *ListpackBuilder {
	return &ListpackBuilder{buf: make([]byte, 6, 64)}
}

// Reset empties the builder and keeps its storage, so one builder serves
// many values; what Bytes returned before is overwritten by later Adds.
func (lp *ListpackBuilder) Reset() {
	if lp.buf == nil {
		lp.buf = make([]byte, 6, 64)
	}
	lp.buf, lp.n = lp.buf[:6], 0
}

// Len is the number of entries added.
func (lp *ListpackBuilder) Len() int { return lp.n }

// Add appends s, as an integer entry when it is the canonical decimal form
// of an int64 (lpStringToInt64), else as a string entry.
func (lp *ListpackBuilder) Add(s string) {
	if v, ok := CanonicalInt64(s); ok {
		lp.buf = AppendListpackInt(lp.buf, v)
	} else {
		lp.buf = appendListpackString(lp.buf, s)
	}
	lp.n++
}

// AppendListpackInt appends v as a listpack element in its smallest
// integer encoding, with its backlen.
func AppendListpackInt(b []byte, v int64) []byte {
	start := len(b)
	switch {
	case v >= 0 && v <= 127:
		b = append(b, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint64(v) & 0x1fff
		b = append(b, byte(u>>8)|0xc0, byte(u))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		b = binary.LittleEndian.AppendUint16(append(b, 0xf1), uint16(v))
	case v >= -1<<23 && v < 1<<23:
		u := uint32(v)
		b = append(b, 0xf2, byte(u), byte(u>>8), byte(u>>16))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		b = binary.LittleEndian.AppendUint32(append(b, 0xf3), uint32(v))
	default:
		b = binary.LittleEndian.AppendUint64(append(b, 0xf4), uint64(v))
	}
	return AppendListpackBacklen(b, len(b)-start)
}

// AppendListpackString appends s as a listpack string element (never as
// an integer: callers that want lpAppend's integer form check first),
// with its backlen.
func AppendListpackString(b, s []byte) []byte { return appendListpackString(b, s) }

func appendListpackString[T string | []byte](b []byte, s T) []byte {
	start := len(b)
	switch n := len(s); {
	case n < 64:
		b = append(b, byte(n)|0x80)
	case n < 4096:
		b = append(b, byte(n>>8)|0xe0, byte(n))
	default:
		b = binary.LittleEndian.AppendUint32(append(b, 0xf0), uint32(n))
	}
	b = append(b, s...)
	return AppendListpackBacklen(b, len(b)-start)
}

// Size is the listpack's size in bytes once finished.
func (lp *ListpackBuilder) Size() int { return len(lp.buf) + 1 }

// Bytes finishes the listpack: header and terminator.
func (lp *ListpackBuilder) Bytes() []byte {
	b := append(lp.buf, 0xff)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint16(b[4:], uint16(min(lp.n, 65535)))
	return b
}

// AppendListpackBacklen appends an entry's length l in the reversed 7-bit
// form a listpack reads from its end.
func AppendListpackBacklen(b []byte, l int) []byte {
	switch {
	case l <= 127:
		return append(b, byte(l))
	case l < 16383:
		return append(b, byte(l>>7), byte(l&127)|128)
	case l < 2097151:
		return append(b, byte(l>>14), byte((l>>7)&127)|128, byte(l&127)|128)
	case l < 268435455:
		return append(b, byte(l>>21), byte((l>>14)&127)|128, byte((l>>7)&127)|128, byte(l&127)|128)
	default:
		return append(b, byte(l>>28), byte((l>>21)&127)|128, byte((l>>14)&127)|128, byte((l>>7)&127)|128, byte(l&127)|128)
	}
}

// ListpackBacklenSize is the size of AppendListpackBacklen's encoding of l.
func ListpackBacklenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// CanonicalInt64 parses s when it is exactly the decimal Redis would print
// for an int64 (no sign on zero, no leading zeros, no spaces). It never
// allocates: savers call it for every string they write.
func CanonicalInt64(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	neg := s[0] == '-'
	digits := s
	if neg {
		digits = s[1:]
	}
	if len(digits) == 0 || (digits[0] == '0' && (len(digits) > 1 || neg)) {
		return 0, false
	}
	var u uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i] - '0'
		if c > 9 {
			return 0, false
		}
		if u > (math.MaxUint64-uint64(c))/10 {
			return 0, false
		}
		u = u*10 + uint64(c)
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// IntsetBytes encodes sorted integers as Redis's intset: encoding width
// (2, 4 or 8), count, then the values little endian.
func IntsetBytes(vals []int64) []byte {
	width := 2
	for _, v := range vals {
		if v < math.MinInt32 || v > math.MaxInt32 {
			width = 8
			break
		}
		if v < math.MinInt16 || v > math.MaxInt16 {
			width = 4
		}
	}
	b := make([]byte, 8, 8+width*len(vals))
	binary.LittleEndian.PutUint32(b, uint32(width))
	binary.LittleEndian.PutUint32(b[4:], uint32(len(vals)))
	for _, v := range vals {
		switch width {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return b
}

// AppendDumpFooter finishes a DUMP payload: the RDB version (2 bytes LE)
// and the CRC-64 of everything before the checksum (8 bytes LE).
func AppendDumpFooter(b []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, Version)
	return binary.LittleEndian.AppendUint64(b, CRC64(b))
}

// VerifyDumpPayload checks a DUMP footer: an RDB version this package
// reads and, unless skipCRC, the checksum.
func VerifyDumpPayload(p []byte, skipCRC bool) bool {
	if len(p) < 10 {
		return false
	}
	footer := p[len(p)-10:]
	if binary.LittleEndian.Uint16(footer) > Version {
		return false
	}
	return skipCRC || binary.LittleEndian.Uint64(footer[2:]) == CRC64(p[:len(p)-8])
}
