package rdb

import (
	"encoding/binary"
	"strconv"
	"unsafe"
)

// The packed containers Redis stores inside one string: listpack (7.0),
// ziplist (before 7.0), intset, zipmap (before 2.6). Each decoder checks
// every offset against the blob and its declared sizes.

// ListpackEntries decodes every entry of a listpack as a string.
func ListpackEntries(lp []byte) ([]string, error) { return listpackEntries(lp, false) }

// listpackEntriesShared is ListpackEntries whose string entries share
// lp's memory (one allocation per value, not per entry): for a blob the
// decoder read for this value alone and nobody writes again.
func listpackEntriesShared(lp []byte) ([]string, error) { return listpackEntries(lp, true) }

func listpackEntries(lp []byte, share bool) ([]string, error) {
	if len(lp) < 7 || int(binary.LittleEndian.Uint32(lp)) != len(lp) || lp[len(lp)-1] != 0xff {
		return nil, errCorrupt
	}
	declared := int(binary.LittleEndian.Uint16(lp[4:]))
	out := make([]string, 0, min(declared, len(lp)/2))
	// Shared: integer entries get their decimal text in one buffer per
	// listpack rather than a string each. An append that moves the buffer
	// leaves the earlier texts where they are (never written again).
	var nums []byte
	if share {
		nums = make([]byte, 0, min(8*cap(out), 4*len(lp)))
	}
	itoa := func(v int64) string {
		if !share || (v >= 0 && v < 100) { // strconv's small numbers cost nothing
			return strconv.FormatInt(v, 10)
		}
		start := len(nums)
		nums = strconv.AppendInt(nums, v, 10)
		return unsafe.String(&nums[start], len(nums)-start)
	}
	i := 6
	for lp[i] != 0xff {
		c := lp[i]
		var s string
		var encLen, dataLen int
		isStr := false
		switch {
		case c < 0x80: // 7-bit unsigned
			s, encLen = itoa(int64(c)), 1
		case c < 0xc0: // 6-bit string length
			encLen, dataLen, isStr = 1, int(c&0x3f), true
		case c < 0xe0: // 13-bit signed
			if i+1 >= len(lp) {
				return nil, errCorrupt
			}
			v := int(c&0x1f)<<8 | int(lp[i+1])
			if v >= 1<<12 {
				v -= 1 << 13
			}
			s, encLen = itoa(int64(v)), 2
		case c < 0xf0: // 12-bit string length
			if i+1 >= len(lp) {
				return nil, errCorrupt
			}
			encLen, dataLen, isStr = 2, int(c&0x0f)<<8|int(lp[i+1]), true
		default:
			var v int64
			switch c {
			case 0xf0: // 32-bit string length
				if i+5 > len(lp) {
					return nil, errCorrupt
				}
				encLen, dataLen, isStr = 5, int(binary.LittleEndian.Uint32(lp[i+1:])), true
			case 0xf1:
				if i+3 > len(lp) {
					return nil, errCorrupt
				}
				v, encLen = int64(int16(binary.LittleEndian.Uint16(lp[i+1:]))), 3
			case 0xf2:
				if i+4 > len(lp) {
					return nil, errCorrupt
				}
				u := uint32(lp[i+1]) | uint32(lp[i+2])<<8 | uint32(lp[i+3])<<16
				v, encLen = int64(int32(u<<8)>>8), 4
			case 0xf3:
				if i+5 > len(lp) {
					return nil, errCorrupt
				}
				v, encLen = int64(int32(binary.LittleEndian.Uint32(lp[i+1:]))), 5
			case 0xf4:
				if i+9 > len(lp) {
					return nil, errCorrupt
				}
				v, encLen = int64(binary.LittleEndian.Uint64(lp[i+1:])), 9
			default:
				return nil, errCorrupt
			}
			if !isStr {
				s = itoa(v)
			}
		}
		if isStr {
			if dataLen < 0 || dataLen > len(lp)-i-encLen {
				return nil, errCorrupt
			}
			if share && dataLen > 0 {
				s = unsafe.String(&lp[i+encLen], dataLen)
			} else {
				s = string(lp[i+encLen : i+encLen+dataLen])
			}
		}
		entry := encLen + dataLen
		if i+entry >= len(lp) || !listpackBacklenOK(lp[i+entry:len(lp)-1], entry) {
			return nil, errCorrupt
		}
		i += entry + ListpackBacklenSize(entry)
		if i >= len(lp) {
			return nil, errCorrupt
		}
		out = append(out, s)
	}
	if i != len(lp)-1 || (declared != 65535 && declared != len(out)) {
		return nil, errCorrupt
	}
	return out, nil
}

