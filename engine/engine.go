package engine

import (
	"hash/maphash"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goredis-dev/goredis/engine/acl"
)

// Version is the Redis version whose behaviour GoRedis follows. Clients gate
// features on it, so HELLO and INFO report it as redis_version.
const Version = "7.0.15"

// GoRedisVersion is GoRedis's own version, reported in INFO.
const GoRedisVersion = "0.1.0"

// Options configure an Engine. The zero value is usable.
type Options struct {
	// Databases is the number of logical databases (default 16).
	Databases int
	// Now is the clock; default time.Now. Tests inject a fake one.
	Now func() time.Time
	// Rand is the random source for RANDOMKEY, SPOP and friends.
	Rand *rand.Rand
	// Config holds initial configuration directives (name -> value), as a
	// redis.conf or command line would give them.
	Config map[string]string
	// Shutdown is called when a client sends SHUTDOWN; the host stops.
	Shutdown func()
	// ShutdownStarting, when set, is called as SHUTDOWN begins, before
	// its final save: the host logs "User requested shutdown..." and
	// tells its supervisor, as Redis's prepareForShutdown does first.
	ShutdownStarting func()
	// SaveStatus, when set, receives what Redis tells systemd during the
	// final save: "Saving the final RDB snapshot", and "Error trying to
	// save the DB, can't exit." when it fails.
	SaveStatus func(status string)
	// Log, when set, receives lines for the server log (DEBUG LOG).
	Log func(line string)
	// LogAt, when set, receives them instead with Redis's level mark ('*'
	// notice, '#' warning), so the host's loglevel filters them as
	// Redis's does.
	LogAt func(level byte, line string)
	// RenameCommands are the config file's rename-command lines, checked
	// in order with a CommandTable.
	RenameCommands []CommandRename
	// RewriteConfig, when set, writes CONFIG REWRITE's lines into the
	// configuration file the server started from (nil: it started from
	// none). It runs with the engine locked, as Redis rewrites in its one
	// thread.
	RewriteConfig func(lines []ConfigLine) error
	// ConfigChanged, when set, hears each parameter CONFIG SET changed
	// (main name and new value), for what the host applies (loglevel). It
	// runs with the engine locked: it must not call the engine.
	ConfigChanged func(name, value string)
	// ApplyConfig, when set, applies a parameter the host owns (port,
	// bind) once CONFIG SET stored it; an error undoes the whole CONFIG
	// SET and is the reply's reason. It runs with the engine locked.
	// Parameters that share an apply step (ApplyGroupTLS) are each passed
	// first, then the step runs once as ApplyConfig(group, ""), as Redis
	// runs a shared apply function once per CONFIG SET: a certificate and
	// its key change together.
	ApplyConfig func(name, value string) error
	// Cluster, when set, runs the engine in cluster mode
	// (cluster-enabled yes; cluster.go).
	Cluster *ClusterOptions
	// Users are the config file's "user" lines (name, then rules), for
	// LoadACL.
	Users [][]string
	// ACLFile reads and writes the aclfile for ACL LOAD and ACL SAVE (nil:
	// they answer that there is no ACL file).
	ACLFile ACLFile
	// Entropy fills p with cryptographically secure random bytes, for
	// ACL GENPASS (the native host passes crypto/rand.Read). Nil: a
	// ChaCha8 stream seeded from the runtime's random source, which keeps
	// crypto out of the WebAssembly build.
	Entropy func(p []byte)
}

// ACLFile is the host's access to the aclfile: the engine does no I/O.
type ACLFile interface {
	// Read returns the file's text.
	Read(path string) (string, error)
	// Write replaces the file's content atomically.
	Write(path, text string) error
}

