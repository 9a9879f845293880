package clusterbus

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/cluster"
	"github.com/goredis-dev/goredis/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testNode is an engine in cluster mode with its bus, on the ports
// 7891+i (client, announced only) and 17891+i (bus).
type testNode struct {
	eng  *engine.Engine
	bus  *Bus
	sess *engine.Session
	port int
	// cport is the bus port.
	cport int
}

func (n *testNode) do(args ...string) string {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	n.sess.Exec(argv)
	return string(n.sess.TakeOutput(nil))
}

func startNode(t *testing.T, i int) *testNode {
	port := 7891 + i
	return startNodeAt(t, port, port+cluster.PortIncr)
}

// startFreeNode starts a node whose bus listens on a port the system
// picked (cluster-port), announcing an unused client port: fixed ports
// may be taken by another process's outgoing connection.
func startFreeNode(t *testing.T) *testNode {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return startNodeAt(t, 1+port%60000, port)
}

// startNodeAt starts a node announcing port (client) and listening on
// cport (bus).
func startNodeAt(t *testing.T, port, cport int) *testNode {
	st := cluster.New(cluster.RandomName(), time.Now().UnixMilli())
	eng := engine.New(engine.Options{
		Config: map[string]string{"port": strconv.Itoa(port), "cluster-port": strconv.Itoa(cport), "enable-debug-command": "yes",
			"cluster-node-timeout": "500"},
		Cluster: &engine.ClusterOptions{State: st},
	})
	bus := New(eng, func(byte, string) {})
	require.NoError(t, bus.Listen([]string{"127.0.0.1"}, cport))
	eng.SetClusterBus(bus)
	bus.Serve()
	n := &testNode{eng: eng, bus: bus, sess: eng.NewSession(engine.ClientInfo{Addr: "127.0.0.1:1", Kind: "test"}),
		port: port, cport: cport}
	t.Cleanup(func() {
		n.sess.Close()
		bus.Close()
	})
	return n
}

// eventually polls cond for up to limit (generous: gossip converges in a
// few node timeouts of 500 ms).
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not reached in %v: %s", limit, what)
		}
	}
}

func TestBusFormsClusterAndDetectsFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a cluster bus for seconds")
	}
	nodes := []*testNode{startNode(t, 0), startNode(t, 1), startNode(t, 2)}
	ids := make([]string, 3)
	for i, n := range nodes {
		out := n.do("CLUSTER", "MYID")
		ids[i] = strings.Split(out, "\r\n")[1]
	}
	require.Equal(t, "+OK\r\n", nodes[0].do("CLUSTER", "ADDSLOTSRANGE", "0", "5460"))
	require.Equal(t, "+OK\r\n", nodes[1].do("CLUSTER", "ADDSLOTSRANGE", "5461", "10922"))
	require.Equal(t, "+OK\r\n", nodes[2].do("CLUSTER", "ADDSLOTSRANGE", "10923", "16383"))
	for i, n := range nodes {
		require.Equal(t, "+OK\r\n", n.do("CLUSTER", "SET-CONFIG-EPOCH", strconv.Itoa(i+1)))
	}
	// One MEET each way is enough: gossip introduces the third node.
	require.Equal(t, "+OK\r\n", nodes[0].do("CLUSTER", "MEET", "127.0.0.1", "7892"))
	require.Equal(t, "+OK\r\n", nodes[1].do("CLUSTER", "MEET", "127.0.0.1", "7893"))
	for _, n := range nodes {
		eventually(t, 20*time.Second, "cluster_state:ok", func() bool {
			return strings.Contains(n.do("CLUSTER", "INFO"), "cluster_state:ok")
		})
	}
	info := nodes[0].do("CLUSTER", "INFO")
	assert.Contains(t, info, "cluster_known_nodes:3\r\ncluster_size:3\r\ncluster_current_epoch:3\r\ncluster_my_epoch:1\r\n")
	assert.Contains(t, info, "cluster_stats_messages_ping_sent:")
	// Every node redirects to the owner.
	key := "foo" // slot 12182: the third node
	for _, n := range nodes[:2] {
		assert.Equal(t, "-MOVED 12182 127.0.0.1:7893\r\n", n.do("GET", key))
	}
	assert.Equal(t, "$-1\r\n", nodes[2].do("GET", key))
	nodesOut := nodes[1].do("CLUSTER", "NODES")
	for i, id := range ids {
		assert.Contains(t, nodesOut, id+" 127.0.0.1:"+strconv.Itoa(7891+i)+"@"+strconv.Itoa(17891+i))
	}
	links := nodes[0].do("CLUSTER", "LINKS")
	assert.Contains(t, links, "direction")
	// INFO counts what the links hold (Redis counts each link's struct and
	// buffers): at least a link's state for each link listed.
	mem := nodes[0].do("INFO", "memory")
	i := strings.Index(mem, "mem_cluster_links:")
	require.GreaterOrEqual(t, i, 0)
	n, err := strconv.ParseInt(strings.TrimSpace(mem[i+len("mem_cluster_links:"):i+strings.Index(mem[i:], "\r")]), 10, 64)
	require.NoError(t, err)
	count := int64(strings.Count(links, "direction"))
	assert.Positive(t, count)
	assert.GreaterOrEqual(t, n, count*linkMemory, "mem_cluster_links with %d links", count)
	// PUBLISH reaches the other nodes' subscribers over the bus.
	sub := nodes[2].eng.NewSession(engine.ClientInfo{Addr: "127.0.0.1:2", Kind: "test"})
	defer sub.Close()
	sub.Exec([][]byte{[]byte("SUBSCRIBE"), []byte("news")})
	sub.TakeOutput(nil)
	assert.Equal(t, ":0\r\n", nodes[0].do("PUBLISH", "news", "hi"))
	var got string
	eventually(t, 10*time.Second, "message delivered", func() bool {
		got += string(sub.TakeOutput(nil))
		return strings.Contains(got, "hi")
	})
	assert.Equal(t, "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n", got)
	// The third node goes away: the others flag it PFAIL, agree on FAIL,
	// and the cluster is down (its slots have no replica).
	nodes[2].bus.Close()
	for _, n := range nodes[:2] {
		eventually(t, 20*time.Second, "FAIL agreed", func() bool {
			for _, line := range strings.Split(n.do("CLUSTER", "NODES"), "\n") {
				if strings.HasPrefix(line, ids[2]) && strings.Contains(line, "master,fail ") {
					return true
				}
			}
			return false
		})
		eventually(t, 10*time.Second, "cluster_state:fail", func() bool {
			return strings.Contains(n.do("CLUSTER", "INFO"), "cluster_state:fail")
		})
		assert.Equal(t, "-CLUSTERDOWN The cluster is down\r\n", n.do("GET", "x"))
	}
}

