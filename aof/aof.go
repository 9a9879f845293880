package aof

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goredis-dev/goredis/engine"
)

// state is Redis's aof_state.
type state int

const (
	stateOff         state = iota
	stateOn                // appending to the last incr file
	stateWaitRewrite       // turned on at run time: waiting for the first rewrite
)

// fsync policies (appendfsync).
const (
	fsyncNo int32 = iota
	fsyncEverysec
	fsyncAlways
)

// Options configure an AOF.
type Options struct {
	// Engine is the engine whose effects are appended and into which the
	// files are loaded.
	Engine *engine.Engine
	// Logf receives Redis-style log lines; level is one of '.', '-', '*',
	// '#' as in Redis's log.
	Logf func(level byte, format string, args ...any)
	// Exit ends the process, as Redis's exit(1) when a write or fsync
	// fails under appendfsync always (an acknowledged write could be
	// lost); nil means os.Exit.
	Exit func(code int)
}

// writeErrorLogEvery is Redis's AOF_WRITE_LOG_ERROR_RATE: at most one log
// line about failing writes per 30 seconds.
const writeErrorLogEvery = 30 * time.Second

// AOF is the append-only file of one engine: Redis 7.0's multi-part
// layout (a directory with a manifest, a base file and incr files), the
// writer behind the engine's propagation path, the loader, and the
// background rewrite. It implements engine.Propagator and
// engine.AppendOnlyFile.
type AOF struct {
	e    *engine.Engine
	logf func(level byte, format string, args ...any)

	dir      string // the working directory (config dir)
	dirname  string // appenddirname
	filename string // appendfilename

	// Lock order: writeMu, then mu. Propagate (engine locked) takes mu
	// only, so the engine never waits for the disk.
	writeMu sync.Mutex // serializes writes and fsyncs of the incr file
	mu      sync.Mutex
	state   state
	buf     []byte // encoded effects not yet written
	pending atomic.Int64
	// selectedDB is the database the file's last command applied to
	// (-1: the next command writes a SELECT).
	selectedDB int
	lastTS     int64
	file       *os.File
	manifest   *Manifest

	fsync            atomic.Int32
	noFsyncOnRewrite atomic.Bool
	timestamps       bool
	useRDBPreamble   bool
	loadTruncated    bool
	noAutoGC         bool
	flushSleep       time.Duration
	autoPercent      int64
	autoMinSize      int64

	// Sizes, as Redis's aof_current_size, aof_rewrite_base_size,
	// aof_last_incr_size and aof_last_incr_fsync_offset.
	currentSize, baseSize       int64
	lastIncrSize, fsyncedOffset int64
	lastFsync                   time.Time

	// lastWriteErr is the last write's error (aof_last_write_status),
	// fsyncErr the last everysec fsync's (aof_bio_fsync_status); diskErr
	// is their strerror text while the AOF is on, for the MISCONF gate
	// (read without the lock).
	lastWriteErr    error
	fsyncErr        error
	diskErr         atomic.Pointer[string]
	lastWriteErrLog time.Time
	exit            func(code int)
	rewriteLimit    rewriteLimiter
	rewriting       bool
	// abandoned: a shutdown gave up the rewrite in progress (Redis kills
	// its child); nobody waits for it.
	abandoned           atomic.Bool
	rewriteScheduled    bool
	rewriteStart        time.Time
	lastRewriteSec      int64
	rewrites            int64
	consecutiveFailures int64
	lastRewriteOK       bool
	delayedFsync        int64

	detach  func()
	stop    chan struct{}
	stopped chan struct{}
	// bg counts the goroutines writing a rewrite's base file.
	bg sync.WaitGroup
}

