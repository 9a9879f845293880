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
