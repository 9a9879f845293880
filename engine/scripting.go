package engine

import (
	"runtime"
	"strconv"
	"time"

	"github.com/goredis-dev/goredis/engine/acl"
	"github.com/goredis-dev/goredis/luabridge"
	"github.com/goredis-dev/goredis/rdb"
)

// Scripting: EVAL scripts and FUNCTION libraries run in the luabridge
// package, which knows Lua; the engine gives each run a Host (run this
// command as the script's client, through the gate of Session.dispatch)
// and the caller's reply writer. As in Redis (src/script.c), a script
// runs to its end with no other command interleaved; past
// busy-reply-threshold the engine lets other clients in between Lua
// instructions, to be answered -BUSY unless they send SCRIPT KILL,
// FUNCTION KILL or another command flagged allow-busy.

// scripting is the engine's scripting state.
type scripting struct {
	// eval and funcs are created on first use, so an engine that runs
	// no script holds no Lua state.
	eval  *luabridge.Eval
	funcs *luabridge.Functions
	// client is the script client of Redis (the fake "lua" client);
	// run is the script running now, nil otherwise.
	client *Session
	run    *scriptRun
	runBuf scriptRun
	// whileBlocked is the host's processEventsWhileBlocked
	// (SetWhileBlocked).
	whileBlocked func()
	// gateCmds are EVAL's and FCALL's commands as the gate sees them
	// with a script's flags (scriptGateCommand).
	gateCmds map[gateKey]*Command
	// allowDenied: DEBUG set-disable-deny-scripts, noscript commands
	// may be called from scripts (for tests).
	allowDenied bool
}

// SetWhileBlocked gives the engine the host's way to serve its other
// clients while a command runs long (a script past
// busy-reply-threshold): fn is called with the engine unlocked, on the
// goroutine running the command, and should run the commands that
// arrived meanwhile (they are answered -BUSY unless allowed).
func (e *Engine) SetWhileBlocked(fn func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scripts.whileBlocked = fn
}

// scriptRun is one running script or function (Redis's scriptRunCtx).
type scriptRun struct {
	e      *Engine
	caller *Session
	client *Session
	eval   bool
	name   string
	// args is the caller's command, for FUNCTION STATS.
	args  [][]byte
	start time.Time
	// readOnly: writes are refused (*_RO commands, no-writes scripts).
	readOnly bool
	// writeDirty: the script has run a write command (then it can no
	// longer be killed, nor refused a write).
	writeDirty bool
	killed     bool
	// allowOOM: the script declared allow-oom; its denyoom commands run
	// past maxmemory.
	allowOOM bool
	// timedOut: the run went past busy-reply-threshold and other
	// clients are being answered -BUSY.
	timedOut bool
	// repl is where the effects go (redis.set_repl).
	repl PropagateTarget
	// allowCrossSlot: the script may touch keys of several slots (its
	// allow-cross-slot-keys flag, or an EVAL without a shebang).
	allowCrossSlot bool
}

func (e *Engine) bridgeConfig() luabridge.Config {
	return luabridge.Config{
		Version:    Version,
		VersionNum: versionNum(Version),
		Log: func(level int, msg string) {
			marks := [...]byte{'.', '-', '*', '#'}
			e.logLevel(marks[level], msg)
		},
	}
}

// versionNum is REDIS_VERSION_NUM: 0x00MMmmpp.
func versionNum(v string) int {
	n, part := 0, 0
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == '.' {
			n = n<<8 | part
			part = 0
			continue
		}
		part = part*10 + int(v[i]-'0')
	}
	return n
}

func (e *Engine) evalEngine() *luabridge.Eval {
	if e.scripts.eval == nil {
		e.scripts.eval = luabridge.NewEval(e.bridgeConfig())
	}
	return e.scripts.eval
}

func (e *Engine) functionsEngine() *luabridge.Functions {
	if e.scripts.funcs == nil {
		e.scripts.funcs = luabridge.NewFunctions(e.bridgeConfig())
	}
	return e.scripts.funcs
}

// scriptClient returns the client scripts run their commands as.
func (e *Engine) scriptClient() *Session {
	if e.scripts.client == nil {
		c := &Session{e: e, info: ClientInfo{Addr: "lua", Kind: "lua"}, ks: e.main, created: e.now(), authed: true}
		c.db = c.ks.dbs[0]
		c.w.onError = e.countError
		e.scripts.client = c
	}
	return e.scripts.client
}

