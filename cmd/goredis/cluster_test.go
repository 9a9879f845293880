package main

import (
	"context"
	"fmt"
	"os"
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

// The cluster tests use fixed ports (7821-7899 unless
// GOREDIS_CLUSTER_TEST_PORT moves the range; bus ports +10000): the bus
// port of a node is its port plus 10000, which a random free port does
// not guarantee to be free.

// clusterTestPort is the first port of the cluster tests, plus offset.
func clusterTestPort(t *testing.T, offset int) int {
	base := 7821
	if v := os.Getenv("GOREDIS_CLUSTER_TEST_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		require.NoError(t, err, "GOREDIS_CLUSTER_TEST_PORT")
		base = p
	}
	return base + offset
}

// clusterNode is one server of a test cluster.
type clusterNode struct {
	port int
	cmd  *exec.Cmd
	// log is the node's log file, shown when the test fails.
	log string
	// goredis tells a GoRedis node from a redis-server one.
	goredis bool
}

func (n clusterNode) addr() string { return "127.0.0.1:" + strconv.Itoa(n.port) }

func (n clusterNode) kind() string {
	if n.goredis {
		return "goredis"
	}
	return "redis-server"
}

// startClusterNode starts bin (GoRedis or redis-server) in cluster mode
// in its own dir, logging to a file that a failed test prints.
func startClusterNode(t *testing.T, bin string, port int, goredis bool, extra ...string) clusterNode {
	dir := t.TempDir()
	logfile := filepath.Join(dir, "log.txt")
	args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--cluster-enabled", "yes", "--cluster-node-timeout", "3000", "--save", "", "--appendonly", "no",
		"--logfile", logfile, "--loglevel", "verbose"}
	if goredis {
		args = append(args, "--http-port", "0")
	}
	cmd := exec.Command(bin, append(args, extra...)...)
	require.NoError(t, cmd.Start())
	n := clusterNode{port: port, cmd: cmd, log: logfile, goredis: goredis}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			out, _ := os.ReadFile(logfile)
			t.Logf("log of %s node %d:\n%s", n.kind(), port, out)
		}
	})
	waitFor(t, 20*time.Second, func() bool {
		return exec.Command("redis-cli", "-p", strconv.Itoa(port), "ping").Run() == nil
	})
	return n
}

// startGoRedisNode starts a GoRedis node in cluster mode.
func startGoRedisNode(t *testing.T, bin string, port int) clusterNode {
	return startClusterNode(t, bin, port, true)
}

// startRedisNode starts Debian's redis-server in cluster mode.
func startRedisNode(t *testing.T, port int) clusterNode {
	return startClusterNode(t, "redis-server", port, false)
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
		nodes = append(nodes, startGoRedisNode(t, bin, clusterTestPort(t, i)))
	}
	createCluster(t, nodes)
	checkCluster(t, nodes[0])
	reshardUnderLoad(t, nodes, [][2]clusterNode{{nodes[0], nodes[1]}, {nodes[2], nodes[0]}})
	manualFailovers(t, nodes)
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
			nodes = append(nodes, startGoRedisNode(t, bin, clusterTestPort(t, 10+i)))
		} else {
			nodes = append(nodes, startRedisNode(t, clusterTestPort(t, 10+i)))
		}
	}
	createCluster(t, nodes)
	checkCluster(t, nodes[0])
	checkCluster(t, nodes[1])
	// GoRedis to redis-server, redis-server to GoRedis.
	reshardUnderLoad(t, nodes, [][2]clusterNode{{nodes[0], nodes[1]}, {nodes[1], nodes[2]}})
	manualFailovers(t, nodes)
	exerciseCluster(t, nodes)
}

// nodeLine is one line of CLUSTER NODES.
type nodeLine struct {
	id, flags, master string
	port              int
	slots             []string
}

func (l nodeLine) isMaster() bool { return strings.Contains(l.flags, "master") }

// clusterNodesOf is n's CLUSTER NODES, parsed.
func clusterNodesOf(t *testing.T, n clusterNode) []nodeLine {
	t.Helper()
	out := cli(t, "-p", strconv.Itoa(n.port), "cluster", "nodes")
	var lines []nodeLine
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		addr, _, _ := strings.Cut(f[1], "@")
		_, port, _ := strings.Cut(addr, ":")
		p, _ := strconv.Atoi(port)
		lines = append(lines, nodeLine{id: f[0], flags: f[2], master: f[3], port: p, slots: f[8:]})
	}
	return lines
}

