package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entry is one stream entry as XRANGE/XREAD write it.
func entry(id string, fv ...string) string { return arr(bulk(id), bulks(fv...)) }

func TestStreamBlockingXRead(t *testing.T) {
	clk, a, b := blockedPair(t)
	// Served at once when there is something after the ID.
	b.line("XADD s 1-1 f v")
	assert.Equal(t, arr(arr(bulk("s"), arr(entry("1-1", "f", "v")))), a.line("XREAD BLOCK 0 STREAMS s 0"))

	// $ waits for what comes next; an XADD to another key does not wake it.
	st, out := a.exec("XREAD", "BLOCK", "0", "STREAMS", "s", "other", "$", "$")
	require.Equal(t, StatusBlocked, st)
	assert.Empty(t, out)
	b.line("XADD unrelated 1-1 f v")
	assert.Empty(t, a.output())
	b.line("XADD s 2-1 g w")
	assert.Equal(t, arr(arr(bulk("s"), arr(entry("2-1", "g", "w")))), a.output())
	assert.False(t, a.s.Blocked())

	// Deleting the key leaves a plain XREAD waiting; XADD recreating it
	// serves it.
	st, _ = a.exec("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	require.Equal(t, StatusBlocked, st)
	b.line("DEL s")
	assert.Empty(t, a.output())
	assert.True(t, a.s.Blocked())
	b.line("XADD s 3-1 h x")
	assert.Equal(t, arr(arr(bulk("s"), arr(entry("3-1", "h", "x")))), a.output())

	// Timeout (milliseconds): a null array; RESP3 a null and a map.
	st, _ = a.exec("XREAD", "BLOCK", "1500", "STREAMS", "s", "$")
	require.Equal(t, StatusBlocked, st)
	clk.Advance(1499 * time.Millisecond)
	a.s.CheckTimeout()
	assert.Empty(t, a.output())
	clk.Advance(time.Millisecond)
	a.s.CheckTimeout()
	assert.Equal(t, nilArr, a.output())
	a.line("HELLO 3")
	st, _ = a.exec("XREAD", "BLOCK", "10", "STREAMS", "s", "$")
	require.Equal(t, StatusBlocked, st)
	clk.Advance(10 * time.Millisecond)
	a.s.CheckTimeout()
	assert.Equal(t, "_\r\n", a.output())
	st, _ = a.exec("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	require.Equal(t, StatusBlocked, st)
	b.line("XADD s 4-1 i y")
	assert.Equal(t, "%1\r\n"+bulk("s")+arr(entry("4-1", "i", "y")), a.output())
}

func TestStreamBlockingInMultiAndUnblock(t *testing.T) {
	_, a, b := blockedPair(t)
	a.line("MULTI")
	a.line("XREAD BLOCK 0 STREAMS s $")
	assert.Equal(t, arr(nilArr), a.line("EXEC"))

	st, _ := a.exec("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	require.Equal(t, StatusBlocked, st)
	id := a.s.ID()
	assert.Equal(t, integer(1), b.do("CLIENT", "UNBLOCK", itoa(id)))
	assert.Equal(t, nilArr, a.output())
	st, _ = a.exec("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	require.Equal(t, StatusBlocked, st)
	assert.Equal(t, integer(1), b.do("CLIENT", "UNBLOCK", itoa(id), "ERROR"))
	assert.Equal(t, errReply("UNBLOCKED client unblocked via CLIENT UNBLOCK"), a.output())
}

func TestStreamBlockingXReadGroup(t *testing.T) {
	e, _ := testEngine(t)
	a, b, c := newClient(t, e), newClient(t, e), newClient(t, e)
	c.line("XGROUP CREATE s g $ MKSTREAM")
	// Two consumers wait; one entry goes to the first, the next to the
	// second (the group's last ID moved).
	st, _ := a.exec("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	require.Equal(t, StatusBlocked, st)
	st, _ = b.exec("XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">")
	require.Equal(t, StatusBlocked, st)
	c.line("XADD s 1-1 f v")
	assert.Equal(t, arr(arr(bulk("s"), arr(entry("1-1", "f", "v")))), a.output())
	assert.Empty(t, b.output())
	c.line("XADD s 2-1 f w")
	assert.Equal(t, arr(arr(bulk("s"), arr(entry("2-1", "f", "w")))), b.output())
	assert.Equal(t, arr(integer(2), bulk("1-1"), bulk("2-1"), arr(arr(bulk("alice"), bulk("1")), arr(bulk("bob"), bulk("1")))),
		c.line("XPENDING s g"))

	// The group destroyed: -NOGROUP. The key deleted: -UNBLOCKED.
	st, _ = a.exec("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	require.Equal(t, StatusBlocked, st)
	c.line("XGROUP DESTROY s g")
	assert.Equal(t, errReply("NOGROUP the consumer group this client was blocked on no longer exists"), a.output())
	c.line("XGROUP CREATE s g $")
	st, _ = a.exec("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	require.Equal(t, StatusBlocked, st)
	c.line("DEL s")
	assert.Equal(t, errReply("UNBLOCKED the stream key no longer exists"), a.output())
	// Overwritten by another type, or flushed, likewise.
	for _, end := range []string{"SET s x", "FLUSHALL"} {
		c.line("DEL s")
		c.line("XGROUP CREATE s g $ MKSTREAM")
		st, _ = a.exec("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
		require.Equal(t, StatusBlocked, st, end)
		c.line(end)
		assert.Equal(t, errReply("UNBLOCKED the stream key no longer exists"), a.output(), end)
	}
	assert.Contains(t, c.line("INFO commandstats"), "cmdstat_xreadgroup:calls=")
}

// TestStreamBlockedServePropagation: a blocked XREADGROUP served by an
// XADD propagates the XADD, then the delivery as XCLAIM, as in Redis.
func TestStreamBlockedServePropagation(t *testing.T) {
	e, _ := testEngine(t)
	rec := &opRecorder{}
	e.AttachPropagator(rec)
	a, b := newClient(t, e), newClient(t, e)
	b.line("XGROUP CREATE s g $ MKSTREAM")
	st, _ := a.exec("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	require.Equal(t, StatusBlocked, st)
	b.line("XADD s * f v")
	assert.Equal(t, [][]string{
		{"0:XGROUP CREATE s g $ MKSTREAM"},
		{"0:XADD s 1700000000000-0 f v"},
		{"0:XCLAIM s g alice 0 1700000000000-0 TIME 1700000000000 RETRYCOUNT 1 FORCE JUSTID LASTID 1700000000000-0"},
	}, rec.units)
}

// TestStreamBlockFromScripts: BLOCK is refused inside a script, as Redis.
func TestStreamBlockFromScripts(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	assert.Equal(t, errReply("ERR XREADgroup command is not allowed with BLOCK option from scripts"),
		c.do("EVAL", "return redis.pcall('XREADgroup','GROUP','g','c','BLOCK','0','STREAMS','s','0')", "0"))
	assert.Equal(t, nilBulk, c.do("EVAL", "return redis.pcall('XREAD','STREAMS','s','0')", "0"))
}
