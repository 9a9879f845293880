package netserver

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/internal/testcerts"
	"github.com/goredis-dev/goredis/tlsconf"
	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logLines collects a server's log lines for assertions.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) add(level byte, msg string) {
	l.mu.Lock()
	l.lines = append(l.lines, string(level)+" "+msg)
	l.mu.Unlock()
}

func (l *logLines) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// startTLS runs a server with a plain port and a TLS port configured as
// Redis's test suite configures its servers (server certificate, CA,
// tls-auth-clients yes).
func startTLS(t *testing.T, conf map[string]string) (*Server, testcerts.Files, *logLines) {
	t.Helper()
	f := testcerts.Write(t)
	logs := &logLines{}
	cfg := map[string]string{"tls-cert-file": f.ServerCert, "tls-key-file": f.ServerKey, "tls-ca-cert-file": f.CA}
	for k, v := range conf {
		cfg[k] = v
	}
	eng := engine.New(engine.Options{Config: cfg})
	ctx, err := tlsconf.Configure(tlsconf.FromConfig(eng.Config), func(msg string) { t.Log(msg) })
	require.NoError(t, err)
	srv := New(eng, Options{Addr: "127.0.0.1:0", TLSAddr: "127.0.0.1:0", Log: logs.add})
	srv.SetTLS(ctx)
	require.NoError(t, srv.Listen())
	go func() { _ = srv.Serve() }()
	t.Cleanup(func() { _ = srv.Close() })
	return srv, f, logs
}

// clientTLS is a client's configuration: the test CA, and the client
// certificate unless noCert.
func clientTLS(t *testing.T, f testcerts.Files, noCert bool) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(f.CA)
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(pem))
	cfg := &tls.Config{RootCAs: roots, ServerName: "localhost"}
	if !noCert {
		pair, err := tls.LoadX509KeyPair(f.ClientCert, f.ClientKey)
		require.NoError(t, err)
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg
}

// TestTLSGoRedis drives the TLS port through go-redis v9 in RESP3 and
// RESP2: commands, a large value, a deep pipeline, pub/sub, and a BLPOP
// that another client (on the plain port) serves.
func TestTLSGoRedis(t *testing.T) {
	srv, f, _ := startTLS(t, nil)
	ctx := context.Background()
	for _, proto := range []int{3, 2} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			c := redis.NewClient(&redis.Options{Addr: srv.TLSAddr().String(), Protocol: proto, TLSConfig: clientTLS(t, f, false)})
			defer c.Close()
			plain := redis.NewClient(&redis.Options{Addr: srv.Addr().String(), Protocol: proto})
			defer plain.Close()
			require.NoError(t, c.FlushAll(ctx).Err())
			assert.Equal(t, "PONG", c.Ping(ctx).Val())
			require.NoError(t, c.Set(ctx, "k", "v", 0).Err())
			assert.Equal(t, "v", plain.Get(ctx, "k").Val(), "one keyspace behind both ports")
			big := strings.Repeat("x", 3<<20)
			require.NoError(t, c.Set(ctx, "big", big, 0).Err())
			assert.Equal(t, big, c.Get(ctx, "big").Val())

			pipe := c.Pipeline()
			for i := range 1000 {
				pipe.Incr(ctx, "n")
				if i%100 == 0 {
					pipe.Get(ctx, "n")
				}
			}
			cmds, err := pipe.Exec(ctx)
			require.NoError(t, err)
			assert.Equal(t, int64(1000), cmds[len(cmds)-1].(*redis.IntCmd).Val())

			sub := c.Subscribe(ctx, "news")
			defer sub.Close()
			_, err = sub.Receive(ctx)
			require.NoError(t, err)
			require.NoError(t, plain.Publish(ctx, "news", "hello").Err())
			msg, err := sub.ReceiveMessage(ctx)
			require.NoError(t, err)
			assert.Equal(t, "hello", msg.Payload)

			got := make(chan []string, 1)
			go func() {
				v, _ := c.BLPop(ctx, 0, "queue").Result()
				got <- v
			}()
			require.Eventually(t, func() bool {
				return strings.Contains(plain.ClientList(ctx).Val(), "cmd=blpop")
			}, hangGuard, 5*time.Millisecond)
			require.NoError(t, plain.RPush(ctx, "queue", "job").Err())
			select {
			case v := <-got:
				assert.Equal(t, []string{"queue", "job"}, v)
			case <-time.After(hangGuard):
				t.Fatal("BLPOP over TLS not served")
			}
			// A blocking command's timeout over TLS.
			_, err = c.Do(ctx, "BLPOP", "empty", "0.05").Result()
			assert.ErrorIs(t, err, redis.Nil)
			assert.Equal(t, "PONG", c.Ping(ctx).Val(), "the connection works after the timeout")
		})
	}
}

