package netserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver/internal/readercases"
	"github.com/goredis-dev/goredis/netserver/resp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The differential harness runs the scripts in testdata/diff/*.txt on a
// real redis-server and on GoRedis and compares the replies byte for byte.
//
// Script syntax, one command per line in redis-cli's quoting:
//
//	SET a 1                     compared byte for byte
//	SMEMBERS s  # unordered     arrays, sets and maps compared as multisets
//	HELLO 3     # mask server version id   values after these keys ignored
//	DEBUG x     # skip-compare  only the reply type must match
//	SUBSCRIBE a b  # replies 2  the command gives 2 replies
//	@2 PUBLISH a hi             run on the script's second connection
//	!read                       read one more reply (a push) on connection 1
//	@2 !read                    ... on connection 2
//	!sleep 150                  wait 150 ms (expiry)
//	# comment
//
// A command GoRedis does not know fails the test with a clear message.
// GOREDIS_DIFF_SELFCHECK=1 runs the scripts on two real redis-servers,
// to check a new script is deterministic.

// startRedis runs a real redis-server on a free port for the test; extra
// holds more "--name value" arguments.
func startRedis(t *testing.T, extra ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed (apt-get install redis-server): differential test skipped")
	}
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	args := []string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--logfile", "", "--loglevel", "warning",
		"--dir", t.TempDir()} // DEBUG RELOAD writes a dump file
	cmd := exec.Command(bin, append(args, extra...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	waitListening(t, addr)
	return addr
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startGoredis serves a fresh engine on a random port; conf holds startup
// configuration directives for the engine.
func startGoredis(t *testing.T, opts Options, conf ...map[string]string) (*Server, string) {
	t.Helper()
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	var srv *Server
	eo := engine.Options{
		LogAt: func(level byte, line string) { srv.Logf(level, "%s", line) },
	}
	if len(conf) > 0 {
		eo.Config = conf[0]
	}
	srv = New(engine.New(eo), opts)
	require.NoError(t, srv.Listen())
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, srv.Addr().String()
}

// diffConn is one client connection to one server.
type diffConn struct {
	c  net.Conn
	br *bufio.Reader
}

func dialDiff(t *testing.T, addr string) *diffConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return &diffConn{c: c, br: bufio.NewReader(c)}
}

func (d *diffConn) send(args [][]byte) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n", len(a))
		b.Write(a)
		b.WriteString("\r\n")
	}
	_, err := d.c.Write(b.Bytes())
	return err
}

func (d *diffConn) read() (reply, error) {
	_ = d.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	return readReply(d.br)
}

// scriptLine is one parsed line of a script.
type scriptLine struct {
	no        int
	text      string
	conn      int // 0 or 1
	args      [][]byte
	read      bool
	sleep     time.Duration
	unordered bool
	skip      bool
	mask      []string
	replies   int
}

func parseScript(t *testing.T, name string, data []byte) []scriptLine {
	t.Helper()
	var out []scriptLine
	for i, text := range strings.Split(string(data), "\n") {
		text = strings.TrimSpace(text)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		sl := scriptLine{no: i + 1, text: text, replies: 1}
		if j := strings.LastIndex(text, " # "); j >= 0 {
			for _, m := range strings.Split(text[j+3:], ",") {
				f := strings.Fields(m)
				if len(f) == 0 {
					continue
				}
				switch f[0] {
				case "unordered":
					sl.unordered = true
				case "skip-compare":
					sl.skip = true
				case "mask":
					sl.mask = append(sl.mask, f[1:]...)
				case "replies":
					n, err := strconv.Atoi(f[1])
					require.NoError(t, err, "%s:%d", name, sl.no)
					sl.replies = n
				default:
					t.Fatalf("%s:%d: unknown marker %q", name, sl.no, f[0])
				}
			}
			text = strings.TrimSpace(text[:j])
		}
		if strings.HasPrefix(text, "@2 ") {
			sl.conn = 1
			text = strings.TrimSpace(text[3:])
		}
		switch {
		case text == "!read":
			sl.read = true
		case strings.HasPrefix(text, "!sleep "):
			ms, err := strconv.Atoi(strings.TrimSpace(text[7:]))
			require.NoError(t, err, "%s:%d", name, sl.no)
			sl.sleep = time.Duration(ms) * time.Millisecond
		default:
			fields, ok := resp.SplitArgs(text)
			require.True(t, ok, "%s:%d: unbalanced quotes", name, sl.no)
			args := make([][]byte, len(fields))
			for k, a := range fields {
				args[k] = []byte(a)
			}
			sl.args = args
		}
		out = append(out, sl)
	}
	return out
}

