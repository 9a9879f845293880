package engine

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// The master side of replication, as Redis 7.0's src/replication.c: the
// replication stream (the propagated effects every replica receives, with
// SELECT when the database changes), its offset, the backlog that lets a
// replica that lost its link continue with PSYNC, and the replicas.
//
// A replica is a session that sent SYNC or PSYNC. A full synchronization
// takes a point-in-time snapshot, which the host's FullSyncer turns into
// an RDB payload in the background; the stream that flows meanwhile waits
// in the replica's pending buffer and follows the payload. The engine
// itself still does no I/O: the stream is written into the replica's
// output like any reply.

// FullSyncer makes the RDB payload of a replica's full synchronization.
// FullSync returns at once; from a goroutine of its own it writes snap as
// an RDB file into out as it is encoded (out.Begin, out.Write), closes
// snap, and ends with out.End. The payload goes to the replica's socket
// while it is made: neither end holds a whole copy in memory.
type FullSyncer interface {
	FullSync(snap *Snapshot, out *SyncPayload)
}

// SetFullSyncer installs the host's FullSyncer; without one SYNC and PSYNC
// are refused (the wasm build, an embedded engine).
func (e *Engine) SetFullSyncer(f FullSyncer) {
	e.mu.Lock()
	e.repl.syncer = f
	e.mu.Unlock()
}

// replication is the engine's master-side replication state.
type replication struct {
	syncer FullSyncer
	// feeding is set once the stream is attached as a Propagator: from the
	// first replica on, as Redis creates its backlog then.
	feeding bool
	// offset is master_repl_offset: bytes of stream produced so far.
	offset int64
	// secondOffset is the last offset (+1) of the previous history
	// (second_repl_offset), -1 when there is none.
	secondOffset int64
	// waiting are the sessions blocked in WAIT, oldest first; getAck
	// asks the replicas for their offsets after the current command.
	waiting []*Session
	getAck  bool
	// failover is FAILOVER's state while one is under way (failover.go).
	failover *failoverState
	// selDB is the database of the stream's last SELECT; -1 makes the
	// next op emit one (after a new full synchronization).
	selDB   int
	backlog replBacklog
	// replicas in the order they connected (slave0, slave1, ...).
	replicas []*replicaLink
	// unit is scratch space for encoding one execution unit.
	unit []byte
	// lastPing is when the stream last carried a PING to the replicas.
	lastPing time.Time
	// sinkAdded: replFeed is among the propagation sinks, from
	// startFeeding to stopFeeding.
	sinkAdded bool
	// transfers counts full-synchronization payloads being made (INFO's
	// rdb_bgsave_in_progress, as Redis's child); socketTransfers those
	// written straight to replicas (repl-diskless-sync), which no other
	// replica can join.
	transfers, socketTransfers int
	// noReplicasSince counts repl-backlog-ttl (zero while replicas are
	// connected).
	noReplicasSince time.Time
}

// replicaLink is one replica as its master sees it.
type replicaLink struct {
	s *Session
	// online is false while the RDB payload is being made; the stream
	// produced meanwhile waits in the backlog, from streamFrom on.
	online     bool
	streamFrom int64
	// ackOffset and ackTime come from REPLCONF ACK.
	ackOffset int64
	ackTime   time.Time
	// listeningPort and ipAddress come from REPLCONF.
	listeningPort int
	ipAddress     string
	// psync: the replica asked with PSYNC (it gets +FULLRESYNC first).
	psync bool
	// capaEOF: the replica reads payloads framed by an EOF mark; with
	// repl-diskless-sync it gets one, and the stream only after its
	// first REPLCONF ACK (it finds the mark at the end of what it read).
	capaEOF, streamOnAck bool
	// startStream: the first ACK came; dispatch sends the stream.
	startStream bool
	// waitStart: the transfer waits for repl-diskless-sync-delay, counted
	// from askedAt.
	waitStart bool
	askedAt   time.Time
	// lastOut and lastProgress: the output pending at the last look
	// during a full synchronization, and when it last changed.
	lastOut      int64
	lastProgress time.Time
}

// replBacklog holds the recent stream: the last repl-backlog-size bytes,
// and more while a replica waiting for its payload still needs older ones.
// As Redis 7's replication buffer, the backlog and those replicas share
// the bytes (a waiting replica holds a position, not a copy), so the
// backlog outgrows its size while such a replica lags, and a partial
// synchronization may use all of it.
type replBacklog struct {
	// limit is repl-backlog-size (0: no backlog, nothing is kept).
	limit int
	// blocks hold the bytes, oldest first, each allocated backlogBlock
	// bytes; the first may have lost its head to trimming.
	blocks [][]byte
	// histlen is how many bytes are held.
	histlen int
	// first is the stream offset of the oldest byte held (1-based, as
	// Redis's repl_backlog_first_byte_offset).
	first int64
}

