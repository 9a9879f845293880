package engine

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func verbatim(s string) string { return "=" + itoa(int64(len(s)+4)) + "\r\ntxt:" + s + "\r\n" }

func TestClientBasics(t *testing.T) {
	runSteps(t, []step{
		{cmd: "CLIENT ID", want: integer(1)},
		{cmd: "CLIENT GETNAME", want: nilBulk},
		{args: []string{"CLIENT", "SETNAME", "a b"}, want: errReply("ERR Client names cannot contain spaces, newlines or special characters.")},
		{cmd: "CLIENT SETNAME conn1", want: ok},
		{cmd: "CLIENT GETNAME", want: bulk("conn1")},
		{args: []string{"CLIENT", "SETNAME", ""}, want: ok},
		{cmd: "CLIENT GETNAME", want: nilBulk},
		{cmd: "CLIENT SETNAME", want: errReply("ERR wrong number of arguments for 'client|setname' command")},
		{cmd: "CLIENT", want: errReply("ERR wrong number of arguments for 'client' command")},
		{cmd: "CLIENT foo", want: errReply("ERR unknown subcommand 'foo'. Try CLIENT HELP.")},
		{cmd: "CLIENT NO-EVICT on", want: ok},
		{cmd: "CLIENT NO-EVICT maybe", want: errReply("ERR syntax error")},
		// Redis 7.2's subcommands are unknown, as in 7.0 (go-redis sends
		// SETINFO on connect and ignores the error)
		{cmd: "CLIENT NO-TOUCH ON", want: errReply("ERR unknown subcommand 'NO-TOUCH'. Try CLIENT HELP.")},
		{cmd: "CLIENT SETINFO lib-name go-redis", want: errReply("ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.")},
		{cmd: "CLIENT UNBLOCK abc", want: errReply("ERR value is not an integer or out of range")},
		{cmd: "CLIENT UNBLOCK 1 foo", want: errReply("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")},
		{cmd: "CLIENT UNBLOCK 999", want: integer(0)},
		{cmd: "CLIENT UNBLOCK 1", want: integer(0)},
		{cmd: "CLIENT REPLY foo", want: errReply("ERR syntax error")},
		{cmd: "CLIENT REPLY ON", want: ok},
		{cmd: "CLIENT REPLY SKIP", want: ""},
		{cmd: "PING", want: ""},
		{cmd: "PING", want: "+PONG\r\n"},
		{cmd: "CLIENT REPLY OFF", want: ""},
		{cmd: "PING", want: ""},
		{cmd: "GET nosuch", want: ""},
		{cmd: "NOSUCH", want: ""},
		{cmd: "CLIENT REPLY ON", want: ok},
		{cmd: "CLIENT LIST ID 1 2 abc", want: errReply("ERR Invalid client ID")},
		{cmd: "CLIENT LIST ID 0", want: errReply("ERR Invalid client ID")},
		{cmd: "CLIENT LIST TYPE foo", want: errReply("ERR Unknown client type 'foo'")},
		{cmd: "CLIENT LIST ID", want: errReply("ERR syntax error")},
		{cmd: "CLIENT LIST foo bar", want: errReply("ERR syntax error")},
		{cmd: "CLIENT LIST ID 999", want: bulk("")},
		{cmd: "CLIENT LIST TYPE pubsub", want: bulk("")},
		{cmd: "CLIENT KILL 1.2.3.4:5", want: errReply("ERR No such client")},
		{cmd: "CLIENT KILL ID 999", want: integer(0)},
		{cmd: "CLIENT KILL foo bar", want: errReply("ERR syntax error")},
		{cmd: "CLIENT KILL ID abc", want: errReply("ERR client-id should be greater than 0")},
		{cmd: "CLIENT KILL ID 0", want: errReply("ERR client-id should be greater than 0")},
		{cmd: "CLIENT KILL TYPE foo", want: errReply("ERR Unknown client type 'foo'")},
		{cmd: "CLIENT KILL SKIPME maybe", want: errReply("ERR syntax error")},
		{cmd: "CLIENT KILL USER nobody", want: errReply("ERR No such user 'nobody'")},
		{cmd: "CLIENT KILL TYPE pubsub ID", want: errReply("ERR syntax error")},
		{cmd: "CLIENT KILL ADDR 1.2.3.4:5 LADDR x", want: integer(0)},
		{cmd: "CLIENT KILL USER default", want: integer(0)},
	})
}

