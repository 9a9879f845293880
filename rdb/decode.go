package rdb

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strconv"
	"unsafe"
)

// ErrEmptyKey is returned for a collection with no elements, which Redis
// never writes: a file load skips the key, RESTORE refuses it.
var ErrEmptyKey = errors.New("rdb: empty collection")

// ErrUnsupportedType is a value of a type this package does not decode
// (module values).
var ErrUnsupportedType = errors.New("rdb: value type not supported")

// Kind is a value's data type, whatever its encoding in the file.
type Kind uint8

// Value kinds.
const (
	KindString Kind = iota
	KindList
	KindSet
	KindZset
	KindHash
	KindStream
)

// Value is a decoded value. Items holds a list's elements, a set's
// members, a hash's fields and values alternating, or a sorted set's
// members (with their Scores); Str holds a string.
type Value struct {
	Kind Kind
	// Type is the encoding read (TypeHashZiplist, ...).
	Type   byte
	Str    string
	Items  []string
	Scores []float64
	// Stream holds a stream (KindStream).
	Stream *Stream
}

// source is what a decoder reads from: a bufio.Reader or a bytes.Reader.
type source interface {
	io.Reader
	io.ByteReader
}

// decoder reads RDB primitives. remaining bounds every length read (the
// input cannot hold more); -1 when the size is unknown, in which case
// large strings are read in steps, so memory follows the bytes that
// really arrive.
type decoder struct {
	src       source
	remaining int64
	crc       uint64
	crcOn     bool
	one       [1]byte
}

// readChunk is the step in which a string of unknown plausibility grows.
const readChunk = 1 << 20

func (d *decoder) byte() (byte, error) {
	if d.remaining == 0 {
		return 0, errCorrupt
	}
	c, err := d.src.ReadByte()
	if err != nil {
		return 0, eofErr(err)
	}
	if d.remaining > 0 {
		d.remaining--
	}
	if d.crcOn {
		d.one[0] = c
		d.crc = UpdateCRC64(d.crc, d.one[:])
	}
	return c, nil
}

func eofErr(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// bytes reads n bytes into a new slice.
func (d *decoder) bytes(n uint64) ([]byte, error) {
	if d.remaining >= 0 && n > uint64(d.remaining) {
		return nil, errCorrupt
	}
	if n > math.MaxInt32*2 {
		return nil, errCorrupt
	}
	var b []byte
	if d.remaining >= 0 || n <= readChunk {
		b = make([]byte, n)
		if _, err := io.ReadFull(d.src, b); err != nil {
			return nil, eofErr(err)
		}
	} else {
		for uint64(len(b)) < n {
			step := min(n-uint64(len(b)), readChunk)
			start := len(b)
			b = append(b, make([]byte, step)...)
			if _, err := io.ReadFull(d.src, b[start:]); err != nil {
				return nil, eofErr(err)
			}
		}
	}
	if d.remaining > 0 {
		d.remaining -= int64(n)
	}
	if d.crcOn {
		d.crc = UpdateCRC64(d.crc, b)
	}
	return b, nil
}

// length reads an RDB length; encoded reports the special string forms
// (11xxxxxx), whose low six bits are then in n.
func (d *decoder) length() (n uint64, encoded bool, err error) {
	c, err := d.byte()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case 0:
		return uint64(c & 0x3f), false, nil
	case 1:
		c2, err := d.byte()
		return uint64(c&0x3f)<<8 | uint64(c2), false, err
	case 2:
		switch c {
		case 0x80:
			b, err := d.bytes(4)
			if err != nil {
				return 0, false, err
			}
			return uint64(binary.BigEndian.Uint32(b)), false, nil
		case 0x81:
			b, err := d.bytes(8)
			if err != nil {
				return 0, false, err
			}
			return binary.BigEndian.Uint64(b), false, nil
		}
		return 0, false, errCorrupt
	default:
		return uint64(c & 0x3f), true, nil
	}
}

// plainLen reads a length that must not be a string encoding.
func (d *decoder) plainLen() (uint64, error) {
	n, enc, err := d.length()
	if err == nil && enc {
		err = errCorrupt
	}
	return n, err
}

