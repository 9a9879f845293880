package engine

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// connClient is a test session with a connection the engine can close,
// as a host's: closed records ClientInfo.Close.
type connClient struct {
	*client
	closed bool
}

func newConnClient(t *testing.T, e *Engine, name string) *connClient {
	c := &connClient{}
	s := e.NewSession(ClientInfo{Addr: "127.0.0.1:5" + strconv.Itoa(int(e.nextID)+1000), LAddr: "127.0.0.1:6379", Kind: "tcp", Close: func() { c.closed = true }})
	c.client = &client{t: t, s: s}
	if name != "" {
		require.Equal(t, "+OK\r\n", c.line("CLIENT SETNAME "+name))
	}
	return c
}

// clientField reads one field of the named client's CLIENT LIST line; ok
// is false when the client is not listed.
func clientField(t *testing.T, c *client, name, field string) (string, bool) {
	t.Helper()
	list := c.line("CLIENT LIST")
	for _, l := range strings.Split(list, "\n") {
		if strings.Contains(l, " name="+name+" ") {
			m := regexp.MustCompile(" " + field + "=([^ ]*)").FindStringSubmatch(l)
			require.NotNil(t, m, l)
			return m[1], true
		}
	}
	return "", false
}

func TestClientEvictionLimit(t *testing.T) {
	for _, tc := range []struct {
		maxmemory, clients string
		want               int64
	}{
		{"0", "0", 0},
		{"0", "3000000", 3000000},
		{"0", "1000", minClientEvictionLimit}, // at least 128 KB
		{"0", "10%", 0},                       // a percentage of no maxmemory
		{"6mb", "7%", 6 << 20 * 7 / 100},
		{"100mb", "0%", 0},
	} {
		e, _ := testEngine(t)
		c := newClient(t, e)
		require.Equal(t, "+OK\r\n", c.line("CONFIG SET maxmemory "+tc.maxmemory))
		require.Equal(t, "+OK\r\n", c.line("CONFIG SET maxmemory-clients "+tc.clients))
		assert.Equal(t, tc.want, e.config.clientsLimit.Load(), "%s of %s", tc.clients, tc.maxmemory)
	}
}

// A query buffer that takes the clients over maxmemory-clients evicts
// the largest client at once: it leaves CLIENT LIST, its host is told to
// close it, evicted_clients counts it, and the others stay.
func TestClientEvictedByQueryBuffer(t *testing.T) {
	e, _ := testEngine(t)
	ctl := newConnClient(t, e, "control")
	small := newConnClient(t, e, "small")
	big := newConnClient(t, e, "big")
	require.Equal(t, "+OK\r\n", ctl.line("CONFIG SET maxmemory-clients 1mb"))

	small.s.NoteQueryBuffer(1000, 16<<10)
	_, ok := clientField(t, ctl.client, "small", "tot-mem")
	assert.True(t, ok)

	big.s.NoteQueryBuffer(1<<20, 1<<20)
	assert.True(t, big.closed)
	assert.False(t, small.closed)
	_, ok = clientField(t, ctl.client, "big", "tot-mem")
	assert.False(t, ok, "an evicted client leaves CLIENT LIST at once")
	assert.Contains(t, ctl.line("INFO stats"), "evicted_clients:1\r\n")
	assert.Less(t, e.evictableClientsMemory(), int64(1<<20))

	// The evicted client's own commands no longer run.
	assert.NotZero(t, big.s.Exec(splitArgs("SET k v"))&StatusClose)
	assert.Equal(t, "$-1\r\n", ctl.line("GET k"))
	big.s.Close() // its host closes it: nothing is counted twice
	assert.Less(t, e.evictableClientsMemory(), int64(1<<20))
	assert.Greater(t, e.evictableClientsMemory(), int64(0))
}

