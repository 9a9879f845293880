package engine

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/goredis-dev/goredis/luabridge"
	"github.com/goredis-dev/goredis/rdb"
)

// Persistence as Redis 7.0 does it, the engine's half: the state INFO
// persistence reports, SAVE, BGSAVE, LASTSAVE, save points, the MISCONF and
// LOADING steps of the gate, SHUTDOWN's final save and DEBUG RELOAD. Files
// are the host's business: a Persister (package persist) writes and reads
// them, and the engine never touches the file system. Without one (the
// wasm build, tests) SAVE and BGSAVE answer that there is nowhere to save.

// Persister writes and reads the dump file for the engine.
type Persister interface {
	// Save writes snap to the dump file (temp file, then rename) and
	// returns once it is in place. The engine lock is held, and snap is
	// read without locking.
	Save(snap *Snapshot) error
	// BackgroundSave writes snap from a goroutine of its own, then calls
	// Engine.BackgroundSaveDone. It returns at once.
	BackgroundSave(snap *Snapshot)
	// Load reads the dump file into ld (DEBUG RELOAD). The engine lock is
	// held, and ld adds keys without locking.
	Load(ld *Loader) error
}

// SaveSettings is the configuration a save uses, read when it began.
type SaveSettings struct {
	// Dir and DBFilename locate the dump file.
	Dir, DBFilename string
	// Compression (rdbcompression) and Checksum (rdbchecksum).
	Compression, Checksum bool
	// KeySaveDelayUs is rdb-key-save-delay: a pause per key, for tests.
	KeySaveDelayUs int64
	// RedisVersion for the redis-ver aux field.
	RedisVersion string
	// Replication is the position the data stands for (repl-stream-db,
	// repl-id, repl-offset aux fields): a replica's full synchronization
	// payload, and a dump of a server in a replication chain.
	Replication *ReplPosition
}

// ReplPosition is a point of the replication stream.
type ReplPosition struct {
	// StreamDB is the database the stream has selected there.
	StreamDB int
	ID       string
	Offset   int64
}

func (e *Engine) saveSettings() SaveSettings {
	dir, _ := e.config.get("dir")
	file, _ := e.config.get("dbfilename")
	return SaveSettings{Dir: dir, DBFilename: file, Compression: e.config.bool("rdbcompression"),
		Checksum: e.config.bool("rdbchecksum"), KeySaveDelayUs: e.config.int("rdb-key-save-delay"), RedisVersion: Version}
}

// Settings is the configuration the snapshot's save uses.
func (s *Snapshot) Settings() SaveSettings { return s.settings }

// LoadSettings is the configuration a load uses, read when it began.
type LoadSettings struct {
	Dir, DBFilename string
	// Checksum (rdbchecksum): verify the file's CRC-64.
	Checksum bool
	// KeyLoadDelayUs is key-load-delay: a pause per key, for tests.
	KeyLoadDelayUs int64
	// EventsIntervalBytes is loading-process-events-interval-bytes.
	EventsIntervalBytes int64
}

// Settings is the configuration the load uses.
func (ld *Loader) Settings() LoadSettings { return ld.settings }

// persistState is what INFO persistence reports and the gate consults.
type persistState struct {
	p Persister
	// dirty counts changes since the last successful save (Redis's
	// server.dirty); dirtyAtBgsave is its value when a BGSAVE began.
	dirty, dirtyAtBgsave int64
	// bgsave is the background save in progress, started at bgsaveStart.
	bgsave      *Snapshot
	bgsaveStart time.Time
	// bgsaveScheduled: BGSAVE SCHEDULE (or one inside MULTI) waits for
	// the running child-like job to end.
	bgsaveScheduled bool
	lastBgsaveErr   bool
	lastBgsaveTry   int64 // unix seconds
	lastBgsaveSecs  int64
	saves           int64
	lastCowSize     int64
	// loading: a dump is being loaded; commands without the loading flag
	// get -LOADING.
	loading *Loader
	// asyncLoading: a replica loads its master's payload into a temporary
	// keyspace while the old data is served (repl-diskless-load swapdb
	// with the same replication ID, Redis's async_loading).
	asyncLoading *Loader
	lastLoadKeys int64
	lastLoadExp  int64
}

