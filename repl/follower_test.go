package repl_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/internal/refredis"
	"github.com/goredis-dev/goredis/netserver"
	"github.com/goredis-dev/goredis/repl"
)

// startReplica serves a GoRedis engine that can follow a master.
func startReplica(t *testing.T) string {
	t.Helper()
	eng := engine.New(engine.Options{Config: map[string]string{"enable-debug-command": "yes", "dir": t.TempDir()}})
	eng.SetFullSyncer(repl.Syncer{})
	srv := netserver.New(eng, netserver.Options{Addr: "127.0.0.1:0", Log: func(byte, string) {}})
	require.NoError(t, srv.Listen())
	go func() { _ = srv.Serve() }()
	_, port, _ := net.SplitHostPort(srv.Addr().String())
	p, _ := strconv.Atoi(port)
	f := repl.NewFollower(eng, p, func(l byte, format string, args ...any) { t.Logf("%c "+format, append([]any{l}, args...)...) })
	eng.SetReplicaLink(f)
	t.Cleanup(func() {
		f.Stop()
		_ = srv.Close()
	})
	return srv.Addr().String()
}

func infoField(t *testing.T, c *redis.Client, field string) string {
	t.Helper()
	info, err := c.Info(context.Background(), "replication").Result()
	require.NoError(t, err)
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

func waitInSync(t *testing.T, master, replica *redis.Client) {
	t.Helper()
	require.Eventually(t, func() bool {
		return infoField(t, replica, "master_link_status") == "up" &&
			infoField(t, replica, "slave_repl_offset") == infoField(t, master, "master_repl_offset")
	}, 20*time.Second, 50*time.Millisecond, "the replica caught up")
	ctx := context.Background()
	want, err := master.Do(ctx, "DEBUG", "DIGEST").Text()
	require.NoError(t, err)
	got, err := replica.Do(ctx, "DEBUG", "DIGEST").Text()
	require.NoError(t, err)
	assert.Equal(t, want, got, "DEBUG DIGEST")
}

func fillEveryType(t *testing.T, addr, prefix string) {
	t.Helper()
	ctx := context.Background()
	for db := 0; db < 3; db++ {
		c := redis.NewClient(&redis.Options{Addr: addr, DB: db, Protocol: 2})
		p := c.Pipeline()
		for i := 0; i < 200; i++ {
			k := prefix + ":" + strconv.Itoa(db) + ":" + strconv.Itoa(i)
			switch i % 6 {
			case 0:
				p.Set(ctx, k, strings.Repeat("v", i), 0)
			case 1:
				p.RPush(ctx, k, i, "x", strings.Repeat("y", 70))
			case 2:
				p.HSet(ctx, k, "f", i, "g", "text")
			case 3:
				p.SAdd(ctx, k, i, i+1, "m")
			case 4:
				p.ZAdd(ctx, k, redis.Z{Score: float64(i) / 7, Member: "a"}, redis.Z{Score: -2, Member: "b"})
			case 5:
				p.Set(ctx, k, i, time.Hour)
			}
		}
		_, err := p.Exec(ctx)
		require.NoError(t, err)
		require.NoError(t, c.Close())
	}
}

// TestGoRedisReplicatesFromRedis makes GoRedis a replica of Debian's
// redis-server: full synchronization, the stream, a lost link continued
// with PSYNC, the read-only gate, ROLE, and REPLICAOF NO ONE.
func TestGoRedisReplicatesFromRedis(t *testing.T) {
	ref, err := refredis.Start("--enable-debug-command", "yes")
	if err == refredis.ErrNotInstalled {
		t.Skip("redis-server not installed")
	}
	require.NoError(t, err)
	defer ref.Stop()
	ctx := context.Background()
	master := redis.NewClient(&redis.Options{Addr: ref.Addr, Protocol: 2})
	defer master.Close()
	fillEveryType(t, ref.Addr, "before")

	raddr := startReplica(t)
	replica := redis.NewClient(&redis.Options{Addr: raddr, Protocol: 2})
	defer replica.Close()
	host, port, _ := net.SplitHostPort(ref.Addr)
	require.NoError(t, replica.Do(ctx, "REPLICAOF", host, port).Err())
	assert.Equal(t, "OK Already connected to specified master", replica.Do(ctx, "REPLICAOF", host, port).Val())
	fillEveryType(t, ref.Addr, "after")
	require.NoError(t, master.Expire(ctx, "after:0:0", time.Minute).Err())
	waitInSync(t, master, replica)

	err = replica.Set(ctx, "k", "v", 0).Err()
	require.Error(t, err)
	assert.Equal(t, "READONLY You can't write against a read only replica.", err.Error())
	role, err := replica.Do(ctx, "ROLE").Slice()
	require.NoError(t, err)
	assert.Equal(t, []any{"slave", host, int64(mustAtoi(port)), "connected"}, role[:4])

	// The master drops the link: the replica continues with PSYNC.
	full := infoStat(t, master, "sync_full")
	require.NoError(t, master.Do(ctx, "CLIENT", "KILL", "TYPE", "replica").Err())
	require.NoError(t, master.Incr(ctx, "after-the-cut").Err())
	waitInSync(t, master, replica)
	assert.Equal(t, full, infoStat(t, master, "sync_full"), "no second full synchronization")
	assert.NotEqual(t, "0", infoStat(t, master, "sync_partial_ok"))

	require.NoError(t, replica.Do(ctx, "REPLICAOF", "NO", "ONE").Err())
	assert.Equal(t, "master", infoField(t, replica, "role"))
	require.NoError(t, replica.Set(ctx, "k", "v", 0).Err())
}

// TestGoRedisReplicatesFromGoRedis chains two GoRedis servers.
func TestGoRedisReplicatesFromGoRedis(t *testing.T) {
	ctx := context.Background()
	_, maddr := startMaster(t)
	master := redis.NewClient(&redis.Options{Addr: maddr, Protocol: 2})
	defer master.Close()
	fillEveryType(t, maddr, "before")
	raddr := startReplica(t)
	replica := redis.NewClient(&redis.Options{Addr: raddr, Protocol: 2})
	defer replica.Close()
	host, port, _ := net.SplitHostPort(maddr)
	require.NoError(t, replica.Do(ctx, "REPLICAOF", host, port).Err())
	fillEveryType(t, maddr, "after")
	require.NoError(t, master.Del(ctx, "before:1:1").Err())
	waitInSync(t, master, replica)
	assert.Equal(t, "1", infoStat(t, master, "sync_full"))

	// A cut link continues from the backlog.
	require.NoError(t, master.Do(ctx, "CLIENT", "KILL", "TYPE", "replica").Err())
	require.NoError(t, master.Incr(ctx, "after-the-cut").Err())
	waitInSync(t, master, replica)
	assert.Equal(t, "1", infoStat(t, master, "sync_full"))
	assert.Equal(t, "1", infoStat(t, master, "sync_partial_ok"))
}

func infoStat(t *testing.T, c *redis.Client, field string) string {
	t.Helper()
	info, err := c.Info(context.Background(), "stats").Result()
	require.NoError(t, err)
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// TestSwapdbLoadFromRedis makes GoRedis, holding data of its own, a
// replica of redis-server with repl-diskless-load swapdb under a diskless
// master: the payload is loaded from the socket into a temporary keyspace
// that replaces the old data whole, and the stream follows.
func TestSwapdbLoadFromRedis(t *testing.T) {
	ref, err := refredis.Start("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0")
	if err == refredis.ErrNotInstalled {
		t.Skip("redis-server not installed")
	}
	require.NoError(t, err)
	defer ref.Stop()
	ctx := context.Background()
	master := redis.NewClient(&redis.Options{Addr: ref.Addr, Protocol: 2})
	defer master.Close()
	fillEveryType(t, ref.Addr, "before")

	raddr := startReplica(t)
	replica := redis.NewClient(&redis.Options{Addr: raddr, Protocol: 2})
	defer replica.Close()
	require.NoError(t, replica.Set(ctx, "replica-only", "x", 0).Err())
	require.NoError(t, replica.ConfigSet(ctx, "repl-diskless-load", "swapdb").Err())
	host, port, _ := net.SplitHostPort(ref.Addr)
	require.NoError(t, replica.Do(ctx, "REPLICAOF", host, port).Err())
	fillEveryType(t, ref.Addr, "after")
	waitInSync(t, master, replica)
	n, err := replica.Exists(ctx, "replica-only").Result()
	require.NoError(t, err)
	assert.Zero(t, n, "the old data is gone with the swap")
}
