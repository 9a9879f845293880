package aof

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
)

// Ports for the real redis-servers these tests start, picked free by the
// system when the package starts: fixed ports collided with other
// sessions' servers and with outgoing connections on a busy machine.
var (
	portRedis  = freeTestPort()
	portRedis2 = freeTestPort()
)

func freeTestPort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRedis runs a real redis-server on port with dir as its working
// directory and the given directives; the test is skipped when there is
// none on PATH.
func startRedis(t *testing.T, port int, dir string, args ...string) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH")
	}
	argv := append([]string{"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--daemonize", "no", "--enable-debug-command", "yes", "--logfile", filepath.Join(dir, "redis.log")}, args...)
	cmd := exec.Command(bin, argv...)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	waitPort(t, port)
	// Redis listens before it has loaded its files: wait for the load.
	rc := dialRESP(t, port)
	for i := 0; i < 500 && !strings.Contains(rc.do("INFO", "persistence"), "\r\nloading:0\r\n"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
}

func waitPort(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nothing listens on port %d", port)
}

// respConn is a minimal RESP client for tests.
type respConn struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

func dialRESP(t *testing.T, port int) *respConn {
	t.Helper()
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return &respConn{t: t, c: c, rd: bufio.NewReader(c)}
}

// do sends a command and returns its reply's first line (enough for
// these tests: they check status, errors and integers).
func (r *respConn) do(args ...string) string {
	r.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	require.NoError(r.t, r.c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err := r.c.Write([]byte(b.String()))
	require.NoError(r.t, err)
	return readReply(r.t, r.rd)
}

// readReply reads one whole reply and returns it as text.
func readReply(t *testing.T, rd *bufio.Reader) string {
	t.Helper()
	line, err := rd.ReadString('\n')
	require.NoError(t, err)
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '$':
		var n int
		fmt.Sscan(line[1:], &n)
		if n < 0 {
			return "(nil)"
		}
		buf := make([]byte, n+2)
		_, err := ioReadFull(rd, buf)
		require.NoError(t, err)
		return string(buf[:n])
	case '*':
		var n int
		fmt.Sscan(line[1:], &n)
		parts := []string{}
		for i := 0; i < n; i++ {
			parts = append(parts, readReply(t, rd))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return line
}

func ioReadFull(rd *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := rd.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// logLines collects log lines.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logf(level byte, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, string(level)+" "+fmt.Sprintf(format, args...))
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// openEngine makes an engine configured by directives (dir set to dir)
// and opens its AOF.
func openEngine(t *testing.T, dir string, conf map[string]string) (*engine.Engine, *AOF, *logLines, error) {
	t.Helper()
	c := map[string]string{"dir": dir, "enable-debug-command": "yes"}
	for k, v := range conf {
		c[k] = v
	}
	e := engine.New(engine.Options{Config: c})
	logs := &logLines{}
	a, _, err := Open(Options{Engine: e, Logf: logs.logf})
	if err == nil {
		e.SetAppendOnlyFile(a)
		t.Cleanup(func() { a.Close() })
	}
	return e, a, logs, err
}

// run executes a command line (space separated) in session s and returns
// its raw reply.
func run(s *engine.Session, line string) string {
	return runArgs(s, strings.Fields(line)...)
}

func runArgs(s *engine.Session, args ...string) string {
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	s.Exec(bs)
	return string(s.TakeOutput(nil))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