// SetPersister gives the engine its file side.
func (e *Engine) SetPersister(p Persister) {
	e.mu.Lock()
	e.persist.p = p
	e.mu.Unlock()
}

const (
	errMisconf = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
		"Commands that may modify the data set are disabled, because this instance is configured to report errors " +
		"during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs " +
		"for details about the RDB error."
	errLoading          = "LOADING Redis is loading the dataset in memory"
	errBgsaveRunning    = "ERR Background save already in progress"
	errNoPersistence    = "ERR GoRedis has no persistence here: the dataset lives in memory only"
	errNoAOF            = "ERR GoRedis has no append-only file here: it saves RDB snapshots only (SAVE, BGSAVE)"
	bgsaveRetryDelaySec = 5
)

// saveParams parses the "save" directive: pairs of seconds and changes.
func (e *Engine) saveParams() [][2]int64 {
	v, _ := e.config.get("save")
	f := strings.Fields(v)
	var out [][2]int64
	for i := 0; i+1 < len(f); i += 2 {
		secs, _ := strconv.ParseInt(f[i], 10, 64)
		changes, _ := strconv.ParseInt(f[i+1], 10, 64)
		out = append(out, [2]int64{secs, changes})
	}
	return out
}

// misconf is the MISCONF step of the gate (Redis's
// writeCommandsDeniedByDiskError): after a failed background save (with
// save points and stop-writes-on-bgsave-error), or while the append-only
// file cannot be written, writes (and PING) are refused. It returns the
// error to reply, "" to go on.
func (s *Session) misconf(cmd *Command) string {
	e := s.e
	if s.ks != e.main {
		return ""
	}
	msg := e.diskWriteError(errMisconf)
	if msg == "" {
		return ""
	}
	if cmd.flags&flagWrite != 0 || cmd.Name == "ping" {
		return msg
	}
	if cmd.Name == "exec" && s.multi != nil {
		for _, q := range s.multi.queue {
			if q.cmd.flags&flagWrite != 0 {
				return msg
			}
		}
	}
	return ""
}

// diskWriteError is writeCommandsDeniedByDiskError with
// writeCommandsGetDiskErrorMessage: rdbMsg after a failed background save,
// the AOF's write error, or "" when writes may go on.
func (e *Engine) diskWriteError(rdbMsg string) string {
	if e.persist.lastBgsaveErr && e.config.bool("stop-writes-on-bgsave-error") && len(e.saveParams()) > 0 {
		return rdbMsg
	}
	if e.aof != nil {
		if werr := e.aof.WriteError(); werr != "" {
			return "MISCONF Errors writing to the AOF file: " + werr
		}
	}
	return ""
}

// loadingRefuses is the LOADING step of the gate: while a dump loads, only
// commands flagged "loading" run.
func (s *Session) loadingRefuses(cmd *Command) bool {
	if s.e.persist.asyncLoading != nil && s.ks == s.e.main && !s.fromMaster && hasFlag(cmd, "no_async_loading") {
		return true
	}
	if s.e.persist.loading == nil || s.ks != s.e.main || s.replaying {
		return false
	}
	if cmd.flags&flagLoading == 0 {
		return true
	}
	if cmd.Name == "exec" && s.multi != nil {
		for _, q := range s.multi.queue {
			if q.cmd.flags&flagLoading == 0 {
				return true
			}
		}
	}
	return false
}

// LASTSAVE
func cmdLastSave(s *Session, args [][]byte) { s.w.Int(s.e.srv.lastSave) }

