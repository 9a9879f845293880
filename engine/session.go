package engine

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/goredis-dev/goredis/engine/acl"
)

// ClientInfo describes the peer behind a session, for CLIENT LIST and INFO.
type ClientInfo struct {
	Addr  string // remote address, "ip:port"
	LAddr string // local address
	// Notify is called (with engine locks held: it must not block) when
	// the session has output that no command of its own produced (a
	// pushed message, the reply of an unblocked command) or must be closed.
	Notify func()
	// Close is called (with engine locks held: it must not block) when the
	// engine drops the client: CLIENT KILL, an output buffer over its limit.
	Close func()
	// Keyspace, when set, confines the session to a private keyspace.
	Keyspace *Keyspace
	// Sandbox, when set, applies quotas and refuses server-wide commands;
	// a sandboxed session also gets a private keyspace.
	Sandbox *Sandbox
	// Kind tags the transport for CLIENT LIST ("tcp", "ws", "wasm").
	Kind string
}

// Session is one client's state: selected database, protocol, name,
// authentication, transaction, subscriptions, and its reply buffer.
type Session struct {
	e    *Engine
	id   int64
	info ClientInfo
	ks   *Keyspace

	// mu guards w and the close flag against writers from other sessions
	// (pushes, unblocked replies). Lock order: Engine.mu, then Session.mu.
	mu     sync.Mutex
	w      Writer
	closed bool
	// closeAfterReply is set by QUIT and by CLIENT KILL: the host flushes
	// and closes.
	closeAfterReply bool
	// obufSoftSince is when the output went over its soft limit (unix
	// seconds), 0 while under it.
	obufSoftSince int64
	// lastOut is how many reply bytes the last command wrote.
	lastOut int64

	db     *DB
	name   string
	authed bool
	// user is the ACL user the session runs as (nil: the master link
	// and file replay, which run anything, as in Redis).
	user    *acl.User
	created time.Time
	lastCmd string
	lastAt  time.Time
	noEvict bool
	// reply is CLIENT REPLY's mode (replymode.go).
	reply replyState
	// qbufUsed and qbufCap are the host's query buffer, for CLIENT LIST
	// and INFO (clientstats.go).
	qbufUsed, qbufCap atomic.Int64
	// qbufNoted is the query buffer capacity as last added to the
	// engine's clientMem (guarded by mu; client_evict.go).
	qbufNoted int64
	// rbpResetMs is when the reply buffer's peak was last reset.
	rbpResetMs int64
	// memNoted is the session's memory as last added to the engine's
	// clientMem (memory.go: noteMemory); written with mu held, read by
	// other sessions' commands.
	memNoted atomic.Int64

	multi *multiState
	// inExec is set while EXEC runs queued commands: blocking commands
	// answer at once instead of waiting.
	inExec   bool
	watching []watchedKey
	dirtyCAS bool

	blocked *blockState
	pubsub  *subscriptions
	sandbox *sandboxState
	// replica is set once the session sent SYNC or PSYNC: it receives
	// the replication stream and no replies to its own commands.
	replica *replicaLink
	// fromMaster marks the session applying this replica's master stream.
	fromMaster bool
	// stream is the master's stream a client pause holds back
	// (fromMaster only; replica_pause.go).
	stream *heldStream
	// replLink is set while the session is a replica's link: its output
	// counts as replication traffic (written by hosts without the lock).
	replLink atomic.Bool
	// woff is the replication offset right after the session's last
	// command: what WAIT waits for the replicas to acknowledge.
	woff int64
	// replconfPort and replconfIP are what REPLCONF said before the sync.
	replconfPort int
	replconfIP   string
	// replconfEOF: REPLCONF capa eof (the replica reads $EOF: payloads).
	replconfEOF bool
	// monitor is set by MONITOR: every command is streamed to the session.
	monitor bool
	// replaying marks the session that replays an append-only file
	// (StartLoading): the LOADING gate lets it through. heldLoad: it
	// replays under a lock its creator holds (DEBUG LOADAOF).
	replaying, heldLoad bool
	// heldBy is the session whose command runs this loading session's
	// replay (DEBUG LOADAOF's client): its lock is held too, and a
	// script past busy-reply-threshold in the file releases it with the
	// engine's (serveWhileBusy).
	heldBy *Session
	// script is set on the script client while a script runs: its
	// commands pass the script gate (scripting.go).
	script *scriptRun
	// tracking is CLIENT TRACKING's mode; nil when off.
	tracking *trackingState

	// dispatching is set while execLocked holds mu around a command, and
	// run names that command: a panic recovered at the batch level
	// (panic.go) answers for it and unlocks mu.
	dispatching bool
	run         runningCommand
	// asking is set by ASKING for the next command; readonlyCluster by
	// READONLY (cluster mode: reads served by a replica).
	asking, readonlyCluster bool
	// clusterSlot is the slot of the current command's keys, -1 for none
	// (Redis's c->slot): the keys its script touches must hash there.
	clusterSlot int
}

