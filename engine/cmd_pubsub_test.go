package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pushes builds a RESP3 push of bulk strings (and a trailing integer when
// n >= 0), the shape of subscribe confirmations.
func push3(kind, name string, n int64) string {
	return ">3\r\n" + bulk(kind) + bulk(name) + integer(n)
}

func arr3(kind, name string, n int64) string {
	return "*3\r\n" + bulk(kind) + bulk(name) + integer(n)
}

// take returns output a session received from other sessions.
func (c *client) take() string { return string(c.s.TakeOutput(nil)) }

func resp3(t *testing.T, c *client) {
	t.Helper()
	require.True(t, strings.HasPrefix(c.line("HELLO 3"), "%7\r\n"))
}

func TestSubscribeRESP2(t *testing.T) {
	runSteps(t, []step{
		{cmd: "SUBSCRIBE a b", want: arr3("subscribe", "a", 1) + arr3("subscribe", "b", 2)},
		{cmd: "SUBSCRIBE a", want: arr3("subscribe", "a", 2)},
		{cmd: "UNSUBSCRIBE", want: arr3("unsubscribe", "a", 1) + arr3("unsubscribe", "b", 0)},
		{cmd: "UNSUBSCRIBE", want: "*3\r\n" + bulk("unsubscribe") + nilBulk + integer(0)},
		{cmd: "PUNSUBSCRIBE", want: "*3\r\n" + bulk("punsubscribe") + nilBulk + integer(0)},
		{cmd: "SUNSUBSCRIBE", want: "*3\r\n" + bulk("sunsubscribe") + nilBulk + integer(0)},
		{cmd: "GET x", want: nilBulk},
		{cmd: "SUBSCRIBE a", want: arr3("subscribe", "a", 1)},
		{cmd: "GET x", want: errReply("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")},
		{cmd: "HELLO 3", want: errReply("ERR Can't execute 'hello': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")},
		{cmd: "PING", want: bulks("pong", "")},
		{cmd: "PING hi", want: bulks("pong", "hi")},
		{cmd: "PSUBSCRIBE p* p*", want: arr3("psubscribe", "p*", 2) + arr3("psubscribe", "p*", 2)},
		{cmd: "UNSUBSCRIBE x", want: arr3("unsubscribe", "x", 2)},
		// Shard channels are counted apart from channels and patterns.
		{cmd: "SSUBSCRIBE s1 s2", want: arr3("ssubscribe", "s1", 1) + arr3("ssubscribe", "s2", 2)},
		{cmd: "SUNSUBSCRIBE s1 zz", want: arr3("sunsubscribe", "s1", 1) + arr3("sunsubscribe", "zz", 1)},
		{cmd: "PUNSUBSCRIBE", want: arr3("punsubscribe", "p*", 1)},
		{cmd: "SUNSUBSCRIBE", want: arr3("sunsubscribe", "s2", 0)},
		{cmd: "UNSUBSCRIBE", want: arr3("unsubscribe", "a", 0)},
		{cmd: "PING", want: "+PONG\r\n"},
		{cmd: "SUBSCRIBE", want: errReply("ERR wrong number of arguments for 'subscribe' command")},
		{cmd: "PUBLISH a", want: errReply("ERR wrong number of arguments for 'publish' command")},
	})
}

func TestSubscribeRESP3(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	resp3(t, c)
	for _, st := range []step{
		{cmd: "SUBSCRIBE a a", want: push3("subscribe", "a", 1) + push3("subscribe", "a", 1)},
		{cmd: "PSUBSCRIBE a*", want: push3("psubscribe", "a*", 2)},
		{cmd: "SSUBSCRIBE sh", want: push3("ssubscribe", "sh", 1)},
		// RESP3 clients may run any command while subscribed.
		{cmd: "GET x", want: "_\r\n"},
		{cmd: "PING", want: "+PONG\r\n"},
		{cmd: "PING x", want: bulk("x")},
		{cmd: "UNSUBSCRIBE", want: push3("unsubscribe", "a", 1)},
		{cmd: "UNSUBSCRIBE", want: ">3\r\n" + bulk("unsubscribe") + "_\r\n" + integer(1)},
		{cmd: "PUNSUBSCRIBE", want: push3("punsubscribe", "a*", 0)},
		{cmd: "SUNSUBSCRIBE", want: push3("sunsubscribe", "sh", 0)},
		{cmd: "SUNSUBSCRIBE", want: ">3\r\n" + bulk("sunsubscribe") + "_\r\n" + integer(0)},
	} {
		assert.Equal(t, st.want, c.line(st.cmd), st.cmd)
	}
}

func TestPublish(t *testing.T) {
	e, _ := testEngine(t)
	sub, sub3, pub := newClient(t, e), newClient(t, e), newClient(t, e)
	resp3(t, sub3)
	sub.line("SUBSCRIBE a")
	sub.line("PSUBSCRIBE a* b?")
	sub3.line("SUBSCRIBE a")
	sub3.line("SSUBSCRIBE a")

	// A session with a channel and a matching pattern receives (and
	// counts) twice; shard subscribers are apart.
	assert.Equal(t, integer(3), pub.line("PUBLISH a hello"))
	assert.Equal(t, arr(bulk("message"), bulk("a"), bulk("hello"))+
		arr(bulk("pmessage"), bulk("a*"), bulk("a"), bulk("hello")), sub.take())
	assert.Equal(t, ">3\r\n"+bulk("message")+bulk("a")+bulk("hello"), sub3.take())

	assert.Equal(t, integer(1), pub.line("PUBLISH bx m"))
	assert.Equal(t, arr(bulk("pmessage"), bulk("b?"), bulk("bx"), bulk("m")), sub.take())
	assert.Equal(t, integer(0), pub.line("PUBLISH bxx m"))
	assert.Empty(t, sub.take())

	assert.Equal(t, integer(1), pub.line("SPUBLISH a m2"))
	assert.Equal(t, ">3\r\n"+bulk("smessage")+bulk("a")+bulk("m2"), sub3.take())
	assert.Empty(t, sub.take())
	assert.Equal(t, integer(0), pub.line("SPUBLISH b m2"))

	// Binary-safe payloads.
	assert.Equal(t, integer(3), pub.do("PUBLISH", "a", "x y\r\n\x00"))
	assert.Equal(t, ">3\r\n"+bulk("message")+bulk("a")+bulk("x y\r\n\x00"), sub3.take())
	sub.take()

	// Unsubscribing stops delivery.
	sub.line("UNSUBSCRIBE")
	sub.line("PUNSUBSCRIBE")
	sub.take()
	assert.Equal(t, integer(1), pub.line("PUBLISH a again"))
	assert.Empty(t, sub.take())
}

func TestPublishToSelfInsideExec(t *testing.T) {
	// Redis writes the message in the middle of the EXEC reply.
	runSteps(t, []step{
		{cmd: "MULTI", want: ok},
		{cmd: "SUBSCRIBE ch", want: "+QUEUED\r\n"},
		{cmd: "PUBLISH ch x", want: "+QUEUED\r\n"},
		{cmd: "EXEC", want: "*2\r\n" + arr3("subscribe", "ch", 1) + bulks("message", "ch", "x") + integer(1)},
		{cmd: "GET a", want: errReply("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")},
		{cmd: "MULTI", want: errReply("ERR Can't execute 'multi': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")},
		{cmd: "EXEC", want: errReply("EXECABORT Transaction discarded because of: Can't execute 'exec': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")},
		{cmd: "DISCARD", want: errReply("ERR Can't execute 'discard': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")},
	})
	e, _ := testEngine(t)
	c := newClient(t, e)
	resp3(t, c)
	assert.Equal(t, ok, c.line("MULTI"))
	assert.Equal(t, "+QUEUED\r\n", c.line("SUBSCRIBE x"))
	assert.Equal(t, "+QUEUED\r\n", c.line("PING"))
	assert.Equal(t, "*2\r\n"+push3("subscribe", "x", 1)+"+PONG\r\n", c.line("EXEC"))
}

func TestPubsubIntrospection(t *testing.T) {
	e, _ := testEngine(t)
	a, b, q := newClient(t, e), newClient(t, e), newClient(t, e)
	assert.Equal(t, arr(), q.line("PUBSUB CHANNELS"))
	assert.Equal(t, integer(0), q.line("PUBSUB NUMPAT"))
	a.line("SUBSCRIBE news.1 news.2 other")
	b.line("SUBSCRIBE news.1")
	a.line("PSUBSCRIBE n* o*")
	b.line("PSUBSCRIBE n*")
	b.line("SSUBSCRIBE sh1 sh2")
	for _, st := range []step{
		{cmd: "PUBSUB CHANNELS", want: bulks("news.1", "news.2", "other")},
		{cmd: "PUBSUB CHANNELS news.*", want: bulks("news.1", "news.2")},
		{cmd: "PUBSUB CHANNELS zz*", want: arr()},
		{cmd: "PUBSUB channels a b", want: errReply("ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.")},
		{cmd: "PUBSUB NUMSUB news.1 news.2 none", want: arr(bulk("news.1"), integer(2), bulk("news.2"), integer(1), bulk("none"), integer(0))},
		{cmd: "PUBSUB NUMSUB", want: arr()},
		{cmd: "PUBSUB NUMPAT", want: integer(2)},
		{cmd: "PUBSUB NUMPAT x", want: errReply("ERR wrong number of arguments for 'pubsub|numpat' command")},
		{cmd: "PUBSUB SHARDCHANNELS", want: bulks("sh1", "sh2")},
		{cmd: "PUBSUB SHARDCHANNELS *2", want: bulks("sh2")},
		{cmd: "PUBSUB SHARDNUMSUB sh1 x", want: arr(bulk("sh1"), integer(1), bulk("x"), integer(0))},
		{cmd: "PUBSUB", want: errReply("ERR wrong number of arguments for 'pubsub' command")},
		{cmd: "PUBSUB foo", want: errReply("ERR unknown subcommand 'foo'. Try PUBSUB HELP.")},
	} {
		assert.Equal(t, st.want, q.line(st.cmd), st.cmd)
	}
	help := q.line("PUBSUB HELP")
	assert.True(t, strings.HasPrefix(help, "*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"))

	// RESP3 keeps NUMSUB a flat array, as Redis 7.0.
	resp3(t, q)
	assert.Equal(t, arr(bulk("news.1"), integer(2)), q.line("PUBSUB NUMSUB news.1"))

	// RESET and closing drop subscriptions from the index.
	assert.Equal(t, "+RESET\r\n", a.line("RESET"))
	assert.Equal(t, "+PONG\r\n", a.line("PING"))
	assert.Equal(t, bulks("news.1"), q.line("PUBSUB CHANNELS"))
	assert.Equal(t, integer(1), q.line("PUBSUB NUMPAT"))
	b.s.Close()
	assert.Equal(t, arr(), q.line("PUBSUB CHANNELS"))
	assert.Equal(t, integer(0), q.line("PUBSUB NUMPAT"))
	assert.Equal(t, arr(), q.line("PUBSUB SHARDCHANNELS"))
	assert.Equal(t, integer(0), q.line("PUBLISH news.1 x"))
}

func TestPubsubSandboxIsolation(t *testing.T) {
	e, _ := testEngine(t)
	pub := newClient(t, e)
	sub := newClient(t, e)
	ks := e.NewKeyspace()
	boxed := &client{t: t, s: e.NewSession(ClientInfo{Addr: "127.0.0.1:1", Keyspace: ks})}
	boxedPub := &client{t: t, s: e.NewSession(ClientInfo{Addr: "127.0.0.1:3", Keyspace: ks})}
	sub.line("SUBSCRIBE a")
	boxed.line("SUBSCRIBE a")
	boxed.take()
	assert.Equal(t, integer(1), pub.line("PUBLISH a x"))
	assert.Empty(t, boxed.take())
	assert.Equal(t, arr(bulk("a"), integer(1)), boxedPub.line("PUBSUB NUMSUB a"))
	assert.Equal(t, integer(1), boxedPub.line("PUBLISH a y"))
	assert.Equal(t, bulks("message", "a", "y"), boxed.take())
	assert.Equal(t, bulks("message", "a", "x"), sub.take())
}

func TestPubsubOutputBufferHardLimit(t *testing.T) {
	e, _ := testEngine(t)
	closed := 0
	sub := &client{t: t, s: e.NewSession(ClientInfo{Addr: "127.0.0.1:2", Close: func() { closed++ }})}
	pub := newClient(t, e)
	require.NoError(t, e.config.set("client-output-buffer-limit", "pubsub 1kb 0 0", false))
	assert.Equal(t, "normal 0 0 0 slave 268435456 67108864 60 pubsub 1024 0 0", e.Config("client-output-buffer-limit"))
	sub.line("SUBSCRIBE a")
	sub.take()
	// As in Redis, the limit counts the reply blocks past the fixed 16 KB
	// buffer: four messages of 4000 bytes fit in it.
	msg := strings.Repeat("x", 4000)
	for i := 0; i < 4; i++ {
		assert.Equal(t, integer(1), pub.line("PUBLISH a "+msg))
	}
	assert.Equal(t, 0, closed)
	assert.False(t, sub.s.ShouldClose())
	// The fifth passes 1kb of reply blocks: the subscriber is dropped, its
	// output discarded, and the publisher is not held up.
	assert.Equal(t, integer(1), pub.line("PUBLISH a "+msg))
	assert.Equal(t, 1, closed)
	assert.True(t, sub.s.ShouldClose())
	assert.Empty(t, sub.take())
	pub.line("PUBLISH a " + msg)
	assert.Empty(t, sub.take())
	assert.Equal(t, 1, closed)
	sub.s.Close()
	assert.Equal(t, integer(0), pub.line("PUBLISH a x"))

	// A reader that keeps up is never dropped.
	ok2 := newClient(t, e)
	ok2.line("SUBSCRIBE b")
	for i := 0; i < 20; i++ {
		pub.line("PUBLISH b " + msg)
		ok2.take()
	}
	assert.False(t, ok2.s.ShouldClose())
}

func TestPubsubOutputBufferSoftLimit(t *testing.T) {
	e, clk := testEngine(t)
	closed := 0
	sub := &client{t: t, s: e.NewSession(ClientInfo{Addr: "127.0.0.1:2", Close: func() { closed++ }})}
	pub := newClient(t, e)
	require.NoError(t, e.config.set("client-output-buffer-limit", "pubsub 0 500 10", false))
	sub.line("SUBSCRIBE a")
	msg := strings.Repeat("x", 4000)
	for range 4 {
		pub.line("PUBLISH a " + msg) // within the fixed 16 KB buffer
	}
	pub.line("PUBLISH a " + msg)  // over the soft limit from now on
	clk.Advance(10 * time.Second) // Redis allows soft_seconds in full
	pub.line("PUBLISH a " + msg)
	assert.Equal(t, 0, closed)
	clk.Advance(time.Second)
	pub.line("PUBLISH a " + msg)
	assert.Equal(t, 1, closed)

	// Getting back under the soft limit resets the clock. Redis counts
	// reply blocks of 20464 bytes (16 KB, rounded up by jemalloc): one
	// block is under 30000, two are over.
	require.NoError(t, e.config.set("client-output-buffer-limit", "pubsub 0 30000 10", false))
	sub2 := &client{t: t, s: e.NewSession(ClientInfo{Addr: "127.0.0.1:3", Close: func() { closed++ }})}
	sub2.line("SUBSCRIBE b")
	for range 10 {
		pub.line("PUBLISH b " + msg) // two blocks: over the soft limit
	}
	clk.Advance(8 * time.Second)
	sub2.take()
	for range 4 {
		pub.line("PUBLISH b " + msg)
	}
	// One block, under the soft limit: the clock is reset (an empty list,
	// as in Redis, leaves it as it was).
	pub.line("PUBLISH b " + strings.Repeat("y", 300))
	for range 6 {
		pub.line("PUBLISH b " + msg) // over again, from now
	}
	clk.Advance(8 * time.Second)
	pub.line("PUBLISH b " + msg)
	assert.Equal(t, 1, closed)
	assert.False(t, sub2.s.ShouldClose())
}

func TestOutputLimitConfig(t *testing.T) {
	e, _ := testEngine(t)
	for _, tc := range []struct{ v, err string }{
		{"pubsub 1mb", "Wrong number of arguments in buffer limit configuration."},
		{"foo 1 1 1", "Invalid client class specified in buffer limit configuration."},
		{"master 1 1 1", "Invalid client class specified in buffer limit configuration."},
		{"pubsub x 1 1", "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
		{"pubsub 1 1 -1", "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
	} {
		err := e.config.set("client-output-buffer-limit", tc.v, false)
		require.Error(t, err, tc.v)
		assert.Equal(t, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - "+tc.err, err.Error())
	}
	require.NoError(t, e.config.set("client-output-buffer-limit", "pubsub 1mb 2kb 0", false))
	require.NoError(t, e.config.set("client-output-buffer-limit", "replica 1 1 1", false))
	assert.Equal(t, "normal 0 0 0 slave 1 1 1 pubsub 1048576 2048 0", e.Config("client-output-buffer-limit"))
	require.NoError(t, e.config.set("client-output-buffer-limit", "", false))
	assert.Equal(t, "normal 0 0 0 slave 1 1 1 pubsub 1048576 2048 0", e.Config("client-output-buffer-limit"))
}

// TestLargeValueUnderClientReplyOff: a large value (queued by reference
// otherwise) is dropped like any reply under CLIENT REPLY OFF and SKIP.
func TestLargeValueUnderClientReplyOff(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	big := strings.Repeat("v", 100000)
	c.do("SET", "big", big)
	assert.Equal(t, "$100000\r\n"+big+"\r\n", c.do("GET", "big"))
	c.do("CLIENT", "REPLY", "SKIP")
	assert.Equal(t, "", c.do("GET", "big"))
	c.do("CLIENT", "REPLY", "OFF")
	assert.Equal(t, "", c.do("GET", "big"))
	assert.Equal(t, "+OK\r\n", c.do("CLIENT", "REPLY", "ON"))
	assert.Equal(t, "*1\r\n$100000\r\n"+big+"\r\n", c.do("MGET", "big"))
}
