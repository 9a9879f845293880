package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func invalidate(keys ...string) string {
	return ">2\r\n" + bulk("invalidate") + bulks(keys...)
}

const invalidateNull = ">2\r\n$10\r\ninvalidate\r\n_\r\n"

func TestTrackingDefault(t *testing.T) {
	e, clk := testEngine(t)
	c, o := newClient(t, e), newClient(t, e)
	resp3(t, c)
	require.Equal(t, ok, c.line("CLIENT TRACKING on"))
	c.line("GET a")
	c.line("GET a")
	o.line("SET a 1")
	o.line("SET a 2") // the key is forgotten after one invalidation
	assert.Equal(t, invalidate("a"), c.take())
	// Keys of any database share one table, as in Redis.
	c.line("GET a")
	o.line("SELECT 1")
	o.line("SET a 1")
	assert.Equal(t, invalidate("a"), c.take())
	// Own writes: the invalidation follows the reply.
	c.line("GET k")
	assert.Equal(t, ok+invalidate("k"), c.line("SET k 1"))
	// Flushes invalidate everything with a null.
	c.line("GET k")
	o.line("FLUSHALL")
	assert.Equal(t, invalidateNull, c.take())
	assert.Equal(t, ok+invalidateNull, c.line("FLUSHDB"))
	// Inside MULTI the reads are remembered when EXEC runs them.
	c.line("MULTI")
	c.line("GET m")
	c.line("SET m 1")
	assert.Equal(t, arr("_\r\n", ok)+invalidate("m"), c.line("EXEC"))
	// Expiry invalidates too, from the active cycle as well.
	o.line("SELECT 0")
	o.line("SET x 1 PX 1")
	c.line("GET x")
	clk.Advance(time.Second)
	assert.Equal(t, 1, e.ActiveExpireCycle())
	assert.Equal(t, invalidate("x"), c.take())
	// OFF stops invalidations.
	require.Equal(t, ok, c.line("CLIENT TRACKING off"))
	c.line("GET z")
	o.line("SET z 1")
	assert.Empty(t, c.take())
}

func TestTrackingNoloopAndRESP2(t *testing.T) {
	e, _ := testEngine(t)
	c, o := newClient(t, e), newClient(t, e)
	// RESP2 without redirection: accepted, nothing can be sent.
	require.Equal(t, ok, c.line("CLIENT TRACKING on"))
	c.line("GET a")
	o.line("SET a 1")
	assert.Empty(t, c.take())
	resp3(t, c)
	require.Equal(t, ok, c.line("CLIENT TRACKING on noloop"))
	c.line("GET n")
	assert.Equal(t, ok, c.line("SET n 1"))
	c.line("GET n")
	o.line("SET n 2")
	assert.Equal(t, invalidate("n"), c.take())
}

func TestTrackingOptinOptout(t *testing.T) {
	e, _ := testEngine(t)
	c, o := newClient(t, e), newClient(t, e)
	resp3(t, c)
	require.Equal(t, ok, c.line("CLIENT TRACKING on optin"))
	c.line("GET q")
	o.line("SET q 1")
	assert.Empty(t, c.take())
	assert.Equal(t, ok, c.line("CLIENT CACHING yes"))
	c.line("GET q")
	c.line("GET r") // CACHING YES covers one command only
	o.line("SET q 2")
	o.line("SET r 2")
	assert.Equal(t, invalidate("q"), c.take())
	assert.Equal(t, errReply("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."), c.line("CLIENT CACHING no"))
	assert.Equal(t, errReply("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."), c.line("CLIENT TRACKING on optout"))
	c.line("CLIENT TRACKING off")
	require.Equal(t, ok, c.line("CLIENT TRACKING on optout"))
	assert.Equal(t, ok, c.line("CLIENT CACHING no"))
	c.line("GET o")
	c.line("GET p")
	o.line("SET o 1")
	o.line("SET p 1")
	assert.Equal(t, invalidate("p"), c.take())
	assert.Equal(t, errReply("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."), c.line("CLIENT CACHING yes"))
	assert.Equal(t, errReply("ERR syntax error"), c.line("CLIENT CACHING maybe"))
}

