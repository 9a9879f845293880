package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pmsg(pattern, channel, msg string) string {
	return arr(bulk("pmessage"), bulk(pattern), bulk(channel), bulk(msg))
}

// events returns a RESP2 subscriber to every notification.
func events(t *testing.T, e *Engine) *client {
	t.Helper()
	sub := newClient(t, e)
	require.Equal(t, arr3("psubscribe", "__key*__:*", 1), sub.line("PSUBSCRIBE __key*__:*"))
	return sub
}

func setNotify(t *testing.T, e *Engine, v string) {
	t.Helper()
	require.NoError(t, e.config.set("notify-keyspace-events", v, false))
}

func TestNotifyKeyspaceAndKeyevent(t *testing.T) {
	e, _ := testEngine(t)
	sub := events(t, e)
	c := newClient(t, e)
	const p = "__key*__:*"

	// Off by default.
	c.line("SET a 1")
	assert.Empty(t, sub.take())

	setNotify(t, e, "KEA")
	c.line("SET a 2")
	assert.Equal(t, pmsg(p, "__keyspace@0__:a", "set")+pmsg(p, "__keyevent@0__:set", "a"), sub.take())
	c.line("DEL a nokey")
	assert.Equal(t, pmsg(p, "__keyspace@0__:a", "del")+pmsg(p, "__keyevent@0__:del", "a"), sub.take())
	c.line("SELECT 3")
	c.line("SET b 1 EX 10")
	assert.Equal(t, pmsg(p, "__keyspace@3__:b", "set")+pmsg(p, "__keyevent@3__:set", "b")+
		pmsg(p, "__keyspace@3__:b", "expire")+pmsg(p, "__keyevent@3__:expire", "b"), sub.take())

	// K alone, E alone, and a class filter.
	setNotify(t, e, "K$")
	c.line("SET b 2")
	assert.Equal(t, pmsg(p, "__keyspace@3__:b", "set"), sub.take())
	setNotify(t, e, "Eg")
	c.line("SET b 3")
	assert.Empty(t, sub.take())
	c.line("DEL b")
	assert.Equal(t, pmsg(p, "__keyevent@3__:del", "b"), sub.take())
	// A class without K or E sends nothing.
	setNotify(t, e, "A")
	c.line("SET b 3")
	assert.Empty(t, sub.take())
}

func TestNotifyNew(t *testing.T) {
	e, _ := testEngine(t)
	sub := events(t, e)
	c := newClient(t, e)
	const p = "__key*__:*"
	setNotify(t, e, "KEn$")
	assert.Equal(t, "$KE", e.Config("notify-keyspace-events")) // shown without n, as Redis 7.0
	c.line("SET a 1")
	assert.Equal(t, pmsg(p, "__keyspace@0__:a", "new")+pmsg(p, "__keyevent@0__:new", "a")+
		pmsg(p, "__keyspace@0__:a", "set")+pmsg(p, "__keyevent@0__:set", "a"), sub.take())
	// Overwriting is not new.
	c.line("SET a 2")
	assert.Equal(t, pmsg(p, "__keyspace@0__:a", "set")+pmsg(p, "__keyevent@0__:set", "a"), sub.take())
	// 'A' does not include 'n'.
	setNotify(t, e, "KEA")
	c.line("SET b 1")
	assert.Equal(t, pmsg(p, "__keyspace@0__:b", "set")+pmsg(p, "__keyevent@0__:set", "b"), sub.take())
	// n alone.
	setNotify(t, e, "En")
	c.line("SET d 1")
	assert.Equal(t, pmsg(p, "__keyevent@0__:new", "d"), sub.take())
}

func TestNotifyExpired(t *testing.T) {
	e, clk := testEngine(t)
	sub := events(t, e)
	c := newClient(t, e)
	const p = "__key*__:*"
	setNotify(t, e, "Ex")
	c.line("SET a 1 PX 10")
	c.line("SET b 1 PX 10")
	assert.Empty(t, sub.take())
	clk.Advance(time.Second)
	// Lazy expiry on access.
	assert.Equal(t, nilBulk, c.line("GET a"))
	assert.Equal(t, pmsg(p, "__keyevent@0__:expired", "a"), sub.take())
	// The active expiry cycle, with no command running.
	assert.Equal(t, 1, e.ActiveExpireCycle())
	assert.Equal(t, pmsg(p, "__keyevent@0__:expired", "b"), sub.take())
}

func TestNotifyRESP3AndChannels(t *testing.T) {
	e, _ := testEngine(t)
	sub := newClient(t, e)
	resp3(t, sub)
	sub.line("SUBSCRIBE __keyspace@0__:k __keyevent@0__:set")
	c := newClient(t, e)
	setNotify(t, e, "KE$")
	c.line("SET k v")
	assert.Equal(t, ">3\r\n"+bulk("message")+bulk("__keyspace@0__:k")+bulk("set")+
		">3\r\n"+bulk("message")+bulk("__keyevent@0__:set")+bulk("k"), sub.take())
	// The subscriber's own commands notify it too (RESP3 may run them);
	// Redis 7.0 writes the push before the command's reply.
	assert.Equal(t, ">3\r\n"+bulk("message")+bulk("__keyevent@0__:set")+bulk("z")+ok, sub.line("SET z 1"))
}

func TestNotifyConfig(t *testing.T) {
	e, _ := testEngine(t)
	for _, tc := range []struct{ in, shown string }{
		{"KEA", "AKE"},
		{"Ex", "xE"},
		{"$lshzxegtdKEmn", "AKEm"},
		{"gA", "A"},
		{"An", "A"},
		{"m", "m"},
		{"", ""},
	} {
		setNotify(t, e, tc.in)
		assert.Equal(t, tc.shown, e.Config("notify-keyspace-events"), tc.in)
	}
	err := e.config.set("notify-keyspace-events", "Q", false)
	require.Error(t, err)
	assert.Equal(t, "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.", err.Error())
	assert.Equal(t, "", e.Config("notify-keyspace-events"))
}
