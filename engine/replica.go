package engine

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// The replica side of replication: REPLICAOF, the read-only gate, and the
// state INFO and ROLE show. The link itself (connecting, the handshake,
// loading the payload, applying the stream, acknowledgements) is the
// host's ReplicaLink, which reports back through the Master* methods.

// ReplicaLink follows a master for the engine. Follow and Stop are called
// with the engine locked and must return at once (the link runs in its own
// goroutines and calls back into the engine later).
type ReplicaLink interface {
	// Follow starts replicating from host:port, ending any link before.
	Follow(host string, port int)
	// Stop ends the link.
	Stop()
}

// SetReplicaLink installs the host's ReplicaLink; without one REPLICAOF
// host port is refused.
func (e *Engine) SetReplicaLink(l ReplicaLink) {
	e.mu.Lock()
	e.replicaLink = l
	e.mu.Unlock()
}

// Link states, as ROLE names them.
const (
	linkConnect    = "connect"
	linkConnecting = "connecting"
	linkHandshake  = "handshake"
	linkSync       = "sync"
	linkConnected  = "connected"
)

// masterInfo is what a replica knows of its master.
type masterInfo struct {
	host string
	port int
	// state is the link's state (ROLE's words).
	state string
	// replid and offset identify the stream applied so far, for PSYNC
	// after a lost link (Redis's cached master).
	replid string
	offset int64
	lastIO time.Time
	// downSince is when the link went down (master_link_down_since_seconds).
	downSince time.Time
	// transferSize (0 when the payload has an EOF mark), transferRead and
	// transferIO describe a payload being received (master_sync_*).
	transferSize, transferRead int64
	transferIO                 time.Time
	// streamDB is the database the master's stream has selected, which a
	// sub-replica's payload records (repl-stream-db).
	streamDB int
	// heldBytes is how much of the stream was received but waits behind
	// a paused command (slave_read_repl_offset - slave_repl_offset).
	heldBytes int64
}

// ReplicaRole reports whether the server follows a master without taking
// the engine's lock: the log asks while a command holds it.
func (e *Engine) ReplicaRole() bool { return e.isReplica.Load() }

// setMaster makes the server a replica of m, or a master (nil).
func (e *Engine) setMaster(m *masterInfo) {
	e.master = m
	e.isReplica.Store(m != nil)
}

// IsReplica reports whether the server follows a master.
func (e *Engine) IsReplica() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.master != nil
}

// MasterLinkState records the link's state: "connect" (down, retrying),
// "connecting", "handshake" (PING, AUTH, REPLCONF, PSYNC), "sync" (the
// payload is transferring) or "connected", as ROLE names them.
func (e *Engine) MasterLinkState(state string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.master
	if m == nil {
		return
	}
	if state != linkConnected && m.state == linkConnected {
		e.masterLinkLost(m)
	}
	m.state = state
}

// masterLinkLost records that the link to the master went down now
// (Redis's replicationHandleMasterDisconnection). Locked.
func (e *Engine) masterLinkLost(m *masterInfo) {
	m.downSince = e.now()
	m.state = linkConnect
	e.logLine("Connection with master lost.")
}

// MasterPosition is the replication ID and offset to continue from with
// PSYNC ("?" and -1 when there is none).
func (e *Engine) MasterPosition() (replid string, offset int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if m := e.master; m != nil && m.replid != "" {
		return m.replid, m.offset
	}
	return "?", -1
}

// MasterSynced records a new position of the applied stream: after a
// partial synchronization (the replication ID the master continues with)
// and as the stream is applied (replid "").
func (e *Engine) MasterSynced(replid string, offset int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.master
	if m == nil {
		return
	}
	if replid != "" && replid != e.srv.replID {
		// The master continues under a new ID (it was promoted): the old
		// one stays valid up to here, and this server's replicas must ask
		// again with the new one (Redis's PSYNC +CONTINUE with a new ID).
		e.srv.replID2 = e.srv.replID
		e.repl.secondOffset = offset + 1
		e.srv.replID = replid
		e.warnLine("Master replication ID changed to " + replid)
		e.dropAllReplicas()
	}
	if replid != "" {
		m.replid = replid
	}
	m.offset = offset
	m.lastIO = e.now()
	if replid != "" {
		// The stream continues here: the backlog continues with it.
		e.startFeeding()
		if e.repl.offset != offset {
			e.repl.offset = offset
			e.repl.backlog.reset(offset + 1)
		}
	}
}

