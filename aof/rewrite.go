package aof

import (
	"bufio"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/persist"
	"github.com/goredis-dev/goredis/rdb"
)

// itemsPerCommand is Redis's AOF_REWRITE_ITEMS_PER_CMD: a collection is
// rebuilt by commands of at most this many items.
const itemsPerCommand = 64

// writeBase writes a base file from a snapshot: an RDB file (with the
// aof-base aux field) when rdbFormat, as aof-use-rdb-preamble asks;
// otherwise commands, as rewriteAppendOnlyFileRio: FUNCTION LOAD per
// function library, SELECT per database, then per key SET, or
// RPUSH/SADD/ZADD/HMSET in batches of 64, and PEXPIREAT for a deadline. The file is fsynced before it is closed; it
// is removed on error.
func writeBase(path string, snap *engine.Snapshot, rdbFormat, timestamps bool) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return &openTempError{err}
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	w := bufio.NewWriterSize(f, 64*1024)
	if rdbFormat {
		st := snap.Settings()
		err = persist.WriteRDB(w, snap, persist.WriteOptions{Compression: st.Compression, Checksum: st.Checksum,
			KeySaveDelayUs: st.KeySaveDelayUs, RedisVersion: st.RedisVersion, AOFBase: true})
	} else {
		err = writeCommands(w, snap, timestamps)
	}
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Sync()
}

// openTempError is a base file that could not be created.
type openTempError struct{ err error }

func (e *openTempError) Error() string { return e.err.Error() }
func (e *openTempError) Unwrap() error { return e.err }

// writeCommands writes a snapshot as AOF-format commands.
func writeCommands(w io.Writer, snap *engine.Snapshot, timestamps bool) error {
	var b []byte
	if timestamps {
		b = append(b, "#TS:"...)
		b = strconv.AppendInt(b, time.Now().Unix(), 10)
		b = append(b, "\r\n"...)
	}
	// The function libraries come first, each as the FUNCTION LOAD that
	// creates it (Redis's rewriteFunctions): the keys' commands may be
	// followed by FCALLs that need them.
	for _, code := range snap.Functions() {
		b = AppendCommand(b, [][]byte{[]byte("FUNCTION"), []byte("LOAD"), code})
	}
	db := -1
	args := make([][]byte, 0, 2+2*itemsPerCommand)
	var batch []engine.SnapshotKey
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
			v, err := rdb.DecodeValue(k.Value)
			if err != nil {
				return err
			}
			if k.DB != db {
				db = k.DB
				b = AppendCommand(b, [][]byte{[]byte("SELECT"), []byte(strconv.Itoa(db))})
			}
			b = appendValueCommands(b, args, []byte(k.Key), v)
			if k.ExpireMs != -1 {
				b = AppendCommand(b, [][]byte{[]byte("PEXPIREAT"), []byte(k.Key), []byte(strconv.FormatInt(k.ExpireMs, 10))})
			}
			if len(b) > 32*1024 {
				if _, err := w.Write(b); err != nil {
					return err
				}
				b = b[:0]
			}
		}
	}
	_, err := w.Write(b)
	return err
}

// appendValueCommands appends the commands that rebuild v at key.
func appendValueCommands(b []byte, args [][]byte, key []byte, v rdb.Value) []byte {
	var verb string
	switch v.Kind {
	case rdb.KindString:
		return AppendCommand(b, [][]byte{[]byte("SET"), key, []byte(v.Str)})
	case rdb.KindList:
		verb = "RPUSH"
	case rdb.KindSet:
		verb = "SADD"
	case rdb.KindZset:
		verb = "ZADD"
	case rdb.KindHash:
		verb = "HMSET"
	case rdb.KindStream:
		return appendStreamCommands(b, key, v.Stream)
	default:
		return b
	}
	per := 1
	if v.Kind == rdb.KindHash {
		per = 2
	}
	items := v.Items
	for i := 0; i < len(items); {
		args = append(args[:0], []byte(verb), key)
		for n := 0; n < itemsPerCommand && i < len(items); n++ {
			if v.Kind == rdb.KindZset {
				// ZADD takes the score first, written as %.17g.
				args = append(args, []byte(formatG17(v.Scores[i])), []byte(items[i]))
			} else {
				for j := 0; j < per; j++ {
					args = append(args, []byte(items[i+j]))
				}
			}
			i += per
		}
		b = AppendCommand(b, args)
	}
	return b
}

