package repl_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os/exec"
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

// startMaster serves a GoRedis engine with the replication driver.
func startMaster(t *testing.T, config ...string) (*engine.Engine, string) {
	t.Helper()
	conf := map[string]string{"enable-debug-command": "yes", "dir": t.TempDir()}
	for i := 0; i+1 < len(config); i += 2 {
		conf[config[i]] = config[i+1]
	}
	eng := engine.New(engine.Options{Config: conf})
	eng.SetFullSyncer(repl.Syncer{})
	srv := netserver.New(eng, netserver.Options{Addr: "127.0.0.1:0", Log: func(byte, string) {}})
	require.NoError(t, srv.Listen())
	go func() { _ = srv.Serve() }()
	t.Cleanup(func() { _ = srv.Close() })
	return eng, srv.Addr().String()
}

// TestRedisReplicatesFromGoRedis makes Debian's redis-server a replica of
// GoRedis: the full synchronization (an RDB payload of every type, with
// TTLs, in several databases), streamed to the socket as it is encoded
// (diskless) or sent from a file (disk-based), and the stream after it
// leave both servers with the same DEBUG DIGEST.
func TestRedisReplicatesFromGoRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed")
	}
	for _, diskless := range []string{"yes", "no"} {
		t.Run("repl-diskless-sync "+diskless, func(t *testing.T) { testRedisReplicatesFromGoRedis(t, diskless) })
	}
}

func testRedisReplicatesFromGoRedis(t *testing.T, diskless string) {
	ctx := context.Background()
	_, maddr := startMaster(t, "repl-diskless-sync", diskless, "repl-diskless-sync-delay", "0")
	master := redis.NewClient(&redis.Options{Addr: maddr, Protocol: 2})
	defer master.Close()
	fill := func(prefix string) {
		for db := 0; db < 3; db++ {
			c := redis.NewClient(&redis.Options{Addr: maddr, DB: db, Protocol: 2})
			p := c.Pipeline()
			for i := 0; i < 300; i++ {
				k := fmt.Sprintf("%s:%d:%d", prefix, db, i)
				switch i % 6 {
				case 0:
					p.Set(ctx, k+":s", strings.Repeat("v", i), 0)
				case 1:
					p.RPush(ctx, k+":l", i, "x", strings.Repeat("y", 50))
				case 2:
					p.HSet(ctx, k+":h", "f", i, "g", "text")
				case 3:
					p.SAdd(ctx, k+":set", i, i+1, "m")
				case 4:
					p.ZAdd(ctx, k+":z", redis.Z{Score: float64(i) / 3, Member: "a"}, redis.Z{Score: -1, Member: "b"})
				case 5:
					p.Set(ctx, k+":ttl", i, time.Hour)
				}
			}
			_, err := p.Exec(ctx)
			require.NoError(t, err)
			require.NoError(t, c.Close())
		}
	}
	fill("before")

	_, port, _ := net.SplitHostPort(maddr)
	replica, err := refredis.Start("--replicaof", "127.0.0.1", port, "--enable-debug-command", "yes")
	require.NoError(t, err)
	defer replica.Stop()
	rc := redis.NewClient(&redis.Options{Addr: replica.Addr, Protocol: 2})
	defer rc.Close()

	fill("after") // streamed, some of it while the payload is made
	require.NoError(t, master.Del(ctx, "before:0:0:s").Err())
	require.NoError(t, master.Incr(ctx, "counter").Err())

	offset := func(c *redis.Client, field string) string {
		info, err := c.Info(ctx, "replication").Result()
		require.NoError(t, err)
		for _, line := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(line, field+":"); ok {
				return v
			}
		}
		return ""
	}
	require.Eventually(t, func() bool {
		return offset(rc, "master_link_status") == "up" && offset(rc, "slave_repl_offset") == offset(master, "master_repl_offset")
	}, 20*time.Second, 50*time.Millisecond, "the replica caught up")
	want, err := master.Do(ctx, "DEBUG", "DIGEST").Text()
	require.NoError(t, err)
	got, err := rc.Do(ctx, "DEBUG", "DIGEST").Text()
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, "1", offset(master, "connected_slaves"))
}

// TestSyncStreamAsTheSuiteReadsIt is the Tcl suite's
// attach_to_replication_stream: SYNC, a length-prefixed payload, then the
// commands as their clients sent them, starting with a SELECT.
func TestSyncStreamAsTheSuiteReadsIt(t *testing.T) {
	_, maddr := startMaster(t)
	conn, err := net.Dial("tcp", maddr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("SYNC\r\n"))
	require.NoError(t, err)
	r := bufio.NewReader(conn)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	head, err := r.ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(head, "$"), head)
	var n int
	_, err = fmt.Sscanf(head, "$%d\r\n", &n)
	require.NoError(t, err)
	payload := make([]byte, n)
	_, err = r.Read(payload[:5])
	require.NoError(t, err)
	assert.Equal(t, "REDIS", string(payload[:5]))
	_, err = readFull(r, payload[5:])
	require.NoError(t, err)

	c := redis.NewClient(&redis.Options{Addr: maddr, Protocol: 2})
	defer c.Close()
	require.NoError(t, c.Set(context.Background(), "foo", "bar", 0).Err())
	want := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$3\r\nfoo\r\n$3\r\nbar\r\n"
	got := make([]byte, len(want))
	_, err = readFull(r, got)
	require.NoError(t, err)
	assert.Equal(t, want, string(got))
}

func readFull(r *bufio.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
