package engine

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// Bit-level algorithms behind SETBIT, BITCOUNT, BITPOS, BITOP and BITFIELD
// (Redis's bitops.c). Bit 0 is the most significant bit of the first byte.
// They work on 64-bit words where they can: a word loaded little-endian
// still holds exactly the bits of its eight bytes, which is all popcount and
// the all-zeros / all-ones tests need.

// popcount counts the set bits of b.
func popcount(b []byte) int64 {
	var n int
	for len(b) >= 32 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(b)) +
			bits.OnesCount64(binary.LittleEndian.Uint64(b[8:])) +
			bits.OnesCount64(binary.LittleEndian.Uint64(b[16:])) +
			bits.OnesCount64(binary.LittleEndian.Uint64(b[24:]))
		b = b[32:]
	}
	for len(b) >= 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	for _, c := range b {
		n += bits.OnesCount8(c)
	}
	return int64(n)
}

// bitpos is Redis's redisBitpos: the position of the first bit equal to bit
// in b. Looking for a 1 that is not there gives -1; looking for a 0 that is
// not there gives len(b)*8, the first bit of the zero padding to the right.
func bitpos(b []byte, bit int) int64 {
	var skip uint64
	var skipByte byte
	if bit == 0 {
		skip, skipByte = math.MaxUint64, 0xff
	}
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:]) != skip {
			break
		}
	}
	for ; i < len(b); i++ {
		c := b[i]
		if c == skipByte {
			continue
		}
		if bit == 0 {
			c = ^c
		}
		return int64(i)*8 + int64(bits.LeadingZeros8(c))
	}
	if bit == 1 {
		return -1
	}
	return int64(len(b)) * 8
}

