package netserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func goRedisClient(t *testing.T, addr string, proto int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestGoRedisClient drives the server through go-redis v9 in RESP3 (its
// default: it sends HELLO 3) and in RESP2.
func TestGoRedisClient(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		for _, proto := range []int{3, 2} {
			t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
				ctx := context.Background()
				c := goRedisClient(t, addr, proto)
				require.NoError(t, c.FlushAll(ctx).Err())

				assert.Equal(t, "PONG", c.Ping(ctx).Val())
				assert.Equal(t, "hi", c.Echo(ctx, "hi").Val())
				require.NoError(t, c.Set(ctx, "k", "v", 0).Err())
				assert.Equal(t, "v", c.Get(ctx, "k").Val())
				_, err := c.Get(ctx, "missing").Result()
				assert.ErrorIs(t, err, redis.Nil)
				assert.Equal(t, int64(1), c.Exists(ctx, "k", "missing").Val())
				assert.Equal(t, int64(1), c.DBSize(ctx).Val())
				ok, err := c.SetNX(ctx, "k", "x", 0).Result()
				require.NoError(t, err)
				assert.False(t, ok)
				assert.Equal(t, int64(1), c.Del(ctx, "k", "missing").Val())

				binary := "a\r\nb\x00c\xff"
				require.NoError(t, c.Set(ctx, "bin", binary, 0).Err())
				assert.Equal(t, binary, c.Get(ctx, "bin").Val())
				big := strings.Repeat("x", 3<<20)
				require.NoError(t, c.Set(ctx, "big", big, 0).Err())
				assert.Equal(t, big, c.Get(ctx, "big").Val())

				err = c.Do(ctx, "NOSUCHCMD", "a").Err()
				require.Error(t, err)
				assert.Equal(t, "ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' ", err.Error())
				err = c.Do(ctx, "GET").Err()
				assert.EqualError(t, err, "ERR wrong number of arguments for 'get' command")

				// pipeline: replies in order
				cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
					for i := range 50 {
						p.Set(ctx, fmt.Sprint("p", i), i, 0)
						p.Get(ctx, fmt.Sprint("p", i))
					}
					return nil
				})
				require.NoError(t, err)
				require.Len(t, cmds, 100)
				for i := range 50 {
					assert.Equal(t, fmt.Sprint(i), cmds[2*i+1].(*redis.StringCmd).Val())
				}

				// MULTI/EXEC
				cmds, err = c.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.Set(ctx, "tx", "1", 0)
					p.Get(ctx, "tx")
					return nil
				})
				require.NoError(t, err)
				assert.Equal(t, "1", cmds[1].(*redis.StringCmd).Val())

				// WATCH: a change by another client aborts the transaction
				other := goRedisClient(t, addr, proto)
				err = c.Watch(ctx, func(tx *redis.Tx) error {
					require.NoError(t, other.Set(ctx, "tx", "2", 0).Err())
					_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
						p.Set(ctx, "tx", "3", 0)
						return nil
					})
					return err
				}, "tx")
				assert.ErrorIs(t, err, redis.TxFailedErr)
				assert.Equal(t, "2", c.Get(ctx, "tx").Val())

				// SELECT through the DB option
				c1 := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DB: 1})
				defer c1.Close()
				require.NoError(t, c1.Set(ctx, "indb1", "v", 0).Err())
				assert.Equal(t, int64(0), c.Exists(ctx, "indb1").Val())
				assert.Equal(t, "v", c1.Get(ctx, "indb1").Val())
			})
		}
	})
}

// TestGoRedisCounters needs the string family (INCR and friends).
func TestGoRedisCounters(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		for _, proto := range []int{3, 2} {
			ctx := context.Background()
			c := goRedisClient(t, addr, proto)
			require.NoError(t, c.FlushAll(ctx).Err())
			n, err := c.Incr(ctx, "n").Result()
			require.NoError(t, err, "RESP%d", proto)
			assert.Equal(t, int64(1), n)
			assert.Equal(t, int64(11), c.IncrBy(ctx, "n", 10).Val())
			assert.Equal(t, 11.5, c.IncrByFloat(ctx, "n", 0.5).Val())
		}
	})
}

