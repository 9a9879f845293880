// Package stream is Redis 7.0's stream type without the server around it:
// entries in listpack nodes indexed by their first ID (Redis keeps them in
// a radix tree; here a sorted slice of nodes, binary searched), the
// stream's counters (length, last and first IDs, the largest deleted ID,
// entries added) and its consumer groups with their pending entries lists.
// It knows nothing of commands, replies or files: engine/cmd_stream.go
// parses and answers, package rdb moves the bytes.
package stream

import (
	"encoding/binary"
	"math"
	"strconv"
)

// ID is an entry ID: milliseconds and a sequence number.
type ID struct{ Ms, Seq uint64 }

// MaxID is the largest ID ("+").
var MaxID = ID{math.MaxUint64, math.MaxUint64}

// Compare returns -1, 0 or 1.
func (a ID) Compare(b ID) int {
	switch {
	case a.Ms > b.Ms:
		return 1
	case a.Ms < b.Ms:
		return -1
	case a.Seq > b.Seq:
		return 1
	case a.Seq < b.Seq:
		return -1
	}
	return 0
}

// Less reports a < b.
func (a ID) Less(b ID) bool { return a.Compare(b) < 0 }

// IsZero reports a == 0-0.
func (a ID) IsZero() bool { return a.Ms == 0 && a.Seq == 0 }

// Incr returns the next ID; ok is false past the largest ID (which wraps
// to 0-0, as Redis's streamIncrID).
func (a ID) Incr() (ID, bool) {
	if a.Seq == math.MaxUint64 {
		if a.Ms == math.MaxUint64 {
			return ID{}, false
		}
		return ID{a.Ms + 1, 0}, true
	}
	return ID{a.Ms, a.Seq + 1}, true
}

// Decr returns the previous ID; ok is false before 0-0.
func (a ID) Decr() (ID, bool) {
	if a.Seq == 0 {
		if a.Ms == 0 {
			return MaxID, false
		}
		return ID{a.Ms - 1, math.MaxUint64}, true
	}
	return ID{a.Ms, a.Seq - 1}, true
}

// String is the ID as replies carry it: ms-seq.
func (a ID) String() string { return string(a.Append(nil)) }

// Append appends the ID's text.
func (a ID) Append(b []byte) []byte {
	b = strconv.AppendUint(b, a.Ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, a.Seq, 10)
}

// Key is the ID as a 128-bit big-endian number, the key of Redis's radix
// trees and of the RDB format's node keys and PEL entries.
func (a ID) Key() [16]byte {
	var k [16]byte
	binary.BigEndian.PutUint64(k[:], a.Ms)
	binary.BigEndian.PutUint64(k[8:], a.Seq)
	return k
}

// IDFromKey decodes Key's form.
func IDFromKey(k []byte) ID {
	return ID{binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(k[8:])}
}

// ParseMode says which forms Parse accepts.
type ParseMode struct {
	// Strict refuses "-" and "+".
	Strict bool
	// MissingSeq is the sequence of an ID given as "ms" only.
	MissingSeq uint64
	// AllowAutoSeq accepts "ms-*" (XADD): SeqGiven is then false.
	AllowAutoSeq bool
}

// Parse reads an ID as Redis's streamGenericParseIDOrReply does: "-",
// "+", "ms", "ms-seq" and (with AllowAutoSeq) "ms-*". seqGiven is false
// only for "ms-*".
func Parse(b []byte, m ParseMode) (id ID, seqGiven, ok bool) {
	if len(b) > 127 {
		return ID{}, false, false
	}
	if len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		if m.Strict {
			return ID{}, false, false
		}
		if b[0] == '-' {
			return ID{}, true, true
		}
		return MaxID, true, true
	}
	// Redis cuts the C string at the first NUL byte.
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	dash := -1
	for i, c := range b {
		if c == '-' {
			dash = i
			break
		}
	}
	msPart := b
	if dash >= 0 {
		msPart = b[:dash]
	}
	ms, good := parseUint(msPart)
	if !good {
		return ID{}, false, false
	}
	if dash < 0 {
		return ID{ms, m.MissingSeq}, true, true
	}
	rest := b[dash+1:]
	if m.AllowAutoSeq && len(rest) == 1 && rest[0] == '*' {
		return ID{ms, 0}, false, true
	}
	seq, good := parseUint(rest)
	if !good {
		return ID{}, false, false
	}
	return ID{ms, seq}, true, true
}

// parseUint is Redis's string2ull: a number string2ll accepts must not be
// negative ("-1" is invalid); anything else goes to strtoull, which takes
// leading spaces and a sign ("-0", " 7" and "+7" are valid).
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	// string2ull: when string2ll accepts the text, the value must not be
	// negative; otherwise strtoull must consume it all.
	if v, err := strconv.ParseInt(string(b), 10, 64); err == nil && canonicalDecimal(b) {
		if v < 0 {
			return 0, false
		}
		return uint64(v), true
	}
	return strtoull(b)
}

// canonicalDecimal: what Redis's string2ll accepts (no '+', no leading
// zeros, no spaces).
func canonicalDecimal(b []byte) bool {
	if b[0] == '+' {
		return false
	}
	d := b
	if d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 {
		return false
	}
	if d[0] == '0' && len(d) > 1 {
		return false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// strtoull mimics C's strtoull(s, &end, 10) with the checks Redis's
// string2ull adds: the whole text must be consumed, no overflow. Leading
// whitespace and a sign are allowed by strtoull ("-1" wraps to the
// largest value, as in C).
func strtoull(b []byte) (uint64, bool) {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(c-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}