// Engine is the keyspace plus command handling, shared by every transport.
// All command execution is serialized by one mutex, as Redis serializes it
// on one thread; hosts call into it from any goroutine.
type Engine struct {
	mu   sync.Mutex
	now  func() time.Time
	rand *rand.Rand
	seed maphash.Seed
	main *Keyspace
	// cat is the process's command catalog (sharedCommands); commands
	// is its table, read
	// only, until rename-command gives the engine a copy of its own
	// (renamed).
	cat      *commandCatalog
	commands map[string]*Command
	renamed  bool
	// cmdStats are the commands' statistics, by Command.id.
	cmdStats []cmdStat
	// cmdCache speeds up lookupCommand (see there).
	cmdCache [cmdCacheSize]cmdCacheEntry
	config   *Config
	sessions map[int64]*Session
	nextID   int64
	started  time.Time
	stats    stats
	// net is what hosts report of their clients' traffic (clientstats.go).
	net netStats
	// nowMs is the time of the command being executed, fixed for its whole
	// run as Redis fixes it (so a key cannot expire half-way through).
	nowMs int64
	// readyKeys are keys that received data while sessions were blocked on
	// them; served after the current command.
	readyKeys []readyKey
	// shutdown is set when SHUTDOWN asked the host to stop.
	shutdown bool
	// shut is the shutdown under way (shutdown.go); shutAsap and
	// shutSignal are Redis's shutdown_asap and last_sig_received, set by
	// the host's signal handler without the lock.
	shut       shutdownState
	shutAsap   atomic.Bool
	shutSignal atomic.Pointer[string]
	// current is the session whose command is running.
	current      *Session
	activeExpire bool
	// replyBuf is DEBUG REPLYBUFFER's settings (replybuf.go).
	replyBuf replyBufState
	// skipChecksum: RESTORE does not check payload checksums (DEBUG
	// SET-SKIP-CHECKSUM-VALIDATION).
	skipChecksum bool
	// listPackedThreshold is DEBUG QUICKLIST-PACKED-THRESHOLD's size (0:
	// Redis's default, 1 GB).
	listPackedThreshold int64
	onShutdown          func()
	shutdownStarting    func()
	saveStatus          func(status string)
	log                 func(string)
	logAt               func(byte, string)
	// rewriteConfig writes the config file for CONFIG REWRITE (nil: none).
	rewriteConfig func([]ConfigLine) error
	// configChanged tells the host about CONFIG SET (nil: nobody asks).
	configChanged func(name, value string)
	// applyConfig applies host-owned parameters for CONFIG SET (nil: none).
	applyConfig func(name, value string) error
	// maxUnboundedReply bounds a reply whose size the client chooses
	// (obuf.go: outputAborted).
	maxUnboundedReply int64
	// repl is the master side of replication (replication.go).
	repl replication
	// master is set while this server is a replica (replica.go);
	// replicaLink is the host's driver for that link.
	master      *masterInfo
	replicaLink ReplicaLink
	// replicaExpires are the keys a writable replica's clients gave a
	// deadline (expire.go).
	replicaExpires map[replicaKey]struct{}
	// isReplica mirrors master != nil for readers that cannot take the
	// lock (the log's role letter).
	isReplica atomic.Bool
	// srv holds the server family's state: error counts, slow log,
	// latency events, last save time (server_state.go).
	srv serverState
	// realClock is set when Now is time.Now: nowMs then follows the
	// monotonic clock from clockBase, so a command costs one cheap clock
	// reading (time.Since) instead of a wall and a monotonic one.
	realClock bool
	// clockBase is the full clock reading (wall and monotonic) that
	// cmdStart counts from; tick takes a new one for every batch.
	clockBase time.Time
	// clockBaseNs is clockBase in unix nanoseconds.
	clockBaseNs int64
	// cmdStart is when the running command started, in monotonic
	// nanoseconds since clockBase, for commandstats.
	cmdStart int64
	// persist is the persistence state (persistence.go).
	persist persistState
	// snapshots in progress, and the generation the next one takes
	// (snapshot.go).
	snapshots []*Snapshot
	snapGen   uint32
	// mutating is set while a command that may change values in place
	// runs (a write command, or a blocked client being served).
	mutating bool
	// clockRead is set when a handler read the clock as it ended: the
	// next command of the batch starts from that reading.
	clockRead bool
	// dirty counts changes of the dataset (Redis's server.dirty); a
	// command that moved it is propagated.
	dirty int64
	// mem is the running count of keyspace memory, clientMem the clients'
	// (memory.go); startupMemory is used_memory_startup.
	mem           memAccount
	clientMem     atomic.Int64
	startupMemory int64
	// access records key accesses for the eviction policy; evict is the
	// eviction state (evict.go).
	access accessPolicy
	evict  evictionState
	// prop collects the effects of the running execution unit for the
	// attached Propagators (propagate.go).
	prop propagation
	// loading is set while a file is replayed: nothing expires and
	// nothing is propagated.
	loading bool
	// syncer runs before replies leave (SetSyncer).
	syncer syncerSlot
	// scripts is EVAL's and FUNCTION's state (scripting.go).
	scripts scripting
	// aof is the host's append-only file (SetAppendOnlyFile); nil in
	// the browser.
	aof AppendOnlyFile
	// cluster is the cluster mode's state (cluster.go); nil when off.
	cluster *clusterMode
	// migrator is the host's MIGRATE connection cache (cmd_migrate.go).
	migrator Migrator
	// ACL (aclcheck.go, cmd_acl.go): the users, the commands by ACL ID,
	// a scratch list of keys for checks, the ACL LOG, and whether the
	// default user lets clients in without AUTH (read without the lock).
	users         *acl.Users
	aclCmds       []*Command
	aclKeys       []acl.Key
	aclKeyRefs    []keyRef
	aclLogEntries acl.Log
	defaultOpen   atomic.Bool
	aclFile       ACLFile
	configUsers   [][]string
	// sandboxUser holds sandboxRules (sandbox.go); in no user list;
	// made at the first sandboxed command.
	sandboxUser *acl.User
	entropy     func(p []byte)

	// geoScratch holds GEOSEARCH's working slices (cmd_geo.go).
	geoScratch geoScratch
	// trackKeys is trackingRemember's scratch list of keys.
	trackKeys []keyRef
	// cronPaused is DEBUG PAUSE-CRON: the periodic work is skipped.
	cronPaused atomic.Bool
}

