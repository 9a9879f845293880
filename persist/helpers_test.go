package persist

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/stretchr/testify/require"
)

// testEngine is an engine with DEBUG allowed and its dump in dir.
func testEngine(t *testing.T, dir string) (*engine.Engine, *Persister) {
	t.Helper()
	eng := engine.New(engine.Options{Config: map[string]string{"enable-debug-command": "yes", "enable-protected-configs": "yes", "dir": dir}})
	return eng, New(eng, func(level byte, format string, args ...any) { t.Logf(format, args...) })
}

// session runs commands on an engine and returns the raw RESP reply.
type session struct{ s *engine.Session }

func newSession(eng *engine.Engine) *session {
	return &session{eng.NewSession(engine.ClientInfo{Addr: "127.0.0.1:1"})}
}

func (c *session) do(args ...string) string {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	c.s.Exec(b)
	return string(c.s.TakeOutput(nil))
}

// redisServer is a real redis-server on a port of this package's range.
type redisServer struct {
	cmd  *exec.Cmd
	addr string
	dir  string
}

// freeTestPort is a port the system picked free: fixed ports collided
// with other sessions' servers and with outgoing connections on a busy
// machine.
func freeTestPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRedis starts redis-server with its dump in dir (skips when there
// is none on PATH).
func startRedis(t *testing.T, dir, dbfile string) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH (make test installs it)")
	}
	port := freeTestPort(t)
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir,
		"--dbfilename", dbfile, "--enable-debug-command", "yes", "--daemonize", "no", "--logfile", filepath.Join(dir, "redis.log"))
	require.NoError(t, cmd.Start())
	r := &redisServer{cmd: cmd, addr: "127.0.0.1:" + strconv.Itoa(port), dir: dir}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", r.addr); err == nil {
			rc := &redisConn{c: c, r: bufio.NewReader(c)}
			reply := rc.do("PING")
			c.Close()
			if reply == "+PONG\r\n" {
				return r
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server did not start: %s", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *redisServer) conn(t *testing.T) *redisConn {
	c, err := net.Dial("tcp", r.addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return &redisConn{c: c, r: bufio.NewReader(c)}
}

// redisConn sends commands and reads replies as raw RESP.
type redisConn struct {
	c net.Conn
	r *bufio.Reader
}

func encodeCommand(args []string) []byte {
	var b []byte
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

func (rc *redisConn) do(args ...string) string {
	if _, err := rc.c.Write(encodeCommand(args)); err != nil {
		return "-write: " + err.Error()
	}
	var sb strings.Builder
	if err := readReply(rc.r, &sb); err != nil {
		return "-read: " + err.Error()
	}
	return sb.String()
}

// pipeline sends all commands then reads all replies.
func (rc *redisConn) pipeline(cmds [][]string) error {
	go func() {
		w := bufio.NewWriter(rc.c)
		for _, c := range cmds {
			_, _ = w.Write(encodeCommand(c))
		}
		_ = w.Flush()
	}()
	var sb strings.Builder
	for range cmds {
		sb.Reset()
		if err := readReply(rc.r, &sb); err != nil {
			return err
		}
		if strings.HasPrefix(sb.String(), "-") {
			return fmt.Errorf("error reply: %s", sb.String())
		}
	}
	return nil
}

func readReply(r *bufio.Reader, out *strings.Builder) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	out.WriteString(line)
	switch line[0] {
	case '$':
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(r, buf); err != nil {
			return err
		}
		out.Write(buf)
	case '*':
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		for i := 0; i < n; i++ {
			if err := readReply(r, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func ioReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// randomDataset is a command script that builds every type in every
// encoding Redis 7.0 has for it, with deadlines, over several databases.
func randomDataset(seed uint64, keysPerDB int) [][]string {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var cmds [][]string
	val := func() string {
		switch rng.IntN(6) {
		case 0:
			return strconv.Itoa(rng.IntN(1000) - 500)
		case 1:
			return strconv.FormatInt(rng.Int64()-rng.Int64(), 10)
		case 2:
			return strings.Repeat("ab", 10+rng.IntN(100)) // compressible
		case 3:
			b := make([]byte, rng.IntN(80))
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			return string(b)
		case 4:
			return strconv.FormatFloat(rng.Float64()*1000, 'f', -1, 64)
		}
		return "v" + strconv.Itoa(rng.IntN(100000))
	}
	for db := 0; db < 4; db++ {
		cmds = append(cmds, []string{"SELECT", strconv.Itoa(db)})
		for k := 0; k < keysPerDB; k++ {
			key := fmt.Sprintf("k:%d:%d", db, k)
			big := rng.IntN(8) == 0
			n := 1 + rng.IntN(10)
			if big {
				n = 130 + rng.IntN(400)
			}
			switch rng.IntN(6) {
			case 0, 1:
				cmds = append(cmds, []string{"SET", key, val()})
			case 2:
				c := []string{"RPUSH", key}
				for i := 0; i < n; i++ {
					c = append(c, val())
				}
				cmds = append(cmds, c)
			case 3:
				c := []string{"HSET", key}
				for i := 0; i < n; i++ {
					c = append(c, "f"+strconv.Itoa(i), val())
				}
				if rng.IntN(10) == 0 {
					c = append(c, "long", strings.Repeat("x", 100))
				}
				cmds = append(cmds, c)
			case 4:
				c := []string{"SADD", key}
				ints := rng.IntN(2) == 0
				for i := 0; i < n; i++ {
					if ints {
						c = append(c, strconv.FormatInt(rng.Int64N(1<<40)-(1<<39), 10))
					} else {
						c = append(c, val())
					}
				}
				cmds = append(cmds, c)
			case 5:
				c := []string{"ZADD", key}
				for i := 0; i < n; i++ {
					score := strconv.FormatFloat(rng.NormFloat64()*100, 'g', -1, 64)
					switch rng.IntN(20) {
					case 0:
						score = "inf"
					case 1:
						score = "-inf"
					}
					c = append(c, score, "m"+strconv.Itoa(i)+val())
				}
				cmds = append(cmds, c)
			}
			if rng.IntN(3) == 0 {
				cmds = append(cmds, []string{"PEXPIRE", key, strconv.Itoa(3600000 + rng.IntN(1000000))})
			}
		}
	}
	return cmds
}
