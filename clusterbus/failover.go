package clusterbus

import (
	"strconv"

	"github.com/goredis-dev/goredis/cluster"
	"github.com/goredis-dev/goredis/engine"
)

// Reasons a replica cannot fail over (CLUSTER_CANT_FAILOVER_*).
const (
	cantFailoverNone = iota
	cantFailoverDataAge
	cantFailoverWaitingDelay
	cantFailoverExpired
	cantFailoverWaitingVotes
)

const cantFailoverRelogPeriod = 60 * 5 // seconds

// sendFailoverAuthIfNeeded votes for a replica asking to replace its
// failed master, when this master may (clusterSendFailoverAuthIfNeeded).
func (b *Bus) sendFailoverAuthIfNeeded(c *engine.ClusterCtx, n *cluster.Node, req *cluster.Message) {
	st := c.State
	me := st.Myself
	master := n.Master
	forceAck := req.MFlags[0]&cluster.MFlagForceAck != 0
	if me.IsReplica() || me.NumSlots == 0 {
		return
	}
	if req.CurrentEpoch < st.CurrentEpoch {
		c.Log('#', "Failover auth denied to "+n.Name+": reqEpoch ("+strconv.FormatUint(req.CurrentEpoch, 10)+") < curEpoch("+strconv.FormatUint(st.CurrentEpoch, 10)+")")
		return
	}
	if st.LastVoteEpoch == st.CurrentEpoch {
		c.Log('#', "Failover auth denied to "+n.Name+": already voted for epoch "+strconv.FormatUint(st.CurrentEpoch, 10))
		return
	}
	if n.IsMaster() || master == nil || (!master.Failed() && !forceAck) {
		switch {
		case n.IsMaster():
			c.Log('#', "Failover auth denied to "+n.Name+": it is a master node")
		case master == nil:
			c.Log('#', "Failover auth denied to "+n.Name+": I don't know its master")
		default:
			c.Log('#', "Failover auth denied to "+n.Name+": its master is up")
		}
		return
	}
	now := c.Now()
	timeout := st.Settings.NodeTimeout
	if now-master.VotedTime < timeout*2 {
		c.Log('#', "Failover auth denied to "+n.Name+": can't vote about this master before "+strconv.FormatInt(timeout*2-(now-master.VotedTime), 10)+" milliseconds")
		return
	}
	for j := range cluster.Slots {
		if req.MySlots[j>>3]&(1<<(j&7)) == 0 {
			continue
		}
		if b.slotUnclaimed(st, j) || st.Slots[j].ConfigEpoch <= req.ConfigEpoch {
			continue
		}
		c.Log('#', "Failover auth denied to "+n.Name+": slot "+strconv.Itoa(j)+" epoch ("+strconv.FormatUint(st.Slots[j].ConfigEpoch, 10)+") > reqEpoch ("+strconv.FormatUint(req.ConfigEpoch, 10)+")")
		return
	}
	st.LastVoteEpoch = st.CurrentEpoch
	master.VotedTime = now
	st.Todo |= cluster.TodoSaveConfig | cluster.TodoFsyncConfig
	if l := b.out[n]; l != nil {
		b.send(c, l, b.header(c, cluster.MsgFailoverAuthAck))
	}
	c.Log('#', "Failover auth granted to "+n.Name+" for epoch "+strconv.FormatUint(st.CurrentEpoch, 10))
}

// replicaRank is clusterGetSlaveRank: how many replicas of the same master
// have a larger offset.
func (b *Bus) replicaRank(c *engine.ClusterCtx) int {
	me := c.State.Myself
	if me.Master == nil {
		return 0
	}
	mine := c.ReplOffset()
	rank := 0
	for _, r := range me.Master.Replicas {
		if r != me && r.Flags&cluster.FlagNoFailover == 0 && r.ReplOffset > mine {
			rank++
		}
	}
	return rank
}

