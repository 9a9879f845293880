package aof

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
)

// propagationScript is run on a real redis-server and on GoRedis; the
// incr files both write must be equal (absolute times normalized).
var propagationScript = []string{
	"SET k v", "GET k", "DEL nope", "SET k v2 XX GET", "SET k w NX",
	"SET e v EX 100", "SETEX e2 10 x", "PSETEX e3 5000 y", "SET e4 v PXAT 1900000000000", "GETSET k z",
	"EXPIRE k 100", "PEXPIRE k 200000 GT", "EXPIREAT k 1900000000", "PEXPIREAT k 1900000000123", "PERSIST k", "PERSIST k",
	"SET gone v", "EXPIRE gone -1", "GETEX e EX 50", "GETEX e PERSIST", "GETEX e PXAT 1", "SET gd v", "GETDEL gd", "GETDEL gd",
	"INCRBYFLOAT f 1.5", "INCRBYFLOAT f 0.1", "HINCRBYFLOAT h x 2.5", "INCR n", "INCRBY n 5", "DECR n", "APPEND s abc", "SETRANGE s 1 X",
	"SADD s1 a", "SPOP s1", "SPOP s1", "SADD s1 a b c", "SPOP s1 3", "SPOP s1 0", "SRANDMEMBER s1",
	"RPUSH l a b c d", "LPOP l", "RPOP l 2", "LMPOP 1 l LEFT COUNT 10", "RPUSH l a b", "BLPOP l 0", "BRPOP l 0", "BLPOP l 0.01",
	"RPUSH l a b c", "BLMPOP 0 1 l RIGHT COUNT 2", "BLMOVE l m LEFT RIGHT 0", "RPUSH l x", "BRPOPLPUSH l m 0", "LMOVE m l LEFT LEFT",
	"ZADD z 1 a 2 b 3 c", "ZPOPMIN z", "ZMPOP 1 z MAX", "BZPOPMIN z 0", "ZADD z 1 a 2 b", "BZMPOP 0 1 z MAX COUNT 5",
	"HSET h a 1 b 2", "HDEL h a", "HDEL h nope", "LPUSHX nope x", "SREM s1 nope",
	"MULTI", "SET t1 1", "GET t1", "INCR t1", "EXEC", "MULTI", "SET t2 1", "EXEC", "MULTI", "GET t1", "EXEC",
	"SELECT 3", "SET d3 v", "MOVE d3 0", "SELECT 0", "SWAPDB 0 3", "SWAPDB 0 3", "COPY k kc", "RENAME kc kr", "RENAMENX kr k2",
	"UNLINK kr k2 nope", "FLUSHDB", "FLUSHALL", "SET last v",
}

// msTimes matches unix-ms timestamps of these years.
var msTimes = regexp.MustCompile(`\b1[78]\d{11}\b`)

func TestPropagationMatchesRedis(t *testing.T) {
	redisDir := t.TempDir()
	startRedis(t, portRedis, redisDir, "--appendonly", "yes", "--appendfsync", "always")
	rc := dialRESP(t, portRedis)

	goDir := t.TempDir()
	e, a, _, err := openEngine(t, goDir, map[string]string{"appendonly": "yes", "appendfsync": "always"})
	require.NoError(t, err)
	s := e.NewSession(engine.ClientInfo{Kind: "test"})
	for _, line := range propagationScript {
		args := strings.Fields(line)
		want := rc.do(args...)
		got := run(s, line)
		if s.Blocked() {
			// A blocking command with a timeout: wait it out, as the
			// Redis connection did.
			deadline, ok := s.BlockDeadline()
			require.True(t, ok, line)
			time.Sleep(time.Until(deadline) + time.Millisecond)
			s.CheckTimeout()
			got = string(s.TakeOutput(nil))
		}
		// Replies are compared elsewhere; here only that both accepted
		// or refused the command alike.
		require.Equalf(t, want[:1] == "-", strings.HasPrefix(got, "-"), "%s: redis %q, goredis %q", line, want, got)
	}
	require.NoError(t, a.Close())
	redisIncr := readFile(t, filepath.Join(redisDir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	goIncr := readFile(t, filepath.Join(goDir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	want := splitCommands(redisIncr)
	require.Greater(t, len(want), 60)
	assert.Equal(t, want, splitCommands(goIncr))
	// Byte for byte, once absolute times are blanked.
	assert.Equal(t, msTimes.ReplaceAllString(redisIncr, "<ms>"), msTimes.ReplaceAllString(goIncr, "<ms>"))
}

// splitCommands cuts a RESP stream into one string per command, readable
// in a diff.
func splitCommands(s string) []string {
	var out []string
	r := NewReader(strings.NewReader(s))
	for {
		args, err := r.Next()
		if err != nil {
			break
		}
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = string(a)
		}
		out = append(out, msTimes.ReplaceAllString(strings.Join(parts, " "), "<ms>"))
	}
	return out
}
