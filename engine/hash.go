package engine

import (
	"encoding/binary"
	"hash/maphash"
	"strings"
	"unsafe"
)

// hash is the value of a Redis hash. Like Redis it has two forms:
//
//   - small ("listpack"): every field and value packed in one byte slice,
//     each as a uvarint length and the bytes, in insertion order. A field
//     costs its bytes plus one or two, one allocation holds the whole
//     hash, and look-ups are a linear walk, cheap at this size.
//   - big ("hashtable"): a dense slice of field/value pairs (uniform random
//     picks for HRANDFIELD in O(1)) and an smap from field to its pair
//     (O(1) look-ups and a SCAN cursor that survives growth for HSCAN).
//
// A hash goes big when it has more than hash-max-listpack-entries fields
// or is given a field or value longer than hash-max-listpack-value, and,
// as in Redis, never goes back.
type hash struct {
	snapMark
	lp  []byte // small form
	n   int    // pairs in lp
	big *bigHash
}

type bigHash struct {
	idx   smap[uint32] // field -> pair number
	pairs []string     // field0, value0, field1, value1, ...
	// elemMem is the memory of the fields' and values' bytes.
	elemMem int64
}

// smapSlotBytes is a field's share of an smap's Go map at its usual load,
// for small values (a string key and up to 16 bytes of value).
const smapSlotBytes = 48

// memUsage is the hash's memory: the packed bytes when small, else the
// pairs, their bytes and their index.
func (h *hash) memUsage() int64 {
	if h.big == nil {
		return int64(cap(h.lp))
	}
	b := h.big
	return 16*int64(cap(b.pairs)) + b.elemMem + smapSlotBytes*int64(len(b.pairs)/2)
}

func (h *hash) typeName() string { return "hash" }

func (h *hash) encoding() string {
	if h.big != nil {
		return "hashtable"
	}
	return "listpack"
}

func (h *hash) len() int {
	if h.big != nil {
		return len(h.big.pairs) / 2
	}
	return h.n
}

// isSmall reports whether the hash is still in its packed form.
func (h *hash) isSmall() bool { return h.big == nil }

// lpEntry reads the entry at off: its bytes are lp[start:end].
func (h *hash) lpEntry(off int) (start, end int) {
	if c := h.lp[off]; c < 0x80 { // lengths below 128: one byte, inlined
		return off + 1, off + 1 + int(c)
	}
	l, k := binary.Uvarint(h.lp[off:])
	start = off + k
	return start, start + int(l)
}

// lpFind returns the offsets of field's entry and of its value's entry,
// or fieldOff = -1.
func (h *hash) lpFind(field string) (fieldOff, valOff int) {
	lp := h.lp
	for off := 0; off < len(lp); {
		fs, fe := h.lpEntry(off)
		// Same-length fields often share a prefix ("user:17", "user:42"):
		// the last byte rules most of them out before a full compare.
		if fe-fs == len(field) && (fe == fs || lp[fe-1] == field[len(field)-1]) && string(lp[fs:fe]) == field {
			return off, fe
		}
		_, off = h.lpEntry(fe)
	}
	return -1, -1
}

// view returns b as a string without copying. It is valid until the hash
// changes: for replies and parsing only.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// peek returns field's value, valid until the hash changes (see view).
func (h *hash) peek(field string) (string, bool) {
	if h.big != nil {
		i, ok := h.big.idx.get(field)
		if !ok {
			return "", false
		}
		return h.big.pairs[2*i+1], true
	}
	f, v := h.lpFind(field)
	if f < 0 {
		return "", false
	}
	vs, ve := h.lpEntry(v)
	return view(h.lp[vs:ve]), true
}

// get returns a copy of field's value.
func (h *hash) get(field string) (string, bool) {
	v, ok := h.peek(field)
	if ok && h.big == nil {
		v = string([]byte(v))
	}
	return v, ok
}

func (h *hash) has(field string) bool {
	if h.big != nil {
		_, ok := h.big.idx.get(field)
		return ok
	}
	f, _ := h.lpFind(field)
	return f >= 0
}

