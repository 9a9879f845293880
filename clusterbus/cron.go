package clusterbus

import (
	"strconv"
	"time"

	"github.com/goredis-dev/goredis/cluster"
	"github.com/goredis-dev/goredis/engine"
)

// cron is clusterCron, every 100 ms: reconnect links, ping, detect
// failures, run a replica's failover and migration.
func (b *Bus) cron(c *engine.ClusterCtx) {
	if c.Loading() {
		return
	}
	st := c.State
	me := st.Myself
	b.iteration++
	now := c.Now()
	timeout := st.Settings.NodeTimeout
	handshakeTimeout := max(timeout, 1000)
	st.PFailNodes = 0
	for _, n := range append([]*cluster.Node(nil), st.Nodes()...) {
		if n.Flags&(cluster.FlagMyself|cluster.FlagNoAddr) != 0 {
			continue
		}
		b.freeLinksOverSendbufLimit(c, n)
		if n.TimedOut() {
			st.PFailNodes++
		}
		if n.InHandshake() && now-n.CTime > handshakeTimeout {
			if l := b.out[n]; l != nil {
				b.freeLink(c, l)
			}
			st.DelNode(n)
			continue
		}
		if b.out[n] == nil && !b.connecting[n] {
			b.connecting[n] = true
			b.wg.Add(1)
			go b.connect(n, n.IP, n.CPort, time.Duration(timeout)*time.Millisecond)
		}
	}
	// Every second ping one of five random nodes, the one with the
	// oldest pong.
	if b.iteration%10 == 0 {
		nodes := st.Nodes()
		var minNode *cluster.Node
		for range 5 {
			n := nodes[b.rnd.IntN(len(nodes))]
			if b.out[n] == nil || n.PingSent != 0 || n.Flags&(cluster.FlagMyself|cluster.FlagHandshake) != 0 {
				continue
			}
			if minNode == nil || minNode.PongReceived > n.PongReceived {
				minNode = n
			}
		}
		if minNode != nil {
			b.sendPing(c, b.out[minNode], cluster.MsgPing)
		}
	}
	orphaned, maxReplicas, myReplicas := 0, 0, 0
	updateState := false
	for _, n := range st.Nodes() {
		now = c.Now()
		if n.Flags&(cluster.FlagMyself|cluster.FlagNoAddr|cluster.FlagHandshake) != 0 {
			continue
		}
		if me.IsReplica() && n.IsMaster() && !n.Failed() {
			ok := n.NonFailingReplicas()
			if ok == 0 && n.NumSlots > 0 && n.Flags&cluster.FlagMigrateTo != 0 {
				orphaned++
			}
			maxReplicas = max(maxReplicas, ok)
			if me.Master == n {
				myReplicas = ok
			}
		}
		pingDelay := now - n.PingSent
		dataDelay := now - n.DataReceived
		l := b.out[n]
		if l != nil && now-l.ctime > timeout && n.PingSent != 0 && pingDelay > timeout/2 && dataDelay > timeout/2 {
			// The link looks stuck: reconnect (the node is not flagged).
			b.freeLink(c, l)
			l = nil
		}
		if l != nil && n.PingSent == 0 && now-n.PongReceived > timeout/2 {
			b.sendPing(c, l, cluster.MsgPing)
			continue
		}
		if st.MFEnd != 0 && me.IsMaster() && st.MFReplica == n && l != nil {
			b.sendPing(c, l, cluster.MsgPing)
			continue
		}
		if n.PingSent == 0 {
			continue
		}
		if min(pingDelay, dataDelay) > timeout && n.Flags&(cluster.FlagPFail|cluster.FlagFail) == 0 {
			c.Log('.', "*** NODE "+n.Name+" possibly failing")
			n.Flags |= cluster.FlagPFail
			updateState = true
		}
	}
	if me.IsReplica() && !c.FollowsMaster() && me.Master != nil && me.Master.Flags&cluster.FlagNoAddr == 0 {
		c.FollowMaster(me.Master.IP, me.Master.Port)
	}
	if st.MFEnd != 0 && st.MFEnd < c.Now() {
		c.Log('#', "Manual failover timed out.")
		b.resetManualFailover(c)
	}
	if me.IsReplica() {
		b.handleManualFailover(c)
		b.handleReplicaFailover(c)
		if orphaned > 0 && maxReplicas >= 2 && myReplicas == maxReplicas && st.Settings.AllowReplicaMigration {
			b.handleReplicaMigration(c, maxReplicas)
		}
	}
	if updateState || !st.OK {
		st.Todo |= cluster.TodoUpdateState
	}
	b.beforeSleep(c)
	c.RedirectBlockedClients()
}

// beforeSleep runs the failover steps other events asked for
// (clusterBeforeSleep; the engine then updates the state and saves).
func (b *Bus) beforeSleep(c *engine.ClusterCtx) {
	st := c.State
	if st.Todo&cluster.TodoHandleManualFailover != 0 {
		st.Todo &^= cluster.TodoHandleManualFailover
		if st.Myself.IsReplica() {
			b.handleManualFailover(c)
			b.handleReplicaFailover(c)
		}
	} else if st.Todo&cluster.TodoHandleFailover != 0 {
		b.handleReplicaFailover(c)
	}
}

// freeLinksOverSendbufLimit frees a node's links whose unsent bytes
// passed cluster-link-sendbuf-limit
// (clusterNodeCronFreeLinkOnBufferLimitReached): the outbound one is
// made again by the cron, the inbound one by the peer.
func (b *Bus) freeLinksOverSendbufLimit(c *engine.ClusterCtx, n *cluster.Node) {
	limit := c.State.Settings.LinkSendbufLimit
	if limit == 0 {
		return
	}
	over := func(l *link) {
		if l == nil || l.queued <= limit {
			return
		}
		dir := "to"
		if l.inbound {
			dir = "from"
		}
		c.Log('#', "Freeing cluster link("+dir+" node "+n.Name+", used memory: "+strconv.FormatInt(l.queued, 10)+") due to exceeding send buffer memory limit.")
		b.freeLink(c, l)
		c.State.LinksBufferLimitExceeded++
	}
	over(b.out[n])
	for l := range b.in {
		if l.node == n {
			over(l)
		}
	}
}