func TestClientInfoFormat(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	clk.Advance(3 * time.Second)
	// tot-mem: the client's fixed cost and reply buffer, and the
	// running command's arguments (10 bytes) and their pointers.
	line := "id=1 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=-1 name= age=3 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=" + totMem(10+2*8) + " events=r cmd=client|info user=default redir=-1 resp=2\n"
	assert.Equal(t, bulk(line), c.line("CLIENT INFO"))

	require.Equal(t, ok, c.line("SELECT 2"))
	require.Equal(t, ok, c.line("CLIENT SETNAME me"))
	require.Equal(t, ok, c.line("CLIENT NO-EVICT on"))
	c.do("HELLO", "3")
	clk.Advance(2 * time.Second)
	line = "id=1 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=-1 name=me age=5 idle=0 flags=e db=2 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=" + totMem(10+2*8) + " events=r cmd=client|info user=default redir=-1 resp=3\n"
	assert.Equal(t, verbatim(line), c.line("CLIENT INFO"))
}

func TestClientListAndKill(t *testing.T) {
	e, clk := testEngine(t)
	a := newClient(t, e)
	closed := false
	b := &client{t: t, s: e.NewSession(ClientInfo{Addr: "10.0.0.2:4000", LAddr: "127.0.0.1:6379", Close: func() { closed = true }})}
	require.Equal(t, ok, b.line("MULTI"))
	require.Equal(t, "+QUEUED\r\n", b.line("GET k"))
	clk.Advance(4 * time.Second)
	// tot-mem: the running command's arguments for the first, the
	// queued command (4 bytes) and its multiCmd entry for the second.
	want := "id=1 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=-1 name= age=4 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=" + totMem(10+2*8) + " events=r cmd=client|list user=default redir=-1 resp=2\n" +
		"id=2 addr=10.0.0.2:4000 laddr=127.0.0.1:6379 fd=-1 name= age=4 idle=4 flags=x db=0 sub=0 psub=0 ssub=0 multi=1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=4 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=" + totMem(4+multiCmdBytes) + " events=r cmd=multi user=default redir=-1 resp=2\n"
	assert.Equal(t, bulk(want), a.line("CLIENT LIST"))
	assert.Equal(t, bulk(strings.SplitAfter(want, "\n")[1]), a.line("CLIENT LIST ID 2"))
	// qbuf counts the running command as sent: 48 bytes for four arguments.
	wantTyped := strings.NewReplacer("qbuf=26 ", "qbuf=48 ", "argv-mem=10 ", "argv-mem=20 ", "tot-mem="+totMem(10+2*8)+" ", "tot-mem="+totMem(20+4*8)+" ").Replace(want)
	assert.Equal(t, bulk(wantTyped), a.line("CLIENT LIST TYPE normal"))
	assert.Equal(t, bulk(""), a.line("CLIENT LIST TYPE replica"))

	// SKIPME defaults to yes: only the other client goes.
	assert.Equal(t, integer(1), a.line("CLIENT KILL TYPE normal"))
	assert.True(t, closed)
	assert.True(t, b.s.ShouldClose())
	assert.False(t, a.s.ShouldClose())

	// The old form, on oneself: the reply, then the close.
	assert.Equal(t, ok, a.line("CLIENT KILL 127.0.0.1:50000"))
	assert.True(t, a.s.ShouldClose())
}

func TestClientKillSkipMeNo(t *testing.T) {
	e, _ := testEngine(t)
	a := newClient(t, e)
	assert.Equal(t, integer(1), a.line("CLIENT KILL ID 1 SKIPME no"))
	assert.True(t, a.s.ShouldClose())
}

