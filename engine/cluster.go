package engine

import (
	"errors"
	"strconv"

	"github.com/goredis-dev/goredis/cluster"
)

// Redis Cluster in the engine: the node's view of the cluster lives in a
// cluster.State the host hands over (Options.Cluster); the engine answers
// CLUSTER, redirects commands whose keys live elsewhere, and keeps db 0's
// keys indexed by hash slot. The bus that talks to the other nodes runs
// in the host and changes the State under the engine's lock
// (Engine.ClusterDo).

// ClusterOptions turn cluster mode on (cluster-enabled yes).
type ClusterOptions struct {
	// State is the node's view: loaded from nodes.conf or new.
	State *cluster.State
	// SaveConfig writes nodes.conf (cluster.WriteConfigFile); it runs
	// with the engine locked, as Redis saves it in its one thread.
	SaveConfig func(data []byte) error
	// Fatal stops the server at once (Redis exits when it cannot save
	// nodes.conf); nil only in tests.
	Fatal func()
	// Bus, when set, is told about what the engine wants sent at once
	// (a PONG broadcast after a slot was taken over); nil without a bus.
	Bus ClusterBus
}

// ClusterBus is what the engine asks of the cluster bus driver. Its
// methods run with the engine locked and must not block.
type ClusterBus interface {
	// BroadcastPong sends this node's configuration to every node.
	BroadcastPong()
	// Publish propagates a PUBLISH (shard false) or SPUBLISH (shard
	// true) to the other nodes.
	Publish(channel, message []byte, shard bool)
	// SendMFStart asks this replica's master to start a manual failover.
	SendMFStart(master *cluster.Node)
	// KillLinks frees the link to n (to) and the link from n (from), as
	// DEBUG CLUSTERLINK KILL does; the cron and the peer make new ones.
	KillLinks(n *cluster.Node, to, from bool)
}

// clusterMode is the engine's cluster state; nil when cluster mode is off.
type clusterMode struct {
	st   *cluster.State
	save func([]byte) error
	bus  ClusterBus
	// fatal is ClusterOptions.Fatal.
	fatal func()
	// announcedIP is the cluster-announce-ip last applied (Redis's
	// clusterUpdateMyselfIp changes myself's IP only when it changes).
	announcedIP string
}

// slotIndex lists the keys of one database by hash slot (Redis's
// slots_to_keys), for COUNTKEYSINSLOT, GETKEYSINSLOT and resharding.
type slotIndex struct {
	keys  [cluster.Slots]map[string]struct{}
	count [cluster.Slots]int
}

func (x *slotIndex) add(key string) {
	slot := cluster.KeySlot(key)
	m := x.keys[slot]
	if m == nil {
		m = map[string]struct{}{}
		x.keys[slot] = m
	}
	m[key] = struct{}{}
	x.count[slot] = len(m)
}

func (x *slotIndex) remove(key string) {
	slot := cluster.KeySlot(key)
	if m := x.keys[slot]; m != nil {
		delete(m, key)
		x.count[slot] = len(m)
		if len(m) == 0 {
			x.keys[slot] = nil
		}
	}
}

// initCluster turns cluster mode on for a new engine.
func (e *Engine) initCluster(o *ClusterOptions) {
	if o == nil || o.State == nil {
		return
	}
	e.cluster = &clusterMode{st: o.State, save: o.SaveConfig, bus: o.Bus, fatal: o.Fatal}
	db0 := e.main.dbs[0]
	db0.slots = &slotIndex{}
	e.syncClusterSettings()
	e.cluster.st.Log = e.logLevel
}

// SetClusterBus installs the bus driver (after New, since the bus needs
// the engine).
func (e *Engine) SetClusterBus(b ClusterBus) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cluster != nil {
		e.cluster.bus = b
	}
}

// iAmMaster is Redis's iAmMaster: in cluster mode the role this node
// has in the cluster's table (a replica restarting knows it from
// nodes.conf before its replication link is set up), else whether no
// master is followed.
func (e *Engine) iAmMaster() bool {
	if e.cluster != nil {
		return e.cluster.st.Myself.IsMaster()
	}
	return e.master == nil
}