// backlogBlock is the size of the backlog's blocks (Redis's
// PROTO_REPLY_CHUNK_BYTES, the size of its replication buffer blocks).
const backlogBlock = 16 * 1024

// noneHeld is trim's keep when no replica holds a position.
const noneHeld = int64(math.MaxInt64)

// resize applies a new repl-backlog-size; keep is the oldest offset a
// waiting replica needs.
func (b *replBacklog) resize(size int, keep int64) {
	b.limit = size
	b.trim(keep)
}

// reset empties the backlog; the next byte written is offset first.
func (b *replBacklog) reset(first int64) {
	clear(b.blocks)
	b.blocks, b.histlen, b.first = b.blocks[:0], 0, first
}

// allocated is the memory the blocks take.
func (b *replBacklog) allocated() int64 { return int64(len(b.blocks)) * backlogBlock }

// write appends p, then drops what neither the size nor a replica at
// offset keep or later needs.
func (b *replBacklog) write(p []byte, keep int64) {
	if b.limit == 0 {
		return
	}
	for len(p) > 0 {
		n := len(b.blocks)
		if n == 0 || len(b.blocks[n-1]) == cap(b.blocks[n-1]) {
			b.blocks = append(b.blocks, make([]byte, 0, backlogBlock))
			n++
		}
		last := b.blocks[n-1]
		c := min(cap(last)-len(last), len(p))
		b.blocks[n-1] = append(last, p[:c]...)
		p = p[c:]
		b.histlen += c
	}
	b.trim(keep)
}

// trim drops the oldest bytes beyond the size, except from offset keep on.
func (b *replBacklog) trim(keep int64) {
	for b.histlen > b.limit {
		drop := b.histlen - b.limit
		if keep != noneHeld {
			drop = min(drop, int(max(keep-b.first, 0)))
		}
		if drop == 0 {
			return
		}
		head := b.blocks[0]
		if drop < len(head) {
			b.blocks[0] = head[drop:]
			b.first += int64(drop)
			b.histlen -= drop
			return
		}
		b.blocks[0] = nil
		b.blocks = b.blocks[1:]
		b.first += int64(len(head))
		b.histlen -= len(head)
	}
}

// holds reports whether the stream from offset from on is held.
func (b *replBacklog) holds(from int64) bool {
	return from >= b.first && from <= b.first+int64(b.histlen)
}

// bytesFrom copies the held stream from offset from (1-based, held) up
// to end.
func (b *replBacklog) bytesFrom(from, end int64) []byte {
	if b.histlen == 0 || from >= end {
		return nil
	}
	skip := int(from - b.first)
	want := int(end - from)
	out := make([]byte, 0, want)
	for _, blk := range b.blocks {
		if skip >= len(blk) {
			skip -= len(blk)
			continue
		}
		blk = blk[skip:]
		skip = 0
		out = append(out, blk[:min(len(blk), want-len(out))]...)
		if len(out) == want {
			break
		}
	}
	return out
}

// heldFrom is the oldest stream offset a replica waiting for its payload
// (or for its first acknowledgement) still needs, noneHeld if none does.
func (e *Engine) heldFrom() int64 {
	keep := noneHeld
	for _, l := range e.repl.replicas {
		if l.waiting() {
			keep = min(keep, l.streamFrom)
		}
	}
	return keep
}

// waiting reports whether the replica gets its stream later, from
// streamFrom on.
func (l *replicaLink) waiting() bool { return !l.waitStart && (!l.online || l.streamOnAck) }

// heldStream is what the replica is owed of the stream since its
// payload's snapshot: a copy from the backlog.
func (l *replicaLink) heldStream(e *Engine) []byte {
	r := &e.repl
	if !r.backlog.holds(l.streamFrom) {
		return nil // cannot happen: the backlog keeps what a replica holds
	}
	return r.backlog.bytesFrom(l.streamFrom, r.offset+1)
}

// heldBytes is how much of the stream the replica is owed (counted in
// its output, as Redis counts a replica's share of the replication buffer).
func (l *replicaLink) heldBytes(e *Engine) int64 {
	if !l.waiting() {
		return 0
	}
	return e.repl.offset + 1 - l.streamFrom
}

// replFeed is the replication stream's Propagator.
type replFeed struct{ e *Engine }