// selfLine is n's own line of its CLUSTER NODES.
// A node in the middle of a full sync may answer -LOADING for a moment:
// it is asked again for up to 10 s.
func selfLine(t *testing.T, n clusterNode) nodeLine {
	t.Helper()
	var last string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		for _, l := range clusterNodesOf(t, n) {
			if strings.Contains(l.flags, "myself") {
				return l
			}
		}
		last = cli(t, "-p", strconv.Itoa(n.port), "cluster", "nodes")
	}
	t.Fatalf("node %d has no myself line; CLUSTER NODES answered %q", n.port, last)
	return nodeLine{}
}

// manualFailovers sends CLUSTER FAILOVER to one replica of every master,
// one shard after the other, while a go-redis ClusterClient writes and
// reads: each replica must take its master's place with the master's
// writes, the old master must follow it, and every acknowledged write
// must be readable afterwards.
func manualFailovers(t *testing.T, nodes []clusterNode) {
	ctx := context.Background()
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.addr())
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, MaxRedirects: 32})
	defer cc.Close()
	stop := make(chan struct{})
	done := make(chan []int)
	var loadErrs []string
	go func() {
		var acked []int
		defer func() { done <- acked }()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := cc.Set(ctx, "mf:"+strconv.Itoa(i), i, 0).Err()
			if err == nil {
				acked = append(acked, i)
				// A read of an acknowledged write, through the same
				// failovers.
				j := acked[len(acked)/2]
				var v int
				v, err = cc.Get(ctx, "mf:"+strconv.Itoa(j)).Int()
				if err == nil && v != j {
					err = fmt.Errorf("mf:%d is %d", j, v)
				}
			}
			if err != nil {
				loadErrs = append(loadErrs, time.Now().Format("15:04:05.000")+" "+err.Error())
			}
		}
	}()
	// Each shard fails over, then back: every pair is tried both ways
	// (in a mixed cluster, a GoRedis replica of a redis-server master and
	// the reverse).
	type pair struct{ master, replica clusterNode }
	var pairs []pair
	for _, n := range nodes {
		l := selfLine(t, n)
		if l.isMaster() {
			continue
		}
		for _, m := range nodes {
			if selfLine(t, m).id == l.master {
				pairs = append(pairs, pair{m, n})
			}
		}
	}
	require.Len(t, pairs, len(nodes)/2, "one replica per master")
	for _, p := range pairs[:len(pairs):len(pairs)] {
		pairs = append(pairs, pair{master: p.replica, replica: p.master})
	}
	for _, p := range pairs {
		replicaID, masterID := myID(t, p.replica), myID(t, p.master)
		t.Logf("%s CLUSTER FAILOVER on %s replica %d of %s master %d", time.Now().Format("15:04:05.000"), p.replica.kind(), p.replica.port, p.master.kind(), p.master.port)
		waitFor(t, 30*time.Second, func() bool {
			out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(p.replica.port), "info", "replication").Output()
			return strings.Contains(string(out), "master_link_status:up")
		})
		out := strings.TrimSpace(cli(t, "-p", strconv.Itoa(p.replica.port), "cluster", "failover"))
		require.Equal(t, "OK", out)
		waitFor(t, 30*time.Second, func() bool {
			r, m := selfLine(t, p.replica), selfLine(t, p.master)
			return r.isMaster() && len(r.slots) > 0 && !m.isMaster() && m.master == replicaID
		})
		// Every node learns the new roles.
		for _, n := range nodes {
			waitFor(t, 30*time.Second, func() bool {
				for _, l := range clusterNodesOf(t, n) {
					if l.id == masterID && l.master != replicaID {
						return false
					}
				}
				return true
			})
		}
		// Reads keep working on the new master.
		for i := range 50 {
			k := "mf:read:" + strconv.Itoa(i)
			require.NoError(t, cc.Set(ctx, k, i, 0).Err(), "SET %s after the failover", k)
			v, err := cc.Get(ctx, k).Int()
			require.NoError(t, err, "GET %s after the failover", k)
			require.Equal(t, i, v)
		}
	}
	close(stop)
	acked := <-done
	require.NotEmpty(t, acked)
	t.Logf("load errors: %q", loadErrs)
	checkCluster(t, nodes[0])
	for _, i := range acked {
		k := "mf:" + strconv.Itoa(i)
		v, err := cc.Get(ctx, k).Int()
		if err != nil {
			for _, n := range nodes {
				out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(n.port), "-c", "readonly").Output()
				got, _ := exec.Command("sh", "-c", "printf 'READONLY\\nGET "+k+"\\n' | redis-cli -p "+strconv.Itoa(n.port)).Output()
				t.Logf("%s on %s node %d: %q %q", k, n.kind(), n.port, out, got)
			}
		}
		require.NoError(t, err, "acknowledged write %s", k)
		require.Equal(t, i, v)
	}
	t.Logf("%d acknowledged writes during the manual failovers", len(acked))
}