// logCantFailover logs why the election does not start, once per reason
// change or every five minutes (clusterLogCantFailover).
func (b *Bus) logCantFailover(c *engine.ClusterCtx, reason int) {
	st := c.State
	if reason == st.CantFailoverReason && c.Now()/1000-b.lastCantFailoverLog < cantFailoverRelogPeriod {
		return
	}
	st.CantFailoverReason = reason
	me := st.Myself
	if me.Master != nil && me.Master.Failed() && c.Now()-me.Master.FailTime < st.Settings.NodeTimeout+5000 {
		return
	}
	var msg string
	switch reason {
	case cantFailoverDataAge:
		msg = "Disconnected from master for longer than allowed. Please check the 'cluster-replica-validity-factor' configuration option."
	case cantFailoverWaitingDelay:
		msg = "Waiting the delay before I can start a new failover."
	case cantFailoverExpired:
		msg = "Failover attempt expired."
	case cantFailoverWaitingVotes:
		msg = "Waiting for votes, but majority still not reached."
	default:
		msg = "Unknown reason code."
	}
	b.lastCantFailoverLog = c.Now() / 1000
	c.Log('#', "Currently unable to failover: "+msg)
}

// handleReplicaFailover runs a replica's election when its master failed
// or a manual failover may start (clusterHandleSlaveFailover).
func (b *Bus) handleReplicaFailover(c *engine.ClusterCtx) {
	st := c.State
	me := st.Myself
	now := c.Now()
	authAge := now - st.FailoverAuthTime
	quorum := st.Size/2 + 1
	manual := st.MFEnd != 0 && st.MFCanStart
	st.Todo &^= cluster.TodoHandleFailover
	authTimeout := max(st.Settings.NodeTimeout*2, 2000)
	authRetry := authTimeout * 2
	if me.IsMaster() || me.Master == nil || (!me.Master.Failed() && !manual) ||
		(st.Settings.ReplicaNoFailover && !manual) || me.Master.NumSlots == 0 {
		st.CantFailoverReason = cantFailoverNone
		return
	}
	dataAge := c.MasterDataAge()
	if dataAge > st.Settings.NodeTimeout {
		dataAge -= st.Settings.NodeTimeout
	}
	if f := int64(st.Settings.ReplicaValidityFactor); f != 0 &&
		dataAge > c.ReplPingPeriodMs()+st.Settings.NodeTimeout*f && !manual {
		b.logCantFailover(c, cantFailoverDataAge)
		return
	}
	if authAge > authRetry {
		st.FailoverAuthTime = now + 500 + int64(b.rnd.IntN(500))
		st.FailoverAuthCount = 0
		st.FailoverAuthSent = false
		st.FailoverAuthRank = b.replicaRank(c)
		st.FailoverAuthTime += int64(st.FailoverAuthRank) * 1000
		if st.MFEnd != 0 {
			st.FailoverAuthTime = now
			st.FailoverAuthRank = 0
			st.Todo |= cluster.TodoHandleFailover
		}
		c.Log('#', "Start of election delayed for "+strconv.FormatInt(st.FailoverAuthTime-now, 10)+
			" milliseconds (rank #"+strconv.Itoa(st.FailoverAuthRank)+", offset "+strconv.FormatInt(c.ReplOffset(), 10)+").")
		b.broadcastPong(c, true)
		return
	}
	if !st.FailoverAuthSent && st.MFEnd == 0 {
		if newRank := b.replicaRank(c); newRank > st.FailoverAuthRank {
			added := int64(newRank-st.FailoverAuthRank) * 1000
			st.FailoverAuthTime += added
			st.FailoverAuthRank = newRank
			c.Log('#', "Replica rank updated to #"+strconv.Itoa(newRank)+", added "+strconv.FormatInt(added, 10)+" milliseconds of delay.")
		}
	}
	if now < st.FailoverAuthTime {
		b.logCantFailover(c, cantFailoverWaitingDelay)
		return
	}
	if authAge > authTimeout {
		b.logCantFailover(c, cantFailoverExpired)
		return
	}
	if !st.FailoverAuthSent {
		st.CurrentEpoch++
		st.FailoverAuthEpoch = st.CurrentEpoch
		c.Log('#', "Starting a failover election for epoch "+strconv.FormatUint(st.CurrentEpoch, 10)+".")
		m := b.header(c, cluster.MsgFailoverAuthRequest)
		if st.MFEnd != 0 {
			m.MFlags[0] |= cluster.MFlagForceAck
		}
		b.broadcast(c, m)
		st.FailoverAuthSent = true
		st.Todo |= cluster.TodoSaveConfig | cluster.TodoUpdateState | cluster.TodoFsyncConfig
		return
	}
	if st.FailoverAuthCount >= quorum {
		c.Log('#', "Failover election won: I'm the new master.")
		if me.ConfigEpoch < st.FailoverAuthEpoch {
			me.ConfigEpoch = st.FailoverAuthEpoch
			c.Log('#', "configEpoch set to "+strconv.FormatUint(me.ConfigEpoch, 10)+" after successful failover")
		}
		c.ReplaceMaster()
		return
	}
	b.logCantFailover(c, cantFailoverWaitingVotes)
}

