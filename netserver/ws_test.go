package netserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wsTestServer runs the bridge on an httptest server around a fresh engine.
func wsTestServer(t *testing.T, o WSOptions, conf map[string]string) (*httptest.Server, *Server) {
	t.Helper()
	eng := engine.New(engine.Options{Config: conf})
	srv := New(eng, Options{Addr: "127.0.0.1:0"})
	hs := httptest.NewServer(srv.WebSocketHandler(o))
	t.Cleanup(func() {
		hs.Close()
		_ = srv.Close()
	})
	return hs, srv
}

func wsDial(t *testing.T, hs *httptest.Server, origin string) *websocket.Conn {
	t.Helper()
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	c, resp, err := websocket.DefaultDialer.Dial(url, h)
	require.NoError(t, err)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// wsRead reads frames until want bytes have arrived (replies may be
// split or joined across frames).
func wsRead(t *testing.T, c *websocket.Conn, want int) string {
	t.Helper()
	var got []byte
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	for len(got) < want {
		_, data, err := c.ReadMessage()
		require.NoError(t, err, "after %q", got)
		got = append(got, data...)
	}
	return string(got)
}

func wsSend(t *testing.T, c *websocket.Conn, mt int, s string) {
	t.Helper()
	require.NoError(t, c.WriteMessage(mt, []byte(s)))
}

func TestWSCommandsPipelinedAndSplit(t *testing.T) {
	hs, _ := wsTestServer(t, WSOptions{}, nil)
	c := wsDial(t, hs, "")
	// two commands in one frame
	wsSend(t, c, websocket.BinaryMessage, "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n")
	want := "+OK\r\n$1\r\n1\r\n"
	assert.Equal(t, want, wsRead(t, c, len(want)))
	// one command split over three frames
	wsSend(t, c, websocket.BinaryMessage, "*2\r\n$4\r\nEC")
	wsSend(t, c, websocket.BinaryMessage, "HO\r\n$5\r\nhel")
	wsSend(t, c, websocket.BinaryMessage, "lo\r\n")
	want = "$5\r\nhello\r\n"
	assert.Equal(t, want, wsRead(t, c, len(want)))
	// inline command in a text frame, without a newline
	wsSend(t, c, websocket.TextMessage, `SET greeting "hi there"`)
	wsSend(t, c, websocket.TextMessage, "GET greeting")
	want = "+OK\r\n$8\r\nhi there\r\n"
	assert.Equal(t, want, wsRead(t, c, len(want)))
}

func TestWSResp3Push(t *testing.T) {
	hs, _ := wsTestServer(t, WSOptions{}, nil)
	c := wsDial(t, hs, "")
	wsSend(t, c, websocket.TextMessage, "HELLO 3")
	first := wsRead(t, c, 1)
	assert.True(t, strings.HasPrefix(first, "%7\r\n"), first)
}

func TestWSOriginCheck(t *testing.T) {
	hs, _ := wsTestServer(t, WSOptions{AllowedOrigins: []string{"https://good.example"}}, nil)
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"https://evil.example", false},
		{"https://good.example", true},
		{hs.URL, true}, // same origin
		{"", true},     // not a browser
	} {
		h := http.Header{}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		c, resp, err := websocket.DefaultDialer.Dial(url, h)
		if tc.ok {
			require.NoError(t, err, tc.origin)
			c.Close()
		} else {
			require.Error(t, err, tc.origin)
			require.NotNil(t, resp)
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		}
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
	}
}

func TestWSAuth(t *testing.T) {
	hs, _ := wsTestServer(t, WSOptions{}, map[string]string{"requirepass": "secret"})
	c := wsDial(t, hs, "")
	wsSend(t, c, websocket.TextMessage, "GET a")
	want := "-NOAUTH Authentication required.\r\n"
	assert.Equal(t, want, wsRead(t, c, len(want)))
	wsSend(t, c, websocket.TextMessage, "AUTH secret")
	assert.Equal(t, "+OK\r\n", wsRead(t, c, 5))
}

