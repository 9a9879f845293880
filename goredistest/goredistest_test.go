package goredistest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hangGuard bounds waits that only a bug makes long; no test asserts
// how fast anything is.
const hangGuard = 10 * time.Second

func client(t *testing.T, s *Server, opts ...func(*redis.Options)) *redis.Client {
	t.Helper()
	o := &redis.Options{Addr: s.Addr()}
	for _, f := range opts {
		f(o)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// recordingTB records CheckGet's failures instead of failing the test.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func TestHelpers(t *testing.T) {
	s := RunT(t)
	ctx := context.Background()
	c := client(t, s)
	assert.Equal(t, "127.0.0.1", s.Host())
	assert.Equal(t, s.Host()+":"+s.Port(), s.Addr())

	require.NoError(t, s.Set("greeting", "hello"))
	assert.Equal(t, "hello", c.Get(ctx, "greeting").Val(), "helpers and clients share the keyspace")
	require.NoError(t, c.Set(ctx, "b", "2", time.Minute).Err())
	require.NoError(t, c.RPush(ctx, "list", "x").Err())
	v, err := s.Get("b")
	require.NoError(t, err)
	assert.Equal(t, "2", v)
	_, err = s.Get("missing")
	assert.ErrorIs(t, err, ErrKeyNotFound)
	_, err = s.Get("list")
	assert.ErrorIs(t, err, ErrWrongType)
	assert.Equal(t, ErrWrongType.Error(), c.Get(ctx, "list").Err().Error(), "Redis's words")
	assert.True(t, s.Exists("list"))
	assert.False(t, s.Exists("missing"))
	assert.Equal(t, []string{"b", "greeting", "list"}, s.Keys())
	assert.Equal(t, time.Duration(0), s.TTL("greeting"), "no TTL")
	assert.Equal(t, time.Duration(0), s.TTL("missing"))
	assert.InDelta(t, float64(time.Minute), float64(s.TTL("b")), float64(5*time.Second))

	rec := &recordingTB{TB: t}
	s.CheckGet(rec, "greeting", "hello")
	s.CheckGet(rec, "greeting", "bye")
	s.CheckGet(rec, "missing", "x")
	assert.Equal(t, []string{`GET "greeting": got "hello", want "bye"`, `GET "missing": ERR no such key`}, rec.errors)

	// Select moves the helpers, not the clients.
	s.Select(3)
	assert.Empty(t, s.Keys())
	require.NoError(t, s.Set("in3", "x"))
	assert.Equal(t, int64(0), c.Exists(ctx, "in3").Val())
	c3 := client(t, s, func(o *redis.Options) { o.DB = 3 })
	assert.Equal(t, "x", c3.Get(ctx, "in3").Val())
	s.Select(16)
	assert.EqualError(t, s.Set("k", "v"), "ERR DB index is out of range")
	s.Select(0)

	s.FlushAll()
	assert.Empty(t, s.Keys())
	assert.Equal(t, int64(0), c3.DBSize(ctx).Val())
	// The helpers are no clients: only c and c3 are connected.
	assert.Contains(t, c.Info(ctx, "clients").Val(), "connected_clients:2\r\n")
}

func TestRequireAuth(t *testing.T) {
	s := RunT(t)
	ctx := context.Background()
	s.RequireAuth("s3cret")
	anon := client(t, s)
	assert.EqualError(t, anon.Ping(ctx).Err(), "NOAUTH Authentication required.")
	authed := client(t, s, func(o *redis.Options) { o.Password = "s3cret" })
	require.NoError(t, authed.Set(ctx, "k", "v", 0).Err())
	s.CheckGet(t, "k", "v") // the helpers need no password
	s.RequireAuth("")
	assert.Equal(t, "PONG", client(t, s).Ping(ctx).Val())
}

// TestFastForwardTTL: FastForward expires keys at once, with their
// keyspace events, and OBJECT IDLETIME follows.
func TestFastForwardTTL(t *testing.T) {
	s := RunT(t)
	ctx := context.Background()
	c := client(t, s)
	require.NoError(t, c.ConfigSet(ctx, "notify-keyspace-events", "Ex").Err())
	sub := c.Subscribe(ctx, "__keyevent@0__:expired")
	defer sub.Close()
	_, err := sub.Receive(ctx)
	require.NoError(t, err)

	require.NoError(t, c.Set(ctx, "session", "abc", time.Minute).Err())
	require.NoError(t, c.Set(ctx, "forever", "x", 0).Err())
	s.FastForward(59 * time.Second)
	assert.True(t, s.Exists("session"))
	assert.LessOrEqual(t, s.TTL("session"), time.Second)
	assert.GreaterOrEqual(t, c.ObjectIdleTime(ctx, "forever").Val(), 59*time.Second)
	s.FastForward(2 * time.Second)
	assert.False(t, s.Exists("session"))
	assert.Equal(t, int64(1), c.DBSize(ctx).Val(), "taken at once, not at the next read")
	msg, err := sub.ReceiveTimeout(ctx, hangGuard)
	require.NoError(t, err)
	assert.Equal(t, "session", msg.(*redis.Message).Payload)

	// Real time goes on too: a short TTL expires without FastForward.
	require.NoError(t, c.Set(ctx, "short", "x", 20*time.Millisecond).Err())
	require.Eventually(t, func() bool { return !s.Exists("short") }, hangGuard, 5*time.Millisecond)
}

// TestFastForwardBlocking: a blocking command's timeout follows the
// clock, both when the clock jumps while it waits and when it blocks
// after a jump.
func TestFastForwardBlocking(t *testing.T) {
	s := RunT(t)
	ctx := context.Background()
	c := client(t, s)
	watcher := client(t, s)
	done := make(chan error, 1)
	go func() {
		_, err := c.BLPop(ctx, 30*time.Second, "jobs").Result()
		done <- err
	}()
	require.Eventually(t, func() bool {
		return strings.Contains(watcher.ClientList(ctx).Val(), "cmd=blpop")
	}, hangGuard, 5*time.Millisecond)
	s.FastForward(31 * time.Second)
	select {
	case err := <-done:
		assert.ErrorIs(t, err, redis.Nil, "timed out")
	case <-time.After(hangGuard):
		t.Fatal("BLPOP did not time out after FastForward")
	}
	// After a jump of an hour, a 200 ms timeout is 200 ms, not an hour.
	s.FastForward(time.Hour)
	go func() {
		_, err := c.Do(ctx, "BLPOP", "jobs", "0.2").Result()
		done <- err
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, redis.Nil)
	case <-time.After(hangGuard):
		t.Fatal("BLPOP after FastForward waited for the jump too")
	}
}