// CLIENT NO-EVICT ON spares a client; turned off, the next command (of
// any client) evicts it.
func TestClientNoEvict(t *testing.T) {
	e, _ := testEngine(t)
	ctl := newConnClient(t, e, "control")
	require.Equal(t, "+OK\r\n", ctl.line("CLIENT NO-EVICT ON"))
	c := newConnClient(t, e, "c")
	require.Equal(t, "+OK\r\n", c.line("CLIENT NO-EVICT ON"))
	require.Equal(t, "+OK\r\n", ctl.line("CONFIG SET maxmemory-clients 200kb"))
	c.s.NoteQueryBuffer(300<<10, 300<<10)
	assert.False(t, c.closed)
	flags, _ := clientField(t, ctl.client, "c", "flags")
	assert.Equal(t, "e", flags)
	// The control client, itself spared, is what the test runs through.
	tot, _ := clientField(t, ctl.client, "c", "tot-mem")
	n, _ := strconv.ParseInt(tot, 10, 64)
	assert.Greater(t, n, int64(300<<10))
	require.Equal(t, "+OK\r\n", c.line("CLIENT NO-EVICT OFF"))
	assert.Equal(t, "+PONG\r\n", ctl.line("PING"))
	assert.True(t, c.closed)
	assert.Contains(t, ctl.line("INFO stats"), "evicted_clients:1\r\n")
	assert.Contains(t, ctl.line("CONFIG RESETSTAT"), "OK")
	assert.Contains(t, ctl.line("INFO stats"), "evicted_clients:0\r\n")
}

// A client whose own state (watched keys, subscriptions, queued MULTI
// commands) grows past the limit is evicted before its next command,
// which then gets no reply.
func TestClientEvictedByOwnState(t *testing.T) {
	for _, tc := range []struct {
		name string
		cmd  func(i int) string
	}{
		{"watch", func(i int) string { return "WATCH key:" + strconv.Itoa(i) }},
		{"psubscribe", func(i int) string { return "PSUBSCRIBE p" + strconv.Itoa(i) }},
		{"subscribe", func(i int) string { return "SUBSCRIBE c" + strconv.Itoa(i) }},
		{"multi", func(i int) string {
			if i == 0 {
				return "MULTI"
			}
			return "SET k " + strings.Repeat("v", 1000)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := testEngine(t)
			ctl := newConnClient(t, e, "control")
			require.Equal(t, "+OK\r\n", ctl.line("CLIENT NO-EVICT ON"))
			require.Equal(t, "+OK\r\n", ctl.line("CONFIG SET maxmemory-clients 200000"))
			c := newConnClient(t, e, "")
			i := 0
			for ; i < 20000 && !c.closed; i++ {
				c.s.Exec(splitArgs(tc.cmd(i)))
				c.s.TakeOutput(nil)
			}
			require.True(t, c.closed, "evicted after %d commands", i)
			assert.Less(t, i, 10000)
			assert.NotZero(t, c.s.Exec(splitArgs("PING"))&StatusClose)
			assert.Empty(t, c.s.TakeOutput(nil))
			assert.Less(t, e.evictableClientsMemory(), int64(200000))
		})
	}
}

// Clients are evicted from the largest down, and only until the total is
// under the limit.
func TestClientEvictionOrder(t *testing.T) {
	e, _ := testEngine(t)
	ctl := newConnClient(t, e, "control")
	require.Equal(t, "+OK\r\n", ctl.line("CLIENT NO-EVICT ON"))
	sizes := []int{128 << 10, 1 << 20, 3 << 20}
	var clients [][]*connClient
	for i, size := range sizes {
		var group []*connClient
		for range 3 {
			c := newConnClient(t, e, "client-"+strconv.Itoa(i))
			c.s.NoteQueryBuffer(size, size)
			group = append(group, c)
		}
		clients = append(clients, group)
	}
	total := e.evictableClientsMemory()
	for i := len(sizes) - 1; i >= 0; i-- {
		mem := clients[i][0].s.memNoted.Load() + int64(sizes[i])
		total -= 3 * mem
		require.Equal(t, "+OK\r\n", ctl.line("CONFIG SET maxmemory-clients "+strconv.FormatInt(total+1, 10)))
		assert.Equal(t, "+PONG\r\n", ctl.line("PING"))
		for j, group := range clients {
			for _, c := range group {
				assert.Equal(t, j >= i, c.closed, "group %d after limiting to group %d", j, i)
			}
		}
	}
}