type readyKey struct {
	db  *DB
	key string
}

type stats struct {
	connections    int64
	commands       int64
	expiredKeys    int64
	keyspaceHits   int64
	keyspaceMisses int64
	rejectedConns  int64
	// evictedClients counts clients freed by maxmemory-clients.
	evictedClients int64

	blockedClients int64

	// The active expiry cycle (INFO stats expired_stale_perc,
	// expired_time_cap_reached_count, expire_cycle_cpu_milliseconds).
	expiredStalePerc      float64
	expiredTimeCapReached int64
	expireCycleCPUMicros  int64

	// dumpSanitizations counts deep integrity checks of RESTORE payloads
	// and loaded files (sanitize-dump-payload).
	dumpSanitizations int64

	// Replication: full synchronizations served, and partial ones
	// accepted and refused.
	syncFull, syncPartialOK, syncPartialErr int64
}

// New returns an engine with empty databases.
func New(opts Options) *Engine {
	realClock := opts.Now == nil
	if realClock {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	e := &Engine{
		onShutdown:        opts.Shutdown,
		shutdownStarting:  opts.ShutdownStarting,
		saveStatus:        opts.SaveStatus,
		maxUnboundedReply: defaultMaxUnboundedReply,
		log:               opts.Log,
		logAt:             opts.LogAt,
		now:               opts.Now,
		rand:              opts.Rand,
		seed:              maphash.MakeSeed(),
		sessions:          make(map[int64]*Session),
		activeExpire:      true,
		realClock:         realClock,
	}
	e.config = newConfig()
	if opts.Databases > 0 {
		e.config.setInternal("databases", itoa(int64(opts.Databases)))
	}
	for k, v := range opts.Config {
		if err := e.config.set(k, v, true); err != nil {
			// Unknown directives are kept so tools see them; New never fails.
			e.config.setInternal(k, v)
		}
	}
	e.main = e.newKeyspaceLocked()
	e.startupMemory = startupHeap()
	e.access.rand, e.access.cfg = e.rand, e.config
	e.started = e.now()
	e.srv.init(e)
	e.repl.secondOffset = -1
	e.cat = sharedCommands()
	e.commands = e.cat.table
	e.aclSetup()
	e.aclFile = opts.ACLFile
	e.entropy = opts.Entropy
	e.configUsers = opts.Users
	e.renameCommands(opts.RenameCommands)
	e.rewriteConfig = opts.RewriteConfig
	e.configChanged = opts.ConfigChanged
	e.applyConfig = opts.ApplyConfig
	e.initCluster(opts.Cluster)
	return e
}

// ConfigError validates a directive before the engine is built, so a host
// can refuse a bad configuration file with Redis's message.
func ConfigError(name, value string) error {
	return newConfig().set(name, value, true)
}

// Config returns the current value of a configuration parameter.
func (e *Engine) Config(name string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, _ := e.config.get(name)
	return v
}

// SetConfig changes a configuration parameter as CONFIG SET would, for a
// host's startup options.
func (e *Engine) SetConfig(name, value string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.config.set(name, value, false); err != nil {
		return err
	}
	e.aclConfigChanged([]string{name, value})
	return nil
}

// ConfigInt returns an integer configuration parameter (a memory value in
// bytes) without formatting and parsing it: hosts read their limits often.
func (e *Engine) ConfigInt(name string) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.config.int(name)
}

