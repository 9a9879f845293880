package engine

import (
	"cmp"
	"math"
	"slices"
)

// What a master promises its clients about replicas: WAIT (block until
// enough replicas acknowledged a client's writes), min-replicas-to-write
// (-NOREPLICAS), and on a replica replica-serve-stale-data (-MASTERDOWN),
// as Redis 7.0's src/replication.c and processCommand.

const (
	errNoReplicas  = "NOREPLICAS Not enough good replicas to write."
	errMasterDown  = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
	errWaitReplica = "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated."
)

// zeroReplID is master_replid2 when there is no previous history.
const zeroReplID = "0000000000000000000000000000000000000000"

// waitState is what a session blocked in WAIT waits for.
type waitState struct {
	offset   int64
	replicas int64
}

// state is a replica's state as INFO's slaveN line words it.
func (l *replicaLink) state() string {
	if l.online {
		return "online"
	}
	return "wait_bgsave"
}

// WAIT numreplicas timeout
func cmdWait(s *Session, args [][]byte) {
	e := s.e
	if e.master != nil {
		s.w.Error(errWaitReplica)
		return
	}
	want, ok := parseInt(args[1])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	ms, ok := parseInt(args[2])
	if !ok {
		s.w.Error("ERR timeout is not an integer or out of range")
		return
	}
	if ms < 0 {
		s.w.Error(errTimeoutNegative)
		return
	}
	offset := s.woff
	acked := e.countAcks(offset)
	if acked >= want || s.inExec {
		s.w.Int(acked)
		return
	}
	var deadline int64
	if ms > 0 && ms <= math.MaxInt64-e.nowMs {
		deadline = e.nowMs + ms
	}
	s.block(nil, deadline, nil, func(s *Session) { s.w.Int(s.e.countAcks(offset)) })
	s.blocked.wait = &waitState{offset: offset, replicas: want}
	e.repl.waiting = append(e.repl.waiting, s)
	// Asked once the command is over, as Redis's beforeSleep does: the
	// GETACK is not part of what this client waits for.
	e.repl.getAck = true
}

// countAcks is how many online replicas acknowledged offset.
func (e *Engine) countAcks(offset int64) int64 {
	var n int64
	for _, l := range e.repl.replicas {
		if l.online && l.ackOffset >= offset {
			n++
		}
	}
	return n
}

// requestAcks asks every replica for its offset now (REPLCONF GETACK *, in
// the stream's current database) rather than at its next second.
func (e *Engine) requestAcks() {
	e.repl.getAck = false
	if !e.repl.feeding || e.master != nil {
		return
	}
	e.feedReplicas(appendCommandArgs(nil, [][]byte{[]byte("REPLCONF"), []byte("GETACK"), []byte("*")}))
}

// serveWaiting answers the WAITs that enough acknowledgements satisfy,
// after a replica's REPLCONF ACK (Redis's processClientsWaitingReplicas).
func (e *Engine) serveWaiting() {
	r := &e.repl
	kept := r.waiting[:0]
	for _, s := range r.waiting {
		b := s.blocked
		if b == nil || b.wait == nil {
			continue // answered meanwhile (timeout, CLIENT UNBLOCK, closed)
		}
		n := e.countAcks(b.wait.offset)
		if n < b.wait.replicas {
			kept = append(kept, s)
			continue
		}
		s.unblock()
		s.pushAsync(func(w *Writer) { s.writeUnblocked(b, func() { w.Int(n) }) })
	}
	clear(r.waiting[len(kept):])
	r.waiting = kept
}

// goodReplicas counts the online replicas whose last acknowledgement is
// at most min-replicas-max-lag seconds old (Redis's repl_good_slaves_count).
func (e *Engine) goodReplicas() int {
	maxLag := e.config.int("min-replicas-max-lag")
	now := e.now().Unix()
	n := 0
	for _, l := range e.repl.replicas {
		if l.online && now-l.ackTime.Unix() <= maxLag {
			n++
		}
	}
	return n
}

// noReplicasRefuses is the NOREPLICAS step of the gate: a master with
// min-replicas-to-write refuses writes while fewer good replicas are
// connected.
func (s *Session) noReplicasRefuses(cmd *Command) bool {
	e := s.e
	// An append-only file replays without the gate (Redis's loader calls
	// the commands directly): no replica is connected yet at startup.
	if e.master != nil || s.ks != e.main || s.replaying {
		return false
	}
	need := e.config.minReplicasToWrite()
	if need == 0 || e.config.int("min-replicas-max-lag") == 0 || !s.writes(cmd) {
		return false
	}
	return int64(e.goodReplicas()) < need
}

// staleRefuses is the MASTERDOWN step of the gate: a replica whose link is
// down, with replica-serve-stale-data no, runs only commands flagged stale.
func (s *Session) staleRefuses(cmd *Command) bool {
	e := s.e
	m := e.master
	if m == nil || m.state == linkConnected || s.ks != e.main || e.config.bool("replica-serve-stale-data") {
		return false
	}
	if cmd.flags&flagStale == 0 {
		return true
	}
	if cmd.Name == "exec" && s.multi != nil {
		for _, q := range s.multi.queue {
			if q.cmd.flags&flagStale == 0 {
				return true
			}
		}
	}
	return false
}

// writes reports whether cmd writes: a write command, or an EXEC whose
// transaction holds one.
func (s *Session) writes(cmd *Command) bool {
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

// blockedSessions are the sessions in a blocking command, oldest first.
func (e *Engine) blockedSessions() []*Session {
	var out []*Session
	for _, s := range e.sessions {
		if s.blocked != nil {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *Session) int { return cmp.Compare(a.id, b.id) })
	return out
}

// failoverStateName is INFO's master_failover_state.
func (e *Engine) failoverStateName() string {
	if f := e.repl.failover; f != nil {
		return f.state
	}
	return "no-failover"
}
