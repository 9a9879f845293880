package engine

import (
	"math"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/goredis-dev/goredis/rdb"
)

func serverHandlers() []handlerEntry {
	list := []handlerEntry{
		{"dbsize", cmdDBSize},
		{"flushdb", cmdFlushDB},
		{"flushall", cmdFlushAll},
		{"swapdb", cmdSwapDB},
		{"info", cmdInfo},
		{"time", cmdTime},
		{"lastsave", cmdLastSave},
		{"save", cmdSave},
		{"bgsave", cmdBgSave},
		{"bgrewriteaof", cmdBgRewriteAOF},
		{"role", cmdRole},
		{"sync", cmdSync},
		{"psync", cmdSync},
		{"replconf", cmdReplconf},
		{"wait", cmdWait},
		{"failover", cmdFailover},
		{"replicaof", cmdReplicaOf},
		{"slaveof", cmdReplicaOf},
		{"shutdown", cmdShutdown},
		{"config|get", cmdConfigGet},
		{"config|set", cmdConfigSet},
		{"config|resetstat", cmdConfigResetStat},
		{"config|rewrite", cmdConfigRewrite},
		{"config|help", cmdConfigHelp},
		{"debug", cmdDebug},
		{"slowlog|get", cmdSlowlogGet},
		{"slowlog|len", cmdSlowlogLen},
		{"slowlog|reset", cmdSlowlogReset},
		{"slowlog|help", cmdSlowlogHelp},
		{"latency|latest", cmdLatencyLatest},
		{"latency|history", cmdLatencyHistory},
		{"latency|reset", cmdLatencyReset},
		{"latency|histogram", cmdLatencyHistogram},
		{"latency|help", cmdLatencyHelp},
		{"latency|doctor", cmdLatencyDoctor},
		{"latency|graph", cmdLatencyGraph},
	}
	return append(list, commandHandlers()...)
}

// DBSIZE
func cmdDBSize(s *Session, args [][]byte) { s.w.Int(int64(s.db.size())) }

// flushMode reads FLUSHDB/FLUSHALL's optional ASYNC|SYNC.
func flushMode(args [][]byte) bool {
	if len(args) == 1 {
		return true
	}
	return len(args) == 2 && (equalFold(args[1], "sync") || equalFold(args[1], "async"))
}

// FLUSHDB [ASYNC | SYNC]
func cmdFlushDB(s *Session, args [][]byte) {
	if !flushMode(args) {
		s.w.Error(errSyntax)
		return
	}
	s.e.flushDB(s.db)
	// Propagated even when the database was empty already.
	s.forcePropagation(propagateAll)
	s.w.OK()
}

// FLUSHALL [ASYNC | SYNC]
func cmdFlushAll(s *Session, args [][]byte) {
	if !flushMode(args) {
		s.w.Error(errSyntax)
		return
	}
	e := s.e
	main := s.ks == e.main
	if main {
		// As Redis's FLUSHALL kills a saving child (not an AOF
		// rewrite's: that one goes on with the data before the flush).
		e.abortSnapshotsBut(true)
	}
	for _, db := range s.ks.dbs {
		e.flushDB(db)
	}
	if main {
		e.forgetReplicaKeys()
	}
	if main && e.persist.p != nil && len(e.saveParams()) > 0 && e.persist.bgsave == nil {
		// Redis saves the emptied dataset at once when save points are
		// set (flushAllDataAndResetRDB).
		_ = e.saveNow()
	}
	if main {
		e.persist.dirty++
	}
	s.forcePropagation(propagateAll)
	s.w.OK()
}

func (e *Engine) flushDB(db *DB) {
	if db.ks == e.main {
		e.persist.dirty += int64(db.size())
	}
	e.touchWatchedInDB(db, true)
	e.signalDeletedStreams(db, nil)
	db.beforeFlush()
	db.clear()
}

