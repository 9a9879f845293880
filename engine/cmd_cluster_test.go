package engine

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/cluster"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testMyID    = "1111111111111111111111111111111111111111"
	testOtherID = "2222222222222222222222222222222222222222"
)

// clusterEngine returns an engine in cluster mode on a fake clock, with
// the nodes.conf contents it saved.
func clusterEngine(t testing.TB, conf map[string]string) (*Engine, *fakeClock, *[]string) {
	t.Helper()
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	st := cluster.New(testMyID, clk.Now().UnixMilli())
	var saved []string
	cfg := map[string]string{"port": "7000"}
	for k, v := range conf {
		cfg[k] = v
	}
	e := New(Options{Now: clk.Now, Config: cfg, Cluster: &ClusterOptions{
		State:      st,
		SaveConfig: func(b []byte) error { saved = append(saved, string(b)); return nil },
	}})
	return e, clk, &saved
}

// addPeer puts a master known by name in the table, as the bus would.
func addPeer(e *Engine, name, ip string, port int) *cluster.Node {
	var n *cluster.Node
	e.ClusterDo(func(cc *ClusterCtx) {
		st := cc.State
		n = st.NewNode(name, cluster.FlagMaster, 0)
		n.IP, n.Port, n.CPort, n.Linked = ip, port, port+10000, true
		st.AddNode(n)
	})
	return n
}

func TestClusterDisabled(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	for _, cmd := range []string{"CLUSTER INFO", "CLUSTER KEYSLOT foo", "READONLY", "READWRITE", "ASKING"} {
		assert.Equal(t, errReply("ERR This instance has cluster support disabled"), c.line(cmd), cmd)
	}
}

func TestClusterFreshNode(t *testing.T) {
	e, _, saved := clusterEngine(t, nil)
	c := newClient(t, e)
	assert.Equal(t, bulk(testMyID), c.line("CLUSTER MYID"))
	assert.Equal(t, bulk(testMyID+" :7000@17000 myself,master - 0 0 0 connected\n"), c.line("CLUSTER NODES"))
	assert.Equal(t, bulk("cluster_state:fail\r\ncluster_slots_assigned:0\r\ncluster_slots_ok:0\r\n"+
		"cluster_slots_pfail:0\r\ncluster_slots_fail:0\r\ncluster_known_nodes:1\r\ncluster_size:1\r\n"+
		"cluster_current_epoch:0\r\ncluster_my_epoch:0\r\ncluster_stats_messages_sent:0\r\n"+
		"cluster_stats_messages_received:0\r\ntotal_cluster_links_buffer_limit_exceeded:0\r\n"), c.line("CLUSTER INFO"))
	assert.Equal(t, "*0\r\n", c.line("CLUSTER SLOTS"))
	assert.Equal(t, "*0\r\n", c.line("CLUSTER LINKS"))
	assert.Contains(t, c.line("INFO cluster"), "cluster_enabled:1")
	assert.Contains(t, c.line("INFO server"), "redis_mode:cluster")
	assert.Empty(t, *saved)
	assert.Equal(t, "+OK\r\n", c.line("CLUSTER SAVECONFIG"))
	assert.Equal(t, []string{testMyID + " :7000@17000 myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n"}, *saved)
}