// Propagate appends the ops meant for replicas to the stream: into the
// backlog, and to every replica (its output when online, its pending
// buffer while its payload is made).
func (f replFeed) Propagate(ops []Op) {
	e := f.e
	if e.master != nil || !e.repl.feeding {
		// A replica passes its master's stream on verbatim
		// (MasterStream); its own writes stay local, as in Redis.
		return
	}
	r := &e.repl
	buf := r.unit[:0]
	for _, op := range ops {
		if op.Target&PropagateRepl == 0 {
			continue
		}
		if op.DB != r.selDB {
			db := strconv.Itoa(op.DB)
			buf = appendCommandArgs(buf, [][]byte{[]byte("SELECT"), []byte(db)})
			r.selDB = op.DB
		}
		buf = appendCommandArgs(buf, op.Args)
	}
	r.unit = buf
	e.feedReplicas(buf)
}

// feedReplicas adds bytes to the stream.
func (e *Engine) feedReplicas(p []byte) {
	if len(p) == 0 {
		return
	}
	r := &e.repl
	r.offset += int64(len(p))
	r.backlog.write(p, e.heldFrom())
	for _, l := range r.replicas {
		if l.waitStart {
			continue // its snapshot, still to be taken, will hold this
		}
		if l.waiting() {
			// The backlog keeps this for it; it counts in its output.
			if e.config.obufMin > 0 && l.heldBytes(e) > e.config.obufMin {
				l.s.checkHeldOutput()
			}
			continue
		}
		// A replica that does not keep up holds the stream in reply
		// blocks, each byte copied once (Writer.reserve).
		l.s.pushAsync(func(w *Writer) { w.reserve(len(p)); w.Raw(p) })
	}
}

// debugReplicate is DEBUG REPLICATE: args go to the replicas and the
// backlog as a command of the stream, without running here and without a
// SELECT (Redis's replicationFeedSlaves with the stream's own database).
// A replica proxies its master's stream and feeds nothing of its own.
func (e *Engine) debugReplicate(args [][]byte) {
	if e.master != nil || !e.repl.feeding {
		return
	}
	e.feedReplicas(appendCommandArgs(nil, args))
}

// appendCommandArgs appends args as a RESP array of bulk strings, the form
// of every command in the stream.
func appendCommandArgs(b []byte, args [][]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

// startFeeding attaches the stream and creates the backlog, as Redis does
// when the first replica connects.
func (e *Engine) startFeeding() {
	r := &e.repl
	if r.feeding {
		return
	}
	r.feeding = true
	// The first PING goes a whole period after the first replica came,
	// as Redis's cron counts its loops.
	r.lastPing = e.now()
	r.selDB = -1
	r.backlog.reset(r.offset + 1)
	e.backlogSizeChanged()
	if !r.sinkAdded {
		r.sinkAdded = true
		e.prop.sinks = append(e.prop.sinks, replFeed{e})
	}
}

// backlogMinSize is Redis's CONFIG_REPL_BACKLOG_MIN_SIZE.
const backlogMinSize = 16 * 1024

// backlogSizeChanged applies repl-backlog-size at once, as Redis's
// resizeReplicationBacklog: raised to 16 KB at least (CONFIG GET then
// shows that), and the oldest history dropped when the backlog shrinks.
func (e *Engine) backlogSizeChanged() {
	size := e.config.int("repl-backlog-size")
	if size < backlogMinSize {
		size = backlogMinSize
		e.config.setInternal("repl-backlog-size", strconv.Itoa(backlogMinSize))
	}
	if e.repl.feeding {
		e.repl.backlog.resize(int(size), e.heldFrom())
	}
}

// stopFeeding frees the backlog and takes the stream out of the
// propagation sinks: with no append-only file either, commands then build
// no propagation at all (Engine.propagating), as Redis without a backlog
// or replicas feeds nothing.
func (e *Engine) stopFeeding() {
	e.repl.feeding = false
	e.repl.backlog = replBacklog{}
	if e.repl.sinkAdded {
		e.repl.sinkAdded = false
		e.removeSink(replFeed{e})
	}
}

// freeBacklogAfterTTL frees a master's backlog once it has had no replica
// for repl-backlog-ttl seconds, with a new replication ID: nobody can
// continue the old history any more (Redis's replicationCron).
func (e *Engine) freeBacklogAfterTTL() {
	r := &e.repl
	if len(r.replicas) > 0 || e.master != nil || !r.feeding {
		r.noReplicasSince = time.Time{}
		return
	}
	now := e.now()
	if r.noReplicasSince.IsZero() {
		r.noReplicasSince = now
		return
	}
	ttl := e.config.int("repl-backlog-ttl")
	if ttl == 0 || now.Sub(r.noReplicasSince) <= time.Duration(ttl)*time.Second {
		return
	}
	// Redis's changeReplicationId and clearReplicationId2.
	e.srv.replID = randomHex(e, 20)
	e.srv.replID2 = zeroReplID
	r.secondOffset = -1
	e.stopFeeding()
	r.noReplicasSince = time.Time{}
	e.logLine("Replication backlog freed after " + strconv.FormatInt(ttl, 10) + " seconds without connected replicas.")
}

// desc names a replica in log lines as Redis's replicationGetSlaveName:
// its address with the port it listens on, once REPLCONF told it.
func (l *replicaLink) desc() string {
	addr := l.s.info.Addr
	if l.listeningPort == 0 && l.ipAddress == "" {
		return addr
	}
	host := addr
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		host = addr[:i]
	}
	if l.ipAddress != "" {
		host = l.ipAddress
	}
	return host + ":" + strconv.Itoa(l.listeningPort)
}