func TestWSBlockingAcrossPeers(t *testing.T) {
	hs, _ := wsTestServer(t, WSOptions{}, nil)
	a := wsDial(t, hs, "")
	b := wsDial(t, hs, "")
	wsSend(t, a, websocket.TextMessage, "BLPOP q 5")
	time.Sleep(100 * time.Millisecond) // let a block
	wsSend(t, b, websocket.TextMessage, "RPUSH q x")
	assert.Equal(t, ":1\r\n", wsRead(t, b, 4))
	want := "*2\r\n$1\r\nq\r\n$1\r\nx\r\n"
	assert.Equal(t, want, wsRead(t, a, len(want)))
}

func TestWSSandboxIsolationAndQuotas(t *testing.T) {
	sb := &engine.Sandbox{MaxKeys: 3, MaxBulk: 16, CommandsPerSecond: 1000, MaxBytes: 1 << 20, MaxBlock: 200 * time.Millisecond}
	hs, _ := wsTestServer(t, WSOptions{Sandbox: sb}, nil)
	a := wsDial(t, hs, "")
	b := wsDial(t, hs, "")
	wsSend(t, a, websocket.TextMessage, "SET secret 1")
	assert.Equal(t, "+OK\r\n", wsRead(t, a, 5))
	for _, cmd := range []string{"GET secret", "EXISTS secret", "DBSIZE", "KEYS *", "SCAN 0"} {
		wsSend(t, b, websocket.TextMessage, cmd)
	}
	want := "$-1\r\n:0\r\n:0\r\n*0\r\n*2\r\n$1\r\n0\r\n*0\r\n"
	assert.Equal(t, want, wsRead(t, b, len(want)))
	wsSend(t, b, websocket.TextMessage, "INFO keyspace")
	info := wsRead(t, b, len("$13\r\n# Keyspace\r\n\r\n"))
	assert.NotContains(t, info, "db0:", "INFO keyspace shows only the session's own keys")
	wsSend(t, a, websocket.TextMessage, "INFO keyspace")
	assert.Contains(t, wsRead(t, a, 30), "db0:keys=1")
	// FLUSHALL in b does not touch a's keys
	wsSend(t, b, websocket.TextMessage, "FLUSHALL")
	assert.Equal(t, "+OK\r\n", wsRead(t, b, 5))
	wsSend(t, a, websocket.TextMessage, "GET secret")
	assert.Equal(t, "$1\r\n1\r\n", wsRead(t, a, 7))
	// quotas: keys, argument size, refused commands, capped blocking
	wsSend(t, a, websocket.TextMessage, "SET k2 1")
	wsSend(t, a, websocket.TextMessage, "SET k3 1")
	wsSend(t, a, websocket.TextMessage, "SET k4 1")
	want = "+OK\r\n+OK\r\n-ERR sandbox quota: at most 3 keys\r\n"
	assert.Equal(t, want, wsRead(t, a, len(want)))
	wsSend(t, a, websocket.TextMessage, "SET k2 "+strings.Repeat("x", 17))
	want = "-ERR sandbox quota: argument larger than 16 bytes\r\n"
	assert.Equal(t, want, wsRead(t, a, len(want)))
	wsSend(t, a, websocket.TextMessage, "CONFIG GET maxmemory")
	want = "-ERR sandbox: 'config|get' is not available on this server\r\n"
	assert.Equal(t, want, wsRead(t, a, len(want)))
	start := time.Now()
	wsSend(t, a, websocket.TextMessage, "BLPOP nothing 0")
	assert.Equal(t, "*-1\r\n", wsRead(t, a, 5))
	assert.Less(t, time.Since(start), 5*time.Second)
}

// wsDialKeyspace dials the bridge with ?keyspace=token.
func wsDialKeyspace(t *testing.T, hs *httptest.Server, token string) (*websocket.Conn, int) {
	t.Helper()
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws?keyspace=" + token
	c, resp, err := websocket.DefaultDialer.Dial(url, nil)
	status := 0
	if resp != nil {
		status = resp.StatusCode
		resp.Body.Close()
	}
	if err != nil {
		return nil, status
	}
	t.Cleanup(func() { c.Close() })
	return c, status
}