// SWAPDB index1 index2
func cmdSwapDB(s *Session, args [][]byte) {
	if s.e.cluster != nil {
		s.w.Error("ERR SWAPDB is not allowed in cluster mode")
		return
	}
	// getIntFromObjectOrReply with a message: one error for "not an
	// integer" and "not an int32"
	a, ok := parseInt(args[1])
	if !ok || a < math.MinInt32 || a > math.MaxInt32 {
		s.w.Error("ERR invalid first DB index")
		return
	}
	b, ok := parseInt(args[2])
	if !ok || b < math.MinInt32 || b > math.MaxInt32 {
		s.w.Error("ERR invalid second DB index")
		return
	}
	n := int64(len(s.ks.dbs))
	if a < 0 || a >= n || b < 0 || b >= n {
		s.w.Error(errDBIndex)
		return
	}
	if a != b {
		s.e.swapDB(s.ks.dbs[a], s.ks.dbs[b])
	}
	// A change even when both are one database, as Redis counts it.
	s.e.dirty++
	s.w.OK()
}

// swapDB exchanges the data of two databases. Clients keep their selected
// index, so they see the other data; watchers of keys present on either
// side are touched and blocked clients are retried, as in Redis.
func (e *Engine) swapDB(x, y *DB) {
	e.touchWatchedSwap(x, y)
	e.touchWatchedSwap(y, x)
	e.signalDeletedStreams(x, y)
	e.signalDeletedStreams(y, x)
	x.strs, y.strs = y.strs, x.strs
	x.objs, y.objs = y.objs, x.objs
	x.expires, y.expires = y.expires, x.expires
	x.rawStrs, y.rawStrs = y.rawStrs, x.rawStrs
	x.owned, y.owned = y.owned, x.owned // the buffers go with their values
	x.strMem, y.strMem = y.strMem, x.strMem
	// Only a swapdb load swaps in cluster mode (SWAPDB is refused there):
	// the slot index goes with the keys.
	x.slots, y.slots = y.slots, x.slots
	swapSnaps(x, y)
	for _, db := range []*DB{x, y} {
		for key := range db.blocked {
			if db.rawExists(key) {
				e.signalReady(db, key)
			}
		}
	}
}

// TIME
func cmdTime(s *Session, args [][]byte) {
	now := s.e.now()
	s.w.Array(2)
	s.w.BulkInt(now.Unix())
	s.w.BulkInt(int64(now.Nanosecond() / 1000))
}

// CONFIG GET parameter [parameter ...]
func cmdConfigGet(s *Session, args [][]byte) {
	c := s.e.config
	var pairs []string
	seen := map[string]bool{}
	add := func(name string, p *param) {
		if key := strings.ToLower(name); !seen[key] {
			seen[key] = true
			pairs = append(pairs, name, p.value)
		}
	}
	for _, a := range args[2:] {
		pat := string(a)
		if !strings.ContainsAny(pat, "*?[") {
			// An exact name is answered as it was asked, like Redis.
			if p, ok := c.lookup(strings.ToLower(pat)); ok {
				add(pat, p)
			}
			continue
		}
		for _, name := range c.names() {
			if p := c.param(name); !p.hidden && globMatch(pat, name, true) {
				add(name, p)
			}
		}
	}
	s.w.Map(len(pairs) / 2)
	for _, p := range pairs {
		s.w.BulkString(p)
	}
}

