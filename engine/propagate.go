package engine

import "strconv"

// Propagation: the one path by which the effects of commands leave the
// engine for the append-only file and (later) replicas, as Redis's
// alsoPropagate / propagatePendingCommands (src/server.c).
//
// Handlers never write files or sockets. A command that changed the
// dataset (the engine's dirty counter moved) is propagated as it was
// called, unless its handler said otherwise: rewriteArgv replaces it by
// its effect (EXPIRE -> PEXPIREAT, SPOP -> SREM, BLPOP -> LPOP, ...),
// preventPropagation drops it (the handler propagated what it wants with
// alsoPropagate), forcePropagation sends it even without a change
// (FLUSHALL on an empty server). The effects of one execution unit (a
// command, a transaction, the serving of a blocked client, an active
// expiry cycle) are collected and handed to the attached Propagators at
// once at the end of the unit, wrapped in MULTI/EXEC when there is more
// than one, as Redis 7.0 does.

// PropagateTarget says where an effect goes, as Redis's PROPAGATE_AOF
// and PROPAGATE_REPL.
type PropagateTarget uint8

const (
	// PropagateAOF sends the effect to the append-only file.
	PropagateAOF PropagateTarget = 1 << iota
	// PropagateRepl sends the effect to replicas.
	PropagateRepl
	propagateAll = PropagateAOF | PropagateRepl
)

// Op is one command of the effect stream, applying to database DB.
type Op struct {
	DB     int
	Args   [][]byte
	Target PropagateTarget
}

// Propagator receives the effects of commands. The AOF writer and the
// replication feed implement it; each keeps its own selected database
// (and emits SELECT when an op's DB differs).
type Propagator interface {
	// Propagate receives the ops of one execution unit, in order; a unit
	// of several ops arrives already wrapped in MULTI ... EXEC. It is
	// called with the engine locked: it must not call back into the
	// engine, and ops (and their arguments) are valid only during the
	// call.
	Propagate(ops []Op)
}

// propagation is the engine's propagation state.
type propagation struct {
	sinks []Propagator
	// pending are the ops of the running execution unit.
	pending []Op
	// Per call (reset before each handler, read after it): the
	// handler's replacement of its own command, and its prevent/force
	// requests.
	rewrite [][]byte
	// callArgs are the running command's arguments as called.
	callArgs [][]byte
	prevent  bool
	force    PropagateTarget
	// noMulti is set when the unit's top-level command may touch
	// arbitrary keys (RANDOMKEY, SCAN): their lazy expiries are not
	// wrapped in a transaction, as Redis's CMD_TOUCHES_ARBITRARY_KEYS.
	noMulti bool
}

var (
	argMulti     = []byte("MULTI")
	argExec      = []byte("EXEC")
	argDel       = []byte("DEL")
	argUnlink    = []byte("UNLINK")
	argSet       = []byte("SET")
	argPXAT      = []byte("PXAT")
	argKeepTTL   = []byte("KEEPTTL")
	argSrem      = []byte("SREM")
	argPExpireAt = []byte("PEXPIREAT")
	argPersist   = []byte("PERSIST")
	argHSet      = []byte("HSET")
	argLPop      = []byte("LPOP")
	argRPop      = []byte("RPOP")
	argLMove     = []byte("LMOVE")
	argRPopLPush = []byte("RPOPLPUSH")
	argZPopMin   = []byte("ZPOPMIN")
	argZPopMax   = []byte("ZPOPMAX")
	argLeft      = []byte("LEFT")
	argRight     = []byte("RIGHT")
	argAbsTTL    = []byte("ABSTTL")
)

// withoutGet is SET's arguments without its GET options (Redis
// propagates SET ... GET as the plain SET).
func withoutGet(args [][]byte) [][]byte {
	out := make([][]byte, 0, len(args))
	for j, a := range args {
		if j >= 3 && equalFold(a, "get") {
			continue
		}
		out = append(out, a)
	}
	return out
}

// AttachPropagator adds p to the receivers of the effect stream; the
// returned function detaches it.
func (e *Engine) AttachPropagator(p Propagator) (detach func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.prop.sinks = append(e.prop.sinks, p)
	return func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.removeSink(p)
	}
}

// removeSink detaches p if attached; the engine is locked.
func (e *Engine) removeSink(p Propagator) {
	for i, q := range e.prop.sinks {
		if q == p {
			e.prop.sinks = append(e.prop.sinks[:i:i], e.prop.sinks[i+1:]...)
			return
		}
	}
}

// propagating reports whether effects are collected at all: handlers skip
// building rewritten commands when nobody listens.
func (e *Engine) propagating() bool { return len(e.prop.sinks) > 0 && !e.loading }