// formatG17 formats a score as C's "%.17g" (inf, -inf as Redis reads them).
func formatG17(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// BackgroundRewrite is BGREWRITEAOF (bgrewriteaofCommand); the engine is
// locked.
func (a *AOF) BackgroundRewrite(inExec bool) (string, error) {
	a.mu.Lock()
	rewriting := a.rewriting
	if !rewriting && inExec {
		a.rewriteScheduled = true
		a.consecutiveFailures = 0
	}
	a.mu.Unlock()
	switch {
	case rewriting:
		return "", errors.New("ERR Background append only file rewriting already in progress")
	case inExec:
		return "Background append only file rewriting scheduled", nil
	}
	if err := a.startRewrite(); err != nil {
		return "", errors.New("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
	}
	return "Background append only file rewriting started", nil
}

// startRewrite is rewriteAppendOnlyFileBackground, with the engine locked
// so that the switch to a new incr file and the copy of the dataset happen
// between two commands: the new base holds everything before the switch,
// the new incr file everything after. The base is written by a goroutine.
func (a *AOF) startRewrite() error {
	if err := os.MkdirAll(a.dirPath(), 0o755); err != nil {
		a.logf('#', "Can't open or create append-only dir %s: %s", a.dirname, errText(err))
		a.mu.Lock()
		a.lastRewriteOK = false
		a.mu.Unlock()
		return err
	}
	// What is buffered belongs to the old incr file.
	a.flush(false)
	a.mu.Lock()
	a.selectedDB = -1
	a.mu.Unlock()
	if err := a.openNewIncr(); err != nil {
		a.mu.Lock()
		a.lastRewriteOK = false
		a.mu.Unlock()
		return err
	}
	snap := a.e.BeginRewriteSnapshotLocked()
	a.mu.Lock()
	a.rewrites++
	a.rewriting = true
	a.rewriteScheduled = false
	a.rewriteStart = time.Now()
	forEnable := a.state == stateWaitRewrite
	a.mu.Unlock()
	a.logf('*', "Background append only file rewriting started by pid %d", os.Getpid())
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		a.finishRewrite(snap, forEnable)
	}()
	return nil
}

// tempIncrName is the incr file written while appendonly waits for its
// first rewrite.
func (a *AOF) tempIncrName() string { return tempPrefix + a.filename + incrSuffix }

// openNewIncr is openNewIncrAofForAppend: a new incr file listed in the
// manifest (or, while waiting for the first rewrite, a temporary one),
// which the effects go to from now on.
func (a *AOF) openNewIncr() error {
	a.writeMu.Lock()
	defer a.writeMu.Unlock()
	a.mu.Lock()
	st := a.state
	a.mu.Unlock()
	if st == stateOff {
		return nil
	}
	var name string
	var m *Manifest
	if st == stateWaitRewrite {
		name = a.tempIncrName()
	} else {
		m = a.manifest.clone()
		name = m.newIncr(a.filename)
	}
	f, err := os.OpenFile(a.path(name), os.O_WRONLY|os.O_TRUNC|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		a.logf('#', "Can't open the append-only file %s: %s", name, errText(err))
		return err
	}
	if m != nil {
		if err := a.persistManifest(m); err != nil {
			f.Close()
			return err
		}
	}
	a.logf('*', "Creating AOF incr file %s on background rewrite", name)
	a.mu.Lock()
	old := a.file
	a.file = f
	a.lastIncrSize, a.fsyncedOffset = 0, 0
	if m != nil {
		a.manifest = m
	}
	a.lastFsync = time.Now()
	a.mu.Unlock()
	if old != nil {
		// Redis fsyncs and closes the old file in a background thread.
		go func() {
			old.Sync()
			old.Close()
		}()
	}
	return nil
}

// finishRewrite writes the base file and then, as
// backgroundRewriteDoneHandler, installs it: the base renamed into place,
// the covered incr files made history, the manifest replaced atomically,
// the history deleted.
func (a *AOF) finishRewrite(snap *engine.Snapshot, forEnable bool) {
	a.mu.Lock()
	timestamps, rdbFormat := a.timestamps, a.useRDBPreamble
	a.mu.Unlock()
	tmpName := "temp-rewriteaof-bg-" + strconv.Itoa(os.Getpid()) + ".aof"
	tmp := filepath.Join(a.dir, tmpName)
	err := writeBase(tmp, snap, rdbFormat, timestamps)
	snap.Close()
	if err == nil {
		a.logf('*', "Successfully created the temporary AOF base file %s", tmpName)
		a.logf('*', "Background AOF rewrite terminated with success")
		err = a.installRewrite(tmp, tmpName, forEnable, rdbFormat)
	} else {
		var oe *openTempError
		if errors.As(err, &oe) {
			a.logf('#', "Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): %s", errText(oe.err))
		} else {
			a.logf('#', "Write error writing append only file on disk: %s", errText(err))
		}
		a.logf('#', "Background AOF rewrite terminated with error")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rewriting = false
	a.lastRewriteSec = int64(time.Since(a.rewriteStart).Seconds())
	if err != nil {
		a.lastRewriteOK = false
		a.consecutiveFailures++
		os.Remove(tmp)
		if a.state == stateWaitRewrite {
			a.buf = nil
			a.pending.Store(0)
			if a.file != nil {
				a.file.Close()
				a.file = nil
			}
			os.Remove(a.path(a.tempIncrName()))
			a.logf('*', "Removing the temp incr aof file %s in the background", a.tempIncrName())
			a.rewriteScheduled = true
		}
		return
	}
	a.lastRewriteOK = true
	a.consecutiveFailures = 0
}

// installRewrite is the success half of backgroundRewriteDoneHandler.
func (a *AOF) installRewrite(tmp, tmpName string, forEnable, rdbFormat bool) error {
	a.writeMu.Lock()
	defer a.writeMu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.manifest.clone()
	baseName := m.newBase(a.filename, rdbFormat)
	if err := os.Rename(tmp, a.path(baseName)); err != nil {
		a.logf('#', "Error trying to rename the temporary AOF base file %s into %s: %s", tmpName, baseName, errText(err))
		return err
	}
	a.logf('*', "Successfully renamed the temporary AOF base file %s into %s", tmpName, baseName)
	waiting := a.state == stateWaitRewrite && forEnable
	if waiting {
		tempIncr := a.tempIncrName()
		incrName := m.newIncr(a.filename)
		if err := os.Rename(a.path(tempIncr), a.path(incrName)); err != nil {
			a.logf('#', "Error trying to rename the temporary AOF incr file %s into %s: %s", a.path(tempIncr), incrName, errText(err))
			os.Remove(a.path(baseName))
			return err
		}
		a.logf('*', "Successfully renamed the temporary AOF incr file %s into %s", tempIncr, incrName)
	}
	m.incrToHistory(a.file != nil)
	if err := a.persistManifest(m); err != nil {
		os.Remove(a.path(baseName))
		return err
	}
	a.manifest = m
	if a.state != stateOff {
		if st, err := os.Stat(a.path(baseName)); err == nil {
			a.currentSize = st.Size() + a.lastIncrSize
			a.baseSize = a.currentSize
		}
	}
	a.deleteHistory()
	a.logf('*', "Background AOF rewrite finished successfully")
	if waiting {
		a.state = stateOn
	}
	return nil
}

// deleteHistory is aofDelHistoryFiles: history files are removed and the
// manifest rewritten without them (unless aof-disable-auto-gc).
func (a *AOF) deleteHistory() {
	m := a.manifest
	if len(m.History) == 0 || a.noAutoGC {
		return
	}
	for _, fi := range m.History {
		a.logf('*', "Removing the history file %s in the background", fi.Name)
		os.Remove(a.path(fi.Name))
	}
	m.History = nil
	a.persistManifest(m)
}

// SetEnabled is CONFIG SET appendonly: startAppendOnly / stopAppendOnly.
// The engine is locked.
func (a *AOF) SetEnabled(on bool, inExec bool) error {
	a.mu.Lock()
	st, rewriting := a.state, a.rewriting
	a.mu.Unlock()
	if !on {
		if st == stateOff {
			return nil
		}
		a.flush(true)
		a.writeMu.Lock()
		a.mu.Lock()
		if a.file != nil {
			a.file.Close()
			a.file = nil
		}
		a.selectedDB = -1
		a.state = stateOff
		a.refreshDiskErr()
		a.rewriteScheduled = false
		a.lastIncrSize, a.fsyncedOffset = 0, 0
		a.buf = nil
		a.pending.Store(0)
		a.mu.Unlock()
		a.writeMu.Unlock()
		return nil
	}
	if st != stateOff {
		return nil
	}
	a.mu.Lock()
	a.state = stateWaitRewrite
	a.refreshDiskErr()
	a.mu.Unlock()
	a.e.SetSyncer(a.beforeReply)
	switch {
	case rewriting:
		// The running rewrite does not collect the new incr file: another
		// starts when it ends.
		a.mu.Lock()
		a.rewriteScheduled = true
		a.mu.Unlock()
		a.logf('#', "AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.")
	case inExec:
		a.mu.Lock()
		a.rewriteScheduled = true
		a.mu.Unlock()
		a.logf('#', "AOF was enabled during a transaction. An AOF background was scheduled to start when possible.")
	default:
		if err := a.startRewrite(); err != nil {
			a.mu.Lock()
			a.state = stateOff
			a.refreshDiskErr()
			a.mu.Unlock()
			a.logf('#', "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.")
			return errors.New("Unable to turn on AOF. Check server logs.")
		}
	}
	return nil
}

// maybeRewrite starts a scheduled rewrite, or an automatic one when the
// AOF grew by auto-aof-rewrite-percentage over its size after the last
// rewrite (and past auto-aof-rewrite-min-size), as serverCron does.
func (a *AOF) maybeRewrite() {
	a.mu.Lock()
	start := false
	now := time.Now()
	if !a.rewriting {
		if a.rewriteScheduled && !a.rewriteLimit.limited(a.consecutiveFailures, now, a.logf) {
			start = true
		} else if a.state == stateOn && a.autoPercent > 0 && a.currentSize > a.autoMinSize {
			base := max(a.baseSize, 1)
			growth := (a.currentSize*100)/base - 100
			if growth >= a.autoPercent && !a.rewriteLimit.limited(a.consecutiveFailures, now, a.logf) {
				a.logf('*', "Starting automatic rewriting of AOF on %d%% growth", growth)
				start = true
			}
		}
	}
	a.mu.Unlock()
	if !start {
		return
	}
	a.e.Exclusive(func() {
		a.mu.Lock()
		again := !a.rewriting
		a.mu.Unlock()
		if again {
			a.startRewrite()
		}
	})
}

// Redis's AOF_REWRITE_LIMITE_THRESHOLD and AOF_REWRITE_LIMITE_MAX_MINUTES.
const (
	rewriteLimitFailures   = 3
	rewriteLimitMaxMinutes = 60
)

// rewriteLimiter is aofRewriteLimited: once rewrites failed three times in
// a row, automatic and scheduled ones (not BGREWRITEAOF) wait 1 minute,
// then 2, 4, ... up to an hour between tries; a success (or a
// BGREWRITEAOF scheduled by hand) resets the failure count and the wait.
type rewriteLimiter struct {
	delayMinutes int
	next         time.Time
}

// limited reports whether a rewrite must wait at now, given the count of
// consecutive failures; a new wait is logged as Redis logs it.
func (l *rewriteLimiter) limited(failures int64, now time.Time, logf func(level byte, format string, args ...any)) bool {
	if failures < rewriteLimitFailures {
		l.delayMinutes, l.next = 0, time.Time{}
		return false
	}
	if !l.next.IsZero() {
		if now.Before(l.next) {
			return true
		}
		l.next = time.Time{}
		return false
	}
	if l.delayMinutes == 0 {
		l.delayMinutes = 1
	} else {
		l.delayMinutes = min(l.delayMinutes*2, rewriteLimitMaxMinutes)
	}
	l.next = now.Add(time.Duration(l.delayMinutes) * time.Minute)
	logf('#', "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in %d minutes", l.delayMinutes)
	return true
}