// ClusterEnabled reports whether the engine runs in cluster mode.
func (e *Engine) ClusterEnabled() bool { return e.cluster != nil }

// ClusterDo runs fn with the engine locked and the cluster state in
// hand, then does what fn left to do (update the state, save nodes.conf),
// as Redis's clusterBeforeSleep. For the bus driver: fn must not call
// the engine's other methods (they lock), only ClusterCtx's.
func (e *Engine) ClusterDo(fn func(c *ClusterCtx)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tick()
	if e.cluster == nil {
		return
	}
	fn(&ClusterCtx{State: e.cluster.st, e: e})
	e.clusterBeforeSleep()
}

// ClusterCron is the part of Redis's clusterCron that needs no bus: it
// keeps cluster_state current. A host without a bus calls it every
// 100 ms.
func (e *Engine) ClusterCron() {
	if e.cronPaused.Load() {
		return
	}
	e.ClusterDo(func(c *ClusterCtx) {
		if !c.State.OK {
			c.State.Todo |= cluster.TodoUpdateState
		}
	})
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cluster != nil {
		e.redirectBlockedClients()
	}
}

// ClusterCtx is what the bus driver may use inside ClusterDo: the state
// and the engine's side of cluster events, all with the engine locked.
type ClusterCtx struct {
	State *cluster.State
	e     *Engine
}

// Now is the engine's clock in unix milliseconds.
func (c *ClusterCtx) Now() int64 { return c.e.now().UnixMilli() }

// Log writes a line with Redis's level mark.
func (c *ClusterCtx) Log(level byte, line string) { c.e.logLevel(level, line) }

// ReplOffset is the offset this node announces: master_repl_offset, or
// what a replica applied (clusterBuildMessageHdr).
func (c *ClusterCtx) ReplOffset() int64 {
	if c.State.Myself.IsReplica() {
		return c.e.replicaOffset()
	}
	return c.e.masterOffset()
}

// SetMyMaster makes this node a replica of n (clusterSetMaster).
func (c *ClusterCtx) SetMyMaster(n *cluster.Node) { c.e.clusterSetMyMaster(n) }

// FollowMaster points replication at host:port (replicationSetMaster).
func (c *ClusterCtx) FollowMaster(host string, port int) { c.e.clusterFollow(host, port) }

// FollowsMaster reports whether replication has a master set
// (server.masterhost != NULL).
func (c *ClusterCtx) FollowsMaster() bool { return c.e.master != nil }

// Loading reports whether a dataset is loading (at startup, or a
// replica's full synchronization): Redis's clusterCron, a time event,
// does not run meanwhile (processEventsWhileBlocked serves file events
// only), so a replica restarting does not start replicating before its
// own files are loaded.
func (c *ClusterCtx) Loading() bool {
	return c.e.persist.loading != nil || c.e.persist.asyncLoading != nil
}

// ReplaceMaster turns this replica into the master of its master's slots
// (clusterFailoverReplaceYourMaster).
func (c *ClusterCtx) ReplaceMaster() { c.e.ClusterReplaceMaster() }

// CountKeysInSlot counts the keys of a slot.
func (c *ClusterCtx) CountKeysInSlot(slot int) int { return c.e.countKeysInSlot(slot) }

// DelKeysInSlot deletes the keys of a slot this node lost (delKeysInSlot):
// each is propagated as a DEL.
func (c *ClusterCtx) DelKeysInSlot(slot int) int { return c.e.delKeysInSlot(slot) }

// DelSlot unassigns a slot (and drops the local shard channels of it).
func (c *ClusterCtx) DelSlot(slot int) { c.e.clusterDelSlot(slot) }

// Deliver hands a message published on another node to this node's
// subscribers (a PUBLISH or PUBLISHSHARD bus message).
func (c *ClusterCtx) Deliver(channel, message []byte, shard bool) {
	if shard {
		c.e.spublish(c.e.main, string(channel), string(message))
	} else {
		c.e.publish(c.e.main, string(channel), string(message))
	}
}