func TestTrackingBcast(t *testing.T) {
	e, _ := testEngine(t)
	c, o := newClient(t, e), newClient(t, e)
	resp3(t, c)
	require.Equal(t, ok, c.line("CLIENT TRACKING on bcast"))
	o.line("SET b 1")
	assert.Equal(t, invalidate("b"), c.take())
	// One batch per command, keys sorted and unique.
	o.line("MULTI")
	o.line("SET b 1")
	o.line("SET a 2")
	o.line("SET a 3")
	o.line("EXEC")
	assert.Equal(t, invalidate("a", "b"), c.take())
	assert.Equal(t, errReply("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."), c.line("CLIENT TRACKING on"))
	c.line("CLIENT TRACKING off")
	require.Equal(t, ok, c.line("CLIENT TRACKING on bcast prefix a prefix b noloop"))
	assert.Equal(t, ok, c.line("SET a 1"))
	o.line("MULTI")
	o.line("SET b 1")
	o.line("SET ab 1")
	o.line("SET a 1")
	o.line("SET c 1")
	o.line("EXEC")
	assert.Equal(t, invalidate("a", "ab")+invalidate("b"), takeSortedPrefixes(c))
	assert.Equal(t, errReply("ERR Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a single client must not overlap."), c.line("CLIENT TRACKING on bcast prefix ab"))
	assert.Equal(t, ok, c.line("CLIENT TRACKING on bcast prefix c"))
	// Re-enabling resets the options not given (NOLOOP here), as Redis.
	assert.Equal(t, "%3\r\n"+bulk("flags")+"~2\r\n"+bulk("on")+bulk("bcast")+
		bulk("redirect")+integer(0)+bulk("prefixes")+bulks("a", "b", "c"), c.line("CLIENT TRACKINGINFO"))
	c.line("CLIENT TRACKING off")
	assert.Equal(t, errReply("ERR Prefix 'ab' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap."), c.line("CLIENT TRACKING on bcast prefix ab prefix a"))
	// Flushes reach BCAST clients as well.
	require.Equal(t, ok, c.line("CLIENT TRACKING on bcast"))
	o.line("FLUSHDB")
	assert.Equal(t, invalidateNull, c.take())
}

// takeSortedPrefixes returns the pending output with per-prefix batches in
// prefix order (Go map order is random; Redis walks its prefix tree).
func takeSortedPrefixes(c *client) string {
	out := c.take()
	a, b := invalidate("a", "ab"), invalidate("b")
	if out == b+a {
		return a + b
	}
	return out
}

func TestTrackingRedirect(t *testing.T) {
	e, _ := testEngine(t)
	c, o := newClient(t, e), newClient(t, e)
	r2, r3 := newClient(t, e), newClient(t, e)
	resp3(t, r3)
	assert.Equal(t, errReply("ERR The client ID you want redirect to does not exist"), c.line("CLIENT TRACKING on redirect 999"))
	assert.Equal(t, errReply("ERR value is not an integer or out of range"), c.line("CLIENT TRACKING on redirect x"))
	// To a RESP2 client: a message on __redis__:invalidate, if subscribed.
	require.Equal(t, ok, c.line("CLIENT TRACKING on redirect "+itoa(r2.s.ID())))
	assert.Equal(t, integer(r2.s.ID()), c.line("CLIENT GETREDIR"))
	c.line("GET a")
	o.line("SET a 1")
	assert.Empty(t, r2.take())
	r2.line("SUBSCRIBE __redis__:invalidate")
	c.line("GET a")
	o.line("SET a 2")
	assert.Equal(t, arr(bulk("message"), bulk("__redis__:invalidate"), bulks("a")), r2.take())
	assert.Empty(t, c.take())
	// To a RESP3 client: a push.
	require.Equal(t, ok, c.line("CLIENT TRACKING on redirect "+itoa(r3.s.ID())))
	c.line("GET a")
	o.line("SET a 3")
	assert.Equal(t, invalidate("a"), r3.take())
	// A vanished target is reported to a RESP3 client.
	resp3(t, c)
	r3.s.Close()
	c.line("GET a")
	o.line("SET a 4")
	assert.Equal(t, ">2\r\n"+bulk("tracking-redir-broken")+integer(r3.s.ID()), c.take())
}