// runScript runs one script on both servers and reports every difference.
func runScript(t *testing.T, name string, lines []scriptLine, redisAddr, goAddr string) {
	var real, ours [2]*diffConn
	for i := range 2 {
		real[i], ours[i] = dialDiff(t, redisAddr), dialDiff(t, goAddr)
	}
	for _, d := range []*diffConn{real[0], ours[0]} {
		require.NoError(t, d.send([][]byte{[]byte("FLUSHALL")}))
		_, err := d.read()
		require.NoError(t, err)
	}
	for _, sl := range lines {
		where := fmt.Sprintf("%s:%d: %s", name, sl.no, sl.text)
		if sl.sleep > 0 {
			time.Sleep(sl.sleep)
			continue
		}
		r, o := real[sl.conn], ours[sl.conn]
		if !sl.read {
			require.NoError(t, r.send(sl.args), where)
			require.NoError(t, o.send(sl.args), where)
		}
		for range sl.replies {
			want, err := r.read()
			require.NoError(t, err, "%s: redis-server gave no reply", where)
			got, err := o.read()
			if err != nil {
				t.Fatalf("%s: goredis gave no reply (%v); redis-server said %q", where, err, want.raw)
			}
			if got.typ == '-' && strings.HasPrefix(got.line, "ERR unknown command") &&
				!(want.typ == '-' && strings.HasPrefix(want.line, "ERR unknown command")) {
				t.Errorf("%s: goredis does not implement this command yet (%s); redis-server said %q",
					where, got.line, want.raw)
				if sl.replies > 1 {
					t.Errorf("%s: script stopped: the conversation cannot go on", where)
					return
				}
				continue
			}
			switch {
			case sl.skip:
				if got.typ != want.typ {
					t.Errorf("%s: reply type %q, redis-server %q\n got: %q\nwant: %q", where, got.typ, want.typ, got.raw, want.raw)
				}
			case sl.unordered || sl.mask != nil:
				if sl.mask != nil {
					want, got = want.mask(sl.mask), got.mask(sl.mask)
				}
				if w, g := want.canon(sl.unordered), got.canon(sl.unordered); w != g {
					t.Errorf("%s:\n got: %s\nwant: %s", where, g, w)
				}
			default:
				if !bytes.Equal(want.raw, got.raw) {
					t.Errorf("%s:\n got: %q\nwant: %q", where, got.raw, want.raw)
				}
			}
		}
	}
}

// TestDiffScripts runs every script in testdata/diff on both servers.
func TestDiffScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/diff/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	// DEBUG is allowed on both, for the scripts that use it.
	redisAddr := startRedis(t, "--enable-debug-command", "yes")
	var goAddr string
	if os.Getenv("GOREDIS_DIFF_SELFCHECK") != "" {
		// script authors: run the scripts on two real servers to prove
		// they are deterministic before blaming GoRedis
		goAddr = startRedis(t, "--enable-debug-command", "yes")
	} else {
		_, goAddr = startGoredis(t, Options{}, map[string]string{"enable-debug-command": "yes"})
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			runScript(t, name, parseScript(t, name, data), redisAddr, goAddr)
		})
	}
}

// rawExchange sends in on a fresh connection and returns what came back
// and whether the server closed the connection.
func rawExchange(addr string, in []byte, wait time.Duration) ([]byte, bool, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, false, err
	}
	defer c.Close()
	if _, err := c.Write(in); err != nil {
		return nil, false, err
	}
	// wait is an idle time: every read that brings bytes extends it, so a
	// server slowed by a loaded machine is not cut off mid-reply or just
	// before it closes.
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		_ = c.SetReadDeadline(time.Now().Add(wait))
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return out, false, nil
		}
		// EOF or a reset both mean the server closed the connection
		return out, true, nil
	}
}

// TestDiffProtocolErrors sends the Reader's table cases (and more) as raw
// bytes to both servers: the same replies, and the same decision to close.
func TestDiffProtocolErrors(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		redisAddr := startRedis(t)
		_, goAddr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		inputs := []string{
			"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nHOST:\r\n",
			"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPOST\r\n*1\r\n$4\r\nPING\r\n",
			"PING\r\nPOST / HTTP/1.1\r\n",
			"PING\r\nHost: example.com\r\n",
			"PING\r\nQUIT\r\nPING\r\n",
			"*1\r\n$5\r\nPING\r\nx",
			"MULTI\r\nPOST\r\n",
			// limits are checked between 16 KB reads, as Redis reads
			"ECHO " + strings.Repeat("a", 70000) + "\r\n",
			"ECHO " + strings.Repeat("a", 100000) + "\r\n",
			"*2\r\n$4\r\nECHO\r\n$" + strings.Repeat("1", 70000) + "\r\n",
		}
		for _, tc := range readercases.Cases() {
			inputs = append(inputs, tc.In)
		}
		diffRaw(t, redisAddr, goAddr, inputs)
	})
}