// SAVE
func cmdSave(s *Session, args [][]byte) {
	e := s.e
	if e.persist.p == nil {
		s.w.Error(errNoPersistence)
		return
	}
	if e.persist.bgsave != nil {
		s.w.Error(errBgsaveRunning)
		return
	}
	if e.saveNow() != nil {
		s.w.Error("ERR")
		return
	}
	s.w.OK()
}

// saveNow is Redis's rdbSave: the whole dataset written while nothing else
// runs; locked.
func (e *Engine) saveNow() error {
	snap := e.beginSnapshot(true)
	snap.settings.Replication = e.replSaveInfo()
	err := e.persist.p.Save(snap)
	if err != nil {
		return err
	}
	e.persist.dirty = 0
	e.srv.lastSave = e.now().Unix()
	e.persist.lastBgsaveErr = false
	e.persist.saves++
	return nil
}

// BGSAVE [SCHEDULE]
func cmdBgSave(s *Session, args [][]byte) {
	if len(args) > 2 || (len(args) == 2 && !equalFold(args[1], "schedule")) {
		s.w.Error(errSyntax)
		return
	}
	e := s.e
	if e.persist.p == nil {
		s.w.Error(errNoPersistence)
		return
	}
	switch {
	case e.persist.bgsave != nil:
		s.w.Error(errBgsaveRunning)
	case s.inExec:
		// Redis never forks inside a transaction: the save waits.
		e.persist.bgsaveScheduled = true
		s.w.Simple("Background saving scheduled")
	default:
		e.startBackgroundSave()
		s.w.Simple("Background saving started")
	}
}

// startBackgroundSave is rdbSaveBackground; locked.
func (e *Engine) startBackgroundSave() {
	st := &e.persist
	st.dirtyAtBgsave = st.dirty
	st.lastBgsaveTry = e.now().Unix()
	st.bgsaveStart = time.Now()
	st.bgsaveScheduled = false
	snap := e.beginSnapshot(false)
	snap.settings.Replication = e.replSaveInfo()
	st.bgsave = snap
	e.logLine("Background saving started by pid " + strconv.Itoa(os.Getpid()))
	st.p.BackgroundSave(snap)
}

// BackgroundSaveDone ends a background save (Redis's
// backgroundSaveDoneHandler): err nil for success, ErrSnapshotAborted when
// FLUSHALL or SHUTDOWN ended it.
func (e *Engine) BackgroundSaveDone(snap *Snapshot, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.persist.bgsave != snap {
		return // ended already (aborted)
	}
	e.bgsaveEnded(snap, err)
}

// bgsaveEnded is backgroundSaveDoneHandler; locked.
func (e *Engine) bgsaveEnded(snap *Snapshot, err error) {
	st := &e.persist
	snap.detach()
	switch {
	case err == nil:
		e.logLine("Background saving terminated with success")
		st.dirty -= st.dirtyAtBgsave
		e.srv.lastSave = e.now().Unix()
		st.lastBgsaveErr = false
		st.saves++
	case errors.Is(err, ErrSnapshotAborted):
		// Redis kills its child with SIGUSR1 and does not count it a
		// failure.
		e.logLine("Background saving terminated by signal 10")
	default:
		e.logLine("Background saving error")
		st.lastBgsaveErr = true
	}
	st.lastCowSize = snap.cowBytes
	st.lastBgsaveSecs = int64(time.Since(st.bgsaveStart) / time.Second)
	st.bgsave = nil
}

// PersistenceCron is the saving part of Redis's serverCron, which the host
// calls about every 100 ms: a scheduled BGSAVE starts once nothing else
// saves, and a save point that is due starts one.
func (e *Engine) PersistenceCron() {
	if e.cronPaused.Load() {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st := &e.persist
	if st.p == nil || st.bgsave != nil || st.loading != nil {
		return
	}
	now := e.now().Unix()
	retryOK := now-st.lastBgsaveTry > bgsaveRetryDelaySec || !st.lastBgsaveErr
	if st.bgsaveScheduled && retryOK {
		e.startBackgroundSave()
		return
	}
	for _, sp := range e.saveParams() {
		if st.dirty >= sp[1] && now-e.srv.lastSave > sp[0] && retryOK {
			e.logLine(strconv.FormatInt(sp[1], 10) + " changes in " + strconv.FormatInt(sp[0], 10) + " seconds. Saving...")
			e.startBackgroundSave()
			return
		}
	}
}

// Dirty is the number of changes since the last save (INFO
// rdb_changes_since_last_save).
func (e *Engine) Dirty() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.persist.dirty
}

