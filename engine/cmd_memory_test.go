package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMemoryUsage: string sizes as redis-server 7.0.15 reports them (its
// jemalloc size classes), collections a positive estimate, errors as Redis.
func TestMemoryUsage(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.do("SET", "foo", "bar")
	c.do("SET", "n", "12345")
	c.do("SET", "big", strings.Repeat("x", 100))
	c.do("SET", "medium", strings.Repeat("x", 40))
	c.do("RPUSH", "l", "a", "b", "c")
	for key, want := range map[string]string{"foo": ":64\r\n", "n": ":48\r\n", "big": ":160\r\n", "medium": ":96\r\n", "nokey": "$-1\r\n"} {
		assert.Equal(t, want, c.do("MEMORY", "USAGE", key), key)
	}
	assert.Equal(t, ":64\r\n", c.do("MEMORY", "USAGE", "foo", "SAMPLES", "0"))
	assert.Regexp(t, `^:[1-9][0-9]*\r\n$`, c.do("MEMORY", "USAGE", "l"))
	assert.Equal(t, errReply(errSyntax), c.do("MEMORY", "USAGE", "foo", "SAMPLES"))
	assert.Equal(t, errReply(errSyntax), c.do("MEMORY", "USAGE", "foo", "SAMPLES", "-1"))
	assert.Equal(t, errReply(errNotInt), c.do("MEMORY", "USAGE", "foo", "SAMPLES", "x"))
	assert.Equal(t, "+OK\r\n", c.do("MEMORY", "PURGE"))
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