// TestDiffAuthLimits: before AUTH, Redis allows at most 10 arguments of
// at most 16384 bytes.
func TestDiffAuthLimits(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		redisAddr := startRedis(t, "--requirepass", "pw")
		_, goAddr := startGoredis(t, Options{GoroutinePerPeer: goroutines}, map[string]string{"requirepass": "pw"})
		diffRaw(t, redisAddr, goAddr, []string{
			"*10\r\n",
			"*11\r\n",
			"*1\r\n$16384\r\n",
			"*10\r\n$16385\r\n",
			"*1\r\n$4\r\nPING\r\n",
			"AUTH wrong\r\n*11\r\n",
			"AUTH pw\r\n*11\r\n$4\r\nECHO\r\n$1\r\nx\r\n",
			"AUTH pw\r\n*2\r\n$4\r\nECHO\r\n$16385\r\n" + strings.Repeat("y", 16385) + "\r\n",
			"PING\r\nAUTH pw\r\nPING\r\n",
		})
	})
}

// diffRaw sends each input on fresh connections to both servers (all at
// once) and compares what comes back and whether the server closed.
func diffRaw(t *testing.T, redisAddr, goAddr string, inputs []string) {
	t.Helper()
	var wg sync.WaitGroup
	type result struct {
		out    []byte
		closed bool
		err    error
	}
	res := make([][2]result, len(inputs))
	for i, in := range inputs {
		for j, addr := range []string{redisAddr, goAddr} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, closed, err := rawExchange(addr, []byte(in), time.Second)
				res[i][j] = result{out, closed, err}
			}()
		}
	}
	wg.Wait()
	for i, in := range inputs {
		want, got := res[i][0], res[i][1]
		require.NoError(t, want.err)
		require.NoError(t, got.err)
		short := in
		if len(short) > 60 {
			short = short[:60] + "..."
		}
		if !bytes.Equal(want.out, got.out) || want.closed != got.closed {
			t.Errorf("input %q:\n got: %q closed=%v\nwant: %q closed=%v", short, got.out, got.closed, want.out, want.closed)
		}
	}
}

// testLogger sends the server's log lines to the test log.
func testLogger(t *testing.T) *log.Logger {
	return log.New(testWriter{t}, "", 0)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestDiffMaxClients: the client over maxclients gets Redis's error and
// is closed.
func TestDiffMaxClients(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		redisAddr := startRedis(t, "--maxclients", "2")
		_, goAddr := startGoredis(t, Options{GoroutinePerPeer: goroutines, MaxClients: 2})
		var third [2][]byte
		for i, addr := range []string{redisAddr, goAddr} {
			for range 2 {
				d := dialDiff(t, addr)
				require.NoError(t, d.send([][]byte{[]byte("PING")}))
				_, err := d.read()
				require.NoError(t, err)
			}
			out, closed, err := rawExchange(addr, []byte("PING\r\n"), 2*time.Second)
			require.NoError(t, err)
			require.True(t, closed, addr)
			third[i] = out
		}
		require.Equal(t, string(third[0]), string(third[1]))
	})
}

// TestDiffCommandInfo: COMMAND INFO of every command and subcommand both
// servers know (under RESP2 and RESP3) gives the same facts as Redis 7.0:
// arity, flags, key positions, ACL categories, tips and key specs. Sets
// are compared as multisets (Redis prints them in hash order); a
// container's subcommands are compared one by one, since GoRedis has not
// all of them (and has two that came in 7.2).
func TestDiffCommandInfo(t *testing.T) {
	redisAddr := startRedis(t)
	_, goAddr := startGoredis(t, Options{})
	for _, proto := range []string{"2", "3"} {
		r, g := dialDiff(t, redisAddr), dialDiff(t, goAddr)
		ask := func(d *diffConn, args ...string) reply {
			bs := make([][]byte, len(args))
			for i, a := range args {
				bs[i] = []byte(a)
			}
			require.NoError(t, d.send(bs))
			rep, err := d.read()
			require.NoError(t, err)
			return rep
		}
		ask(r, "HELLO", proto)
		ask(g, "HELLO", proto)
		var names []string
		for _, n := range ask(g, "COMMAND", "LIST").elems {
			names = append(names, n.line)
			info := ask(g, "COMMAND", "INFO", n.line).elems[0]
			for _, sub := range info.elems[9].elems {
				names = append(names, sub.elems[0].line)
			}
		}
		compared := 0
		for _, name := range names {
			want, got := ask(r, "COMMAND", "INFO", name), ask(g, "COMMAND", "INFO", name)
			if len(want.elems) != 1 || len(want.elems[0].elems) < 10 {
				continue // not in Redis 7.0 (CLIENT NO-TOUCH, CLIENT SETINFO)
			}
			w, gt := want.elems[0], got.elems[0]
			if !assert.Len(t, gt.elems, 10, "COMMAND INFO %s", name) {
				continue
			}
			w.elems, gt.elems = w.elems[:9], gt.elems[:9] // subcommands apart
			if wc, gc := w.canon(true), gt.canon(true); wc != gc {
				t.Errorf("RESP%s COMMAND INFO %s:\n redis:   %s\n goredis: %s", proto, name, wc, gc)
			}
			compared++
		}
		require.Greater(t, compared, 200)
	}
}