// CONFIG SET parameter value [parameter value ...]
func cmdConfigSet(s *Session, args [][]byte) {
	if len(args)%2 != 0 {
		s.w.Error(errSyntax)
		return
	}
	pairs := make([]string, len(args)-2)
	for i, a := range args[2:] {
		pairs[i] = string(a)
	}
	if msg := s.configSetRefusal(pairs); msg != "" {
		s.w.Error(msg)
		return
	}
	oldDir, _ := s.e.config.get("dir")
	old := s.e.aofConfigBefore()
	before := make([]string, len(pairs)/2)
	for i := range before {
		before[i], _ = s.e.config.get(pairs[2*i])
	}
	if err := s.e.config.setMany(pairs); err != nil {
		s.w.Error(err.Error())
		return
	}
	if msg := s.e.applyHostConfig(pairs, before); msg != "" {
		s.w.Error(msg)
		return
	}
	if dc, ok := s.e.persist.p.(interface{ CheckDir(string) error }); ok {
		for i := 0; i+1 < len(pairs); i += 2 {
			if !strings.EqualFold(pairs[i], "dir") {
				continue
			}
			if err := dc.CheckDir(pairs[i+1]); err != nil {
				// Redis's chdir failed: the old directory stays.
				s.e.config.setInternal("dir", oldDir)
				s.w.Error("ERR CONFIG SET failed (possibly related to argument 'dir') - " + err.Error())
				return
			}
		}
	}
	if err := s.e.applyAOFConfig(s, old); err != nil {
		s.w.Error(err.Error())
		return
	}
	s.e.aclConfigChanged(pairs)
	if s.e.configChanged != nil {
		for i := 0; i+1 < len(pairs); i += 2 {
			if p, ok := s.e.config.lookup(strings.ToLower(pairs[i])); ok {
				s.e.configChanged(p.name, p.value)
			}
		}
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.EqualFold(pairs[i], "maxmemory") {
			s.e.maxmemoryChanged()
		}
		if strings.EqualFold(pairs[i], "repl-backlog-size") {
			s.e.backlogSizeChanged()
		}
	}
	s.w.OK()
}

// applyHostConfig lets the host apply what it owns (port, bind) after
// CONFIG SET stored the values, as Redis's apply functions; when one
// fails, every parameter of the command returns to its old value and
// what was applied is applied again, as Redis's restoreBackupConfig. It
// returns the error reply, or "".
func (e *Engine) applyHostConfig(pairs, before []string) string {
	if e.applyConfig == nil {
		return ""
	}
	var applied []*param
	var groups []string     // shared apply steps to run, in order
	var groupFirst []string // the first parameter of each, for the error
	restore := func(failed string, err error) string {
		for j := len(before) - 1; j >= 0; j-- {
			e.config.store(e.config.param(strings.ToLower(pairs[2*j])), before[j])
		}
		reapplied := map[string]bool{}
		for _, a := range applied {
			if rerr := e.applyConfig(a.name, a.value); rerr != nil {
				e.warnLine("Failed applying restored failed CONFIG SET command: " + rerr.Error())
			}
			if a.applyGroup != "" {
				reapplied[a.applyGroup] = true
			}
		}
		for _, g := range groups {
			if reapplied[g] {
				if rerr := e.applyConfig(g, ""); rerr != nil {
					e.warnLine("Failed applying restored failed CONFIG SET command: " + rerr.Error())
				}
			}
		}
		return "ERR CONFIG SET failed (possibly related to argument '" + failed + "') - " + err.Error()
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		p := e.config.param(strings.ToLower(pairs[i]))
		if p.value == before[i/2] {
			continue
		}
		err := e.applyConfig(p.name, p.value)
		if err != nil {
			return restore(strings.ToLower(pairs[i]), err)
		}
		applied = append(applied, p)
		if p.applyGroup != "" && !slices.Contains(groups, p.applyGroup) {
			groups = append(groups, p.applyGroup)
			groupFirst = append(groupFirst, p.name)
		}
	}
	for i, g := range groups {
		if err := e.applyConfig(g, ""); err != nil {
			e.warnLine("Failed applying new configuration. Possibly related to new " + groupFirst[i] + " setting. Restoring previous settings.")
			return restore(groupFirst[i], err)
		}
	}
	return ""
}

// CONFIG RESETSTAT
func cmdConfigResetStat(s *Session, args [][]byte) {
	s.e.resetStats()
	s.w.OK()
}

