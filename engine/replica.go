package engine

import (
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
		m.downSince = e.now()
		e.logLine("Connection with master lost.")
	}
	m.state = state
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

// MasterSynced records a new position of the applied stream: after a full
// synchronization (its replication ID and offset), after a partial one,
// and as the stream is applied.
func (e *Engine) MasterSynced(replid string, offset int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.master
	if m == nil {
		return
	}
	if replid != "" {
		m.replid = replid
		// A replica's stream is its master's: its own replicas continue
		// with the same ID and offsets.
		e.srv.replID = replid
	}
	m.offset = offset
	m.lastIO = e.now()
	if e.repl.offset < offset {
		e.repl.offset = offset
	}
}

// BeginMasterLoad empties every database for a full synchronization and
// opens a Loader for the master's payload; keys already expired are kept,
// as a replica waits for its master's DEL.
func (e *Engine) BeginMasterLoad(totalBytes int64) *Loader {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.abortSnapshots()
	for _, db := range e.main.dbs {
		e.flushDB(db)
	}
	ld := e.beginLoad(totalBytes, false)
	ld.KeepExpired = true
	return ld
}

// NewMasterSession is the session that applies the master's stream: its
// writes pass the read-only gate and it gets no replies.
func (e *Engine) NewMasterSession(info ClientInfo) *Session {
	s := e.NewSession(info)
	e.mu.Lock()
	s.fromMaster = true
	e.mu.Unlock()
	return s
}

// readOnlyRefuses is the READONLY step of the gate: a replica with
// replica-read-only refuses writes from anyone but its master.
func (s *Session) readOnlyRefuses(cmd *Command) bool {
	e := s.e
	if e.master == nil || s.fromMaster || s.ks != e.main || !e.config.bool("replica-read-only") {
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
	if equalFold(args[1], "no") && equalFold(args[2], "one") {
		if e.unsetMaster() {
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
	e.setMaster(host, int(port))
	e.logLine("REPLICAOF " + host + ":" + strconv.Itoa(int(port)) + " enabled (user request from '" + s.clientDesc() + "')")
	s.w.OK()
}

// setMaster starts following host:port (Redis's replicationSetMaster).
func (e *Engine) setMaster(host string, port int) {
	if e.replicaLink == nil {
		return
	}
	e.master = &masterInfo{host: host, port: port, state: linkConnect, downSince: e.now()}
	// Replicas of this server resynchronize from the new history.
	for _, l := range append([]*replicaLink(nil), e.repl.replicas...) {
		e.dropReplica(l)
		l.s.kill()
	}
	e.replicaLink.Follow(host, port)
}

// unsetMaster stops following a master (replicationUnsetMaster) and
// reports whether there was one.
func (e *Engine) unsetMaster() bool {
	if e.master == nil {
		return false
	}
	e.master = nil
	if e.replicaLink != nil {
		e.replicaLink.Stop()
	}
	// A new history starts here (Redis's shiftReplicationId).
	e.srv.replID = randomHex(e, 20)
	return true
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
	if !m.lastIO.IsZero() {
		lastIO = int64(now.Sub(m.lastIO) / time.Second)
	}
	b.int("master_last_io_seconds_ago", lastIO)
	syncing := int64(0)
	if m.state == linkSync {
		syncing = 1
	}
	b.int("master_sync_in_progress", syncing)
	b.int("slave_read_repl_offset", m.offset)
	b.int("slave_repl_offset", m.offset)
	if status == "down" {
		b.int("master_link_down_since_seconds", int64(now.Sub(m.downSince)/time.Second))
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
