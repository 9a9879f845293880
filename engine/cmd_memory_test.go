package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMemoryUsage(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "MEMORY USAGE nope", want: "$-1\r\n"},
		{cmd: "SET foo bar", want: ok},
		// 24 (dict entry) + 8 (key sds) + 32 (embstr object).
		{cmd: "MEMORY USAGE foo", want: integer(64)},
		{cmd: "MEMORY USAGE foo SAMPLES 0", want: integer(64)},
		{cmd: "MEMORY USAGE foo SAMPLES -1", want: errReply("ERR syntax error")},
		{cmd: "MEMORY USAGE foo SAMPLES x", want: errReply("ERR value is not an integer or out of range")},
		{cmd: "MEMORY USAGE foo bar", want: errReply("ERR syntax error")},
		{cmd: "MEMORY USAGE foo SAMPLES", want: errReply("ERR syntax error")},
		{cmd: "MEMORY USAGE", want: arity("memory|usage")},
		{cmd: "MEMORY PURGE", want: ok},
		{cmd: "MEMORY MALLOC-STATS", want: "$45\r\nStats not supported for the current allocator\r\n"},
		{cmd: "COMMAND GETKEYS MEMORY USAGE key", want: "*1\r\n$3\r\nkey\r\n"},
	})
}

func TestMemoryUsageGrowsWithValues(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	for _, cmd := range []string{"HSET h a 1", "RPUSH l a", "SADD s a", "ZADD z 1 a"} {
		c.line(cmd)
		key := strings.Fields(cmd)[1]
		small := c.line("MEMORY USAGE " + key)
		for i := 0; i < 200; i++ {
			m := strings.Repeat("x", 30) + itoa(int64(i))
			if key == "z" {
				c.do("ZADD", key, "1", m)
			} else {
				c.do(strings.Fields(cmd)[0], key, m, "1")
			}
		}
		big := c.line("MEMORY USAGE " + key)
		assert.Greater(t, len(big), 0)
		assert.Less(t, parseIntReply(t, small), parseIntReply(t, big), key)
	}
}

func TestScriptKillNotBusy(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "SCRIPT KILL", want: errReply("NOTBUSY No scripts in execution right now.")},
		{cmd: "FUNCTION KILL", want: errReply("NOTBUSY No scripts in execution right now.")},
	})
}

func TestSortGetKeysStore(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "COMMAND GETKEYS SORT abc STORE def", want: "*2\r\n$3\r\nabc\r\n$3\r\ndef\r\n"},
		{cmd: "COMMAND GETKEYS SORT abc STORE invalid STORE stillbad STORE def", want: "*2\r\n$3\r\nabc\r\n$3\r\ndef\r\n"},
		// An option's argument spelled "store" is not the option.
		{cmd: "COMMAND GETKEYS SORT abc BY store LIMIT 0 1", want: "*1\r\n$3\r\nabc\r\n"},
		{cmd: "COMMAND GETKEYS SORT abc STORE", want: "*1\r\n$3\r\nabc\r\n"},
		{cmd: "COMMAND GETKEYS SORT_RO abc", want: "*1\r\n$3\r\nabc\r\n"},
		{cmd: "COMMAND GETKEYSANDFLAGS SORT abc STORE def", want: "*2\r\n*2\r\n$3\r\nabc\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$3\r\ndef\r\n*2\r\n+OW\r\n+update\r\n"},
	})
}

// parseIntReply reads a RESP integer reply.
func parseIntReply(t *testing.T, reply string) int64 {
	t.Helper()
	n, ok := parseInt([]byte(strings.TrimSuffix(strings.TrimPrefix(reply, ":"), "\r\n")))
	if !ok || !strings.HasPrefix(reply, ":") {
		t.Fatalf("not an integer reply: %q", reply)
	}
	return n
}