// CONFIG REWRITE
func cmdConfigRewrite(s *Session, args [][]byte) {
	// The engine reads no file: the host that started from one writes it
	// (Options.RewriteConfig).
	e := s.e
	if e.rewriteConfig == nil {
		s.w.Error("ERR The server is running without a config file")
		return
	}
	if err := e.rewriteConfig(e.configRewriteLines()); err != nil {
		e.warnLine("CONFIG REWRITE failed: " + err.Error())
		s.w.Error("ERR Rewriting config file: " + err.Error())
		return
	}
	e.warnLine("CONFIG REWRITE executed with success.")
	s.w.OK()
}

// CONFIG HELP
func cmdConfigHelp(s *Session, args [][]byte) {
	writeHelp(&s.w, "CONFIG", []string{
		"GET <pattern> [<pattern> ...]",
		"    Parameters whose names match the glob-like patterns, with their values.",
		"SET <directive> <value> [<directive> <value> ...]",
		"    Change parameters; either all of them change or none does.",
		"RESETSTAT",
		"    Zero the statistics INFO shows.",
		"REWRITE",
		"    Save the running configuration to the configuration file.",
	})
}

// DEBUG subcommand [argument ...]
func cmdDebug(s *Session, args [][]byte) {
	if msg := s.debugAllowed(); msg != "" {
		s.w.Error(msg)
		return
	}
	sub := strings.ToLower(string(args[1]))
	switch {
	case sub == "help" && len(args) == 2:
		writeHelp(&s.w, "DEBUG", []string{
			"CHANGE-REPL-ID",
			"    Give the replication history a new random ID (INFO master_replid).",
			"DIGEST",
			"    A hex signature of the whole dataset (the same as Redis's for the same data).",
			"DIGEST-VALUE <key> [<key> ...]",
			"    A hex signature of the value of each key.",
			"ERROR <string>",
			"    Reply with the error <string>, to test how clients handle errors.",
			"LOG <message>",
			"    Write <message> to the server log.",
			"OBJECT <key>",
			"    Low level facts about the value stored at <key>.",
			"POPULATE <count> [<prefix>] [<size>]",
			"    Create <count> string keys <prefix>:<num> (prefix 'key'), values 'value:<num>' cut or padded to <size>.",
			"PROTOCOL <type>",
			"    Reply with a sample of a RESP type: string, integer, double, bignum, null, array, set, map, attrib, push, verbatim, true, false.",
			"REPLICATE <command> [<arg> ...]",
			"    Send <command> to the replicas (and the backlog) without running it, in the stream's current database.",
			"RELOAD [MERGE] [NOFLUSH]",
			"    Write every key in the RDB encoding and load it back, as a save and restart would.",
			"DROP-CLUSTER-PACKET-FILTER <type>",
			"    Drop the cluster bus messages of <type> this node receives (-1: none).",
			"CLUSTERLINK KILL <to|from|all> <node-id>",
			"    Kills the link based on the direction to/from (both) with the provided node.",
			"PAUSE-CRON <0|1>",
			"    Stop (1) or resume (0) the periodic work: expiry, client checks, replication, saves, cluster.",
			"QUICKLIST-PACKED-THRESHOLD <size>",
			"    Make list elements of <size> bytes or more plain quicklist nodes of their own (0: the default, 1gb).",
			"REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
			"    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
			"    In case NEVER is provided the last observed peak will never be reset",
			"    In case RESET is provided the peak reset time will be restored to the default value",
			"REPLYBUFFER RESIZING <0|1>",
			"    Enable or disable the reply buffer resize cron job",
			"SET-ACTIVE-EXPIRE <0|1>",
			"    Turn the periodic removal of expired keys off (0) or on (1).",
			"SET-SKIP-CHECKSUM-VALIDATION <0|1>",
			"    Skip (1) or do (0) the checksum check of RESTORE's payload.",
			"SLEEP <seconds>",
			"    Stop the whole server for <seconds> (decimals allowed).",
		})
	case sub == "sleep" && len(args) == 3:
		// Like Redis (strtod), anything that is not a number sleeps 0.
		f, _ := parseFloat(args[2])
		if f > 0 {
			// Redis blocks everything while it sleeps; so does holding the
			// engine lock.
			time.Sleep(time.Duration(f * float64(time.Second)))
		}
		s.w.OK()
	case sub == "drop-cluster-packet-filter" && len(args) == 3:
		n, ok := parseInt(args[2])
		if !ok {
			s.w.Error(errNotInt)
			return
		}
		if cm := s.e.cluster; cm != nil {
			cm.st.DropPacketFilter = n
		}
		s.w.OK()
	case sub == "clusterlink" && len(args) == 5 && equalFold(args[2], "kill"):
		s.debugClusterLinkKill(args)
	case sub == "pause-cron" && len(args) == 3:
		// Like Redis (atoi), anything that is not a number means 0.
		n, _ := parseInt(args[2])
		s.e.cronPaused.Store(n != 0)
		s.w.OK()
	case sub == "set-active-expire" && len(args) == 3:
		// Like Redis (atoi), anything that is not a number means 0.
		n, _ := parseInt(args[2])
		s.e.activeExpire = n != 0
		s.w.OK()
	case sub == "replybuffer" && len(args) == 4:
		s.debugReplyBuffer(args[1], args[2], args[3])
	case sub == "set-disable-deny-scripts" && len(args) == 3:
		n, _ := parseInt(args[2])
		s.e.scripts.allowDenied = n != 0
		s.w.OK()
	case sub == "object" && len(args) == 3:
		s.debugObject(args[2])
	case sub == "change-repl-id" && len(args) == 2:
		// Redis's changeReplicationId and clearReplicationId2.
		s.e.srv.replID = randomHex(s.e, 20)
		s.e.srv.replID2 = zeroReplID
		s.e.repl.secondOffset = -1
		s.w.OK()
	case sub == "digest" && len(args) == 2:
		s.debugDigest()
	case sub == "digest-value" && len(args) >= 2:
		s.debugDigestValue(args[2:])
	case sub == "populate" && len(args) >= 3 && len(args) <= 5:
		s.debugPopulate(args)
	case sub == "reload":
		s.debugReload(args[2:])
	case sub == "loadaof" && len(args) == 2 && s.e.aof != nil && s.ks == s.e.main:
		s.debugLoadAOF()
	case sub == "aof-flush-sleep" && len(args) == 3 && s.e.aof != nil:
		// Microseconds the AOF waits before each write, for tests.
		s.e.aof.ConfigChanged("aof-flush-sleep", string(args[2]))
		s.w.OK()
	case sub == "protocol" && len(args) == 3:
		s.debugProtocol(args[2])
	case sub == "error" && len(args) == 3:
		// The message is the whole error line, code included.
		s.w.Error(strings.TrimPrefix(string(args[2]), "-"))
	case sub == "config-rewrite-force-all" && len(args) == 2:
		// CONFIG REWRITE writing every parameter, as the test suite uses.
		if s.e.rewriteConfig == nil {
			s.w.Error("ERR CONFIG-REWRITE-FORCE-ALL failed: The server is running without a config file")
			return
		}
		lines := s.e.configRewriteLines()
		for i := range lines {
			lines[i].Force = true
		}
		if err := s.e.rewriteConfig(lines); err != nil {
			s.w.Error("ERR CONFIG-REWRITE-FORCE-ALL failed: " + err.Error())
			return
		}
		s.w.OK()
	case sub == "replicate" && len(args) >= 3:
		s.e.debugReplicate(args[2:])
		s.w.OK()
	case sub == "log" && len(args) == 3:
		s.e.warnLine("DEBUG LOG: " + string(args[2]))
		s.w.OK()
	case sub == "quicklist-packed-threshold" && len(args) == 3:
		// Redis's quicklistisSetPackedThreshold: 0 restores the default,
		// and the size must stay clear of 4 GB.
		n, ok := parseMemory(string(args[2]))
		if !ok || n < 0 || n > 1<<32-1<<20 {
			s.w.Error("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
			return
		}
		s.e.listPackedThreshold = n
		s.w.OK()
	case sub == "set-skip-checksum-validation" && len(args) == 3:
		// Like Redis (atoi), anything that is not a number means 0.
		n, _ := parseInt(args[2])
		s.e.skipChecksum = n != 0
		s.w.OK()
	default:
		s.w.Error("ERR unknown subcommand or wrong number of arguments for '" + truncateArg(args[1]) + "'. Try DEBUG HELP.")
	}
}

// configSetRefusal is what Redis's CONFIG SET checks per client before
// any value: a protected parameter from a non-local client when
// enable-protected-configs is "local", and, while a dataset loads, the
// parameters that cannot change then (a -LOADING error). As in Redis the
// first refused argument decides; what setMany checks itself (unknown
// names, immutable parameters, protected ones under "no") ends the scan.
func (s *Session) configSetRefusal(pairs []string) string {
	mode, _ := s.e.config.get("enable-protected-configs")
	// Redis's server.loading, set for an async load too.
	loading := s.e.persist.loading != nil || s.e.persist.asyncLoading != nil
	for i := 0; i+1 < len(pairs); i += 2 {
		p, ok := s.e.config.lookup(strings.ToLower(pairs[i]))
		if !ok || p.immutable || (p.protected && mode == "no") {
			return ""
		}
		if p.protected && mode == "local" && s.protectedAllowed("enable-protected-configs", "") != "" {
			return "ERR CONFIG SET failed (possibly related to argument '" + pairs[i] + "') - can't set protected config"
		}
		if p.denyLoading && loading {
			return errLoading
		}
	}
	return ""
}

// debugAllowed applies enable-debug-command as Redis does.
func (s *Session) debugAllowed() string {
	return s.protectedAllowed("enable-debug-command", "DEBUG")
}

// protectedAllowed applies enable-debug-command or enable-module-command
// as Redis's allowProtectedAction does: "local" allows loopback and the
// unix socket. It returns the refusal, or "".
func (s *Session) protectedAllowed(option, command string) string {
	v, _ := s.e.config.get(option)
	switch v {
	case "yes":
		return ""
	case "local":
		if s.info.Kind == "unix" || isLocalAddr(s.info.Addr) {
			return ""
		}
	}
	return "ERR " + command + " command not allowed. If the " + option + " option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
}

func isLocalAddr(addr string) bool {
	return addr == "" || strings.HasPrefix(addr, "127.") || strings.HasPrefix(addr, "[::1]") || strings.HasPrefix(addr, "::1")
}

// debugObject writes DEBUG OBJECT's line. GoRedis keeps no LRU clock per
// key, so lru and lru_seconds_idle are 0; serializedlength is the length
// of the value in RDB's encoding (rdb.go), compressed as rdbcompression says.
func (s *Session) debugObject(key []byte) {
	// the key as it is stored, even expired (Redis's dictFind)
	str, obj, found := s.db.rawGet(tmpString(key))
	if !found {
		s.w.Error(errNoSuchKey)
		return
	}
	var addr uintptr
	enc := ""
	size := 0
	refcount := "1"
	if obj == nil {
		addr = uintptr(unsafe.Pointer(unsafe.StringData(str)))
		enc = stringEncoding(str)
		size = len(rdb.AppendString(nil, str, s.e.config.bool("rdbcompression")))
		if n, ok := parseInt([]byte(str)); ok && enc == "int" && n >= 0 && n < 10000 {
			// Redis shares the objects of small integers.
			refcount = "2147483647"
		}
	} else {
		addr = (*[2]uintptr)(unsafe.Pointer(&obj))[1]
		enc = obj.encoding()
		size = len(s.e.encoder().appendValue(nil, "", obj)) - 1 // less the type byte
	}
	line := "Value at:0x" + strings.ToLower(uitoa16(uint64(addr))) + " refcount:" + refcount + " encoding:" + enc +
		" serializedlength:" + itoa(int64(size)) + " lru:0 lru_seconds_idle:0"
	s.w.Simple(line)
}

func uitoa16(n uint64) string {
	const digits = "0123456789abcdef"
	if n == 0 {
		return "0"
	}
	var b [16]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = digits[n&15]
		n >>= 4
	}
	return string(b[i:])
}