func TestClientUnblock(t *testing.T) {
	e, _ := testEngine(t)
	a := newClient(t, e)
	b := newClient(t, e)
	block := func() {
		e.mu.Lock()
		b.s.block([][]byte{[]byte("k")}, 0, func(*Session) bool { return false }, func(s *Session) { s.w.NullArray() })
		e.mu.Unlock()
	}
	block()
	assert.True(t, b.s.Blocked())
	assert.Equal(t, integer(1), a.line("CLIENT UNBLOCK 2"))
	assert.False(t, b.s.Blocked())
	assert.Equal(t, nilArr, string(b.s.TakeOutput(nil)))
	assert.Equal(t, integer(0), a.line("CLIENT UNBLOCK 2"))

	block()
	assert.Equal(t, integer(1), a.line("CLIENT UNBLOCK 2 ERROR"))
	assert.Equal(t, errReply("UNBLOCKED client unblocked via CLIENT UNBLOCK"), string(b.s.TakeOutput(nil)))
}

func TestHello(t *testing.T) {
	hello := func(proto string, m string) string {
		return m + "$6\r\nserver\r\n$7\r\nGoRedis\r\n$7\r\nversion\r\n" + bulk(Version) + "$5\r\nproto\r\n:" + proto + "\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"
	}
	runSteps(t, []step{
		{cmd: "HELLO", want: hello("2", "*14\r\n")},
		{cmd: "HELLO 3", want: hello("3", "%7\r\n")},
		{cmd: "CLIENT GETNAME", want: "_\r\n"},
		{cmd: "HELLO 2 SETNAME x", want: hello("2", "*14\r\n")},
		{cmd: "CLIENT GETNAME", want: bulk("x")},
		{cmd: "HELLO 4", want: errReply("NOPROTO unsupported protocol version")},
		{cmd: "HELLO 3 foo", want: errReply("ERR Syntax error in HELLO option 'foo'")},
	})
}

func TestResetClearsClientState(t *testing.T) {
	runSteps(t, []step{
		{cmd: "CLIENT SETNAME x", want: ok},
		{cmd: "CLIENT REPLY OFF", want: ""},
		{cmd: "RESET", want: "+RESET\r\n"}, // RESET lifts OFF before it replies
		{cmd: "CLIENT GETNAME", want: nilBulk},
		{cmd: "CLIENT REPLY SKIP", want: ""},
		{cmd: "RESET", want: ""}, // but a SKIP in force still silences it
		{cmd: "PING", want: "+PONG\r\n"},
	})
}

func TestClientPause(t *testing.T) {
	e, clk := testEngine(t)
	a := newClient(t, e)
	b := newClient(t, e)
	assert.Equal(t, errReply("ERR timeout is not an integer or out of range"), a.line("CLIENT PAUSE abc"))
	assert.Equal(t, errReply("ERR timeout is negative"), a.line("CLIENT PAUSE -1"))
	assert.Equal(t, errReply("ERR CLIENT PAUSE mode must be WRITE or ALL"), a.line("CLIENT PAUSE 10 foo"))

	// WRITE: reads go on, writes wait for the deadline.
	require.Equal(t, ok, a.line("CLIENT PAUSE 1000 WRITE"))
	assert.Equal(t, nilBulk, b.line("GET k"))
	assert.Equal(t, "", b.line("SET k v"))
	assert.True(t, b.s.Blocked())
	deadline, has := b.s.BlockDeadline()
	require.True(t, has)
	assert.Equal(t, int64(1_700_000_001_000), deadline.UnixMilli())
	clk.Advance(500 * time.Millisecond)
	b.s.CheckTimeout()
	assert.True(t, b.s.Blocked())
	clk.Advance(500 * time.Millisecond)
	b.s.CheckTimeout()
	assert.False(t, b.s.Blocked())
	assert.Equal(t, ok, string(b.s.TakeOutput(nil)))
	assert.Equal(t, bulk("v"), a.line("GET k"))

	// UNPAUSE runs the held commands at once.
	require.Equal(t, ok, a.line("CLIENT PAUSE 1000 WRITE"))
	assert.Equal(t, "", b.line("DEL k"))
	assert.Equal(t, ok, a.line("CLIENT UNPAUSE"))
	assert.False(t, b.s.Blocked())
	assert.Equal(t, integer(1), string(b.s.TakeOutput(nil)))

	// ALL: everything waits, CLIENT UNPAUSE included, as in Redis.
	require.Equal(t, ok, a.line("CLIENT PAUSE 1000"))
	assert.Equal(t, "", b.line("PING"))
	assert.Equal(t, "", a.line("CLIENT UNPAUSE"))
	clk.Advance(time.Second)
	b.s.CheckTimeout()
	a.s.CheckTimeout()
	assert.Equal(t, "+PONG\r\n", string(b.s.TakeOutput(nil)))
	assert.Equal(t, ok, string(a.s.TakeOutput(nil)))
	assert.Equal(t, "+PONG\r\n", a.line("PING"))
}