// SYNC
// PSYNC replicationid offset
func cmdSync(s *Session, args [][]byte) {
	e := s.e
	if s.replica != nil {
		// Redis ignores SYNC from a client that is already a replica.
		return
	}
	if e.repl.syncer == nil {
		s.w.Error("ERR replication is not available in this build of GoRedis")
		return
	}
	if s.w.pending() > 0 {
		s.w.Error("ERR SYNC and PSYNC are invalid with pending output")
		return
	}
	l := &replicaLink{s: s, listeningPort: s.replconfPort, ipAddress: s.replconfIP, capaEOF: s.replconfEOF}
	if len(args) > 3 && equalFold(args[0], "psync") && equalFold(args[3], "failover") {
		// The master hands its role over (its FAILOVER): this replica
		// becomes the master, and the PSYNC goes on from the old history.
		if e.master == nil || string(args[1]) != e.srv.replID {
			s.w.Error("ERR PSYNC FAILOVER replid must match my replid.")
			return
		}
		e.unsetMaster()
		e.logLine("MASTER MODE enabled (failover request from '" + s.clientDesc() + "')")
	}
	if e.repl.failover != nil {
		s.w.Error("NOMASTERLINK Can't SYNC while failing over")
		return
	}
	if e.master != nil && e.master.state != linkConnected {
		s.w.Error("NOMASTERLINK Can't SYNC while not connected with my master")
		return
	}
	e.logLine("Replica " + l.desc() + " asks for synchronization")
	if equalFold(args[0], "psync") {
		if _, ok := parseInt(args[2]); !ok {
			s.w.Error(errNotInt)
			e.warnLine("Replica " + l.desc() + " asks for synchronization but with a wrong offset")
			return
		}
		if e.tryPartialSync(s, l, args) {
			e.stats.syncPartialOK++
			return
		}
		if string(args[1]) != "?" {
			e.stats.syncPartialErr++
		}
	}
	e.startFeeding()
	l.psync = equalFold(args[0], "psync")
	e.repl.replicas = append(e.repl.replicas, l)
	s.attachReplica(l)
	e.stats.syncFull++
	if e.repl.socketTransfers > 0 {
		// As Redis while its BGSAVE child writes to replicas' sockets
		// (even ones gone, until it is reaped): the next payload starts
		// from ReplicationCron once it is over.
		l.waitStart = true
		l.askedAt = e.now()
		e.logLine("Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC")
		return
	}
	if e.config.bool("repl-diskless-sync") && e.config.int("repl-diskless-sync-delay") > 0 {
		// Redis waits repl-diskless-sync-delay seconds for more replicas
		// before it starts the transfer; the replica waits for its
		// +FULLRESYNC meanwhile (ReplicationCron starts it).
		l.waitStart = true
		l.askedAt = e.now()
		e.logLine("Delay next BGSAVE for diskless SYNC")
		return
	}
	e.startFullSync(l)
}