// TestTLSRefusals: a plain client on the TLS port, and a client without a
// certificate while tls-auth-clients is yes, are closed, with Redis's log
// line; tls-auth-clients applies to each new connection.
func TestTLSRefusals(t *testing.T) {
	srv, f, logs := startTLS(t, nil)
	conn, err := net.Dial("tcp", srv.TLSAddr().String())
	require.NoError(t, err)
	_, err = conn.Write([]byte("PING\r\n"))
	require.NoError(t, err)
	_ = conn.SetReadDeadline(time.Now().Add(hangGuard))
	b, _ := io.ReadAll(conn) // ends when the server closes
	_ = conn.Close()
	assert.NotContains(t, string(b), "PONG")
	require.Eventually(t, func() bool {
		return logs.contains("# Error accepting a client connection: tls: first record does not look like a TLS handshake")
	}, hangGuard, 5*time.Millisecond)

	ctx := context.Background()
	noCert := redis.NewClient(&redis.Options{Addr: srv.TLSAddr().String(), TLSConfig: clientTLS(t, f, true), MaxRetries: -1})
	defer noCert.Close()
	assert.Error(t, noCert.Ping(ctx).Err())
	require.Eventually(t, func() bool {
		return logs.contains("# Error accepting a client connection: tls: client didn't provide a certificate")
	}, hangGuard, 5*time.Millisecond)

	admin := redis.NewClient(&redis.Options{Addr: srv.Addr().String()})
	defer admin.Close()
	for _, tc := range []struct {
		mode string
		ok   bool
	}{{"no", true}, {"optional", true}, {"yes", false}} {
		require.NoError(t, admin.ConfigSet(ctx, "tls-auth-clients", tc.mode).Err())
		c := redis.NewClient(&redis.Options{Addr: srv.TLSAddr().String(), TLSConfig: clientTLS(t, f, true), MaxRetries: -1})
		err := c.Ping(ctx).Err()
		_ = c.Close()
		assert.Equal(t, tc.ok, err == nil, "tls-auth-clients %s: %v", tc.mode, err)
	}
}

// TestTLSRebind: CONFIG SET tls-port's host side opens the new port
// before closing the old, and port 0 closes it.
func TestTLSRebind(t *testing.T) {
	srv, f, _ := startTLS(t, nil)
	old := srv.TLSAddr().String()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	taken := ln.Addr().(*net.TCPAddr).Port
	srv.opts.Bind = []string{"127.0.0.1"}
	assert.Error(t, srv.RebindTLS(taken), "a taken port")
	assert.Equal(t, old, srv.TLSAddr().String(), "the old port stays")
	_ = ln.Close()
	require.NoError(t, srv.RebindTLS(taken))
	c := redis.NewClient(&redis.Options{Addr: srv.TLSAddr().String(), TLSConfig: clientTLS(t, f, false)})
	defer c.Close()
	assert.Equal(t, fmt.Sprintf("127.0.0.1:%d", taken), srv.TLSAddr().String())
	assert.Equal(t, "PONG", c.Ping(context.Background()).Val())
	_, err = net.Dial("tcp", old)
	assert.Error(t, err, "the old port is closed")
	require.NoError(t, srv.RebindTLS(0))
	assert.Nil(t, srv.TLSAddr())
}

