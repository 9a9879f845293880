package engine

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The command and config tables are built once per process and shared
// by every engine (sharedCommands, sharedConfig); what one engine changes
// must stay its own. These tests run two engines in one process and
// check that nothing one does shows in the other.

// commandStat is the cmdstat line of INFO commandstats for name, "" when
// there is none.
func commandStat(c *client, name string) string {
	for _, l := range strings.Split(c.line("INFO commandstats"), "\r\n") {
		if strings.HasPrefix(l, "cmdstat_"+name+":") {
			return l
		}
	}
	return ""
}

func TestEnginesKeepTheirOwnRenames(t *testing.T) {
	renamed := New(Options{RenameCommands: []CommandRename{{From: "get", To: "fetch"}, {From: "flushall", To: ""}}})
	plain, _ := testEngine(t)
	r, p := newClient(t, renamed), newClient(t, plain)

	assert.Equal(t, ok, r.line("SET k v"))
	assert.Equal(t, bulk("v"), r.line("FETCH k"))
	assert.Equal(t, errReply("ERR unknown command 'GET', with args beginning with: 'k' "), r.line("GET k"))
	assert.Equal(t, errReply("ERR unknown command 'FLUSHALL', with args beginning with: "), r.line("FLUSHALL"))

	assert.Equal(t, ok, p.line("SET k w"))
	assert.Equal(t, bulk("w"), p.line("GET k"))
	assert.Equal(t, errReply("ERR unknown command 'FETCH', with args beginning with: 'k' "), p.line("FETCH k"))
	assert.Equal(t, ok, p.line("FLUSHALL"))

	// COMMAND COUNT: the renamed engine lost FLUSHALL, the other did not.
	countR, countP := r.line("COMMAND COUNT"), p.line("COMMAND COUNT")
	assert.NotEqual(t, countR, countP)
	assert.Equal(t, integer(int64(len(plain.commands)-1)), countR)
	assert.Equal(t, integer(int64(len(plain.commands))), countP)

	// A third engine made after the renames sees the full table.
	third := newClient(t, New(Options{}))
	assert.Equal(t, nilBulk, third.line("GET k"))
	assert.Equal(t, countP, third.line("COMMAND COUNT"))
	assert.Contains(t, third.line("COMMAND INFO get"), "get")
}

func TestEnginesKeepTheirOwnCommandStats(t *testing.T) {
	e1, _ := testEngine(t)
	e2, _ := testEngine(t)
	c1, c2 := newClient(t, e1), newClient(t, e2)
	for range 3 {
		c1.line("SET k v")
	}
	c1.line("GET") // wrong arity: rejected
	c1.line("CLIENT NOSUCH")
	c2.line("GET k")

	assert.True(t, strings.HasPrefix(commandStat(c1, "set"), "cmdstat_set:calls=3,"), commandStat(c1, "set"))
	assert.Contains(t, commandStat(c1, "get"), "calls=0,")
	assert.Contains(t, commandStat(c1, "get"), "rejected_calls=1,")
	assert.Equal(t, "", commandStat(c2, "set"))
	assert.True(t, strings.HasPrefix(commandStat(c2, "get"), "cmdstat_get:calls=1,"), commandStat(c2, "get"))
	assert.Contains(t, commandStat(c2, "get"), "rejected_calls=0,")

	// CONFIG RESETSTAT clears one engine's statistics only.
	assert.Equal(t, ok, c2.line("CONFIG RESETSTAT"))
	assert.Equal(t, "", commandStat(c2, "get"))
	assert.True(t, strings.HasPrefix(commandStat(c1, "set"), "cmdstat_set:calls=3,"), "the first engine keeps its counts: %s", commandStat(c1, "set"))

	// LATENCY HISTOGRAM: per engine too.
	assert.Contains(t, c1.line("LATENCY HISTOGRAM set"), "set")
	assert.Equal(t, "*0\r\n", c2.line("LATENCY HISTOGRAM set"))
}

