package engine

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goredis-dev/goredis/engine/acl"
)

// handler runs one command whose name and arity the dispatcher has checked.
type handler func(s *Session, args [][]byte)

// Command is one entry of the command table: Redis's published facts plus
// the handler. Commands are built once per process (sharedCommands) and
// never change after: every engine reads the same ones, and what an
// engine changes about its commands lives in the engine (cmdStats for
// their statistics, its own copy of the name table after rename-command).
type Command struct {
	*CommandSpec
	flags   cmdFlags
	handler handler
	subs    map[string]*Command
	parent  *Command
	// id indexes the engine's cmdStats.
	id int
	// acl is the command as the ACL knows it; specFlags the flags of
	// each key spec, read once from the spec (aclcheck.go, getkeys.go).
	acl       *acl.Command
	specFlags []keyFlags
}

// cmdStat is one command's statistics in one engine (INFO commandstats).
type cmdStat struct {
	calls, usec, rejected, failed int64
	// hist is the command's entry of the latency histograms
	// (srv.hists), kept here so a call does not look it up.
	hist *latencyHist
}

// stat is cmd's statistics in e. The table of them is made at the first
// command an engine runs, so an engine that runs none holds none.
func (e *Engine) stat(cmd *Command) *cmdStat {
	if cmd.id >= len(e.cmdStats) {
		e.growStats(cmd.id)
	}
	return &e.cmdStats[cmd.id]
}

// growStats makes room for the statistics of command id (tests add
// commands past the catalog's).
func (e *Engine) growStats(id int) {
	grown := make([]cmdStat, max(e.cat.count, id+1))
	copy(grown, e.cmdStats)
	e.cmdStats = grown
}

type cmdFlags uint32

const (
	flagWrite cmdFlags = 1 << iota
	flagReadonly
	flagDenyOOM
	flagAdmin
	flagPubSub
	flagNoScript
	flagBlocking
	flagLoading
	flagStale
	flagNoAuth
	flagNoMulti
	flagFast
	flagMovableKeys
	flagAllowBusy
	flagSkipMonitor
	// flagScriptFlags: a script's declared flags stand for the
	// command's at the gate (EVAL, FCALL and their variants).
	flagScriptFlags
	// flagMayReplicate is Redis's CMD_MAY_REPLICATE, hidden from COMMAND
	// INFO (so absent from the spec): set by hiddenFlagsOf.
	flagMayReplicate
)

func parseFlags(names []string) cmdFlags {
	var f cmdFlags
	for _, n := range names {
		switch n {
		case "write":
			f |= flagWrite
		case "readonly":
			f |= flagReadonly
		case "denyoom":
			f |= flagDenyOOM
		case "admin":
			f |= flagAdmin
		case "pubsub":
			f |= flagPubSub
		case "noscript":
			f |= flagNoScript
		case "blocking":
			f |= flagBlocking
		case "loading":
			f |= flagLoading
		case "stale":
			f |= flagStale
		case "no_auth":
			f |= flagNoAuth
		case "no_multi":
			f |= flagNoMulti
		case "fast":
			f |= flagFast
		case "movablekeys":
			f |= flagMovableKeys
		case "allow_busy":
			f |= flagAllowBusy
		case "skip_monitor":
			f |= flagSkipMonitor
		}
	}
	return f
}

// FullName is the name Redis uses in errors and stats: "get",
// "client|setname".
func (c *Command) FullName() string { return c.Name }

// handlers lists every implemented command with its handler. Each command
// family contributes its own list from its own file.
func handlers() map[string]handler {
	all := map[string]handler{}
	for _, family := range [][]handlerEntry{
		connectionHandlers(),
		aclHandlers(),
		serverHandlers(),
		stringHandlers(),
		keyHandlers(),
		dumpHandlers(),
		listHandlers(),
		hashHandlers(),
		setHandlers(),
		zsetHandlers(),
		bitmapHandlers(),
		hllHandlers(),
		geoHandlers(),
		streamHandlers(),
		sortHandlers(),
		memoryHandlers(),
		pubsubHandlers(),
		transactionHandlers(),
		moduleHandlers(),
		clusterHandlers(),
		scriptingHandlers(),
	} {
		for _, h := range family {
			all[h.name] = h.fn
		}
	}
	return all
}

