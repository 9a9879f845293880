package engine

import (
	"encoding/binary"
	"errors"
	"hash/crc64"
	"math"
	"strconv"
)

// The RDB value format of Redis 7.0 (RDB version 10), as DUMP and RESTORE
// carry it: one type byte, the value, the RDB version (2 bytes LE) and a
// CRC-64 (Jones polynomial, 8 bytes LE) of everything before it. The same
// encoding is what an RDB file holds per key, so this is also the ground a
// future SAVE would stand on.
//
// Values are written in the forms Redis 7.0 writes (listpacks for small
// hashes and sorted sets, an intset for small integer sets, a quicklist of
// listpacks for lists) so that real Redis RESTOREs what GoRedis DUMPs, and
// every form Redis 7.0 loads is read, ziplists of older versions included.
// GoRedis does not LZF-compress what it writes (Redis does for strings over
// 20 bytes when rdbcompression is on) but reads compressed strings.

const rdbVersion = 10

// RDB object types.
const (
	rdbTypeString         = 0
	rdbTypeList           = 1
	rdbTypeSet            = 2
	rdbTypeZset           = 3
	rdbTypeHash           = 4
	rdbTypeZset2          = 5
	rdbTypeListZiplist    = 10
	rdbTypeSetIntset      = 11
	rdbTypeZsetZiplist    = 12
	rdbTypeHashZiplist    = 13
	rdbTypeListQuicklist  = 14
	rdbTypeHashListpack   = 16
	rdbTypeZsetListpack   = 17
	rdbTypeListQuicklist2 = 18
)

// Quicklist node containers in RDB_TYPE_LIST_QUICKLIST_2.
const (
	quicklistPlain  = 1
	quicklistPacked = 2
)

// errBadRDB is any malformed payload: RESTORE answers "Bad data format".
var errBadRDB = errors.New("bad rdb data")

// crcJones is Redis's CRC-64 (Jones, reflected, no initial or final xor).
// Go's crc64 inverts before and after, so it is asked to start from ^0 and
// its answer inverted back.
var crcJonesTable = crc64.MakeTable(0x95ac9329ac4bc9b5)

func crc64Jones(p []byte) uint64 {
	return ^crc64.Update(^uint64(0), crcJonesTable, p)
}

// --- writing ---