// PauseWrites pauses writing clients until untilMs (a master during a
// manual failover).
func (c *ClusterCtx) PauseWrites(untilMs int64) { c.e.pauseWritesUntil(untilMs) }

// Unpause ends a pause set by PauseWrites.
func (c *ClusterCtx) Unpause() { c.e.unpauseFailover() }

// clusterPublish sends a PUBLISH (or an SPUBLISH to this node's shard)
// over the bus; false when not in cluster mode.
func (e *Engine) clusterPublish(channel, message []byte, shard bool) bool {
	if e.cluster == nil {
		return false
	}
	if b := e.cluster.bus; b != nil {
		b.Publish(channel, message, shard)
	}
	return true
}

// syncClusterSettings copies the cluster-* parameters (and the ports this
// node announces) into the cluster state.
func (e *Engine) syncClusterSettings() {
	c := e.config
	c.clusterChanged = false
	st := e.cluster.st
	st.Settings = cluster.Settings{
		NodeTimeout:              c.int("cluster-node-timeout"),
		RequireFullCoverage:      c.bool("cluster-require-full-coverage"),
		AllowReadsWhenDown:       c.bool("cluster-allow-reads-when-down"),
		AllowPubsubshardWhenDown: c.bool("cluster-allow-pubsubshard-when-down"),
		AllowReplicaMigration:    c.bool("cluster-allow-replica-migration"),
		MigrationBarrier:         int(c.int("cluster-migration-barrier")),
		ReplicaValidityFactor:    int(c.int("cluster-replica-validity-factor")),
		ReplicaNoFailover:        c.bool("cluster-replica-no-failover"),
		LinkSendbufLimit:         c.int("cluster-link-sendbuf-limit"),
	}
	st.Settings.PreferredEndpoint, _ = c.get("cluster-preferred-endpoint-type")
	me := st.Myself
	port, pport, cport := e.AnnouncedPortsLocked()
	me.Port, me.PPort, me.CPort = port, pport, cport
	// clusterUpdateMyselfFlags
	old := me.Flags
	me.Flags &^= cluster.FlagNoFailover
	if st.Settings.ReplicaNoFailover {
		me.Flags |= cluster.FlagNoFailover
	}
	if me.Flags != old {
		st.Todo |= cluster.TodoSaveConfig | cluster.TodoUpdateState
	}
	if ip, _ := c.get("cluster-announce-ip"); ip != e.cluster.announcedIP {
		me.IP = ip // "" lets the bus learn it from the peers
		e.cluster.announcedIP = ip
	}
	host, _ := c.get("cluster-announce-hostname")
	me.Hostname = host
}

// ConfigLocked is Config for code running with the engine locked
// (inside ClusterDo).
func (e *Engine) ConfigLocked(name string) string {
	v, _ := e.config.get(name)
	return v
}

// AnnouncedPortsLocked are the client, plaintext and bus ports this node
// announces (Redis's deriveAnnouncedPorts, without TLS), for code running
// with the engine locked.
func (e *Engine) AnnouncedPortsLocked() (port, pport, cport int) {
	c := e.config
	port = int(c.int("port"))
	cport = int(c.int("cluster-port"))
	if cport == 0 {
		cport = port + cluster.PortIncr
	}
	if p := int(c.int("cluster-announce-port")); p != 0 {
		port = p
	}
	if p := int(c.int("cluster-announce-bus-port")); p != 0 {
		cport = p
	}
	return port, 0, cport
}

// clusterBeforeSleep does the deferred cluster work: update the state,
// save nodes.conf.
func (e *Engine) clusterBeforeSleep() {
	cm := e.cluster
	if e.config.clusterChanged {
		e.syncClusterSettings()
	}
	st := cm.st
	if st.Todo&cluster.TodoUpdateState != 0 {
		st.UpdateState(e.now().UnixMilli())
	}
	if st.Todo&cluster.TodoSaveConfig != 0 {
		st.Todo &^= cluster.TodoSaveConfig | cluster.TodoFsyncConfig
		if err := cm.saveConfig(); err != nil {
			// Redis exits here (clusterSaveConfigOrDie): a node that
			// cannot record its epoch must not go on.
			e.logLevel('#', "Fatal: can't update cluster config file.")
			if cm.fatal != nil {
				cm.fatal()
			}
		}
	}
}