// SLOWLOG GET [count]
func cmdSlowlogGet(s *Session, args [][]byte) {
	count := int64(10)
	if len(args) == 3 {
		n, ok := parseInt(args[2])
		if !ok || n < -1 {
			s.w.Error("ERR count should be greater than or equal to -1")
			return
		}
		count = n
	} else if len(args) > 3 {
		s.w.Error("ERR wrong number of arguments for 'slowlog|get' command")
		return
	}
	log := s.e.srv.slowlog
	if count >= 0 && int64(len(log)) > count {
		log = log[:count]
	}
	s.w.Array(len(log))
	for _, en := range log {
		s.w.Array(6)
		s.w.Int(en.id)
		s.w.Int(en.time)
		s.w.Int(en.duration)
		s.w.BulkStrings(en.args)
		s.w.BulkString(en.peer)
		s.w.BulkString(en.name)
	}
}

// SLOWLOG LEN
func cmdSlowlogLen(s *Session, args [][]byte) { s.w.Int(int64(len(s.e.srv.slowlog))) }

// SLOWLOG RESET
func cmdSlowlogReset(s *Session, args [][]byte) {
	s.e.srv.slowlog = nil
	s.w.OK()
}

// SLOWLOG HELP
func cmdSlowlogHelp(s *Session, args [][]byte) {
	writeHelp(&s.w, "SLOWLOG", []string{
		"GET [<count>]",
		"    The <count> newest entries (10 by default, -1 for all). Each entry has",
		"    an ID, a Unix time, a duration in microseconds, the arguments, the",
		"    client address and the client name.",
		"LEN",
		"    Number of entries.",
		"RESET",
		"    Remove every entry.",
	})
}