// HasSavePoints reports whether the "save" directive sets any.
func (e *Engine) HasSavePoints() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.saveParams()) > 0
}

// finalSave is a shutdown's save (finishShutdown): a background save in
// progress is abandoned, the AOF has its say, then, when save points are
// set (or save is true) and nosave is false, the dataset is saved; force
// (SHUTDOWN FORCE) exits even when the save fails, which Redis logs in
// other words.
func (e *Engine) finalSave(save, nosave, force bool) error {
	st := &e.persist
	if s := st.bgsave; s != nil {
		e.logLine("There is a child saving an .rdb. Killing it!")
		s.aborted = true
		e.bgsaveEnded(s, ErrSnapshotAborted)
	}
	if a, ok := e.aof.(interface{ Shutdown(force bool) error }); ok {
		// The AOF's part: not before the first one is written, a
		// rewrite abandoned, the file fsynced.
		if err := a.Shutdown(force); err != nil {
			return err
		}
	}
	if nosave || (!save && len(e.saveParams()) == 0) {
		return nil
	}
	if st.p == nil {
		return errors.New("no persistence")
	}
	e.logLine("Saving the final RDB snapshot before exiting.")
	e.tellSaveStatus("Saving the final RDB snapshot")
	if err := e.saveNow(); err != nil {
		if force {
			e.warnLine("Error trying to save the DB. Exit anyway.")
			return err
		}
		e.warnLine("Error trying to save the DB, can't exit.")
		e.tellSaveStatus("Error trying to save the DB, can't exit.")
		return err
	}
	return nil
}

func (e *Engine) tellSaveStatus(status string) {
	if e.saveStatus != nil {
		e.saveStatus(status)
	}
}

// infoPersistence is INFO's Persistence section, in Redis 7.0's order.
func (e *Engine) infoPersistence(b *infoBuilder) {
	st := &e.persist
	loading, async := 0, 0
	if st.loading != nil {
		loading = 1
	}
	if st.asyncLoading != nil {
		async = 1
	}
	b.int("loading", int64(loading))
	b.int("async_loading", int64(async))
	var cow, processed, total int64
	if s := st.bgsave; s != nil {
		cow, processed, total = s.cowBytes, s.keysDone, s.keysAll
	}
	b.int("current_cow_peak", cow)
	b.int("current_cow_size", cow)
	b.field("current_cow_size_age", "0")
	perc := 0.0
	if total > 0 {
		perc = float64(processed) * 100 / float64(total)
	}
	b.field("current_fork_perc", strconv.FormatFloat(perc, 'f', 2, 64))
	b.int("current_save_keys_processed", processed)
	b.int("current_save_keys_total", total)
	b.int("rdb_changes_since_last_save", st.dirty)
	inProgress, current := 0, int64(-1)
	if st.bgsave != nil {
		inProgress, current = 1, int64(time.Since(st.bgsaveStart)/time.Second)
	} else if e.repl.transfers > 0 {
		inProgress = 1 // a replica's payload, made as Redis's child makes it
	}
	b.int("rdb_bgsave_in_progress", int64(inProgress))
	b.int("rdb_last_save_time", e.srv.lastSave)
	status := "ok"
	if st.lastBgsaveErr {
		status = "err"
	}
	b.field("rdb_last_bgsave_status", status)
	last := int64(-1)
	if st.saves > 0 || st.lastBgsaveErr {
		last = st.lastBgsaveSecs
	}
	b.int("rdb_last_bgsave_time_sec", last)
	b.int("rdb_current_bgsave_time_sec", current)
	b.int("rdb_saves", st.saves)
	b.int("rdb_last_cow_size", st.lastCowSize)
	b.int("rdb_last_load_keys_expired", st.lastLoadExp)
	b.int("rdb_last_load_keys_loaded", st.lastLoadKeys)
	e.infoAOF(b, false)
	b.field("module_fork_in_progress", "0")
	b.field("module_fork_last_cow_size", "0")
	e.infoAOF(b, true)
	if ld := st.loading; ld != nil {
		ld.info(b, e)
	} else if ld := st.asyncLoading; ld != nil {
		ld.info(b, e)
	}
}

