package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The cluster tests use fixed ports (7821-7846, bus ports +10000): the
// bus port of a node is its port plus 10000, which a random free port
// does not guarantee to be free.

// clusterNode is one server of a test cluster.
type clusterNode struct {
	port int
	cmd  *exec.Cmd
}

func (n clusterNode) addr() string { return "127.0.0.1:" + strconv.Itoa(n.port) }

// startGoRedisNode starts a GoRedis node in cluster mode in its own dir.
func startGoRedisNode(t *testing.T, bin string, port int) clusterNode {
	dir := t.TempDir()
	cmd, _ := started(t, bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--cluster-enabled", "yes", "--cluster-node-timeout", "3000", "--save", "", "--appendonly", "no")
	return clusterNode{port, cmd}
}

// startRedisNode starts Debian's redis-server in cluster mode.
func startRedisNode(t *testing.T, port int) clusterNode {
	dir := t.TempDir()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--cluster-enabled", "yes", "--cluster-node-timeout", "3000", "--save", "", "--appendonly", "no",
		"--logfile", filepath.Join(dir, "log.txt"))
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	waitFor(t, 10*time.Second, func() bool {
		return exec.Command("redis-cli", "-p", strconv.Itoa(port), "ping").Run() == nil
	})
	return clusterNode{port, cmd}
}

// waitFor polls cond until it holds, failing the test after limit (a
// generous bound: the cluster converges in a few node timeouts).
func waitFor(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in time")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func cli(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("redis-cli", args...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return string(out)
}

// createCluster runs redis-cli --cluster create over nodes with one
// replica per master and waits until every node reports cluster_state:ok.
func createCluster(t *testing.T, nodes []clusterNode) {
	args := []string{"--cluster", "create"}
	for _, n := range nodes {
		args = append(args, n.addr())
	}
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	out := cli(t, args...)
	require.Contains(t, out, "[OK] All nodes agree about slots configuration.", out)
	require.Contains(t, out, "[OK] All 16384 slots covered.", out)
	for _, n := range nodes {
		waitFor(t, 30*time.Second, func() bool {
			out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(n.port), "cluster", "info").Output()
			return strings.Contains(string(out), "cluster_state:ok")
		})
	}
}

// checkCluster runs redis-cli --cluster check against a node.
func checkCluster(t *testing.T, n clusterNode) {
	out := cli(t, "--cluster", "check", n.addr())
	assert.Contains(t, out, "[OK] All nodes agree about slots configuration.", out)
	assert.Contains(t, out, "[OK] All 16384 slots covered.", out)
	assert.NotContains(t, out, "[ERR]", out)
}

func needClusterTools(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli is not installed")
	}
}

// exerciseCluster writes keys through go-redis's ClusterClient, kills the
// master of one of them and checks that its replica takes over with the
// data.
func exerciseCluster(t *testing.T, nodes []clusterNode) {
	ctx := context.Background()
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.addr())
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, MaxRedirects: 16})
	defer cc.Close()
	const keys = 200
	for i := range keys {
		require.NoError(t, cc.Set(ctx, "key:"+strconv.Itoa(i), i, 0).Err())
	}
	for i := range keys {
		v, err := cc.Get(ctx, "key:"+strconv.Itoa(i)).Int()
		require.NoError(t, err)
		require.Equal(t, i, v)
	}
	// Which node serves key:0, and which replica follows it?
	slot := cli(t, "-p", strconv.Itoa(nodes[0].port), "cluster", "keyslot", "key:0")
	slot = strings.TrimSpace(slot)
	var master clusterNode
	var masterID string
	for _, n := range nodes {
		nodesOut := cli(t, "-p", strconv.Itoa(n.port), "cluster", "nodes")
		for _, line := range strings.Split(nodesOut, "\n") {
			f := strings.Fields(line)
			if len(f) < 9 || !strings.Contains(f[2], "myself") || !strings.Contains(f[2], "master") {
				continue
			}
			for _, r := range f[8:] {
				lo, hi, _ := strings.Cut(r, "-")
				if hi == "" {
					hi = lo
				}
				s, _ := strconv.Atoi(slot)
				l, _ := strconv.Atoi(lo)
				h, _ := strconv.Atoi(hi)
				if s >= l && s <= h {
					master, masterID = n, f[0]
				}
			}
		}
	}
	require.NotEmpty(t, masterID)
	// Let the replicas catch up, then kill the master.
	var replica clusterNode
	waitFor(t, 20*time.Second, func() bool {
		for _, n := range nodes {
			if n.port == master.port {
				continue
			}
			out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(n.port), "info", "replication").Output()
			if strings.Contains(string(out), "master_port:"+strconv.Itoa(master.port)) && strings.Contains(string(out), "master_link_status:up") {
				replica = n
				return true
			}
		}
		return false
	})
	// Sharded pub/sub: a subscriber on the replica hears an SPUBLISH
	// made on its master, carried by the bus.
	sub := redis.NewClient(&redis.Options{Addr: replica.addr()})
	defer sub.Close()
	ps := sub.SSubscribe(ctx, "key:0")
	defer ps.Close()
	_, err := ps.Receive(ctx)
	require.NoError(t, err)
	pub := redis.NewClient(&redis.Options{Addr: master.addr()})
	defer pub.Close()
	require.NoError(t, pub.SPublish(ctx, "key:0", "over the bus").Err())
	msgCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	msg, err := ps.ReceiveMessage(msgCtx)
	require.NoError(t, err)
	assert.Equal(t, "over the bus", msg.Payload)
	assert.Equal(t, "key:0", msg.Channel)
	time.Sleep(time.Second) // the last writes reach the replica
	require.NoError(t, master.cmd.Process.Signal(syscall.SIGKILL))
	var survivor clusterNode
	for _, n := range nodes {
		if n.port != master.port {
			survivor = n
			break
		}
	}
	waitFor(t, 60*time.Second, func() bool {
		out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(survivor.port), "cluster", "nodes").Output()
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			if len(f) > 8 && f[0] != masterID && strings.Contains(f[2], "master") && !strings.Contains(f[2], "fail") {
				for _, r := range f[8:] {
					lo, hi, _ := strings.Cut(r, "-")
					if hi == "" {
						hi = lo
					}
					s, _ := strconv.Atoi(slot)
					l, _ := strconv.Atoi(lo)
					h, _ := strconv.Atoi(hi)
					if s >= l && s <= h {
						return true
					}
				}
			}
		}
		return false
	})
	waitFor(t, 30*time.Second, func() bool {
		out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(survivor.port), "cluster", "info").Output()
		return strings.Contains(string(out), "cluster_state:ok")
	})
	// The promoted replica has the data.
	cc.ReloadState(ctx)
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := cc.Get(ctx, "key:0").Int()
		if err == nil && v == 0 {
			break
		}
		if time.Now().After(deadline) {
			for _, n := range nodes {
				out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(n.port), "cluster", "nodes").Output()
				size, _ := exec.Command("redis-cli", "-p", strconv.Itoa(n.port), "dbsize").Output()
				t.Logf("node %d (dbsize %s):\n%s", n.port, size, out)
			}
			t.Fatalf("key:0 after the failover: %v %v", v, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := range keys {
		v, err := cc.Get(ctx, "key:"+strconv.Itoa(i)).Int()
		require.NoError(t, err)
		require.Equal(t, i, v)
	}
}

