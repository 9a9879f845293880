package rdb

import (
	"errors"
	"sync"
)

// LZF as liblzf 3.6 writes it with Redis's build options (HLOG 16,
// VERY_FAST): a run of 1-32 literal bytes is a control byte 0-31 and the
// bytes; a back reference is 3 bits of length and 13 bits of offset
// (length 7 takes a second byte). Redis compresses strings over 20 bytes
// and keeps the result only when it saves at least 4 bytes.

const (
	lzfHashLog = 16
	lzfMaxLit  = 1 << 5
	lzfMaxOff  = 1 << 13
	lzfMaxRef  = (1 << 8) + (1 << 3)
)

// errCorrupt is any malformed input.
var errCorrupt = errors.New("rdb: corrupt data")

// lzfTable is a compressor's hash table with its current generation.
type lzfTable struct {
	slots []uint64
	gen   uint32
}

var lzfTables = sync.Pool{New: func() any { return &lzfTable{slots: make([]uint64, 1<<lzfHashLog)} }}

// lzfIdx is liblzf's VERY_FAST hash of three bytes.
func lzfIdx(h uint32) uint32 {
	return ((h >> (3*8 - lzfHashLog)) - h*5) & (1<<lzfHashLog - 1)
}

// LZFCompress appends the compressed form of in to dst and reports
// whether it fits in maxOut bytes (liblzf's out_len); on false dst is
// returned unchanged.
func LZFCompress(dst, in []byte, maxOut int) ([]byte, bool) {
	inLen := len(in)
	if inLen == 0 || maxOut <= 0 {
		return dst, false
	}
	// The hash table holds positions; an entry counts only if it carries
	// this call's generation, so a pooled table needs no clearing (256K
	// entries: zeroing one per string would cost more than compressing).
	tab := lzfTables.Get().(*lzfTable)
	defer lzfTables.Put(tab)
	tab.gen++
	if tab.gen == 0 {
		clear(tab.slots)
		tab.gen = 1
	}
	gen := uint64(tab.gen) << 32
	htab := tab.slots
	base := len(dst)
	out := append(dst, make([]byte, maxOut)...)
	op := base
	outEnd := base + maxOut
	ip := 0
	lit := 0
	op++ // start run
	hval := uint32(in[0])<<8 | uint32(in[1%inLen])
	for ip < inLen-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := lzfIdx(hval)
		ref := -1
		if v := htab[slot]; v&^0xffffffff == gen {
			ref = int(uint32(v))
		}
		htab[slot] = gen | uint64(ip)
		off := ip - ref - 1
		if ref > 0 && off >= 0 && off < lzfMaxOff && in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			length := 2
			maxLen := inLen - ip - length
			if maxLen > lzfMaxRef {
				maxLen = lzfMaxRef
			}
			if op+3+1 >= outEnd {
				undo := 0
				if lit == 0 {
					undo = 1
				}
				if op-undo+3+1 >= outEnd {
					return dst, false
				}
			}
			out[op-lit-1] = byte(lit - 1)
			if lit == 0 {
				op--
			}
			for {
				length++
				if length >= maxLen || in[ref+length] != in[ip+length] {
					break
				}
			}
			length -= 2
			ip++
			if length < 7 {
				out[op] = byte(off>>8) + byte(length<<5)
				op++
			} else {
				out[op] = byte(off>>8) + 7<<5
				out[op+1] = byte(length - 7)
				op += 2
			}
			out[op] = byte(off)
			op++
			lit = 0
			op++ // start run
			ip += length + 1
			if ip >= inLen-2 {
				break
			}
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			htab[lzfIdx(hval)] = gen | uint64(ip)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			htab[lzfIdx(hval)] = gen | uint64(ip)
			ip++
		} else {
			if op >= outEnd {
				return dst, false
			}
			lit++
			out[op] = in[ip]
			op++
			ip++
			if lit == lzfMaxLit {
				out[op-lit-1] = byte(lit - 1)
				lit = 0
				op++
			}
		}
	}
	if op+3 > outEnd {
		return dst, false
	}
	for ip < inLen {
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1)
	if lit == 0 {
		op--
	}
	return out[:op], true
}

// LZFDecompress expands LZF data that must come to exactly n bytes.
func LZFDecompress(in []byte, n int) ([]byte, error) {
	if n <= 0 || n > len(in)*lzfMaxRef+lzfMaxLit {
		// A back reference of 3 bytes expands to at most 264: a larger
		// claim is a lie, refused before allocating it.
		return nil, errCorrupt
	}
	out := make([]byte, 0, n)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 {
			run := ctrl + 1
			if i+run > len(in) || len(out)+run > n {
				return nil, errCorrupt
			}
			out = append(out, in[i:i+run]...)
			i += run
			continue
		}
		length := ctrl >> 5
		if length == 7 {
			if i >= len(in) {
				return nil, errCorrupt
			}
			length += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, errCorrupt
		}
		ref := len(out) - (ctrl&0x1f)<<8 - int(in[i]) - 1
		i++
		length += 2
		if ref < 0 || len(out)+length > n {
			return nil, errCorrupt
		}
		for k := 0; k < length; k++ { // may overlap: byte by byte
			out = append(out, out[ref+k])
		}
	}
	if len(out) != n {
		return nil, errCorrupt
	}
	return out, nil
}