// AttachToNewMaster is called as a full synchronization's payload is
// about to replace the data (Redis's replicationAttachToNewMaster): the
// history applied so far (the cached master) is forgotten, since neither a
// PSYNC nor a save may claim it any more; this server's own replicas are
// disconnected and its backlog freed, so they resync with it too.
func (e *Engine) AttachToNewMaster() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.attachToNewMaster()
}

func (e *Engine) attachToNewMaster() {
	if m := e.master; m != nil && m.replid != "" {
		e.logLine("Discarding previously cached master state.")
		m.replid, m.offset = "", -1
	}
	e.dropAllReplicas()
	e.stopFeeding()
}

// MasterFullSynced records a full synchronization from replid at offset:
// the server takes the master's history (ID and offset), forgets the
// previous one, and starts a new backlog (Redis's readSyncBulkPayload).
func (e *Engine) MasterFullSynced(replid string, offset int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.master
	if m == nil {
		return
	}
	m.replid, m.offset, m.lastIO = replid, offset, e.now()
	m.streamDB = 0
	e.srv.replID = replid
	e.srv.replID2 = zeroReplID
	e.repl.secondOffset = -1
	e.repl.offset = offset
	e.startFeeding()
	e.repl.backlog.reset(offset + 1)
}

// ExecMaster runs one command of the master's stream on the session that
// applies it (NewMasterSession) and, in the same step, passes raw, the
// command's bytes as the master sent them, to this server's own replicas
// and backlog: a chain of replicas shares one replication ID and one
// offset space, and a snapshot taken for a sub-replica never holds a
// command its stream repeats. args nil only passes raw on (REPLCONF
// GETACK, which the link answers itself).
//
// While a client pause holds one of the stream's commands back, the
// stream waits behind it, neither applied nor counted (replica_pause.go).
//
// StatusClose says that the session was closed (CLIENT KILL) before the
// command: it was neither applied nor passed on, and the host drops the
// link without counting it.
func (s *Session) ExecMaster(args [][]byte, raw []byte) (st Status) {
	e := s.e
	e.mu.Lock()
	defer e.mu.Unlock()
	// A script running past its busy threshold lets clients in to answer
	// -BUSY; the master's stream is not refused but waits for it to end
	// (Redis stops reading its master meanwhile).
	for r := e.scripts.run; r != nil && r.timedOut; r = e.scripts.run {
		e.mu.Unlock()
		time.Sleep(time.Millisecond)
		e.mu.Lock()
	}
	if s.ShouldClose() {
		// CLIENT KILL dropped the master: what it sent after the kill is
		// neither applied nor counted in the offset (Redis discards a
		// freed master's unprocessed input and caches its applied offset),
		// so the next PSYNC asks for it again.
		return StatusClose
	}
	if s.stream != nil {
		s.holdStream(args, raw)
		return 0
	}
	defer func() {
		if e.isHeld(s) {
			s.holdStream(nil, raw)
			return
		}
		e.streamApplied(s, raw)
	}()
	if args == nil {
		return 0
	}
	e.tick()
	var done bool
	defer s.recoverDispatch(&st, &done)
	// Applied, even if it closed its own session: the next read ends.
	return s.execLocked(args) &^ StatusClose
}

// SelectStreamDB selects, for the session that applies the master's
// stream, the database that stream had selected when a full
// synchronization's payload was made (its repl-stream-db), or with -1
// the database the stream had selected when the link was lost (a partial
// synchronization goes on where it stopped, as Redis's cached master
// keeps its db).
func (s *Session) SelectStreamDB(db int) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	if m := s.e.master; db < 0 && m != nil {
		db = m.streamDB
	}
	if db >= 0 && db < len(s.ks.dbs) {
		s.db = s.ks.dbs[db]
		if m := s.e.master; m != nil {
			m.streamDB = db
		}
	}
}

