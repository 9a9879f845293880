package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/internal/testcerts"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tlsClientConfig trusts the test CA and presents the client certificate.
func tlsClientConfig(t *testing.T, f testcerts.Files) *tls.Config {
	t.Helper()
	ca, err := os.ReadFile(f.CA)
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(ca))
	pair, err := tls.LoadX509KeyPair(f.ClientCert, f.ClientKey)
	require.NoError(t, err)
	return &tls.Config{RootCAs: roots, ServerName: "localhost", Certificates: []tls.Certificate{pair}}
}

// waitUpTLS is waitUp over TLS.
func waitUpTLS(t *testing.T, addr string, f testcerts.Files) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, TLSConfig: tlsClientConfig(t, f), MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := c.Ping(context.Background()).Err()
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("no TLS server on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serverCN is the common name of the certificate the TLS port presents
// to a new connection.
func serverCN(t *testing.T, addr string, f testcerts.Files) string {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, tlsClientConfig(t, f))
	require.NoError(t, err)
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].Subject.CommonName
}

func tlsArgs(f testcerts.Files) []string {
	return []string{"--tls-cert-file", f.ServerCert, "--tls-key-file", f.ServerKey, "--tls-ca-cert-file", f.CA}
}

// TestTLSServer runs the binary with TLS: a start without certificates
// fails as redis-server's does, a TLS-only server (port 0) serves, CONFIG
// SET reloads certificates (a pair in one command) or is refused and
// rolled back, tls-port moves, a replica follows its master over TLS, and
// the HTTP side serves https.
func TestTLSServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	f := testcerts.Write(t)
	ctx := context.Background()

	t.Run("start without certificates", func(t *testing.T) {
		port := freePort(t)
		out, err := exec.Command(bin, "--port", "0", "--tls-port", port, "--http-port", "0").CombinedOutput()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee, "%s", out)
		assert.Equal(t, 1, ee.ExitCode())
		assert.Contains(t, string(out), " # No tls-cert-file configured!\n")
		assert.Contains(t, string(out), " # Failed to configure TLS. Check logs for more info.\n")
		if real, err := exec.LookPath("redis-server"); err == nil {
			rout, _ := exec.Command(real, "--port", "0", "--tls-port", port).CombinedOutput()
			assert.Contains(t, string(rout), " # No tls-cert-file configured!\n")
			assert.Contains(t, string(rout), " # Failed to configure TLS. Check logs for more info.\n")
		}
	})

	t.Run("TLS only, reloads", func(t *testing.T) {
		port := freePort(t)
		addr := "127.0.0.1:" + port
		_, logs := started(t, bin, append([]string{"--port", "0", "--bind", "127.0.0.1", "--tls-port", port, "--save", ""}, tlsArgs(f)...)...)
		c := waitUpTLS(t, addr, f)
		assert.Contains(t, c.Info(ctx, "server").Val(), "tcp_port:"+port+"\r\n")
		assert.Equal(t, "Server-only", serverCN(t, addr, f))

		// A certificate and its key change together in one CONFIG SET.
		assert.EqualError(t, c.ConfigSet(ctx, "tls-cert-file", f.RedisCert).Err(),
			"ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.")
		assert.Equal(t, f.ServerCert, c.ConfigGet(ctx, "tls-cert-file").Val()["tls-cert-file"], "rolled back")
		require.NoError(t, c.Do(ctx, "CONFIG", "SET", "tls-cert-file", f.RedisCert, "tls-key-file", f.RedisKey).Err())
		assert.Equal(t, "Generic-cert", serverCN(t, addr, f), "new connections get the new certificate")
		assert.Equal(t, "PONG", c.Ping(ctx).Val(), "connected clients stay")

		// A refused value of one option rolls back every option of the
		// command, and the log says why, as Redis's.
		err := c.Do(ctx, "CONFIG", "SET", "maxmemory-samples", "9", "tls-protocols", "TLSv1.2 SSLv3").Err()
		assert.EqualError(t, err, "ERR CONFIG SET failed (possibly related to argument 'tls-protocols') - Unable to update TLS configuration. Check server logs.")
		assert.Equal(t, "5", c.ConfigGet(ctx, "maxmemory-samples").Val()["maxmemory-samples"])
		waitLog(t, logs, "# Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.")
		waitLog(t, logs, "# Failed applying new configuration. Possibly related to new tls-protocols setting. Restoring previous settings.")

		// tls-port moves; port brings the plain port back.
		newPort, plainPort := freePort(t), freePort(t)
		require.NoError(t, c.ConfigSet(ctx, "tls-port", newPort).Err())
		n := waitUpTLS(t, "127.0.0.1:"+newPort, f)
		require.NoError(t, n.ConfigSet(ctx, "port", plainPort).Err())
		assert.Equal(t, "PONG", waitUp(t, "tcp", "127.0.0.1:"+plainPort).Ping(ctx).Val())
	})

	t.Run("replication over TLS", func(t *testing.T) {
		mport, rport := freePort(t), freePort(t)
		started(t, bin, append([]string{"--port", "0", "--bind", "127.0.0.1", "--tls-port", mport, "--save", "", "--tls-replication", "yes", "--repl-diskless-sync-delay", "0"}, tlsArgs(f)...)...)
		// The replica presents its server certificate (no
		// tls-client-cert-file), which has no usage restriction.
		started(t, bin, "--port", "0", "--bind", "127.0.0.1", "--tls-port", rport, "--save", "", "--tls-replication", "yes",
			"--tls-cert-file", f.RedisCert, "--tls-key-file", f.RedisKey, "--tls-ca-cert-file", f.CA)
		m := waitUpTLS(t, "127.0.0.1:"+mport, f)
		r := waitUpTLS(t, "127.0.0.1:"+rport, f)
		require.NoError(t, m.Set(ctx, "before", "sync", 0).Err())
		require.NoError(t, r.Do(ctx, "REPLICAOF", "127.0.0.1", mport).Err())
		require.Eventually(t, func() bool {
			return strings.Contains(r.Info(ctx, "replication").Val(), "master_link_status:up")
		}, 20*time.Second, 20*time.Millisecond)
		require.NoError(t, m.Set(ctx, "after", "stream", 0).Err())
		require.Eventually(t, func() bool { return r.Get(ctx, "after").Val() == "stream" }, 20*time.Second, 10*time.Millisecond)
		assert.Equal(t, "sync", r.Get(ctx, "before").Val())
		// The replica announced its TLS port, as Redis's does with
		// tls-replication.
		assert.Contains(t, m.Info(ctx, "replication").Val(), "port="+rport+",")
	})

	t.Run("https", func(t *testing.T) {
		port, hport := freePort(t), freePort(t)
		started(t, bin, append([]string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--http-port", hport, "--http-tls", "yes", "--tls-auth-clients", "optional"}, tlsArgs(f)...)...)
		cfg := tlsClientConfig(t, f)
		cfg.Certificates = nil // a browser has none
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 20 * time.Second}
		resp, err := hc.Get("https://127.0.0.1:" + hport + "/")
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Contains(t, string(body), "<html")
	})
}

// waitLog waits for a log line containing s.
func waitLog(t *testing.T, logs <-chan string, s string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case line, ok := <-logs:
			if !ok {
				t.Fatalf("log ended before %q", s)
			}
			if strings.Contains(line, s) {
				return
			}
		case <-deadline:
			t.Fatalf("no log line %q", s)
		}
	}
}
