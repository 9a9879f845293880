package rdb

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
)

// WriterOptions are the save-time settings Redis reads from its config.
type WriterOptions struct {
	// Compress is rdbcompression: LZF for strings over 20 bytes.
	Compress bool
	// Checksum is rdbchecksum: without it the trailer is eight zeros.
	Checksum bool
}

// AuxInfo are the aux fields Redis 7.0 writes after the header.
type AuxInfo struct {
	RedisVersion string
	CTime        int64 // unix seconds
	UsedMem      int64
	// Replication, when set, adds repl-stream-db, repl-id and
	// repl-offset (a server that is part of a replication chain).
	Replication *ReplInfo
	// AOFBase marks the RDB preamble of an append-only file.
	AOFBase bool
}

// ReplInfo is the replication state saved with a snapshot.
type ReplInfo struct {
	StreamDB int
	ID       string
	Offset   int64
}

// Writer writes an RDB file. The first error sticks: later calls do
// nothing and End returns it.
type Writer struct {
	w    *bufio.Writer
	opts WriterOptions
	crc  uint64
	n    int64
	err  error
	buf  []byte
}

// NewWriter writes to w (buffered here; the caller flushes nothing).
func NewWriter(w io.Writer, opts WriterOptions) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10), opts: opts}
}

// Compress reports whether strings are LZF-compressed, for callers that
// encode values themselves.
func (w *Writer) Compress() bool { return w.opts.Compress }

// Written is the number of bytes written so far.
func (w *Writer) Written() int64 { return w.n }

func (w *Writer) write(p []byte) {
	if w.err != nil {
		return
	}
	if w.opts.Checksum {
		w.crc = UpdateCRC64(w.crc, p)
	}
	n, err := w.w.Write(p)
	w.n += int64(n)
	w.err = err
}

// Header writes "REDIS0010".
func (w *Writer) Header() {
	w.write([]byte("REDIS00" + strconv.Itoa(Version)))
}

// Aux writes one aux field, both strings in rdbSaveRawString's forms.
func (w *Writer) Aux(key, value string) {
	b := append(w.buf[:0], opAux)
	b = AppendString(b, key, w.opts.Compress)
	b = AppendString(b, value, w.opts.Compress)
	w.buf = b
	w.write(b)
}

// AuxFields writes the fields rdbSaveInfoAuxFields writes, in its order.
func (w *Writer) AuxFields(info AuxInfo) {
	w.Aux("redis-ver", info.RedisVersion)
	w.Aux("redis-bits", strconv.Itoa(strconv.IntSize))
	w.Aux("ctime", strconv.FormatInt(info.CTime, 10))
	w.Aux("used-mem", strconv.FormatInt(info.UsedMem, 10))
	if r := info.Replication; r != nil {
		w.Aux("repl-stream-db", strconv.Itoa(r.StreamDB))
		w.Aux("repl-id", r.ID)
		w.Aux("repl-offset", strconv.FormatInt(r.Offset, 10))
	}
	aofBase := "0"
	if info.AOFBase {
		aofBase = "1"
	}
	w.Aux("aof-base", aofBase)
}

// SelectDB starts the keys of database n.
func (w *Writer) SelectDB(n int) {
	w.buf = AppendLen(append(w.buf[:0], opSelectDB), uint64(n))
	w.write(w.buf)
}

// ResizeDB writes the database's size hint: keys and keys with a deadline.
func (w *Writer) ResizeDB(keys, expires uint64) {
	b := AppendLen(append(w.buf[:0], opResizeDB), keys)
	w.buf = AppendLen(b, expires)
	w.write(w.buf)
}

// Entry is one key of a file.
type Entry struct {
	Key string
	// ExpireMs is the deadline in unix milliseconds, or -1.
	ExpireMs int64
	// Idle (seconds, with the LRU policies) and Freq (with the LFU ones)
	// are the eviction hints; -1 to leave them out.
	Idle int64
	Freq int
	// Value is the type byte followed by the encoded value.
	Value []byte
}

