package netserver

import (
	"bytes"
	"log"
	"math/rand/v2"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/goredis-dev/goredis/engine"
	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// brokenSource is a random source that panics once armed: RANDOMKEY then
// panics inside its handler, as a buggy command would, with no test-only
// code in the server.
type brokenSource struct{ armed atomic.Bool }

func (b *brokenSource) Uint64() uint64 {
	if b.armed.Load() {
		panic("random source broke")
	}
	return 4
}

// lockedBuffer is a log destination shared by the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const randomkeyPanicReply = "-ERR internal error in 'randomkey' command: random source broke\r\n"

// startPanickyServer runs a server whose RANDOMKEY panics once src is armed,
// logging in Redis's format to the returned buffer.
func startPanickyServer(t *testing.T, goroutines bool) (*Server, string, *brokenSource, *lockedBuffer) {
	t.Helper()
	src := &brokenSource{}
	logs := &lockedBuffer{}
	var srv *Server
	eng := engine.New(engine.Options{
		Rand: rand.New(src),
		Log:  func(line string) { srv.Logf('#', "%s", line) },
	})
	srv = New(eng, Options{Addr: "127.0.0.1:0", GoroutinePerPeer: goroutines, Logger: log.New(logs, "", 0)})
	require.NoError(t, srv.Listen())
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, srv.Addr().String(), src, logs
}

// TestPanickingCommandLeavesServerServing: a command that panics answers
// its client with an error; the connection, pipelined commands after it
// and other clients go on, over TCP in both serving models.
func TestPanickingCommandLeavesServerServing(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr, src, logs := startPanickyServer(t, goroutines)
		a, b := dialRaw(t, addr), dialRaw(t, addr)
		a.write("SET k v\r\n")
		require.Equal(t, "+OK\r\n", a.reply())
		src.armed.Store(true)

		// pipelined: the panic sits between two commands of one batch
		a.write("INCR n\r\nRANDOMKEY\r\nINCR n\r\n")
		assert.Equal(t, ":1\r\n", a.reply())
		assert.Equal(t, randomkeyPanicReply, a.reply())
		assert.Equal(t, ":2\r\n", a.reply())

		// in a transaction: the EXEC array keeps its three slots
		a.write("MULTI\r\nINCR n\r\nRANDOMKEY\r\nINCR n\r\nEXEC\r\n")
		for range 4 {
			a.reply()
		}
		assert.Equal(t, "*3\r\n:3\r\n"+randomkeyPanicReply+":4\r\n", a.reply())

		b.write("GET k\r\n")
		assert.Equal(t, "$1\r\nv\r\n", b.reply())
		b.write("INFO errorstats\r\n")
		assert.Contains(t, b.reply(), "errorstat_ERR:count=2\r\n")

		src.armed.Store(false)
		a.write("RANDOMKEY\r\n")
		assert.Contains(t, []string{"$1\r\nk\r\n", "$1\r\nn\r\n"}, a.reply())

		out := logs.String()
		assert.Regexp(t, `\d+:M \d\d \w+ \d{4} [\d:.]+ # === GOREDIS BUG REPORT START`, out)
		assert.Contains(t, out, "# Panic in command 'randomkey' (answered with an error, the server goes on): random source broke\n")
		assert.Contains(t, out, "# Panic in command 'randomkey' again (2 times): random source broke\n")
	})
}

// TestPanickingCommandOverWebSocket: the bridge runs the same dispatcher.
func TestPanickingCommandOverWebSocket(t *testing.T) {
	srv, _, src, _ := startPanickyServer(t, false)
	hs := httptest.NewServer(srv.WebSocketHandler(WSOptions{}))
	t.Cleanup(hs.Close)
	c := wsDial(t, hs, "")
	wsSend(t, c, websocket.TextMessage, "SET k v\r\n")
	require.Equal(t, "+OK\r\n", wsRead(t, c, 5))
	src.armed.Store(true)
	wsSend(t, c, websocket.TextMessage, "RANDOMKEY\r\nGET k\r\n")
	want := randomkeyPanicReply + "$1\r\nv\r\n"
	assert.Equal(t, want, wsRead(t, c, len(want)))
}
