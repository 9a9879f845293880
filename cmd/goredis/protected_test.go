package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// netnsPair is two network namespaces joined by a veth pair, 10.213.7.1
// in the first and 10.213.7.2 in the second: a second host for tests.
type netnsPair struct{ a, b string }

func newNetnsPair(t *testing.T) netnsPair {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("no ip command (iproute2)")
	}
	id := strconv.Itoa(os.Getpid() % 100000)
	p := netnsPair{a: "goredis-a" + id, b: "goredis-b" + id}
	run := func(args ...string) {
		t.Helper()
		out, err := exec.Command("ip", args...).CombinedOutput()
		require.NoError(t, err, "ip %s: %s", strings.Join(args, " "), out)
	}
	run("netns", "add", p.a)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", p.a).Run() })
	run("netns", "add", p.b)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", p.b).Run() })
	run("link", "add", "grva"+id, "netns", p.a, "type", "veth", "peer", "name", "grvb"+id, "netns", p.b)
	run("-n", p.a, "addr", "add", "10.213.7.1/24", "dev", "grva"+id)
	run("-n", p.b, "addr", "add", "10.213.7.2/24", "dev", "grvb"+id)
	for _, ns := range []string{p.a, p.b} {
		run("-n", ns, "link", "set", "lo", "up")
	}
	run("-n", p.a, "link", "set", "grva"+id, "up")
	run("-n", p.b, "link", "set", "grvb"+id, "up")
	return p
}

// exchange connects from inside namespace ns to host:port, sends req and
// returns all the server sent until it closed (bash's /dev/tcp).
func exchange(t *testing.T, ns, host, port, req string) string {
	t.Helper()
	script := fmt.Sprintf(`trap '' PIPE; exec 3<>/dev/tcp/%s/%s || exit 1; printf '%%b' "$REQ" >&3; timeout 5 cat <&3; true`, host, port)
	cmd := exec.Command("ip", "netns", "exec", ns, "bash", "-c", script)
	cmd.Env = append(os.Environ(), "REQ="+strings.ReplaceAll(req, "\r\n", `\r\n`))
	out, err := cmd.Output()
	require.NoError(t, err, "%s", out)
	return string(out)
}

// waitInNs waits until something listens on host:port inside ns.
func waitInNs(t *testing.T, ns, host, port string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		script := fmt.Sprintf(`exec 3<>/dev/tcp/%s/%s`, host, port)
		if exec.Command("ip", "netns", "exec", ns, "bash", "-c", script).Run() == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s:%s in %s", host, port, ns)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestProtectedModeFromAnotherHost: with protected mode on and no
// password, a peer on another address gets Redis's -DENIED text and is
// closed, while loopback is served; CONFIG SET protected-mode no or a
// password lets it in. GoRedis and redis-server answer byte for byte
// alike.
func TestProtectedModeFromAnotherHost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	ns := newNetnsPair(t)
	bin := buildBinary(t)
	servers := map[string]string{"goredis": bin}
	if real, err := exec.LookPath("redis-server"); err == nil {
		servers["redis-server"] = real
	}
	replies := map[string][]string{}
	for name, path := range servers {
		port := "26379"
		args := []string{"netns", "exec", ns.a, path, "--port", port, "--bind", "10.213.7.1", "127.0.0.1", "--save", ""}
		if name == "goredis" {
			args = append(args, "--http-port", "0")
		}
		cmd := exec.Command("ip", args...)
		require.NoError(t, cmd.Start())
		waitInNs(t, ns.a, "127.0.0.1", port)
		var got []string
		got = append(got, exchange(t, ns.b, "10.213.7.1", port, "PING\r\n"))
		got = append(got, exchange(t, ns.a, "127.0.0.1", port, "PING\r\nQUIT\r\n"))
		got = append(got, exchange(t, ns.a, "10.213.7.1", port, "PING\r\nQUIT\r\n"))
		got = append(got, exchange(t, ns.a, "127.0.0.1", port, "CONFIG SET protected-mode no\r\nQUIT\r\n"))
		got = append(got, exchange(t, ns.b, "10.213.7.1", port, "PING\r\nQUIT\r\n"))
		got = append(got, exchange(t, ns.a, "127.0.0.1", port, "CONFIG SET protected-mode yes\r\nCONFIG SET requirepass s3cret\r\nQUIT\r\n"))
		got = append(got, exchange(t, ns.b, "10.213.7.1", port, "PING\r\nAUTH s3cret\r\nPING\r\nQUIT\r\n"))
		got = append(got, exchange(t, ns.b, "10.213.7.1", port, "AUTH s3cret\r\nINFO stats\r\nQUIT\r\n"))
		replies[name] = got
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	g := replies["goredis"]
	assert.Equal(t, protectedModeDeniedText+"\r\n", g[0], "another host is refused")
	assert.Equal(t, "+PONG\r\n+OK\r\n", g[1], "loopback is served")
	assert.Equal(t, protectedModeDeniedText+"\r\n", g[2], "only 127.0.0.1 and ::1 count as local, not the host's own other address")
	assert.Equal(t, "+OK\r\n+OK\r\n", g[3])
	assert.Equal(t, "+PONG\r\n+OK\r\n", g[4], "protected-mode no: served")
	assert.Contains(t, g[6], "-NOAUTH Authentication required.\r\n+OK\r\n+PONG\r\n", "with a password: served after AUTH")
	assert.Contains(t, g[7], "rejected_connections:2\r\n", "both refused peers are counted")
	if r, ok := replies["redis-server"]; ok {
		for i := range 7 {
			assert.Equal(t, r[i], g[i], "exchange %d", i)
		}
	}
}

const protectedModeDeniedText = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."