func TestSetTime(t *testing.T) {
	s := RunT(t)
	ctx := context.Background()
	c := client(t, s)
	when := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s.SetTime(when)
	now := c.Time(ctx).Val()
	assert.WithinDuration(t, when, now, hangGuard)
	require.NoError(t, c.Set(ctx, "k", "v", 0).Err())
	require.NoError(t, c.ExpireAt(ctx, "k", when.Add(time.Hour)).Err())
	assert.InDelta(t, float64(time.Hour), float64(s.TTL("k")), float64(hangGuard))
	s.SetTime(when.Add(2 * time.Hour))
	assert.False(t, s.Exists("k"))
}

func TestRestart(t *testing.T) {
	s := RunT(t)
	ctx := context.Background()
	c := client(t, s)
	require.NoError(t, c.Set(ctx, "k", "v", 0).Err())
	addr := s.Addr()
	require.NoError(t, s.Restart())
	assert.Equal(t, addr, s.Addr())
	assert.Equal(t, "v", c.Get(ctx, "k").Val(), "go-redis reconnects; the data stayed")
	s.Close()
	assert.Error(t, c.Ping(ctx).Err(), "closed")
	s.Close() // twice is fine
}

// TestEngineThroughIt: what the engine does works through the package, in
// RESP2 and RESP3: transactions with WATCH, pub/sub, Redis's error words.
func TestEngineThroughIt(t *testing.T) {
	s := RunT(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		c := client(t, s, func(o *redis.Options) { o.Protocol = proto })
		require.NoError(t, c.FlushAll(ctx).Err())
		_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, "n")
			p.Expire(ctx, "n", time.Minute)
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, "1", c.Get(ctx, "n").Val())
		assert.EqualError(t, c.Do(ctx, "SET", "k", "v", "EX", "0").Err(), "ERR invalid expire time in 'set' command")
		assert.Equal(t, map[string]string{"a": "1"}, func() map[string]string {
			require.NoError(t, c.HSet(ctx, "h", "a", "1").Err())
			return c.HGetAll(ctx, "h").Val()
		}())
		pubsub := c.Subscribe(ctx, "ch")
		_, err = pubsub.Receive(ctx)
		require.NoError(t, err)
		require.NoError(t, client(t, s).Publish(ctx, "ch", "m").Err())
		msg, err := pubsub.ReceiveMessage(ctx)
		require.NoError(t, err)
		assert.Equal(t, "m", msg.Payload)
		_ = pubsub.Close()
	}
}

// TestParallel: servers in parallel tests are independent: keyspaces,
// clocks and ports.
func TestParallel(t *testing.T) {
	for i := range 8 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			s := RunT(t)
			ctx := context.Background()
			c := client(t, s)
			require.NoError(t, c.Set(ctx, "k", fmt.Sprint(i), time.Duration(i+1)*time.Minute).Err())
			s.FastForward(time.Duration(i) * time.Minute)
			s.CheckGet(t, "k", fmt.Sprint(i))
			assert.LessOrEqual(t, s.TTL("k"), time.Minute)
			assert.Equal(t, []string{"k"}, s.Keys())
		})
	}
}
