package netserver

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/goredis-dev/goredis/engine"
	"github.com/stretchr/testify/require"
)

// TestIORedis runs Node's ioredis client against the server. It needs node
// and npm (the npm registry is reachable from CI); without node it skips.
func TestIORedis(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		dir := ioredisDir(t)
		srv := New(engine.New(engine.Options{}), Options{Addr: "127.0.0.1:0", GoroutinePerPeer: goroutines})
		require.NoError(t, srv.Listen())
		go func() { _ = srv.Serve() }()
		t.Cleanup(func() { _ = srv.Close() })
		p := srv.Addr().(*net.TCPAddr).Port
		cmd := exec.Command("node", "--test", "client.test.mjs")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOREDIS_PORT="+strconv.Itoa(p))
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "ioredis tests:\n%s", out)
	})
}

// ioredisDir is the Node project of the ioredis tests, with ioredis
// installed; it skips without node.
func ioredisDir(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("short mode")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	dir, err := filepath.Abs("testdata/ioredis")
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "ioredis")); err != nil {
		cmd := exec.Command("npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "npm install: %s", out)
	}
	return dir
}

// TestIORedisTLS runs ioredis against the TLS port with certificates made
// by the test.
func TestIORedisTLS(t *testing.T) {
	dir := ioredisDir(t)
	srv, f, _ := startTLS(t, nil)
	cmd := exec.Command("node", "--test", "tls.test.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GOREDIS_TLS_PORT="+strconv.Itoa(srv.TLSAddr().(*net.TCPAddr).Port),
		"GOREDIS_TLS_CA="+f.CA, "GOREDIS_TLS_CERT="+f.ClientCert, "GOREDIS_TLS_KEY="+f.ClientKey)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "ioredis TLS tests:\n%s", out)
}
