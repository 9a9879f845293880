package engine

import (
	"strconv"
	"strings"
)

// FAILOVER: a coordinated handover from a master to one of its replicas,
// as Redis 7.0's failoverCommand and updateFailoverStatus. The master
// holds writes back, waits until a replica acknowledged its whole stream,
// becomes a replica of it and asks it with PSYNC ... FAILOVER to become
// the master (the replica's side is in cmdSync).

// failoverState is a FAILOVER under way (Redis's failover_* fields).
type failoverState struct {
	// state is "waiting-for-sync" or "failover-in-progress".
	state string
	// host and port name the target replica ("" until one is chosen).
	host string
	port int
	// force fails over at endMs even if the target has not caught up;
	// endMs 0 waits forever.
	force bool
	endMs int64
}

const (
	failoverWaitForSync = "waiting-for-sync"
	failoverInProgress  = "failover-in-progress"
)

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]
func cmdFailover(s *Session, args [][]byte) {
	e := s.e
	if len(args) == 2 && equalFold(args[1], "abort") {
		if e.repl.failover == nil {
			s.w.Error("ERR No failover in progress.")
			return
		}
		e.abortFailover("Failover manually aborted")
		s.w.OK()
		return
	}
	var (
		timeout int64
		force   bool
		host    string
		port    int64
		haveTo  bool
	)
	for j := 1; j < len(args); j++ {
		switch {
		case equalFold(args[j], "timeout") && j+1 < len(args) && timeout == 0:
			n, ok := parseInt(args[j+1])
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			if n <= 0 {
				s.w.Error("ERR FAILOVER timeout must be greater than 0")
				return
			}
			timeout = n
			j++
		case equalFold(args[j], "to") && j+2 < len(args) && !haveTo:
			n, ok := parseInt(args[j+2])
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			host, port, haveTo = string(args[j+1]), n, true
			j += 2
		case equalFold(args[j], "force") && !force:
			force = true
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	switch {
	case e.repl.failover != nil:
		s.w.Error("ERR FAILOVER already in progress.")
		return
	case e.master != nil:
		s.w.Error("ERR FAILOVER is not valid when server is a replica.")
		return
	case len(e.repl.replicas) == 0:
		s.w.Error("ERR FAILOVER requires connected replicas.")
		return
	case force && (timeout == 0 || !haveTo):
		s.w.Error("ERR FAILOVER with force option requires both a timeout and target HOST and IP.")
		return
	}
	f := &failoverState{state: failoverWaitForSync, force: force}
	if haveTo {
		l := e.findReplica(host, int(port))
		if l == nil {
			s.w.Error("ERR FAILOVER target HOST and PORT is not a replica.")
			return
		}
		if !l.online {
			s.w.Error("ERR FAILOVER target replica is not online.")
			return
		}
		f.host, f.port = host, int(port)
		e.logLine("FAILOVER requested to " + host + ":" + strconv.FormatInt(port, 10) + ".")
	} else {
		e.logLine("FAILOVER requested to any replica.")
	}
	if timeout > 0 {
		f.endMs = e.nowMs + timeout
	}
	e.repl.failover = f
	s.w.OK()
}

// findReplica is the replica announced as host:port.
func (e *Engine) findReplica(host string, port int) *replicaLink {
	for _, l := range e.repl.replicas {
		h, _, _ := strings.Cut(l.desc(), ":")
		if strings.EqualFold(h, host) && l.listeningPort == port {
			return l
		}
	}
	return nil
}

// failoverHolds reports whether a failover holds cmd back: writes wait
// until it ends, as under CLIENT PAUSE WRITE.
func (e *Engine) failoverHolds(s *Session, cmd *Command) bool {
	return e.repl.failover != nil && (s.writes(cmd) || mayReplicate(cmd))
}

// FailoverCron checks a failover that waits for its target at every
// cron tick: Redis checks it before each event loop sleep, so a FAILOVER
// TIMEOUT ends within a tick, not at the next once-a-second
// ReplicationCron.
func (e *Engine) FailoverCron() {
	if e.cronPaused.Load() {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.repl.failover == nil {
		return
	}
	e.tick()
	e.updateFailover()
}

// updateFailover moves a failover on: it times out, or hands over once
// the target (or any replica) acknowledged the whole stream (Redis's
// updateFailoverStatus).
func (e *Engine) updateFailover() {
	f := e.repl.failover
	if f == nil || f.state != failoverWaitForSync {
		return
	}
	if f.endMs != 0 && e.nowMs >= f.endMs {
		if f.force {
			e.logLine("FAILOVER to " + f.host + ":" + strconv.Itoa(f.port) + " time out exceeded, failing over.")
			f.state = failoverInProgress
			e.setReplicaOf(f.host, f.port)
			return
		}
		e.abortFailover("Replica never caught up before timeout")
		return
	}
	var target *replicaLink
	if f.host != "" {
		target = e.findReplica(f.host, f.port)
	} else {
		for _, l := range e.repl.replicas {
			if l.ackOffset == e.repl.offset {
				target = l
				f.host, _, _ = strings.Cut(l.desc(), ":")
				f.port = l.listeningPort
				break
			}
		}
	}
	if target != nil && target.ackOffset == e.repl.offset {
		f.state = failoverInProgress
		e.logLine("Failover target " + f.host + ":" + strconv.Itoa(f.port) + " is synced, failing over.")
		e.setReplicaOf(f.host, f.port)
	}
}

// abortFailover ends a failover that did not happen; a master already
// turned replica becomes a master again.
func (e *Engine) abortFailover(reason string) {
	f := e.repl.failover
	if f == nil {
		return
	}
	if f.host != "" {
		e.logLine("FAILOVER to " + f.host + ":" + strconv.Itoa(f.port) + " aborted: " + reason)
	} else {
		e.logLine("FAILOVER to any replica aborted: " + reason)
	}
	if f.state == failoverInProgress {
		e.unsetMaster()
	}
	e.clearFailover()
}

// clearFailover forgets the failover and lets the writes it held run.
func (e *Engine) clearFailover() {
	e.repl.failover = nil
	e.releaseHeldCommands(nil)
}

// FailoverInProgress reports whether the link must ask its new master to
// take over (PSYNC ... FAILOVER).
func (e *Engine) FailoverInProgress() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	f := e.repl.failover
	return f != nil && f.state == failoverInProgress
}

// FailoverPsyncResult reports the target's answer to PSYNC ... FAILOVER:
// accepted (+CONTINUE or +FULLRESYNC) ends the failover, anything else
// aborts it.
func (e *Engine) FailoverPsyncResult(accepted bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f := e.repl.failover
	if f == nil || f.state != failoverInProgress {
		return
	}
	if accepted {
		e.clearFailover()
		return
	}
	e.abortFailover("Failover target rejected psync request")
}