// NewSession registers a new client with the engine.
func (e *Engine) NewSession(info ClientInfo) *Session {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.newSessionLocked(info)
}

// newSessionLocked is NewSession with the engine locked.
func (e *Engine) newSessionLocked(info ClientInfo) *Session {
	e.nextID++
	ks := info.Keyspace
	if ks == nil && info.Sandbox != nil {
		ks = e.newKeyspaceLocked()
	}
	if ks == nil {
		ks = e.main
	}
	s := &Session{
		e:       e,
		id:      e.nextID,
		info:    info,
		ks:      ks,
		db:      ks.dbs[0],
		created: e.now(),
	}
	s.w.proto = 2
	// As Redis's createClient: the peak starts at the whole buffer, and
	// its reset time in seconds where the cron compares milliseconds, so
	// the first cron visit resets it and an idle client's buffer shrinks.
	s.w.rbs, s.w.rbp = replyChunkBytes, replyChunkBytes
	s.rbpResetMs = e.now().Unix()
	if info.Sandbox != nil {
		s.sandbox = &sandboxState{limits: info.Sandbox, tokens: float64(info.Sandbox.CommandsPerSecond), lastMs: e.now().UnixMilli()}
	}
	s.w.onError = e.countError
	s.lastAt = s.created
	s.setDefaultAuth()
	e.sessions[s.id] = s
	e.stats.connections++
	s.noteMemory() // nobody else has s yet: its lock is not needed
	return s
}

// ID is the session's CLIENT ID.
func (s *Session) ID() int64 { return s.id }

// Status tells the host what to do after a command.
type Status uint8

const (
	// StatusBlocked: the command waits (BLPOP...); run no further command
	// of this client until Blocked reports false.
	StatusBlocked Status = 1 << iota
	// StatusClose: flush the replies, then close the connection (QUIT).
	StatusClose
)

// Exec runs one command (args[0] is its name) and buffers its reply. The
// arguments may be reused by the caller afterwards.
func (s *Session) Exec(args [][]byte) (st Status) {
	if len(args) == 0 {
		return 0
	}
	e := s.e
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tick()
	var done bool
	defer s.recoverDispatch(&st, &done)
	return s.execLocked(args)
}

// ExecBatch runs the commands next returns, in order, until it returns
// nil, a command blocks (StatusBlocked) or the client must be closed
// (StatusClose). The engine is locked once for the whole batch, not once
// per command, so pipelined clients do not queue on the lock for every
// command; next is called with the engine locked and must not call back
// into the engine except Session.Authenticated. Each command's arguments
// need only stay valid until next is called again. n is the number of
// commands run.
func (s *Session) ExecBatch(next func() [][]byte) (n int, st Status) {
	return s.ExecBatchBudget(next, 0)
}

// ExecBatchBudget is ExecBatch that also ends the batch once its commands
// have written maxBytes of replies (0: no bound), so that a host can give
// each client a fair share: a pipeline of large replies runs in several
// batches, other clients served in between.
func (s *Session) ExecBatchBudget(next func() [][]byte, maxBytes int64) (n int, st Status) {
	e := s.e
	e.mu.Lock()
	defer e.mu.Unlock()
	var out int64
	for {
		// runBatch returns early only when a command panicked: the
		// batch goes on with the next command.
		var done bool
		if st, done = s.runBatch(next, &n, maxBytes, &out); done {
			return n, st
		}
	}
}