// TestClusterRefusesTLSCluster: the bus does not speak TLS, so tls-cluster
// yes in cluster mode stops the start (and CONFIG SET refuses it) rather
// than running a plaintext bus the operator asked to be encrypted.
func TestClusterRefusesTLSCluster(t *testing.T) {
	needClusterTools(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	out, err := exec.Command(bin, "--port", "0", "--cluster-enabled", "yes", "--tls-cluster", "yes", "--dir", dir, "--http-port", "0").CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "%s", out)
	assert.Equal(t, 1, ee.ExitCode())
	assert.Contains(t, string(out), "# GoRedis does not run the cluster bus over TLS: tls-cluster must be no when cluster-enabled is yes\n")
	n := startGoRedisNode(t, bin, clusterTestPort(t, 40))
	c := redis.NewClient(&redis.Options{Addr: n.addr()})
	defer c.Close()
	ctx := context.Background()
	assert.EqualError(t, c.ConfigSet(ctx, "tls-cluster", "yes").Err(),
		"ERR CONFIG SET failed (possibly related to argument 'tls-cluster') - GoRedis does not run the cluster bus over TLS: tls-cluster must be no when cluster-enabled is yes")
	assert.Equal(t, map[string]string{"tls-cluster": "no"}, c.ConfigGet(ctx, "tls-cluster").Val())
}

// writeLoad keeps writing keys prefix:N through a go-redis ClusterClient
// until stop is called, which returns the acknowledged writes after
// checking that each can be read back.
func writeLoad(t *testing.T, nodes []clusterNode, prefix string) (stop func()) {
	ctx := context.Background()
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.addr())
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, MaxRedirects: 32})
	quit := make(chan struct{})
	done := make(chan []int)
	go func() {
		var acked []int
		defer func() { done <- acked }()
		for i := 0; ; i++ {
			select {
			case <-quit:
				return
			default:
			}
			if cc.Set(ctx, prefix+":"+strconv.Itoa(i), i, 0).Err() == nil {
				acked = append(acked, i)
			}
			// A steady load, not a flood: the keys are all read back.
			time.Sleep(time.Millisecond)
		}
	}()
	return func() {
		close(quit)
		acked := <-done
		require.NotEmpty(t, acked)
		for _, i := range acked {
			v, err := cc.Get(ctx, prefix+":"+strconv.Itoa(i)).Int()
			require.NoError(t, err, "acknowledged write %s:%d", prefix, i)
			require.Equal(t, i, v)
		}
		t.Logf("%d acknowledged %s writes", len(acked), prefix)
		_ = cc.Close()
	}
}

// waitKnown waits until every node lists want nodes in CLUSTER NODES.
func waitKnown(t *testing.T, nodes []clusterNode, want int) {
	for _, n := range nodes {
		waitFor(t, 30*time.Second, func() bool {
			out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(n.port), "cluster", "nodes").Output()
			return strings.Count(strings.TrimSpace(string(out)), "\n")+1 == want
		})
	}
}

