package clusterbus

import (
	"net"
	"strconv"

	"github.com/goredis-dev/goredis/cluster"
	"github.com/goredis-dev/goredis/engine"
)

// processPacket handles one message read from a link
// (clusterProcessPacket). Inside ClusterDo.
func (b *Bus) processPacket(c *engine.ClusterCtx, l *link, raw []byte) {
	st := c.State
	now := c.Now()
	typ := uint16(raw[12])<<8 | uint16(raw[13])
	if typ < cluster.MsgTypeCount {
		st.MsgReceived[typ]++
	}
	m, err := cluster.Decode(raw)
	if err != nil {
		if err != cluster.ErrBadVersion {
			c.Log('#', "Received "+err.Error())
		}
		return
	}
	if int64(typ) == st.DropPacketFilter {
		c.Log('#', "Dropping packet that matches debug drop filter")
		return
	}
	sender := b.senderOf(c, l, m)
	if sender != nil {
		sender.DataReceived = now
	}
	var senderConfigEpoch uint64
	if sender != nil && !sender.InHandshake() {
		if m.CurrentEpoch > st.CurrentEpoch {
			st.CurrentEpoch = m.CurrentEpoch
		}
		senderConfigEpoch = m.ConfigEpoch
		if senderConfigEpoch > sender.ConfigEpoch {
			sender.ConfigEpoch = senderConfigEpoch
			st.Todo |= cluster.TodoSaveConfig | cluster.TodoFsyncConfig
		}
		sender.ReplOffset = int64(m.Offset)
		sender.ReplOffsetTime = now
		if st.MFEnd != 0 && st.Myself.IsReplica() && st.Myself.Master == sender &&
			m.MFlags[0]&cluster.MFlagPaused != 0 && st.MFMasterOffset == -1 {
			st.MFMasterOffset = sender.ReplOffset
			st.Todo |= cluster.TodoHandleManualFailover
			c.Log('#', "Received replication offset for paused master manual failover: "+strconv.FormatInt(st.MFMasterOffset, 10))
		}
	}
	switch m.Type {
	case cluster.MsgPing, cluster.MsgPong, cluster.MsgMeet:
		b.processPing(c, l, m, sender, senderConfigEpoch)
	case cluster.MsgFail:
		if sender == nil {
			c.Log('*', "Ignoring FAIL message from unknown node "+m.Sender+" about "+m.FailNode)
			return
		}
		failing := st.Lookup(m.FailNode)
		if failing != nil && failing.Flags&(cluster.FlagFail|cluster.FlagMyself) == 0 {
			c.Log('*', "FAIL message received from "+m.Sender+" about "+m.FailNode)
			failing.Flags |= cluster.FlagFail
			failing.FailTime = now
			failing.Flags &^= cluster.FlagPFail
			st.Todo |= cluster.TodoSaveConfig | cluster.TodoUpdateState
		}
	case cluster.MsgPublish, cluster.MsgPublishShard:
		if sender == nil {
			return
		}
		c.Deliver(m.Channel, m.Payload, m.Type == cluster.MsgPublishShard)
	case cluster.MsgFailoverAuthRequest:
		if sender == nil {
			return
		}
		b.sendFailoverAuthIfNeeded(c, sender, m)
	case cluster.MsgFailoverAuthAck:
		if sender == nil {
			return
		}
		if sender.IsMaster() && sender.NumSlots > 0 && m.CurrentEpoch >= st.FailoverAuthEpoch {
			st.FailoverAuthCount++
			st.Todo |= cluster.TodoHandleFailover
		}
	case cluster.MsgMFStart:
		if sender == nil || sender.Master != st.Myself {
			return
		}
		st.ResetManualFailover()
		st.MFEnd = now + cluster.MFTimeout
		st.MFReplica = sender
		c.PauseWrites(now + cluster.MFTimeout*cluster.MFPauseMult)
		c.Log('#', "Manual failover requested by replica "+sender.Name+".")
		b.sendPing(c, l, cluster.MsgPing)
	case cluster.MsgUpdate:
		if sender == nil {
			return
		}
		n := st.Lookup(m.UpdateNode)
		if n == nil || n.ConfigEpoch >= m.UpdateConfigEpoch {
			return
		}
		if n.IsReplica() {
			st.SetNodeAsMaster(n)
		}
		n.ConfigEpoch = m.UpdateConfigEpoch
		st.Todo |= cluster.TodoSaveConfig | cluster.TodoFsyncConfig
		b.updateSlotsConfigWith(c, n, m.UpdateConfigEpoch, &m.UpdateSlots)
	case cluster.MsgModule:
		// No modules: nobody listens.
	default:
		c.Log('#', "Received unknown packet type: "+strconv.Itoa(int(m.Type)))
	}
}