// runBatch is ExecBatch's loop under one recover for the whole batch (a
// deferred recover per command costs more than the cheapest commands).
// out counts the reply bytes written, up to maxBytes (0: no bound).
func (s *Session) runBatch(next func() [][]byte, n *int, maxBytes int64, out *int64) (st Status, done bool) {
	e := s.e
	defer s.recoverDispatch(&st, &done)
	for {
		if maxBytes > 0 && *out >= maxBytes {
			return 0, true
		}
		args := next()
		if args == nil {
			return 0, true
		}
		if len(args) == 0 {
			continue
		}
		if *n == 0 {
			e.tick()
		} else {
			e.tickNext()
		}
		*n++
		st := s.execLocked(args)
		*out += s.lastOut
		if st != 0 {
			return st, true
		}
	}
}

// execLocked runs one command with the engine locked and the clock read.
func (s *Session) execLocked(args [][]byte) Status {
	e := s.e
	s.mu.Lock()
	start := s.w.mark()
	// A client to be closed after its reply runs nothing more (Redis
	// stops reading a CLIENT_CLOSE_AFTER_REPLY client's input).
	if !s.closed && !s.closeAfterReply {
		e.current = s
		s.dispatching = true
		replica := s.replica != nil
		s.dispatch(args)
		if replica && s.replica != nil {
			if s.w.mark() != start {
				s.replicaReplied(start)
			} else if l := s.replica; l.startStream {
				l.startReplicaStream()
			}
		}
		if len(e.prop.pending) > 0 {
			e.flushPropagation()
		}
		if s.multi == nil {
			s.woff = e.repl.offset
		}
		if e.repl.getAck {
			e.requestAcks()
		}
		if s.tracking != nil || s.ks.pubsub != nil {
			// only tracking has work to do after a command
			e.afterCommand(s)
		}
		s.dispatching = false
		e.current = nil
	}
	s.lastOut = s.w.mark() - start
	s.w.rollover()
	s.afterOutput()
	var st Status
	if s.closeAfterReply || s.closed {
		st |= StatusClose
	}
	s.mu.Unlock()
	if len(e.readyKeys) > 0 {
		e.serveReadyKeys()
	}
	if s.blocked != nil {
		st |= StatusBlocked
	}
	return st
}

// kill drops the client: the host is told to close the connection.
func (s *Session) kill() {
	s.closeAfterReply = true
	if s.info.Close != nil {
		s.info.Close()
	}
}

// Proto is the protocol version the session speaks (2 or 3).
func (s *Session) Proto() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.proto
}

// ShouldClose reports whether the host should flush and close the
// connection (QUIT, CLIENT KILL, output limit).
func (s *Session) ShouldClose() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeAfterReply || s.closed
}

// Blocked reports whether the session waits on a blocking command; the host
// must not run its further commands until it is not.
func (s *Session) Blocked() bool {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	return s.blocked != nil
}

// BlockDeadline returns when the blocking command times out, by the
// engine's clock (Options.Now); ok is false when it waits forever or is
// not blocked.
func (s *Session) BlockDeadline() (t time.Time, ok bool) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	if s.blocked == nil || s.blocked.deadline == 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(s.blocked.deadline), true
}

// BlockTimer is BlockDeadline as a time of the host's clock (time.Now),
// for the host's timer: an injected clock may run ahead of time.Now
// (goredistest's FastForward), and the host must wait for the time left
// by the engine's clock, not until its deadline.
func (s *Session) BlockTimer() (t time.Time, ok bool) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	if s.blocked == nil || s.blocked.deadline == 0 {
		return time.Time{}, false
	}
	if s.e.realClock {
		return time.UnixMilli(s.blocked.deadline), true
	}
	left := time.Duration(s.blocked.deadline-s.e.now().UnixMilli()) * time.Millisecond
	return time.Now().Add(left), true
}