// Open reads the manifest of the append-only directory and, with
// appendonly yes, loads the files into the engine and opens the last incr
// file for appending, as Redis does at startup (loadDataFromDisk and
// aofOpenIfNeededOnServerStart). loaded reports whether data came from the
// AOF. An error means the server must not start; it has been logged.
func Open(opts Options) (a *AOF, loaded bool, err error) {
	e := opts.Engine
	a = &AOF{
		e:              e,
		logf:           opts.Logf,
		dir:            e.Config("dir"),
		dirname:        e.Config("appenddirname"),
		filename:       e.Config("appendfilename"),
		selectedDB:     -1,
		lastRewriteOK:  true,
		lastRewriteSec: -1,
		stop:           make(chan struct{}),
		stopped:        make(chan struct{}),
		exit:           opts.Exit,
	}
	if a.logf == nil {
		a.logf = func(byte, string, ...any) {}
	}
	if a.exit == nil {
		a.exit = os.Exit
	}
	for _, name := range []string{"appendfsync", "no-appendfsync-on-rewrite", "aof-timestamp-enabled",
		"aof-use-rdb-preamble", "aof-load-truncated", "auto-aof-rewrite-percentage", "auto-aof-rewrite-min-size",
		"aof-disable-auto-gc"} {
		a.ConfigChanged(name, e.Config(name))
	}
	m, err := a.loadManifest()
	if err != nil {
		return nil, false, err
	}
	a.manifest = m
	if e.Config("appendonly") == "yes" {
		a.state = stateOn
		start := time.Now()
		res, err := a.loadFiles(e.StartLoading)
		if err != nil {
			return nil, false, err
		}
		if res != resNotExist {
			loaded = true
			a.logf('*', "DB loaded from append only file: %.3f seconds", time.Since(start).Seconds())
		}
		if err := a.openOnStart(); err != nil {
			return nil, false, err
		}
		a.attach()
	}
	go a.cron()
	return a, loaded, nil
}

// dirPath is the append-only directory.
func (a *AOF) dirPath() string { return filepath.Join(a.dir, a.dirname) }

// path is a file of the append-only directory.
func (a *AOF) path(name string) string { return filepath.Join(a.dir, a.dirname, name) }

func (a *AOF) manifestName() string { return a.filename + manifestSuffix }

// loadManifest is aofLoadManifestFromDisk: no directory or no manifest is
// an empty manifest; a bad one is fatal, with Redis's log lines.
func (a *AOF) loadManifest() (*Manifest, error) {
	data, err := os.ReadFile(a.path(a.manifestName()))
	if errors.Is(err, os.ErrNotExist) {
		return &Manifest{}, nil
	}
	if err != nil {
		a.logf('#', "Fatal error: can't open the AOF manifest file %s for reading: %s", a.path(a.manifestName()), errText(err))
		return nil, err
	}
	m, err := ParseManifest(data)
	if err != nil {
		var me *ManifestError
		if errors.As(err, &me) {
			a.logf('#', "\n*** FATAL AOF MANIFEST FILE ERROR ***\n")
			if me.Line > 0 && me.Text != "" {
				a.logf('#', "Reading the manifest file, at line %d\n", me.Line)
				a.logf('#', ">>> '%s'\n", me.Text)
			}
			a.logf('#', "%s\n", me.Message)
		}
		return nil, err
	}
	return m, nil
}