// senderOf finds the node that sent m (getNodeFromLinkAndMsg), binding an
// inbound link to its node the first time.
func (b *Bus) senderOf(c *engine.ClusterCtx, l *link, m *cluster.Message) *cluster.Node {
	if l.node != nil && !l.node.InHandshake() {
		return l.node
	}
	sender := c.State.Lookup(m.Sender)
	if sender != nil && l.node == nil {
		for other := range b.in {
			if other != l && other.node == sender {
				b.freeLink(c, other)
			}
		}
		l.node = sender
		sender.Inbound = true
	}
	return sender
}

// peerIP is the address a node announces, or else the link's remote
// address (nodeIp2String).
func peerIP(l *link, announced string) string {
	if announced != "" {
		return announced
	}
	host, _, _ := net.SplitHostPort(l.conn.RemoteAddr().String())
	return host
}

// localIP is this side's address of the link (connSockName).
func localIP(l *link) string {
	host, _, _ := net.SplitHostPort(l.conn.LocalAddr().String())
	return host
}

// updateAddressIfNeeded points a node at the address it now sends from
// (nodeUpdateAddressIfNeeded); true when it changed.
func (b *Bus) updateAddressIfNeeded(c *engine.ClusterCtx, n *cluster.Node, l *link, m *cluster.Message) bool {
	if l == b.out[n] {
		return false
	}
	ip := peerIP(l, m.MyIP)
	if n.Port == int(m.Port) && n.CPort == int(m.CPort) && n.PPort == int(m.PPort) && n.IP == ip {
		return false
	}
	n.IP, n.Port, n.PPort, n.CPort = ip, int(m.Port), int(m.PPort), int(m.CPort)
	if ol := b.out[n]; ol != nil {
		b.freeLink(c, ol)
	}
	n.Flags &^= cluster.FlagNoAddr
	c.Log('#', "Address updated for node "+n.Name+", now "+n.IP+":"+strconv.Itoa(n.Port))
	me := c.State.Myself
	if me.IsReplica() && me.Master == n {
		c.FollowMaster(n.IP, n.Port)
	}
	return true
}