// CheckTimeouts answers every blocked command whose deadline has passed by
// the engine's clock, and tells their hosts (ClientInfo.Notify). A host
// whose injected clock jumps ahead (goredistest's FastForward) calls it;
// otherwise each host's own timer calls CheckTimeout.
func (e *Engine) CheckTimeouts() {
	e.mu.Lock()
	e.tick()
	var due []*Session
	for _, s := range e.sessions {
		if b := s.blocked; b != nil && b.deadline != 0 && e.nowMs >= b.deadline {
			due = append(due, s)
		}
	}
	e.mu.Unlock()
	for _, s := range due {
		s.CheckTimeout()
		s.e.mu.Lock()
		s.notify()
		s.e.mu.Unlock()
	}
}

// CheckTimeout answers a blocked command whose deadline has passed with
// its timeout reply. Hosts call it when their timer fires.
func (s *Session) CheckTimeout() {
	e := s.e
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tick()
	if b := s.blocked; b != nil && b.deadline != 0 && e.nowMs >= b.deadline {
		s.mu.Lock()
		s.unblock()
		s.writeUnblocked(b, func() { b.onTimeout(s) })
		s.mu.Unlock()
	}
}

// Close unregisters the session and frees what it holds: blocked waits,
// subscriptions, watched keys, and the replies not yet written.
func (s *Session) Close() {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.closeLocked(nil, true)
}

// CloseKeepOutput is Close for a client that goes on reading what it is
// owed: its pending replies stay for Output, followed by tail (a protocol
// error's reply), and nothing is added after them.
func (s *Session) CloseKeepOutput(tail []byte) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.closeLocked(tail, false)
}

// closeLocked is Close (drop) or CloseKeepOutput with the engine locked.
func (s *Session) closeLocked(tail []byte, drop bool) {
	s.mu.Lock()
	s.closed = true
	if drop {
		s.w.dropOutput()
	} else {
		s.w.Raw(tail)
	}
	s.noteMemory()
	s.mu.Unlock()
	s.release()
}

// release frees what a closed session holds in the engine and takes it
// out of the client list. It runs once: a client the engine evicted is
// released at once, and again (a no-op) when its host closes it.
func (s *Session) release() {
	e := s.e
	if e.sessions[s.id] != s {
		return
	}
	if s.blocked != nil {
		s.unblock()
	}
	s.unwatchAll()
	s.unsubscribeAll()
	s.dropHeldStream()
	if s.replica != nil {
		e.logLine("Connection with replica " + s.replica.desc() + " lost.")
		e.dropReplica(s.replica)
	}
	delete(e.sessions, s.id)
}

// pushAsync runs fn to write into the session's buffer from another
// session's command, then tells the host.
func (s *Session) pushAsync(fn func(w *Writer)) {
	if s == s.e.current {
		// The session's own command (say, PUBLISH to itself): its lock is
		// already held and its host flushes after the command.
		fn(&s.w)
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	fn(&s.w)
	s.w.rollover()
	s.afterOutput()
	s.noteMemory()
	s.mu.Unlock()
	if s.info.Notify != nil {
		s.info.Notify()
	}
}

// notify tells the host to look at the session again.
func (s *Session) notify() {
	if s.info.Notify != nil {
		s.info.Notify()
	}
}

// Authenticated reports whether the session passed AUTH (or needs none).
// The host's request reader applies Redis's tighter limits until then.
func (s *Session) Authenticated() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authed || s.e.defaultOpen.Load()
}

// Subscribed reports whether the session has pub/sub subscriptions.
func (s *Session) Subscribed() bool {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	return s.pubsub.active()
}

// TimeoutExempt reports whether Redis's idle timeout spares the client:
// it is subscribed (pub/sub) or a MONITOR. Blocked clients are spared too;
// hosts know those already.
func (s *Session) TimeoutExempt() bool {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	return s.pubsub.active() || s.monitor
}

// HasOutput reports whether replies or pushes wait in the session's output
// buffer: a host that answers in the caller's turn (the wasm build's
// direct export) hands such output to its push path first.
func (s *Session) HasOutput() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.pending() > 0
}
