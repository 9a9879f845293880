package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestMonitor(t *testing.T) {
	e, clk := testEngine(t)
	m, c := newClient(t, e), newClient(t, e)
	assert.Equal(t, ok, m.line("MONITOR"))
	// A second MONITOR gets no reply at all.
	assert.Equal(t, "", m.line("MONITOR"))

	c.do("SET", "a", "x y\n\x01\"z\\")
	assert.Equal(t, `+1700000000.000000 [0 127.0.0.1:50000] "SET" "a" "x y\n\x01\"z\\"`+"\r\n", m.take())

	clk.Advance(1234567 * time.Microsecond)
	c.line("select 3")
	c.do("echo", "\t\r\a\b\xff")
	assert.Equal(t, `+1700000001.234567 [3 127.0.0.1:50000] "select" "3"`+"\r\n"+
		`+1700000001.234567 [3 127.0.0.1:50000] "echo" "\t\r\a\b\xff"`+"\r\n", m.take())

	// Secrets are redacted.
	c.line("AUTH foo")
	c.line("AUTH default foo")
	c.line("HELLO 2 AUTH default foo SETNAME x")
	assert.Equal(t, `+1700000001.234567 [3 127.0.0.1:50000] "AUTH" "(redacted)"`+"\r\n"+
		`+1700000001.234567 [3 127.0.0.1:50000] "AUTH" "(redacted)" "(redacted)"`+"\r\n"+
		`+1700000001.234567 [3 127.0.0.1:50000] "HELLO" "2" "AUTH" "(redacted)" "(redacted)" "SETNAME" "x"`+"\r\n", m.take())
	// MIGRATE's AUTH password and AUTH2 credentials too (the target
	// refuses the connection: the command still shows).
	c.do("MIGRATE", "127.0.0.1", "1", "key", "9", "5000", "AUTH", "pw")
	c.do("MIGRATE", "127.0.0.1", "1", "key", "9", "5000", "AUTH2", "user", "pw")
	got := m.take()
	assert.Contains(t, got, `"key" "9" "5000" "AUTH" "(redacted)"`+"\r\n")
	assert.Contains(t, got, `"key" "9" "5000" "AUTH2" "(redacted)" "(redacted)"`+"\r\n")

	// Queued commands show when EXEC runs them, before the EXEC itself;
	// refused commands and admin commands (MONITOR) are not shown.
	c.line("MULTI")
	c.line("GET a")
	c.line("NOSUCH")
	c.line("DISCARD")
	c.line("MULTI")
	c.line("GET a")
	c.line("EXEC")
	c.line("MULTI")
	c.line("EXEC x")
	c.line("MONITOR")
	assert.Equal(t, `+1700000001.234567 [3 127.0.0.1:50000] "MULTI"`+"\r\n"+
		`+1700000001.234567 [3 127.0.0.1:50000] "DISCARD"`+"\r\n"+
		`+1700000001.234567 [3 127.0.0.1:50000] "MULTI"`+"\r\n"+
		`+1700000001.234567 [3 127.0.0.1:50000] "GET" "a"`+"\r\n"+
		`+1700000001.234567 [3 127.0.0.1:50000] "EXEC"`+"\r\n"+
		`+1700000001.234567 [3 127.0.0.1:50000] "MULTI"`+"\r\n"+
		`+1700000001.234567 [3 127.0.0.1:50000] "EXEC" "x"`+"\r\n", m.take())
	assert.Equal(t, "+RESET\r\n", c.line("RESET"))
	assert.Equal(t, `+1700000001.234567 [0 127.0.0.1:50000] "RESET"`+"\r\n", m.take())
	assert.Equal(t, "+RESET\r\n", c.line("RESET")) // no longer a monitor
	m.take()

	// The monitor may not touch the keyspace; PING is fine (and shown).
	assert.Equal(t, errReply("ERR Replica can't interact with the keyspace"), m.line("GET a"))
	assert.Equal(t, errReply("ERR Replica can't interact with the keyspace"), m.line("PUBLISH a b"))
	assert.Equal(t, errReply("ERR Replica can't interact with the keyspace"), m.line("SPUBLISH a b"))
	assert.Equal(t, errReply("ERR Replica can't interact with the keyspace"), m.line("SET a b"))
	assert.Equal(t, "+PONG\r\n"+`+1700000001.234567 [0 127.0.0.1:50000] "PING"`+"\r\n", m.line("PING"))

	// RESET ends monitor mode.
	assert.Equal(t, "+RESET\r\n", m.line("RESET"))
	c.line("GET a")
	assert.Empty(t, m.take())
	assert.Equal(t, bulk("x y\n\x01\"z\\"), m.line("GET a"))
}

func TestMonitorRESP3AndClose(t *testing.T) {
	e, _ := testEngine(t)
	m, c := newClient(t, e), newClient(t, e)
	resp3(t, m)
	assert.Equal(t, ok, m.line("MONITOR"))
	c.line("PING")
	assert.Equal(t, `+1700000000.000000 [0 127.0.0.1:50000] "PING"`+"\r\n", m.take())

	// Sandboxed sessions are not shown to the main keyspace's monitors.
	boxed := &client{t: t, s: e.NewSession(ClientInfo{Addr: "10.0.0.1:1", Keyspace: e.NewKeyspace()})}
	boxed.line("PING")
	assert.Empty(t, m.take())

	m.s.Close()
	assert.Empty(t, e.main.hub().monitors)
	c.line("PING")
}