func TestClusterSlotsCommands(t *testing.T) {
	e, clk, saved := clusterEngine(t, nil)
	c := newClient(t, e)
	steps := []struct{ cmd, want string }{
		{"CLUSTER ADDSLOTS 0 1 2", "+OK\r\n"},
		{"CLUSTER ADDSLOTS 2", "-ERR Slot 2 is already busy\r\n"},
		{"CLUSTER ADDSLOTS 5 5", "-ERR Slot 5 specified multiple times\r\n"},
		{"CLUSTER ADDSLOTS 16384", "-ERR Invalid or out of range slot\r\n"},
		{"CLUSTER ADDSLOTS x", "-ERR Invalid or out of range slot\r\n"},
		{"CLUSTER ADDSLOTSRANGE 10 5", "-ERR start slot number 10 is greater than end slot number 5\r\n"},
		{"CLUSTER ADDSLOTSRANGE 3 100 200", "-ERR wrong number of arguments for 'cluster|addslotsrange' command\r\n"},
		{"CLUSTER ADDSLOTSRANGE 3 100 90 110", "-ERR Slot 90 specified multiple times\r\n"},
		{"CLUSTER ADDSLOTSRANGE 3 100 200 300", "+OK\r\n"},
		{"CLUSTER DELSLOTS 500", "-ERR Slot 500 is already unassigned\r\n"},
		{"CLUSTER DELSLOTSRANGE 50 60", "+OK\r\n"},
		{"CLUSTER DELSLOTS 300", "+OK\r\n"},
		{"CLUSTER COUNTKEYSINSLOT 16384", "-ERR Invalid slot\r\n"},
		{"CLUSTER COUNTKEYSINSLOT x", "-ERR value is not an integer or out of range\r\n"},
		{"CLUSTER GETKEYSINSLOT 0 -1", "-ERR Invalid slot or number of keys\r\n"},
		{"CLUSTER KEYSLOT {user1000}.following", ":3443\r\n"},
	}
	for _, st := range steps {
		assert.Equal(t, st.want, c.line(st.cmd), st.cmd)
	}
	assert.Equal(t, bulk(testMyID+" :7000@17000 myself,master - 0 0 0 connected 0-49 61-100 200-299\n"), c.line("CLUSTER NODES"))
	assert.Contains(t, (*saved)[len(*saved)-1], " 0-49 61-100 200-299\nvars currentEpoch 0 lastVoteEpoch 0\n")
	// Not every slot is served: the state stays fail.
	clk.Advance(3 * time.Second)
	e.ClusterCron()
	assert.Contains(t, c.line("CLUSTER INFO"), "cluster_state:fail\r\ncluster_slots_assigned:190\r\ncluster_slots_ok:190\r\n")
	assert.Equal(t, "-CLUSTERDOWN Hash slot not served\r\n", c.line("GET foo"))
	assert.Equal(t, "-CLUSTERDOWN The cluster is down\r\n", c.line("GET "+keyInSlot(7)))
	assert.Equal(t, "-CLUSTERDOWN The cluster is down\r\n", c.line("GET "+keyInSlot(7)))
	assert.Equal(t, "-CLUSTERDOWN The cluster is down\r\n", c.line("GET "+keyInSlot(7)))
}

// keyInSlot finds a key that hashes to slot.
func keyInSlot(slot int) string {
	for i := 0; ; i++ {
		k := "k" + strconv.Itoa(i)
		if cluster.KeySlot(k) == slot {
			return k
		}
	}
}

// twoNodeCluster gives this node slots 0-8191 and a peer 8192-16383, with
// the cluster state ok.
func twoNodeCluster(t *testing.T) (*Engine, *client, *cluster.Node) {
	e, clk, _ := clusterEngine(t, nil)
	c := newClient(t, e)
	peer := addPeer(e, testOtherID, "127.0.0.1", 7001)
	require.Equal(t, "+OK\r\n", c.line("CLUSTER ADDSLOTSRANGE 0 8191"))
	e.ClusterDo(func(cc *ClusterCtx) {
		st := cc.State
		for j := 8192; j < cluster.Slots; j++ {
			st.AddSlot(peer, j)
		}
		st.Todo |= cluster.TodoUpdateState
	})
	clk.Advance(3 * time.Second)
	e.ClusterCron()
	require.Contains(t, c.line("CLUSTER INFO"), "cluster_state:ok\r\n")
	return e, c, peer
}

