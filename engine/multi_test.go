package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const queued = "+QUEUED\r\n"

func TestMultiExec(t *testing.T) {
	runSteps(t, []step{
		{cmd: "EXEC", want: errReply("ERR EXEC without MULTI")},
		{cmd: "DISCARD", want: errReply("ERR DISCARD without MULTI")},
		{cmd: "MULTI", want: ok},
		{cmd: "EXEC", want: "*0\r\n"},
		// Errors of MULTI and WATCH themselves do not abort.
		{cmd: "MULTI", want: ok},
		{cmd: "MULTI", want: errReply("ERR MULTI calls can not be nested")},
		{cmd: "WATCH x", want: errReply("ERR WATCH inside MULTI is not allowed")},
		{cmd: "SET a 1", want: queued},
		// A runtime error does not stop the other commands.
		{cmd: "SET b 2 EX x", want: queued},
		{cmd: "GET a", want: queued},
		{cmd: "UNWATCH", want: queued},
		{cmd: "EXEC", want: arr(ok, errReply("ERR value is not an integer or out of range"), bulk("1"), ok)},
		{cmd: "EXEC", want: errReply("ERR EXEC without MULTI")},
		{cmd: "MULTI", want: ok},
		{cmd: "SET a 2", want: queued},
		{cmd: "DISCARD", want: ok},
		{cmd: "GET a", want: bulk("1")},
		{cmd: "UNWATCH x", want: errReply("ERR wrong number of arguments for 'unwatch' command")},
	})
}

func TestMultiExecAbort(t *testing.T) {
	runSteps(t, []step{
		{cmd: "MULTI", want: ok},
		{cmd: "SET a 1", want: queued},
		{cmd: "FOO", want: errReply("ERR unknown command 'FOO', with args beginning with: ")},
		{cmd: "GET", want: errReply("ERR wrong number of arguments for 'get' command")},
		{cmd: "EXEC", want: errReply("EXECABORT Transaction discarded because of previous errors.")},
		{cmd: "GET a", want: nilBulk},
		// EXEC refused by the dispatcher discards with the reason.
		{cmd: "EXEC x", want: errReply("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")},
		{cmd: "MULTI", want: ok},
		{cmd: "SET a 1", want: queued},
		{cmd: "EXEC x", want: errReply("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")},
		{cmd: "EXEC", want: errReply("ERR EXEC without MULTI")},
		{cmd: "GET a", want: nilBulk},
		{cmd: "MULTI", want: ok},
		{cmd: "DISCARD x", want: errReply("ERR wrong number of arguments for 'discard' command")},
		{cmd: "DISCARD", want: ok},
		// MONITOR cannot run inside a transaction.
		{cmd: "MULTI", want: ok},
		{cmd: "MONITOR", want: queued},
		{cmd: "EXEC", want: arr(errReply("ERR MONITOR isn't allowed for DENY BLOCKING client"))},
		{cmd: "SET a 1", want: ok},
		{cmd: "MULTI", want: ok},
		{cmd: "RESET", want: "+RESET\r\n"},
		{cmd: "EXEC", want: errReply("ERR EXEC without MULTI")},
	})
}

func TestMultiNoAuth(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	e := New(Options{Now: clk.Now, Config: map[string]string{"requirepass": "pw"}})
	c := newClient(t, e)
	assert.Equal(t, errReply("EXECABORT Transaction discarded because of: NOAUTH Authentication required."), c.line("EXEC"))
	assert.Equal(t, errReply("NOAUTH Authentication required."), c.line("MULTI"))
}

func TestMultiNoMultiFlag(t *testing.T) {
	// Redis 7.0's no-multi commands (SAVE, SHUTDOWN, SYNC, PSYNC) may not
	// be implemented here; mark one that is to check the dispatcher rule.
	e, _ := testEngine(t)
	dbsize := *e.commands["dbsize"]
	dbsize.flags |= flagNoMulti
	setTestCommand(e, "dbsize", &dbsize)
	c := newClient(t, e)
	assert.Equal(t, integer(0), c.line("DBSIZE"))
	assert.Equal(t, ok, c.line("MULTI"))
	assert.Equal(t, errReply("ERR Command not allowed inside a transaction"), c.line("DBSIZE"))
	assert.Equal(t, errReply("EXECABORT Transaction discarded because of previous errors."), c.line("EXEC"))
}

func TestMultiQuit(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("MULTI")
	c.line("SET a 1")
	assert.Equal(t, ok, c.line("QUIT"))
	assert.True(t, c.s.ShouldClose())
}

