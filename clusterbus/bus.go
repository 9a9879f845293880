// Package clusterbus is the cluster bus of a GoRedis node: it listens on
// the bus port, keeps a link to every known node, and speaks Redis 7.0's
// binary gossip protocol (package cluster encodes the messages), so that
// GoRedis and redis-server nodes form one cluster.
//
// All protocol logic runs inside engine.ClusterDo, with the engine
// locked, as Redis runs it in its one thread; the goroutines of a link
// only read whole messages and write queued ones. Lock order: the engine,
// then nothing (the bus's maps are guarded by the engine's lock).
package clusterbus

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/goredis-dev/goredis/cluster"
	"github.com/goredis-dev/goredis/engine"
)

// cronInterval is how often clusterCron runs (Redis: every 100 ms).
const cronInterval = 100 * time.Millisecond

// sendQueueLen bounds the messages waiting on one link; a link that falls
// this far behind is dropped and reconnected, as Redis frees a link whose
// send buffer grew past cluster-link-sendbuf-limit.
const sendQueueLen = 4096

// maxMessage bounds a message read from a peer (a PUBLISH can carry a
// large payload).
const maxMessage = 1 << 30

// Bus is one node's cluster bus.
type Bus struct {
	eng  *engine.Engine
	logf func(level byte, line string)
	lns  []net.Listener

	// Guarded by the engine's lock (only touched inside ClusterDo or the
	// engine.ClusterBus methods, which run with it held).
	out        map[*cluster.Node]*link // outbound links by node
	in         map[*link]struct{}      // inbound links
	connecting map[*cluster.Node]bool
	pingsSent  uint64
	iteration  uint64
	// lastCantFailoverLog is when clusterLogCantFailover last logged
	// (unix seconds).
	lastCantFailoverLog int64
	// notClaiming marks the slots whose owner stopped claiming them in
	// its pings (owner_not_claiming_slot), left out of UPDATE messages.
	notClaiming [cluster.Slots / 8]byte
	rnd         *rand.Rand

	closing chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
}

var _ engine.ClusterBus = (*Bus)(nil)

// New makes the bus of eng (which must run in cluster mode); logf gets
// log lines with Redis's level marks.
func New(eng *engine.Engine, logf func(level byte, line string)) *Bus {
	return &Bus{
		eng:        eng,
		logf:       logf,
		out:        map[*cluster.Node]*link{},
		in:         map[*link]struct{}{},
		connecting: map[*cluster.Node]bool{},
		rnd:        rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		closing:    make(chan struct{}),
	}
}

// Listen binds the bus port on the addresses of bind, in redis.conf's
// syntax ("*" every IPv4 address, "::*" every IPv6 one, a leading "-"
// for an address the machine may lack).
func (b *Bus) Listen(bind []string, port int) error {
	var hosts []string
	optional := map[string]bool{}
	wild4, wild6 := false, false
	for _, a := range bind {
		opt := strings.HasPrefix(a, "-")
		a = strings.TrimPrefix(a, "-")
		switch a {
		case "*":
			wild4 = true
			continue
		case "::*":
			wild6 = true
			continue
		}
		hosts = append(hosts, a)
		optional[a] = opt
	}
	switch {
	case wild4 && wild6:
		hosts = append(hosts, "")
	case wild4:
		hosts = append(hosts, "0.0.0.0")
	case wild6:
		hosts = append(hosts, "::")
	}
	for _, h := range hosts {
		ln, err := net.Listen("tcp", net.JoinHostPort(h, strconv.Itoa(port)))
		if err != nil {
			if optional[h] {
				continue
			}
			for _, l := range b.lns {
				_ = l.Close()
			}
			b.lns = nil
			return err
		}
		b.lns = append(b.lns, ln)
	}
	if len(b.lns) == 0 {
		return errors.New("no address to listen on")
	}
	return nil
}

// Addr is the first listener's address (tests).
func (b *Bus) Addr() net.Addr { return b.lns[0].Addr() }

// Serve accepts bus connections and runs the cron until Close.
func (b *Bus) Serve() {
	b.eng.ClusterDo(func(c *engine.ClusterCtx) { c.State.OnDelNode = b.freeNodeLinks })
	for _, ln := range b.lns {
		b.wg.Add(1)
		go b.acceptLoop(ln)
	}
	b.wg.Add(1)
	go b.cronLoop()
}

// Close stops the bus and closes every link.
func (b *Bus) Close() {
	b.once.Do(func() {
		close(b.closing)
		for _, ln := range b.lns {
			_ = ln.Close()
		}
		b.eng.ClusterDo(func(c *engine.ClusterCtx) {
			c.State.OnDelNode = nil
			for _, l := range b.out {
				b.freeLink(c, l)
			}
			for l := range b.in {
				b.freeLink(c, l)
			}
		})
	})
	b.wg.Wait()
}