func (cm *clusterMode) saveConfig() error {
	if cm.save == nil {
		return nil
	}
	return cm.save(cm.st.ConfigFile())
}

// Cluster redirection (getNodeByQuery and clusterRedirectClient).

type redirect int

const (
	redirNone redirect = iota
	redirCrossSlot
	redirUnstable
	redirAsk
	redirMoved
	redirDownState
	redirDownUnbound
	redirDownROState
)

// hasKeys reports whether the cluster gate must look at cmd: it has key
// specs, moves its keys, or is EXEC.
func (cmd *Command) clusterRouted() bool {
	return len(cmd.KeySpecs) > 0 || cmd.flags&flagMovableKeys != 0 || cmd.Name == "exec"
}

// clusterRefuses is the gate's cluster step: it answers a command whose
// keys this node does not serve with -MOVED, -ASK, -CROSSSLOT, -TRYAGAIN
// or -CLUSTERDOWN and reports whether it did.
func (s *Session) clusterRefuses(cmd *Command, args [][]byte) bool {
	s.clusterSlot = -1
	if s.fromMaster || s.replaying || !cmd.clusterRouted() {
		return false
	}
	n, slot, code := s.nodeByQuery(cmd, args)
	if code == redirNone && n == s.e.cluster.st.Myself {
		// A script the command runs keeps to this slot (c->slot).
		s.clusterSlot = slot
		return false
	}
	if cmd.Name == "exec" {
		s.discardTransaction()
	} else {
		s.rejectInMulti()
	}
	s.w.Error(s.e.redirectError(n, slot, code))
	s.e.stat(cmd).rejected++
	return true
}

// redirectError words a redirection as clusterRedirectClient does.
func (e *Engine) redirectError(n *cluster.Node, slot int, code redirect) string {
	switch code {
	case redirCrossSlot:
		return "CROSSSLOT Keys in request don't hash to the same slot"
	case redirUnstable:
		return "TRYAGAIN Multiple keys request during rehashing of slot"
	case redirDownState:
		return "CLUSTERDOWN The cluster is down"
	case redirDownROState:
		return "CLUSTERDOWN The cluster is down and only accepts read commands"
	case redirDownUnbound:
		return "CLUSTERDOWN Hash slot not served"
	}
	kind := "MOVED "
	if code == redirAsk {
		kind = "ASK "
	}
	return kind + strconv.Itoa(slot) + " " + e.cluster.endpoint(n) + ":" + strconv.Itoa(n.Port)
}

// endpoint is the address clients are sent to (getPreferredEndpoint).
func (cm *clusterMode) endpoint(n *cluster.Node) string {
	switch cm.st.Settings.PreferredEndpoint {
	case "hostname":
		if n.Hostname != "" {
			return n.Hostname
		}
		return "?"
	case "unknown-endpoint":
		return ""
	}
	return n.IP
}

// forEachKey calls fn with each key of a command line, found as Redis's
// getKeysFromCommand finds them: the legacy key range, or the key specs
// for commands whose keys move.
func forEachKey(cmd *Command, args [][]byte, fn func(key []byte) bool) {
	if cmd.flags&flagMovableKeys == 0 {
		if cmd.FirstKey <= 0 {
			return
		}
		last := cmd.LastKey
		if last < 0 {
			last += len(args)
		}
		step := max(cmd.Step, 1)
		for i := cmd.FirstKey; i <= last && i < len(args); i += step {
			if !fn(args[i]) {
				return
			}
		}
		return
	}
	for _, r := range getKeys(cmd, args, nil) {
		if !fn(args[r.pos]) {
			return
		}
	}
}