// alsoPropagate queues an op for the running unit (Redis's alsoPropagate).
// args must stay valid until the unit ends: pass copies of anything taken
// from a request buffer that may be reused.
// Private (sandbox) keyspaces are never propagated.
func (e *Engine) alsoPropagate(db *DB, target PropagateTarget, args ...[]byte) {
	if !e.propagating() || db.ks != e.main {
		return
	}
	e.prop.pending = append(e.prop.pending, Op{DB: db.id, Args: args, Target: target})
}

// rewriteArgv makes the running command propagate as args instead of as
// it was called (Redis's rewriteClientCommandVector).
func (s *Session) rewriteArgv(args ...[]byte) {
	if s.e.propagating() {
		s.e.prop.rewrite = args
	}
}

// preventPropagation keeps the running command itself out of the stream;
// what it queued with alsoPropagate still goes.
func (s *Session) preventPropagation() { s.e.prop.prevent = true }

// forcePropagation propagates the running command to target even if it
// changed nothing (FLUSHALL on empty databases, PUBLISH to replicas).
func (s *Session) forcePropagation(target PropagateTarget) { s.e.prop.force |= target }

// beforeCall resets the per-call propagation requests and returns the
// dirty counter to compare with afterwards.
func (e *Engine) beforeCall(args [][]byte) int64 {
	e.prop.rewrite, e.prop.prevent, e.prop.force = nil, false, 0
	e.prop.callArgs = args
	return e.dirty
}

// propagateCall queues the command just run if it changed the dataset (or
// was forced), as Redis's call() does after the handler. EXEC is never
// propagated itself: the commands it ran are, wrapped by the unit.
func (e *Engine) propagateCall(s *Session, cmd *Command, args [][]byte, dirtyBefore int64) {
	p := &e.prop
	target := p.force
	if e.dirty != dirtyBefore {
		target |= propagateAll
	}
	if p.prevent || target == 0 || cmd.Name == "exec" || s.ks != e.main {
		return
	}
	argv := p.rewrite
	if argv == nil {
		// args alias the host's read buffer (or, in EXEC, the queued
		// copies), which live until the unit ends: execLocked flushes
		// before the host reads the next command.
		argv = args
	}
	p.pending = append(p.pending, Op{DB: s.db.id, Args: argv, Target: target})
}

// flushPropagation ends an execution unit: its ops go to every attached
// Propagator, wrapped in MULTI/EXEC when there are several (Redis's
// propagatePendingCommands).
func (e *Engine) flushPropagation() {
	p := &e.prop
	ops := p.pending
	if len(ops) == 0 {
		p.noMulti = false
		return
	}
	if len(ops) > 1 && !p.noMulti {
		wrapped := make([]Op, 0, len(ops)+2)
		wrapped = append(wrapped, Op{DB: ops[0].DB, Args: [][]byte{argMulti}, Target: propagateAll})
		wrapped = append(wrapped, ops...)
		wrapped = append(wrapped, Op{DB: ops[len(ops)-1].DB, Args: [][]byte{argExec}, Target: propagateAll})
		ops = wrapped
	}
	for _, sink := range p.sinks {
		sink.Propagate(ops)
	}
	clear(p.pending)
	p.pending = p.pending[:0]
	p.noMulti = false
}

// propagateDeletion queues the DEL (or UNLINK, with lazy) of a key that
// expired or was evicted (Redis's propagateDeletion).
func (e *Engine) propagateDeletion(db *DB, key string, lazy bool) {
	if !e.propagating() {
		return
	}
	verb := argDel
	if lazy {
		verb = argUnlink
	}
	e.alsoPropagate(db, propagateAll, verb, []byte(key))
}

// delVerb is the command a deletion is propagated as: UNLINK when the
// lazyfree option for its cause (lazyfree-lazy-expire,
// lazyfree-lazy-user-del) is on.
func (e *Engine) delVerb(option string) []byte {
	if e.config.bool(option) {
		return argUnlink
	}
	return argDel
}

// propagateAsDeletion rewrites the running command as the DEL or UNLINK
// of key (EXPIRE with a past time, GETDEL, GETEX PXAT past).
func (s *Session) propagateAsDeletion(key []byte, option string) {
	if s.e.propagating() {
		s.rewriteArgv(s.e.delVerb(option), key)
	}
}

// int64Arg formats n as a command argument.
func int64Arg(n int64) []byte { return strconv.AppendInt(nil, n, 10) }

// copyArg copies a request argument for an op that outlives the request.
func copyArg(b []byte) []byte { return append([]byte(nil), b...) }