// processPing handles PING, PONG and MEET.
func (b *Bus) processPing(c *engine.ClusterCtx, l *link, m *cluster.Message, sender *cluster.Node, senderConfigEpoch uint64) {
	st := c.State
	me := st.Myself
	now := c.Now()
	if m.Type == cluster.MsgPing || m.Type == cluster.MsgMeet {
		// Learn this node's own address from a MEET (or any PING while
		// it has none).
		if (m.Type == cluster.MsgMeet || me.IP == "") && b.eng.ConfigLocked("cluster-announce-ip") == "" {
			if ip := localIP(l); ip != me.IP {
				me.IP = ip
				c.Log('#', "IP address for this node updated to "+ip)
				st.Todo |= cluster.TodoSaveConfig
			}
		}
		if sender == nil && m.Type == cluster.MsgMeet {
			n := st.NewNode("", cluster.FlagHandshake, now)
			n.IP = peerIP(l, m.MyIP)
			n.Port, n.PPort, n.CPort = int(m.Port), int(m.PPort), int(m.CPort)
			st.AddNode(n)
			st.Todo |= cluster.TodoSaveConfig
			b.processGossip(c, l, m, nil)
		}
		b.sendPing(c, l, cluster.MsgPong)
	}
	if !l.inbound {
		n := l.node
		if n.InHandshake() {
			if sender != nil {
				c.Log('-', "Handshake: we already know node "+sender.Name+", updating the address if needed.")
				if b.updateAddressIfNeeded(c, sender, l, m) {
					st.Todo |= cluster.TodoSaveConfig | cluster.TodoUpdateState
				}
				b.freeLink(c, l)
				st.DelNode(n)
				return
			}
			st.RenameNode(n, m.Sender)
			c.Log('.', "Handshake with node "+n.Name+" completed.")
			n.Flags &^= cluster.FlagHandshake
			n.Flags |= m.Flags & (cluster.FlagMaster | cluster.FlagSlave)
			st.Todo |= cluster.TodoSaveConfig
		} else if n.Name != m.Sender {
			c.Log('.', "PONG contains mismatching sender ID. About node "+n.Name)
			n.Flags |= cluster.FlagNoAddr
			n.IP, n.Port, n.PPort, n.CPort = "", 0, 0, 0
			b.freeLink(c, l)
			st.Todo |= cluster.TodoSaveConfig
			return
		}
	}
	if sender != nil {
		sender.Flags = sender.Flags&^cluster.FlagNoFailover | m.Flags&cluster.FlagNoFailover
	}
	if sender != nil && m.Type == cluster.MsgPing && !sender.InHandshake() && b.updateAddressIfNeeded(c, sender, l, m) {
		st.Todo |= cluster.TodoSaveConfig | cluster.TodoUpdateState
	}
	if !l.inbound && m.Type == cluster.MsgPong {
		n := l.node
		n.PongReceived = now
		n.PingSent = 0
		if n.TimedOut() {
			n.Flags &^= cluster.FlagPFail
			st.Todo |= cluster.TodoSaveConfig | cluster.TodoUpdateState
		} else if n.Failed() {
			b.clearNodeFailureIfNeeded(c, n)
		}
	}
	if sender == nil {
		return
	}
	// Role switches.
	if m.SlaveOf == "" {
		st.SetNodeAsMaster(sender)
	} else {
		master := st.Lookup(m.SlaveOf)
		if sender.IsMaster() {
			st.DelNodeSlots(sender)
			sender.Flags &^= cluster.FlagMaster | cluster.FlagMigrateTo
			sender.Flags |= cluster.FlagSlave
			st.Todo |= cluster.TodoSaveConfig | cluster.TodoUpdateState
		}
		if master != nil && sender.Master != master {
			st.SetReplicaOf(sender, master)
			st.Todo |= cluster.TodoSaveConfig
		}
	}
	// Slots.
	senderMaster := sender
	if !sender.IsMaster() {
		senderMaster = sender.Master
	}
	dirty := senderMaster != nil && *senderMaster.SlotBitmap() != m.MySlots
	if sender.IsMaster() && dirty {
		b.updateSlotsConfigWith(c, sender, senderConfigEpoch, &m.MySlots)
	}
	if dirty {
		for j := range cluster.Slots {
			if m.MySlots[j>>3]&(1<<(j&7)) == 0 {
				continue
			}
			owner := st.Slots[j]
			if owner == sender || b.slotUnclaimed(st, j) {
				continue
			}
			if owner.ConfigEpoch > senderConfigEpoch {
				c.Log('-', "Node "+sender.Name+" has old slots configuration, sending an UPDATE message about "+owner.Name)
				b.sendUpdate(c, b.out[sender], owner)
				break
			}
		}
	}
	if me.IsMaster() && sender.IsMaster() && senderConfigEpoch == me.ConfigEpoch {
		if st.HandleConfigEpochCollision(sender) {
			st.Todo |= cluster.TodoSaveConfig | cluster.TodoFsyncConfig
		}
	}
	b.processGossip(c, l, m, sender)
	hostname := ""
	for _, e := range m.Extensions {
		if e.Type == cluster.ExtHostname {
			hostname = e.Hostname()
		} else {
			c.Log('#', "Received unknown extension type "+strconv.Itoa(int(e.Type)))
		}
	}
	sender.Hostname = hostname
}