// Script errors Redis replies before a script runs (scriptPrepareForRun).
const (
	errBusyEval     = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	errBusyFunction = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	errNoScript     = "NOSCRIPT No matching script. Please use EVAL."
)

// runScript prepares the run of a script or function for the caller
// (scriptPrepareForRun), runs it and resets (scriptResetRun).
func (s *Session) runScript(eval bool, name string, flags luabridge.Flags, ro bool, body func(h luabridge.Host, w luabridge.Writer)) {
	e := s.e
	obey := s.fromMaster || s.replaying
	stale := e.master != nil && e.master.state != linkConnected && s.ks == e.main && !e.config.bool("replica-serve-stale-data")
	if flags&luabridge.FlagEvalCompat == 0 {
		if flags&luabridge.FlagNoCluster != 0 && e.config.bool("cluster-enabled") {
			s.w.Error("ERR Can not run script on cluster, 'no-cluster' flag is set.")
			return
		}
		if stale && flags&luabridge.FlagAllowStale == 0 {
			s.w.Error("MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.")
			return
		}
		if flags&luabridge.FlagNoWrites == 0 {
			switch {
			case e.master != nil && e.config.bool("replica-read-only") && !obey && s.ks == e.main:
				s.w.Error("READONLY Can not run script with write flag on readonly replica")
				return
			case !obey && s.misconfWrites(errMisconfScript) != "":
				s.w.Error(s.misconfWrites(errMisconfScript))
				return
			case ro:
				s.w.Error("ERR Can not execute a script with write flag using *_ro command.")
				return
			case s.tooFewReplicas():
				s.w.Error(errNoReplicas)
				return
			}
		}
		// no-writes implies allow-oom
		if e.evict.oomAtStart && e.config.mm.maxmemory != 0 && flags&(luabridge.FlagAllowOOM|luabridge.FlagNoWrites) == 0 {
			s.w.Error("OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'")
			return
		}
	} else if stale {
		s.w.Error(errMasterDown)
		return
	}
	c := e.scriptClient()
	c.ks, c.db = s.ks, s.db
	c.w.proto = 2
	c.sandbox = s.sandbox
	c.user = s.user // scriptPrepareForRun: the script runs as its caller's user
	c.inExec = true // blocking commands answer at once (CLIENT_DENY_BLOCKING)
	// One run at a time (scripts cannot call scripts): its state is
	// reused from run to run.
	r := &e.scripts.runBuf
	if e.scripts.run != nil {
		r = new(scriptRun)
	}
	*r = scriptRun{e: e, caller: s, client: c, eval: eval, name: name, args: s.run.args, start: e.cmdStartTime(), repl: propagateAll}
	r.readOnly = ro || (flags&luabridge.FlagEvalCompat == 0 && flags&luabridge.FlagNoWrites != 0)
	r.allowOOM = flags&luabridge.FlagEvalCompat == 0 && flags&luabridge.FlagAllowOOM != 0
	r.allowCrossSlot = flags&(luabridge.FlagEvalCompat|luabridge.FlagAllowCrossSlot) != 0
	e.scripts.run = r
	c.script = r
	defer func() {
		c.script = nil
		c.inExec = false
		// The buffer stays for the next run's calls, unless a large
		// reply grew it.
		c.w.reuse()
		if cap(c.w.buf) > scriptClientBufKeep {
			c.w.dropOutput()
		}
		e.scripts.run = nil
		// The effects of the script were propagated as they ran; the
		// script's own command is not (Redis's preventCommandPropagation
		// in scriptResetRun). Nested calls reset the per-call requests.
		e.prop.rewrite, e.prop.prevent, e.prop.force = nil, true, 0
	}()
	body(r, scriptWriter{&s.w})
}

// scriptClientBufKeep is the largest reply buffer the script client
// keeps from one run to the next.
const scriptClientBufKeep = 16 << 10

// errMisconfScript refuses a script with the write flag after a failed
// background save.
const errMisconfScript = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts."

// misconfWrites is the error refusing writes because the disk cannot be
// written (rdbMsg after a failed background save, the AOF's write error),
// or "".
func (s *Session) misconfWrites(rdbMsg string) string {
	if s.ks != s.e.main {
		return ""
	}
	return s.e.diskWriteError(rdbMsg)
}

