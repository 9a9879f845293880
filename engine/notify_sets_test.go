package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSetZsetSortKeyspaceEvents checks the keyevent notifications against
// the sequence a real Redis 7.0 published for the same commands.
func TestSetZsetSortKeyspaceEvents(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	sub := newClient(t, e)
	require.NoError(t, e.config.set("notify-keyspace-events", "KEA", false))
	sub.line("PSUBSCRIBE __keyevent@0__:*") // the confirmation is taken here
	for _, line := range []string{
		"SADD s 1 2 3", "SADD s 1", "SREM s 1", "SREM s 9", "SPOP s", "SPOP s 5", "SADD s 1 2", "SMOVE s d 1", "SMOVE s d 2",
		"SADD a 1 2", "SINTERSTORE x a a", "SUNIONSTORE x a", "SDIFFSTORE x a a", "SINTERSTORE a2 nokey", "SDIFFSTORE x a a",
		"ZADD z 1 a 2 b 3 c 4 d 5 e", "ZADD z 1 a", "ZADD z INCR 1 a", "ZINCRBY z 1 a", "ZREM z a", "ZREMRANGEBYSCORE z 0 2",
		"ZREMRANGEBYRANK z 0 0", "ZREMRANGEBYLEX z - +", "ZADD z 1 a 2 b", "ZPOPMIN z", "ZPOPMAX z", "ZADD z 1 a", "ZMPOP 1 z MIN",
		"ZADD z 1 a", "BZPOPMIN z 0", "ZADD z 1 a 2 b", "ZRANGESTORE d2 z 0 -1", "ZUNIONSTORE d3 1 z", "ZINTERSTORE d3 1 z",
		"ZDIFFSTORE d3 1 z", "ZDIFFSTORE d3 2 z z", "ZADD z NX 5 a", "ZADD z XX 5 q", "ZREM z q",
		"RPUSH l 2 1", "SORT l STORE sl", "SORT l LIMIT 0 0 STORE sl", "SORT l STORE sl", "SORT l STORE sl",
	} {
		c.line(line)
	}
	out := string(sub.s.TakeOutput(nil))
	var got []string
	parts := strings.Split(out, "\r\n")
	for i := 0; i+6 < len(parts); i++ {
		if parts[i] == "pmessage" {
			event := strings.TrimPrefix(parts[i+4], "__keyevent@0__:")
			got = append(got, event+" "+parts[i+6])
			i += 6
		}
	}
	want := []string{"sadd s", "srem s", "spop s", "spop s", "del s", "sadd s", "srem s", "sadd d", "srem s", "del s", "sadd d",
		"sadd a", "sinterstore x", "sunionstore x", "del x", "zadd z", "zincr z", "zincr z", "zrem z", "zremrangebyscore z",
		"zremrangebyrank z", "zremrangebylex z", "del z", "zadd z", "zpopmin z", "zpopmax z", "del z", "zadd z", "zpopmin z",
		"del z", "zadd z", "zpopmin z", "del z", "zadd z", "zrangestore d2", "zunionstore d3", "zinterstore d3", "zdiffstore d3",
		"del d3", "rpush l", "sortstore sl", "del sl", "sortstore sl", "sortstore sl"}
	assert.Equal(t, want, got)
}
