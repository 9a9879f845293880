// Package image writes an engine's keyspace as an RDB image and reads one
// back, through io.Writer and io.Reader only: the format loop shared by
// the dump file (package persist), the AOF's RDB preamble, a replica's
// full synchronization and the browser build, which links no file-system
// code.
package image

import (
	"bufio"
	"errors"
	"io"
	"runtime"
	"strconv"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/rdb"
)

// Logf writes a server log line at a level: '.' debug, '-' verbose,
// '*' notice, '#' warning (Redis's markers).
type Logf func(level byte, format string, args ...any)

// ErrLoadInterrupted is Read's answer when stop closed: a SIGTERM
// during the load, after which Redis exits without saving.
var ErrLoadInterrupted = errors.New("load interrupted")

// WriteOptions are the settings of Write.
type WriteOptions struct {
	Compression, Checksum bool
	// KeySaveDelayUs pauses after each key (rdb-key-save-delay).
	KeySaveDelayUs int64
	RedisVersion   string
	// AOFBase writes aof-base 1: the file is an AOF's RDB preamble.
	AOFBase bool
	// Replication adds the repl-stream-db, repl-id and repl-offset aux
	// fields (a replica's full synchronization).
	Replication *engine.ReplPosition
}

// Write writes a whole RDB file (header, aux fields, every database of
// snap, EOF and checksum) to w. It does not close the snapshot.
func Write(w io.Writer, snap *engine.Snapshot, o WriteOptions) error {
	rw := rdb.NewWriter(w, rdb.WriterOptions{Compress: o.Compression, Checksum: o.Checksum})
	rw.Header()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	aux := rdb.AuxInfo{RedisVersion: o.RedisVersion, CTime: time.Now().Unix(), UsedMem: int64(ms.HeapAlloc), AOFBase: o.AOFBase}
	if r := o.Replication; r != nil {
		aux.Replication = &rdb.ReplInfo{StreamDB: r.StreamDB, ID: r.ID, Offset: r.Offset}
	}
	rw.AuxFields(aux)
	for _, code := range snap.Functions() {
		rw.Function(string(code))
	}
	var batch []engine.SnapshotKey
	curDB := -1
	for {
		var err error
		batch, err = snap.Next(batch)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		for _, k := range batch {
			if k.DB != curDB {
				curDB = k.DB
				rw.SelectDB(curDB)
				keys, expires := snap.DBSize(curDB)
				rw.ResizeDB(uint64(keys), uint64(expires))
			}
			rw.Entry(rdb.Entry{Key: k.Key, ExpireMs: k.ExpireMs, Idle: k.Idle, Freq: -1, Value: k.Value})
			if o.KeySaveDelayUs > 0 {
				time.Sleep(time.Duration(o.KeySaveDelayUs) * time.Microsecond)
				if snap.Aborted() {
					return engine.ErrSnapshotAborted
				}
			}
		}
		if err := rw.Err(); err != nil {
			return err
		}
	}
	return rw.End()
}

// ReadOptions are the settings of Read.
type ReadOptions struct {
	Log Logf
	// Checksum verifies the trailer (rdbchecksum).
	Checksum bool
	// KeyLoadDelayUs pauses after each key (key-load-delay).
	KeyLoadDelayUs int64
	// ProgressEvery reports the bytes read to the loader every so many
	// bytes (loading-process-events-interval-bytes); Total is the size.
	ProgressEvery, Total int64
	// Stop, when closed, ends the load with ErrLoadInterrupted (checked
	// with the progress report).
	Stop <-chan struct{}
	// ReadAhead lets a second goroutine read and decode the file while
	// the keys are stored. Only for a reader that never blocks for long
	// (a file, memory): Read waits for that goroutine before it returns.
	ReadAhead bool
}

// reserveUnknownSize bounds the tables a RESIZEDB hint sizes when the
// file's size is unknown (a stream).
const reserveUnknownSize = 1 << 16

