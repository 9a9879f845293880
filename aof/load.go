package aof

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/persist"
)

// loadResult is Redis's AOF_OK, AOF_NOT_EXIST, ... of loading.
type loadResult int

const (
	resOK loadResult = iota
	resNotExist
	resEmpty
	resOpenErr
	resFailed
	resTruncated
)

// errLoad is returned by Open when the files could not be loaded (the
// reason is in the log, worded as Redis's).
var errLoad = errors.New("the append only file could not be loaded: see the log")

// loadFiles is loadAppendOnlyFiles: the base, then every incr file, into
// the engine through one loading session. Only the last file may be
// truncated (and only with aof-load-truncated).
func (a *AOF) loadFiles(start func(totalBytes int64) (*engine.Session, *engine.Loader)) (loadResult, error) {
	if err := a.upgradeIfNeeded(); err != nil {
		return resFailed, err
	}
	m := a.manifest
	if m.Base == nil && len(m.Incr) == 0 {
		return resNotExist, nil
	}
	var total int64
	files := []FileInfo{}
	if m.Base != nil {
		files = append(files, *m.Base)
	}
	files = append(files, m.Incr...)
	for _, fi := range files {
		st, err := os.Stat(a.path(fi.Name))
		if err != nil {
			a.logf('#', "Unable to obtain the AOF file %s length. stat: %s", fi.Name, errText(err))
			return resFailed, errLoad
		}
		total += st.Size()
	}
	if total == 0 {
		return resEmpty, nil
	}
	s, ld := start(total)
	defer a.e.StopLoading(s, ld)
	var baseSize int64
	for i, fi := range files {
		last := i == len(files)-1
		start := time.Now()
		res := a.loadFile(s, ld, fi.Name)
		kind := "incr"
		if fi.Type == TypeBase {
			kind = "base"
			if st, err := os.Stat(a.path(fi.Name)); err == nil {
				baseSize = st.Size()
			}
		}
		if res == resOK || (res == resTruncated && last) {
			a.logf('*', "DB loaded from %s file %s: %.3f seconds", kind, fi.Name, time.Since(start).Seconds())
		}
		if res == resTruncated && !last {
			a.logf('#', "Fatal error: the truncated file is not the last file")
			res = resFailed
		}
		if res == resOpenErr || res == resFailed {
			return res, errLoad
		}
	}
	a.currentSize = total
	a.baseSize = baseSize
	return resOK, nil
}

// loadFile is loadSingleAppendOnlyFile: an RDB base (by its "REDIS"
// signature) or commands run in the loading session. A transaction left
// open at the end is reverted, as a short read.
func (a *AOF) loadFile(s *engine.Session, ld *engine.Loader, name string) loadResult {
	path := a.path(name)
	f, err := os.Open(path)
	if err != nil {
		if _, serr := os.Stat(path); serr == nil || !errors.Is(err, os.ErrNotExist) {
			a.logf('#', "Fatal error: can't open the append log file %s for reading: %s", name, errText(err))
			return resOpenErr
		}
		a.logf('#', "The append log file %s doesn't exist: %s", name, errText(err))
		return resNotExist
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		return resEmpty
	}
	br := bufio.NewReaderSize(f, 64*1024)
	var start int64
	if sig, _ := br.Peek(5); string(sig) == "REDIS" {
		// An RDB base file, or an old-style AOF with an RDB preamble and
		// commands after it.
		oldStyle := name == a.filename
		if oldStyle {
			a.logf('*', "Reading RDB preamble from AOF file...")
		} else {
			a.logf('*', "Reading RDB base file on AOF loading...")
		}
		size := int64(-1)
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		if _, err := persist.ReadRDB(br, size, ld, persist.ReadOptions{Log: a.logf, Checksum: ld.Settings().Checksum, ReadAhead: true}); err != nil {
			if oldStyle {
				a.logf('#', "Error reading the RDB preamble of the AOF file %s, AOF loading aborted", name)
			} else {
				a.logf('#', "Error reading the RDB base file %s, AOF loading aborted", name)
			}
			return resFailed
		}
		if oldStyle {
			a.logf('*', "Reading the remaining AOF tail...")
		}
		pos, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			a.logf('#', "Unrecoverable error reading the append only file %s: %s", name, errText(err))
			return resFailed
		}
		start = pos - int64(br.Buffered())
	}
	return a.replay(s, br, start, name, path)
}

