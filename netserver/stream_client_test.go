package netserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGoRedisStreams drives the stream commands through go-redis v9's
// typed stream API (which parses XINFO, XPENDING and XAUTOCLAIM replies
// field by field) in RESP3 and RESP2, with a blocking XREADGROUP served by
// another connection's XADD.
func TestGoRedisStreams(t *testing.T) {
	_, addr := startGoredis(t, Options{})
	for _, proto := range []int{3, 2} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx := context.Background()
			c := goRedisClient(t, addr, proto)
			require.NoError(t, c.FlushAll(ctx).Err())

			id, err := c.XAdd(ctx, &redis.XAddArgs{Stream: "events", ID: "1-1", Values: []string{"type", "login", "user", "ann"}}).Result()
			require.NoError(t, err)
			assert.Equal(t, "1-1", id)
			require.NoError(t, c.XAdd(ctx, &redis.XAddArgs{Stream: "events", ID: "2-1", Values: []string{"type", "logout", "user", "ann"}}).Err())
			msgs, err := c.XRange(ctx, "events", "-", "+").Result()
			require.NoError(t, err)
			assert.Equal(t, []redis.XMessage{
				{ID: "1-1", Values: map[string]any{"type": "login", "user": "ann"}},
				{ID: "2-1", Values: map[string]any{"type": "logout", "user": "ann"}},
			}, msgs)
			assert.Equal(t, int64(2), c.XLen(ctx, "events").Val())

			require.NoError(t, c.XGroupCreate(ctx, "events", "workers", "0").Err())
			streams, err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "workers", Consumer: "w1", Streams: []string{"events", ">"}, Count: 1}).Result()
			require.NoError(t, err)
			require.Len(t, streams, 1)
			assert.Equal(t, "1-1", streams[0].Messages[0].ID)

			pending, err := c.XPending(ctx, "events", "workers").Result()
			require.NoError(t, err)
			assert.Equal(t, &redis.XPending{Count: 1, Lower: "1-1", Higher: "1-1", Consumers: map[string]int64{"w1": 1}}, pending)
			ext, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "events", Group: "workers", Start: "-", End: "+", Count: 10}).Result()
			require.NoError(t, err)
			require.Len(t, ext, 1)
			assert.Equal(t, "w1", ext[0].Consumer)
			assert.Equal(t, int64(1), ext[0].RetryCount)

			claimed, start, err := c.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: "events", Group: "workers", Consumer: "w2", Start: "0", Count: 10}).Result()
			require.NoError(t, err)
			assert.Equal(t, "0-0", start)
			require.Len(t, claimed, 1)
			assert.Equal(t, int64(1), c.XAck(ctx, "events", "workers", "1-1").Val())

			info, err := c.XInfoStream(ctx, "events").Result()
			require.NoError(t, err)
			assert.Equal(t, int64(2), info.Length)
			assert.Equal(t, "2-1", info.LastGeneratedID)
			assert.Equal(t, int64(2), info.EntriesAdded)
			assert.Equal(t, "2-1", info.LastEntry.ID)
			groups, err := c.XInfoGroups(ctx, "events").Result()
			require.NoError(t, err)
			require.Len(t, groups, 1)
			assert.Equal(t, redis.XInfoGroup{Name: "workers", Consumers: 2, Pending: 0, LastDeliveredID: "1-1", EntriesRead: 1, Lag: 1}, groups[0])
			consumers, err := c.XInfoConsumers(ctx, "events", "workers").Result()
			require.NoError(t, err)
			require.Len(t, consumers, 2)
			assert.Equal(t, "w1", consumers[0].Name)
			full, err := c.XInfoStreamFull(ctx, "events", 0).Result()
			require.NoError(t, err)
			assert.Len(t, full.Entries, 2)
			require.Len(t, full.Groups, 1)
			assert.Equal(t, "workers", full.Groups[0].Name)

			// A worker blocked in XREADGROUP is served by another client's XADD
			// (once it read what was there).
			rest, err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "workers", Consumer: "w3", Streams: []string{"events", ">"}}).Result()
			require.NoError(t, err)
			assert.Equal(t, "2-1", rest[0].Messages[0].ID)
			got := make(chan []redis.XStream, 1)
			go func() {
				s, _ := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "workers", Consumer: "w3", Streams: []string{"events", ">"}, Block: 5 * time.Second}).Result()
				got <- s
			}()
			other := goRedisClient(t, addr, proto)
			deadline := time.Now().Add(5 * time.Second)
			for !containsBlocked(ctx, other) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			require.NoError(t, other.XAdd(ctx, &redis.XAddArgs{Stream: "events", ID: "3-1", Values: []string{"type", "purchase"}}).Err())
			s := <-got
			require.Len(t, s, 1)
			require.Len(t, s[0].Messages, 1)
			assert.Equal(t, "3-1", s[0].Messages[0].ID)

			n, err := c.XTrimMaxLen(ctx, "events", 1).Result()
			require.NoError(t, err)
			assert.Equal(t, int64(2), n)
			assert.Equal(t, "stream", c.Type(ctx, "events").Val())
		})
	}
}

// containsBlocked reports whether a client waits in a blocking command.
func containsBlocked(ctx context.Context, c *redis.Client) bool {
	info, _ := c.Info(ctx, "clients").Result()
	return !strings.Contains(info, "blocked_clients:0\r\n")
}