func (b *Bus) acceptLoop(ln net.Listener) {
	defer b.wg.Done()
	for {
		conn, err := ln.Accept()
		if err != nil {
			select {
			case <-b.closing:
				return
			default:
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		b.eng.ClusterDo(func(c *engine.ClusterCtx) {
			l := b.newLink(c, conn, nil)
			b.in[l] = struct{}{}
		})
	}
}

func (b *Bus) cronLoop() {
	defer b.wg.Done()
	t := time.NewTicker(cronInterval)
	defer t.Stop()
	for {
		select {
		case <-b.closing:
			return
		case <-t.C:
			b.eng.ClusterDo(b.cron)
		}
	}
}

// link is one TCP connection of the bus.
type link struct {
	conn    net.Conn
	node    *cluster.Node // nil for an inbound link until the sender is known
	inbound bool
	ctime   int64 // unix ms
	sendq   chan []byte
	done    chan struct{}
	freed   bool
	// queued counts the bytes waiting in sendq (CLUSTER LINKS).
	queued int64
}

// linkMemory is what a link holds besides its queued messages: its state,
// its send queue's slots and the header its reader reads into.
const linkMemory = int64(unsafe.Sizeof(link{})) + sendQueueLen*int64(unsafe.Sizeof([]byte(nil))) + 8

// newLink starts the goroutines of a connected link. Inside ClusterDo.
func (b *Bus) newLink(c *engine.ClusterCtx, conn net.Conn, node *cluster.Node) *link {
	l := &link{conn: conn, node: node, inbound: node == nil, ctime: c.Now(),
		sendq: make(chan []byte, sendQueueLen), done: make(chan struct{})}
	b.wg.Add(2)
	go b.readLoop(l)
	go b.writeLoop(l)
	return l
}

// freeLink closes a link and forgets it (freeClusterLink). Inside
// ClusterDo.
func (b *Bus) freeLink(c *engine.ClusterCtx, l *link) {
	if l.freed {
		return
	}
	l.freed = true
	close(l.done)
	_ = l.conn.Close()
	if l.inbound {
		delete(b.in, l)
		if l.node != nil && l.node.Inbound {
			l.node.Inbound = false
		}
	} else if l.node != nil && b.out[l.node] == l {
		delete(b.out, l.node)
		l.node.Linked = false
	}
}

// freeNodeLinks frees the links of a node leaving the table (Redis's
// freeClusterNode frees node->link and node->inbound_link): after a
// CLUSTER RESET or FORGET, a packet still in flight on them would
// otherwise be taken as the forgotten node's, and its gossip trusted.
// Engine locked.
func (b *Bus) freeNodeLinks(n *cluster.Node) {
	if l := b.out[n]; l != nil {
		b.freeLink(nil, l)
	}
	for l := range b.in {
		if l.node == n {
			b.freeLink(nil, l)
		}
	}
}

func (b *Bus) readLoop(l *link) {
	defer b.wg.Done()
	var head [8]byte
	for {
		if _, err := io.ReadFull(l.conn, head[:]); err != nil {
			b.linkError(l)
			return
		}
		n, err := cluster.PeekLength(head[:])
		if err != nil || n > maxMessage {
			b.eng.ClusterDo(func(c *engine.ClusterCtx) {
				c.Log('#', "Bad message length or signature received from Cluster bus.")
				b.freeLink(c, l)
			})
			return
		}
		buf := make([]byte, n)
		copy(buf, head[:])
		if _, err := io.ReadFull(l.conn, buf[8:]); err != nil {
			b.linkError(l)
			return
		}
		alive := true
		b.eng.ClusterDo(func(c *engine.ClusterCtx) {
			if l.freed {
				alive = false
				return
			}
			b.processPacket(c, l, buf)
			b.beforeSleep(c)
			alive = !l.freed
		})
		if !alive {
			return
		}
	}
}

func (b *Bus) linkError(l *link) {
	b.eng.ClusterDo(func(c *engine.ClusterCtx) { b.freeLink(c, l) })
}

func (b *Bus) writeLoop(l *link) {
	defer b.wg.Done()
	for {
		select {
		case <-l.done:
			return
		case msg := <-l.sendq:
			if _, err := l.conn.Write(msg); err != nil {
				b.linkError(l)
				return
			}
			b.eng.ClusterDo(func(*engine.ClusterCtx) { l.queued -= int64(len(msg)) })
		}
	}
}

// send queues a message on a link. Inside ClusterDo.
func (b *Bus) send(c *engine.ClusterCtx, l *link, m *cluster.Message) {
	if l == nil || l.freed {
		return
	}
	raw := m.Encode()
	select {
	case l.sendq <- raw:
		l.queued += int64(len(raw))
		if m.Type < cluster.MsgTypeCount {
			c.State.MsgSent[m.Type]++
		}
	default:
		name := ""
		if l.node != nil {
			name = l.node.Name
		}
		dir := "to"
		if l.inbound {
			dir = "from"
		}
		c.Log('#', "Freeing cluster link("+dir+" node "+name+", used memory: "+strconv.FormatInt(l.queued, 10)+") due to exceeding send buffer memory limit.")
		c.State.LinksBufferLimitExceeded++
		b.freeLink(c, l)
	}
}

// broadcast sends m on every outbound link of a node out of handshake
// (clusterBroadcastMessage).
func (b *Bus) broadcast(c *engine.ClusterCtx, m *cluster.Message) {
	for _, n := range c.State.Nodes() {
		if n.Flags&(cluster.FlagMyself|cluster.FlagHandshake) != 0 {
			continue
		}
		if l := b.out[n]; l != nil {
			b.send(c, l, m)
		}
	}
}

// connect dials a node's bus port outside the lock, then attaches the
// link and greets the node with a PING or a MEET
// (clusterLinkConnectHandler).
func (b *Bus) connect(n *cluster.Node, ip string, cport int, timeout time.Duration) {
	defer b.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	go func() {
		select {
		case <-b.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip, strconv.Itoa(cport)))
	b.eng.ClusterDo(func(c *engine.ClusterCtx) {
		delete(b.connecting, n)
		if err != nil {
			c.Log('-', "Connection with Node "+n.Name+" at "+ip+":"+strconv.Itoa(cport)+" failed: "+err.Error())
			if n.PingSent == 0 {
				n.PingSent = c.Now()
			}
			return
		}
		select {
		case <-b.closing:
			_ = conn.Close()
			return
		default:
		}
		if c.State.Lookup(n.Name) != n || b.out[n] != nil {
			_ = conn.Close()
			return
		}
		l := b.newLink(c, conn, n)
		b.out[n] = l
		n.Linked = true
		oldPing := n.PingSent
		typ := cluster.MsgPing
		if n.Flags&cluster.FlagMeet != 0 {
			typ = cluster.MsgMeet
		}
		b.sendPing(c, l, typ)
		if oldPing != 0 {
			n.PingSent = oldPing
		}
		n.Flags &^= cluster.FlagMeet
	})
}

// BroadcastPong sends this node's configuration to every node (the
// engine asks after a slot changed hands).
func (b *Bus) BroadcastPong() {
	b.eng.ClusterDoLocked(func(c *engine.ClusterCtx) { b.broadcastPong(c, false) })
}

// Publish propagates a PUBLISH to every node, or an SPUBLISH to the nodes
// of this node's shard (clusterPropagatePublish).
func (b *Bus) Publish(channel, message []byte, shard bool) {
	b.eng.ClusterDoLocked(func(c *engine.ClusterCtx) {
		m := b.header(c, cluster.MsgPublish)
		if shard {
			m.Type = cluster.MsgPublishShard
		}
		m.Channel, m.Payload = channel, message
		if !shard {
			b.broadcast(c, m)
			return
		}
		for _, n := range c.State.ShardNodes(c.State.Myself) {
			if n.Flags&(cluster.FlagMyself|cluster.FlagHandshake) != 0 {
				continue
			}
			if l := b.out[n]; l != nil {
				b.send(c, l, m)
			}
		}
	})
}

// SendMFStart asks master to pause for this replica's manual failover.
func (b *Bus) SendMFStart(master *cluster.Node) {
	b.eng.ClusterDoLocked(func(c *engine.ClusterCtx) {
		if l := b.out[master]; l != nil {
			b.send(c, l, b.header(c, cluster.MsgMFStart))
		}
	})
}

// KillLinks frees n's outbound (to) and inbound (from) links (DEBUG
// CLUSTERLINK KILL; engine locked).
func (b *Bus) KillLinks(n *cluster.Node, to, from bool) {
	if l := b.out[n]; to && l != nil {
		b.freeLink(nil, l)
	}
	if from {
		for l := range b.in {
			if l.node == n {
				b.freeLink(nil, l)
			}
		}
	}
}

// Links describes the links for CLUSTER LINKS (engine locked).
func (b *Bus) Links() []engine.ClusterLinkInfo {
	var out []engine.ClusterLinkInfo
	add := func(l *link, dir string) {
		name := ""
		if l.node != nil {
			name = l.node.Name
		}
		events := "r"
		if l.queued > 0 {
			events = "rw"
		}
		out = append(out, engine.ClusterLinkInfo{Direction: dir, Node: name, CreateTime: l.ctime,
			Events: events, SendBufferAllocated: l.queued, SendBufferUsed: l.queued, MemoryUsed: linkMemory + l.queued})
	}
	b.eng.ClusterDoLocked(func(c *engine.ClusterCtx) {
		for _, n := range c.State.Nodes() {
			if l := b.out[n]; l != nil {
				add(l, "to")
			}
			for l := range b.in {
				if l.node == n {
					add(l, "from")
				}
			}
		}
	})
	return out
}