// scriptWriter is the caller's Writer as the bridge's Writer.
type scriptWriter struct{ *Writer }

// ErrorNoStats writes an error already counted in the error statistics
// (it came from a command the script called).
func (w scriptWriter) ErrorNoStats(msg string) {
	count := w.onError
	w.onError = nil
	w.Writer.Error(msg)
	w.onError = count
}

// Call runs a command of the script (redis.call, redis.pcall) and
// returns its reply.
func (r *scriptRun) Call(args [][]byte) []byte {
	c := r.client
	c.w.reuse()
	c.dispatch(args)
	return c.w.takeAll()
}

// ArgsFree: the bridge may reuse the arguments of earlier scripts' calls
// once nothing waits to propagate (the ops of a MULTI's earlier commands
// hold theirs until EXEC ends).
func (r *scriptRun) ArgsFree() bool { return len(r.e.prop.pending) == 0 }

// SetResp is redis.setresp.
func (r *scriptRun) SetResp(proto int) { r.client.w.proto = proto }

// SetRepl is redis.set_repl.
func (r *scriptRun) SetRepl(flags int) {
	var t PropagateTarget
	if flags&luabridge.ReplAOF != 0 {
		t |= PropagateAOF
	}
	if flags&luabridge.ReplReplica != 0 {
		t |= PropagateRepl
	}
	r.repl = t
}

// ACLCheck is redis.acl_check_cmd (luaRedisAclCheckCmd): whether the
// user running the script may run the command with these arguments. As
// in Redis the arity is not checked; an unknown command or subcommand
// is not known.
func (r *scriptRun) ACLCheck(args [][]byte) (allowed, known bool) {
	cmd := r.e.lookupCommand(args[0])
	if cmd != nil && cmd.subs != nil && len(args) >= 2 {
		cmd = lookupSub(cmd, args[1])
	}
	if cmd == nil {
		return false, false
	}
	u := r.caller.user
	if u == nil || u.Unrestricted() {
		return true, true
	}
	res, _ := u.Check(r.e.users.Match(), cmd.acl, args, (*aclFinder)(r.e))
	return res == acl.OK, true
}

// Interrupt is called by the bridge every few thousand Lua instructions
// (Redis's scriptInterrupt): past busy-reply-threshold it lets other
// clients in, and reports SCRIPT KILL.
func (r *scriptRun) Interrupt() bool {
	e := r.e
	if !r.timedOut {
		limit := e.config.int("busy-reply-threshold")
		elapsed := time.Since(r.start).Milliseconds()
		if limit <= 0 || elapsed < limit {
			return r.killed
		}
		kill := "FUNCTION KILL"
		if r.eval {
			kill = "SCRIPT KILL"
		}
		e.warnLine("Slow script detected: still in execution after " + strconv.FormatInt(elapsed, 10) +
			" milliseconds. You can try killing the script using the " + kill + " command. Script name is: " + r.name + ".")
		r.timedOut = true
	}
	e.serveWhileBusy(r)
	return r.killed
}