// openOnStart is aofOpenIfNeededOnServerStart: create the directory, a
// base file when there is nothing at all, open (or create) the last incr
// file, and persist the manifest.
func (a *AOF) openOnStart() error {
	if err := os.MkdirAll(a.dirPath(), 0o755); err != nil {
		a.logf('#', "Can't open or create append-only dir %s: %s", a.dirname, errText(err))
		return err
	}
	m := a.manifest
	hadIncr := len(m.Incr) > 0
	if m.Base == nil && !hadIncr {
		name := m.newBase(a.filename, a.useRDBPreamble)
		if err := a.rewriteNow(a.path(name)); err != nil {
			return err
		}
		a.logf('*', "Creating AOF base file %s on server start", name)
	}
	name := m.lastIncr(a.filename)
	f, err := os.OpenFile(a.path(name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		a.logf('#', "Can't open the append-only file %s: %s", name, errText(err))
		return err
	}
	a.file = f
	if err := a.persistManifest(m); err != nil {
		return err
	}
	if st, err := f.Stat(); err == nil {
		a.lastIncrSize = st.Size()
		a.fsyncedOffset = a.lastIncrSize
	}
	if hadIncr {
		a.logf('*', "Opening AOF incr file %s on server start", name)
	} else {
		a.logf('*', "Creating AOF incr file %s on server start", name)
	}
	a.lastFsync = time.Now()
	return nil
}

// rewriteNow writes a base file of the current dataset synchronously
// (startup with an empty dataset), through the rewriter.
func (a *AOF) rewriteNow(path string) error {
	tmp := filepath.Join(a.dir, "temp-rewriteaof-"+strconv.Itoa(os.Getpid())+".aof")
	snap := a.e.BeginSnapshot()
	err := writeBase(tmp, snap, a.useRDBPreamble, a.timestamps)
	snap.Close()
	if err != nil {
		a.logf('#', "Write error writing append only file on disk: %s", errText(err))
		return err
	}
	return os.Rename(tmp, path)
}

// persistManifest writes m through a temporary file renamed into place,
// then syncs the directory (writeAofManifestFile).
func (a *AOF) persistManifest(m *Manifest) error {
	name := a.manifestName()
	tmpName := tempPrefix + name
	tmp := a.path(tmpName)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC|os.O_CREATE, 0o644)
	if err != nil {
		a.logf('#', "Can't open the AOF manifest file %s: %s", tmpName, errText(err))
		return err
	}
	if _, err := f.Write(m.Bytes()); err != nil {
		f.Close()
		a.logf('#', "Error trying to write the temporary AOF manifest file %s: %s", tmpName, errText(err))
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		a.logf('#', "Fail to fsync the temp AOF file %s: %s.", tmpName, errText(err))
		return err
	}
	f.Close()
	if err := os.Rename(tmp, a.path(name)); err != nil {
		a.logf('#', "Error trying to rename the temporary AOF manifest file %s into %s: %s", tmpName, name, errText(err))
		return err
	}
	if err := syncDir(a.dirPath()); err != nil {
		a.logf('#', "Fail to fsync AOF directory %s: %s.", a.path(name), errText(err))
		return err
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// attach makes the AOF a receiver of the engine's effects and installs
// the write-before-reply hook.
func (a *AOF) attach() {
	if a.detach != nil {
		return
	}
	a.detach = a.e.AttachPropagator(a)
	a.e.SetSyncer(a.beforeReply)
}

// Propagate encodes one execution unit's effects into the buffer, with a
// SELECT when the database changes (feedAppendOnlyFile). Called with the
// engine locked.
func (a *AOF) Propagate(ops []engine.Op) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state == stateOff {
		return
	}
	n0 := len(a.buf)
	for _, op := range ops {
		if op.Target&engine.PropagateAOF == 0 {
			continue
		}
		if a.timestamps {
			if now := time.Now().Unix(); now > a.lastTS {
				a.lastTS = now
				a.buf = append(a.buf, "#TS:"...)
				a.buf = strconv.AppendInt(a.buf, now, 10)
				a.buf = append(a.buf, "\r\n"...)
			}
		}
		if op.DB != a.selectedDB {
			db := strconv.Itoa(op.DB)
			a.buf = append(a.buf, "*2\r\n$6\r\nSELECT\r\n$"...)
			a.buf = strconv.AppendInt(a.buf, int64(len(db)), 10)
			a.buf = append(a.buf, "\r\n"...)
			a.buf = append(a.buf, db...)
			a.buf = append(a.buf, "\r\n"...)
			a.selectedDB = op.DB
		}
		a.buf = AppendCommand(a.buf, op.Args)
	}
	a.pending.Add(int64(len(a.buf) - n0))
}

// AppendCommand appends args as Redis writes a command into the AOF:
// a RESP array of bulk strings (catAppendOnlyGenericCommand).
func AppendCommand(b []byte, args [][]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, arg := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(arg)), 10)
		b = append(b, "\r\n"...)
		b = append(b, arg...)
		b = append(b, "\r\n"...)
	}
	return b
}

// beforeReply runs before a client's replies leave: what was propagated
// is written to the incr file, and with appendfsync always made durable,
// so no client is told of a write a crash could lose. Concurrent callers
// share one write and one fsync (group commit).
func (a *AOF) beforeReply() {
	if a.pending.Load() == 0 {
		return
	}
	a.flush(a.fsync.Load() == fsyncAlways)
}

// flush writes the buffer (and fsyncs when sync) as flushAppendOnlyFile.
func (a *AOF) flush(sync bool) {
	a.writeMu.Lock()
	defer a.writeMu.Unlock()
	a.mu.Lock()
	if sleep := a.flushSleep; sleep > 0 && len(a.buf) > 0 {
		// DEBUG AOF-FLUSH-SLEEP, as Redis's aof_flush_sleep.
		a.mu.Unlock()
		time.Sleep(sleep)
		a.mu.Lock()
	}
	buf := a.buf
	a.buf = nil
	f := a.file
	a.pending.Add(-int64(len(buf)))
	a.mu.Unlock()
	if f == nil {
		return
	}
	if len(buf) > 0 {
		n, err := f.Write(buf)
		a.mu.Lock()
		if err != nil {
			n = a.writeFailed(f, buf, n, err)
			a.lastIncrSize += int64(n)
			a.currentSize += int64(n)
			// Keep what was not written, for the next try (the cron
			// retries every second, each reply before it leaves).
			a.buf = append(append([]byte(nil), buf[n:]...), a.buf...)
			a.pending.Add(int64(len(buf) - n))
			a.mu.Unlock()
			return
		}
		a.lastIncrSize += int64(n)
		a.currentSize += int64(n)
		if a.lastWriteErr != nil {
			a.logf('#', "AOF write error looks solved, Redis can write again.")
			a.lastWriteErr = nil
			a.refreshDiskErr()
		}
		a.mu.Unlock()
	}
	if sync {
		a.fsyncLocked(f)
	}
}

