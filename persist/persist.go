package persist

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/persist/image"
	"github.com/goredis-dev/goredis/rdb"
)

// Logf writes a server log line at a level: '.' debug, '-' verbose,
// '*' notice, '#' warning (Redis's markers).
type Logf = image.Logf

// WriteOptions, ReadOptions and LoadStats are package image's: the format
// loop lives there so the wasm build can use it without files.
type (
	WriteOptions = image.WriteOptions
	ReadOptions  = image.ReadOptions
	LoadStats    = image.LoadStats
)

// ErrLoadInterrupted is LoadAtStartup's answer when stop closed: a SIGTERM
// during the load, after which Redis exits without saving.
var ErrLoadInterrupted = image.ErrLoadInterrupted

// WriteRDB writes a whole RDB file of snap to w (image.Write).
func WriteRDB(w io.Writer, snap *engine.Snapshot, o WriteOptions) error {
	return image.Write(w, snap, o)
}

// ReadRDB reads a whole RDB file from r into ld (image.Read).
func ReadRDB(r io.Reader, size int64, ld *engine.Loader, o ReadOptions) (LoadStats, error) {
	return image.Read(r, size, ld, o)
}

// Persister is the engine's Persister over files.
type Persister struct {
	eng *engine.Engine
	log Logf
	// bgSeq numbers background saves: each writes its own temp file, so
	// one aborted by FLUSHALL cannot collide with the next.
	bgSeq atomic.Int64
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
	tmp := filepath.Join(st.Dir, fmt.Sprintf("temp-%d-%d.rdb", os.Getpid(), p.bgSeq.Add(1)))
	go func() {
		err := p.saveTo(snap, tmp)
		if err == nil {
			p.log('*', "RDB: %d MB of memory used by copy-on-write", snap.CopiedBytes()>>20)
			p.log('-', "Background saving held the engine lock at most %.3f ms at a time", float64(snap.LongestLockHold())/1e6)
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
	err = WriteRDB(f, snap, WriteOptions{Compression: st.Compression, Checksum: st.Checksum, KeySaveDelayUs: st.KeySaveDelayUs, RedisVersion: st.RedisVersion,
		Replication: st.Replication})
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
	_, err = ReadRDB(f, info.Size(), ld, ReadOptions{Log: p.log, Checksum: st.Checksum, KeyLoadDelayUs: st.KeyLoadDelayUs, ReadAhead: true})
	return err
}

// ErrNoDump is LoadAtStartup's answer when there is no dump file.
var ErrNoDump = errors.New("no dump file")

// LoadAtStartup loads the dump before the server serves commands (clients
// connecting meanwhile get -LOADING), logging as Redis's loadDataFromDisk.
// A missing file is not an error: the server starts empty. Closing stop
// (which may be nil) ends the load with ErrLoadInterrupted.
func (p *Persister) LoadAtStartup(stop <-chan struct{}) error {
	start := time.Now()
	ld := p.eng.BeginStartupLoad(0)
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
	_, err = ReadRDB(f, info.Size(), ld, ReadOptions{Log: p.log, Checksum: st.Checksum, KeyLoadDelayUs: st.KeyLoadDelayUs,
		ProgressEvery: st.EventsIntervalBytes, Total: info.Size(), Stop: stop, ReadAhead: true})
	ld.End()
	if errors.Is(err, ErrLoadInterrupted) {
		return err
	}
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