func isShardPubsub(cmd *Command) bool {
	switch cmd.Name {
	case "ssubscribe", "sunsubscribe", "spublish":
		return true
	}
	return false
}

// scriptClusterRefuses is scriptVerifyClusterState: a script may touch
// only keys this node serves, and (unless it allows cross-slot keys) only
// keys of one slot, that of its command's keys when it declared some. s
// is the script client; the refusal is returned, "" when allowed.
func (s *Session) scriptClusterRefuses(cmd *Command, args [][]byte) string {
	r := s.script
	caller := r.caller
	s.readonlyCluster, s.asking = caller.readonlyCluster, caller.asking
	n, slot, code := s.nodeByQuery(cmd, args)
	if code != redirNone || n != s.e.cluster.st.Myself {
		switch code {
		case redirDownROState:
			return "ERR Script attempted to execute a write command while the cluster is down and readonly"
		case redirDownState:
			return "ERR Script attempted to execute a command while the cluster is down"
		}
		return "ERR Script attempted to access a non local key in a cluster node"
	}
	if slot != -1 && !r.allowCrossSlot {
		if caller.clusterSlot == -1 {
			caller.clusterSlot = slot
		} else if caller.clusterSlot != slot {
			return "ERR Script attempted to access keys that do not hash to the same slot"
		}
	}
	return ""
}

// gateFlags are a command's flags as the gate sees them: a script's
// declared flags for EVAL and FCALL (Redis's getCommandFlags), so that a
// READONLY client's writing script on a replica is redirected, not
// refused.
func (s *Session) gateFlags(cmd *Command, args [][]byte) cmdFlags {
	if cmd.flags&flagScriptFlags != 0 {
		return s.scriptGateCommand(cmd, args).flags
	}
	return cmd.flags
}

// nodeByQuery finds the node that serves a command's keys (Redis's
// getNodeByQuery): this node, another one with a redirection code, or nil
// with an error code; and the keys' slot, -1 when the command has no key
// or the cluster refuses it before the slot counts.
func (s *Session) nodeByQuery(cmd *Command, args [][]byte) (*cluster.Node, int, redirect) {
	e := s.e
	st := e.cluster.st
	me := st.Myself
	// Every case as an EXEC, as Redis does: one line, or the queue.
	one := [1]queuedCommand{{cmd, args}}
	lines := one[:]
	if cmd.Name == "exec" {
		if s.multi == nil {
			return me, -1, redirNone
		}
		lines = s.multi.queue
	}
	var (
		firstKey             []byte
		n                    *cluster.Node
		slot                 int
		multipleKeys         bool
		migrating, importing bool
		missing, existing    int
		code                 = redirNone
		shard                = isShardPubsub(cmd)
		writes               = s.gateFlags(cmd, args)&flagWrite != 0
	)
	db0 := s.ks.dbs[0]
	for _, l := range lines {
		if s.gateFlags(l.cmd, l.args)&flagWrite != 0 {
			writes = true
		}
		forEachKey(l.cmd, l.args, func(key []byte) bool {
			thisSlot := cluster.KeySlot(key)
			if firstKey == nil {
				firstKey, slot = key, thisSlot
				n = st.Slots[slot]
				if n == nil {
					code = redirDownUnbound
					return false
				}
				if n == me && st.MigratingTo[slot] != nil {
					migrating = true
				} else if st.ImportingFrom[slot] != nil {
					importing = true
				}
			} else if string(firstKey) != string(key) {
				if slot != thisSlot {
					code = redirCrossSlot
					return false
				}
				multipleKeys = true
			}
			if (migrating || importing) && !shard {
				k := tmpString(key)
				if db0.rawExists(k) && !e.isExpired(db0, k) {
					existing++
				} else {
					missing++
				}
			}
			return true
		})
		if code != redirNone {
			return nil, -1, code
		}
	}
	if n == nil {
		return me, -1, redirNone
	}
	if !st.OK {
		switch {
		case shard:
			if !st.Settings.AllowPubsubshardWhenDown {
				return nil, -1, redirDownState
			}
		case !st.Settings.AllowReadsWhenDown:
			return nil, -1, redirDownState
		case s.gateFlags(cmd, args)&flagWrite != 0:
			// EXEC's own flags, as Redis's getCommandFlags gives.
			return nil, -1, redirDownROState
		}
	}
	if (migrating || importing) && cmd.Name == "migrate" {
		return me, slot, redirNone
	}
	if migrating && missing > 0 {
		if existing > 0 {
			return nil, slot, redirUnstable
		}
		return st.MigratingTo[slot], slot, redirAsk
	}
	if importing && (s.asking || cmd.Name == "restore-asking") {
		if multipleKeys && missing > 0 {
			return nil, slot, redirUnstable
		}
		return me, slot, redirNone
	}
	if (s.readonlyCluster || shard) && !writes && me.IsReplica() && me.Master == n {
		return me, slot, redirNone
	}
	if n != me {
		return n, slot, redirMoved
	}
	return n, slot, redirNone
}