func TestEnginesKeepTheirOwnConfig(t *testing.T) {
	e1 := New(Options{Config: map[string]string{"maxmemory-samples": "9", "no-such-directive": "kept"}})
	e2, _ := testEngine(t)
	c1, c2 := newClient(t, e1), newClient(t, e2)

	assert.Equal(t, bulks("maxmemory-samples", "9"), c1.line("CONFIG GET maxmemory-samples"))
	assert.Equal(t, bulks("maxmemory-samples", "5"), c2.line("CONFIG GET maxmemory-samples"))
	assert.Equal(t, bulks("no-such-directive", "kept"), c1.line("CONFIG GET no-such-directive"))
	assert.Equal(t, "*0\r\n", c2.line("CONFIG GET no-such-directive"))

	// CONFIG SET through an alias and its name, and the caches behind
	// the hot paths (notify-keyspace-events, hash limits).
	assert.Equal(t, ok, c1.line("CONFIG SET hash-max-ziplist-entries 3 notify-keyspace-events KEA"))
	assert.Equal(t, bulks("hash-max-listpack-entries", "3"), c1.line("CONFIG GET hash-max-listpack-entries"))
	assert.Equal(t, bulks("hash-max-listpack-entries", "512"), c2.line("CONFIG GET hash-max-listpack-entries"))
	assert.Equal(t, bulks("notify-keyspace-events", ""), c2.line("CONFIG GET notify-keyspace-events"))
	c1.line("HSET h a 1 b 2 c 3 d 4")
	c2.line("HSET h a 1 b 2 c 3 d 4")
	assert.Equal(t, bulk("hashtable"), c1.line("OBJECT ENCODING h"))
	assert.Equal(t, bulk("listpack"), c2.line("OBJECT ENCODING h"))

	// A failed CONFIG SET rolls back in its own engine only.
	assert.Equal(t, ok, c2.line("CONFIG SET maxmemory-samples 6"))
	assert.True(t, strings.HasPrefix(c1.line("CONFIG SET maxmemory-samples 7 maxmemory-policy nosuch"), "-ERR CONFIG SET failed"))
	assert.Equal(t, bulks("maxmemory-samples", "9"), c1.line("CONFIG GET maxmemory-samples"))
	assert.Equal(t, bulks("maxmemory-samples", "6"), c2.line("CONFIG GET maxmemory-samples"))

	// An engine made now starts from the defaults.
	c3 := newClient(t, New(Options{}))
	assert.Equal(t, bulks("maxmemory-samples", "5"), c3.line("CONFIG GET maxmemory-samples"))
	assert.Equal(t, bulks("hash-max-listpack-entries", "512"), c3.line("CONFIG GET hash-max-listpack-entries"))
	c4 := newClient(t, New(Options{}))
	assert.Equal(t, c4.line("CONFIG GET *"), c3.line("CONFIG GET *"), "CONFIG GET * of two untouched engines")
}

func TestEnginesKeepTheirOwnUsers(t *testing.T) {
	c1, c2 := newClient(t, New(Options{})), newClient(t, New(Options{}))
	assert.Equal(t, ok, c1.line("ACL SETUSER alice on >pw ~* +@read"))
	assert.Contains(t, c1.line("ACL USERS"), "alice")
	assert.NotContains(t, c2.line("ACL USERS"), "alice")
	// The ACL's command table is shared and the same for both.
	assert.Equal(t, c1.line("ACL CAT read"), c2.line("ACL CAT read"))
	assert.Equal(t, ok, c1.line("CONFIG SET requirepass secret"))
	assert.Equal(t, bulk("PONG"), c2.do("ECHO", "PONG"), "the other engine needs no password")
}

// TestEnginesInParallel runs commands that touch statistics, config and
// renamed tables on several engines at once: the race detector checks
// that the shared tables are only read.
func TestEnginesInParallel(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var opts Options
			if i%2 == 0 {
				opts.RenameCommands = []CommandRename{{From: "set", To: "put"}}
			}
			e := New(opts)
			c := newClient(t, e)
			set := "SET"
			if i%2 == 0 {
				set = "PUT"
			}
			for j := range 200 {
				c.line(set + " k " + itoa(int64(j)))
				c.line("GET k")
				c.line("CONFIG SET maxmemory-samples " + itoa(int64(3+j%5)))
			}
			c.line("COMMAND COUNT")
			c.line("ACL SETUSER u" + itoa(int64(i)) + " on nopass +@all")
			// Only this goroutine's engine: no lock needed to look.
			st := commandStat(c, "set")
			if !strings.HasPrefix(st, "cmdstat_set:calls=200,") {
				t.Errorf("engine %d: %q", i, st)
			}
		}()
	}
	wg.Wait()
	require.False(t, t.Failed())
}

// TestProcTitleTemplate: CONFIG SET proc-title-template checks the
// template as Redis 7.0.15 does (replies taken from redis-server).
func TestProcTitleTemplate(t *testing.T) {
	const bad = "-ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables\r\n"
	c := newClient(t, New(Options{}))
	for _, tc := range []struct{ tmpl, want string }{
		{"{bad}", bad},
		{"", bad},
		{"   ", bad},
		{"{title}", bad},
		{"{title} {server-mode}", bad},
		{"{unixsocket}", bad},
		{"{title", bad},
		{"x {", bad},
		{"{{title}", ok},
		{"{title} {port} {unixsocket} {config-file} {tls-port}", ok},
		{"{title} {listen-addr} {server-mode}", ok},
		{"redis }", ok},
	} {
		assert.Equal(t, tc.want, c.do("CONFIG", "SET", "proc-title-template", tc.tmpl), tc.tmpl)
	}
	assert.Equal(t, bulks("proc-title-template", "redis }"), c.line("CONFIG GET proc-title-template"))
	withSocket := newClient(t, New(Options{Config: map[string]string{"unixsocket": "/tmp/redis.sock"}}))
	assert.Equal(t, ok, withSocket.line("CONFIG SET proc-title-template {unixsocket}"))
}