// rawConn is a bare TCP client that writes bytes and reads replies.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

func (r *rawConn) write(s string) {
	r.t.Helper()
	_, err := r.c.Write([]byte(s))
	require.NoError(r.t, err)
}

func (r *rawConn) reply() string {
	r.t.Helper()
	_ = r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	rep, err := readReply(r.br)
	require.NoError(r.t, err)
	return string(rep.raw)
}

// closed waits for the server to close the connection and returns what
// it sent first.
func (r *rawConn) closed(wait time.Duration) (string, bool) {
	_ = r.c.SetReadDeadline(time.Now().Add(wait))
	rest, err := io.ReadAll(r.br)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return string(rest), false
	}
	return string(rest), true
}

func TestRawPipelineOrder(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		r := dialRaw(t, addr)
		const n = 1000
		var b strings.Builder
		for i := range n {
			arg := fmt.Sprint(i)
			fmt.Fprintf(&b, "*2\r\n$4\r\nECHO\r\n$%d\r\n%s\r\n", len(arg), arg)
		}
		r.write(b.String())
		for i := range n {
			arg := fmt.Sprint(i)
			require.Equal(t, fmt.Sprintf("$%d\r\n%s\r\n", len(arg), arg), r.reply())
		}
	})
}

func TestRawInline(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		r := dialRaw(t, addr)
		r.write("PING\r\nSET k \"a b\\x41\"\nGET k\r\n\r\nECHO 'it\\'s'\r\n")
		assert.Equal(t, "+PONG\r\n", r.reply())
		assert.Equal(t, "+OK\r\n", r.reply())
		assert.Equal(t, "$4\r\na bA\r\n", r.reply())
		assert.Equal(t, "$4\r\nit's\r\n", r.reply())
	})
}

func TestRawProtocolErrorClosesOnlyThatPeer(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		good := dialRaw(t, addr)
		good.write("PING\r\n")
		assert.Equal(t, "+PONG\r\n", good.reply())

		bad := dialRaw(t, addr)
		bad.write("PING\r\n*1\r\n$x\r\nPING\r\n")
		out, closed := bad.closed(2 * time.Second)
		assert.True(t, closed)
		assert.Equal(t, "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n", out)

		good.write("ECHO still\r\n")
		assert.Equal(t, "$5\r\nstill\r\n", good.reply())
	})
}

func TestRawCrossProtocolDropped(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		for _, in := range []string{
			"POST / HTTP/1.1\r\nHost: localhost\r\n\r\n",
			"PING\r\nHost: x\r\n",
			"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nPOST\r\n$1\r\n/\r\n",
		} {
			r := dialRaw(t, addr)
			r.write(in)
			out, closed := r.closed(2 * time.Second)
			assert.True(t, closed, "%q", in)
			assert.Empty(t, out, "%q: pending replies are dropped, as Redis does", in)
		}
	})
}

func TestMaxClients(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines, MaxClients: 2})
		a, b := dialRaw(t, addr), dialRaw(t, addr)
		a.write("PING\r\n")
		b.write("PING\r\n")
		assert.Equal(t, "+PONG\r\n", a.reply())
		assert.Equal(t, "+PONG\r\n", b.reply())
		c := dialRaw(t, addr)
		out, closed := c.closed(2 * time.Second)
		assert.True(t, closed)
		assert.Equal(t, "-ERR max number of clients reached\r\n", out)

		// a slot frees when a client leaves
		a.write("QUIT\r\n")
		_, closed = a.closed(2 * time.Second)
		require.True(t, closed)
		require.Eventually(t, func() bool {
			d, err := net.Dial("tcp", addr)
			if err != nil {
				return false
			}
			defer d.Close()
			_, _ = d.Write([]byte("PING\r\n"))
			_ = d.SetReadDeadline(time.Now().Add(time.Second))
			buf := make([]byte, 64)
			n, _ := d.Read(buf)
			return string(buf[:n]) == "+PONG\r\n"
		}, 3*time.Second, 20*time.Millisecond)
	})
}