// writeFailed handles a write of buf that stopped after n bytes with err,
// as flushAppendOnlyFile: a short write is cut off the file again
// (ftruncate) so that no partial command stays in it; the error is
// logged at most every 30 s; writes are refused (-MISCONF) until a write
// succeeds; with appendfsync always the process exits, since the client
// may have seen the write. It returns the bytes that stay written; a.mu
// held.
func (a *AOF) writeFailed(f *os.File, buf []byte, n int, err error) int {
	canLog := time.Since(a.lastWriteErrLog) > writeErrorLogEvery
	if canLog {
		a.lastWriteErrLog = time.Now()
	}
	if n == 0 {
		if canLog {
			a.logf('#', "Error writing to the AOF file: %s", errText(err))
		}
	} else {
		if canLog {
			a.logf('#', "Short write while writing to the AOF file: (nwritten=%d, expected=%d)", n, len(buf))
		}
		if terr := f.Truncate(a.lastIncrSize); terr != nil {
			if canLog {
				a.logf('#', "Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: %s", errText(terr))
			}
		} else {
			n = 0
		}
		err = syscall.ENOSPC // Redis's errno for a short write
	}
	if a.fsync.Load() == fsyncAlways {
		a.logf('#', "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...")
		a.exit(1)
	}
	a.lastWriteErr = err
	a.refreshDiskErr()
	return n
}

// refreshDiskErr publishes the write or fsync error for WriteError; a.mu
// held.
func (a *AOF) refreshDiskErr() {
	err := a.lastWriteErr
	if err == nil {
		err = a.fsyncErr
	}
	if err == nil || a.state == stateOff {
		a.diskErr.Store(nil)
		return
	}
	text := errText(err)
	a.diskErr.Store(&text)
}

// WriteError is the error of the last write or fsync while the AOF is on,
// "" when they succeed (engine.AppendOnlyFile).
func (a *AOF) WriteError() string {
	if p := a.diskErr.Load(); p != nil {
		return *p
	}
	return ""
}

// fsyncLocked fsyncs the incr file if it has unsynced bytes; writeMu held.
func (a *AOF) fsyncLocked(f *os.File) {
	a.mu.Lock()
	size := a.lastIncrSize
	skip := size == a.fsyncedOffset || (a.noFsyncOnRewrite.Load() && a.rewriting)
	a.mu.Unlock()
	if skip {
		return
	}
	err := f.Sync()
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		if a.fsync.Load() == fsyncAlways {
			a.logf('#', "Can't persist AOF for fsync error when the AOF fsync policy is 'always': %s. Exiting...", errText(err))
			a.exit(1)
			return
		}
		// Redis's background fsync (bio.c): logged when the status turns
		// bad, writes refused until an fsync succeeds.
		if a.fsyncErr == nil {
			a.logf('#', "Fail to fsync the AOF file: %s", errText(err))
		}
		a.fsyncErr = err
		a.refreshDiskErr()
		return
	}
	if a.fsyncErr != nil {
		a.fsyncErr = nil
		a.refreshDiskErr()
	}
	a.fsyncedOffset = size
	a.lastFsync = time.Now()
}

// cron is the once-a-second work of serverCron for the AOF: write what no
// reply flushed (active expiry), fsync with everysec, start automatic and
// scheduled rewrites.
func (a *AOF) cron() {
	defer close(a.stopped)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
		}
		policy := a.fsync.Load()
		if a.pending.Load() > 0 || policy == fsyncEverysec {
			a.flush(policy != fsyncNo)
		}
		a.maybeRewrite()
	}
}

// Shutdown is the AOF's part of Redis's finishShutdown (the engine is
// locked): the server must not exit before its first AOF is written unless
// forced; a rewrite in progress is abandoned (Close does not wait for it,
// and its temp file goes); the file is flushed and fsynced.
func (a *AOF) Shutdown(force bool) error {
	a.mu.Lock()
	st, rewriting := a.state, a.rewriting
	a.mu.Unlock()
	if rewriting {
		if st == stateWaitRewrite {
			if !force {
				a.logf('#', "Writing initial AOF, can't exit.")
				return errors.New("writing the initial AOF")
			}
			a.logf('#', "Writing initial AOF. Exit anyway.")
		}
		a.logf('#', "There is a child rewriting the AOF. Killing it!")
		a.abandoned.Store(true)
		os.Remove(filepath.Join(a.dir, "temp-rewriteaof-bg-"+strconv.Itoa(os.Getpid())+".aof"))
	}
	if st != stateOff {
		a.logf('*', "Calling fsync() on the AOF file.")
		a.flush(true)
	}
	return nil
}