// TestWSSandboxSharedKeyspace: the peers of one page (one ?keyspace=
// token) share a private keyspace, pub/sub and tracking included; other
// tokens and peers without one do not see it; it ends with its last peer.
func TestWSSandboxSharedKeyspace(t *testing.T) {
	sb := &engine.Sandbox{MaxKeys: 100, MaxBulk: 1024, CommandsPerSecond: 1000, MaxBytes: 1 << 20, MaxBlock: time.Second}
	hs, _ := wsTestServer(t, WSOptions{Sandbox: sb}, nil)
	const token = "page-token-0123456789abcdef"
	a, _ := wsDialKeyspace(t, hs, token)
	b, _ := wsDialKeyspace(t, hs, token)
	other, _ := wsDialKeyspace(t, hs, "another-page-token-0123456789")
	alone := wsDial(t, hs, "")
	// b watches writes as the keyspace explorer does where CONFIG is
	// refused: broadcast tracking redirected to a subscribed peer.
	sub, _ := wsDialKeyspace(t, hs, token)
	wsSend(t, sub, websocket.TextMessage, "CLIENT ID")
	id := strings.TrimSpace(strings.TrimPrefix(wsRead(t, sub, 3), ":"))
	wsSend(t, sub, websocket.TextMessage, "SUBSCRIBE __redis__:invalidate")
	subscribed := "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n"
	assert.Equal(t, subscribed, wsRead(t, sub, len(subscribed)))
	wsSend(t, b, websocket.TextMessage, "CLIENT TRACKING ON BCAST REDIRECT "+id)
	assert.Equal(t, "+OK\r\n", wsRead(t, b, 5))
	wsSend(t, a, websocket.TextMessage, "SET shared 1")
	assert.Equal(t, "+OK\r\n", wsRead(t, a, 5))
	want := "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$6\r\nshared\r\n"
	assert.Equal(t, want, wsRead(t, sub, len(want)), "the explorer hears a's write")
	wsSend(t, b, websocket.TextMessage, "GET shared")
	assert.Equal(t, "$1\r\n1\r\n", wsRead(t, b, 7))
	for _, c := range []*websocket.Conn{other, alone} {
		wsSend(t, c, websocket.TextMessage, "GET shared")
		wsSend(t, c, websocket.TextMessage, "DBSIZE")
		assert.Equal(t, "$-1\r\n:0\r\n", wsRead(t, c, 9))
	}
	// Bad tokens are refused before the upgrade.
	for _, bad := range []string{"short", strings.Repeat("x", 65), "has%20space-0123456789"} {
		c, status := wsDialKeyspace(t, hs, bad)
		assert.Nil(t, c)
		assert.Equal(t, http.StatusBadRequest, status, bad)
	}
	// One token cannot take more than maxGroupPeers connections.
	for i := 3; i < maxGroupPeers; i++ {
		c, _ := wsDialKeyspace(t, hs, token)
		require.NotNil(t, c)
	}
	c, status := wsDialKeyspace(t, hs, token)
	assert.Nil(t, c)
	assert.Equal(t, http.StatusBadRequest, status)
	// The keyspace ends with its last peer: the same token later finds it empty.
	const brief = "brief-token-0123456789abcdef"
	d, _ := wsDialKeyspace(t, hs, brief)
	wsSend(t, d, websocket.TextMessage, "SET gone 1")
	assert.Equal(t, "+OK\r\n", wsRead(t, d, 5))
	d.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		e, _ := wsDialKeyspace(t, hs, brief)
		require.NotNil(t, e)
		wsSend(t, e, websocket.TextMessage, "DBSIZE")
		got := wsRead(t, e, 4)
		e.Close()
		if got == ":0\r\n" {
			break
		}
		require.True(t, time.Now().Before(deadline), "the keyspace outlived its peers")
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWSConnsPerIP(t *testing.T) {
	hs, _ := wsTestServer(t, WSOptions{MaxConnsPerIP: 1}, nil)
	wsDial(t, hs, "")
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"
	_, resp, err := websocket.DefaultDialer.Dial(url, nil)
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	resp.Body.Close()
}

func TestWSPushesBetweenPeers(t *testing.T) {
	hs, _ := wsTestServer(t, WSOptions{}, nil)
	sub := wsDial(t, hs, "")
	pub := wsDial(t, hs, "")
	wsSend(t, sub, websocket.TextMessage, "HELLO 3")
	hello := ""
	for !strings.HasSuffix(hello, "modules\r\n*0\r\n") {
		hello += wsRead(t, sub, 1)
	}
	wsSend(t, sub, websocket.TextMessage, "SUBSCRIBE news")
	want := ">3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
	assert.Equal(t, want, wsRead(t, sub, len(want)))
	wsSend(t, pub, websocket.TextMessage, "PUBLISH news hi")
	assert.Equal(t, ":1\r\n", wsRead(t, pub, 4))
	want = ">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
	assert.Equal(t, want, wsRead(t, sub, len(want)))
}

// TestWSSlowConsumerDisconnected: a peer that sends requests but never
// reads the replies is disconnected once a write stalls, instead of the
// server holding its output.
func TestWSSlowConsumerDisconnected(t *testing.T) {
	hs, srv := wsTestServer(t, WSOptions{WriteTimeout: 200 * time.Millisecond}, nil)
	c := wsDial(t, hs, "")
	wsSend(t, c, websocket.TextMessage, "SET big "+strings.Repeat("x", 60000))
	assert.Equal(t, "+OK\r\n", wsRead(t, c, 5))
	// ~60 MB of replies that are never read
	for i := 0; i < 1000; i++ {
		if err := c.WriteMessage(websocket.TextMessage, []byte("GET big")); err != nil {
			break // already disconnected
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for srv.eng.Clients() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	assert.Zero(t, srv.eng.Clients(), "the slow peer's session is closed")
}

// The WebSocket bridge applies the request limits as TCP does: Redis's
// protocol errors, proto-max-bulk-len, and client-query-buffer-limit on a
// message streamed in, which never has to arrive whole.
func TestWSProtocolLimits(t *testing.T) {
	hs, _ := wsTestServer(t, WSOptions{}, map[string]string{"client-query-buffer-limit": "1mb"})

	c := wsDial(t, hs, "")
	wsSend(t, c, websocket.BinaryMessage, "*1\r\n$536870913\r\n")
	want := "-ERR Protocol error: invalid bulk length\r\n"
	assert.Equal(t, want, wsRead(t, c, len(want)))

	c = wsDial(t, hs, "")
	wsSend(t, c, websocket.BinaryMessage, "*a\r\n")
	want = "-ERR Protocol error: invalid multibulk length\r\n"
	assert.Equal(t, want, wsRead(t, c, len(want)))

	c = wsDial(t, hs, "")
	wsSend(t, c, websocket.TextMessage, strings.Repeat("x", 70*1024))
	want = "-ERR Protocol error: too big inline request\r\n"
	assert.Equal(t, want, wsRead(t, c, len(want)))

	// One 3 MB message, in many pieces: an argument within
	// proto-max-bulk-len (512 MB) fills the 1 MB query buffer.
	c = wsDial(t, hs, "")
	w, err := c.NextWriter(websocket.BinaryMessage)
	require.NoError(t, err)
	_, err = w.Write([]byte("*2\r\n$4\r\nECHO\r\n$2000000\r\n"))
	require.NoError(t, err)
	chunk := []byte(strings.Repeat("z", 64*1024))
	for i := 0; i < 48; i++ {
		if _, err := w.Write(chunk); err != nil {
			break
		}
	}
	_ = w.Close()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	mt, data, err := c.ReadMessage()
	assert.Error(t, err, "the peer is closed without a reply, got %d %q", mt, data)

	other := wsDial(t, hs, "")
	wsSend(t, other, websocket.TextMessage, "PING")
	assert.Equal(t, "+PONG\r\n", wsRead(t, other, 7))
}
