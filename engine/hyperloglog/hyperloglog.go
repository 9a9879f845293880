// Package hyperloglog is Redis 7.0's HyperLogLog, byte for byte: the
// "HYLL" string representation (a 16-byte header, then either the sparse
// ZERO/XZERO/VAL opcodes or 16384 dense 6-bit registers), MurmurHash64A
// with Redis's seed, the in-place sparse update with its opcode merging,
// promotion to dense, and Otmar Ertl's estimator as Redis computes it. A
// value built here is the value Redis builds for the same additions, so
// HyperLogLogs move between GoRedis and Redis through GET/SET or
// DUMP/RESTORE and count the same.
//
// Functions take the whole string value. Those that change it take a
// private copy, change it in place (within its capacity) and may return a
// different slice (the value grew or became dense). Corrupt input is
// reported with ErrCorrupt, never a panic.
package hyperloglog

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"strings"
)

// Layout constants (Redis's HLL_* macros).
const (
	P          = 14
	Q          = 64 - P
	Registers  = 1 << P
	pMask      = Registers - 1
	bits       = 6
	regMax     = 1<<bits - 1
	HeaderSize = 16
	DenseSize  = HeaderSize + (Registers*bits+7)/8

	encDense  = 0
	encSparse = 1

	xzeroBit      = 0x40
	valBit        = 0x80
	valMaxValue   = 32
	valMaxLen     = 4
	zeroMaxLen    = 64
	xzeroMaxLen   = 16384
	alphaInf      = 0.721347520444481703680 // 0.5/ln(2)
	murmurSeed    = 0xadc83b19
	cacheValidBit = 1 << 7
)

// ErrCorrupt is Redis's "Corrupted HLL object detected".
var ErrCorrupt = errors.New("corrupted HLL object")

// New returns an empty HyperLogLog as Redis's createHLLObject makes it:
// sparse, all registers in XZERO opcodes, cached cardinality 0.
func New() []byte {
	b := make([]byte, HeaderSize, HeaderSize+2*((Registers+xzeroMaxLen-1)/xzeroMaxLen))
	copy(b, "HYLL")
	b[4] = encSparse
	for left := Registers; left > 0; {
		n := min(left, xzeroMaxLen)
		b = appendXZero(b, n)
		left -= n
	}
	return b
}

// Valid reports whether b passes Redis's isHLLObjectOrReply checks: long
// enough for the header, the magic, a known encoding, and the exact size
// when dense. Sparse data is only checked as it is read.
func Valid(b []byte) bool {
	if len(b) < HeaderSize || string(b[:4]) != "HYLL" || b[4] > encSparse {
		return false
	}
	return b[4] != encDense || len(b) == DenseSize
}

// IsDense reports whether a valid b uses the dense encoding.
func IsDense(b []byte) bool { return b[4] == encDense }

// CachedCard returns the cardinality cached in the header, if valid.
func CachedCard(b []byte) (uint64, bool) {
	if b[15]&cacheValidBit != 0 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[8:16]), true
}

// SetCachedCard stores card in the header as a valid cached cardinality.
func SetCachedCard(b []byte, card uint64) { binary.LittleEndian.PutUint64(b[8:16], card) }

// InvalidateCache marks the cached cardinality stale.
func InvalidateCache(b []byte) { b[15] |= cacheValidBit }

