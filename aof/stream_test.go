package aof

import (
	"bufio"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
)

// streamPropagationScript: every way a stream command is propagated in
// Redis 7.0 (auto and partial IDs resolved, approximate trimming made
// exact, XREADGROUP and XCLAIM as XCLAIM ... FORCE JUSTID LASTID, NOACK
// reads as XGROUP SETID and CREATECONSUMER, XAUTOCLAIM of deleted entries).
var streamPropagationScript = []string{
	"CONFIG SET stream-node-max-entries 3",
	"XADD s * a 1", "XADD s 5-* a 2", "XADD s 5-* a 3", "XADD s 6-1 a 4", "XADD s 7-1 a 5", "XADD s 8-1 a 6",
	"XADD s MAXLEN ~ 2 9-1 a 7", "XADD s MINID ~ 7 10-1 a 8", "XTRIM s MAXLEN ~ 1", "XTRIM s MAXLEN 3", "XTRIM s MINID = 0",
	"XADD s2 NOMKSTREAM * a 1", "XADD s2 MAXLEN 0 1-1 a 1",
	"XGROUP CREATE s g 0", "XGROUP CREATE s g 0", "XGROUP CREATE mk g $ MKSTREAM", "XGROUP CREATE s g2 0 ENTRIESREAD 1",
	"XREADGROUP GROUP g alice COUNT 2 STREAMS s >", "XREADGROUP GROUP g alice STREAMS s 0", "XREADGROUP GROUP g alice STREAMS s >",
	"XREADGROUP GROUP g2 bob NOACK STREAMS s >", "XREADGROUP GROUP g2 bob NOACK STREAMS s >",
	"XACK s g 9-1", "XACK s g 9-1", "XCLAIM s g carol 0 10-1", "XCLAIM s g carol 0 10-1 JUSTID LASTID 50-0",
	"XCLAIM s g carol 0 1-1 LASTID 60-0", "XDEL s 10-1", "XAUTOCLAIM s g dave 0 0", "XAUTOCLAIM s g dave 0 0 JUSTID",
	"XGROUP CREATECONSUMER s g erin", "XGROUP DELCONSUMER s g erin", "XGROUP SETID s g 0", "XGROUP SETID s g $ ENTRIESREAD 5",
	"XSETID s 100-1", "XSETID s 100-1 ENTRIESADDED 50 MAXDELETEDID 99-0", "XGROUP DESTROY s g2", "XGROUP DESTROY s g2",
	"XREAD STREAMS s 0", "XRANGE s - +", "XINFO STREAM s", "DEL s",
}

// TestStreamPropagationMatchesRedis: the incr file GoRedis writes for the
// stream script equals redis-server's (times blanked).
func TestStreamPropagationMatchesRedis(t *testing.T) {
	redisDir := t.TempDir()
	startRedis(t, portRedis, redisDir, "--appendonly", "yes", "--appendfsync", "always")
	rc := dialRESP(t, portRedis)
	goDir := t.TempDir()
	e, a, _, err := openEngine(t, goDir, map[string]string{"appendonly": "yes", "appendfsync": "always"})
	require.NoError(t, err)
	s := e.NewSession(engine.ClientInfo{Kind: "test"})
	for _, line := range streamPropagationScript {
		want := rc.do(strings.Fields(line)...)
		got := run(s, line)
		require.Equalf(t, want[:1] == "-", strings.HasPrefix(got, "-"), "%s: redis %q, goredis %q", line, want, got)
	}
	require.NoError(t, a.Close())
	redisIncr := readFile(t, filepath.Join(redisDir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	goIncr := readFile(t, filepath.Join(goDir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	assert.Equal(t, splitCommands(redisIncr), splitCommands(goIncr))
}

// TestStreamRewriteLoadsInRedis: an AOF-format rewrite of streams with
// groups and pending entries (XADD, XSETID, XGROUP CREATE, XCLAIM ...)
// loads into redis-server with the same entries, counters and PELs.
func TestStreamRewriteLoadsInRedis(t *testing.T) {
	dir := t.TempDir()
	e, a, _, err := openEngine(t, dir, map[string]string{"appendonly": "yes", "aof-use-rdb-preamble": "no"})
	require.NoError(t, err)
	fill(t, e, []string{
		"XADD s 1-1 a 1", "XADD s 2-1 a 2 b 3", "XADD s 3-1 c 4", "XDEL s 2-1",
		"XGROUP CREATE s g 0", "XREADGROUP GROUP g alice COUNT 1 STREAMS s >", "XGROUP CREATECONSUMER s g idle",
		"XCLAIM s g bob 0 3-1 FORCE TIME 1700000000000 RETRYCOUNT 4 JUSTID",
		"XGROUP CREATE empty g $ MKSTREAM", "XSETID empty 5-5 ENTRIESADDED 9 MAXDELETEDID 4-0",
	})
	s := e.NewSession(engine.ClientInfo{})
	run(s, "BGREWRITEAOF")
	waitRewrite(t, e)
	keys := []string{"s", "empty"}
	want := map[string]string{}
	for _, k := range keys {
		for _, cmd := range []string{"XRANGE " + k + " - +", "XINFO GROUPS " + k, "XPENDING " + k + " g", "XINFO STREAM " + k} {
			want[k] += readReply(t, bufio.NewReader(strings.NewReader(run(s, cmd))))
		}
	}
	want["digest"] = digest(t, e)
	s.Close()
	require.NoError(t, a.Close())

	startRedis(t, portRedis2, dir, "--appendonly", "yes")
	rc := dialRESP(t, portRedis2)
	got := map[string]string{"digest": rc.do("DEBUG", "DIGEST") + "\r\n"}
	for _, k := range keys {
		for _, cmd := range []string{"XRANGE " + k + " - +", "XINFO GROUPS " + k, "XPENDING " + k + " g", "XINFO STREAM " + k} {
			got[k] += rc.do(strings.Fields(cmd)...)
		}
	}
	assert.Equal(t, want, got)
}