// Entry writes one key: deadline and hints, the type, the key, the value.
func (w *Writer) Entry(e Entry) {
	b := w.buf[:0]
	if e.ExpireMs != -1 {
		b = binary.LittleEndian.AppendUint64(append(b, opExpireTimeMs), uint64(e.ExpireMs))
	}
	if e.Idle >= 0 {
		b = AppendLen(append(b, opIdle), uint64(e.Idle))
	}
	if e.Freq >= 0 {
		b = append(b, opFreq, byte(e.Freq))
	}
	if len(e.Value) == 0 {
		w.err = errors.New("rdb: entry without a value")
		return
	}
	b = append(b, e.Value[0])
	b = AppendString(b, e.Key, w.opts.Compress)
	w.buf = b
	w.write(b)
	w.write(e.Value[1:])
}

// End writes the EOF opcode and the checksum and flushes.
func (w *Writer) End() error {
	w.write([]byte{opEOF})
	sum := w.crc
	if !w.opts.Checksum {
		sum = 0
	}
	w.write(binary.LittleEndian.AppendUint64(nil, sum))
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.err
}

// Err is the first error met.
func (w *Writer) Err() error { return w.err }

// RecordKind tells what Reader.Next read.
type RecordKind int

// Record kinds.
const (
	RecordEntry RecordKind = iota
	RecordAux
	RecordSelectDB
	RecordResizeDB
	RecordEOF
	// RecordFunction is a function library (FunctionCode).
	RecordFunction
)

// Record is one element of a file.
type Record struct {
	Kind RecordKind
	// Aux field.
	AuxKey, AuxValue string
	// SelectDB: the database of the keys that follow.
	DB int
	// ResizeDB hint.
	DBSize, ExpiresSize uint64
	// Entry: key, deadline (unix ms, -1 for none), eviction hints (-1
	// when absent) and value.
	Key      string
	ExpireMs int64
	Idle     int64
	Freq     int
	Value    Value
	// FunctionCode is a RecordFunction's library code.
	FunctionCode []byte
	// Checksum status at RecordEOF: ChecksumDisabled when the file was
	// saved with rdbchecksum no (or is older than version 5).
	ChecksumDisabled bool
}

// Error is a load failure, worded as Redis logs it.
type Error struct {
	Msg string
	// Corrupt marks content errors (rdbReportCorruptRDB), as opposed to a
	// short read (rdbReportReadError).
	Corrupt bool
}

func (e *Error) Error() string { return e.Msg }

// ErrUnexpectedEOF is a file that ends before its EOF opcode.
var ErrUnexpectedEOF = &Error{Msg: "Unexpected EOF reading RDB file"}

// Reader reads an RDB file record by record.
type Reader struct {
	d       decoder
	rec     Record
	version int
	// expectChecksum is false once a version below 5 is read.
	done bool
	// SkipChecksum is the load-time equivalent of rdbchecksum no: the
	// trailer is not compared.
	SkipChecksum bool
}

// NewReader reads from r, which holds at most size bytes of the file
// (-1 if unknown): lengths beyond it are refused before allocating. r
// is read exactly up to the end of the RDB (the AOF preamble case), so
// pass a bufio.Reader for speed.
func NewReader(r io.Reader, size int64) *Reader {
	src, ok := r.(source)
	if !ok {
		src = bufio.NewReaderSize(r, 64<<10)
	}
	return &Reader{d: decoder{src: src, remaining: size, crcOn: true}}
}

// Version is the file's RDB version, known after Header.
func (r *Reader) Version() int { return r.version }

// Header reads and checks "REDIS" and the version.
func (r *Reader) Header() error {
	b, err := r.d.bytes(9)
	if err != nil {
		return r.fail(err)
	}
	if string(b[:5]) != "REDIS" {
		return &Error{Msg: "Wrong signature trying to load DB from file"}
	}
	v, err := strconv.Atoi(string(b[5:]))
	if err != nil || v < 1 || v > Version {
		return &Error{Msg: "Can't handle RDB format version " + strconv.Itoa(v)}
	}
	r.version = v
	return nil
}

// fail turns a decoding error into an Error.
func (r *Reader) fail(err error) error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ErrUnexpectedEOF
	case errors.Is(err, errCorrupt):
		return &Error{Msg: "Internal error in RDB reading offset 0, function at rdb.c:0 -> Bad RDB data", Corrupt: true}
	}
	return err
}