// TestClusterToolsMixed drives redis-cli's other cluster tools over a
// cluster of GoRedis and redis-server masters: add-node (a GoRedis master
// and a redis-server replica of it), rebalance onto the empty master and
// back off it (weight 0) under a ClusterClient write load, del-node of
// both, and fix of an open slot and of an uncovered one.
func TestClusterToolsMixed(t *testing.T) {
	needClusterTools(t)
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	bin := buildBinary(t)
	nodes := []clusterNode{
		startGoRedisNode(t, bin, clusterTestPort(t, 50)),
		startRedisNode(t, clusterTestPort(t, 51)),
		startGoRedisNode(t, bin, clusterTestPort(t, 52)),
	}
	out := cli(t, "--cluster", "create", nodes[0].addr(), nodes[1].addr(), nodes[2].addr(), "--cluster-replicas", "0", "--cluster-yes")
	require.Contains(t, out, "[OK] All 16384 slots covered.", out)
	for _, n := range nodes {
		waitFor(t, 30*time.Second, func() bool {
			out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(n.port), "cluster", "info").Output()
			return strings.Contains(string(out), "cluster_state:ok")
		})
	}

	// add-node: a new GoRedis master, then a redis-server replica of it.
	master := startGoRedisNode(t, bin, clusterTestPort(t, 53))
	out = cli(t, "--cluster", "add-node", master.addr(), nodes[0].addr())
	require.Contains(t, out, "[OK] New node added correctly.", out)
	all := append(append([]clusterNode{}, nodes...), master)
	waitKnown(t, all, 4)
	masterID := myID(t, master)
	replica := startRedisNode(t, clusterTestPort(t, 54))
	out = cli(t, "--cluster", "add-node", replica.addr(), nodes[1].addr(), "--cluster-slave", "--cluster-master-id", masterID)
	require.Contains(t, out, "[OK] New node added correctly.", out)
	all = append(all, replica)
	waitKnown(t, all, 5)
	waitFor(t, 30*time.Second, func() bool {
		l := selfLine(t, replica)
		return l.master == masterID
	})

	// rebalance onto the empty master, then off it, under load.
	stop := writeLoad(t, nodes, "rebalance")
	// A small weight keeps the number of slots moved (and the test) short.
	out = cli(t, "--cluster", "rebalance", nodes[0].addr(), "--cluster-use-empty-masters", "--cluster-weight", masterID+"=0.1")
	require.Contains(t, out, "to "+master.addr(), out)
	require.NotContains(t, out, "ERR", out)
	waitFor(t, 30*time.Second, func() bool { return len(selfLine(t, master).slots) > 0 })
	checkCluster(t, nodes[2])
	out = cli(t, "--cluster", "rebalance", nodes[1].addr(), "--cluster-weight", masterID+"=0")
	require.Contains(t, out, "from "+master.addr(), out)
	require.NotContains(t, out, "ERR", out)
	stop()
	checkCluster(t, nodes[0])
	require.Empty(t, selfLine(t, master).slots)

	// del-node: the replica, then its empty master.
	for _, n := range []clusterNode{replica, master} {
		out = cli(t, "--cluster", "del-node", nodes[0].addr(), myID(t, n))
		require.Contains(t, out, "Sending CLUSTER RESET SOFT to the deleted node.", out)
	}
	waitKnown(t, nodes, 3)
	checkCluster(t, nodes[1])

	// fix: a slot left open by an interrupted migration...
	slot := strings.TrimSpace(cli(t, "-p", strconv.Itoa(nodes[0].port), "cluster", "keyslot", "{fix}"))
	owner, other := nodes[0], nodes[1]
	for _, n := range nodes {
		l := selfLine(t, n)
		if slotIn(l.slots, slot) {
			owner = n
		}
	}
	for _, n := range nodes {
		if n.port != owner.port {
			other = n
			break
		}
	}
	for i := range 20 {
		cli(t, "-c", "-p", strconv.Itoa(owner.port), "set", "{fix}"+strconv.Itoa(i), strconv.Itoa(i))
	}
	require.Equal(t, "OK", strings.TrimSpace(cli(t, "-p", strconv.Itoa(other.port), "cluster", "setslot", slot, "importing", myID(t, owner))))
	require.Equal(t, "OK", strings.TrimSpace(cli(t, "-p", strconv.Itoa(owner.port), "cluster", "setslot", slot, "migrating", myID(t, other))))
	require.Equal(t, "OK", strings.TrimSpace(cli(t, "-p", strconv.Itoa(owner.port), "migrate", "127.0.0.1", strconv.Itoa(other.port), "", "0", "5000", "keys", "{fix}0", "{fix}1")))
	// check exits 1 when it finds something to fix
	b, _ := exec.Command("redis-cli", "--cluster", "check", nodes[0].addr()).CombinedOutput()
	require.Contains(t, string(b), "[WARNING] The following slots are open: "+slot+".", string(b))
	out = cli(t, "--cluster", "fix", nodes[0].addr())
	require.Contains(t, out, ">>> Fixing open slot "+slot, out)
	checkCluster(t, nodes[0])
	for i := range 20 {
		assert.Equal(t, strconv.Itoa(i)+"\n", cli(t, "-c", "-p", strconv.Itoa(nodes[2].port), "get", "{fix}"+strconv.Itoa(i)))
	}
	// ... and a slot nobody serves.
	for _, n := range nodes {
		cli(t, "-p", strconv.Itoa(n.port), "cluster", "delslots", "100")
	}
	b, _ = exec.Command("redis-cli", "--cluster", "check", nodes[0].addr()).CombinedOutput()
	require.Contains(t, string(b), "[ERR] Not all 16384 slots are covered by nodes.", string(b))
	fix := exec.Command("redis-cli", "--cluster", "fix", nodes[0].addr())
	fix.Stdin = strings.NewReader("yes\n")
	b, err := fix.CombinedOutput()
	require.NoError(t, err, "%s", b)
	require.Contains(t, string(b), ">>> Covering slot 100 with ", string(b))
	waitFor(t, 30*time.Second, func() bool {
		out, _ := exec.Command("redis-cli", "--cluster", "check", nodes[1].addr()).Output()
		return strings.Contains(string(out), "[OK] All 16384 slots covered.") && !strings.Contains(string(out), "[ERR]")
	})
}