// redirectBlockedClients answers the clients blocked on keys (lists,
// sorted sets, streams) that this node no longer serves, and unblocks
// them: -CLUSTERDOWN while the cluster is down (a write that would serve
// them may never come), -MOVED when another node took the slot,
// -CLUSTERDOWN Hash slot not served when nobody did. It is Redis's
// clusterRedirectBlockedClientIfNeeded, which clientsCron runs for every
// blocked client; a node that turns replica unblocks them all with
// -UNBLOCKED (disconnectBlocked) before this could.
func (e *Engine) redirectBlockedClients() {
	if e.stats.blockedClients == 0 {
		return
	}
	st := e.cluster.st
	me := st.Myself
	for _, s := range e.blockedSessions() {
		b := s.blocked
		if b.wait != nil || len(b.keys) == 0 || e.isHeld(s) {
			continue
		}
		var msg string
		if !st.OK {
			msg = e.redirectError(nil, 0, redirDownState)
		} else {
			// All the keys are in one slot: the gate saw to it.
			slot := cluster.KeySlot(b.keys[0])
			n := st.Slots[slot]
			if c := e.commands[s.lastCmd]; s.readonlyCluster && c != nil && c.flags&flagWrite == 0 &&
				me.IsReplica() && me.Master == n {
				n = me
			}
			switch {
			case n == me || st.ImportingFrom[slot] != nil:
			case n == nil:
				msg = e.redirectError(nil, slot, redirDownUnbound)
			default:
				msg = e.redirectError(n, slot, redirMoved)
			}
		}
		if msg == "" {
			continue
		}
		s.unblock()
		s.pushAsync(func(w *Writer) {
			s.writeUnblocked(b, func() { w.Error(msg) })
		})
	}
}

// RedirectBlockedClients is redirectBlockedClients for the bus driver's
// cron.
func (c *ClusterCtx) RedirectBlockedClients() { c.e.redirectBlockedClients() }

// pauseWritesUntil pauses writes as CLIENT PAUSE WRITE does, for a master
// during a manual failover (PAUSE_DURING_FAILOVER).
func (e *Engine) pauseWritesUntil(untilMs int64) {
	st := &e.srv
	if st.pauseEnd == 0 || e.nowMs >= st.pauseEnd {
		st.pauseEnd, st.pauseAll = untilMs, false
	} else {
		st.pauseEnd = max(st.pauseEnd, untilMs)
	}
}

// unpauseFailover ends the manual failover's pause.
func (e *Engine) unpauseFailover() {
	if e.srv.pauseEnd != 0 {
		e.unpause(nil)
	}
}

// delKeysInSlot deletes every key of slot from db 0, propagating a DEL
// for each (Redis's delKeysInSlot).
func (e *Engine) delKeysInSlot(slot int) int {
	db := e.main.dbs[0]
	x := db.slots
	if x == nil || x.count[slot] == 0 {
		return 0
	}
	keys := make([]string, 0, x.count[slot])
	for k := range x.keys[slot] {
		keys = append(keys, k)
	}
	for _, k := range keys {
		db.removeRaw(k)
		e.touchKey(db, k)
		e.notifyKeyspaceEvent(notifyGeneric, "del", db, k)
		e.propagateDeletion(db, k, false)
	}
	if e.propagating() {
		e.prop.noMulti = true
		e.flushPropagation()
	}
	return len(keys)
}