// Close writes and fsyncs what is buffered and closes the incr file, as
// Redis does on shutdown.
func (a *AOF) Close() error {
	select {
	case <-a.stop:
	default:
		close(a.stop)
		<-a.stopped
	}
	if !a.abandoned.Load() {
		a.bg.Wait()
	}
	a.flush(true)
	a.writeMu.Lock()
	defer a.writeMu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.file != nil {
		err := a.file.Close()
		a.file = nil
		return err
	}
	return nil
}

// ConfigChanged applies a new value of an AOF parameter.
func (a *AOF) ConfigChanged(name, value string) {
	yes := value == "yes"
	switch name {
	case "appendfsync":
		switch value {
		case "always":
			a.fsync.Store(fsyncAlways)
		case "no":
			a.fsync.Store(fsyncNo)
		default:
			a.fsync.Store(fsyncEverysec)
		}
	case "no-appendfsync-on-rewrite":
		a.noFsyncOnRewrite.Store(yes)
	case "aof-disable-auto-gc":
		// updateAofAutoGCEnabled: turning the collection back on removes
		// the history files at once.
		a.writeMu.Lock()
		defer a.writeMu.Unlock()
		a.mu.Lock()
		defer a.mu.Unlock()
		a.noAutoGC = yes
		if !yes && a.manifest != nil {
			a.deleteHistory()
		}
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch name {
	case "aof-timestamp-enabled":
		a.timestamps = yes
	case "aof-use-rdb-preamble":
		a.useRDBPreamble = yes
	case "aof-load-truncated":
		a.loadTruncated = yes
	case "auto-aof-rewrite-percentage":
		a.autoPercent, _ = strconv.ParseInt(value, 10, 64)
	case "aof-flush-sleep":
		// DEBUG AOF-FLUSH-SLEEP: as C's atoi.
		a.flushSleep = time.Duration(atoi([]byte(value))) * time.Microsecond
	case "auto-aof-rewrite-min-size":
		a.autoMinSize, _ = strconv.ParseInt(value, 10, 64)
	}
}

// Info adds the aof_* fields of INFO persistence.
func (a *AOF) Info(main, enabled func(name, value string)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b := func(v bool) string {
		if v {
			return "1"
		}
		return "0"
	}
	status := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "err"
	}
	cur := int64(-1)
	if a.rewriting {
		cur = int64(time.Since(a.rewriteStart).Seconds())
	}
	main("aof_enabled", b(a.state != stateOff))
	main("aof_rewrite_in_progress", b(a.rewriting))
	main("aof_rewrite_scheduled", b(a.rewriteScheduled))
	main("aof_last_rewrite_time_sec", strconv.FormatInt(a.lastRewriteSec, 10))
	main("aof_current_rewrite_time_sec", strconv.FormatInt(cur, 10))
	main("aof_last_bgrewrite_status", status(a.lastRewriteOK))
	main("aof_rewrites", strconv.FormatInt(a.rewrites, 10))
	main("aof_rewrites_consecutive_failures", strconv.FormatInt(a.consecutiveFailures, 10))
	main("aof_last_write_status", status(a.lastWriteErr == nil && a.fsyncErr == nil))
	main("aof_last_cow_size", "0")
	if a.state != stateOff {
		enabled("aof_current_size", strconv.FormatInt(a.currentSize, 10))
		enabled("aof_base_size", strconv.FormatInt(a.baseSize, 10))
		enabled("aof_pending_rewrite", b(a.rewriteScheduled))
		enabled("aof_buffer_length", strconv.Itoa(len(a.buf)))
		enabled("aof_pending_bio_fsync", "0")
		enabled("aof_delayed_fsync", strconv.FormatInt(a.delayedFsync, 10))
	}
}

// errText is an error as strerror words it, without Go's "op path:"
// prefix.
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	s := err.Error()
	if s != "" {
		s = string(s[0]-('a'-'A')*byte(btoi(s[0] >= 'a' && s[0] <= 'z'))) + s[1:]
	}
	return s
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

var _ engine.Propagator = (*AOF)(nil)
var _ engine.AppendOnlyFile = (*AOF)(nil)

// String describes the AOF for debugging.
func (a *AOF) String() string {
	return fmt.Sprintf("aof(%s)", a.dirPath())
}