// ZiplistEntries decodes every entry of a ziplist (the packed form of
// Redis before 7.0) as a string.
func ZiplistEntries(zl []byte) ([]string, error) {
	if len(zl) < 11 || int(binary.LittleEndian.Uint32(zl)) != len(zl) || zl[len(zl)-1] != 0xff {
		return nil, errCorrupt
	}
	var out []string
	i := 10
	prevStart, lastStart := 0, 10
	for zl[i] != 0xff {
		// The previous entry's size, 0 for the first.
		prevlen, size, ok := ziplistPrevlen(zl, i)
		if !ok || (prevStart == 0 && prevlen != 0) || (prevStart != 0 && prevlen != i-prevStart) {
			return nil, errCorrupt
		}
		prevStart, lastStart = i, i
		i += size
		if i >= len(zl)-1 {
			return nil, errCorrupt
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
					return nil, errCorrupt
				}
				n, hdr = int(c&0x3f)<<8|int(zl[i+1]), 2
			default:
				if !need(5) {
					return nil, errCorrupt
				}
				n, hdr = int(binary.BigEndian.Uint32(zl[i+1:])), 5
			}
			if n < 0 || !need(hdr+n) {
				return nil, errCorrupt
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
				return nil, errCorrupt
			}
			if !need(1 + size) {
				return nil, errCorrupt
			}
			p := zl[i+1:]
			switch size {
			case 1:
				v = int64(int8(p[0]))
			case 2:
				v = int64(int16(binary.LittleEndian.Uint16(p)))
			case 3:
				v = int64(int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24) >> 8)
			case 4:
				v = int64(int32(binary.LittleEndian.Uint32(p)))
			case 8:
				v = int64(binary.LittleEndian.Uint64(p))
			}
			s = strconv.FormatInt(v, 10)
			i += 1 + size
		}
		out = append(out, s)
	}
	if i != len(zl)-1 || !ziplistHeaderOK(zl, len(out), lastStart) {
		return nil, errCorrupt
	}
	return out, nil
}

// IntsetValues decodes an intset: ascending distinct integers.
func IntsetValues(b []byte) ([]int64, error) {
	if len(b) < 8 {
		return nil, errCorrupt
	}
	width := int(binary.LittleEndian.Uint32(b))
	n := int(binary.LittleEndian.Uint32(b[4:]))
	if (width != 2 && width != 4 && width != 8) || n == 0 || len(b)-8 != n*width {
		return nil, errCorrupt
	}
	out := make([]int64, n)
	for k := range out {
		p := b[8+k*width:]
		switch width {
		case 2:
			out[k] = int64(int16(binary.LittleEndian.Uint16(p)))
		case 4:
			out[k] = int64(int32(binary.LittleEndian.Uint32(p)))
		default:
			out[k] = int64(binary.LittleEndian.Uint64(p))
		}
		if k > 0 && out[k] <= out[k-1] {
			return nil, errCorrupt
		}
	}
	return out, nil
}

// IntsetEntries is IntsetValues in decimal.
func IntsetEntries(b []byte) ([]string, error) {
	vals, err := IntsetValues(b)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(vals))
	for k, v := range vals {
		out[k] = strconv.FormatInt(v, 10)
	}
	return out, nil
}

// ZipmapEntries decodes a zipmap (hashes of Redis before 2.6): a count
// byte, then per pair a length, the field, a length, a free-space byte,
// the value and its free space; 0xFF ends it. Fields and values
// alternate in the result.
func ZipmapEntries(zm []byte) ([]string, error) {
	if len(zm) < 2 || zm[len(zm)-1] != 0xff {
		return nil, errCorrupt
	}
	i := 1
	readLen := func() (int, bool) {
		if i >= len(zm) {
			return 0, false
		}
		c := zm[i]
		if c < 254 {
			i++
			return int(c), true
		}
		if c == 254 && i+5 <= len(zm) {
			n := int(binary.LittleEndian.Uint32(zm[i+1:]))
			i += 5
			return n, n >= 0
		}
		return 0, false
	}
	var out []string
	for i < len(zm) && zm[i] != 0xff {
		klen, ok := readLen()
		if !ok || klen > len(zm)-i {
			return nil, errCorrupt
		}
		out = append(out, string(zm[i:i+klen]))
		i += klen
		vlen, ok := readLen()
		if !ok || i >= len(zm) {
			return nil, errCorrupt
		}
		free := int(zm[i])
		i++
		if vlen > len(zm)-i || free > len(zm)-i-vlen {
			return nil, errCorrupt
		}
		out = append(out, string(zm[i:i+vlen]))
		i += vlen + free
	}
	if i != len(zm)-1 || len(out) == 0 {
		return nil, errCorrupt
	}
	return out, nil
}
