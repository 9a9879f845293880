package persist

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/rdb"
)

// Logf writes a server log line at a level: '.' debug, '-' verbose,
// '*' notice, '#' warning (Redis's markers).
type Logf func(level byte, format string, args ...any)

// Persister is the engine's Persister over files.
type Persister struct {
	eng *engine.Engine
	log Logf
}

var _ engine.Persister = (*Persister)(nil)

// New makes the persister and gives it to eng.
func New(eng *engine.Engine, log Logf) *Persister {
	if log == nil {
		log = func(byte, string, ...any) {}
	}
	p := &Persister{eng: eng, log: log}
	eng.SetPersister(p)
	return p
}

// Save writes snap to the dump file: Redis's rdbSave.
func (p *Persister) Save(snap *engine.Snapshot) error {
	st := snap.Settings()
	tmp := filepath.Join(st.Dir, fmt.Sprintf("temp-%d.rdb", os.Getpid()))
	return p.saveTo(snap, tmp)
}

// BackgroundSave writes snap from a goroutine: Redis's child of
// rdbSaveBackground.
func (p *Persister) BackgroundSave(snap *engine.Snapshot) {
	st := snap.Settings()
	tmp := filepath.Join(st.Dir, fmt.Sprintf("temp-%d-bgsave.rdb", os.Getpid()))
	go func() {
		err := p.saveTo(snap, tmp)
		if err == nil {
			p.log('*', "RDB: %d MB of memory used by copy-on-write", snap.CopiedBytes()>>20)
		}
		p.eng.BackgroundSaveDone(snap, err)
	}()
}

// saveTo writes the snapshot into tmp, syncs it and renames it over the
// dump file, logging as Redis does.
func (p *Persister) saveTo(snap *engine.Snapshot, tmp string) error {
	st := snap.Settings()
	defer snap.Close()
	f, err := os.Create(tmp)
	if err != nil {
		cwd, _ := filepath.Abs(st.Dir)
		p.log('#', "Failed opening the temp RDB file %s (in server root dir %s) for saving: %s", filepath.Base(tmp), cwd, errText(err))
		return err
	}
	err = WriteRDB(f, snap, WriteOptions{Compression: st.Compression, Checksum: st.Checksum, KeySaveDelayUs: st.KeySaveDelayUs, RedisVersion: st.RedisVersion})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		if !errors.Is(err, engine.ErrSnapshotAborted) {
			p.log('#', "Write error saving DB on disk: %s", errText(err))
		}
		return err
	}
	dst := filepath.Join(st.Dir, st.DBFilename)
	if err := os.Rename(tmp, dst); err != nil {
		cwd, _ := filepath.Abs(st.Dir)
		p.log('#', "Error moving temp DB file %s on the final destination %s (in server root dir %s): %s", filepath.Base(tmp), st.DBFilename, cwd, errText(err))
		_ = os.Remove(tmp)
		return err
	}
	if d, err := os.Open(st.Dir); err == nil {
		_ = d.Sync() // the rename itself must survive a crash
		_ = d.Close()
	}
	p.log('*', "DB saved on disk")
	return nil
}

// errText is strerror's wording for common errors.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	s := err.Error()
	if s == "" {
		return s
	}
	// Go's syscall texts are strerror's in lower case.
	return string(s[0]-('a'-'A')*b2i(s[0] >= 'a' && s[0] <= 'z')) + s[1:]
}

func b2i(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// WriteOptions are the settings of WriteRDB.
type WriteOptions struct {
	Compression, Checksum bool
	// KeySaveDelayUs pauses after each key (rdb-key-save-delay).
	KeySaveDelayUs int64
	RedisVersion   string
	// AOFBase writes aof-base 1: the file is an AOF's RDB preamble.
	AOFBase bool
}

// WriteRDB writes a whole RDB file (header, aux fields, every database of
// snap, EOF and checksum) to w. It does not close the snapshot.
func WriteRDB(w io.Writer, snap *engine.Snapshot, o WriteOptions) error {
	rw := rdb.NewWriter(w, rdb.WriterOptions{Compress: o.Compression, Checksum: o.Checksum})
	rw.Header()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rw.AuxFields(rdb.AuxInfo{RedisVersion: o.RedisVersion, CTime: time.Now().Unix(), UsedMem: int64(ms.HeapAlloc), AOFBase: o.AOFBase})
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
			}
		}
		if err := rw.Err(); err != nil {
			return err
		}
	}
	return rw.End()
}

// Load reads the dump file into ld (DEBUG RELOAD).
func (p *Persister) Load(ld *engine.Loader) error {
	st := ld.Settings()
	f, err := os.Open(filepath.Join(st.Dir, st.DBFilename))
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	_, err = ReadRDB(f, info.Size(), ld, ReadOptions{Log: p.log, Checksum: st.Checksum, KeyLoadDelayUs: st.KeyLoadDelayUs})
	return err
}

// ErrNoDump is LoadAtStartup's answer when there is no dump file.
var ErrNoDump = errors.New("no dump file")