func TestWatch(t *testing.T) {
	e, _ := testEngine(t)
	c, o := newClient(t, e), newClient(t, e)
	exec := func(want string) {
		t.Helper()
		require.Equal(t, ok, c.line("MULTI"))
		require.Equal(t, queued, c.line("PING"))
		assert.Equal(t, want, c.line("EXEC"))
	}
	ran := arr("+PONG\r\n")

	// Untouched.
	c.line("WATCH k")
	exec(ran)
	// Another client's write.
	c.line("WATCH k")
	o.line("SET k 1")
	exec(nilArr)
	// The watcher's own write before MULTI also counts.
	c.line("WATCH k")
	c.line("SET k 2")
	exec(nilArr)
	// EXEC forgets watches: a later write changes nothing.
	c.line("WATCH k")
	exec(ran)
	o.line("SET k 3")
	exec(ran)
	// UNWATCH.
	c.line("WATCH k")
	o.line("SET k 4")
	c.line("UNWATCH")
	exec(ran)
	// DISCARD forgets watches too.
	c.line("WATCH k")
	o.line("SET k 4")
	c.line("MULTI")
	c.line("DISCARD")
	exec(ran)
	// DEL; DEL of a missing key is no change.
	c.line("WATCH k nokey")
	o.line("DEL nokey")
	exec(ran)
	c.line("WATCH k")
	o.line("DEL k")
	exec(nilArr)
	// Only the watched database counts.
	o.line("SET k 1")
	c.line("WATCH k")
	o.line("SELECT 1")
	o.line("SET k 1")
	exec(ran)
	o.line("SELECT 0")
	// FLUSHDB and FLUSHALL touch only keys that exist.
	c.line("WATCH k")
	o.line("FLUSHDB")
	exec(nilArr)
	c.line("WATCH k")
	o.line("FLUSHDB")
	exec(ran)
	o.line("SET k 1")
	c.line("WATCH k")
	o.line("FLUSHALL")
	exec(nilArr)
	// RESP3 shows the aborted EXEC as a null.
	resp3(t, c)
	c.line("WATCH k")
	o.line("SET k 1")
	exec("_\r\n")
}

func TestWatchExpiry(t *testing.T) {
	e, clk := testEngine(t)
	e.activeExpire = false
	c, o := newClient(t, e), newClient(t, e)
	exec := func(want string) {
		t.Helper()
		require.Equal(t, ok, c.line("MULTI"))
		require.Equal(t, queued, c.line("PING"))
		assert.Equal(t, want, c.line("EXEC"))
	}
	ran := arr("+PONG\r\n")
	expireSoon := func() {
		t.Helper()
		require.Equal(t, ok, o.line("SET k v PX 100"))
	}

	// Expiring between WATCH and EXEC is a change, deleted or not.
	expireSoon()
	c.line("WATCH k")
	clk.Advance(200 * time.Millisecond)
	exec(nilArr)
	expireSoon()
	c.line("WATCH k")
	clk.Advance(200 * time.Millisecond)
	o.line("GET k")
	exec(nilArr)

	// A key already expired at WATCH time: its deletion (lazy, flush) is
	// no change, but a new value is.
	expireSoon()
	clk.Advance(200 * time.Millisecond)
	c.line("WATCH k")
	exec(ran)
	expireSoon()
	clk.Advance(200 * time.Millisecond)
	c.line("WATCH k")
	assert.Equal(t, nilBulk, o.line("GET k"))
	exec(ran)
	expireSoon()
	clk.Advance(200 * time.Millisecond)
	c.line("WATCH k")
	o.line("FLUSHDB")
	exec(ran)
	expireSoon()
	clk.Advance(200 * time.Millisecond)
	c.line("WATCH k")
	o.line("SET k new")
	exec(nilArr)

	// The active expiry cycle follows the same rules.
	e.activeExpire = true
	expireSoon()
	clk.Advance(200 * time.Millisecond)
	c.line("WATCH k")
	assert.Equal(t, 1, e.ActiveExpireCycle())
	exec(ran)
	expireSoon()
	c.line("WATCH k")
	clk.Advance(200 * time.Millisecond)
	assert.Equal(t, 1, e.ActiveExpireCycle())
	exec(nilArr)
}

func TestWatchSwap(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	db0, db1 := e.main.dbs[0], e.main.dbs[1]
	c.line("SELECT 1")
	c.line("SET k2 v")
	c.line("SELECT 0")
	c.line("SET k v")
	c.line("WATCH k k2 k3")
	// The key exists in the swapped-in database only: touched.
	e.touchWatchedSwap(db0, db1)
	assert.True(t, c.s.dirtyCAS)
	c.line("UNWATCH")
	c.line("WATCH k3")
	e.touchWatchedSwap(db0, db1)
	assert.False(t, c.s.dirtyCAS)
}

// SWAPDB follows Redis's touchAllWatchedKeysInDb for both databases: a key
// already expired at WATCH time that stays gone, or is replaced by another
// expired key, is no change (unit/multi's "SWAPDB does not touch watched
// stale keys" cases).
func TestSwapDBWatchedStaleKeys(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup []string // run on db 1 before WATCH, then on db 0
		db0   []string
	}{
		{"expired key replaced with no key", []string{"SET x foo PX 1"}, nil},
		{"missing key replaced with expired key", nil, []string{"SET x foo PX 1"}},
		{"expired key replaced with expired key", []string{"SET x foo PX 1"}, []string{"SET x bar PX 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, clk := testEngine(t)
			c := newClient(t, e)
			c.line("DEBUG SET-ACTIVE-EXPIRE 0")
			for _, cmd := range tc.db0 {
				c.line(cmd)
			}
			c.line("SELECT 1")
			for _, cmd := range tc.setup {
				c.line(cmd)
			}
			clk.Advance(2 * time.Millisecond)
			c.line("WATCH x")
			assert.Equal(t, "+OK\r\n", c.line("SWAPDB 0 1"))
			c.line("MULTI")
			c.line("PING")
			assert.Equal(t, arr("+PONG\r\n"), c.line("EXEC"))
		})
	}
}