// startFullSync answers a full synchronization and starts making its
// payload from a snapshot taken now; the stream from here on waits in the
// replicas' pending buffers. Diskless replicas starting together share one
// payload, as Redis's one child feeds them all through its pipe.
func (e *Engine) startFullSync(group ...*replicaLink) {
	// The stream after the snapshot starts with a SELECT.
	e.repl.selDB = -1
	for _, l := range group {
		l.waitStart = false
		// The payload holds the data up to here; the stream from here on
		// waits in the backlog.
		l.streamFrom = e.repl.offset + 1
		if l.psync {
			line := "+FULLRESYNC " + e.srv.replID + " " + strconv.FormatInt(e.repl.offset, 10) + "\r\n"
			l.s.pushAsync(func(w *Writer) { w.Raw([]byte(line)) })
		}
	}
	snap := e.beginSnapshot(false)
	pos := &ReplPosition{ID: e.srv.replID, Offset: e.repl.offset}
	if m := e.master; m != nil {
		// A replica's stream goes on verbatim, in its master's database.
		pos.StreamDB = m.streamDB
	}
	snap.settings.Replication = pos
	diskless := group[0].diskless(e)
	if diskless {
		e.logLine("Starting BGSAVE for SYNC with target: replicas sockets")
	} else {
		e.logLine("Starting BGSAVE for SYNC with target: disk")
	}
	e.repl.transfers++
	if diskless {
		e.repl.socketTransfers++
	}
	e.repl.syncer.FullSync(snap, &SyncPayload{e: e, links: group, diskless: diskless})
}

// startReplicaStream sends a replica the stream that waited for its first
// acknowledgement.
func (l *replicaLink) startReplicaStream() {
	l.startStream, l.streamOnAck = false, false
	l.s.w.Raw(l.heldStream(l.s.e))
	l.s.e.trimBacklog()
}

// diskless reports whether the replica gets the EOF-marked payload of
// Redis's diskless sync: repl-diskless-sync and a replica that reads it.
func (l *replicaLink) diskless(e *Engine) bool {
	return l.capaEOF && e.config.bool("repl-diskless-sync")
}

// tryPartialSync continues a replica's stream from the backlog when it asks
// for this master's replication ID at an offset the backlog still holds
// (Redis's masterTryPartialResynchronization).
func (e *Engine) tryPartialSync(s *Session, l *replicaLink, args [][]byte) bool {
	r := &e.repl
	want, err := strconv.ParseInt(string(args[2]), 10, 64)
	if err != nil {
		return false
	}
	replid := string(args[1])
	if replid != e.srv.replID && (replid != e.srv.replID2 || want > r.secondOffset) {
		switch {
		case replid == "?":
			e.logLine("Full resync requested by replica " + l.desc())
		case replid != e.srv.replID2:
			e.logLine("Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '" + replid + "', my replication IDs are '" + e.srv.replID + "' and '" + e.srv.replID2 + "')")
		default:
			e.logLine("Partial resynchronization not accepted: Requested offset for second ID was " + strconv.FormatInt(want, 10) + ", but I can reply up to " + strconv.FormatInt(r.secondOffset, 10))
		}
		return false
	}
	if !r.feeding {
		e.logLine("Unable to partial resync with replica " + l.desc() + " for lack of backlog (Replica request was: " + strconv.FormatInt(want, 10) + ").")
		return false
	}
	if want < r.backlog.first || want > r.backlog.first+int64(r.backlog.histlen) {
		e.logLine("Unable to partial resync with replica " + l.desc() + " for lack of backlog (Replica request was: " + strconv.FormatInt(want, 10) + ").")
		if want > r.offset {
			e.warnLine("Warning: replica " + l.desc() + " tried to PSYNC with an offset that is greater than the master replication offset.")
		}
		return false
	}
	s.w.Simple("CONTINUE " + e.srv.replID)
	s.w.Raw(r.backlog.bytesFrom(want, r.offset+1))
	l.online = true
	l.ackTime = e.now()
	r.replicas = append(r.replicas, l)
	s.attachReplica(l)
	e.logLine("Partial resynchronization request from " + l.desc() + " accepted. Sending " + strconv.FormatInt(r.offset+1-want, 10) + " bytes of backlog starting from offset " + strconv.FormatInt(want, 10) + ".")
	return true
}

// SyncPayload is the way of a full synchronization's payload to its
// replicas: what the FullSyncer writes goes into each replica's output in
// order, behind Redis's framing, with the stream produced meanwhile after
// it. A replica that goes away leaves the others to it. Its methods are
// called from the FullSyncer's goroutine.
type SyncPayload struct {
	e *Engine
	// links are the replicas still served (the engine lock guards it).
	links    []*replicaLink
	diskless bool
	mark     string
	sent     int64
	done     bool
}

// syncHighWater bounds the payload bytes waiting in a replica's output: a
// FullSyncer that runs ahead of the slowest socket waits for it to drain.
const syncHighWater = 8 << 20

// errReplicaGone ends a payload whose replicas all went away.
var errReplicaGone = errors.New("replica gone")