func TestTrackingErrors(t *testing.T) {
	runSteps(t, []step{
		{cmd: "CLIENT TRACKINGINFO", want: "*6\r\n" + bulk("flags") + bulks("off") + bulk("redirect") + integer(-1) + bulk("prefixes") + arr()},
		{cmd: "CLIENT GETREDIR", want: integer(-1)},
		{cmd: "CLIENT CACHING yes", want: errReply("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")},
		{cmd: "CLIENT TRACKING maybe", want: errReply("ERR syntax error")},
		{cmd: "CLIENT TRACKING on foo", want: errReply("ERR syntax error")},
		{cmd: "CLIENT TRACKING on prefix a", want: errReply("ERR PREFIX option requires BCAST mode to be enabled")},
		{cmd: "CLIENT TRACKING on optin optout", want: errReply("ERR You can't specify both OPTIN mode and OPTOUT mode")},
		{cmd: "CLIENT TRACKING on bcast optin", want: errReply("ERR OPTIN and OPTOUT are not compatible with BCAST")},
		{cmd: "CLIENT TRACKING on", want: ok},
		{cmd: "CLIENT TRACKINGINFO", want: "*6\r\n" + bulk("flags") + bulks("on") + bulk("redirect") + integer(0) + bulk("prefixes") + arr()},
		{cmd: "CLIENT TRACKING", want: errReply("ERR wrong number of arguments for 'client|tracking' command")},
		{cmd: "RESET", want: "+RESET\r\n"},
		{cmd: "CLIENT GETREDIR", want: integer(-1)},
	})
}

func TestTrackingInfoAndTableLimit(t *testing.T) {
	e, _ := testEngine(t)
	c, o := newClient(t, e), newClient(t, e)
	resp3(t, c)
	require.Equal(t, ok, c.line("CLIENT TRACKING on"))
	c.line("MGET a b c")
	info := o.line("INFO")
	for _, f := range []string{"tracking_clients:1\r\n", "tracking_total_keys:3\r\n", "tracking_total_items:3\r\n", "tracking_total_prefixes:0\r\n"} {
		assert.Contains(t, info, f)
	}
	// Lowering tracking-table-max-keys forgets keys down to the limit,
	// invalidating each for its readers.
	require.Equal(t, ok, o.line("CONFIG SET tracking-table-max-keys 1"))
	got := c.take()
	assert.Equal(t, 2, strings.Count(got, "invalidate"), got)
	assert.Contains(t, o.line("INFO stats"), "tracking_total_keys:1\r\n")
	assert.Contains(t, o.line("CLIENT LIST ID 1"), " redir=0 ")
}

// Read-only commands whose keys move (ZUNION, SINTERCARD, XREAD, SORT_RO)
// are tracked by their key specs; a script tracks the keys its caller
// declared once it runs a read-only command, as Redis's call() does.
func TestTrackingKeySpecsAndScripts(t *testing.T) {
	e, _ := testEngine(t)
	c, o := newClient(t, e), newClient(t, e)
	resp3(t, c)
	require.Equal(t, ok, c.line("CLIENT TRACKING on"))
	for _, read := range []string{"ZUNION 2 z1 z2", "SINTERCARD 2 s1 s2", "XREAD STREAMS x1 x2 0 0", "SORT_RO l1"} {
		c.line(read)
	}
	for _, k := range []string{"z2", "s1", "x2", "l1"} {
		o.line("SET " + k + " v")
		assert.Equal(t, invalidate(k), c.take(), k)
	}
	// A script that writes only tracks nothing; one that reads tracks
	// its declared keys (not the key it read).
	c.do("EVAL", "redis.call('set', 'k3', 'bar')", "2", "k1", "k2")
	o.line("MSET k2 2 k1 2")
	assert.Empty(t, c.take())
	c.do("EVAL", "return redis.call('get', 'k3')", "2", "k1", "k2")
	o.line("MSET k2 2 k1 2 k3 2")
	assert.Equal(t, invalidate("k2")+invalidate("k1"), c.take())
	c.do("EVAL_RO", "return redis.call('ping')", "1", "k1")
	o.line("SET k1 3")
	assert.Empty(t, c.take())
}