// ClusterDoLocked is ClusterDo for code that already runs with the engine
// locked: the ClusterBus methods the engine calls.
func (e *Engine) ClusterDoLocked(fn func(c *ClusterCtx)) {
	fn(&ClusterCtx{State: e.cluster.st, e: e})
}

// MasterDataAge is how old a replica's data is, in milliseconds: since
// the last interaction with its master while the link is up, else since
// the link went down (clusterHandleSlaveFailover's data_age).
func (c *ClusterCtx) MasterDataAge() int64 {
	e := c.e
	m := e.master
	if m == nil {
		return 0
	}
	now := e.now()
	if m.state == linkConnected {
		return now.Sub(m.lastIO).Milliseconds() / 1000 * 1000
	}
	return now.Sub(m.downSince).Milliseconds() / 1000 * 1000
}

// ReplPingPeriodMs is repl-ping-replica-period in milliseconds.
func (c *ClusterCtx) ReplPingPeriodMs() int64 {
	return c.e.config.int("repl-ping-replica-period") * 1000
}

// ErrClusterDataOutsideDB0 is VerifyClusterData's error: cluster mode has
// db 0 only.
var ErrClusterDataOutsideDB0 = errors.New("keys in a DB different than DB 0")

// VerifyClusterData checks the loaded data against the cluster
// configuration, as Redis does after loading (verifyClusterConfigWithData):
// keys in other databases are an error; a master takes the unassigned
// slots it has keys for, and marks as importing the slots it has keys for
// that another node owns.
func (e *Engine) VerifyClusterData() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cluster == nil {
		return nil
	}
	st := e.cluster.st
	if st.Myself.IsReplica() {
		return nil
	}
	for _, db := range e.main.dbs[1:] {
		if db.size() > 0 {
			return ErrClusterDataOutsideDB0
		}
	}
	changed := false
	for j := range cluster.Slots {
		if e.countKeysInSlot(j) == 0 || st.Slots[j] == st.Myself || st.ImportingFrom[j] != nil {
			continue
		}
		changed = true
		if st.Slots[j] == nil {
			e.logLevel('#', "I have keys for unassigned slot "+strconv.Itoa(j)+". Taking responsibility for it.")
			st.AddSlot(st.Myself, j)
		} else {
			e.logLevel('#', "I have keys for slot "+strconv.Itoa(j)+", but the slot is assigned to another node. Setting it to importing state.")
			st.ImportingFrom[j] = st.Slots[j]
		}
	}
	if changed {
		if err := e.cluster.saveConfig(); err != nil {
			e.logLevel('#', "Fatal: can't update cluster config file.")
			if e.cluster.fatal != nil {
				e.cluster.fatal()
			}
		}
	}
	return nil
}

// clusterFollow points replication at a master (replicationSetMaster),
// when the host has a replica link.
func (e *Engine) clusterFollow(host string, port int) {
	if e.replicaLink == nil {
		return
	}
	if m := e.master; m != nil && m.host == host && m.port == port {
		return
	}
	e.setReplicaOf(host, port)
}

// clusterUnfollow stops replicating (replicationUnsetMaster), if this node
// was.
func (e *Engine) clusterUnfollow() {
	if e.master != nil {
		e.unsetMaster()
	}
}

// replicaOffset is the replication offset applied from the master
// (replicationGetSlaveOffset); 0 when there is none.
func (e *Engine) replicaOffset() int64 {
	if m := e.master; m != nil && m.replid != "" {
		return max(m.offset, 0)
	}
	return 0
}

// masterOffset is master_repl_offset.
func (e *Engine) masterOffset() int64 { return e.repl.offset }