// Diskless reports whether the payload is framed by an EOF mark (Redis's
// diskless sync, the replica announced capa eof): it may be written as it
// is encoded. Otherwise its length must be known first (Begin), as when
// Redis sends the dump file.
func (p *SyncPayload) Diskless() bool { return p.diskless }

// live drops the replicas that went away and reports whether any is left;
// locked. The last one gone ends the transfer (Redis kills its child).
func (p *SyncPayload) live() bool {
	kept := p.links[:0]
	for _, l := range p.links {
		if l.s.replica == l {
			kept = append(kept, l)
		}
	}
	clear(p.links[len(kept):])
	p.links = kept
	if len(kept) == 0 {
		if p.diskless && !p.done {
			p.e.warnLine("Diskless rdb transfer, last replica dropped, killing fork child.")
		}
		p.transferOver()
		return false
	}
	return true
}

// transferOver counts the transfer as ended once (INFO's
// rdb_bgsave_in_progress); locked.
func (p *SyncPayload) transferOver() {
	if !p.done {
		p.done = true
		p.e.repl.transfers--
		if p.diskless {
			p.e.repl.socketTransfers--
		}
	}
}

// Begin writes the framing before the payload: "$EOF:<40 chars>" when
// Diskless, else "$<size>".
func (p *SyncPayload) Begin(size int64) error {
	e := p.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !p.live() {
		return errReplicaGone
	}
	var head string
	if p.diskless {
		p.mark = randomHex(e, 20)
		head = "$EOF:" + p.mark + "\r\n"
	} else {
		head = "$" + strconv.FormatInt(size, 10) + "\r\n"
	}
	for _, l := range p.links {
		l.s.pushAsync(func(w *Writer) { w.Raw([]byte(head)) })
	}
	return nil
}

// Write queues the next bytes of the payload for the replicas, waiting
// while the slowest has more than syncHighWater bytes unsent; it fails
// once every replica is gone.
func (p *SyncPayload) Write(b []byte) (int, error) {
	e := p.e
	for {
		e.mu.Lock()
		if !p.live() {
			e.mu.Unlock()
			return 0, errReplicaGone
		}
		var slow *replicaLink
		for _, l := range p.links {
			if l.s.OutputLen() > syncHighWater {
				slow = l
				break
			}
		}
		if slow == nil {
			break // still locked
		}
		e.mu.Unlock()
		// The host writes a bounded amount per wake-up: keep it writing.
		slow.s.notify()
		time.Sleep(2 * time.Millisecond)
	}
	defer e.mu.Unlock()
	// One copy for every replica: queued blocks are never changed.
	chunk := append([]byte(nil), b...)
	for _, l := range p.links {
		l.s.pushAsync(func(w *Writer) { w.RawBlock(chunk) })
	}
	p.sent += int64(len(b))
	return len(b), nil
}

// End finishes the payload: with err nil the replicas are online and the
// stream that waited follows (a diskless replica's after its first ACK, as
// it finds the EOF mark at the end of what it read); with an error the
// replicas are disconnected, to try again.
func (p *SyncPayload) End(err error) {
	e := p.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if !p.live() {
		return // the replicas went away meanwhile
	}
	p.transferOver()
	if err != nil {
		e.logLine("Background RDB transfer error: " + err.Error())
		for _, l := range p.links {
			e.dropReplica(l)
			l.s.kill()
		}
		return
	}
	if p.diskless {
		e.logLine("Diskless rdb transfer, done reading from pipe, " + strconv.Itoa(len(p.links)) + " replicas still up.")
	}
	for _, l := range p.links {
		l.online = true
		l.ackTime = e.now()
		if p.diskless {
			mark := p.mark
			l.streamOnAck = true
			l.s.pushAsync(func(w *Writer) { w.Raw([]byte(mark)) })
		} else {
			held := l.heldStream(e)
			l.s.pushAsync(func(w *Writer) { w.Raw(held) })
		}
		e.logLine("Synchronization with replica " + l.desc() + " succeeded")
	}
	e.trimBacklog()
}

// trimBacklog drops what the backlog kept for replicas that no longer
// need it (one went online or away).
func (e *Engine) trimBacklog() {
	if e.repl.feeding {
		e.repl.backlog.trim(e.heldFrom())
	}
}

// dropReplica forgets a replica whose session ends.
// attachReplica makes s the session of replica l (Redis's CLIENT_SLAVE):
// its error replies are logged as a master's errors to its replica.
func (s *Session) attachReplica(l *replicaLink) {
	e := s.e
	s.replica = l
	s.replLink.Store(true)
	s.w.onError = func(msg string) {
		e.countError(msg)
		if s.replica != nil {
			e.replicaGotError(s, msg)
		}
	}
}