// LoadAtStartup loads the dump before the server serves commands (clients
// connecting meanwhile get -LOADING), logging as Redis's loadDataFromDisk.
// A missing file is not an error: the server starts empty.
func (p *Persister) LoadAtStartup() error {
	start := time.Now()
	ld := p.eng.BeginLoad(0)
	st := ld.Settings()
	path := filepath.Join(st.Dir, st.DBFilename)
	f, err := os.Open(path)
	if err != nil {
		ld.End()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		p.log('#', "Fatal error loading the DB: %s. Exiting.", errText(err))
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		ld.End()
		p.log('#', "Fatal error loading the DB: %s. Exiting.", errText(err))
		return err
	}
	ld.Progress(0, 0)
	_, err = ReadRDB(f, info.Size(), ld, ReadOptions{Log: p.log, Checksum: st.Checksum, KeyLoadDelayUs: st.KeyLoadDelayUs, ProgressEvery: st.EventsIntervalBytes, Total: info.Size()})
	ld.End()
	if err != nil {
		var re *rdb.Error
		if errors.As(err, &re) {
			for _, line := range splitLines(re.Msg) {
				p.log('#', "%s", line)
			}
			p.log('#', "Terminating server after rdb file reading failure.")
		} else {
			p.log('#', "Fatal error loading the DB: %s. Exiting.", errText(err))
		}
		return err
	}
	p.log('*', "DB loaded from disk: %.3f seconds", time.Since(start).Seconds())
	return nil
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		if i > 0 {
			out = append(out, s[:i])
		}
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}

// ReadOptions are the settings of ReadRDB.
type ReadOptions struct {
	Log Logf
	// Checksum verifies the trailer (rdbchecksum).
	Checksum bool
	// KeyLoadDelayUs pauses after each key (key-load-delay).
	KeyLoadDelayUs int64
	// ProgressEvery reports the bytes read to the loader every so many
	// bytes (loading-process-events-interval-bytes); Total is the size.
	ProgressEvery, Total int64
}

// LoadStats are what a load counted.
type LoadStats struct {
	Loaded, Expired, EmptySkipped int64
	// AOFBase is the aof-base aux field.
	AOFBase bool
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

// ReadRDB reads a whole RDB file of size bytes (-1 if unknown) from r
// into ld, logging the aux fields as Redis does. r is read exactly to the
// end of the RDB when it is a *bufio.Reader (an AOF's preamble).
func ReadRDB(r io.Reader, size int64, ld *engine.Loader, o ReadOptions) (LoadStats, error) {
	var stats LoadStats
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
	db := 0
	var nextProgress int64
	for {
		rec, err := rd.Next()
		if errors.Is(err, rdb.ErrEmptyKey) {
			if stats.EmptySkipped < 10 {
				logf('*', "rdbLoadObject skipping empty key: %s", rec.Key)
			}
			stats.EmptySkipped++
			continue
		}
		if err != nil {
			return stats, err
		}
		switch rec.Kind {
		case rdb.RecordAux:
			switch rec.AuxKey {
			case "redis-ver":
				logf('*', "Loading RDB produced by version %s", rec.AuxValue)
			case "ctime":
				var t int64
				fmt.Sscan(rec.AuxValue, &t)
				age := time.Now().Unix() - t
				if age < 0 {
					age = 0
				}
				logf('*', "RDB age %d seconds", age)
			case "used-mem":
				var m int64
				fmt.Sscan(rec.AuxValue, &m)
				logf('*', "RDB memory usage when created %.2f Mb", float64(m)/(1024*1024))
				ld.Progress(cr.n, m)
			case "aof-base":
				if rec.AuxValue == "1" {
					stats.AOFBase = true
					logf('*', "RDB is base AOF")
				}
			}
		case rdb.RecordSelectDB:
			db = rec.DB
		case rdb.RecordEOF:
			if rec.ChecksumDisabled && rd.Version() >= 5 {
				logf('#', "RDB file was saved with checksum disabled: no check performed.")
			}
			if stats.EmptySkipped > 0 {
				logf('*', "Done loading RDB, keys loaded: %d, keys expired: %d, empty keys skipped: %d.", stats.Loaded, stats.Expired, stats.EmptySkipped)
			} else {
				logf('*', "Done loading RDB, keys loaded: %d, keys expired: %d.", stats.Loaded, stats.Expired)
			}
			return stats, nil
		case rdb.RecordEntry:
			before := ld.Expired()
			if err := ld.Add(db, rec.Key, rec.Value, rec.ExpireMs, rec.Idle); err != nil {
				if errors.Is(err, engine.ErrDuplicateKey) {
					return stats, &rdb.Error{Msg: fmt.Sprintf("RDB has duplicated key '%s' in DB %d", rec.Key, db), Corrupt: true}
				}
				var re *rdb.Error
				if errors.As(err, &re) {
					return stats, err
				}
				return stats, &rdb.Error{Msg: fmt.Sprintf("Internal error in RDB reading offset %d, function at rdb.c:0 -> Bad data format for key '%s': %v", cr.n, rec.Key, err), Corrupt: true}
			}
			if ld.Expired() > before {
				stats.Expired++
			} else {
				stats.Loaded++
			}
			if o.KeyLoadDelayUs > 0 {
				time.Sleep(time.Duration(o.KeyLoadDelayUs) * time.Microsecond)
			}
			if o.ProgressEvery > 0 && cr.n >= nextProgress {
				ld.Progress(cr.n, 0)
				nextProgress = cr.n + o.ProgressEvery
			}
		}
	}
}

// Cron runs the engine's persistence cron (save points, scheduled
// BGSAVEs) every 100 ms until ctx ends.
func (p *Persister) Cron(ctx context.Context) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.eng.PersistenceCron()
		}
	}
}

// CheckDir is the engine's check of CONFIG SET dir.
func (p *Persister) CheckDir(dir string) error { return CheckDir(dir) }

// CheckDir is what CONFIG SET dir checks: the directory must exist.
func CheckDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return errors.New(errText(err))
	}
	if !st.IsDir() {
		return errors.New("Not a directory")
	}
	return nil
}