// A node that forgets its peers (CLUSTER RESET HARD, as the cluster
// tests do before every unit) frees their links at once, as Redis's
// freeClusterNode does: a link kept open would still speak for the
// forgotten node, and the gossip read on it (the peer's old view, with
// node IDs since renamed) would come back into the table as nodes that
// answer under other names, then as noaddr entries no MEET removes.
func TestResetFreesForgottenNodesLinks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a cluster bus for seconds")
	}
	a, b := startFreeNode(t), startFreeNode(t)
	require.Equal(t, "+OK\r\n", a.do("CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(b.port), strconv.Itoa(b.cport)))
	linked := func(n *testNode) bool {
		ok := false
		n.eng.ClusterDo(func(c *engine.ClusterCtx) {
			ok = len(n.bus.out) == 1 && len(n.bus.in) == 1
			for l := range n.bus.in {
				ok = ok && l.node != nil
			}
		})
		return ok
	}
	eventually(t, 20*time.Second, "both links of each node bound", func() bool { return linked(a) && linked(b) })
	require.Equal(t, "+OK\r\n", a.do("CLUSTER", "RESET", "HARD"))
	a.eng.ClusterDo(func(c *engine.ClusterCtx) {
		assert.Empty(t, a.bus.out, "outbound links of forgotten nodes")
		for l := range a.bus.in {
			assert.True(t, l.node == nil, "an inbound link still bound to a forgotten node")
		}
	})
	// b's pings now reach a as an unknown sender: a learns nothing from them.
	time.Sleep(1500 * time.Millisecond)
	assert.Equal(t, 1, strings.Count(a.do("CLUSTER", "NODES"), "@"), a.do("CLUSTER", "NODES"))
}

// A link whose unsent bytes pass cluster-link-sendbuf-limit is freed by
// the cron and counted (tests/cluster 24-links); the cron then makes a
// new outbound link.
func TestLinkFreedOverSendbufLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a cluster bus for seconds")
	}
	a, b := startFreeNode(t), startFreeNode(t)
	require.Equal(t, "+OK\r\n", a.do("CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(b.port), strconv.Itoa(b.cport)))
	var peer *cluster.Node
	eventually(t, 20*time.Second, "a's outbound link to b", func() bool {
		ok := false
		a.eng.ClusterDo(func(c *engine.ClusterCtx) {
			for n, l := range a.bus.out {
				if n != c.State.Myself && !n.InHandshake() && l != nil {
					peer, ok = n, true
				}
			}
		})
		return ok
	})
	require.Equal(t, "+OK\r\n", a.do("CONFIG", "SET", "cluster-link-sendbuf-limit", "1000"))
	var first *link
	a.eng.ClusterDo(func(c *engine.ClusterCtx) {
		first = a.bus.out[peer]
		first.queued += 2000 // as if b stopped reading
		a.bus.cron(c)
		assert.True(t, first.freed)
		assert.Equal(t, int64(1), c.State.LinksBufferLimitExceeded)
	})
	assert.Contains(t, a.do("CLUSTER", "INFO"), "total_cluster_links_buffer_limit_exceeded:1\r\n")
	eventually(t, 10*time.Second, "a new outbound link", func() bool {
		ok := false
		a.eng.ClusterDo(func(c *engine.ClusterCtx) {
			l := a.bus.out[peer]
			ok = l != nil && l != first
		})
		return ok
	})
}

// DEBUG CLUSTERLINK KILL frees the links with a node at once (a message
// published in the same transaction is lost on them); the cron and the
// peer make new ones (unit/cluster/links).
func TestDebugClusterLinkKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a cluster bus for seconds")
	}
	a, b := startFreeNode(t), startFreeNode(t)
	require.Equal(t, "+OK\r\n", a.do("CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(b.port), strconv.Itoa(b.cport)))
	bid := strings.Split(b.do("CLUSTER", "MYID"), "\r\n")[1]
	twoLinks := func() bool { return strings.Count(a.do("CLUSTER", "LINKS"), bid) == 2 }
	eventually(t, 20*time.Second, "a link to b and one from b", twoLinks)
	assert.Equal(t, "+OK\r\n", a.do("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", a.do("DEBUG", "CLUSTERLINK", "KILL", "ALL", bid))
	assert.Equal(t, "+QUEUED\r\n", a.do("CLUSTER", "LINKS"))
	assert.Equal(t, "*2\r\n+OK\r\n*0\r\n", a.do("EXEC"))
	eventually(t, 20*time.Second, "links made again", twoLinks)
	assert.Equal(t, "+OK\r\n", a.do("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", a.do("DEBUG", "CLUSTERLINK", "KILL", "to", bid))
	assert.Equal(t, "+QUEUED\r\n", a.do("CLUSTER", "LINKS"))
	out := a.do("EXEC")
	assert.Equal(t, 1, strings.Count(out, bid), out)
	assert.Contains(t, out, "from")
	assert.Equal(t, "-ERR Unknown node nosuchnode\r\n", a.do("DEBUG", "CLUSTERLINK", "KILL", "all", "nosuchnode"))
	assert.Equal(t, "-ERR Unknown direction up\r\n", a.do("DEBUG", "CLUSTERLINK", "KILL", "up", bid))
}

type recordingLink struct{ follows []string }

func (l *recordingLink) Follow(host string, port int) {
	l.follows = append(l.follows, host+":"+strconv.Itoa(port))
}
func (l *recordingLink) Stop() {}

// The cron does not run while the dataset loads (Redis's clusterCron is a
// time event, which processEventsWhileBlocked does not serve): a cluster
// replica restarting starts replicating once its own files are loaded,
// not in the middle of replaying them.
func TestCronWaitsForLoad(t *testing.T) {
	a := startFreeNode(t)
	link := &recordingLink{}
	a.eng.SetReplicaLink(link)
	a.eng.ClusterDo(func(c *engine.ClusterCtx) {
		m := c.State.NewNode(strings.Repeat("b", 40), cluster.FlagMaster, c.Now())
		m.IP, m.Port, m.CPort = "127.0.0.1", 1, 2
		c.State.AddNode(m)
		c.State.SetMyMaster(m)
	})
	// follows is read under the engine's lock: the bus's own cron runs too.
	follows := func() []string {
		var out []string
		a.eng.ClusterDo(func(c *engine.ClusterCtx) {
			a.bus.cron(c)
			out = append(out, link.follows...)
		})
		return out
	}
	s, ld := a.eng.StartLoading(0)
	assert.Empty(t, follows(), "replication started while loading")
	a.eng.StopLoading(s, ld)
	assert.Equal(t, []string{"127.0.0.1:1"}, follows())
}