func TestQuit(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		r := dialRaw(t, addr)
		r.write("PING\r\nQUIT\r\nPING\r\n")
		out, closed := r.closed(2 * time.Second)
		assert.True(t, closed)
		assert.Equal(t, "+PONG\r\n+OK\r\n", out, "nothing runs after QUIT")
	})
}

func TestIdleTimeout(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines, IdleTimeout: 300 * time.Millisecond})
		r := dialRaw(t, addr)
		r.write("PING\r\n")
		assert.Equal(t, "+PONG\r\n", r.reply())
		start := time.Now()
		out, closed := r.closed(3 * time.Second)
		assert.True(t, closed)
		assert.Empty(t, out)
		assert.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond)

		// activity keeps a client alive
		r = dialRaw(t, addr)
		for range 4 {
			time.Sleep(150 * time.Millisecond)
			r.write("PING\r\n")
			assert.Equal(t, "+PONG\r\n", r.reply())
		}
	})
}

func TestQueryBufferLimit(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		srv, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines}, map[string]string{"client-query-buffer-limit": "1mb"})
		require.Equal(t, "1048576", srv.eng.Config("client-query-buffer-limit"))
		r := dialRaw(t, addr)
		big := dialRaw(t, addr)
		big.write("PING\r\n")
		assert.Equal(t, "+PONG\r\n", big.reply())
		// a 2 MB argument that never completes: over the 1 MB limit
		big.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n")
		chunk := strings.Repeat("x", 64*1024)
		var werr error
		for i := 0; i < 24 && werr == nil; i++ {
			_, werr = big.c.Write([]byte(chunk))
		}
		out, closed := big.closed(3 * time.Second)
		assert.True(t, closed)
		assert.Empty(t, out)

		r.write("PING\r\n")
		assert.Equal(t, "+PONG\r\n", r.reply())
	})
}

func TestServerCloseDisconnectsPeers(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		srv, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		r := dialRaw(t, addr)
		r.write("PING\r\n")
		assert.Equal(t, "+PONG\r\n", r.reply())
		require.NoError(t, srv.Close())
		_, closed := r.closed(2 * time.Second)
		assert.True(t, closed)
		_, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		assert.Error(t, err)
	})
}

// TestRedisCli runs Debian's redis-cli against the server, formatted (tty
// style with --no-raw) and --raw.
func TestRedisCli(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		cli, err := exec.LookPath("redis-cli")
		if err != nil {
			t.Skip("redis-cli not installed (apt-get install redis-tools): redis-cli test skipped")
		}
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		host, port, _ := net.SplitHostPort(addr)
		run := func(args ...string) string {
			t.Helper()
			out, err := exec.Command(cli, append([]string{"-h", host, "-p", port}, args...)...).CombinedOutput()
			require.NoError(t, err, "%s", out)
			return string(out)
		}
		assert.Equal(t, "PONG\n", run("PING"))
		assert.Equal(t, "OK\n", run("SET", "k", "hello world"))
		assert.Equal(t, "\"hello world\"\n", run("--no-raw", "GET", "k"))
		assert.Equal(t, "hello world\n", run("--raw", "GET", "k"))
		assert.Equal(t, "(nil)\n", run("--no-raw", "GET", "missing"))
		assert.Equal(t, "\n", run("--raw", "GET", "missing"))
		assert.Equal(t, "(integer) 1\n", run("--no-raw", "EXISTS", "k"))
		assert.Equal(t, "(error) ERR unknown command 'NOPE', with args beginning with: \n", run("--no-raw", "NOPE"))
		// -3: redis-cli speaks RESP3 (HELLO 3)
		assert.Equal(t, "\"hello world\"\n", run("-3", "--no-raw", "GET", "k"))
		// commands on stdin, as in a pipe
		cmd := exec.Command(cli, "-h", host, "-p", port)
		cmd.Stdin = strings.NewReader("SET a 1\nGET a\nDEL a\nECHO \"a\\x00b\"\n")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err)
		assert.Equal(t, "OK\n1\n1\na\x00b\n", string(out))
	})
}

