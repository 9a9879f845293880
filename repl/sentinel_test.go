package repl_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// node is a server process of the Sentinel test: a GoRedis binary or a
// redis-sentinel, with its config file and log.
type node struct {
	t    *testing.T
	bin  string
	conf string
	log  string
	port int
	cmd  *exec.Cmd
}

func (n *node) addr() string { return "127.0.0.1:" + strconv.Itoa(n.port) }

func (n *node) start() {
	n.t.Helper()
	logf, err := os.OpenFile(n.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	require.NoError(n.t, err)
	n.cmd = exec.Command(n.bin, n.conf)
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	require.NoError(n.t, n.cmd.Start())
	_ = logf.Close()
	require.Eventually(n.t, func() bool {
		c, err := net.DialTimeout("tcp", n.addr(), 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}, 20*time.Second, 20*time.Millisecond, "%s listens", n.addr())
}

// kill ends the process at once (SIGKILL): no shutdown save, no goodbye.
func (n *node) kill() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGKILL)
	_ = n.cmd.Wait()
	n.cmd = nil
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// dumpLogsOnFailure prints the nodes' logs when the test failed.
func dumpLogsOnFailure(t *testing.T, nodes []*node) {
	if !t.Failed() && os.Getenv("SENTINEL_TEST_LOGS") == "" {
		return
	}
	for _, n := range nodes {
		b, _ := os.ReadFile(n.log)
		lines := strings.Split(string(b), "\n")
		if len(lines) > 60 {
			lines = lines[len(lines)-60:]
		}
		t.Logf("--- %s (%s) ---\n%s", filepath.Base(n.conf), n.addr(), strings.Join(lines, "\n"))
	}
}

// TestSentinelFailover puts GoRedis under Debian's redis-sentinel: three
// sentinels monitor a GoRedis primary with two GoRedis replicas. The
// primary is killed; the sentinels promote a replica (REPLICAOF NO ONE,
// CONFIG REWRITE, CLIENT KILL in a MULTI), point the other replica at it,
// and turn the old primary into a replica when it comes back. go-redis's
// failover client keeps writing throughout; every write a replica
// acknowledged (WAIT) survives, and all three servers end with the same
// DEBUG DIGEST.
func TestSentinelFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts six processes and waits for a failover")
	}
	sentinelBin, err := exec.LookPath("redis-sentinel")
	if err != nil {
		t.Skip("redis-sentinel not installed (apt-get install redis-sentinel; make deps does it)")
	}
	dir := t.TempDir()
	goredisBin := filepath.Join(dir, "goredis")
	build := exec.Command("go", "build", "-o", goredisBin, "../cmd/goredis")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	var nodes []*node
	defer func() {
		dumpLogsOnFailure(t, nodes)
		for _, n := range nodes {
			n.kill()
		}
	}()
	newNode := func(name, bin string, port int, lines ...string) *node {
		n := &node{t: t, bin: bin, port: port, conf: filepath.Join(dir, name+".conf"), log: filepath.Join(dir, name+".log")}
		nd := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(nd, 0o755))
		conf := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\n%s\n", port, nd, strings.Join(lines, "\n"))
		require.NoError(t, os.WriteFile(n.conf, []byte(conf), 0o644))
		nodes = append(nodes, n)
		return n
	}
	dataConf := []string{`save ""`, "appendonly no", "enable-debug-command yes", "repl-diskless-sync-delay 0"}
	primary := newNode("primary", goredisBin, freeTCPPort(t), dataConf...)
	primary.start()
	var replicas []*node
	for i := 1; i <= 2; i++ {
		r := newNode(fmt.Sprintf("replica%d", i), goredisBin, freeTCPPort(t),
			append([]string{fmt.Sprintf("replicaof 127.0.0.1 %d", primary.port)}, dataConf...)...)
		r.start()
		replicas = append(replicas, r)
	}
	var sentinels []*node
	for i := 1; i <= 3; i++ {
		s := newNode(fmt.Sprintf("sentinel%d", i), sentinelBin, freeTCPPort(t),
			fmt.Sprintf("sentinel monitor mymaster 127.0.0.1 %d 2", primary.port),
			"sentinel down-after-milliseconds mymaster 2000",
			"sentinel failover-timeout mymaster 10000",
			"sentinel parallel-syncs mymaster 2")
		s.start()
		sentinels = append(sentinels, s)
	}

	ctx := context.Background()
	client := func(n *node) *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: n.addr(), Protocol: 2, MaxRetries: -1, DialTimeout: time.Second})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	info := func(c *redis.Client, field string) string {
		s, err := c.Info(ctx, "replication").Result()
		if err != nil {
			return ""
		}
		for _, line := range strings.Split(s, "\r\n") {
			if v, ok := strings.CutPrefix(line, field+":"); ok {
				return v
			}
		}
		return ""
	}
	sc := client(sentinels[0])
	// Every sentinel knows both replicas and the two other sentinels
	// (learned from the hello messages published through GoRedis).
	require.Eventually(t, func() bool {
		for _, s := range sentinels {
			c := client(s)
			reps, err := c.Do(ctx, "SENTINEL", "REPLICAS", "mymaster").Slice()
			if err != nil || len(reps) != 2 {
				return false
			}
			sens, err := c.Do(ctx, "SENTINEL", "SENTINELS", "mymaster").Slice()
			if err != nil || len(sens) != 2 {
				return false
			}
		}
		return true
	}, 60*time.Second, 200*time.Millisecond, "the sentinels discovered the replicas and each other")

	// The failover client writes while everything happens; a write counts
	// as acknowledged once a replica confirmed it with WAIT.
	fc := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName: "mymaster", SentinelAddrs: []string{sentinels[0].addr(), sentinels[1].addr(), sentinels[2].addr()},
		Protocol: 2, DialTimeout: time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
	})
	defer fc.Close()
	var (
		mu         sync.Mutex
		acked      []string
		afterFail  atomic.Int64
		failedOver atomic.Bool
		stop       = make(chan struct{})
		done       = make(chan struct{})
	)
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			key := "k" + strconv.Itoa(i)
			if err := fc.Set(ctx, key, i, 0).Err(); err != nil {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			n, err := fc.Do(ctx, "WAIT", 1, 1000).Int()
			if err == nil && n >= 1 {
				mu.Lock()
				acked = append(acked, key)
				mu.Unlock()
				if failedOver.Load() {
					afterFail.Add(1)
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) > 20
	}, 30*time.Second, 50*time.Millisecond, "writes through the failover client")

	primary.kill()
	all := append([]*node{primary}, replicas...)
	// masterNow is the node the first sentinel names as the primary. Under
	// a loaded machine the sentinels may fail over more than once (a
	// promoted replica slow to answer their PINGs looks down too), so the
	// checks below follow whatever primary they settle on.
	masterNow := func() *node {
		addr, err := sc.Do(ctx, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster").StringSlice()
		if err != nil || len(addr) != 2 {
			return nil
		}
		for _, n := range all {
			if strconv.Itoa(n.port) == addr[1] {
				return n
			}
		}
		return nil
	}
	require.Eventually(t, func() bool {
		m := masterNow()
		return m != nil && m != primary && info(client(m), "role") == "master"
	}, 60*time.Second, 200*time.Millisecond, "a replica was promoted")
	failedOver.Store(true)

	// The old primary comes back as a master of nothing; the sentinels
	// make it a replica of the new one (and it rewrites its config), and
	// the other replica follows the new primary too.
	primary.start()
	var promoted *node
	require.Eventually(t, func() bool {
		m := masterNow()
		if m == nil || m == primary || info(client(m), "role") != "master" {
			return false
		}
		for _, n := range all {
			if n == m {
				continue
			}
			c := client(n)
			if info(c, "role") != "slave" || info(c, "master_port") != strconv.Itoa(m.port) ||
				info(c, "master_link_status") != "up" {
				return false
			}
		}
		promoted = m
		return true
	}, 90*time.Second, 200*time.Millisecond, "the old primary and the other replica follow the new primary")
	pc := client(promoted)
	conf, err := os.ReadFile(primary.conf)
	require.NoError(t, err)
	assert.Contains(t, string(conf), fmt.Sprintf("replicaof 127.0.0.1 %d", promoted.port), "CONFIG REWRITE by the sentinels")

	require.Eventually(t, func() bool { return afterFail.Load() > 20 }, 30*time.Second, 50*time.Millisecond,
		"the failover client goes on writing to the new primary")
	close(stop)
	<-done

	// No write a replica acknowledged was lost.
	mu.Lock()
	keys := append([]string(nil), acked...)
	mu.Unlock()
	for _, k := range keys {
		v, err := pc.Get(ctx, k).Result()
		require.NoError(t, err, "acknowledged %s lost", k)
		assert.Equal(t, strings.TrimPrefix(k, "k"), v)
	}
	// And the three servers hold the same data.
	for _, n := range all {
		if n == promoted {
			continue
		}
		c := client(n)
		require.Eventually(t, func() bool {
			return info(c, "master_link_status") == "up" && info(c, "slave_repl_offset") == info(pc, "master_repl_offset")
		}, 30*time.Second, 50*time.Millisecond)
		want, err := pc.Do(ctx, "DEBUG", "DIGEST").Text()
		require.NoError(t, err)
		got, err := c.Do(ctx, "DEBUG", "DIGEST").Text()
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}
