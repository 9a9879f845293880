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