// An output buffer over its hard limit closes its client and stops
// counting at once: it does not make client eviction take another.
func TestOutputLimitBeforeClientEviction(t *testing.T) {
	e, _ := testEngine(t)
	ctl := newConnClient(t, e, "control")
	require.Equal(t, "+OK\r\n", ctl.line("CLIENT NO-EVICT ON"))
	require.Equal(t, "+OK\r\n", ctl.do("CONFIG", "SET", "maxmemory-clients", "10mb", "client-output-buffer-limit", "normal 3mb 0 0"))
	require.Equal(t, ":4194305\r\n", ctl.line("SETRANGE k 4194304 v"))
	qbuf := newConnClient(t, e, "qbuf")
	qbuf.s.NoteQueryBuffer(6<<20, 6<<20)
	obuf := newConnClient(t, e, "obuf")
	assert.NotZero(t, obuf.s.Exec(splitArgs("GET k"))&StatusClose)
	assert.True(t, obuf.closed)
	assert.Equal(t, "+PONG\r\n", ctl.line("PING"))
	assert.False(t, qbuf.closed)
	assert.Contains(t, ctl.line("INFO stats"), "evicted_clients:0\r\n")
}

// rbs and rbp follow Redis's reply buffer resizing: the first cron visit
// resets the peak, the next shrinks an idle client's buffer to 1 KB; a
// reply that fills it doubles it on each visit up to 16 KB.
func TestReplyBufferResizing(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	e := New(Options{Now: clk.Now, Config: map[string]string{"enable-debug-command": "yes"}})
	ctl := newConnClient(t, e, "control")
	c := newConnClient(t, e, "c")
	c.s.TakeOutput(nil)
	rbs := func() string { v, _ := clientField(t, ctl.client, "c", "rbs"); return v }
	rbp := func() string { v, _ := clientField(t, ctl.client, "c", "rbp"); return v }
	assert.Equal(t, "16384", rbs())
	assert.Equal(t, "16384", rbp())
	e.ClientsCron()
	assert.Equal(t, "16384", rbs())
	assert.Equal(t, "0", rbp())
	e.ClientsCron()
	assert.Equal(t, "1024", rbs())
	require.Equal(t, "+OK\r\n", ctl.line("SET big "+strings.Repeat("x", 32768)))
	want := []string{"2048", "4096", "8192", "16384", "16384"}
	for _, w := range want {
		c.line("GET big")
		clk.Advance(100e6)
		e.ClientsCron()
		assert.Equal(t, w, rbs())
	}
	// DEBUG REPLYBUFFER RESIZING 0 stops it.
	require.Equal(t, "+OK\r\n", ctl.line("DEBUG REPLYBUFFER RESIZING 0"))
	clk.Advance(10e9)
	e.ClientsCron()
	e.ClientsCron()
	assert.Equal(t, "16384", rbs())
	assert.Equal(t, "-ERR unknown subcommand or wrong number of arguments for 'replybuffer'. Try DEBUG HELP.\r\n", ctl.line("DEBUG replybuffer foo 1"))
}

// CLIENT LIST flags for tracking (t, B with BCAST) in Redis's order.
func TestClientListTrackingFlags(t *testing.T) {
	e, _ := testEngine(t)
	c := newConnClient(t, e, "c")
	require.Equal(t, "+OK\r\n", c.line("CLIENT TRACKING on BCAST"))
	flags, _ := clientField(t, c.client, "c", "flags")
	assert.Equal(t, "tB", flags)
	require.Equal(t, "+OK\r\n", c.line("CLIENT NO-EVICT on"))
	require.Equal(t, "+OK\r\n", c.line("CLIENT TRACKING off"))
	require.Equal(t, "+OK\r\n", c.line("CLIENT TRACKING on"))
	flags, _ = clientField(t, c.client, "c", "flags")
	assert.Equal(t, "te", flags)
}