// MurmurHash64A is Austin Appleby's 64-bit MurmurHash2, as Redis hashes
// HyperLogLog elements (words read little-endian).
func MurmurHash64A(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ (uint64(len(key)) * m)
	for len(key) >= 8 {
		k := binary.LittleEndian.Uint64(key)
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
		key = key[8:]
	}
	if len(key) > 0 {
		for i := len(key) - 1; i >= 0; i-- {
			h ^= uint64(key[i]) << (8 * i)
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// PatLen is Redis's hllPatLen: the register an element maps to and the
// length of the run of zeros (plus the final one) in the rest of its hash.
func PatLen(ele []byte) (index int, count uint8) {
	hash := MurmurHash64A(ele, murmurSeed)
	index = int(hash & pMask)
	hash >>= P
	hash |= 1 << Q // the loop stops by Q+1
	count = 1
	for bit := uint64(1); hash&bit == 0; bit <<= 1 {
		count++
	}
	return index, count
}

// denseGet reads dense register i from regs (the bytes after the header).
// The last register's second byte lies past the end: zero, as Redis reads
// the sds terminator there.
func denseGet(regs []byte, i int) uint8 {
	byteIdx := i * bits / 8
	fb := uint(i * bits & 7)
	b0 := uint(regs[byteIdx])
	var b1 uint
	if byteIdx+1 < len(regs) {
		b1 = uint(regs[byteIdx+1])
	}
	return uint8((b0>>fb | b1<<(8-fb)) & regMax)
}

// denseSet writes dense register i.
func denseSet(regs []byte, i int, v uint8) {
	byteIdx := i * bits / 8
	fb := uint(i * bits & 7)
	val := uint(v)
	regs[byteIdx] = byte(uint(regs[byteIdx])&^(regMax<<fb) | val<<fb)
	if byteIdx+1 < len(regs) {
		regs[byteIdx+1] = byte(uint(regs[byteIdx+1])&^(regMax>>(8-fb)) | val>>(8-fb))
	}
}

// Opcode accessors of the sparse encoding.
func isZero(c byte) bool  { return c&0xc0 == 0 }
func isXZero(c byte) bool { return c&0xc0 == xzeroBit }
func isVal(c byte) bool   { return c&valBit != 0 }
func zeroLen(c byte) int  { return int(c&0x3f) + 1 }
func valValue(c byte) int { return int(c>>2&0x1f) + 1 }
func valLen(c byte) int   { return int(c&3) + 1 }

// xzeroLen reads the XZERO opcode at p; a second byte past the end reads
// as zero (Redis reads the sds terminator).
func xzeroLen(b []byte, p int) int {
	var lo int
	if p+1 < len(b) {
		lo = int(b[p+1])
	}
	return (int(b[p]&0x3f)<<8 | lo) + 1
}

func valOp(value, n int) byte { return byte((value-1)<<2|(n-1)) | valBit }
func zeroOp(n int) byte       { return byte(n - 1) }
func appendXZero(b []byte, n int) []byte {
	return append(b, byte((n-1)>>8)|xzeroBit, byte((n-1)&0xff))
}

// ToDense converts a sparse value to dense (Redis's hllSparseToDense); a
// dense value is returned as is.
func ToDense(b []byte) ([]byte, error) {
	if b[4] == encDense {
		return b, nil
	}
	dense := make([]byte, DenseSize)
	copy(dense, b[:HeaderSize]) // magic and cached cardinality
	dense[4] = encDense
	regs := dense[HeaderSize:]
	idx := 0
	for p := HeaderSize; p < len(b); {
		c := b[p]
		switch {
		case isZero(c):
			idx += zeroLen(c)
			p++
		case isXZero(c):
			idx += xzeroLen(b, p)
			p += 2
		default:
			n, v := valLen(c), valValue(c)
			if idx+n > Registers {
				return nil, ErrCorrupt
			}
			for ; n > 0; n-- {
				denseSet(regs, idx, uint8(v))
				idx++
			}
			p++
		}
	}
	if idx != Registers {
		return nil, ErrCorrupt
	}
	return dense, nil
}

// Set raises register index to count if it is lower (Redis's hllDenseSet
// and hllSparseSet); sparseMax is hll-sparse-max-bytes, past which a
// growing sparse value becomes dense. It reports whether the register
// changed.
func Set(b []byte, index int, count uint8, sparseMax int) ([]byte, bool, error) {
	if b[4] == encDense {
		regs := b[HeaderSize:]
		if count > denseGet(regs, index) {
			denseSet(regs, index, count)
			return b, true, nil
		}
		return b, false, nil
	}
	return sparseSet(b, index, count, sparseMax)
}

// WouldRaise reports whether Set(b, index, count) would change b, without
// changing it: PFADD of elements already counted then copies nothing. A
// sparse value too short to hold the register reports true, so that Set
// reports the corruption.
func WouldRaise(b []byte, index int, count uint8) bool {
	if b[4] == encDense {
		return count > denseGet(b[HeaderSize:], index)
	}
	first := 0
	for p := HeaderSize; p < len(b); {
		c := b[p]
		span, oplen, val := 0, 1, 0
		switch {
		case isZero(c):
			span = zeroLen(c)
		case isVal(c):
			span, val = valLen(c), valValue(c)
		default:
			span, oplen = xzeroLen(b, p), 2
		}
		if index <= first+span-1 {
			return int(count) > val
		}
		p += oplen
		first += span
	}
	return true
}

// Add adds one element (Redis's hllAdd).
func Add(b []byte, ele []byte, sparseMax int) ([]byte, bool, error) {
	index, count := PatLen(ele)
	return Set(b, index, count, sparseMax)
}

func sparseSet(b []byte, index int, count uint8, sparseMax int) ([]byte, bool, error) {
	if count > valMaxValue {
		return promote(b, index, count)
	}
	// Step 1: find the opcode covering index.
	end := len(b)
	p, first, prev, span := HeaderSize, 0, -1, 0
	for p < end {
		oplen := 1
		c := b[p]
		switch {
		case isZero(c):
			span = zeroLen(c)
		case isVal(c):
			span = valLen(c)
		default:
			span = xzeroLen(b, p)
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return b, false, ErrCorrupt
	}
	c := b[p]
	zero, xzero, val := isZero(c), isXZero(c), isVal(c)
	var runlen int
	switch {
	case zero:
		runlen = zeroLen(c)
	case xzero:
		runlen = xzeroLen(b, p)
	default:
		runlen = valLen(c)
	}
	// Step 2: the trivial in-place cases.
	if val {
		if valValue(c) >= int(count) {
			return b, false, nil
		}
		if runlen == 1 {
			b[p] = valOp(int(count), 1)
			return mergeAdjacent(b, prev), true, nil
		}
	}
	if zero && runlen == 1 {
		b[p] = valOp(int(count), 1)
		return mergeAdjacent(b, prev), true, nil
	}
	// The general case: split the opcode into up to three.
	var seq [5]byte
	n := 0
	last := first + span - 1
	zeros := func(l int) {
		if l > zeroMaxLen {
			seq[n] = byte((l-1)>>8) | xzeroBit
			seq[n+1] = byte((l - 1) & 0xff)
			n += 2
		} else {
			seq[n] = zeroOp(l)
			n++
		}
	}
	if zero || xzero {
		if index != first {
			zeros(index - first)
		}
		seq[n] = valOp(int(count), 1)
		n++
		if index != last {
			zeros(last - index)
		}
	} else {
		cur := valValue(c)
		if index != first {
			seq[n] = valOp(cur, index-first)
			n++
		}
		seq[n] = valOp(int(count), 1)
		n++
		if index != last {
			seq[n] = valOp(cur, last-index)
			n++
		}
	}
	// Step 3: put the new sequence in place of the old opcode.
	oldLen := 1
	if xzero {
		oldLen = 2
	}
	delta := n - oldLen
	if delta > 0 && len(b)+delta > sparseMax {
		return promote(b, index, count)
	}
	newLen := len(b) + delta
	tailAt := min(p+oldLen, len(b))
	total := p + n + len(b) - tailAt
	var nb []byte
	if total <= cap(b) {
		// In place, as Redis's memmove within the sds: b is the caller's.
		nb = b[:total]
		copy(nb[p+n:], b[tailAt:])
	} else {
		// Room for further growth, as sdsMakeRoomFor leaves it.
		nb = make([]byte, total, 2*total)
		copy(nb, b[:p])
		copy(nb[p+n:], b[tailAt:])
	}
	copy(nb[p:], seq[:n])
	return mergeAdjacent(nb[:newLen], prev), true, nil
}

// mergeAdjacent is step 4 of hllSparseSet: scanning up to five opcodes
// from prev (or the start), adjacent VAL opcodes of one value merge while
// their length fits. It also invalidates the cached cardinality.
func mergeAdjacent(b []byte, prev int) []byte {
	p := HeaderSize
	if prev >= 0 {
		p = prev
	}
	for scan := 5; p < len(b) && scan > 0; {
		scan--
		c := b[p]
		if isXZero(c) {
			p += 2
			continue
		}
		if isZero(c) {
			p++
			continue
		}
		if p+1 < len(b) && isVal(b[p+1]) {
			v1, v2 := valValue(c), valValue(b[p+1])
			if l := valLen(c) + valLen(b[p+1]); v1 == v2 && l <= valMaxLen {
				b[p+1] = valOp(v1, l)
				copy(b[p:], b[p+1:])
				b = b[:len(b)-1]
				continue
			}
		}
		p++
	}
	InvalidateCache(b)
	return b
}

// promote converts to dense and sets the register there.
func promote(b []byte, index int, count uint8) ([]byte, bool, error) {
	d, err := ToDense(b)
	if err != nil {
		return b, false, ErrCorrupt
	}
	regs := d[HeaderSize:]
	if count > denseGet(regs, index) {
		denseSet(regs, index, count)
	}
	return d, true, nil
}

// Merge raises each of maxRegs to the register of b (Redis's hllMerge).
func Merge(maxRegs *[Registers]uint8, b []byte) error {
	if b[4] == encDense {
		// Four registers in every three bytes.
		regs := b[HeaderSize:]
		for i, r := 0, 0; i+3 <= len(regs); i, r = i+3, r+4 {
			r0, r1, r2 := regs[i], regs[i+1], regs[i+2]
			m := maxRegs[r : r+4 : r+4]
			m[0] = max(m[0], r0&63)
			m[1] = max(m[1], (r0>>6|r1<<2)&63)
			m[2] = max(m[2], (r1>>4|r2<<4)&63)
			m[3] = max(m[3], r2>>2&63)
		}
		return nil
	}
	i := 0
	for p := HeaderSize; p < len(b); {
		c := b[p]
		switch {
		case isZero(c):
			i += zeroLen(c)
			p++
		case isXZero(c):
			i += xzeroLen(b, p)
			p += 2
		default:
			n, v := valLen(c), uint8(valValue(c))
			if i+n > Registers {
				return ErrCorrupt
			}
			for ; n > 0; n-- {
				if v > maxRegs[i] {
					maxRegs[i] = v
				}
				i++
			}
			p++
		}
	}
	if i != Registers {
		return ErrCorrupt
	}
	return nil
}

// Count estimates the cardinality of b (Redis's hllCount), ignoring the
// cache. A sparse value whose opcodes do not cover exactly the registers
// is corrupt.
func Count(b []byte) (uint64, error) {
	var histo [64]int
	if b[4] == encDense {
		denseHisto(b[HeaderSize:], &histo)
		return estimate(&histo), nil
	}
	idx := 0
	for p := HeaderSize; p < len(b); {
		c := b[p]
		switch {
		case isZero(c):
			n := zeroLen(c)
			idx += n
			histo[0] += n
			p++
		case isXZero(c):
			n := xzeroLen(b, p)
			idx += n
			histo[0] += n
			p += 2
		default:
			n := valLen(c)
			idx += n
			histo[valValue(c)] += n
			p++
		}
	}
	if idx != Registers {
		return 0, ErrCorrupt
	}
	return estimate(&histo), nil
}

// CountRegisters estimates the cardinality of raw registers, one byte
// each (PFCOUNT of several keys).
func CountRegisters(regs *[Registers]uint8) uint64 {
	var histo [64]int
	for _, v := range regs {
		histo[v&63]++
	}
	return estimate(&histo)
}

func denseHisto(regs []byte, histo *[64]int) {
	// Four registers in every three bytes.
	for i := 0; i+3 <= len(regs); i += 3 {
		r0, r1, r2 := regs[i], regs[i+1], regs[i+2]
		histo[r0&63]++
		histo[(r0>>6|r1<<2)&63]++
		histo[(r1>>4|r2<<4)&63]++
		histo[r2>>2&63]++
	}
}

// sigma and tau are the helper functions of Ertl's estimator, computed in
// the same order as Redis so that results agree to the last bit.
func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		prev := z
		z += float64(x * y) // no fused multiply-add: C rounds the product
		y += y
		if prev == z {
			return z
		}
	}
}

func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		prev := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if prev == z {
			return z / 3
		}
	}
}