// MasterTransfer records the progress of a payload being received: size
// bytes in all (-1 when an EOF mark ends it), read so far.
func (e *Engine) MasterTransfer(size, read int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if m := e.master; m != nil {
		m.transferSize, m.transferRead, m.transferIO = max(size, 0), read, e.now()
	}
}

// KeyCount is the number of keys in every database (expired ones too).
func (e *Engine) KeyCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, db := range e.main.dbs {
		n += db.size()
	}
	return n
}

// BeginMasterLoad empties every database and the function libraries for
// a full synchronization and opens a Loader for the master's payload;
// keys already expired are kept, as a replica waits for its master's DEL.
func (e *Engine) BeginMasterLoad(totalBytes int64) *Loader {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.beginMasterLoad(totalBytes)
}

// BeginMasterLoadHeld is BeginMasterLoad for a payload already on disk:
// the engine stays locked from here to the Loader's End, as Redis loads
// it in its one thread, and is let go only at each
// loading-process-events-interval-bytes of the file (Loader.Progress, as
// Redis's processEventsWhileBlocked), when clients get -LOADING and the
// cluster bus answers with offset 0. Otherwise a client or a bus message
// could find the server loading at any moment of a load, however small
// (a new replica's empty dataset: tests/cluster's CLUSTER NODES got
// -LOADING), which Redis never shows between two such points.
func (e *Engine) BeginMasterLoadHeld(totalBytes int64) *Loader {
	e.mu.Lock()
	ld := e.beginMasterLoad(totalBytes)
	ld.held = true
	return ld
}

func (e *Engine) beginMasterLoad(totalBytes int64) *Loader {
	e.abortSnapshots()
	for _, db := range e.main.dbs {
		e.flushDB(db)
	}
	e.forgetReplicaKeys()
	// The master's libraries replace the replica's (Redis's emptyData
	// before readSyncBulkPayload loads).
	e.flushFunctions()
	ld := e.beginLoad(totalBytes, false)
	ld.KeepExpired = true
	return ld
}

// BeginSwapLoad opens a Loader for a full synchronization's payload under
// repl-diskless-load swapdb: the keys go to a temporary keyspace and the
// current data stays until EndSwapLoad. When the payload continues this
// server's own history (masterReplID is its replication ID) the old data
// is served meanwhile (async loading: only commands flagged
// no-async-loading are refused); otherwise the server is loading, but a
// failed transfer leaves the old data in place. In cluster mode the
// temporary db 0 keeps its own slot index, swapped in with its keys
// (Redis's swapMainDbWithTempDb swaps slots_to_keys too).
func (e *Engine) BeginSwapLoad(totalBytes int64, masterReplID string) *Loader {
	e.mu.Lock()
	defer e.mu.Unlock()
	ld := e.beginLoad(totalBytes, false)
	ld.KeepExpired = true
	ld.target = e.newKeyspaceLocked()
	if e.cluster != nil {
		ld.target.dbs[0].slots = &slotIndex{}
	}
	if masterReplID == e.srv.replID {
		e.persist.loading = nil
		e.persist.asyncLoading = ld
	}
	return ld
}

// EndSwapLoad ends a swapdb load: with err nil the loaded keyspace becomes
// the data (Redis's swapMainDbWithTempDb: watchers touched, blocked
// clients retried) and the old data is dropped; otherwise the loaded part
// is dropped and the old data stays.
func (e *Engine) EndSwapLoad(ld *Loader, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := &e.persist
	if st.loading == ld {
		st.loading = nil
	}
	if st.asyncLoading == ld {
		st.asyncLoading = nil
	}
	if err != nil {
		for _, db := range ld.target.dbs {
			e.flushDB(db)
		}
		e.logLine("MASTER <-> REPLICA sync: Discarding temporary DB in background")
		return
	}
	st.lastLoadKeys, st.lastLoadExp = ld.loaded, ld.expired
	e.attachToNewMaster()
	e.logLine("MASTER <-> REPLICA sync: Swapping active DB with loaded DB")
	if ld.funcs != nil {
		_ = e.functionsEngine().Restore(ld.funcs, "FLUSH") // FLUSH cannot fail
	} else {
		e.flushFunctions()
	}
	// A save in progress keeps the old data (swapSnaps, then flushDB
	// detaches it), as Redis's child keeps its copy.
	for i, db := range e.main.dbs {
		e.swapDB(db, ld.target.dbs[i])
	}
	e.forgetReplicaKeys()
	for _, db := range ld.target.dbs {
		e.flushDB(db)
	}
	e.logLine("MASTER <-> REPLICA sync: Discarding old DB in background")
	// The data changed without a save (Redis's server.dirty++).
	st.dirty++
}