// replay runs the commands of an AOF-format file (or the tail after an
// RDB preamble, which starts at offset start).
func (a *AOF) replay(s *engine.Session, f io.Reader, start int64, name, path string) loadResult {
	r := NewReader(f)
	validUpTo, validBeforeMulti := start, start
	inMulti := false
	var truncated bool
	for {
		args, err := r.Next()
		if err == io.EOF {
			break
		}
		if err == ErrFormat {
			a.logf('#', "Bad file format reading the append only file %s: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>", name)
			return resFailed
		}
		if err == ErrTruncated {
			truncated = true
			break
		}
		if err != nil {
			a.logf('#', "Unrecoverable error reading the append only file %s: %s", name, errText(err))
			return resFailed
		}
		if !s.Knows(args[0]) {
			a.logf('#', "Unknown command '%s' reading the append only file %s", string(args[0]), name)
			return resFailed
		}
		cmd := strings.ToLower(string(args[0]))
		switch {
		case cmd == "multi":
			validBeforeMulti = validUpTo
			inMulti = true
		case cmd == "exec", cmd == "discard":
			inMulti = false
		}
		s.Replay(args)
		validUpTo = start + r.Offset()
	}
	if !truncated && inMulti {
		a.logf('#', "Revert incomplete MULTI/EXEC transaction in AOF file %s", name)
		validUpTo = validBeforeMulti
		truncated = true
		// The queued commands never ran: drop the open transaction.
		s.Replay([][]byte{[]byte("DISCARD")})
	} else if truncated && inMulti {
		// Redis cuts after the last whole command even inside the
		// transaction; the next start reverts the open MULTI.
		s.Replay([][]byte{[]byte("DISCARD")})
	}
	if !truncated {
		return resOK
	}
	if a.loadTruncated {
		a.logf('#', "!!! Warning: short read while loading the AOF file %s!!!", name)
		a.logf('#', "!!! Truncating the AOF %s at offset %d !!!", name, validUpTo)
		if err := os.Truncate(path, validUpTo); err != nil {
			a.logf('#', "Error truncating the AOF file %s: %s", name, errText(err))
		} else {
			a.logf('#', "AOF %s loaded anyway because aof-load-truncated is enabled", name)
			return resTruncated
		}
	}
	a.logf('#', "Unexpected end of file reading the append only file %s. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.", name)
	return resFailed
}

// upgradeIfNeeded moves an old-style single AOF (appendfilename in the
// working directory, as Redis before 7.0 wrote it) into the append-only
// directory as its base file, as loadAppendOnlyFiles does with
// aofUpgradePrepare: when there is no directory, no manifest, or a manifest
// naming only that file as base while the file is not in the directory
// yet (an upgrade interrupted after the manifest was written).
func (a *AOF) upgradeIfNeeded() error {
	old := filepath.Join(a.dir, a.filename)
	if _, err := os.Stat(old); err != nil {
		return nil
	}
	m := a.manifest
	_, dirErr := os.Stat(a.dirPath())
	_, inDirErr := os.Stat(a.path(a.filename))
	if !(dirErr != nil ||
		(m.Base == nil && len(m.Incr) == 0) ||
		(m.Base != nil && len(m.Incr) == 0 && m.Base.Name == a.filename && inDirErr != nil)) {
		return nil
	}
	if err := os.MkdirAll(a.dirPath(), 0o755); err != nil {
		a.logf('#', "Can't open or create append-only dir %s: %s", a.dirname, errText(err))
		return err
	}
	m.Base = &FileInfo{Name: a.filename, Seq: 1, Type: TypeBase}
	m.BaseSeq = 1
	if err := a.persistManifest(m); err != nil {
		return err
	}
	if err := os.Rename(old, a.path(a.filename)); err != nil {
		a.logf('#', "Error trying to move the old AOF file %s into dir %s: %s", a.filename, a.dirname, errText(err))
		return err
	}
	a.logf('*', "Successfully migrated an old-style AOF file (%s) into the AOF directory (%s).", a.filename, a.dirname)
	return nil
}

// Reload is DEBUG LOADAOF: with the engine locked and the dataset
// emptied, write what is buffered, read the manifest again, drop history
// files and load every file. A file that cannot be loaded is an error
// (Redis exits).
func (a *AOF) Reload(start func(totalBytes int64) (*engine.Session, *engine.Loader)) error {
	a.mu.Lock()
	on := a.state == stateOn
	a.mu.Unlock()
	if on {
		a.flush(true)
	}
	m, err := a.loadManifest()
	if err != nil {
		return err
	}
	a.writeMu.Lock()
	a.mu.Lock()
	a.manifest = m
	a.deleteHistory()
	a.mu.Unlock()
	a.writeMu.Unlock()
	res, err := a.loadFiles(start)
	if err != nil {
		return err
	}
	if res != resOK && res != resEmpty && res != resNotExist {
		return errLoad
	}
	return nil
}