// Loader adds the keys of a dump to the main keyspace. While one is open
// the server answers -LOADING to commands not flagged "loading".
type Loader struct {
	e      *Engine
	locked bool
	// held: the Loader itself holds the engine's lock until End, letting
	// it go at each EventsIntervalBytes read (BeginMasterLoadHeld);
	// yieldedAt is the file offset of the last such break.
	held      bool
	yieldedAt int64
	lim       valueLimits
	nowMs     int64
	// AllowDuplicates replaces a key that exists (DEBUG RELOAD MERGE);
	// otherwise a duplicate is an error, as in Redis.
	AllowDuplicates bool
	// KeepExpired loads keys whose deadline has passed (an AOF preamble).
	KeepExpired bool
	// startup: the dump file loaded as the server starts; feedRepl: its
	// expired keys' DELs go to the backlog; repl: the replication
	// position the file recorded (replication_rdb.go).
	startup, feedRepl bool
	repl              *ReplPosition
	// target is the temporary keyspace of a swapdb load (nil: the main
	// keyspace).
	target *Keyspace
	// funcs are the function libraries a swapdb load read, which replace
	// the live ones when it succeeds.
	funcs       *luabridge.LibrarySet
	loaded      int64
	expired     int64
	start       time.Time
	totalBytes  int64
	loadedBytes int64
	usedMem     int64
	settings    LoadSettings
}

// ErrDuplicateKey is a key that appears twice in a dump.
var ErrDuplicateKey = errors.New("duplicated key found in RDB file")

// BeginLoad opens a Loader for a dump of totalBytes bytes; the server is
// "loading" until End.
func (e *Engine) BeginLoad(totalBytes int64) *Loader {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.beginLoad(totalBytes, false)
}

func (e *Engine) beginLoad(totalBytes int64, locked bool) *Loader {
	ld := &Loader{e: e, locked: locked, lim: e.valueLimits(), nowMs: e.now().UnixMilli(), start: time.Now(), totalBytes: totalBytes}
	dir, _ := e.config.get("dir")
	file, _ := e.config.get("dbfilename")
	ld.settings = LoadSettings{Dir: dir, DBFilename: file, Checksum: e.config.bool("rdbchecksum"),
		KeyLoadDelayUs: e.config.int("key-load-delay"), EventsIntervalBytes: e.config.int("loading-process-events-interval-bytes")}
	e.persist.loading = ld
	return ld
}

// Progress records how much of the file is read (INFO loading_*) and the
// used-mem aux field.
func (ld *Loader) Progress(loadedBytes, usedMem int64) {
	ld.lock()
	ld.loadedBytes = loadedBytes
	if usedMem > 0 {
		ld.usedMem = usedMem
	}
	ld.unlock()
	if every := ld.settings.EventsIntervalBytes; ld.held && every > 0 && loadedBytes/every > ld.yieldedAt/every {
		// Redis's processEventsWhileBlocked: whoever waits for the lock
		// (clients, the cluster bus) runs now. A lock waited on for over
		// a millisecond is handed to its oldest waiter (sync.Mutex's
		// starvation mode), so the load does not take it straight back.
		ld.yieldedAt = loadedBytes
		ld.e.mu.Unlock()
		runtime.Gosched()
		ld.e.mu.Lock()
	}
}