func TestIdleTimeoutSparesSubscribers(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines, IdleTimeout: 300 * time.Millisecond})
		r := dialRaw(t, addr)
		r.write("SUBSCRIBE ch\r\n")
		if rep := r.reply(); strings.HasPrefix(rep, "-ERR unknown command") {
			t.Skipf("SUBSCRIBE not implemented by the engine yet: %q", rep)
		}
		out, closed := r.closed(800 * time.Millisecond)
		assert.False(t, closed, "a subscribed client is never timed out")
		assert.Empty(t, out)
	})
}

// TestManyClients: concurrent clients pipelining at once each get their
// own replies, in order.
func TestManyClients(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		const clients, perClient = 16, 200
		errs := make(chan error, clients)
		for c := range clients {
			go func() {
				errs <- func() error {
					conn, err := net.Dial("tcp", addr)
					if err != nil {
						return err
					}
					defer conn.Close()
					var b strings.Builder
					for i := range perClient {
						k, v := fmt.Sprint("c", c, "k", i), fmt.Sprint(c*perClient+i)
						fmt.Fprintf(&b, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(v), v)
						fmt.Fprintf(&b, "*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", len(k), k)
					}
					if _, err := conn.Write([]byte(b.String())); err != nil {
						return err
					}
					_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
					br := bufio.NewReader(conn)
					for i := range perClient {
						v := fmt.Sprint(c*perClient + i)
						ok, err := readReply(br)
						if err != nil || string(ok.raw) != "+OK\r\n" {
							return fmt.Errorf("client %d SET %d: %q %v", c, i, ok.raw, err)
						}
						got, err := readReply(br)
						if want := fmt.Sprintf("$%d\r\n%s\r\n", len(v), v); err != nil || string(got.raw) != want {
							return fmt.Errorf("client %d GET %d: %q, want %q (%v)", c, i, got.raw, want, err)
						}
					}
					return nil
				}()
			}()
		}
		for range clients {
			assert.NoError(t, <-errs)
		}
	})
}

// TestBlockingAcrossClients: a blocked client is served by another
// client's push; commands it pipelined after the blocking one run only
// then, in order; a client that leaves while blocked is forgotten.
func TestBlockingAcrossClients(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		a, b := dialRaw(t, addr), dialRaw(t, addr)
		a.write("BLPOP q 0\r\nECHO after\r\n")
		time.Sleep(100 * time.Millisecond)
		b.write("RPUSH q x\r\n")
		if rep := b.reply(); strings.HasPrefix(rep, "-ERR unknown command") {
			t.Skipf("lists not implemented by the engine yet: %q", rep)
		}
		assert.Equal(t, "*2\r\n$1\r\nq\r\n$1\r\nx\r\n", a.reply())
		assert.Equal(t, "$5\r\nafter\r\n", a.reply())

		// timeout
		start := time.Now()
		a.write("BLPOP q 0.2\r\n")
		assert.Equal(t, "*-1\r\n", a.reply())
		assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)

		// a client gone while blocked does not swallow the next push
		c := dialRaw(t, addr)
		c.write("BLPOP q2 0\r\n")
		time.Sleep(100 * time.Millisecond)
		require.NoError(t, c.c.Close())
		time.Sleep(100 * time.Millisecond)
		b.write("RPUSH q2 y\r\nLLEN q2\r\n")
		assert.Equal(t, ":1\r\n", b.reply())
		assert.Equal(t, ":1\r\n", b.reply())
	})
}