// count reads a number of elements still to come, each at least
// perItem bytes long, refusing a count the input cannot hold.
func (d *decoder) count(perItem int) (int, error) {
	n, err := d.plainLen()
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt32 || (d.remaining >= 0 && n*uint64(perItem) > uint64(d.remaining)) {
		return 0, errCorrupt
	}
	return int(n), nil
}

// stringBytes reads an RDB string in any of its encodings.
func (d *decoder) stringBytes() ([]byte, error) {
	n, enc, err := d.length()
	if err != nil {
		return nil, err
	}
	if !enc {
		return d.bytes(n)
	}
	switch n {
	case 0:
		c, err := d.byte()
		return strconv.AppendInt(nil, int64(int8(c)), 10), err
	case 1:
		b, err := d.bytes(2)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int16(binary.LittleEndian.Uint16(b))), 10), nil
	case 2:
		b, err := d.bytes(4)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int32(binary.LittleEndian.Uint32(b))), 10), nil
	case 3:
		clen, err := d.plainLen()
		if err != nil {
			return nil, err
		}
		ulen, err := d.plainLen()
		if err != nil {
			return nil, err
		}
		if ulen == 0 || ulen > uint64(math.MaxInt32) || clen > ulen {
			return nil, errCorrupt
		}
		src, err := d.bytes(clen)
		if err != nil {
			return nil, err
		}
		return LZFDecompress(src, int(ulen))
	}
	return nil, errCorrupt
}

// string is stringBytes as a string, without a second copy: the bytes
// are new and never written again.
func (d *decoder) string() (string, error) {
	b, err := d.stringBytes()
	if err != nil || len(b) == 0 {
		return "", err
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}

// doubleText reads a score of TypeZset: a length byte, 253 NaN, 254 +inf,
// 255 -inf, otherwise that many bytes of decimal text.
func (d *decoder) doubleText() (float64, error) {
	c, err := d.byte()
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
	b, err := d.bytes(uint64(c))
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, errCorrupt
	}
	return f, nil
}