// resetManualFailover ends a manual failover, lifting a master's pause
// (resetManualFailover).
func (b *Bus) resetManualFailover(c *engine.ClusterCtx) {
	if c.State.MFReplica != nil {
		c.Unpause()
	}
	c.State.ResetManualFailover()
}

// handleManualFailover lets a replica start once it processed the paused
// master's whole stream (clusterHandleManualFailover).
func (b *Bus) handleManualFailover(c *engine.ClusterCtx) {
	st := c.State
	if st.MFEnd == 0 || st.MFCanStart || st.MFMasterOffset == -1 {
		return
	}
	if st.MFMasterOffset == c.ReplOffset() {
		st.MFCanStart = true
		c.Log('#', "All master replication stream processed, manual failover can start.")
		st.Todo |= cluster.TodoHandleFailover
		return
	}
	st.Todo |= cluster.TodoHandleManualFailover
}

// handleReplicaMigration moves this replica to an orphaned master when
// its own master keeps enough replicas (clusterHandleSlaveMigration).
func (b *Bus) handleReplicaMigration(c *engine.ClusterCtx, maxReplicas int) {
	st := c.State
	me := st.Myself
	myMaster := me.Master
	if !st.OK || myMaster == nil {
		return
	}
	ok := 0
	for _, r := range myMaster.Replicas {
		if r.Flags&(cluster.FlagFail|cluster.FlagPFail) == 0 {
			ok++
		}
	}
	if ok <= st.Settings.MigrationBarrier {
		return
	}
	var target, candidate *cluster.Node
	candidate = me
	now := c.Now()
	for _, n := range st.Nodes() {
		okReplicas := 0
		isOrphaned := true
		if n.IsReplica() || n.Failed() {
			isOrphaned = false
		}
		if n.Flags&cluster.FlagMigrateTo == 0 {
			isOrphaned = false
		}
		if n.IsMaster() {
			okReplicas = n.NonFailingReplicas()
		}
		if okReplicas > 0 {
			isOrphaned = false
		}
		if isOrphaned {
			if target == nil && n.NumSlots > 0 {
				target = n
			}
			if n.OrphanedTime == 0 {
				n.OrphanedTime = now
			}
		} else {
			n.OrphanedTime = 0
		}
		if okReplicas == maxReplicas {
			for _, r := range n.Replicas {
				if r.Name < candidate.Name {
					candidate = r
				}
			}
		}
	}
	if target != nil && candidate == me && now-target.OrphanedTime > cluster.SlaveMigrationDelay {
		c.Log('#', "Migrating to orphaned master "+target.Name)
		c.SetMyMaster(target)
	}
}