// Next reads the next record. After RecordEOF it returns io.EOF. The
// record is reused by the next call (a load reads millions): keep its
// strings and slices, not the record itself.
func (r *Reader) Next() (*Record, error) {
	if r.done {
		return nil, io.EOF
	}
	rec := &r.rec
	*rec = Record{Kind: RecordEntry, ExpireMs: -1, Idle: -1, Freq: -1}
	d := &r.d
	for {
		t, err := d.byte()
		if err != nil {
			return nil, r.fail(err)
		}
		switch t {
		case opExpireTime:
			b, err := d.bytes(4)
			if err != nil {
				return nil, r.fail(err)
			}
			rec.ExpireMs = int64(int32(binary.LittleEndian.Uint32(b))) * 1000
			continue
		case opExpireTimeMs:
			b, err := d.bytes(8)
			if err != nil {
				return nil, r.fail(err)
			}
			rec.ExpireMs = int64(binary.LittleEndian.Uint64(b))
			continue
		case opFreq:
			c, err := d.byte()
			if err != nil {
				return nil, r.fail(err)
			}
			rec.Freq = int(c)
			continue
		case opIdle:
			n, err := d.plainLen()
			if err != nil {
				return nil, r.fail(err)
			}
			rec.Idle = int64(n)
			continue
		case opEOF:
			return r.end(rec)
		case opSelectDB:
			n, err := d.plainLen()
			if err != nil {
				return nil, r.fail(err)
			}
			if n > 1<<31 {
				return nil, &Error{Msg: "FATAL: Data file was created with a Redis server configured to handle more than " + strconv.FormatUint(n, 10) + " databases. Exiting\n"}
			}
			rec.Kind, rec.DB = RecordSelectDB, int(n)
			return rec, nil
		case opResizeDB:
			a, err := d.plainLen()
			if err != nil {
				return nil, r.fail(err)
			}
			b, err := d.plainLen()
			if err != nil {
				return nil, r.fail(err)
			}
			rec.Kind, rec.DBSize, rec.ExpiresSize = RecordResizeDB, a, b
			return rec, nil
		case opAux:
			k, err := d.string()
			if err != nil {
				return nil, r.fail(err)
			}
			v, err := d.string()
			if err != nil {
				return nil, r.fail(err)
			}
			rec.Kind, rec.AuxKey, rec.AuxValue = RecordAux, k, v
			return rec, nil
		case opModuleAux:
			return nil, &Error{Msg: "The RDB file contains AUX module data I can't load: no matching module"}
		case opFunction:
			return nil, &Error{Msg: "Pre-GA function format not supported"}
		case opFunction2:
			code, err := d.stringBytes()
			if err != nil {
				return nil, r.fail(err)
			}
			rec.Kind, rec.FunctionCode = RecordFunction, code
			return rec, nil
		}
		key, err := d.string()
		if err != nil {
			return nil, r.fail(err)
		}
		rec.Key = key
		v, err := d.value(t)
		if errors.Is(err, ErrUnsupportedType) {
			if t == TypeStreamListpacks || t == TypeStreamListpack2 {
				return nil, &Error{Msg: "Can't load stream key '" + key + "': this server has no streams", Corrupt: true}
			}
			if t == TypeModule || t == TypeModule2 {
				return nil, &Error{Msg: "The RDB file contains module data I can't load: no matching module", Corrupt: true}
			}
			return nil, &Error{Msg: "Unknown RDB encoding type " + strconv.Itoa(int(t)), Corrupt: true}
		}
		if err != nil && !errors.Is(err, ErrEmptyKey) {
			return nil, r.fail(err)
		}
		rec.Value = v
		if err != nil {
			return rec, ErrEmptyKey
		}
		return rec, nil
	}
}

// end reads the checksum after the EOF opcode.
func (r *Reader) end(rec *Record) (*Record, error) {
	r.done = true
	rec.Kind = RecordEOF
	if r.version < 5 {
		rec.ChecksumDisabled = true
		return rec, nil
	}
	expected := r.d.crc
	r.d.crcOn = false
	b, err := r.d.bytes(8)
	if err != nil {
		return nil, r.fail(err)
	}
	got := binary.LittleEndian.Uint64(b)
	switch {
	case got == 0:
		rec.ChecksumDisabled = true
	case got != expected && !r.SkipChecksum:
		return nil, &Error{Msg: "Wrong RDB checksum expected: (" + strconv.FormatUint(expected, 16) + ") but got (" +
			strconv.FormatUint(got, 16) + "). Aborting now.\nInternal error in RDB reading offset 0, function at rdb.c:3317 -> RDB CRC error", Corrupt: true}
	}
	return rec, nil
}