// DiscardMasterLoad empties every database (and the function libraries)
// after a payload failed to load: a half-loaded dataset is never served
// as complete.
func (e *Engine) DiscardMasterLoad() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, db := range e.main.dbs {
		e.flushDB(db)
	}
	e.forgetReplicaKeys()
	e.flushFunctions()
}

// NewMasterSession is the session that applies the master's stream: its
// writes pass the read-only gate and it gets no replies.
func (e *Engine) NewMasterSession(info ClientInfo) *Session {
	s := e.NewSession(info)
	e.mu.Lock()
	s.fromMaster = true
	s.user = nil
	s.w.onError = func(msg string) {
		e.countError(msg)
		e.masterStreamError(s, msg)
	}
	e.mu.Unlock()
	return s
}

// masterStreamError logs an error that a command of the master's stream
// got here (Redis's afterErrorReply for the master client): the replica
// diverged from its master, which never sees the reply; the log shows the
// error, the command and the end of the backlog. Locked.
func (e *Engine) masterStreamError(s *Session, msg string) {
	cmd := "<unknown>"
	if c := s.run.cmd; c != nil {
		cmd = c.Name
	}
	e.warnLine("== CRITICAL == This replica is sending an error to its master: '" + errorLogText(msg) + "' after processing the command '" + cmd + "'")
	if b := &e.repl.backlog; e.repl.feeding && b.histlen > 0 {
		from := max(e.repl.offset+1-256, b.first)
		e.warnLine("Latest backlog is: '" + reprBytes(b.bytesFrom(from, e.repl.offset+1)) + "'")
	}
	e.srv.unexpectedErrors++
}

// errorLogText is an error reply as afterErrorReply logs it: Redis's own
// "-ERR ..." texts pass without their code, others with their dash, cut
// to 4096 bytes.
func errorLogText(msg string) string {
	text, ok := strings.CutPrefix(msg, "ERR ")
	if !ok {
		text = "-" + msg
	}
	if len(text) > 4096 {
		text = text[:4096]
	}
	return text
}