// myID is a node's CLUSTER MYID.
func myID(t *testing.T, n clusterNode) string {
	return strings.TrimSpace(cli(t, "-p", strconv.Itoa(n.port), "cluster", "myid"))
}

// reshardUnderLoad moves slots between masters with redis-cli --cluster
// reshard while a go-redis ClusterClient keeps writing, then checks that
// every acknowledged write is there.
func reshardUnderLoad(t *testing.T, nodes []clusterNode, moves [][2]clusterNode) {
	ctx := context.Background()
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.addr())
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, MaxRedirects: 32})
	defer cc.Close()
	stop := make(chan struct{})
	done := make(chan []int)
	go func() {
		var acked []int
		defer func() { done <- acked }()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			// A write that fails is not acknowledged: it may or may not
			// be there, and nobody retries it.
			if cc.Set(ctx, "load:"+strconv.Itoa(i), i, 0).Err() == nil {
				acked = append(acked, i)
			}
		}
	}()
	for _, m := range moves {
		out := cli(t, "--cluster", "reshard", nodes[0].addr(), "--cluster-from", myID(t, m[0]), "--cluster-to", myID(t, m[1]),
			"--cluster-slots", "300", "--cluster-yes")
		require.NotContains(t, out, "ERR", out)
	}
	close(stop)
	acked := <-done
	require.NotEmpty(t, acked, "the writer got acknowledgements")
	checkCluster(t, nodes[0])
	for _, i := range acked {
		v, err := cc.Get(ctx, "load:"+strconv.Itoa(i)).Int()
		require.NoError(t, err, "acknowledged write load:%d", i)
		require.Equal(t, i, v)
	}
	t.Logf("%d acknowledged writes during the reshard", len(acked))
}

// TestClusterCreateGoRedis creates a 3-primary/3-replica cluster of GoRedis
// nodes with redis-cli, checks it, runs go-redis's ClusterClient over it
// and fails over a primary.
func TestClusterCreateGoRedis(t *testing.T) {
	needClusterTools(t)
	bin := buildBinary(t)
	var nodes []clusterNode
	for i := range 6 {
		nodes = append(nodes, startGoRedisNode(t, bin, 7821+i))
	}
	createCluster(t, nodes)
	checkCluster(t, nodes[0])
	reshardUnderLoad(t, nodes, [][2]clusterNode{{nodes[0], nodes[1]}, {nodes[2], nodes[0]}})
	exerciseCluster(t, nodes)
}

// TestClusterCreateMixed does the same over GoRedis and redis-server nodes
// (masters and replicas of both kinds), checked from both sides.
func TestClusterCreateMixed(t *testing.T) {
	needClusterTools(t)
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	bin := buildBinary(t)
	var nodes []clusterNode
	for i := range 6 {
		if i%2 == 0 {
			nodes = append(nodes, startGoRedisNode(t, bin, 7831+i))
		} else {
			nodes = append(nodes, startRedisNode(t, 7831+i))
		}
	}
	createCluster(t, nodes)
	checkCluster(t, nodes[0])
	checkCluster(t, nodes[1])
	// GoRedis to redis-server, redis-server to GoRedis.
	reshardUnderLoad(t, nodes, [][2]clusterNode{{nodes[0], nodes[1]}, {nodes[1], nodes[2]}})
	exerciseCluster(t, nodes)
}