func (ld *Loader) lock() {
	if !ld.locked && !ld.held {
		ld.e.mu.Lock()
	}
}

func (ld *Loader) unlock() {
	if !ld.locked && !ld.held {
		ld.e.mu.Unlock()
	}
}

// BuiltValue is a key's value read from a dump, in the engine's form
// (Loader.Build), for AddBuilt.
type BuiltValue struct {
	str string
	obj object
	err error
	// expired: the key's deadline had passed, so nothing was built.
	expired bool
}

// Build converts a value read from a dump for AddBuilt. It reads no
// engine state, so a load may build the values ahead on another goroutine
// while AddBuilt stores the ones before. A key whose deadline has passed
// is not built (unless KeepExpired): AddBuilt counts and drops it.
func (ld *Loader) Build(v rdb.Value, expireMs int64) BuiltValue {
	if expireMs != -1 && expireMs < ld.nowMs && !ld.KeepExpired {
		return BuiltValue{expired: true}
	}
	str, obj, err := ld.e.buildValue(v, ld.lim)
	return BuiltValue{str: str, obj: obj, err: err}
}

// Expired reports whether Build dropped the key for its passed deadline.
func (b BuiltValue) Expired() bool { return b.expired }

// Add stores one key read from a dump. A key whose deadline has passed is
// counted and dropped (unless KeepExpired), as a Redis master does.
func (ld *Loader) Add(db int, key string, v rdb.Value, expireMs, idle int64) error {
	return ld.AddBuilt(db, key, ld.Build(v, expireMs), expireMs, idle)
}

// AddBuilt is Add for a value Build converted.
func (ld *Loader) AddBuilt(db int, key string, b BuiltValue, expireMs, idle int64) error {
	e := ld.e
	if b.expired {
		ld.lock()
		ld.expired++
		if ld.feedRepl {
			ld.feedExpiredDel(db, key)
		}
		ld.unlock()
		return nil
	}
	if b.err != nil {
		return b.err
	}
	str, obj := b.str, b.obj
	ld.lock()
	defer ld.unlock()
	if db < 0 || db >= len(e.main.dbs) {
		return errors.New("FATAL: Data file was created with a Redis server configured to handle more than " +
			strconv.Itoa(len(e.main.dbs)) + " databases. Exiting\n")
	}
	ks := e.main
	if ld.target != nil {
		ks = ld.target // a swapdb load's temporary keyspace
	}
	d := ks.dbs[db]
	wtime, hasWtime := uint32(0), idle >= 0
	if hasWtime {
		wtime = uint32(max(e.now().Unix()-idle, 0))
	}
	// A loaded key is no change to save: Redis's rdbLoad leaves
	// server.dirty alone (rdb_changes_since_last_save is 0 after a start
	// from a dump, and no save point fires for it).
	dirty := e.persist.dirty
	defer func() { e.persist.dirty = dirty }()
	if !ld.AllowDuplicates && len(d.snaps) == 0 && d.slots == nil {
		if !e.storeLoaded(d, key, str, obj, expireMs, wtime, hasWtime) {
			return ErrDuplicateKey
		}
		ld.loaded++
		return nil
	}
	if d.rawExists(key) {
		if !ld.AllowDuplicates {
			return ErrDuplicateKey
		}
		d.removeRaw(key)
	}
	e.storeMoved(d, key, str, obj, expireMs, wtime, hasWtime)
	ld.loaded++
	return nil
}