// reprBytes quotes p as Redis's sdscatrepr does.
func reprBytes(p []byte) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range p {
		switch c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString("\\n")
		case '\r':
			b.WriteString("\\r")
		case '\t':
			b.WriteString("\\t")
		case '\a':
			b.WriteString("\\a")
		case '\b':
			b.WriteString("\\b")
		default:
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				b.WriteString("\\x" + strconv.FormatUint(uint64(c)>>4, 16) + strconv.FormatUint(uint64(c)&15, 16))
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// readOnlyRefuses is the READONLY step of the gate: a replica with
// replica-read-only refuses writes from anyone but its master.
func (s *Session) readOnlyRefuses(cmd *Command) bool {
	e := s.e
	// The master's stream and an append-only file being loaded are
	// obeyed (Redis's mustObeyClient): a replica restarting with
	// appendonly yes replays its file in full.
	if e.master == nil || s.obeysClient() || s.ks != e.main || !e.config.bool("replica-read-only") {
		return false
	}
	if cmd.flags&flagWrite != 0 {
		return true
	}
	if cmd.Name == "exec" && s.multi != nil {
		for _, q := range s.multi.queue {
			if q.cmd.flags&flagWrite != 0 {
				return true
			}
		}
	}
	return false
}

const errReadOnlyReplica = "READONLY You can't write against a read only replica."

// REPLICAOF host port
// REPLICAOF NO ONE
// SLAVEOF host port
func cmdReplicaOf(s *Session, args [][]byte) {
	e := s.e
	if e.cluster != nil {
		s.w.Error("ERR REPLICAOF not allowed in cluster mode.")
		return
	}
	if e.repl.failover != nil {
		s.w.Error("ERR REPLICAOF not allowed while failing over.")
		return
	}
	if equalFold(args[1], "no") && equalFold(args[2], "one") {
		if e.master != nil {
			e.unsetMaster()
			e.logLine("MASTER MODE enabled (user request from '" + s.clientDesc() + "')")
		}
		s.w.OK()
		return
	}
	port, ok := parseInt(args[2])
	if !ok || port < 0 || port > 65535 {
		s.w.Error("ERR Invalid master port")
		return
	}
	host := string(args[1])
	if e.replicaLink == nil {
		s.w.Error("ERR replication is not available in this build of GoRedis")
		return
	}
	if m := e.master; m != nil && strings.EqualFold(m.host, host) && m.port == int(port) {
		e.logLine("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.")
		s.w.Simple("OK Already connected to specified master")
		return
	}
	e.setReplicaOf(host, int(port))
	e.logLine("REPLICAOF " + host + ":" + strconv.Itoa(int(port)) + " enabled (user request from '" + s.clientDesc() + "')")
	s.w.OK()
}

// FollowAtStartup makes the server a replica of host:port, as replicaof
// in the configuration does: with no history of its own to offer, so its
// first synchronization is a full one.
// The history it offers is the one its dump file recorded, if any
// (SetMasterAtStartup before BeginStartupLoad).
func (e *Engine) FollowAtStartup(host string, port int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.replicaLink == nil {
		return errors.New("replication is not available in this build of GoRedis")
	}
	if m := e.master; m == nil || m.host != host || m.port != port {
		e.setMaster(&masterInfo{host: host, port: port, state: linkConnect})
	}
	e.replicaLink.Follow(host, port)
	return nil
}

// SetMasterAtStartup makes the server a replica of host:port before its
// data is loaded, as Redis reads replicaof with the configuration: the
// load then keeps expired keys (the master's DEL will come) and restores
// the replication position of the dump as a cached master. The link
// starts with FollowAtStartup.
func (e *Engine) SetMasterAtStartup(host string, port int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.setMaster(&masterInfo{host: host, port: port, state: linkConnect})
}

// setReplicaOf makes the server follow host:port (Redis's
// replicationSetMaster). Its own replicas stay: they may continue with a
// partial synchronization once this server has its new master's stream.
// Clients blocked on keys are let go (a replica's XREAD BLOCK as well as
// a former master's BLPOP), as replicationSetMaster does each time.
func (e *Engine) setReplicaOf(host string, port int) {
	m := &masterInfo{host: host, port: port, state: linkConnect}
	if old := e.master; old != nil {
		// The history applied so far (Redis's cached master).
		m.replid, m.offset, m.streamDB = old.replid, old.offset, old.streamDB
	} else {
		// A master that becomes a replica offers its own history to the
		// new master, which may hold it as its secondary ID (Redis's
		// replicationCacheMasterUsingMyself).
		m.replid, m.offset = e.srv.replID, e.repl.offset
	}
	e.disconnectBlocked()
	e.setMaster(m)
	e.replicaLink.Follow(host, port)
}

// unsetMaster makes a replica a master (Redis's replicationUnsetMaster):
// a new replication ID, the old one kept as secondary up to the current
// offset, so the former siblings continue with a partial synchronization.
func (e *Engine) unsetMaster() {
	e.setMaster(nil)
	if e.replicaLink != nil {
		e.replicaLink.Stop()
	}
	e.shiftReplicationID()
	// The replicas learn the new ID by reconnecting.
	e.dropAllReplicas()
	// The new master's stream starts with a SELECT.
	e.repl.selDB = -1
}

// shiftReplicationID starts a new history, keeping the old ID valid up to
// the current offset.
func (e *Engine) shiftReplicationID() {
	e.srv.replID2 = e.srv.replID
	e.repl.secondOffset = e.repl.offset + 1
	e.srv.replID = randomHex(e, 20)
	e.warnLine("Setting secondary replication ID to " + e.srv.replID2 + ", valid up to offset: " +
		strconv.FormatInt(e.repl.secondOffset, 10) + ". New replication ID is " + e.srv.replID)
}

// dropAllReplicas disconnects every replica of this server.
func (e *Engine) dropAllReplicas() {
	for _, l := range append([]*replicaLink(nil), e.repl.replicas...) {
		e.dropReplica(l)
		l.s.kill()
	}
}

// disconnectBlocked ends every blocking command with Redis's UNBLOCKED
// error when a master becomes a replica (Redis's
// disconnectAllBlockedClients): their keys now belong to another master.
// As in Redis, the client is closed once the error is written
// (CLIENT_CLOSE_AFTER_REPLY): the commands it pipelined after the
// blocking one are not run.
func (e *Engine) disconnectBlocked() {
	for _, s := range e.blockedSessions() {
		if e.isHeld(s) {
			continue // held by a pause, not blocked on keys (Redis's BLOCKED_POSTPONE)
		}
		b := s.blocked
		s.unblock()
		s.pushAsync(func(w *Writer) {
			s.writeUnblocked(b, func() {
				w.Error("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)")
			})
			s.closeAfterReply = true
		})
	}
}

// clientDesc names the session in log lines as Redis does: "id=5 addr=...".
func (s *Session) clientDesc() string {
	return "id=" + itoa(s.id) + " addr=" + s.info.Addr + " laddr=" + s.info.LAddr + " fd=-1 name=" + s.name + " age=0 idle=0"
}

// infoReplicaFields are the fields INFO replication shows for a replica.
func (e *Engine) infoReplicaFields(b *infoBuilder) {
	m := e.master
	now := e.now()
	b.field("role", "slave")
	b.field("master_host", m.host)
	b.int("master_port", int64(m.port))
	status := "down"
	if m.state == linkConnected {
		status = "up"
	}
	b.field("master_link_status", status)
	lastIO := int64(-1)
	if m.state == linkConnected && !m.lastIO.IsZero() {
		lastIO = int64(now.Sub(m.lastIO) / time.Second)
	}
	b.int("master_last_io_seconds_ago", lastIO)
	syncing := int64(0)
	if m.state == linkSync {
		syncing = 1
	}
	b.int("master_sync_in_progress", syncing)
	b.int("slave_read_repl_offset", m.offset+m.heldBytes)
	b.int("slave_repl_offset", m.offset)
	if m.state == linkSync {
		perc := 0.0
		if m.transferSize > 0 {
			perc = float64(m.transferRead) / float64(m.transferSize) * 100
		}
		b.int("master_sync_total_bytes", m.transferSize)
		b.int("master_sync_read_bytes", m.transferRead)
		b.int("master_sync_left_bytes", m.transferSize-m.transferRead)
		b.field("master_sync_perc", strconv.FormatFloat(perc, 'f', 2, 64))
		io := int64(0)
		if !m.transferIO.IsZero() {
			io = now.Unix() - m.transferIO.Unix()
		}
		b.int("master_sync_last_io_seconds_ago", io)
	}
	if status == "down" {
		// -1 until a link was up and lost, as Redis's repl_down_since 0.
		down := int64(-1)
		if !m.downSince.IsZero() {
			down = now.Unix() - m.downSince.Unix()
		}
		b.int("master_link_down_since_seconds", down)
	}
	b.field("slave_priority", e.configValue("replica-priority"))
	ro := int64(0)
	if e.config.bool("replica-read-only") {
		ro = 1
	}
	b.int("slave_read_only", ro)
	announced := int64(0)
	if e.config.bool("replica-announced") {
		announced = 1
	}
	b.int("replica_announced", announced)
}

func (e *Engine) configValue(name string) string {
	v, _ := e.config.get(name)
	return v
}

// roleReplica is ROLE's reply for a replica.
func (s *Session) roleReplica() {
	m := s.e.master
	s.w.Array(5)
	s.w.BulkString("slave")
	s.w.BulkString(m.host)
	s.w.Int(int64(m.port))
	s.w.BulkString(m.state)
	off := m.offset
	if m.state != linkConnected {
		off = -1
	}
	s.w.Int(off)
}
