package clusterbus

import (
	"github.com/goredis-dev/goredis/cluster"
	"github.com/goredis-dev/goredis/engine"
)

// header builds a message of type typ carrying this node's view
// (clusterBuildMessageHdr).
func (b *Bus) header(c *engine.ClusterCtx, typ uint16) *cluster.Message {
	st := c.State
	me := st.Myself
	master := me
	if me.IsReplica() && me.Master != nil {
		master = me.Master
	}
	port, pport, cport := b.eng.AnnouncedPortsLocked()
	m := &cluster.Message{
		Type:         typ,
		Sender:       me.Name,
		MyIP:         b.eng.ConfigLocked("cluster-announce-ip"),
		MySlots:      *master.SlotBitmap(),
		Port:         uint16(port),
		PPort:        uint16(pport),
		CPort:        uint16(cport),
		Flags:        me.Flags,
		CurrentEpoch: st.CurrentEpoch,
		ConfigEpoch:  master.ConfigEpoch,
		Offset:       uint64(c.ReplOffset()),
	}
	if me.Master != nil {
		m.SlaveOf = me.Master.Name
	}
	if !st.OK {
		m.State = 1
	}
	if me.IsMaster() && st.MFEnd != 0 {
		m.MFlags[0] |= cluster.MFlagPaused
	}
	return m
}

func gossipEntry(n *cluster.Node) cluster.Gossip {
	return cluster.Gossip{
		Name:         n.Name,
		PingSent:     uint32(n.PingSent / 1000),
		PongReceived: uint32(n.PongReceived / 1000),
		IP:           n.IP,
		Port:         uint16(n.Port),
		CPort:        uint16(n.CPort),
		Flags:        n.Flags,
		PPort:        uint16(n.PPort),
	}
}

// sendPing sends a PING, PONG or MEET with a gossip section about a tenth
// of the nodes (at least 3) plus every node in PFAIL (clusterSendPing).
func (b *Bus) sendPing(c *engine.ClusterCtx, l *link, typ uint16) {
	st := c.State
	b.pingsSent++
	nodes := st.Nodes()
	fresh := len(nodes) - 2
	wanted := max(len(nodes)/10, 3)
	wanted = min(wanted, fresh)
	if !l.inbound && typ == cluster.MsgPing {
		l.node.PingSent = c.Now()
	}
	m := b.header(c, typ)
	for iter := wanted * 3; fresh > 0 && len(m.Gossip) < wanted && iter > 0; iter-- {
		n := nodes[b.rnd.IntN(len(nodes))]
		if n == st.Myself || n.Flags&cluster.FlagPFail != 0 {
			continue
		}
		if n.Flags&(cluster.FlagHandshake|cluster.FlagNoAddr) != 0 || (b.out[n] == nil && n.NumSlots == 0) {
			fresh--
			continue
		}
		if n.LastInPingGossip == int(b.pingsSent) {
			continue
		}
		m.Gossip = append(m.Gossip, gossipEntry(n))
		n.LastInPingGossip = int(b.pingsSent)
		fresh--
	}
	pfailWanted := st.PFailNodes
	for _, n := range nodes {
		if pfailWanted <= 0 {
			break
		}
		if n.Flags&(cluster.FlagHandshake|cluster.FlagNoAddr) != 0 || n.Flags&cluster.FlagPFail == 0 {
			continue
		}
		m.Gossip = append(m.Gossip, gossipEntry(n))
		pfailWanted--
	}
	if h := st.Myself.Hostname; h != "" {
		m.Extensions = append(m.Extensions, cluster.HostnameExtension(h))
	}
	b.send(c, l, m)
}

// broadcastPong sends a PONG to every connected node, or only to the
// replicas of this node's shard (clusterBroadcastPong).
func (b *Bus) broadcastPong(c *engine.ClusterCtx, localReplicas bool) {
	me := c.State.Myself
	for _, n := range c.State.Nodes() {
		l := b.out[n]
		if l == nil || n == me || n.InHandshake() {
			continue
		}
		if localReplicas {
			local := n.IsReplica() && n.Master != nil && (n.Master == me || n.Master == me.Master)
			if !local {
				continue
			}
		}
		b.sendPing(c, l, cluster.MsgPong)
	}
}

// sendFail tells every node that name is failing (clusterSendFail).
func (b *Bus) sendFail(c *engine.ClusterCtx, name string) {
	m := b.header(c, cluster.MsgFail)
	m.FailNode = name
	b.broadcast(c, m)
}

// sendUpdate tells a node with an old configuration who owns n's slots
// now (clusterSendUpdate).
func (b *Bus) sendUpdate(c *engine.ClusterCtx, l *link, n *cluster.Node) {
	if l == nil {
		return
	}
	m := b.header(c, cluster.MsgUpdate)
	m.UpdateNode = n.Name
	m.UpdateConfigEpoch = n.ConfigEpoch
	m.UpdateSlots = *n.SlotBitmap()
	for i := range m.UpdateSlots {
		m.UpdateSlots[i] &^= b.notClaiming[i]
	}
	b.send(c, l, m)
}