func (d *decoder) binaryDouble() (float64, error) {
	b, err := d.bytes(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}

// value reads a value of type t, in any encoding Redis 2.6 to 7.0 wrote.
func (d *decoder) value(t byte) (Value, error) {
	v := Value{Type: t}
	var err error
	switch t {
	case TypeString:
		v.Kind = KindString
		v.Str, err = d.string()
		return v, err
	case TypeList:
		v.Kind = KindList
		v.Items, err = d.strings(1)
	case TypeListZiplist:
		v.Kind = KindList
		v.Items, err = d.packed(ZiplistEntries)
	case TypeListQuicklist, TypeListQuicklist2:
		v.Kind = KindList
		v.Items, err = d.quicklist(t)
	case TypeSet:
		v.Kind = KindSet
		v.Items, err = d.strings(1)
	case TypeSetIntset:
		v.Kind = KindSet
		v.Items, err = d.packed(IntsetEntries)
	case TypeHash:
		v.Kind = KindHash
		v.Items, err = d.strings(2)
	case TypeHashZipmap:
		v.Kind = KindHash
		v.Items, err = d.packed(ZipmapEntries)
	case TypeHashZiplist:
		v.Kind = KindHash
		v.Items, err = d.packed(ZiplistEntries)
	case TypeHashListpack:
		v.Kind = KindHash
		v.Items, err = d.packed(listpackEntriesShared)
	case TypeZset, TypeZset2:
		v.Kind = KindZset
		v.Items, v.Scores, err = d.zset(t)
	case TypeZsetZiplist, TypeZsetListpack:
		v.Kind = KindZset
		dec := listpackEntriesShared
		if t == TypeZsetZiplist {
			dec = ZiplistEntries
		}
		var entries []string
		if entries, err = d.packed(dec); err == nil {
			v.Items, v.Scores, err = splitScores(entries)
		}
	case TypeStreamListpacks, TypeStreamListpack2:
		v.Kind = KindStream
		v.Stream, err = d.stream(t)
		return v, err
	default:
		return v, ErrUnsupportedType
	}
	if err != nil {
		return v, err
	}
	if len(v.Items) == 0 {
		return v, ErrEmptyKey
	}
	if (v.Kind == KindHash && len(v.Items)%2 != 0) || (v.Kind == KindZset && len(v.Scores) != len(v.Items)) {
		return v, errCorrupt
	}
	return v, nil
}

// strings reads a count and count*perItem strings.
func (d *decoder) strings(perItem int) ([]string, error) {
	n, err := d.count(perItem)
	if err != nil {
		return nil, err
	}
	total := n * perItem
	out := make([]string, 0, min(total, 1<<16))
	for k := 0; k < total; k++ {
		s, err := d.string()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// packed reads a string holding a packed container and decodes it.
func (d *decoder) packed(decode func([]byte) ([]string, error)) ([]string, error) {
	blob, err := d.stringBytes()
	if err != nil {
		return nil, err
	}
	return decode(blob)
}

func (d *decoder) quicklist(t byte) ([]string, error) {
	nodes, err := d.count(1)
	if err != nil {
		return nil, err
	}
	var items []string
	for ; nodes > 0; nodes-- {
		container := uint64(QuicklistPacked)
		if t == TypeListQuicklist2 {
			if container, err = d.plainLen(); err != nil {
				return nil, err
			}
			if container != QuicklistPlain && container != QuicklistPacked {
				return nil, errCorrupt
			}
		}
		if container == QuicklistPlain {
			s, err := d.string()
			if err != nil {
				return nil, err
			}
			items = append(items, s)
			continue
		}
		dec := listpackEntriesShared
		if t == TypeListQuicklist {
			dec = ZiplistEntries
		}
		entries, err := d.packed(dec)
		if err != nil {
			return nil, err
		}
		if len(entries) == 0 {
			// Redis skips an empty node rather than fail the load.
			continue
		}
		items = append(items, entries...)
	}
	return items, nil
}

func (d *decoder) zset(t byte) ([]string, []float64, error) {
	n, err := d.count(2)
	if err != nil {
		return nil, nil, err
	}
	members := make([]string, 0, min(n, 1<<16))
	scores := make([]float64, 0, min(n, 1<<16))
	for ; n > 0; n-- {
		m, err := d.string()
		if err != nil {
			return nil, nil, err
		}
		var f float64
		if t == TypeZset {
			f, err = d.doubleText()
		} else {
			f, err = d.binaryDouble()
		}
		if err != nil {
			return nil, nil, err
		}
		if math.IsNaN(f) {
			return nil, nil, errCorrupt
		}
		members, scores = append(members, m), append(scores, f)
	}
	return members, scores, nil
}

// splitScores turns member, score, member, score... into two slices.
func splitScores(entries []string) ([]string, []float64, error) {
	if len(entries)%2 != 0 {
		return nil, nil, errCorrupt
	}
	members := make([]string, 0, len(entries)/2)
	scores := make([]float64, 0, len(entries)/2)
	for k := 0; k < len(entries); k += 2 {
		f, err := strconv.ParseFloat(entries[k+1], 64)
		if err != nil || math.IsNaN(f) {
			return nil, nil, errCorrupt
		}
		members, scores = append(members, entries[k]), append(scores, f)
	}
	return members, scores, nil
}

// DecodeValue reads a DUMP payload's value: a type byte and the value.
// The footer is not checked (see VerifyDumpPayload); as in Redis, a
// length that runs into it is read from it.
func DecodeValue(p []byte) (Value, error) {
	d := &decoder{src: newByteSource(p), remaining: int64(len(p))}
	t, err := d.byte()
	if err != nil {
		return Value{}, err
	}
	return d.value(t)
}

// byteSource reads a byte slice (bytes.Reader without the seeking).
type byteSource struct {
	p   []byte
	off int
}

func newByteSource(p []byte) *byteSource { return &byteSource{p: p} }

func (b *byteSource) Read(dst []byte) (int, error) {
	if b.off >= len(b.p) {
		return 0, io.EOF
	}
	n := copy(dst, b.p[b.off:])
	b.off += n
	return n, nil
}

func (b *byteSource) ReadByte() (byte, error) {
	if b.off >= len(b.p) {
		return 0, io.EOF
	}
	c := b.p[b.off]
	b.off++
	return c, nil
}