// serveWhileBusy unlocks the engine for a moment so that other clients'
// commands run (and are refused -BUSY by the gate, unless allow-busy), as
// Redis's processEventsWhileBlocked. What another command could disturb
// of the running command's state is kept aside meanwhile.
func (e *Engine) serveWhileBusy(r *scriptRun) {
	saved := struct {
		current                      *Session
		nowMs, clockBaseNs, cmdStart int64
		clockBase                    time.Time
		clockRead, mutating          bool
		pending                      []Op
		ready                        []readyKey
		rewrite, callArgs            [][]byte
		prevent                      bool
		force                        PropagateTarget
		noMulti                      bool
	}{e.current, e.nowMs, e.clockBaseNs, e.cmdStart, e.clockBase, e.clockRead, e.mutating,
		e.prop.pending, e.readyKeys, e.prop.rewrite, e.prop.callArgs, e.prop.prevent, e.prop.force, e.prop.noMulti}
	e.prop.pending, e.readyKeys = nil, nil
	caller := r.caller
	callerDispatching := caller.dispatching
	// The caller's own lock is released too (execLocked holds it): a
	// cron walking every session takes the engine lock, then each
	// session's. A script replayed by DEBUG LOADAOF has two callers
	// locked: the loading session and the client whose command loads.
	outer := caller.heldBy
	var outerDispatching bool
	if outer != nil {
		outerDispatching = outer.dispatching
		outer.mu.Unlock()
	}
	caller.mu.Unlock()
	e.mu.Unlock()
	if fn := e.scripts.whileBlocked; fn != nil {
		// the host's event loop serves its other clients now
		fn()
	}
	// Waiters on the lock get it now: a goroutine waiting more than a
	// millisecond is handed the lock directly when it is released, and
	// the others run while this one sleeps.
	runtime.Gosched()
	if e.scripts.whileBlocked == nil {
		time.Sleep(time.Millisecond)
	}
	e.mu.Lock()
	if outer != nil {
		outer.mu.Lock()
		outer.dispatching = outerDispatching
	}
	caller.mu.Lock()
	caller.dispatching = callerDispatching
	e.current, e.nowMs, e.clockBaseNs, e.cmdStart, e.clockBase, e.clockRead, e.mutating = saved.current, saved.nowMs, saved.clockBaseNs, saved.cmdStart, saved.clockBase, saved.clockRead, saved.mutating
	e.prop.pending, e.readyKeys = saved.pending, saved.ready
	e.prop.rewrite, e.prop.callArgs, e.prop.prevent, e.prop.force, e.prop.noMulti = saved.rewrite, saved.callArgs, saved.prevent, saved.force, saved.noMulti
}

// busyRefuses is the gate's busy-script step: while a script runs past
// its threshold, only allow-busy commands get through.
func (s *Session) busyRefuses(cmd *Command) string {
	r := s.e.scripts.run
	if r == nil || !r.timedOut || cmd.flags&flagAllowBusy != 0 || s == r.client {
		return ""
	}
	if r.eval {
		return errBusyEval
	}
	return errBusyFunction
}

// scriptGate checks a command a script calls, as Redis's scriptCall
// (src/script.c), with its words; it replies the refusal and returns
// false. The script client's commands pass here instead of the client
// gate of dispatch.
func (s *Session) scriptGate(cmd *Command, args [][]byte) bool {
	r := s.script
	e := s.e
	if cmd != nil && cmd.subs != nil && len(args) >= 2 {
		cmd = lookupSub(cmd, args[1])
	} else if cmd != nil && cmd.subs != nil && cmd.handler == nil {
		cmd = nil
	}
	if cmd == nil {
		s.w.Error("ERR Unknown Redis command called from script")
		return false
	}
	s.run.cmd = cmd
	refuse := func(msg string) bool {
		e.stat(cmd).rejected++
		s.w.Error(msg)
		return false
	}
	if !arityOK(cmd.Arity, len(args)) || (cmd.handler == nil && len(args) < 2) {
		return refuse("ERR Wrong number of args calling Redis command from script")
	}
	if cmd.flags&flagNoScript != 0 && !e.scripts.allowDenied {
		return refuse("ERR This Redis command is not allowed from script")
	}
	if s.staleRefuses(cmd) {
		return refuse("ERR Can not execute the command on a stale replica")
	}
	if !s.user.Unrestricted() {
		// the ACL log shows the caller running its EVAL or FCALL
		if r.caller.run.cmd != nil {
			r.caller.lastCmd = r.caller.run.cmd.Name
		}
		if msg := s.aclScriptError(cmd, args, r.caller); msg != "" {
			return refuse("ERR " + msg)
		}
	}
	if r.readOnly && (cmd.flags&flagWrite != 0 || mayReplicate(cmd)) {
		return refuse("ERR Write commands are not allowed from read-only scripts.")
	}
	obey := r.caller.fromMaster || r.caller.replaying
	if cmd.flags&flagWrite != 0 && !r.writeDirty {
		if e.master != nil && e.config.bool("replica-read-only") && !obey && s.ks == e.main {
			return refuse(errReadOnlyReplica)
		}
		if msg := r.caller.misconfWrites(errMisconf); !obey && msg != "" {
			return refuse(msg)
		}
		if !obey && r.caller.tooFewReplicas() {
			return refuse(errNoReplicas)
		}
	}
	// scriptVerifyOOM: refused only before the script's first write (it
	// cannot stop halfway), when memory was over the limit at its start.
	if !r.allowOOM && e.scriptOOMRefuses(cmd, r.writeDirty, obey) {
		return refuse(errOOM)
	}
	if s.sandbox != nil {
		if msg := s.sandboxCheck(cmd, args); msg != "" {
			return refuse(msg)
		}
	}
	if cmd.flags&flagWrite != 0 {
		r.writeDirty = true
	}
	if e.cluster != nil && !obey {
		if msg := s.scriptClusterRefuses(cmd, args); msg != "" {
			return refuse(msg)
		}
	}
	return true
}