type handlerEntry struct {
	name string // lower case; subcommands as "container|sub"
	fn   handler
}

// commandCatalog is everything about the commands that no engine
// changes: the table by name, and the ACL's view of it.
type commandCatalog struct {
	// table holds the implemented top-level commands by name. Engines
	// share it until rename-command gives one its own copy.
	table map[string]*Command
	// aclTable and aclCmds are the ACL's commands and, by ACL ID, the
	// Command of each (aclcheck.go).
	aclTable *acl.Table
	aclCmds  []*Command
	// count is the number of Commands (ids 0..count-1).
	count int
}

// sharedCommands builds the catalog once per process: the tables are
// the same for every engine, and goredistest starts one engine per test.
var sharedCommands = sync.OnceValue(buildCatalog)

func buildCatalog() *commandCatalog {
	cat := &commandCatalog{table: buildCommandTable()}
	cat.linkACL()
	return cat
}

// newCommand makes a catalog entry with the next id.
func (cat *commandCatalog) newCommand(c *Command) *Command {
	c.id = cat.count
	cat.count++
	return c
}

// buildCommandTable joins the generated facts with the handlers. Only
// commands with a handler are in the table, so COMMAND, COMMAND DOCS and
// the README list exactly what works. The ids are numbered by linkACL.
func buildCommandTable() map[string]*Command {
	hs := handlers()
	specs := commandSpecs()
	table := map[string]*Command{}
	// The containers that have a handled subcommand ("config" for
	// "config|get"), found in one pass.
	hasSubs := map[string]bool{}
	for n := range hs {
		if i := strings.IndexByte(n, '|'); i > 0 {
			hasSubs[n[:i]] = true
		}
	}
	// containers first
	for _, sp := range specs {
		if sp.Container != "" {
			continue
		}
		h, ok := hs[sp.Name]
		if !ok && !hasSubs[sp.Name] {
			continue
		}
		table[sp.Name] = &Command{CommandSpec: sp, flags: parseFlags(sp.Flags) | scriptFlagsOf(sp.Name) | hiddenFlagsOf(sp.Name), handler: h}
	}
	for _, sp := range specs {
		if sp.Container == "" {
			continue
		}
		h, ok := hs[sp.Name]
		parent := table[sp.Container]
		if !ok || parent == nil {
			continue
		}
		if parent.subs == nil {
			parent.subs = map[string]*Command{}
		}
		sub := strings.TrimPrefix(sp.Name, sp.Container+"|")
		parent.subs[sub] = &Command{CommandSpec: sp, flags: parseFlags(sp.Flags), handler: h, parent: parent}
	}
	return table
}

// cmdCacheSize is the number of entries of the command name cache: a
// workload uses few commands, so a small direct-mapped table hits almost
// always.
const cmdCacheSize = 64

// cmdCacheEntry remembers the command for one lower-case name.
type cmdCacheEntry struct {
	name string
	cmd  *Command
}

// lookupCommand finds a command by name, case-insensitively, without
// allocating for names up to 32 bytes. A small cache in front of the table
// answers the usual names with one case-folding comparison, no hashing.
func (e *Engine) lookupCommand(name []byte) *Command {
	n := len(name)
	if n == 0 {
		return e.commands[""]
	}
	slot := &e.cmdCache[(uint(n)*31+uint(name[0]|0x20)*7+uint(name[n-1]|0x20))%cmdCacheSize]
	if c := slot.cmd; c != nil && equalFold(name, slot.name) {
		return c
	}
	var c *Command
	var buf [32]byte
	if n > len(buf) {
		c = e.commands[strings.ToLower(string(name))]
	} else {
		for i, ch := range name {
			if 'A' <= ch && ch <= 'Z' {
				ch += 'a' - 'A'
			}
			buf[i] = ch
		}
		c = e.commands[string(buf[:n])]
	}
	if c != nil {
		key := c.Name
		if e.renamed {
			// The name it was found by, which rename-command may have
			// given it.
			key = strings.ToLower(string(name))
		}
		*slot = cmdCacheEntry{key, c}
	}
	return c
}

