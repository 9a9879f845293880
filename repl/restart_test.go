package repl_test

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

// TestPartialResyncAfterRestart restarts one end of a replication link
// from its dump file and checks that the link continues with a partial
// synchronization (PSYNC2 from the repl-id and repl-offset aux fields), as
// Redis 7.0 does, with GoRedis on the restarted end and GoRedis or Debian's
// redis-server on the other: a replica restarted with SIGTERM asks to
// continue from its saved position; a primary restarted with SHUTDOWN
// takes its saved ID as its secondary one and accepts its replicas'
// PSYNC. Writes before and after the restart (several databases, keys
// that expired while the primary was down) end with the same DEBUG
// DIGEST on both ends.
func TestPartialResyncAfterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	dir := t.TempDir()
	goredisBin := filepath.Join(dir, "goredis")
	out, err := exec.Command("go", "build", "-o", goredisBin, "../cmd/goredis").CombinedOutput()
	require.NoError(t, err, "%s", out)

	for _, tc := range []struct {
		name                 string
		primaryBin, replBin  string
		restartPrimary       bool
		restartedLogContains string
	}{
		{"GoRedis replica restarted, GoRedis primary", goredisBin, goredisBin, false, "Successful partial resynchronization with master."},
		{"GoRedis replica restarted, redis-server primary", redisBin, goredisBin, false, "Successful partial resynchronization with master."},
		{"GoRedis primary restarted, GoRedis replica", goredisBin, goredisBin, true, "Partial resynchronization request from"},
		{"GoRedis primary restarted, redis-server replica", goredisBin, redisBin, true, "Partial resynchronization request from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testRestart(t, tc.primaryBin, tc.replBin, tc.restartPrimary, tc.restartedLogContains)
		})
	}
}

func testRestart(t *testing.T, primaryBin, replBin string, restartPrimary bool, logWant string) {
	dir := t.TempDir()
	var nodes []*node
	defer func() {
		dumpLogsOnFailure(t, nodes)
		for _, n := range nodes {
			n.kill()
		}
	}()
	newNode := func(name, bin string, lines ...string) *node {
		port := freeTCPPort(t)
		n := &node{t: t, bin: bin, port: port, conf: filepath.Join(dir, name+".conf"), log: filepath.Join(dir, name+".log")}
		nd := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(nd, 0o755))
		conf := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsave \"900 1\"\nappendonly no\nenable-debug-command yes\nrepl-diskless-sync-delay 0\n%s\n",
			port, nd, strings.Join(lines, "\n"))
		require.NoError(t, os.WriteFile(n.conf, []byte(conf), 0o644))
		nodes = append(nodes, n)
		return n
	}
	primary := newNode("primary", primaryBin)
	primary.start()
	replica := newNode("replica", replBin, fmt.Sprintf("replicaof 127.0.0.1 %d", primary.port))
	replica.start()

	ctx := context.Background()
	client := func(n *node, db int) *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: n.addr(), DB: db, Protocol: 2, MaxRetries: -1})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	pc, rc := client(primary, 0), client(replica, 0)
	write := func(round int) {
		for db := 0; db < 3; db++ {
			c := client(primary, db)
			for i := 0; i < 50; i++ {
				require.NoError(t, c.Set(ctx, fmt.Sprintf("k%d:%d", round, i), i, 0).Err())
				require.NoError(t, c.RPush(ctx, fmt.Sprintf("l%d", round), i).Err())
			}
			require.NoError(t, c.Incr(ctx, "counter").Err())
		}
	}
	inSync := func() {
		t.Helper()
		require.Eventually(t, func() bool {
			return infoField(t, rc, "master_link_status") == "up" &&
				infoField(t, rc, "slave_repl_offset") == infoField(t, pc, "master_repl_offset")
		}, 20*time.Second, 50*time.Millisecond, "the replica caught up")
		// The primary's view of the replica's offset (its ACK) too, so
		// that a restart finds nothing in flight.
		require.Eventually(t, func() bool {
			return strings.Contains(infoField(t, pc, "slave0"), "offset="+infoField(t, pc, "master_repl_offset")+",")
		}, 20*time.Second, 50*time.Millisecond, "the primary has the replica's ACK")
		want, err := pc.Do(ctx, "DEBUG", "DIGEST").Text()
		require.NoError(t, err)
		got, err := rc.Do(ctx, "DEBUG", "DIGEST").Text()
		require.NoError(t, err)
		require.Equal(t, want, got, "DEBUG DIGEST")
	}
	write(0)
	inSync()
	fullBefore := mustAtoi(infoStat(t, pc, "sync_full"))

	restarted := replica
	var (
		oldID     string
		oldOffset int
	)
	if restartPrimary {
		restarted = primary
		// Keys that expire while the primary is down: its load drops
		// them and the replicas get their DELs from its backlog.
		for i := 0; i < 20; i++ {
			require.NoError(t, pc.Set(ctx, "short"+strconv.Itoa(i), "v", 300*time.Millisecond).Err())
		}
		require.NoError(t, pc.Do(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0").Err())
		inSync()
		oldID, oldOffset = infoField(t, pc, "master_replid"), mustAtoi(infoField(t, pc, "master_repl_offset"))
		_ = pc.Do(ctx, "SHUTDOWN").Err()
		require.NoError(t, primary.cmd.Wait())
		primary.cmd = nil
		fullBefore = 0 // a new process counts from zero
		time.Sleep(400 * time.Millisecond)
	} else {
		require.NoError(t, replica.cmd.Process.Signal(syscall.SIGTERM))
		require.NoError(t, replica.cmd.Wait())
		replica.cmd = nil
		// The primary writes on while its replica is down.
		write(1)
	}
	restarted.start()
	write(2)
	inSync()

	assert.Equal(t, fullBefore, mustAtoi(infoStat(t, pc, "sync_full")), "no full synchronization after the restart")
	assert.Equal(t, 1, mustAtoi(infoStat(t, pc, "sync_partial_ok")), "the primary's partial synchronizations")
	if restartPrimary {
		assert.Equal(t, oldID, infoField(t, pc, "master_replid2"), "the saved ID is the secondary one")
		assert.Equal(t, strconv.Itoa(oldOffset+1), infoField(t, pc, "second_repl_offset"))
		n, err := rc.Exists(ctx, "short0").Result()
		require.NoError(t, err)
		assert.Zero(t, n, "the expired key's DEL reached the replica")
	}
	b, err := os.ReadFile(restarted.log)
	require.NoError(t, err)
	assert.Contains(t, string(b), logWant)
}