// replicaGotError logs an error reply made for a replica (Redis's
// afterErrorReply for a CLIENT_TYPE_SLAVE client): a replica sends
// nothing but acknowledgements, so an error hints at a rogue replica.
func (e *Engine) replicaGotError(s *Session, msg string) {
	cmd := "<unknown>"
	if c := s.run.cmd; c != nil {
		cmd = c.Name
	}
	e.warnLine("== CRITICAL == This master is sending an error to its replica: '" + errorLogText(msg) + "' after processing the command '" + cmd + "'")
	e.srv.unexpectedErrors++
}

// replicaReplied disconnects a replica whose command produced a reply,
// dropping the reply unsent, as Redis's _addReplyToBufferOrList does for
// a CLIENT_TYPE_SLAVE client: a replication link carries the stream to
// the replica and nothing else. at is the output's mark before the
// command. Called with s locked, after the command.
func (s *Session) replicaReplied(at int64) {
	e := s.e
	cmd := "<unknown>"
	if c := s.run.cmd; c != nil {
		cmd = c.Name
	}
	s.w.truncate(at)
	obl, oll, omem := s.w.replyList()
	e.warnLine("Replica generated a reply to command '" + cmd + "', disconnecting it: " + e.clientInfoWith(s, nil, nil, obl, oll, omem))
	s.w.dropOutput()
	s.closed = true
	s.noteMemory()
	s.kill()
}

func (e *Engine) dropReplica(l *replicaLink) {
	r := &e.repl
	for i, x := range r.replicas {
		if x == l {
			r.replicas = append(r.replicas[:i:i], r.replicas[i+1:]...)
			break
		}
	}
	if l.s.replica == l {
		l.s.replica = nil
		l.s.replLink.Store(false)
	}
	e.trimBacklog()
}

// REPLCONF option value [option value ...]
func cmdReplconf(s *Session, args [][]byte) {
	if len(args)%2 == 0 {
		s.w.Error(errSyntax)
		return
	}
	for i := 1; i+1 < len(args); i += 2 {
		opt, val := args[i], args[i+1]
		switch {
		case equalFold(opt, "listening-port"):
			port, err := strconv.Atoi(string(val))
			if err != nil {
				s.w.Error("ERR value is not an integer or out of range")
				return
			}
			s.replconfPort = port
			if s.replica != nil {
				s.replica.listeningPort = port
			}
		case equalFold(opt, "ip-address"):
			s.replconfIP = string(val)
			if s.replica != nil {
				s.replica.ipAddress = s.replconfIP
			}
		case equalFold(opt, "capa"):
			if equalFold(val, "eof") {
				s.replconfEOF = true
			}
		case equalFold(opt, "rdb-only"):
		case equalFold(opt, "ack"), equalFold(opt, "fack"):
			// A replica's acknowledgement gets no reply.
			if l := s.replica; l != nil && equalFold(opt, "ack") {
				if off, err := strconv.ParseInt(string(val), 10, 64); err == nil && off > l.ackOffset {
					l.ackOffset = off
				}
				l.ackTime = s.e.now()
				// The replica loaded its payload: the stream starts once
				// this command (whose reply is dropped) is over.
				l.startStream = l.streamOnAck
				s.e.serveWaiting()
				s.e.updateFailover()
			}
			return
		case equalFold(opt, "getack"):
			// Only a replica answers GETACK, and not with a reply.
			return
		default:
			s.w.Error("ERR Unrecognized REPLCONF option: " + string(opt))
			return
		}
	}
	s.w.OK()
}

// startPendingSyncs starts the full synchronizations that waited for
// repl-diskless-sync-delay: all of them together once the longest waiting
// waited that long, or once repl-diskless-sync-max-replicas wait (Redis's
// replicationStartPendingFork).
func (e *Engine) startPendingSyncs(now time.Time) {
	if e.repl.socketTransfers > 0 {
		return // Redis starts no BGSAVE while its child is active
	}
	delay := time.Duration(e.config.int("repl-diskless-sync-delay")) * time.Second
	maxReplicas := int(e.config.int("repl-diskless-sync-max-replicas"))
	var waiting []*replicaLink
	due := false
	for _, l := range e.repl.replicas {
		if l.waitStart {
			waiting = append(waiting, l)
			due = due || !e.config.bool("repl-diskless-sync") || now.Sub(l.askedAt) >= delay
		}
	}
	if len(waiting) == 0 || !(due || (maxReplicas > 0 && len(waiting) >= maxReplicas)) {
		return
	}
	var shared []*replicaLink
	for _, l := range waiting {
		if l.diskless(e) {
			shared = append(shared, l)
		} else {
			e.startFullSync(l)
		}
	}
	if len(shared) > 0 {
		e.startFullSync(shared...)
	}
}