// slotUnclaimed is isSlotUnclaimed: a slot whose owner stopped claiming
// it, which another node may take.
func (b *Bus) slotUnclaimed(st *cluster.State, slot int) bool {
	return st.Slots[slot] == nil || b.notClaiming[slot>>3]&(1<<(slot&7)) != 0
}

// processGossip handles a gossip section (clusterProcessGossipSection):
// failure reports, fresher pong times, new nodes, changed addresses.
func (b *Bus) processGossip(c *engine.ClusterCtx, l *link, m *cluster.Message, sender *cluster.Node) {
	st := c.State
	now := c.Now()
	if sender == nil && l.node != nil {
		sender = l.node
	}
	if sender == nil {
		sender = st.Lookup(m.Sender)
	}
	timeout := st.Settings.NodeTimeout
	for _, g := range m.Gossip {
		node := st.Lookup(g.Name)
		if node != nil {
			if sender != nil && sender.IsMaster() && node != st.Myself {
				if g.Flags&(cluster.FlagFail|cluster.FlagPFail) != 0 {
					if node.AddFailureReport(sender, now) {
						c.Log('-', "Node "+sender.Name+" reported node "+node.Name+" as not reachable.")
					}
					b.markNodeAsFailingIfNeeded(c, node)
				} else if node.DelFailureReport(sender, now, timeout) {
					c.Log('-', "Node "+sender.Name+" reported node "+node.Name+" is back online.")
				}
			}
			if g.Flags&(cluster.FlagFail|cluster.FlagPFail) == 0 && node.PingSent == 0 &&
				node.FailureReportsCount(now, timeout) == 0 {
				pong := int64(g.PongReceived) * 1000
				if pong <= now+500 && pong > node.PongReceived {
					node.PongReceived = pong
				}
			}
			if node.Flags&(cluster.FlagFail|cluster.FlagPFail) != 0 &&
				g.Flags&cluster.FlagNoAddr == 0 && g.Flags&(cluster.FlagFail|cluster.FlagPFail) == 0 &&
				(node.IP != g.IP || node.Port != int(g.Port) || node.CPort != int(g.CPort)) {
				if ol := b.out[node]; ol != nil {
					b.freeLink(c, ol)
				}
				node.IP, node.Port, node.PPort, node.CPort = g.IP, int(g.Port), int(g.PPort), int(g.CPort)
				node.Flags &^= cluster.FlagNoAddr
			}
		} else if sender != nil && g.Flags&cluster.FlagNoAddr == 0 && !st.Blacklisted(g.Name, now/1000) && cluster.ValidName(g.Name) {
			n := st.NewNode(g.Name, g.Flags, now)
			n.IP, n.Port, n.PPort, n.CPort = g.IP, int(g.Port), int(g.PPort), int(g.CPort)
			st.AddNode(n)
		}
	}
}

// markNodeAsFailingIfNeeded turns PFAIL into FAIL once a majority of
// masters reported it (markNodeAsFailingIfNeeded).
func (b *Bus) markNodeAsFailingIfNeeded(c *engine.ClusterCtx, n *cluster.Node) {
	st := c.State
	if !n.TimedOut() || n.Failed() {
		return
	}
	failures := n.FailureReportsCount(c.Now(), st.Settings.NodeTimeout)
	if st.Myself.IsMaster() {
		failures++
	}
	if failures < st.Size/2+1 {
		return
	}
	c.Log('*', "Marking node "+n.Name+" as failing (quorum reached).")
	n.Flags &^= cluster.FlagPFail
	n.Flags |= cluster.FlagFail
	n.FailTime = c.Now()
	b.sendFail(c, n.Name)
	st.Todo |= cluster.TodoUpdateState | cluster.TodoSaveConfig
}

