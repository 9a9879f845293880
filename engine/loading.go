package engine

import "sync/atomic"

// Loading: a host replays a file of commands (an append-only file) through
// a loading session, as Redis's AOF loader runs them in a fake client.

// StartLoading puts the engine in its loading state for files of
// totalBytes and returns a session to replay commands with, and the
// Loader an RDB base file is read into. While loading, other clients get
// -LOADING, nothing expires (the file says when keys go) and nothing is
// propagated (the file is the source). The session is authenticated,
// passes the LOADING gate and never blocks: a blocking command answers as
// it does inside MULTI. Replies pile up in the session: the loader drops
// them with TakeOutput. Call StopLoading when done.
func (e *Engine) StartLoading(totalBytes int64) (*Session, *Loader) {
	s := e.NewSession(ClientInfo{Addr: "", Kind: "aof"})
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.startLoading(s, totalBytes, false)
}

// startLoading is StartLoading with the engine locked; locked says the
// whole load runs under this lock (DEBUG LOADAOF).
func (e *Engine) startLoading(s *Session, totalBytes int64, locked bool) (*Session, *Loader) {
	e.loading = true
	s.authed = true
	s.user = nil
	s.inExec = true
	s.replaying = true
	ld := e.beginLoad(totalBytes, locked)
	// An AOF's RDB preamble keeps keys whose deadline passed: the
	// commands after it may still touch them, as Redis loads them.
	ld.KeepExpired = true
	return s, ld
}

// StopLoading ends the loading state StartLoading began.
func (e *Engine) StopLoading(s *Session, ld *Loader) {
	if ld.locked {
		// DEBUG LOADAOF: the engine is locked already.
		s.closeLocked(nil, true)
		ld.End()
		e.loading = false
		return
	}
	s.Close()
	ld.End()
	e.mu.Lock()
	e.loading = false
	e.mu.Unlock()
}

// Replay runs one command read from a file in a loading session (and
// drops its reply): under the engine lock that StartLoading's caller holds
// for DEBUG LOADAOF, else taking it.
func (s *Session) Replay(args [][]byte) {
	if s.heldLoad {
		e := s.e
		prev := e.current
		e.tick()
		s.execLocked(args)
		e.current = prev
		s.w.dropOutput()
		return
	}
	s.Exec(args)
	s.TakeOutput(nil)
}

// Knows reports whether name is a command of this build, for a loading
// session's caller (the loader refuses a file with an unknown command).
func (s *Session) Knows(name []byte) bool {
	if s.heldLoad {
		return s.e.lookupCommand(name) != nil
	}
	return s.e.HasCommand(name)
}

// LoadAppendOnlyFile is what DEBUG LOADAOF asks of the append-only file:
// empty the dataset and load the files again, with the engine locked
// throughout (load reads through a loading session made for that).
type appendOnlyReloader interface {
	Reload(load func(totalBytes int64) (*Session, *Loader)) error
}

// DEBUG LOADAOF
func (s *Session) debugLoadAOF() {
	e := s.e
	r, ok := e.aof.(appendOnlyReloader)
	if !ok {
		s.w.Error("ERR DEBUG LOADAOF is not supported by this append-only file")
		return
	}
	for _, db := range e.main.dbs {
		e.flushDB(db)
	}
	e.flushFunctions()
	err := r.Reload(func(total int64) (*Session, *Loader) {
		ls := e.newSessionLocked(ClientInfo{Kind: "aof"})
		ls.heldLoad = true
		ls.heldBy = s
		return e.startLoading(ls, total, true)
	})
	if err != nil {
		// Redis exits when the files cannot be loaded.
		e.logLine("Append Only File could not be loaded by DEBUG LOADAOF: " + err.Error())
		s.w.Error("ERR " + err.Error())
		return
	}
	e.persist.dirty = 0
	// The replayed commands changed the dataset, but DEBUG LOADAOF itself
	// must never reach the AOF or replicas (Redis resets server.dirty):
	// in the file it would reload the file while loading it, forever.
	s.preventPropagation()
	e.logLine("Append Only File loaded by DEBUG LOADAOF")
	s.w.OK()
}

// HasCommand reports whether name is a command of this build (the loader
// refuses a file with an unknown command, as Redis does).
func (e *Engine) HasCommand(name []byte) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lookupCommand(name) != nil
}

// SetSyncer installs fn to run before a session's replies leave
// (Session.TakeOutput), outside every engine lock: the append-only file
// writes (and with appendfsync always, fsyncs) what was propagated, so no
// client hears of a write that is not on disk, as Redis writes its AOF
// buffer before replying. nil removes it.
func (e *Engine) SetSyncer(fn func()) {
	if fn == nil {
		e.syncer.Store(nil)
		return
	}
	e.syncer.Store(&fn)
}

// syncBeforeReply runs the syncer, if any.
func (e *Engine) syncBeforeReply() {
	if fn := e.syncer.Load(); fn != nil {
		(*fn)()
	}
}

// syncerSlot holds the function SetSyncer installed.
type syncerSlot = atomic.Pointer[func()]

// SyncsBeforeReply reports whether a syncer runs before replies leave
// (an append-only file is on): a host that serves many clients per
// iteration then writes all their replies after running all their
// commands, so one write (and fsync) covers them all.
func (e *Engine) SyncsBeforeReply() bool { return e.syncer.Load() != nil }

// Loading reports whether a dataset is being loaded (a dump or an
// append-only file at startup, DEBUG RELOAD, a replica's full sync):
// hosts hold back housekeeping meant for an idle server meanwhile.
func (e *Engine) Loading() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.persist.loading != nil
}