func lookupSub(c *Command, name []byte) *Command {
	return c.subs[strings.ToLower(string(name))]
}

// arityOK checks Redis's arity convention: positive is exact, negative is
// a minimum, both counting the command name.
func arityOK(arity, n int) bool {
	if arity >= 0 {
		return n == arity
	}
	return n >= -arity
}

// dispatch is the gatekeeper every command passes, as processCommand is in
// Redis: lookup, arity, authentication, transaction queueing, pub/sub
// context; then the handler. Called with the engine and session locked.
func (s *Session) dispatch(args [][]byte) {
	e := s.e
	w := &s.w
	mark := len(w.buf)
	cmd := e.lookupCommand(args[0])
	// what a panic in this command is reported against (panic.go)
	s.run = runningCommand{cmd, args, mark}
	if s.script != nil {
		// A command a script calls (redis.call): Redis's scriptCall
		// checks, in its order and words (scripting.go).
		if s.scriptGate(cmd, args) {
			s.scriptCall(cmd, args)
		}
		return
	}
	if cmd == nil {
		s.rejectInMulti()
		w.Error(unknownCommandError(args))
		s.afterReply(mark)
		return
	}
	if cmd.subs != nil && len(args) >= 2 {
		if sub := lookupSub(cmd, args[1]); sub != nil {
			cmd = sub
			s.run.cmd = sub
		} else if cmd.handler == nil {
			s.rejectInMulti()
			w.Error("ERR unknown subcommand '" + truncateArg(args[1]) + "'. Try " + strings.ToUpper(string(args[0])) + " HELP.")
			s.afterReply(mark)
			return
		}
	}
	if !arityOK(cmd.Arity, len(args)) || (cmd.handler == nil && len(args) < 2) {
		s.reject(cmd, args, "ERR wrong number of arguments for '"+cmd.Name+"' command")
		s.afterReply(mark)
		return
	}
	if s.authRequired() && cmd.flags&flagNoAuth == 0 {
		s.reject(cmd, args, errNoAuth)
		s.afterReply(mark)
		return
	}
	if s.multi != nil && cmd.flags&flagNoMulti != 0 {
		s.reject(cmd, args, "ERR Command not allowed inside a transaction")
		s.afterReply(mark)
		return
	}
	if !s.user.Unrestricted() && s.aclDenied(cmd, args) {
		s.afterReply(mark)
		return
	}
	if e.cluster != nil && s.clusterRefuses(cmd, args) {
		s.afterReply(mark)
		return
	}
	// The state checks below see a script's declared flags in place of
	// EVAL's and FCALL's own (Redis's getCommandFlags).
	gate := cmd
	if cmd.flags&flagScriptFlags != 0 {
		gate = s.scriptGateCommand(cmd, args)
	}
	if e.config.clientsLimit.Load() != 0 && s.evictedBeforeCall() {
		return
	}
	if e.config.mm.maxmemory != 0 && s.oomRefuses(gate) {
		s.reject(cmd, args, errOOM)
		s.afterReply(mark)
		return
	}
	if msg := s.misconf(gate); msg != "" {
		s.reject(cmd, args, msg)
		s.afterReply(mark)
		return
	}
	if s.noReplicasRefuses(gate) {
		s.reject(cmd, args, errNoReplicas)
		s.afterReply(mark)
		return
	}
	if s.readOnlyRefuses(gate) {
		s.reject(cmd, args, errReadOnlyReplica)
		s.afterReply(mark)
		return
	}
	if s.pubsub.active() && w.proto == 2 && !allowedWhileSubscribed(cmd) {
		s.reject(cmd, args, "ERR Can't execute '"+cmd.Name+"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
		s.afterReply(mark)
		return
	}
	if s.staleRefuses(gate) {
		s.reject(cmd, args, errMasterDown)
		s.afterReply(mark)
		return
	}
	if s.loadingRefuses(cmd) {
		s.reject(cmd, args, errLoading)
		s.afterReply(mark)
		return
	}
	if msg := s.busyRefuses(cmd); msg != "" {
		s.reject(cmd, args, msg)
		s.afterReply(mark)
		return
	}
	if (s.monitor || s.replica != nil) && (cmd.flags&(flagWrite|flagReadonly) != 0 || mayReplicate(cmd)) {
		s.reject(cmd, args, "ERR Replica can't interact with the keyspace")
		s.afterReply(mark)
		return
	}
	if s.sandbox != nil {
		if msg := s.sandboxCheck(cmd, args); msg != "" {
			s.rejectInMulti()
			e.stat(cmd).rejected++
			w.Error(msg)
			s.afterReply(mark)
			return
		}
	}
	if (e.srv.pauseEnd != 0 || e.repl.failover != nil || e.shutdownInitiated()) && e.pauseHolds(s, gate) {
		s.holdForPause(args)
		return
	}
	if s.multi != nil && !isTransactionControl(cmd) {
		s.queue(cmd, args)
		s.afterReply(mark)
		return
	}
	if s.fromMaster {
		// The master a replica follows gets no replies (Redis's
		// prepareClientToWrite). truncate, not a slice of the buffer: a
		// large value may have been queued by reference.
		at := w.mark()
		s.call(cmd, args)
		w.truncate(at)
		s.afterReply(len(w.buf))
		return
	}

	s.call(cmd, args)
	s.afterReply(mark)
	if e.cluster != nil && (e.cluster.st.Todo != 0 || e.config.clusterChanged) {
		e.clusterBeforeSleep()
	}
}

// call runs a command's handler and accounts for it.
func (s *Session) call(cmd *Command, args [][]byte) {
	e := s.e
	start := e.cmdStart
	mark := s.w.mark()
	e.mutating = cmd.flags&flagReadonly == 0
	if !e.propagating() {
		cmd.handler(s, args)
	} else {
		dirty := e.beforeCall(args)
		cmd.handler(s, args)
		e.propagateCall(s, cmd, args, dirty)
		if !s.inExec && (cmd.Name == "randomkey" || cmd.Name == "scan") {
			// They may expire any number of keys: not one transaction.
			e.prop.noMulti = true
		}
	}
	if len(e.mem.dirty) > 0 {
		e.mem.settle()
	}
	s.noteMemory()
	end := e.monoNow()
	// the next command of an EXEC or of a batch starts where this ended
	e.cmdStart, e.clockRead = end, true
	dur := time.Duration(end - start)
	st := e.stat(cmd)
	st.calls++
	st.usec += int64(dur / time.Microsecond)
	if s.w.byteAt(mark) == '-' {
		st.failed++
	}
	e.stats.commands++
	s.lastCmd = cmd.Name
	s.lastAt = time.UnixMilli(e.nowMs)
	e.afterCall(s, cmd, args, dur)
	// Inline checks first: monitors are rare, and feedMonitors is too
	// large to inline.
	if h := s.ks.pubsub; h != nil && len(h.monitors) > 0 && cmd.flags&(flagAdmin|flagSkipMonitor) == 0 {
		s.feedMonitors(args)
	}
	if s.tracking != nil || s.script != nil {
		s.trackingRemember(cmd, args)
	}
}

// reject refuses a command before it runs, as Redis's rejectCommand: an
// open transaction is flagged, and a refused EXEC discards it with an
// EXECABORT that carries the reason.
func (s *Session) reject(cmd *Command, args [][]byte, msg string) {
	s.rejectInMulti()
	s.e.stat(cmd).rejected++
	if cmd.Name == "exec" {
		s.execAbort(msg)
		// Monitors saw the MULTI: show the EXEC that ends it.
		s.feedMonitors(args)
		return
	}
	s.w.Error(msg)
}

func truncateArg(b []byte) string {
	if len(b) > 128 {
		b = b[:128]
	}
	return string(b)
}

// unknownCommandError words the reply as Redis does: the name cut to 128
// bytes and quoted arguments until the list reaches 128 bytes.
func unknownCommandError(args [][]byte) string {
	var list []byte
	for _, a := range args[1:] {
		if len(list) >= 128 {
			break
		}
		room := 128 - len(list)
		if len(a) > room {
			a = a[:room]
		}
		list = append(list, '\'')
		list = append(list, a...)
		list = append(list, '\'', ' ')
	}
	return "ERR unknown command '" + truncateArg(args[0]) + "', with args beginning with: " + string(list)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