// CLIENT PAUSE WRITE holds what may replicate, as Redis decides it: EVAL
// without declared flags, a script declared writing, an EXEC of queued
// writing scripts; a no-writes script runs at once.
func TestClientPauseWriteHoldsScripts(t *testing.T) {
	e, _ := testEngine(t)
	a := newClient(t, e)
	b := newClient(t, e)
	require.Equal(t, ok, a.line("CLIENT PAUSE 60000 WRITE"))
	for _, script := range []string{"return 1", "#!lua\nreturn 1"} {
		assert.Equal(t, "", b.do("EVAL", script, "0"))
		assert.True(t, b.s.Blocked(), script)
		require.Equal(t, ok, a.line("CLIENT UNPAUSE"))
		assert.Equal(t, integer(1), string(b.s.TakeOutput(nil)))
		require.Equal(t, ok, a.line("CLIENT PAUSE 60000 WRITE"))
	}
	assert.Equal(t, integer(2), b.do("EVAL", "#!lua flags=no-writes\nreturn 2", "0"))
	// PUBLISH may replicate (to the replicas' pub/sub): held too
	assert.Equal(t, "", b.line("PUBLISH ch m"))
	require.Equal(t, ok, a.line("CLIENT UNPAUSE"))
	assert.Equal(t, integer(0), string(b.s.TakeOutput(nil)))

	c := newClient(t, e)
	assert.Equal(t, ok, c.line("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", c.do("EVAL", "#!lua\nreturn 12", "0"))
	require.Equal(t, ok, a.line("CLIENT PAUSE 60000 WRITE"))
	assert.Equal(t, "", c.line("EXEC"))
	assert.True(t, c.s.Blocked())
	require.Equal(t, ok, a.line("CLIENT UNPAUSE"))
	assert.Equal(t, "*1\r\n:12\r\n", string(c.s.TakeOutput(nil)))

	d := newClient(t, e)
	assert.Equal(t, ok, d.line("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", d.do("EVAL", "#!lua flags=no-writes\nreturn 13", "0"))
	require.Equal(t, ok, a.line("CLIENT PAUSE 60000 WRITE"))
	assert.Equal(t, "*1\r\n:13\r\n", d.line("EXEC"))
	require.Equal(t, ok, a.line("CLIENT UNPAUSE"))
}

// While clients are paused the dataset stays still: an expired key reads
// as gone but is not deleted (expired_keys unchanged) until the pause ends.
func TestClientPauseKeepsExpiredKeys(t *testing.T) {
	e, clk := testEngine(t)
	a := newClient(t, e)
	require.Equal(t, ok, a.line("SET k v PX 10"))
	require.Equal(t, ok, a.line("CLIENT PAUSE 60000 WRITE"))
	clk.Advance(time.Second)
	e.ActiveExpireCycle()
	assert.Equal(t, nilBulk, a.line("GET k"))
	assert.Contains(t, a.line("INFO stats"), "expired_keys:0\r\n")
	assert.Equal(t, integer(1), a.line("DBSIZE"))
	require.Equal(t, ok, a.line("CLIENT UNPAUSE"))
	assert.Equal(t, nilBulk, a.line("GET k"))
	assert.Contains(t, a.line("INFO stats"), "expired_keys:1\r\n")
	assert.Equal(t, integer(0), a.line("DBSIZE"))
}

// totMem is CLIENT LIST's tot-mem of a client with nothing pending: its
// fixed cost and reply buffer, plus extra.
func totMem(extra int64) string {
	return strconv.FormatInt(clientFixedBytes+int64(unsafe.Sizeof(Session{}))+replyChunkBytes+extra, 10)
}