// bitopApply computes BITOP op over srcs into dst (len(dst) is the
// longest source; shorter sources count as zero-padded). op is one of
// "and", "or", "xor", "not" (NOT has one source). Every byte of dst is
// written, so dst need not be zeroed. dst may be one of the sources (the
// same bytes): each word is read from every source before it is written.
func bitopApply(op string, dst []byte, srcs [][]byte) {
	minLen := len(dst)
	for _, s := range srcs {
		minLen = min(minLen, len(s))
	}
	// Word-sized fast path over the prefix every source covers: one pass,
	// each word of every source read once.
	w := minLen &^ 7
	first := srcs[0]
	switch {
	case op == "not":
		for i := 0; i < w; i += 8 {
			binary.LittleEndian.PutUint64(dst[i:], ^binary.LittleEndian.Uint64(first[i:]))
		}
	case len(srcs) == 2:
		bitop2(op, dst[:w], first[:w], srcs[1][:w])
	default:
		for i := 0; i < w; i += 8 {
			v := binary.LittleEndian.Uint64(first[i:])
			for _, s := range srcs[1:] {
				x := binary.LittleEndian.Uint64(s[i:])
				switch op {
				case "and":
					v &= x
				case "or":
					v |= x
				default:
					v ^= x
				}
			}
			binary.LittleEndian.PutUint64(dst[i:], v)
		}
	}
	// The tail, where some sources have ended, byte by byte.
	byteAt := func(s []byte, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	for i := w; i < len(dst); i++ {
		out := byteAt(first, i)
		switch op {
		case "not":
			out = ^out
		case "and":
			for _, s := range srcs[1:] {
				out &= byteAt(s, i)
			}
		case "or":
			for _, s := range srcs[1:] {
				out |= byteAt(s, i)
			}
		case "xor":
			for _, s := range srcs[1:] {
				out ^= byteAt(s, i)
			}
		}
		dst[i] = out
	}
}

// bitop2 is bitopApply's word loop for two sources of len(dst) bytes (a
// multiple of 8), four words at a time.
func bitop2(op string, dst, a, b []byte) {
	le := binary.LittleEndian
	n := len(dst)
	i := 0
	switch op {
	case "and":
		for ; i+32 <= n; i += 32 {
			x, y, z := a[i:i+32:i+32], b[i:i+32:i+32], dst[i:i+32:i+32]
			x0, x1, x2, x3 := le.Uint64(x), le.Uint64(x[8:]), le.Uint64(x[16:]), le.Uint64(x[24:])
			y0, y1, y2, y3 := le.Uint64(y), le.Uint64(y[8:]), le.Uint64(y[16:]), le.Uint64(y[24:])
			le.PutUint64(z, x0&y0)
			le.PutUint64(z[8:], x1&y1)
			le.PutUint64(z[16:], x2&y2)
			le.PutUint64(z[24:], x3&y3)
		}
		for ; i < n; i += 8 {
			le.PutUint64(dst[i:], le.Uint64(a[i:])&le.Uint64(b[i:]))
		}
	case "or":
		for ; i+32 <= n; i += 32 {
			x, y, z := a[i:i+32:i+32], b[i:i+32:i+32], dst[i:i+32:i+32]
			x0, x1, x2, x3 := le.Uint64(x), le.Uint64(x[8:]), le.Uint64(x[16:]), le.Uint64(x[24:])
			y0, y1, y2, y3 := le.Uint64(y), le.Uint64(y[8:]), le.Uint64(y[16:]), le.Uint64(y[24:])
			le.PutUint64(z, x0|y0)
			le.PutUint64(z[8:], x1|y1)
			le.PutUint64(z[16:], x2|y2)
			le.PutUint64(z[24:], x3|y3)
		}
		for ; i < n; i += 8 {
			le.PutUint64(dst[i:], le.Uint64(a[i:])|le.Uint64(b[i:]))
		}
	default: // xor
		for ; i+32 <= n; i += 32 {
			x, y, z := a[i:i+32:i+32], b[i:i+32:i+32], dst[i:i+32:i+32]
			x0, x1, x2, x3 := le.Uint64(x), le.Uint64(x[8:]), le.Uint64(x[16:]), le.Uint64(x[24:])
			y0, y1, y2, y3 := le.Uint64(y), le.Uint64(y[8:]), le.Uint64(y[16:]), le.Uint64(y[24:])
			le.PutUint64(z, x0^y0)
			le.PutUint64(z[8:], x1^y1)
			le.PutUint64(z[16:], x2^y2)
			le.PutUint64(z[24:], x3^y3)
		}
		for ; i < n; i += 8 {
			le.PutUint64(dst[i:], le.Uint64(a[i:])^le.Uint64(b[i:]))
		}
	}
}

// getUnsignedBitfield reads a bits-wide unsigned integer at bit offset.
// p must hold every byte the field touches.
func getUnsignedBitfield(p []byte, offset uint64, width int) uint64 {
	var v uint64
	for j := 0; j < width; j++ {
		byteVal := p[offset>>3]
		bit := 7 - (offset & 7)
		v = v<<1 | uint64(byteVal>>bit&1)
		offset++
	}
	return v
}

// getSignedBitfield reads a bits-wide two's complement integer.
func getSignedBitfield(p []byte, offset uint64, width int) int64 {
	v := int64(getUnsignedBitfield(p, offset, width))
	if width < 64 && v&(1<<(width-1)) != 0 {
		v |= -1 << width
	}
	return v
}

// setUnsignedBitfield writes the low bits of v at bit offset.
func setUnsignedBitfield(p []byte, offset uint64, width int, v uint64) {
	for j := 0; j < width; j++ {
		bitVal := byte(v >> (width - 1 - j) & 1)
		bit := 7 - (offset & 7)
		p[offset>>3] = p[offset>>3]&^(1<<bit) | bitVal<<bit
		offset++
	}
}

// Overflow policies of BITFIELD's OVERFLOW subcommand.
const (
	overflowWrap = iota
	overflowSat
	overflowFail
)

// unsignedFieldOverflow is Redis's checkUnsignedBitfieldOverflow: whether
// value+incr leaves the range of a bits-wide unsigned field, and the
// value to store instead under WRAP or SAT.
func unsignedFieldOverflow(value uint64, incr int64, width int, policy int) (bool, uint64) {
	maxVal := uint64(1)<<width - 1
	maxIncr := int64(maxVal - value)
	minIncr := -int64(value)
	wrap := func() uint64 { return (value + uint64(incr)) & maxVal }
	switch {
	case value > maxVal || (incr > 0 && incr > maxIncr):
		if policy == overflowSat {
			return true, maxVal
		}
		return true, wrap()
	case incr < 0 && incr < minIncr:
		if policy == overflowSat {
			return true, 0
		}
		return true, wrap()
	}
	return false, 0
}

// signedFieldOverflow is Redis's checkSignedBitfieldOverflow.
func signedFieldOverflow(value, incr int64, width int, policy int) (bool, int64) {
	maxVal := int64(math.MaxInt64)
	if width < 64 {
		maxVal = 1<<(width-1) - 1
	}
	minVal := -maxVal - 1
	maxIncr := int64(uint64(maxVal) - uint64(value))
	minIncr := minVal - value
	wrap := func() int64 {
		c := uint64(value) + uint64(incr)
		if width < 64 {
			mask := uint64(math.MaxUint64) << width
			if c&(1<<(width-1)) != 0 {
				c |= mask
			} else {
				c &^= mask
			}
		}
		return int64(c)
	}
	switch {
	case value > maxVal || (width != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr):
		if policy == overflowSat {
			return true, maxVal
		}
		return true, wrap()
	case value < minVal || (width != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr):
		if policy == overflowSat {
			return true, minVal
		}
		return true, wrap()
	}
	return false, 0
}