func TestClusterRedirections(t *testing.T) {
	e, c, _ := twoNodeCluster(t)
	mine, theirs := keyInSlot(100), keyInSlot(9000)
	other := keyInSlot(101)
	steps := []struct{ cmd, want string }{
		{"SET " + mine + " v", "+OK\r\n"},
		{"GET " + mine, bulk("v")},
		{"GET " + theirs, "-MOVED 9000 127.0.0.1:7001\r\n"},
		{"MSET " + mine + " 1 " + other + " 2", "-CROSSSLOT Keys in request don't hash to the same slot\r\n"},
		{"MSET {s}a 1 {s}b 2", "+OK\r\n"},
		{"MGET {s}a {s}b", arr(bulk("1"), bulk("2"))},
		// movable keys: found with the key specs
		{"ZUNIONSTORE {s}d 2 {s}a " + mine, "-CROSSSLOT Keys in request don't hash to the same slot\r\n"},
		{"LMPOP 2 " + mine + " " + theirs + " LEFT", "-CROSSSLOT Keys in request don't hash to the same slot\r\n"},
		{"SORT " + mine + " BY nosort STORE " + theirs, "-CROSSSLOT Keys in request don't hash to the same slot\r\n"},
		// no keys: served here
		{"PING", "+PONG\r\n"},
		{"SELECT 1", "-ERR SELECT is not allowed in cluster mode\r\n"},
		{"SELECT 0", "+OK\r\n"},
		{"SWAPDB 0 1", "-ERR SWAPDB is not allowed in cluster mode\r\n"},
		{"MOVE " + mine + " 1", "-ERR MOVE is not allowed in cluster mode\r\n"},
		{"COPY {s}a {s}c DB 1", "-ERR Copying to another database is not allowed in cluster mode\r\n"},
		{"REPLICAOF 127.0.0.1 7001", "-ERR REPLICAOF not allowed in cluster mode.\r\n"},
		{"CLUSTER COUNTKEYSINSLOT 100", ":1\r\n"},
		{"CLUSTER GETKEYSINSLOT 100 10", arr(bulk(mine))},
		{"CLUSTER GETKEYSINSLOT 100 0", "*0\r\n"},
	}
	for _, st := range steps {
		assert.Equal(t, st.want, c.line(st.cmd), st.cmd)
	}
	// A transaction: queued commands are not checked one by one; EXEC
	// is, and a refused EXEC discards the transaction.
	assert.Equal(t, "+OK\r\n", c.line("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", c.line("GET "+mine))
	assert.Equal(t, "-MOVED 9000 127.0.0.1:7001\r\n", c.line("GET "+theirs))
	assert.Equal(t, "-EXECABORT Transaction discarded because of previous errors.\r\n", c.line("EXEC"))
	assert.Equal(t, "+OK\r\n", c.line("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", c.line("GET "+mine))
	assert.Equal(t, "+QUEUED\r\n", c.line("GET {s}a"))
	assert.Equal(t, "-CROSSSLOT Keys in request don't hash to the same slot\r\n", c.line("EXEC"))
	assert.Equal(t, "-ERR EXEC without MULTI\r\n", c.line("EXEC"))
	// The error counts under its code, and the command as rejected.
	info := c.line("INFO errorstats")
	assert.Contains(t, info, "errorstat_MOVED:count=2")
	assert.Contains(t, info, "errorstat_CROSSSLOT:count=5")
	stats := c.line("INFO commandstats")
	assert.Contains(t, stats, "cmdstat_get:calls=1,")
	assert.Contains(t, stats, ",rejected_calls=2,failed_calls=0\r\ncmdstat_info:")
	// Deleting the key empties the index.
	assert.Equal(t, ":1\r\n", c.line("DEL "+mine))
	assert.Equal(t, ":0\r\n", c.line("CLUSTER COUNTKEYSINSLOT 100"))
	assert.Equal(t, "*0\r\n", c.line("CLUSTER GETKEYSINSLOT 100 10"))
	_ = e
}

func TestClusterMigratingImporting(t *testing.T) {
	e, c, peer := twoNodeCluster(t)
	k1, k2 := "{s}one", "{s}two"
	slot := cluster.KeySlot(k1)
	require.Less(t, slot, 8192)
	require.Equal(t, "+OK\r\n", c.line("SET "+k1+" 1"))
	steps := []struct{ cmd, want string }{
		{"CLUSTER SETSLOT " + itoa(int64(slot)) + " MIGRATING 3333333333333333333333333333333333333333", "-ERR I don't know about node 3333333333333333333333333333333333333333\r\n"},
		{"CLUSTER SETSLOT 9000 MIGRATING " + peer.Name, "-ERR I'm not the owner of hash slot 9000\r\n"},
		{"CLUSTER SETSLOT " + itoa(int64(slot)) + " MIGRATING " + peer.Name, "+OK\r\n"},
		// keys present: served; missing: ASK; mixed: TRYAGAIN
		{"GET " + k1, bulk("1")},
		{"GET " + k2, "-ASK " + itoa(int64(slot)) + " 127.0.0.1:7001\r\n"},
		{"MGET " + k1 + " " + k2, "-TRYAGAIN Multiple keys request during rehashing of slot\r\n"},
		{"CLUSTER SETSLOT " + itoa(int64(slot)) + " NODE " + peer.Name, "-ERR Can't assign hashslot " + itoa(int64(slot)) + " to a different node while I still hold keys for this hash slot.\r\n"},
		{"CLUSTER SETSLOT " + itoa(int64(slot)) + " STABLE", "+OK\r\n"},
		{"GET " + k2, "$-1\r\n"},
		{"CLUSTER SETSLOT " + itoa(int64(slot)) + " FOO", "-ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP\r\n"},
		// importing a slot of the peer: only ASKING clients are served
		{"CLUSTER SETSLOT 9000 IMPORTING " + peer.Name, "+OK\r\n"},
		{"CLUSTER SETSLOT 100 IMPORTING " + peer.Name, "-ERR I'm already the owner of hash slot 100\r\n"},
		{"GET " + keyInSlot(9000), "-MOVED 9000 127.0.0.1:7001\r\n"},
		{"ASKING", "+OK\r\n"},
		{"GET " + keyInSlot(9000), "$-1\r\n"},
		{"GET " + keyInSlot(9000), "-MOVED 9000 127.0.0.1:7001\r\n"},
	}
	for _, st := range steps {
		assert.Equal(t, st.want, c.line(st.cmd), st.cmd)
	}
	assert.Contains(t, c.line("CLUSTER NODES"), " 0-8191 [9000-<-"+peer.Name+"]\n")
	// Taking the slot over ends the import and bumps the epoch.
	assert.Equal(t, "+OK\r\n", c.line("CLUSTER SETSLOT 9000 NODE "+testMyID))
	assert.Contains(t, c.line("CLUSTER NODES"), testMyID+" :7000@17000 myself,master - 0 0 1 connected 0-8191 9000\n")
	assert.Equal(t, "+STILL 1\r\n", c.line("CLUSTER BUMPEPOCH"))
	_ = e
}

func TestClusterAskingResetsAfterOneCommand(t *testing.T) {
	_, c, peer := twoNodeCluster(t)
	key := keyInSlot(9000)
	require.Equal(t, "+OK\r\n", c.line("CLUSTER SETSLOT 9000 IMPORTING "+peer.Name))
	// ASKING holds through a transaction, up to its EXEC.
	assert.Equal(t, "+OK\r\n", c.line("ASKING"))
	assert.Equal(t, "+OK\r\n", c.line("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", c.line("SET "+key+" 1"))
	assert.Equal(t, arr("+OK\r\n"), c.line("EXEC"))
	assert.Equal(t, "-MOVED 9000 127.0.0.1:7001\r\n", c.line("GET "+key))
	assert.Equal(t, "+OK\r\n", c.line("ASKING"))
	assert.Equal(t, "+PONG\r\n", c.line("PING"))
	assert.Equal(t, "-MOVED 9000 127.0.0.1:7001\r\n", c.line("GET "+key))
}

func TestClusterReplicaReadonly(t *testing.T) {
	e, clk, _ := clusterEngine(t, nil)
	c := newClient(t, e)
	peer := addPeer(e, testOtherID, "127.0.0.1", 7001)
	e.ClusterDo(func(cc *ClusterCtx) {
		st := cc.State
		for j := range cluster.Slots {
			st.AddSlot(peer, j)
		}
	})
	assert.Equal(t, "-ERR Unknown node 3333333333333333333333333333333333333333\r\n", c.line("CLUSTER REPLICATE 3333333333333333333333333333333333333333"))
	assert.Equal(t, "-ERR Can't replicate myself\r\n", c.line("CLUSTER REPLICATE "+testMyID))
	assert.Equal(t, "+OK\r\n", c.line("CLUSTER REPLICATE "+peer.Name))
	assert.Contains(t, c.line("CLUSTER NODES"), testMyID+" :7000@17000 myself,slave "+peer.Name+" 0 0 0 connected\n")
	assert.Equal(t, arr(bulk(testMyID+" :7000@17000 myself,slave "+peer.Name+" 0 0 0 connected")), c.line("CLUSTER REPLICAS "+peer.Name))
	assert.Equal(t, "-ERR The specified node is not a master\r\n", c.line("CLUSTER REPLICAS "+testMyID))
	assert.Equal(t, "-ERR Please use SETSLOT only with masters.\r\n", c.line("CLUSTER SETSLOT 1 STABLE"))
	clk.Advance(3 * time.Second)
	e.ClusterCron()
	key := keyInSlot(5)
	assert.Equal(t, "-MOVED 5 127.0.0.1:7001\r\n", c.line("GET "+key))
	assert.Equal(t, "+OK\r\n", c.line("READONLY"))
	assert.Equal(t, "$-1\r\n", c.line("GET "+key))
	assert.Equal(t, "-MOVED 5 127.0.0.1:7001\r\n", c.line("SET "+key+" 1"))
	assert.Equal(t, "+OK\r\n", c.line("READWRITE"))
	assert.Equal(t, "-MOVED 5 127.0.0.1:7001\r\n", c.line("GET "+key))
	assert.Equal(t, "-ERR syntax error\r\n", c.line("CLUSTER FAILOVER BAD"))
}

func TestClusterForgetResetEpoch(t *testing.T) {
	e, clk, saved := clusterEngine(t, nil)
	c := newClient(t, e)
	assert.Equal(t, "-ERR Invalid config epoch specified: -1\r\n", c.line("CLUSTER SET-CONFIG-EPOCH -1"))
	assert.Equal(t, "+OK\r\n", c.line("CLUSTER SET-CONFIG-EPOCH 5"))
	assert.Equal(t, "-ERR Node config epoch is already non-zero\r\n", c.line("CLUSTER SET-CONFIG-EPOCH 6"))
	assert.Contains(t, c.line("CLUSTER INFO"), "cluster_current_epoch:5\r\ncluster_my_epoch:5\r\n")
	assert.Equal(t, "+STILL 5\r\n", c.line("CLUSTER BUMPEPOCH"))
	peer := addPeer(e, testOtherID, "127.0.0.1", 7001)
	assert.Equal(t, "-ERR The user can assign a config epoch only when the node does not know any other node.\r\n", c.line("CLUSTER SET-CONFIG-EPOCH 6"))
	assert.Equal(t, ":0\r\n", c.line("CLUSTER COUNT-FAILURE-REPORTS "+peer.Name))
	assert.Equal(t, "-ERR I tried hard but I can't forget myself...\r\n", c.line("CLUSTER FORGET "+testMyID))
	assert.Equal(t, "+OK\r\n", c.line("CLUSTER FORGET "+peer.Name))
	assert.Equal(t, "-ERR Unknown node "+peer.Name+"\r\n", c.line("CLUSTER FORGET "+peer.Name))
	assert.Equal(t, "+OK\r\n", c.line("CLUSTER MEET 127.0.0.1 7002"))
	assert.Equal(t, "-ERR Invalid node address specified: nohost:7002\r\n", c.line("CLUSTER MEET nohost 7002"))
	assert.Equal(t, "-ERR Invalid TCP base port specified: x\r\n", c.line("CLUSTER MEET 127.0.0.1 x"))
	assert.Equal(t, "-ERR unknown subcommand or wrong number of arguments for 'MEET'. Try CLUSTER HELP.\r\n", c.line("CLUSTER MEET 127.0.0.1 1 2 3"))
	nodes := c.line("CLUSTER NODES")
	assert.Contains(t, nodes, " 127.0.0.1:7002@17002 handshake - 0 0 0 disconnected\n")
	// nodes in handshake are not saved
	assert.Equal(t, "+OK\r\n", c.line("CLUSTER SAVECONFIG"))
	assert.Equal(t, testMyID+" :7000@17000 myself,master - 0 0 5 connected\nvars currentEpoch 5 lastVoteEpoch 0\n", (*saved)[len(*saved)-1])
	assert.Equal(t, "+OK\r\n", c.line("CLUSTER ADDSLOTSRANGE 0 16383"))
	clk.Advance(3 * time.Second)
	e.ClusterCron()
	assert.Equal(t, "+OK\r\n", c.line("SET k v"))
	assert.Equal(t, "-ERR CLUSTER RESET can't be called with master nodes containing keys\r\n", c.line("CLUSTER RESET"))
	assert.Equal(t, "-ERR DB must be empty to perform CLUSTER FLUSHSLOTS.\r\n", c.line("CLUSTER FLUSHSLOTS"))
	assert.Equal(t, ":1\r\n", c.line("DEL k"))
	assert.Equal(t, "-ERR syntax error\r\n", c.line("CLUSTER RESET MEDIUM"))
	assert.Equal(t, "+OK\r\n", c.line("CLUSTER RESET HARD"))
	id := c.line("CLUSTER MYID")
	assert.NotEqual(t, bulk(testMyID), id)
	assert.Contains(t, c.line("CLUSTER INFO"), "cluster_slots_assigned:0\r\n")
	assert.Contains(t, c.line("CLUSTER INFO"), "cluster_current_epoch:0\r\ncluster_my_epoch:0\r\n")
}

func TestClusterDelSlotsUnsubscribesShardChannels(t *testing.T) {
	e, _, _ := clusterEngine(t, nil)
	c := newClient(t, e)
	sub := newClient(t, e)
	require.Equal(t, "+OK\r\n", c.line("CLUSTER ADDSLOTSRANGE 0 16383"))
	assert.Equal(t, "-CROSSSLOT Keys in request don't hash to the same slot\r\n", sub.line("SSUBSCRIBE {a}x {b}y"))
	require.Equal(t, arr(bulk("ssubscribe"), bulk("{a}x"), integer(1)), sub.line("SSUBSCRIBE {a}x"))
	require.Equal(t, arr(bulk("ssubscribe"), bulk("{b}y"), integer(2)), sub.line("SSUBSCRIBE {b}y"))
	assert.Equal(t, "+OK\r\n", c.line("CLUSTER DELSLOTS "+itoa(int64(cluster.KeySlot("a")))))
	assert.Equal(t, arr(bulk("sunsubscribe"), bulk("{a}x"), integer(1)), string(sub.s.TakeOutput(nil)))
	assert.Equal(t, arr(bulk("{b}y")), c.line("PUBSUB SHARDCHANNELS"))
}

func TestClusterVerifyData(t *testing.T) {
	e, _, saved := clusterEngine(t, nil)
	c := newClient(t, e)
	peer := addPeer(e, testOtherID, "127.0.0.1", 7001)
	e.ClusterDo(func(cc *ClusterCtx) { cc.State.AddSlot(peer, cluster.KeySlot("theirs")) })
	// Data loaded before the slots were known (as from an RDB file).
	e.ClusterDo(func(cc *ClusterCtx) {
		db := e.main.dbs[0]
		db.setStringRaw("mine", "1")
		db.setStringRaw("theirs", "2")
	})
	require.NoError(t, e.VerifyClusterData())
	nodes := c.line("CLUSTER NODES")
	assert.Contains(t, nodes, " connected "+itoa(int64(cluster.KeySlot("mine")))+" ["+itoa(int64(cluster.KeySlot("theirs")))+"-<-"+testOtherID+"]\n")
	assert.NotEmpty(t, *saved)
	e.ClusterDo(func(cc *ClusterCtx) { e.main.dbs[3].setStringRaw("x", "1") })
	assert.ErrorIs(t, e.VerifyClusterData(), ErrClusterDataOutsideDB0)
}

// cluster-announce-hostname is checked as Redis's isValidAnnouncedHostname
// (tests/cluster 27-endpoints "Test hostname validation").
func TestClusterAnnounceHostnameValidation(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	const prefix = "-ERR CONFIG SET failed (possibly related to argument 'cluster-announce-hostname') - "
	assert.Equal(t, prefix+"Hostnames must be less than 256 characters\r\n",
		c.do("CONFIG", "SET", "cluster-announce-hostname", strings.Repeat("x", 256)))
	assert.Equal(t, prefix+"Hostnames may only contain alphanumeric characters, hyphens or dots\r\n",
		c.do("CONFIG", "SET", "cluster-announce-hostname", "?.com"))
	valid := "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-."
	assert.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "cluster-announce-hostname", valid))
	assert.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "cluster-announce-hostname", strings.Repeat("x", 255)))
	assert.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "cluster-announce-hostname", ""))
}

func TestDebugClusterLinkOutsideCluster(t *testing.T) {
	e := New(Options{Config: map[string]string{"enable-debug-command": "yes"}})
	c := newClient(t, e)
	assert.Equal(t, "-ERR Debug option only available for cluster mode enabled setup!\r\n",
		c.do("DEBUG", "CLUSTERLINK", "KILL", "all", testOtherID))
	ce, _, _ := clusterEngine(t, map[string]string{"enable-debug-command": "yes"})
	cc := newClient(t, ce)
	assert.Equal(t, "-ERR Unknown node "+testOtherID+"\r\n", cc.do("DEBUG", "CLUSTERLINK", "KILL", "all", testOtherID))
	assert.Equal(t, "+OK\r\n", cc.do("DEBUG", "CLUSTERLINK", "KILL", "all", testMyID), "no bus: nothing to free")
}