// slotIn reports whether slot is in CLUSTER NODES slot ranges.
func slotIn(ranges []string, slot string) bool {
	s, _ := strconv.Atoi(slot)
	for _, r := range ranges {
		if strings.HasPrefix(r, "[") {
			continue
		}
		lo, hi, _ := strings.Cut(r, "-")
		if hi == "" {
			hi = lo
		}
		l, _ := strconv.Atoi(lo)
		h, _ := strconv.Atoi(hi)
		if s >= l && s <= h {
			return true
		}
	}
	return false
}

// TestClusterNodeClients runs ioredis's Cluster and node-redis's
// createCluster over a mixed cluster while redis-cli reshards it (both
// ways between a GoRedis and a redis-server master): every write they
// got acknowledged reads back through both
// (netserver/testdata/ioredis/cluster.mjs).
func TestClusterNodeClients(t *testing.T) {
	needClusterTools(t)
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	dir, err := filepath.Abs("../../netserver/testdata/ioredis")
	require.NoError(t, err)
	for _, m := range []string{"ioredis", "redis"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", m)); err != nil {
			t.Skip("the Node clients are not installed (make test installs them)")
		}
	}
	bin := buildBinary(t)
	nodes := []clusterNode{
		startGoRedisNode(t, bin, clusterTestPort(t, 60)),
		startRedisNode(t, clusterTestPort(t, 61)),
		startGoRedisNode(t, bin, clusterTestPort(t, 62)),
	}
	out := cli(t, "--cluster", "create", nodes[0].addr(), nodes[1].addr(), nodes[2].addr(), "--cluster-replicas", "0", "--cluster-yes")
	require.Contains(t, out, "[OK] All 16384 slots covered.", out)
	var ports []string
	for _, n := range nodes {
		ports = append(ports, strconv.Itoa(n.port))
		waitFor(t, 30*time.Second, func() bool {
			out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(n.port), "cluster", "info").Output()
			return strings.Contains(string(out), "cluster_state:ok")
		})
	}
	stopFile := filepath.Join(t.TempDir(), "stop")
	cmd := exec.Command("node", "cluster.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOREDIS_CLUSTER_PORTS="+strings.Join(ports, ","), "GOREDIS_STOP_FILE="+stopFile)
	var output strings.Builder
	cmd.Stdout, cmd.Stderr = &output, &output
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	time.Sleep(time.Second) // the clients are connected and writing
	for _, m := range [][2]clusterNode{{nodes[0], nodes[1]}, {nodes[1], nodes[0]}, {nodes[2], nodes[1]}} {
		out := cli(t, "--cluster", "reshard", nodes[0].addr(), "--cluster-from", myID(t, m[0]), "--cluster-to", myID(t, m[1]),
			"--cluster-slots", "200", "--cluster-yes")
		require.NotContains(t, out, "ERR", out)
	}
	require.NoError(t, os.WriteFile(stopFile, nil, 0o644))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "cluster.mjs:\n%s", output.String())
	case <-time.After(5 * time.Minute):
		t.Fatalf("cluster.mjs did not finish:\n%s", output.String())
	}
	t.Log(strings.TrimSpace(output.String()))
	checkCluster(t, nodes[0])
}
