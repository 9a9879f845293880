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
	e.loading = true
	s.authed = true
	s.inExec = true
	s.replaying = true
	ld := e.beginLoad(totalBytes, false)
	// An AOF's RDB preamble keeps keys whose deadline passed: the
	// commands after it may still touch them, as Redis loads them.
	ld.KeepExpired = true
	return s, ld
}

// StopLoading ends the loading state StartLoading began.
func (e *Engine) StopLoading(s *Session, ld *Loader) {
	s.Close()
	ld.End()
	e.mu.Lock()
	e.loading = false
	e.mu.Unlock()
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
