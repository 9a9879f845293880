package netserver

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// infoFields parses an INFO reply into section -> field -> value, as
// RedisInsight's convertRedisInfoReplyToObject does.
func infoFields(text string) map[string]map[string]string {
	out := map[string]map[string]string{}
	section := ""
	for _, line := range strings.Split(text, "\r\n") {
		if strings.HasPrefix(line, "# ") {
			section = strings.ToLower(strings.TrimPrefix(line, "# "))
			out[section] = map[string]string{}
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok && section != "" {
			out[section][k] = v
		}
	}
	return out
}

// TestRedisInsightInfo: the INFO fields RedisInsight reads when it
// connects (ioredis's ready check: loading) and on its database list and
// overview (DatabaseInfoProvider, DatabaseOverviewProvider) are there, as
// redis-server 7.0 gives them. Not yet: instantaneous_ops_per_sec and
// instantaneous_input/output_kbps (GoRedis does not sample them), which
// RedisInsight's overview then leaves blank.
func TestRedisInsightInfo(t *testing.T) {
	redisAddr := startRedis(t)
	_, goAddr := startGoredis(t, Options{})
	ctx := context.Background()
	info := func(addr string) map[string]map[string]string {
		c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, ClientName: "redisinsight-common-0a1b2c3d"})
		defer c.Close()
		require.NoError(t, c.Set(ctx, "k", "v", 0).Err())
		text, err := c.Info(ctx).Result()
		require.NoError(t, err)
		return infoFields(text)
	}
	want, got := info(redisAddr), info(goAddr)

	read := []struct{ section, field string }{
		{"persistence", "loading"},
		{"server", "redis_version"},
		{"server", "uptime_in_seconds"},
		{"memory", "used_memory"},
		{"memory", "number_of_cached_scripts"},
		{"clients", "connected_clients"},
		{"stats", "keyspace_hits"},
		{"stats", "keyspace_misses"},
		{"replication", "role"},
		{"cpu", "used_cpu_sys"},
		{"cpu", "used_cpu_user"},
		{"keyspace", "db0"},
	}
	for _, f := range read {
		assert.Contains(t, got[f.section], f.field, "INFO %s %s", f.section, f.field)
	}
	assert.Equal(t, "0", got["persistence"]["loading"], "ioredis waits while loading is not 0")
	assert.Equal(t, "master", got["replication"]["role"])
	assert.True(t, strings.HasPrefix(got["keyspace"]["db0"], "keys=1,expires=0,"), got["keyspace"]["db0"])
	assert.Equal(t, want["server"]["redis_version"], got["server"]["redis_version"], "the version RedisInsight shows and gates features on")
	for _, f := range read {
		assert.Contains(t, want[f.section], f.field, "redis-server's INFO %s has %s too", f.section, f.field)
	}
}
