package main

// Tests that GoRedis runs where redis-server runs: its command line, its
// configuration files (Debian's stock redis.conf, a file Redis's CONFIG
// REWRITE wrote), daemonize/pidfile/logfile/unixsocket, CONFIG REWRITE,
// protected mode seen from another host, and systemd's notify socket.

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitUp waits until a server answers PING on addr ("host:port" or a unix
// socket path), or fails the test after a generous bound.
func waitUp(t *testing.T, network, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Network: network, Addr: addr, MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := c.Ping(context.Background()).Err()
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("no server on %s %s: %v", network, addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startProcess runs a server binary in the background, killed at the end.
func startProcess(t *testing.T, bin string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

func realRedis(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	return p
}

// adjustedStockConf is Debian's /etc/redis/redis.conf with only what a
// second server on this machine needs changed: port, foreground, and the
// pid, log and data paths.
func adjustedStockConf(t *testing.T, dir, port string) string {
	t.Helper()
	b, err := os.ReadFile("/etc/redis/redis.conf")
	if err != nil {
		t.Skip("no /etc/redis/redis.conf (Debian's redis-server package)")
	}
	text := string(b)
	for _, r := range []struct{ re, to string }{
		{`(?m)^port .*$`, "port " + port},
		{`(?m)^daemonize .*$`, "daemonize no"},
		{`(?m)^pidfile .*$`, "pidfile " + filepath.Join(dir, "redis-"+port+".pid")},
		{`(?m)^logfile .*$`, "logfile " + filepath.Join(dir, "redis-"+port+".log")},
		{`(?m)^dir .*$`, "dir " + dir},
	} {
		text = regexp.MustCompile(r.re).ReplaceAllString(text, r.to)
	}
	path := filepath.Join(dir, "redis-"+port+".conf")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

// configAll is CONFIG GET * as a map.
func configAll(t *testing.T, c *redis.Client) map[string]string {
	t.Helper()
	m, err := c.ConfigGet(context.Background(), "*").Result()
	require.NoError(t, err)
	return m
}

// assertSameConfig compares every parameter both servers report, except
// those the test set differently on purpose.
func assertSameConfig(t *testing.T, want, got map[string]string, differ ...string) {
	t.Helper()
	skip := map[string]bool{}
	for _, d := range differ {
		skip[d] = true
	}
	shared := 0
	for name, w := range want {
		g, ok := got[name]
		if !ok || skip[name] {
			continue
		}
		shared++
		assert.Equal(t, w, g, "CONFIG GET %s", name)
	}
	assert.Greater(t, shared, 150, "most parameters are shared")
}

// TestVersionHelpTestMemory: -v, -h and --test-memory as redis-server
// answers them (exit codes, the v= field scripts read).
func TestVersionHelpTestMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, flag := range []string{"-v", "--version"} {
		out, err := exec.Command(bin, flag).Output()
		require.NoError(t, err)
		assert.Regexp(t, `^GoRedis server v=7\.0\.15 sha=[0-9a-f]{8}:[01] malloc=go\S+ bits=64 build=[0-9a-f]+ goredis=\S+\n$`, string(out))
		assert.Equal(t, "v=7.0.15", strings.Fields(string(out))[2], "the third field, as redis-server's")
	}
	for _, flag := range []string{"-h", "--help"} {
		cmd := exec.Command(bin, flag)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee)
		assert.Equal(t, 1, ee.ExitCode())
		assert.Contains(t, string(out), "Usage: ./goredis [/path/to/redis.conf] [options] [-]")
	}
	out, err := exec.Command(bin, "--test-memory", "64").CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Contains(t, string(out), "GoRedis does not include redis-server's memory tester")
	out, _ = exec.Command(bin, "--test-memory").CombinedOutput()
	assert.Equal(t, "Please specify the amount of memory to test in megabytes.\nExample: ./redis-server --test-memory 4096\n\n", string(out))
}

// TestStockRedisConf: Debian's redis.conf starts GoRedis with the same
// effective configuration as redis-server.
func TestStockRedisConf(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	real := realRedis(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	rport, gport := freePort(t), freePort(t)
	startProcess(t, real, adjustedStockConf(t, dir, rport))
	startProcess(t, bin, adjustedStockConf(t, dir, gport), "--http-port", "0")
	want := configAll(t, waitUp(t, "tcp", "127.0.0.1:"+rport))
	got := configAll(t, waitUp(t, "tcp", "127.0.0.1:"+gport))
	assertSameConfig(t, want, got, "port", "pidfile", "logfile")
	// The log went to the file, in Redis's line format.
	logText, err := os.ReadFile(filepath.Join(dir, "redis-"+gport+".log"))
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^\d+:M \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} \* Ready to accept connections$`, string(logText))
	pid, err := os.ReadFile(filepath.Join(dir, "redis-"+gport+".pid"))
	require.NoError(t, err)
	assert.Regexp(t, `^\d+\n$`, string(pid))
}

// TestFileRewrittenByRedis: a file Redis 7.0's CONFIG REWRITE wrote (with
// its "user default on nopass ~* &* +@all" line) starts GoRedis with the
// same configuration, and GoRedis's own CONFIG REWRITE of that file
// writes what Redis's writes.
func TestFileRewrittenByRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	real := realRedis(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	port := freePort(t)
	conf := adjustedStockConf(t, dir, port)
	srv := startProcess(t, real, conf)
	c := waitUp(t, "tcp", "127.0.0.1:"+port)
	ctx := context.Background()
	for _, kv := range [][2]string{
		{"maxmemory-samples", "7"}, {"save", "100 10 20 30"}, {"notify-keyspace-events", "KEA"},
		{"client-output-buffer-limit", "pubsub 1mb 2mb 30"}, {"hash-max-listpack-entries", "64"},
		{"timeout", "300"}, {"loglevel", "verbose"},
	} {
		require.NoError(t, c.ConfigSet(ctx, kv[0], kv[1]).Err())
	}
	require.NoError(t, c.ConfigRewrite(ctx).Err())
	want := configAll(t, c)
	require.NoError(t, srv.Process.Kill())
	_, _ = srv.Process.Wait()
	rewritten, err := os.ReadFile(conf)
	require.NoError(t, err)
	require.Contains(t, string(rewritten), "\nuser default on nopass ~* &* +@all\n")

	// The same file for each server, apart from the port.
	confR, confG := filepath.Join(dir, "r.conf"), filepath.Join(dir, "g.conf")
	rport, gport := freePort(t), freePort(t)
	portLine := regexp.MustCompile(`(?m)^port .*$`)
	require.NoError(t, os.WriteFile(confR, []byte(portLine.ReplaceAllString(string(rewritten), "port "+rport)), 0o644))
	require.NoError(t, os.WriteFile(confG, []byte(portLine.ReplaceAllString(string(rewritten), "port "+gport)), 0o644))
	startProcess(t, bin, confG, "--http-port", "0")
	g := waitUp(t, "tcp", "127.0.0.1:"+gport)
	assertSameConfig(t, want, configAll(t, g), "port")

	// Both rewrite their copy after the same change: the same text.
	startProcess(t, real, confR)
	r := waitUp(t, "tcp", "127.0.0.1:"+rport)
	for _, cl := range []*redis.Client{r, g} {
		require.NoError(t, cl.ConfigSet(ctx, "proto-max-bulk-len", "1gb").Err())
		require.NoError(t, cl.ConfigSet(ctx, "save", "").Err())
		require.NoError(t, cl.ConfigRewrite(ctx).Err())
	}
	br, _ := os.ReadFile(confR)
	bg, _ := os.ReadFile(confG)
	assert.Equal(t, strings.Replace(string(br), "port "+rport, "port "+gport, 1), string(bg))
}

// TestConfigRewriteKeepsComments: CONFIG REWRITE updates the file in
// place as Redis does: comments and order stay, changed values replace
// their lines, new ones follow the "# Generated by CONFIG REWRITE" line.
func TestConfigRewriteKeepsComments(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	port := freePort(t)
	conf := filepath.Join(dir, "redis.conf")
	require.NoError(t, os.WriteFile(conf, []byte("# Our cache\nport "+port+"\n\n# memory\nproto-max-bulk-len 10mb\n# eviction\nmaxmemory-policy noeviction\nsave 60 1\nsave 900 1\nrename-command FLUSHALL \"\"\n"), 0o644))
	startProcess(t, bin, conf, "--http-port", "0")
	c := waitUp(t, "tcp", "127.0.0.1:"+port)
	ctx := context.Background()
	require.NoError(t, c.ConfigSet(ctx, "maxmemory-policy", "allkeys-lru").Err())
	require.NoError(t, c.ConfigSet(ctx, "proto-max-bulk-len", "512mb").Err())
	require.NoError(t, c.ConfigSet(ctx, "save", "300 5").Err())
	require.NoError(t, c.ConfigSet(ctx, "timeout", "30").Err())
	require.NoError(t, c.ConfigRewrite(ctx).Err())
	b, err := os.ReadFile(conf)
	require.NoError(t, err)
	text := string(b)
	assert.True(t, strings.HasPrefix(text, "# Our cache\nport "+port+"\n\n# memory\nproto-max-bulk-len 512mb\n# eviction\nmaxmemory-policy allkeys-lru\nsave 300 5\n\nrename-command FLUSHALL \"\"\n\n# Generated by CONFIG REWRITE\n"), "%s", text)
	assert.Contains(t, text, "\ntimeout 30\n")
	assert.Contains(t, text, "\nuser default on nopass ~* &* +@all\n")
	assert.Contains(t, text, "\nlatency-tracking-info-percentiles 50 99 99.9\n")
	// The renamed-away command stays gone, and the file still starts the server.
	assert.Error(t, c.FlushAll(ctx).Err())
}

// TestDaemonizePidfileLogfileUnixsocket: daemonize yes returns at once
// with the server running detached; it writes its pid file, logs to its
// log file, serves the unix socket, and removes pid file and socket when
// it shuts down.
func TestDaemonizePidfileLogfileUnixsocket(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	port := freePort(t)
	pidfile, logfile, sock := filepath.Join(dir, "g.pid"), filepath.Join(dir, "g.log"), filepath.Join(dir, "g.sock")
	conf := filepath.Join(dir, "g.conf")
	require.NoError(t, os.WriteFile(conf, []byte("daemonize yes\nport "+port+"\npidfile "+pidfile+"\nlogfile "+logfile+
		"\nunixsocket "+sock+"\nunixsocketperm 700\nloglevel verbose\ndir "+dir+"\n"), 0o644))
	// A relative config path, as the daemon starts again from here.
	cmd := exec.Command(bin, "g.conf", "--http-port", "0")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Empty(t, string(out), "the parent prints nothing")

	pidText, err := os.ReadFile(pidfile)
	require.NoError(t, err, "the pid file exists once the parent returned")
	pid, err := strconv.Atoi(strings.TrimSpace(string(pidText)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	assert.NoError(t, syscall.Kill(pid, 0), "the daemon runs")
	sid, err := syscall.Getpgid(pid)
	require.NoError(t, err)
	assert.Equal(t, pid, sid, "the daemon leads its own process group (a new session)")

	st, err := os.Stat(sock)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSocket|0o700, st.Mode()&(os.ModeSocket|os.ModePerm))
	c := waitUp(t, "unix", sock)
	ctx := context.Background()
	require.NoError(t, c.Set(ctx, "k", "v", 0).Err())
	tc := waitUp(t, "tcp", "127.0.0.1:"+port)
	assert.Equal(t, "v", tc.Get(ctx, "k").Val(), "one engine behind both sockets")
	list := c.ClientList(ctx).Val()
	assert.Contains(t, list, "addr="+sock+":0 laddr="+sock+":0")
	assert.Contains(t, list, "flags=U")

	_ = c.Shutdown(ctx).Err()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	assert.Error(t, syscall.Kill(pid, 0), "the daemon exited")
	_, err = os.Stat(pidfile)
	assert.True(t, os.IsNotExist(err), "pid file removed")
	_, err = os.Stat(sock)
	assert.True(t, os.IsNotExist(err), "unix socket removed")
	logText, _ := os.ReadFile(logfile)
	for _, want := range []string{
		"# Configuration loaded",
		"* Ready to accept connections",
		"* The server is now ready to accept connections at " + sock,
		"# User requested shutdown...",
		"* Removing the pid file.",
		"* Removing the unix socket file.",
		"# Redis is now ready to exit, bye bye...",
	} {
		assert.Contains(t, string(logText), want)
	}
}

// TestDaemonizeFailure: a daemon that cannot listen makes the parent
// exit 1.
func TestDaemonizeFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	dir := t.TempDir()
	out, err := exec.Command(bin, "--daemonize", "yes", "--bind", "127.0.0.1", "--port", port, "--http-port", "0",
		"--pidfile", filepath.Join(dir, "p"), "--logfile", filepath.Join(dir, "l")).CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "%s", out)
	logText, _ := os.ReadFile(filepath.Join(dir, "l"))
	assert.Contains(t, string(logText), "# Failed listening on port "+port+" (TCP), aborting.")
}

// TestNotifySocket: supervised systemd sends the status and READY=1 to
// $NOTIFY_SOCKET as Redis does, and STOPPING=1 at shutdown.
func TestNotifySocket(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	sockPath := filepath.Join(t.TempDir(), "notify")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sockPath, Net: "unixgram"})
	require.NoError(t, err)
	defer ln.Close()
	port := freePort(t)
	cmd := exec.Command(bin, "--port", port, "--supervised", "systemd", "--http-port", "0")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sockPath)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var got []string
	buf := make([]byte, 4096)
	_ = ln.SetReadDeadline(time.Now().Add(20 * time.Second))
	for len(got) < 3 {
		n, err := ln.Read(buf)
		require.NoError(t, err, "datagrams so far: %q", got)
		got = append(got, string(buf[:n]))
	}
	assert.Equal(t, []string{"STATUS=Redis is loading...\n", "STATUS=Ready to accept connections\n", "READY=1\n"}, got)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	n, err := ln.Read(buf)
	require.NoError(t, err)
	assert.Equal(t, "STOPPING=1\n", string(buf[:n]))
}

// TestNotifySocketReplica: a replica (replicaof in its configuration)
// tells systemd it is ready in read-only mode, waiting for its master, as
// Redis does.
func TestNotifySocketReplica(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	sockPath := filepath.Join(t.TempDir(), "notify")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sockPath, Net: "unixgram"})
	require.NoError(t, err)
	defer ln.Close()
	// The master's port is closed: the replica keeps trying meanwhile.
	cmd := exec.Command(bin, "--port", freePort(t), "--supervised", "systemd", "--http-port", "0",
		"--replicaof", "127.0.0.1", freePort(t), "--dir", t.TempDir())
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sockPath)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var got []string
	buf := make([]byte, 4096)
	_ = ln.SetReadDeadline(time.Now().Add(20 * time.Second))
	for len(got) < 3 {
		n, err := ln.Read(buf)
		require.NoError(t, err, "datagrams so far: %q", got)
		got = append(got, string(buf[:n]))
	}
	assert.Equal(t, []string{"STATUS=Redis is loading...\n",
		"STATUS=Ready to accept connections in read-only mode. Waiting for MASTER <-> REPLICA sync\n",
		"READY=1\n"}, got)
}

// TestNotifySocketFinalSave: with save points, a SIGTERM and a SHUTDOWN
// both send STOPPING=1, then "STATUS=Saving the final RDB snapshot", in
// that order, as redis-server 7.0.15 does (checked with the same
// listener).
func TestNotifySocketFinalSave(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, how := range []string{"SIGTERM", "SHUTDOWN"} {
		t.Run(how, func(t *testing.T) {
			sockPath := filepath.Join(t.TempDir(), "notify")
			ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sockPath, Net: "unixgram"})
			require.NoError(t, err)
			defer ln.Close()
			port := freePort(t)
			cmd := exec.Command(bin, "--port", port, "--supervised", "systemd", "--http-port", "0",
				"--save", "3600 1", "--dir", t.TempDir())
			cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sockPath)
			require.NoError(t, cmd.Start())
			t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			read := func(n int) []string {
				var got []string
				buf := make([]byte, 4096)
				_ = ln.SetReadDeadline(time.Now().Add(20 * time.Second))
				for len(got) < n {
					k, err := ln.Read(buf)
					require.NoError(t, err, "datagrams so far: %q", got)
					got = append(got, string(buf[:k]))
				}
				return got
			}
			read(3) // loading, ready, READY=1
			if how == "SIGTERM" {
				require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			} else {
				c := waitUp(t, "tcp", "127.0.0.1:"+port)
				_ = c.Shutdown(context.Background()).Err() // no reply: the server exits
			}
			assert.Equal(t, []string{"STOPPING=1\n", "STATUS=Saving the final RDB snapshot\n"}, read(2))
			require.NoError(t, cmd.Wait())
		})
	}
}

// TestConfigFromStdinIncludeRename: "-" reads the configuration from
// standard input; include reads globs in order; rename-command renames
// and "" removes.
func TestConfigFromStdinIncludeRename(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "conf.d"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "conf.d", "a.conf"), []byte("maxclients 100\nrename-command SET MYSET\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "conf.d", "b.conf"), []byte("maxclients 200\n"), 0o644))
	port := freePort(t)
	cmd := exec.Command(bin, "-", "--http-port", "0")
	cmd.Stdin = strings.NewReader("port " + port + "\ninclude " + filepath.Join(dir, "conf.d", "*.conf") +
		"\ninclude " + filepath.Join(dir, "empty.d", "*.conf") + "\nrename-command CONFIG \"\"\nrename-command DEBUG dbg\n")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
		}
	}()
	c := waitUp(t, "tcp", "127.0.0.1:"+port)
	ctx := context.Background()
	assert.EqualError(t, c.Set(ctx, "k", "v", 0).Err(), "ERR unknown command 'set', with args beginning with: 'k' 'v' ")
	assert.Equal(t, "OK", c.Do(ctx, "myset", "k", "v").Val())
	assert.Equal(t, "v", c.Get(ctx, "k").Val())
	assert.EqualError(t, c.ConfigGet(ctx, "maxclients").Err(), "ERR unknown command 'config', with args beginning with: 'get' 'maxclients' ")
	assert.Contains(t, c.Info(ctx, "clients").Val(), "maxclients:200\r\n", "conf.d/b.conf came after a.conf")
	assert.EqualError(t, c.Do(ctx, "debug", "help").Err(), "ERR unknown command 'debug', with args beginning with: 'help' ")
	assert.ErrorContains(t, c.Do(ctx, "dbg", "help").Err(), "ERR DEBUG command not allowed.", "DEBUG answers as dbg")
}

// TestConfigFileErrorsMatchRedis: include, rename-command and user lines
// that Redis refuses are refused with the same report.
func TestConfigFileErrorsMatchRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	real := realRedis(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	inc := write("inc.conf", "\n\ntimeout abc\n")
	for _, text := range []string{
		"port 0\nrename-command NOSUCH foo\n",
		"port 0\nrename-command GET SET\n",
		"port 0\nrename-command GET\n",
		"port 0\ninclude " + inc + "\n",
		"port 0\nuser\n",
		"port 0\nsentinel monitor x 127.0.0.1 1 1\n",
		"port 0\nmymodule.option\n",
		"port 0\nbind 1 2 3 \"4\nport 1\n",
		"port 0\nlogfile /nonexistent/dir/x.log\n",
	} {
		conf := write("t.conf", text)
		want, werr := exec.Command(real, conf).CombinedOutput()
		got, gerr := exec.Command(bin, conf).CombinedOutput()
		var we, ge *exec.ExitError
		require.ErrorAs(t, werr, &we, "%q: %s", text, want)
		require.ErrorAs(t, gerr, &ge, "%q: %s", text, got)
		assert.Equal(t, string(want), string(got), "%q", text)
	}
}

// TestBindForms: every bind form Redis accepts.
func TestBindForms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	hasV6 := false
	if ln, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		hasV6 = true
		_ = ln.Close()
	}
	for _, tc := range []struct {
		bind  []string
		reach []string // hosts that must answer
	}{
		{[]string{"*", "-::*"}, []string{"127.0.0.1"}},
		{[]string{"127.0.0.1", "-::1"}, []string{"127.0.0.1"}},
		{[]string{"127.0.0.1 -::1"}, []string{"127.0.0.1"}},
		{[]string{"-10.255.255.254", "127.0.0.1"}, []string{"127.0.0.1"}},
		{[]string{"localhost"}, []string{"127.0.0.1"}},
	} {
		port := freePort(t)
		args := append([]string{"--port", port, "--http-port", "0", "--bind"}, tc.bind...)
		cmd, _ := started(t, bin, args...)
		reach := tc.reach
		if hasV6 && (tc.bind[0] == "*" || strings.Contains(strings.Join(tc.bind, " "), "::1")) {
			reach = append(reach, "::1")
		}
		for _, h := range reach {
			c := waitUp(t, "tcp", net.JoinHostPort(h, port))
			assert.Equal(t, "PONG", c.Ping(context.Background()).Val(), "%v via %s", tc.bind, h)
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}
	// An address the machine lacks, alone: nothing to listen on.
	out, err := exec.Command(bin, "--port", freePort(t), "--http-port", "0", "--bind", "10.255.255.254").CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "%s", out)
	assert.Contains(t, string(out), "# Warning: Could not create server TCP listening socket 10.255.255.254:")
	assert.Contains(t, string(out), "# Configured to not listen anywhere, exiting.")
}

// TestRefusedDirectives: what GoRedis cannot do stops it at start with
// Redis's FATAL report naming the line, never a silent start.
func TestRefusedDirectives(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	for _, tc := range []struct{ line, msg string }{
		{"loadmodule /usr/lib/redis/modules/redisearch.so", "GoRedis does not load Redis modules (loadmodule): modules are native code built for redis-server"},
		{"oom-score-adj yes", "GoRedis does not adjust its OOM score (oom-score-adj must be no)"},
		{"server_cpulist 0-3", "GoRedis does not pin threads to CPUs (server_cpulist)"},
		// Redis names the argument at the rule's index among the rules,
		// counted from "user" (so here the name): its words, its quirk.
		{"user alice on badrule", "Error in user declaration 'alice': Syntax error"},
		{"user alice on (~x +get", "Error in user declaration 'alice': Unknown command or category name in ACL"},
		{"sentinel", "GoRedis does not implement Redis Sentinel"},
	} {
		conf := filepath.Join(dir, "r.conf")
		require.NoError(t, os.WriteFile(conf, []byte("# refused\nport 0\n"+tc.line+"\n"), 0o644))
		out, err := exec.Command(bin, conf).CombinedOutput()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee, "%s: %s", tc.line, out)
		assert.Equal(t, 1, ee.ExitCode())
		assert.Equal(t, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> '"+tc.line+"'\n"+tc.msg+"\n", string(out))
	}
	// The default user as Redis writes it, with a password, starts; as
	// in Redis, the user line does not set requirepass.
	port := freePort(t)
	conf := filepath.Join(dir, "u.conf")
	require.NoError(t, os.WriteFile(conf, []byte("port "+port+"\nuser default on >s3cret sanitize-payload ~* &* +@all\n"), 0o644))
	startProcess(t, bin, conf, "--http-port", "0")
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + port, Password: "s3cret"})
	defer c.Close()
	deadline := time.Now().Add(20 * time.Second)
	for c.Ping(context.Background()).Err() != nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	assert.Equal(t, "", c.ConfigGet(context.Background(), "requirepass").Val()["requirepass"])
	assert.Equal(t, "default", c.Do(context.Background(), "ACL", "WHOAMI").Val())
}

// TestLogLevels: loglevel filters lines with Redis's marks and follows
// CONFIG SET.
func TestLogLevels(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	port := freePort(t)
	logfile := filepath.Join(dir, "l.log")
	startProcess(t, bin, "--port", port, "--http-port", "0", "--logfile", logfile, "--loglevel", "warning", "--unixsocket", filepath.Join(dir, "s"))
	c := waitUp(t, "tcp", "127.0.0.1:"+port)
	ctx := context.Background()
	text, _ := os.ReadFile(logfile)
	assert.Contains(t, string(text), " # Server initialized\n")
	assert.NotContains(t, string(text), "Ready to accept connections", "a notice line under loglevel warning")
	require.NoError(t, c.ConfigSet(ctx, "loglevel", "notice").Err())
	_ = c.Shutdown(ctx).Err() // the connection closes without a reply
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(string(text), "bye bye") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		text, _ = os.ReadFile(logfile)
	}
	assert.Regexp(t, `(?m)^\d+:M \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} \* Removing the unix socket file\.$`, string(text), "a notice line after CONFIG SET loglevel notice")
}

// TestConfigSetPortAndBind: CONFIG SET port and bind move the listeners
// at run time as Redis does; a port that cannot be bound fails the whole
// CONFIG SET, every value rolled back and the old port still served.
func TestConfigSetPortAndBind(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	port, newPort := freePort(t), freePort(t)
	startProcess(t, bin, "--port", port, "--bind", "127.0.0.1", "--save", "")
	c := waitUp(t, "tcp", "127.0.0.1:"+port)
	ctx := context.Background()

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	_, takenPort, _ := net.SplitHostPort(taken.Addr().String())
	assert.EqualError(t, c.Do(ctx, "config", "set", "maxmemory-samples", "9", "port", takenPort).Err(),
		"ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.")
	assert.Equal(t, "5", c.ConfigGet(ctx, "maxmemory-samples").Val()["maxmemory-samples"], "rolled back")
	assert.Equal(t, port, c.ConfigGet(ctx, "port").Val()["port"])

	require.NoError(t, c.ConfigSet(ctx, "port", newPort).Err())
	n := waitUp(t, "tcp", "127.0.0.1:"+newPort)
	_, err = net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second)
	assert.Error(t, err, "the old port is closed")
	assert.Equal(t, "PONG", c.Ping(ctx).Val(), "connected clients stay")

	// The same address again (the old socket closes first), with an
	// optional address the machine lacks.
	require.NoError(t, n.ConfigSet(ctx, "bind", "127.0.0.1 -10.255.255.254").Err())
	assert.Equal(t, "PONG", waitUp(t, "tcp", "127.0.0.1:"+newPort).Ping(ctx).Val())
	assert.Equal(t, "127.0.0.1 -10.255.255.254", n.ConfigGet(ctx, "bind").Val()["bind"])
}