// ShutdownRequested reports whether a SHUTDOWN command asked the host to stop.
func (e *Engine) ShutdownRequested() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.shutdown
}

// NewKeyspace returns a private keyspace, for sandboxed sessions.
func (e *Engine) NewKeyspace() *Keyspace {
	return e.newKeyspaceLocked()
}

// newKeyspaceLocked makes a keyspace whose memory counts in used_memory.
func (e *Engine) newKeyspaceLocked() *Keyspace {
	ks := newKeyspace(e.config.databases(), e.seed)
	ks.mem = &e.mem
	ks.access = &e.access
	return ks
}

// tick reads the clocks for a new command (or the first of a batch):
// nowMs (the injectable clock) and cmdStart (real time, for commandstats).
func (e *Engine) tick() {
	t := time.Now()
	e.clockBase, e.clockBaseNs = t, t.UnixNano()
	e.cmdStart = 0
	e.clockRead = false
	if !e.realClock {
		t = e.now()
	}
	e.nowMs = t.UnixMilli()
}

// monoNow is real time in nanoseconds since clockBase: one monotonic
// clock reading, much cheaper than time.Now's wall and monotonic pair.
func (e *Engine) monoNow() int64 { return int64(time.Since(e.clockBase)) }

// cmdStartTime is when the running command started, as a time.Time with
// its monotonic reading: clockBase moved on by cmdStart, which every path
// into execLocked sets (tick, tickNext, the end of the command before
// in an EXEC), so no clock is read.
func (e *Engine) cmdStartTime() time.Time {
	if e.clockBase.IsZero() {
		return time.Now()
	}
	return e.clockBase.Add(time.Duration(e.cmdStart))
}

// tickNext is tick for the next command of a batch. The reading taken when
// the previous command ended serves again if there is one (so a pipelined
// command costs one clock reading); otherwise one monotonic reading. The
// wall clock follows clockBase by the monotonic clock within a batch.
func (e *Engine) tickNext() {
	if e.clockRead {
		e.clockRead = false
	} else {
		e.cmdStart = e.monoNow()
	}
	if !e.realClock {
		e.nowMs = e.now().UnixMilli()
		return
	}
	e.nowMs = (e.clockBaseNs + e.cmdStart) / int64(time.Millisecond)
}

// refreshNow rereads the clock for key lookups between commands: blocked
// clients are served against the time they are served at, as Redis's
// handleClientsBlockedOnKeys updates its cached time (a key that expired
// during an EXEC that filled it leaves its waiters blocked).
func (e *Engine) refreshNow() {
	if e.realClock {
		e.nowMs = time.Now().UnixMilli()
		return
	}
	e.nowMs = e.now().UnixMilli()
}

// RejectedConnection counts a connection refused by the host (maxclients).
func (e *Engine) RejectedConnection() {
	e.mu.Lock()
	e.stats.rejectedConns++
	e.mu.Unlock()
}

// Clients is the number of connected sessions.
func (e *Engine) Clients() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.sessions)
}