// dropTimedOutSyncs disconnects a replica whose full synchronization made
// no progress for repl-timeout seconds: output waits for it and none of it
// was taken (Redis's check of repl_last_partial_write).
func (e *Engine) dropTimedOutSyncs(now time.Time) {
	timeout := time.Duration(e.config.int("repl-timeout")) * time.Second
	for _, l := range append([]*replicaLink(nil), e.repl.replicas...) {
		if l.online || l.waitStart {
			l.lastOut = 0
			continue
		}
		out := l.s.OutputLen()
		if out == 0 || out != l.lastOut {
			l.lastOut, l.lastProgress = out, now
			continue
		}
		if now.Sub(l.lastProgress) > timeout {
			e.warnLine("Disconnecting timedout replica (full sync): " + l.desc())
			e.dropReplica(l)
			l.s.kill()
		}
	}
}

// ReplicationCron sends the replicas a PING every repl-ping-replica-period
// seconds, so they can tell a quiet master from a lost link; the host
// calls it about once a second.
func (e *Engine) ReplicationCron() {
	if e.cronPaused.Load() {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r := &e.repl
	e.tick()
	e.updateFailover()
	e.freeBacklogAfterTTL()
	if len(r.replicas) == 0 {
		return
	}
	now := e.now()
	e.startPendingSyncs(now)
	e.dropTimedOutSyncs(now)
	period := time.Duration(e.config.int("repl-ping-replica-period")) * time.Second
	if e.master != nil || now.Sub(r.lastPing) < period {
		// A replica passes its master's PINGs on and makes none: its
		// stream is its master's byte for byte (replicationFeedSlaves).
		return
	}
	r.lastPing = now
	// Redis feeds PING in the stream's current database: no SELECT.
	e.feedReplicas(appendCommandArgs(nil, [][]byte{[]byte("PING")}))
}

// infoReplication is INFO's replication section for a master.
func (e *Engine) infoReplication(b *infoBuilder) {
	r := &e.repl
	if e.master != nil {
		e.infoReplicaFields(b)
	} else {
		b.field("role", "master")
	}
	b.int("connected_slaves", int64(len(r.replicas)))
	if e.config.int("min-replicas-to-write") != 0 && e.config.int("min-replicas-max-lag") != 0 {
		b.int("min_slaves_good_slaves", int64(e.goodReplicas()))
	}
	now := e.now()
	for i, l := range r.replicas {
		host, _, _ := strings.Cut(l.desc(), ":")
		lag := int64(0)
		if l.online {
			lag = now.Unix() - l.ackTime.Unix()
		}
		b.field("slave"+strconv.Itoa(i), "ip="+host+",port="+strconv.Itoa(l.listeningPort)+",state="+l.state()+
			",offset="+strconv.FormatInt(l.ackOffset, 10)+",lag="+strconv.FormatInt(lag, 10))
	}
	b.field("master_failover_state", e.failoverStateName())
	b.field("master_replid", e.srv.replID)
	b.field("master_replid2", e.srv.replID2)
	b.int("master_repl_offset", r.offset)
	b.int("second_repl_offset", r.secondOffset)
	active, size, first := int64(0), e.config.int("repl-backlog-size"), int64(0)
	if r.feeding {
		active, first = 1, r.backlog.first
	}
	b.int("repl_backlog_active", active)
	b.int("repl_backlog_size", size)
	b.int("repl_backlog_first_byte_offset", first)
	b.int("repl_backlog_histlen", int64(r.backlog.histlen))
}

// ROLE
func cmdRole(s *Session, args [][]byte) {
	if s.e.master != nil {
		s.roleReplica()
		return
	}
	r := &s.e.repl
	s.w.Array(3)
	s.w.BulkString("master")
	s.w.Int(r.offset)
	online := 0
	for _, l := range r.replicas {
		if l.online {
			online++
		}
	}
	s.w.Array(online)
	for _, l := range r.replicas {
		if !l.online {
			continue
		}
		host, port, _ := strings.Cut(l.desc(), ":")
		s.w.Array(3)
		s.w.BulkString(host)
		s.w.BulkString(port)
		s.w.BulkString(strconv.FormatInt(l.ackOffset, 10))
	}
}