// appendEntry appends one length-prefixed entry.
func appendEntry(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// lpReserve makes room for n more bytes, growing by an eighth instead of
// append's doubling: like a listpack, the small form stays close to its
// size (it is at most a few kilobytes, so the copies are cheap).
func (h *hash) lpReserve(n int) {
	if cap(h.lp)-len(h.lp) >= n {
		return
	}
	want := len(h.lp) + n
	nb := make([]byte, len(h.lp), want+want/8)
	copy(nb, h.lp)
	h.lp = nb
}

// set stores value under field and reports whether the field is new. Both
// are copied, so they may be views of the command's arguments. The caller
// converts the hash when it outgrows the small form.
func (h *hash) set(field, value string) bool {
	if h.big != nil {
		if i, ok := h.big.idx.get(field); ok {
			h.big.elemMem += strMem(value) - strMem(h.big.pairs[2*i+1])
			h.big.pairs[2*i+1] = strings.Clone(value)
			return false
		}
		return h.big.set(strings.Clone(field), strings.Clone(value))
	}
	f, v := h.lpFind(field)
	if f < 0 {
		h.lpReserve(2*binary.MaxVarintLen32 + len(field) + len(value))
		h.lp = appendEntry(h.lp, field)
		h.lp = appendEntry(h.lp, value)
		h.n++
		return true
	}
	_, ve := h.lpEntry(v)
	var hdr [binary.MaxVarintLen64]byte
	hl := binary.PutUvarint(hdr[:], uint64(len(value)))
	delta := hl + len(value) - (ve - v)
	switch {
	case delta > 0:
		h.lpReserve(delta)
		old := len(h.lp)
		h.lp = append(h.lp, make([]byte, delta)...)
		copy(h.lp[ve+delta:], h.lp[ve:old])
	case delta < 0:
		copy(h.lp[ve+delta:], h.lp[ve:])
		h.lp = h.lp[:len(h.lp)+delta]
	}
	copy(h.lp[v:], hdr[:hl])
	copy(h.lp[v+hl:], value)
	return false
}

// del removes field and reports whether it was there.
func (h *hash) del(field string) bool {
	if h.big != nil {
		return h.big.del(field)
	}
	f, v := h.lpFind(field)
	if f < 0 {
		return false
	}
	_, ve := h.lpEntry(v)
	h.lp = append(h.lp[:f], h.lp[ve:]...)
	h.n--
	if cap(h.lp) > 2*len(h.lp)+64 {
		// give back what a big delete left unused
		h.lp = append([]byte(nil), h.lp...)
	}
	return true
}

// each calls fn for every field and value in order until fn returns
// false. The strings are valid only during the call.
func (h *hash) each(fn func(field, value string) bool) {
	if h.big != nil {
		p := h.big.pairs
		for i := 0; i < len(p); i += 2 {
			if !fn(p[i], p[i+1]) {
				return
			}
		}
		return
	}
	for off := 0; off < len(h.lp); {
		fs, fe := h.lpEntry(off)
		vs, ve := h.lpEntry(fe)
		if !fn(view(h.lp[fs:fe]), view(h.lp[vs:ve])) {
			return
		}
		off = ve
	}
}

// pairsView returns field0, value0, field1, value1, ... for random access
// (HRANDFIELD). It is valid until the hash changes and must not be
// modified.
func (h *hash) pairsView() []string {
	if h.big != nil {
		return h.big.pairs
	}
	out := make([]string, 0, 2*h.n)
	h.each(func(f, v string) bool {
		out = append(out, f, v)
		return true
	})
	return out
}

// convert moves a small hash to the big form.
func (h *hash) convert(seed maphash.Seed) {
	if h.big != nil {
		return
	}
	b := &bigHash{idx: newSmap[uint32](seed), pairs: make([]string, 0, 2*h.n)}
	h.each(func(f, v string) bool {
		b.set(string([]byte(f)), string([]byte(v)))
		return true
	})
	h.big, h.lp, h.n = b, nil, 0
}

// set stores owned strings.
func (b *bigHash) set(field, value string) bool {
	if i, ok := b.idx.get(field); ok {
		b.elemMem += strMem(value) - strMem(b.pairs[2*i+1])
		b.pairs[2*i+1] = value
		return false
	}
	b.idx.set(field, uint32(len(b.pairs)/2))
	b.pairs = append(b.pairs, field, value)
	b.elemMem += strMem(field) + strMem(value)
	return true
}

// del removes field, moving the last pair into its place.
func (b *bigHash) del(field string) bool {
	i, ok := b.idx.get(field)
	if !ok {
		return false
	}
	b.idx.del(field)
	b.elemMem -= strMem(b.pairs[2*i]) + strMem(b.pairs[2*i+1])
	last := uint32(len(b.pairs)/2 - 1)
	if i != last {
		b.pairs[2*i], b.pairs[2*i+1] = b.pairs[2*last], b.pairs[2*last+1]
		b.idx.set(b.pairs[2*i], i) // an owned key: never a view (see tmpString)
	}
	b.pairs[2*last], b.pairs[2*last+1] = "", ""
	b.pairs = b.pairs[:2*last]
	if cap(b.pairs) > 64 && len(b.pairs) < cap(b.pairs)/4 {
		b.pairs = append(make([]string, 0, 2*len(b.pairs)), b.pairs...)
	}
	return true
}

// scan returns about count fields of a big hash from cursor on, and the
// next cursor (0 when done). A small hash is returned whole with cursor 0,
// as Redis does for a listpack.
func (h *hash) scan(cursor uint64, count int) ([]string, uint64) {
	if h.big == nil {
		fields := make([]string, 0, h.n)
		h.each(func(f, _ string) bool {
			fields = append(fields, f)
			return true
		})
		return fields, 0
	}
	idx := &h.big.idx
	return scanStep(cursor, count, idx.collectRange, idx.shardBits())
}

// copyObject returns an independent copy, for COPY.
func (h *hash) copyObject() object {
	c := &hash{lp: append([]byte(nil), h.lp...), n: h.n}
	if h.big != nil {
		c.big = &bigHash{idx: newSmap[uint32](h.big.idx.seed), pairs: append([]string(nil), h.big.pairs...), elemMem: h.big.elemMem}
		h.big.idx.each(func(k string, v uint32) bool {
			c.big.idx.set(k, v)
			return true
		})
	}
	return c
}

// approxBytes estimates the memory the hash holds (MEMORY USAGE, sandbox
// limits): the packed bytes when small, else the pairs and their index.
func (h *hash) approxBytes() int64 {
	if h.big == nil {
		return 48 + int64(cap(h.lp))
	}
	n := int64(64 + 16*cap(h.big.pairs))
	for _, p := range h.big.pairs {
		n += int64(len(p)) + 12 // the bytes, and the field's index slot
	}
	return n
}