// storeLoaded is storeMoved for a key a load adds to a database that no
// snapshot walks and no slot index covers: the key is hashed once, for the
// duplicate check and the store (with its access record). It returns false when
// the key existed (its value may then be replaced: the load fails).
func (e *Engine) storeLoaded(d *DB, key, str string, obj object, deadline int64, wtime uint32, hasWtime bool) bool {
	h := d.strs.hash(key)
	si, oi := d.strs.shardOf(h), d.objs.shardOf(h)
	// The map the key goes to tells by its size whether the key was
	// there (a duplicate ends the load, which then fails); only the other
	// map needs a lookup.
	if obj == nil {
		if _, ok := d.objs.getIn(oi, key); ok {
			return false
		}
		access, accessed := wtime, hasWtime
		if !accessed {
			access, accessed = d.accessPolicy().record(0, false, e.nowMs), true
		}
		if !d.strs.setIn(si, key, strEntry{v: str, access: access, accessed: accessed}) {
			return false
		}
		d.stringStored(key, str, "", false)
	} else {
		if _, ok := d.strs.getIn(si, key); ok {
			return false
		}
		if !d.objs.setIn(oi, key, obj) {
			return false
		}
		d.objectStored(key, obj)
	}
	if len(d.rawStrs) > 0 {
		delete(d.rawStrs, key)
	}
	if len(d.owned) > 0 {
		delete(d.owned, key)
	}
	if deadline >= 0 {
		d.expires[key] = deadline
	}
	if obj != nil {
		m := obj.mark()
		if hasWtime {
			m.access, m.accessed = wtime, true
		} else {
			m.access, m.accessed = d.accessPolicy().record(m.access, m.accessed, e.nowMs), true
		}
	}
	e.touchKey(d, key)
	if obj != nil {
		e.signalReady(d, key)
	}
	return true
}

// Reserve sizes database db, while it is empty, for the keys and
// deadlines a dump announces (RDB's RESIZEDB, as Redis's rdbLoad expands
// its dicts), so the load does not grow the tables key by key. The caller
// bounds the numbers (a hostile file may announce anything).
func (ld *Loader) Reserve(db int, keys, expires int) {
	ld.lock()
	defer ld.unlock()
	e := ld.e
	if db < 0 || db >= len(e.main.dbs) {
		return
	}
	d := e.main.dbs[db]
	if d.size() != 0 {
		return
	}
	d.strs.reserve(keys)
	d.objs.reserve(keys)
	if expires > 0 && len(d.expires) == 0 {
		d.expires = make(map[string]int64, expires)
	}
}

// Expired is the number of keys dropped because their deadline had passed.
func (ld *Loader) Expired() int64 {
	ld.lock()
	defer ld.unlock()
	return ld.expired
}

// End closes the loader; the server stops answering -LOADING. The counts
// go to INFO rdb_last_load_keys_loaded/expired.
func (ld *Loader) End() (loaded, expired int64) {
	if ld.held {
		// The lock taken by BeginMasterLoadHeld goes with the load.
		ld.held = false
		defer ld.e.mu.Unlock()
		return ld.end()
	}
	ld.lock()
	defer ld.unlock()
	return ld.end()
}

func (ld *Loader) end() (loaded, expired int64) {
	e := ld.e
	if e.persist.loading == ld {
		e.persist.loading = nil
	}
	e.persist.lastLoadKeys, e.persist.lastLoadExp = ld.loaded, ld.expired
	if ld.startup {
		ld.startup = false
		e.restoreReplication(ld.repl)
	}
	return ld.loaded, ld.expired
}

// info writes the loading_* fields.
func (ld *Loader) info(b *infoBuilder, e *Engine) {
	b.int("loading_start_time", ld.start.Unix())
	b.int("loading_total_bytes", ld.totalBytes)
	b.int("loading_rdb_used_mem", ld.usedMem)
	b.int("loading_loaded_bytes", ld.loadedBytes)
	perc := 0.0
	if ld.totalBytes > 0 {
		perc = float64(ld.loadedBytes) * 100 / float64(ld.totalBytes)
	}
	b.field("loading_loaded_perc", strconv.FormatFloat(perc, 'f', 2, 64))
	eta := int64(1)
	if elapsed := time.Since(ld.start).Seconds(); ld.loadedBytes > 0 && elapsed > 0 {
		eta = int64(float64(ld.totalBytes-ld.loadedBytes) / (float64(ld.loadedBytes) / elapsed))
	}
	b.int("loading_eta_seconds", eta)
}