// LATENCY LATEST
func cmdLatencyLatest(s *Session, args [][]byte) {
	st := &s.e.srv
	events := st.latencyEvents()
	s.w.Array(len(events))
	for _, name := range events {
		ev := st.latency[name]
		last := ev.samples[len(ev.samples)-1]
		s.w.Array(4)
		s.w.BulkString(name)
		s.w.Int(last.time)
		s.w.Int(last.duration)
		s.w.Int(ev.max)
	}
}

// LATENCY HISTORY event
func cmdLatencyHistory(s *Session, args [][]byte) {
	ev := s.e.srv.latency[strings.ToLower(string(args[2]))]
	if ev == nil {
		s.w.Array(0)
		return
	}
	s.w.Array(len(ev.samples))
	for _, smp := range ev.samples {
		s.w.Array(2)
		s.w.Int(smp.time)
		s.w.Int(smp.duration)
	}
}

// LATENCY RESET [event [event ...]]
func cmdLatencyReset(s *Session, args [][]byte) {
	st := &s.e.srv
	n := 0
	if len(args) == 2 {
		n = len(st.latency)
		st.latency = map[string]*latencyEvent{}
	} else {
		for _, a := range args[2:] {
			name := strings.ToLower(string(a))
			if _, ok := st.latency[name]; ok {
				delete(st.latency, name)
				n++
			}
		}
	}
	s.w.Int(int64(n))
}

// LATENCY HELP
func cmdLatencyHelp(s *Session, args [][]byte) {
	writeHelp(&s.w, "LATENCY", []string{
		"DOCTOR",
		"    A report in words on the recorded events, with advice.",
		"GRAPH <event>",
		"    The samples of <event> drawn as an ASCII graph.",
		"LATEST",
		"    Latest sample, time and maximum of every event.",
		"HISTORY <event>",
		"    Time and duration of the recorded samples of <event>.",
		"HISTOGRAM [<command> ...]",
		"    Call counts and latency histograms of commands (all when none are named).",
		"RESET [<event> ...]",
		"    Forget the samples of the given events (all when none are named).",
	})
}