// LoadStats are what a load counted.
type LoadStats struct {
	Loaded, Expired, EmptySkipped int64
	// AOFBase is the aof-base aux field.
	AOFBase bool
	// ReplStreamDB is the repl-stream-db aux field, -1 when absent.
	ReplStreamDB int
	// ReplID and ReplOffset are the repl-id and repl-offset aux fields
	// ("" and -1 when absent).
	ReplID     string
	ReplOffset int64
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// Read reads a whole RDB file of size bytes (-1 if unknown) from r
// into ld, logging the aux fields as Redis does. r is read exactly to the
// end of the RDB when it is a *bufio.Reader (an AOF's preamble).
//
// With o.ReadAhead, on a machine with several cores, a goroutine reads
// and decodes the file ahead (and builds the values, Loader.Build) while
// this one stores the keys. Decoding is over half the CPU of a load, but
// on the 2-core test machine the two overlap little (3-14% faster in
// BenchmarkReadRDBMixed): both mostly wait on fresh heap pages and cache
// misses. The reader stays at most a few batches ahead, and ends before
// Read returns.
func Read(r io.Reader, size int64, ld *engine.Loader, o ReadOptions) (LoadStats, error) {
	stats := LoadStats{ReplStreamDB: -1, ReplOffset: -1}
	logf := o.Log
	if logf == nil {
		logf = func(byte, string, ...any) {}
	}
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 1<<16)
	}
	cr := &countingReader{r: br}
	rd := rdb.NewReader(cr, size)
	rd.SkipChecksum = !o.Checksum
	if err := rd.Header(); err != nil {
		return stats, err
	}
	ra := &readAhead{rd: rd, cr: cr, ld: ld}
	next := ra.inline
	// A key-load-delay load keeps reading in step with the keys stored
	// (the tests that use it watch the bytes read), and a small file or
	// a single core gains nothing from a second goroutine.
	if o.ReadAhead && o.KeyLoadDelayUs == 0 && runtime.GOMAXPROCS(0) > 1 && size >= readAheadMinSize {
		next = ra.start()
		defer ra.stop()
	}
	db := 0
	var nextProgress int64
	for {
		b := next()
		for i := range b.recs {
			lr := &b.recs[i]
			rec := &lr.rec
			if lr.empty {
				if stats.EmptySkipped < 10 {
					logf('*', "rdbLoadObject skipping empty key: %s", rec.Key)
				}
				stats.EmptySkipped++
				continue
			}
			switch rec.Kind {
			case rdb.RecordAux:
				switch rec.AuxKey {
				case "redis-ver":
					logf('*', "Loading RDB produced by version %s", rec.AuxValue)
				case "ctime":
					t, _ := strconv.ParseInt(rec.AuxValue, 10, 64)
					age := time.Now().Unix() - t
					if age < 0 {
						age = 0
					}
					logf('*', "RDB age %d seconds", age)
				case "used-mem":
					m, _ := strconv.ParseInt(rec.AuxValue, 10, 64)
					logf('*', "RDB memory usage when created %.2f Mb", float64(m)/(1024*1024))
					ld.Progress(lr.read, m)
				case "repl-stream-db":
					if n, err := strconv.Atoi(rec.AuxValue); err == nil {
						stats.ReplStreamDB = n
					}
				case "repl-id":
					// Redis takes an ID of the right length only.
					if len(rec.AuxValue) == 40 {
						stats.ReplID = rec.AuxValue
					}
				case "repl-offset":
					if n, err := strconv.ParseInt(rec.AuxValue, 10, 64); err == nil {
						stats.ReplOffset = n
					}
				case "aof-base":
					if rec.AuxValue == "1" {
						stats.AOFBase = true
						logf('*', "RDB is base AOF")
					}
				}
			case rdb.RecordFunction:
				if err := ld.LoadFunction(rec.FunctionCode); err != nil {
					logf('#', "%s", err.Error())
					return stats, &rdb.Error{Msg: "Failed loading library"}
				}
			case rdb.RecordSelectDB:
				db = rec.DB
			case rdb.RecordResizeDB:
				// A key takes at least 3 bytes of the file: a size hint
				// beyond that is not believed.
				limit := uint64(reserveUnknownSize)
				if size > 0 {
					limit = uint64(size / 3)
				}
				ld.Reserve(db, int(min(rec.DBSize, limit)), int(min(rec.ExpiresSize, limit)))
			case rdb.RecordEOF:
				if rec.ChecksumDisabled && rd.Version() >= 5 {
					logf('#', "RDB file was saved with checksum disabled: no check performed.")
				}
				if stats.ReplID != "" {
					// The startup load continues this history (PSYNC2).
					ld.SetReplication(engine.ReplPosition{StreamDB: stats.ReplStreamDB, ID: stats.ReplID, Offset: stats.ReplOffset})
				}
				if stats.EmptySkipped > 0 {
					logf('*', "Done loading RDB, keys loaded: %d, keys expired: %d, empty keys skipped: %d.", stats.Loaded, stats.Expired, stats.EmptySkipped)
				} else {
					logf('*', "Done loading RDB, keys loaded: %d, keys expired: %d.", stats.Loaded, stats.Expired)
				}
				return stats, nil
			case rdb.RecordEntry:
				if err := ld.AddBuilt(db, rec.Key, lr.built, rec.ExpireMs, rec.Idle); err != nil {
					if errors.Is(err, engine.ErrDuplicateKey) {
						return stats, &rdb.Error{Msg: "RDB has duplicated key '" + rec.Key + "' in DB " + strconv.Itoa(db), Corrupt: true}
					}
					var re *rdb.Error
					if errors.As(err, &re) {
						return stats, err
					}
					return stats, &rdb.Error{Msg: "Internal error in RDB reading offset " + strconv.FormatInt(lr.read, 10) +
						", function at rdb.c:0 -> Bad data format for key '" + rec.Key + "': " + err.Error(), Corrupt: true}
				}
				if lr.built.Expired() {
					stats.Expired++
				} else {
					stats.Loaded++
				}
				if o.KeyLoadDelayUs > 0 {
					time.Sleep(time.Duration(o.KeyLoadDelayUs) * time.Microsecond)
				}
				if o.ProgressEvery > 0 && lr.read >= nextProgress || o.KeyLoadDelayUs > 0 {
					ld.Progress(lr.read, 0)
					nextProgress = lr.read + o.ProgressEvery
					select {
					case <-o.Stop:
						return stats, ErrLoadInterrupted
					default:
					}
				}
			}
		}
		if b.err != nil {
			return stats, b.err
		}
		ra.recycle(b)
	}
}