// scriptCall runs a command of a script once the gate let it through:
// its effects go where redis.set_repl says.
func (s *Session) scriptCall(cmd *Command, args [][]byte) {
	e := s.e
	if cmd.subs != nil && len(args) >= 2 {
		cmd = lookupSub(cmd, args[1])
	}
	before := len(e.prop.pending)
	s.call(cmd, args)
	if r := s.script; r.repl != propagateAll {
		kept := e.prop.pending[:before]
		for _, op := range e.prop.pending[before:] {
			op.Target &= r.repl
			if op.Target != 0 {
				kept = append(kept, op)
			}
		}
		e.prop.pending = kept
	}
}

// reuse empties the writer keeping its buffer.
func (w *Writer) reuse() {
	if w.q.head == len(w.q.blocks) && !w.bufShared {
		w.sealed += int64(len(w.buf))
		w.buf = w.buf[:0]
		return
	}
	w.dropOutput()
}

// takeAll returns every pending reply byte and empties the writer (the
// script client reads its replies this way; it has no connection).
func (w *Writer) takeAll() []byte {
	q := &w.q
	if q.head == len(q.blocks) && !w.bufShared {
		// valid until the next command of the script: reuse clears it
		return w.buf
	}
	var out []byte
	for i := q.head; i < len(q.blocks); i++ {
		b := q.blocks[i].b
		if i == q.head {
			b = b[q.sent:]
		}
		out = append(out, b...)
	}
	out = append(out, w.buf...)
	w.dropOutput()
	return out
}

// infoScripting writes INFO memory's scripting fields as Redis 7.0. The
// interpreters' sizes are estimates (gopher-lua does not count its
// memory): Redis's size of an empty Lua state plus the code loaded.
func (e *Engine) infoScripting(b *infoBuilder) {
	var evalVM, evalScripts, cached int64 = 31744, 0, 0
	if ev := e.scripts.eval; ev != nil {
		evalVM, evalScripts, cached = ev.VMMemory(), ev.ScriptsMemory(), int64(ev.Len())
	}
	var funcsMem, funcsVM int64 = 184, 31744
	var libs, funcs int
	if f := e.scripts.funcs; f != nil {
		funcsMem, funcsVM = f.Memory()
		libs, funcs = f.Counts()
	}
	b.int("used_memory_lua", evalVM)
	b.int("used_memory_vm_eval", evalVM)
	b.field("used_memory_lua_human", humanBytes(uint64(evalVM)))
	b.int("used_memory_scripts_eval", evalScripts)
	b.int("number_of_cached_scripts", cached)
	b.int("number_of_functions", int64(funcs))
	b.int("number_of_libraries", int64(libs))
	b.int("used_memory_vm_functions", funcsVM)
	b.int("used_memory_vm_total", evalVM+funcsVM)
	b.field("used_memory_vm_total_human", humanBytes(uint64(evalVM+funcsVM)))
	b.int("used_memory_functions", funcsMem)
	b.int("used_memory_scripts", evalScripts+funcsMem)
	b.field("used_memory_scripts_human", humanBytes(uint64(evalScripts+funcsMem)))
}

// Functions is the code of every function library when the snapshot
// began, for the RDB file (RDB_OPCODE_FUNCTION2 records, saved before
// the databases as Redis saves them).
func (s *Snapshot) Functions() [][]byte { return s.functions }

// snapshotFunctions captures the libraries' code for a snapshot.
func (e *Engine) snapshotFunctions() [][]byte {
	f := e.scripts.funcs
	if f == nil {
		return nil
	}
	var out [][]byte
	for _, l := range f.Libraries() {
		out = append(out, l.Code)
	}
	return out
}