// clearNodeFailureIfNeeded lifts FAIL from a node that is back
// (clearNodeFailureIfNeeded).
func (b *Bus) clearNodeFailureIfNeeded(c *engine.ClusterCtx, n *cluster.Node) {
	st := c.State
	now := c.Now()
	if n.IsReplica() || n.NumSlots == 0 {
		what := "master without slots"
		if n.IsReplica() {
			what = "replica"
		}
		c.Log('*', "Clear FAIL state for node "+n.Name+": "+what+" is reachable again.")
		n.Flags &^= cluster.FlagFail
		st.Todo |= cluster.TodoUpdateState | cluster.TodoSaveConfig
	}
	if n.IsMaster() && n.NumSlots > 0 && now-n.FailTime > st.Settings.NodeTimeout*cluster.FailUndoTimeMult {
		c.Log('*', "Clear FAIL state for node "+n.Name+": is reachable again and nobody is serving its slots after some time.")
		n.Flags &^= cluster.FlagFail
		st.Todo |= cluster.TodoUpdateState | cluster.TodoSaveConfig
	}
}

// updateSlotsConfigWith rebinds slots claimed under a newer epoch
// (clusterUpdateSlotsConfigWith): this node may lose slots, turn into a
// replica of the new owner, or delete the keys of slots it lost.
func (b *Bus) updateSlotsConfigWith(c *engine.ClusterCtx, sender *cluster.Node, senderEpoch uint64, slots *[cluster.Slots / 8]byte) {
	st := c.State
	me := st.Myself
	if sender == me {
		c.Log('#', "Discarding UPDATE message about myself.")
		return
	}
	curMaster := me
	if !me.IsMaster() {
		curMaster = me.Master
	}
	var dirty []int
	var newMaster *cluster.Node
	senderSlots, migratedOurs := 0, 0
	for j := range cluster.Slots {
		bit := byte(1 << (j & 7))
		if slots[j>>3]&bit != 0 {
			senderSlots++
			if st.Slots[j] == sender {
				b.notClaiming[j>>3] &^= bit
				continue
			}
			if st.ImportingFrom[j] != nil {
				continue
			}
			if b.slotUnclaimed(st, j) || st.Slots[j].ConfigEpoch < senderEpoch {
				if st.Slots[j] == me && c.CountKeysInSlot(j) > 0 {
					dirty = append(dirty, j)
				}
				if st.Slots[j] != nil && st.Slots[j] == curMaster {
					newMaster = sender
					migratedOurs++
				}
				c.DelSlot(j)
				st.AddSlot(sender, j)
				b.notClaiming[j>>3] &^= bit
				st.Todo |= cluster.TodoSaveConfig | cluster.TodoUpdateState | cluster.TodoFsyncConfig
			}
		} else if st.Slots[j] == sender {
			b.notClaiming[j>>3] |= bit
		}
	}
	switch {
	case newMaster != nil && curMaster != nil && curMaster.NumSlots == 0 &&
		(st.Settings.AllowReplicaMigration || senderSlots == migratedOurs):
		c.Log('#', "Configuration change detected. Reconfiguring myself as a replica of "+sender.Name)
		c.SetMyMaster(sender)
		st.Todo |= cluster.TodoSaveConfig | cluster.TodoUpdateState | cluster.TodoFsyncConfig
	case me.Master != nil && me.Master.Master != nil && me.Master.Master != me:
		c.Log('#', "I'm a sub-replica! Reconfiguring myself as a replica of grandmaster "+me.Master.Master.Name)
		c.SetMyMaster(me.Master.Master)
		st.Todo |= cluster.TodoSaveConfig | cluster.TodoUpdateState | cluster.TodoFsyncConfig
	default:
		for _, j := range dirty {
			c.DelKeysInSlot(j)
		}
	}
}