func estimate(histo *[64]int) uint64 {
	const m = float64(Registers)
	z := m * tau((m-float64(histo[Q+1]))/m)
	for j := Q; j >= 1; j-- {
		z += float64(histo[j])
		z *= 0.5
	}
	z += float64(m * sigma(float64(histo[0])/m))
	return uint64(math.Round(alphaInf * m * m / z))
}

// DenseRegisters returns the 16384 registers of a dense value.
func DenseRegisters(b []byte) []uint8 {
	out := make([]uint8, Registers)
	regs := b[HeaderSize:]
	for i := range out {
		out[i] = denseGet(regs, i)
	}
	return out
}

// Decode lists a sparse value's opcodes as PFDEBUG DECODE prints them:
// "Z:16384", "z:12", "v:3,1".
func Decode(b []byte) string {
	var sb strings.Builder
	for p := HeaderSize; p < len(b); {
		c := b[p]
		switch {
		case isZero(c):
			sb.WriteString("z:" + strconv.Itoa(zeroLen(c)) + " ")
			p++
		case isXZero(c):
			sb.WriteString("Z:" + strconv.Itoa(xzeroLen(b, p)) + " ")
			p += 2
		default:
			sb.WriteString("v:" + strconv.Itoa(valValue(c)) + "," + strconv.Itoa(valLen(c)) + " ")
			p++
		}
	}
	return strings.TrimRight(sb.String(), " ")
}