// LoadFunction loads a function library read from a dump, as Redis's
// rdbFunctionLoad: a library of the same name already loaded fails the
// load, unless the Loader allows duplicates (DEBUG RELOAD MERGE, Redis's
// RDBFLAGS_ALLOW_DUP), when it is replaced. Whoever loads a dump in
// place of the dataset empties the libraries first (flushFunctions).
func (ld *Loader) LoadFunction(code []byte) error {
	ld.lock()
	defer ld.unlock()
	f := ld.e.functionsEngine()
	if ld.target != nil {
		// A swapdb load: into a set of its own, which replaces the
		// libraries only once the whole payload loaded (Redis's
		// temporary functions_lib_ctx and functionsLibCtxSwapWithCurrent).
		if ld.funcs == nil {
			ld.funcs = f.NewSet()
		}
		if _, err := f.LoadInto(ld.funcs, code, ld.AllowDuplicates, false); err != nil {
			return &rdb.Error{Msg: "Failed loading library, " + err.Error()}
		}
		return nil
	}
	if _, err := f.Load(code, ld.AllowDuplicates, false); err != nil {
		return &rdb.Error{Msg: "Failed loading library, " + err.Error()} // rdbLoadRio's log line
	}
	return nil
}

// flushFunctions unloads every function library, as Redis's emptyData
// does (without EMPTYDB_NOFUNCTIONS) before a dump replaces the dataset:
// DEBUG RELOAD, DEBUG LOADAOF, a replica's full synchronization. The
// interpreter stays (FUNCTION FLUSH's way).
func (e *Engine) flushFunctions() {
	if f := e.scripts.funcs; f != nil {
		f.Flush()
	}
}

// tooFewReplicas: min-replicas-to-write is not met (a master only).
func (s *Session) tooFewReplicas() bool {
	e := s.e
	if e.master != nil || s.ks != e.main {
		return false
	}
	need := e.config.int("min-replicas-to-write")
	return need != 0 && e.config.int("min-replicas-max-lag") != 0 && int64(e.goodReplicas()) < need
}

// scriptFlagsOf marks the commands whose script's declared flags stand
// for their own at the gate.
func scriptFlagsOf(name string) cmdFlags {
	switch name {
	case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro":
		return flagScriptFlags
	}
	return 0
}

// gateKey names a script command as the gate sees it with some
// script's flags.
type gateKey struct {
	cmd   *Command
	flags cmdFlags
}

// scriptGateCommand is evalGetCommandFlags and fcallGetCommandFlags: a
// script that declares its flags (a shebang, a function's flags) is a
// write, denyoom or stale command at the gate as those flags say, and
// never may-replicate; a script without (or not found: the command
// itself answers) keeps the command's flags. The returned command is
// for the gate's checks only.
func (s *Session) scriptGateCommand(cmd *Command, args [][]byte) *Command {
	e := s.e
	var flags luabridge.Flags
	switch cmd.Name {
	case "fcall", "fcall_ro":
		var fn *luabridge.Function
		if f := e.scripts.funcs; f != nil {
			fn = f.LookupBytes(args[1])
		}
		if fn == nil {
			return cmd
		}
		flags = fn.Flags
	case "evalsha", "evalsha_ro":
		var sc *luabridge.Script
		if ev := e.scripts.eval; ev != nil {
			sc = ev.Lookup(args[1])
		}
		if sc == nil {
			return cmd
		}
		flags = sc.Flags
	default:
		var err error
		if flags, _, err = luabridge.ParseShebang(args[1]); err != nil {
			return cmd
		}
	}
	if flags&luabridge.FlagEvalCompat != 0 {
		return cmd
	}
	// Declared flags say whether the script writes, so MAY_REPLICATE
	// goes (Redis's scriptFlagsToCmdFlags).
	f := cmd.flags &^ (flagStale | flagDenyOOM | flagWrite | flagMayReplicate)
	if flags&(luabridge.FlagAllowOOM|luabridge.FlagNoWrites) == 0 {
		f |= flagDenyOOM
	}
	if flags&luabridge.FlagNoWrites == 0 {
		f |= flagWrite
	}
	if flags&luabridge.FlagAllowStale != 0 {
		f |= flagStale
	}
	key := gateKey{cmd, f}
	if g := e.scripts.gateCmds[key]; g != nil {
		return g
	}
	g := *cmd
	g.flags = f
	if e.scripts.gateCmds == nil {
		e.scripts.gateCmds = map[gateKey]*Command{}
	}
	e.scripts.gateCmds[key] = &g
	return &g
}