// TestTLSRedisCli: Debian's redis-cli, built with TLS, talks to the TLS
// port with the test certificates.
func TestTLSRedisCli(t *testing.T) {
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli not installed")
	}
	srv, f, _ := startTLS(t, nil)
	port := fmt.Sprint(srv.TLSAddr().(*net.TCPAddr).Port)
	cli := func(args ...string) string {
		base := []string{"-h", "127.0.0.1", "-p", port, "--tls", "--cacert", f.CA, "--cert", f.ClientCert, "--key", f.ClientKey}
		out, err := exec.Command("redis-cli", append(base, args...)...).CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	assert.Equal(t, "OK\n", cli("SET", "greeting", "hello"))
	assert.Equal(t, "hello\n", cli("GET", "greeting"))
	assert.Equal(t, "tls-port\n0\n", cli("CONFIG", "GET", "tls-port"))
	// Without the CA, redis-cli refuses the server's certificate.
	out, _ := exec.Command("redis-cli", "-p", port, "--tls", "--cacert", f.OtherCA, "--cert", f.ClientCert, "--key", f.ClientKey, "PING").CombinedOutput()
	assert.Contains(t, string(out), "certificate verify failed")
}

// TestHTTPSAndWSS: with UseTLS the HTTP side serves the playground over
// https:// and the bridge over wss:// with the same certificate, and
// tls-auth-clients applies there too.
func TestHTTPSAndWSS(t *testing.T) {
	srv, f, _ := startTLS(t, map[string]string{"tls-auth-clients": "optional"})
	web := NewHTTP(srv, "127.0.0.1:0", WSOptions{})
	web.UseTLS()
	require.NoError(t, web.Listen())
	go func() { _ = web.Serve() }()
	t.Cleanup(func() { _ = web.Shutdown(context.Background()) })
	host := web.Addr().String()
	httpc := &http.Client{Transport: &http.Transport{TLSClientConfig: clientTLS(t, f, true)}}
	resp, err := httpc.Get("https://" + host + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "<html")
	// Plain HTTP on the same port gets no page.
	if r, err := http.Get("http://" + host + "/"); err == nil {
		assert.Equal(t, http.StatusBadRequest, r.StatusCode)
		r.Body.Close()
	}

	d := websocket.Dialer{TLSClientConfig: clientTLS(t, f, true), HandshakeTimeout: hangGuard}
	h := http.Header{}
	h.Set("Origin", "https://"+host)
	ws, r, err := d.Dial("wss://"+host+"/ws", h)
	require.NoError(t, err)
	if r != nil && r.Body != nil {
		r.Body.Close()
	}
	defer ws.Close()
	require.NoError(t, ws.WriteMessage(websocket.BinaryMessage, []byte("*1\r\n$4\r\nPING\r\n")))
	_ = ws.SetReadDeadline(time.Now().Add(hangGuard))
	_, data, err := ws.ReadMessage()
	require.NoError(t, err)
	assert.Equal(t, "+PONG\r\n", string(data))

	// A server without TLS configured refuses UseTLS at Listen.
	bare := New(engine.New(engine.Options{}), Options{Addr: "127.0.0.1:0"})
	w2 := NewHTTP(bare, "127.0.0.1:0", WSOptions{})
	w2.UseTLS()
	assert.EqualError(t, w2.Listen(), "TLS is not configured (tls-cert-file, tls-key-file)")
}

// TestTLSRawPipelineSplit: commands written one byte per TLS record are
// parsed across records, and a pipeline's replies come in order.
func TestTLSRawPipelineSplit(t *testing.T) {
	srv, f, _ := startTLS(t, nil)
	conn, err := tls.Dial("tcp", srv.TLSAddr().String(), clientTLS(t, f, false))
	require.NoError(t, err)
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(hangGuard))
	req := "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$2\r\n10\r\nINCR a\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n"
	for i := range len(req) {
		_, err := conn.Write([]byte{req[i]})
		require.NoError(t, err)
	}
	br := bufio.NewReader(conn)
	want := "+OK\r\n:11\r\n$2\r\n11\r\n"
	got := make([]byte, len(want))
	_, err = io.ReadFull(br, got)
	require.NoError(t, err)
	assert.Equal(t, want, string(got))
}