// rdbAppendLen appends an RDB length: 6, 14, 32 or 64 bits.
func rdbAppendLen(b []byte, n uint64) []byte {
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

// rdbAppendString appends s as Redis's rdbSaveRawString does, without
// compression: a decimal integer that fits 32 bits and reads back the same
// goes in the integer encodings, anything else as length and bytes.
func rdbAppendString(b []byte, s string) []byte {
	if len(s) <= 11 {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(v, 10) == s {
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
	return append(rdbAppendLen(b, uint64(len(s))), s...)
}

// rdbAppendBinaryDouble appends a score as RDB_TYPE_ZSET_2 stores it.
func rdbAppendBinaryDouble(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// listpackBuilder builds a listpack, Redis's packed list of strings and
// integers: a 6-byte header (total bytes, element count), the entries,
// each followed by its length for walking backwards, and 0xFF.
type listpackBuilder struct {
	buf []byte
	n   int
}

func newListpackBuilder() *listpackBuilder {
	return &listpackBuilder{buf: make([]byte, 6, 64)}
}

// add appends s, as an integer entry when it is the canonical decimal form
// of an int64 (lpStringToInt64), else as a string entry.
func (lp *listpackBuilder) add(s string) {
	start := len(lp.buf)
	b := lp.buf
	if v, ok := canonicalInt64(s); ok {
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
	} else {
		switch n := len(s); {
		case n < 64:
			b = append(b, byte(n)|0x80)
		case n < 4096:
			b = append(b, byte(n>>8)|0xe0, byte(n))
		default:
			b = binary.LittleEndian.AppendUint32(append(b, 0xf0), uint32(n))
		}
		b = append(b, s...)
	}
	lp.buf = appendBacklen(b, len(b)-start)
	lp.n++
}

// size is the listpack's size in bytes once finished.
func (lp *listpackBuilder) size() int { return len(lp.buf) + 1 }

// bytes finishes the listpack: header and terminator.
func (lp *listpackBuilder) bytes() []byte {
	b := append(lp.buf, 0xff)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint16(b[4:], uint16(min(lp.n, 65535)))
	return b
}

// appendBacklen appends an entry's length l in the reversed 7-bit form a
// listpack reads from its end.
func appendBacklen(b []byte, l int) []byte {
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

// canonicalInt64 parses s when it is exactly the decimal Redis would print
// for an int64 (no sign on zero, no leading zeros, no spaces).
func canonicalInt64(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || s[0] == '+' || (len(s) > 1 && s[0] == '0') || (len(s) > 1 && s[0] == '-' && s[1] == '0') {
		return 0, false
	}
	return v, true
}

// intsetBytes encodes sorted integers as Redis's intset: encoding width
// (2, 4 or 8), count, then the values little endian.
func intsetBytes(vals []int64) []byte {
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

// --- reading ---

// rdbReader reads an RDB value; every read is bounds checked and fails
// with errBadRDB.
type rdbReader struct {
	p   []byte
	off int
}

func (r *rdbReader) byte() (byte, error) {
	if r.off >= len(r.p) {
		return 0, errBadRDB
	}
	c := r.p[r.off]
	r.off++
	return c, nil
}

func (r *rdbReader) take(n uint64) ([]byte, error) {
	if n > uint64(len(r.p)-r.off) {
		return nil, errBadRDB
	}
	b := r.p[r.off : r.off+int(n)]
	r.off += int(n)
	return b, nil
}

// length reads an RDB length; encoded reports the special string forms
// (11xxxxxx), whose low six bits are then in n.
func (r *rdbReader) length() (n uint64, encoded bool, err error) {
	c, err := r.byte()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case 0:
		return uint64(c & 0x3f), false, nil
	case 1:
		c2, err := r.byte()
		return uint64(c&0x3f)<<8 | uint64(c2), false, err
	case 2:
		switch c {
		case 0x80:
			b, err := r.take(4)
			if err != nil {
				return 0, false, err
			}
			return uint64(binary.BigEndian.Uint32(b)), false, nil
		case 0x81:
			b, err := r.take(8)
			if err != nil {
				return 0, false, err
			}
			return binary.BigEndian.Uint64(b), false, nil
		}
		return 0, false, errBadRDB
	default:
		return uint64(c & 0x3f), true, nil
	}
}

// count reads a length that counts elements still to come; each takes at
// least one byte, so a count beyond the payload is refused before anything
// is allocated for it.
func (r *rdbReader) count() (int, error) {
	n, enc, err := r.length()
	if err != nil || enc || n > uint64(len(r.p)-r.off) {
		return 0, errBadRDB
	}
	return int(n), nil
}

// string reads an RDB string in any of its encodings.
func (r *rdbReader) string() (string, error) {
	n, enc, err := r.length()
	if err != nil {
		return "", err
	}
	if !enc {
		b, err := r.take(n)
		return string(b), err
	}
	switch n {
	case 0:
		c, err := r.byte()
		return strconv.FormatInt(int64(int8(c)), 10), err
	case 1:
		b, err := r.take(2)
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(int64(int16(binary.LittleEndian.Uint16(b))), 10), nil
	case 2:
		b, err := r.take(4)
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(int64(int32(binary.LittleEndian.Uint32(b))), 10), nil
	case 3:
		clen, enc1, err := r.length()
		if err != nil || enc1 {
			return "", errBadRDB
		}
		ulen, enc2, err := r.length()
		if err != nil || enc2 {
			return "", errBadRDB
		}
		src, err := r.take(clen)
		if err != nil {
			return "", err
		}
		out, err := lzfDecompress(src, ulen)
		return string(out), err
	}
	return "", errBadRDB
}

// doubleText reads a score of RDB_TYPE_ZSET: a length byte, 253 NaN,
// 254 +inf, 255 -inf, otherwise that many bytes of decimal text.
func (r *rdbReader) doubleText() (float64, error) {
	c, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch c {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	b, err := r.take(uint64(c))
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, errBadRDB
	}
	return f, nil
}

func (r *rdbReader) binaryDouble() (float64, error) {
	b, err := r.take(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}

// lzfDecompress expands LZF data (liblzf's format: literal runs and back
// references) that must come to exactly n bytes.
func lzfDecompress(in []byte, n uint64) ([]byte, error) {
	if n == 0 || n > 1<<32 || n > uint64(len(in))*256 {
		// LZF expands at most about 256:1 (a 3-byte back reference of up
		// to 264 bytes): a larger claim is a lie, refused before
		// allocating it.
		return nil, errBadRDB
	}
	out := make([]byte, 0, n)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 {
			run := ctrl + 1
			if i+run > len(in) || len(out)+run > int(n) {
				return nil, errBadRDB
			}
			out = append(out, in[i:i+run]...)
			i += run
			continue
		}
		length := ctrl >> 5
		if length == 7 {
			if i >= len(in) {
				return nil, errBadRDB
			}
			length += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, errBadRDB
		}
		ref := len(out) - (ctrl&0x1f)<<8 - int(in[i]) - 1
		i++
		length += 2
		if ref < 0 || len(out)+length > int(n) {
			return nil, errBadRDB
		}
		for k := 0; k < length; k++ { // may overlap: byte by byte
			out = append(out, out[ref+k])
		}
	}
	if len(out) != int(n) {
		return nil, errBadRDB
	}
	return out, nil
}

// listpackEntries decodes every entry of a listpack as a string.
func listpackEntries(lp []byte) ([]string, error) {
	if len(lp) < 7 || int(binary.LittleEndian.Uint32(lp)) != len(lp) || lp[len(lp)-1] != 0xff {
		return nil, errBadRDB
	}
	declared := int(binary.LittleEndian.Uint16(lp[4:]))
	var out []string
	i := 6
	for lp[i] != 0xff {
		c := lp[i]
		var s string
		var encLen, dataLen int
		isStr := false
		switch {
		case c < 0x80: // 7-bit unsigned
			s, encLen = strconv.Itoa(int(c)), 1
		case c < 0xc0: // 6-bit string length
			encLen, dataLen, isStr = 1, int(c&0x3f), true
		case c < 0xe0: // 13-bit signed
			if i+1 >= len(lp) {
				return nil, errBadRDB
			}
			v := int(c&0x1f)<<8 | int(lp[i+1])
			if v >= 1<<12 {
				v -= 1 << 13
			}
			s, encLen = strconv.Itoa(v), 2
		case c < 0xf0: // 12-bit string length
			if i+1 >= len(lp) {
				return nil, errBadRDB
			}
			encLen, dataLen, isStr = 2, int(c&0x0f)<<8|int(lp[i+1]), true
		default:
			var v int64
			switch c {
			case 0xf0: // 32-bit string length
				if i+5 > len(lp) {
					return nil, errBadRDB
				}
				encLen, dataLen, isStr = 5, int(binary.LittleEndian.Uint32(lp[i+1:])), true
			case 0xf1:
				if i+3 > len(lp) {
					return nil, errBadRDB
				}
				v, encLen = int64(int16(binary.LittleEndian.Uint16(lp[i+1:]))), 3
			case 0xf2:
				if i+4 > len(lp) {
					return nil, errBadRDB
				}
				u := uint32(lp[i+1]) | uint32(lp[i+2])<<8 | uint32(lp[i+3])<<16
				v, encLen = int64(int32(u<<8)>>8), 4
			case 0xf3:
				if i+5 > len(lp) {
					return nil, errBadRDB
				}
				v, encLen = int64(int32(binary.LittleEndian.Uint32(lp[i+1:]))), 5
			case 0xf4:
				if i+9 > len(lp) {
					return nil, errBadRDB
				}
				v, encLen = int64(binary.LittleEndian.Uint64(lp[i+1:])), 9
			default:
				return nil, errBadRDB
			}
			if !isStr {
				s = strconv.FormatInt(v, 10)
			}
		}
		if isStr {
			if dataLen < 0 || dataLen > len(lp)-i-encLen {
				return nil, errBadRDB
			}
			s = string(lp[i+encLen : i+encLen+dataLen])
		}
		entry := encLen + dataLen
		i += entry + len(appendBacklen(nil, entry))
		if i >= len(lp) {
			return nil, errBadRDB
		}
		out = append(out, s)
	}
	if i != len(lp)-1 || (declared != 65535 && declared != len(out)) {
		return nil, errBadRDB
	}
	return out, nil
}

// ziplistEntries decodes every entry of a ziplist (the packed form of
// Redis before 7.0) as a string.
func ziplistEntries(zl []byte) ([]string, error) {
	if len(zl) < 11 || int(binary.LittleEndian.Uint32(zl)) != len(zl) || zl[len(zl)-1] != 0xff {
		return nil, errBadRDB
	}
	var out []string
	i := 10
	for zl[i] != 0xff {
		if zl[i] == 0xfe { // previous entry length: 1 or 5 bytes
			i += 5
		} else {
			i++
		}
		if i >= len(zl)-1 {
			return nil, errBadRDB
		}
		c := zl[i]
		var s string
		need := func(k int) bool { return i+k <= len(zl)-1 }
		switch c >> 6 {
		case 0, 1, 2: // strings: 6-bit, 14-bit or 32-bit length
			var n, hdr int
			switch c >> 6 {
			case 0:
				n, hdr = int(c&0x3f), 1
			case 1:
				if !need(2) {
					return nil, errBadRDB
				}
				n, hdr = int(c&0x3f)<<8|int(zl[i+1]), 2
			default:
				if !need(5) {
					return nil, errBadRDB
				}
				n, hdr = int(binary.BigEndian.Uint32(zl[i+1:])), 5
			}
			if n < 0 || !need(hdr+n) {
				return nil, errBadRDB
			}
			s = string(zl[i+hdr : i+hdr+n])
			i += hdr + n
		default:
			var v int64
			var size int
			switch {
			case c == 0xc0:
				size = 2
			case c == 0xd0:
				size = 4
			case c == 0xe0:
				size = 8
			case c == 0xf0:
				size = 3
			case c == 0xfe:
				size = 1
			case c >= 0xf1 && c <= 0xfd:
				v = int64(c&0x0f) - 1
			default:
				return nil, errBadRDB
			}
			if !need(1 + size) {
				return nil, errBadRDB
			}
			d := zl[i+1:]
			switch size {
			case 1:
				v = int64(int8(d[0]))
			case 2:
				v = int64(int16(binary.LittleEndian.Uint16(d)))
			case 3:
				v = int64(int32(uint32(d[0])<<8|uint32(d[1])<<16|uint32(d[2])<<24) >> 8)
			case 4:
				v = int64(int32(binary.LittleEndian.Uint32(d)))
			case 8:
				v = int64(binary.LittleEndian.Uint64(d))
			}
			s = strconv.FormatInt(v, 10)
			i += 1 + size
		}
		out = append(out, s)
	}
	if i != len(zl)-1 {
		return nil, errBadRDB
	}
	return out, nil
}

// intsetValues decodes an intset.
func intsetValues(b []byte) ([]int64, error) {
	if len(b) < 8 {
		return nil, errBadRDB
	}
	width := int(binary.LittleEndian.Uint32(b))
	n := int(binary.LittleEndian.Uint32(b[4:]))
	if (width != 2 && width != 4 && width != 8) || n == 0 || len(b)-8 != n*width {
		return nil, errBadRDB
	}
	out := make([]int64, n)
	for k := range out {
		d := b[8+k*width:]
		switch width {
		case 2:
			out[k] = int64(int16(binary.LittleEndian.Uint16(d)))
		case 4:
			out[k] = int64(int32(binary.LittleEndian.Uint32(d)))
		default:
			out[k] = int64(binary.LittleEndian.Uint64(d))
		}
		if k > 0 && out[k] <= out[k-1] {
			return nil, errBadRDB
		}
	}
	return out, nil
}
