package netserver

import (
	"bytes"
	"log"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer collects log lines from the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDiffMaxClientsConfigSet: CONFIG SET maxclients applies to the next
// connection, which gets Redis's error and is counted in
// rejected_connections, the same on both servers.
func TestDiffMaxClientsConfigSet(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		redisAddr := startRedis(t)
		_, goAddr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		var got [2]string
		for i, addr := range []string{redisAddr, goAddr} {
			a, b := dialRaw(t, addr), dialRaw(t, addr)
			a.write("CONFIG SET maxclients 2\r\nCONFIG GET maxclients\r\n")
			assert.Equal(t, "+OK\r\n", a.reply())
			assert.Equal(t, "*2\r\n$10\r\nmaxclients\r\n$1\r\n2\r\n", a.reply())
			b.write("PING\r\n")
			assert.Equal(t, "+PONG\r\n", b.reply())
			out, closed, err := rawExchange(addr, []byte("PING\r\n"), 2*time.Second)
			require.NoError(t, err)
			assert.True(t, closed)
			a.write("INFO stats\r\n")
			info := a.bulk()
			m := regexp.MustCompile(`rejected_connections:(\d+)`).FindStringSubmatch(info)
			require.NotNil(t, m, info)
			got[i] = string(out) + " rejected=" + m[1]
			a.write("CONFIG SET maxclients 10000\r\n")
			assert.Equal(t, "+OK\r\n", a.reply())
		}
		assert.Equal(t, "-ERR max number of clients reached\r\n rejected=1", got[0])
		assert.Equal(t, got[0], got[1])
	})
}

// TestQueryBufferLimitLogLine: the client closed for its query buffer is
// logged as Redis logs it, with its CLIENT LIST line and the buffer's first
// 64 bytes quoted.
func TestQueryBufferLimitLogLine(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		var logs syncBuffer
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines, Logger: log.New(&logs, "", 0)},
			map[string]string{"client-query-buffer-limit": "1mb"})
		big := dialRaw(t, addr)
		big.write("CLIENT SETNAME hog\r\n")
		assert.Equal(t, "+OK\r\n", big.reply())
		big.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n")
		chunk := strings.Repeat("x", 64*1024)
		for i := 0; i < 24; i++ {
			if _, err := big.c.Write([]byte(chunk)); err != nil {
				break
			}
		}
		_, closed := big.closed(3 * time.Second)
		require.True(t, closed)
		require.Eventually(t, func() bool { return strings.Contains(logs.String(), "Closing client") }, hangGuard, 10*time.Millisecond)
		line := regexp.MustCompile(`Closing client that reached max query buffer length: id=\d+ addr=\S+ laddr=\S+ fd=-1 name=hog .*\(qbuf initial bytes: "(.*)"\)`).FindStringSubmatch(logs.String())
		require.NotNil(t, line, logs.String())
		assert.Equal(t, `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n`+strings.Repeat("x", 64-30), line[1])
	})
}

// TestNetInputBytes: INFO counts every byte read from clients, the INFO
// request included, as Redis's total_net_input_bytes.
func TestNetInputBytes(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		r := dialRaw(t, addr)
		r.write("PING\r\n")
		assert.Equal(t, "+PONG\r\n", r.reply())
		r.write("*1\r\n$4\r\nPING\r\n")
		assert.Equal(t, "+PONG\r\n", r.reply())
		req := "*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n"
		r.write(req)
		info := r.bulk()
		want := len("PING\r\n") + len("*1\r\n$4\r\nPING\r\n") + len(req)
		assert.Contains(t, info, "total_net_input_bytes:"+itoa(want)+"\r\n")
		r.write("CONFIG RESETSTAT\r\n")
		assert.Equal(t, "+OK\r\n", r.reply())
		r.write(req)
		assert.Contains(t, r.bulk(), "total_net_input_bytes:"+itoa(len(req))+"\r\n")
	})
}

// TestQueryBufferInClientList: CLIENT LIST shows another client's query
// buffer (its size in qbuf-free once its requests ran), and INFO the
// largest recent one.
func TestQueryBufferInClientList(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		a, b := dialRaw(t, addr), dialRaw(t, addr)
		b.write("CLIENT SETNAME other\r\n")
		assert.Equal(t, "+OK\r\n", b.reply())
		a.write("CLIENT LIST\r\n")
		list := a.bulk()
		m := regexp.MustCompile(`name=other .* qbuf=(\d+) qbuf-free=(\d+) `).FindStringSubmatch(list)
		require.NotNil(t, m, list)
		assert.Equal(t, "0", m[1])
		assert.Equal(t, "16384", m[2], "the 16 KB read buffer, as Redis's PROTO_IOBUF_LEN")
		a.write("INFO clients\r\n")
		assert.Contains(t, a.bulk(), "client_recent_max_input_buffer:16384\r\n")
	})
}

// bulk reads a bulk string reply and returns its payload.
func (r *rawConn) bulk() string {
	r.t.Helper()
	rep := r.reply()
	require.True(r.t, strings.HasPrefix(rep, "$"), rep)
	_, body, _ := strings.Cut(rep, "\r\n")
	return strings.TrimSuffix(body, "\r\n")
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestClientEvictedByAnnouncedBulk: with maxmemory-clients set, a client
// whose query buffer holds the start of a large argument is evicted as
// soon as its length is read (Redis sizes the query buffer to the bulk
// at once): it leaves CLIENT LIST and its connection is closed, while
// the client that sent CLIENT NO-EVICT ON carries on.
func TestClientEvictedByAnnouncedBulk(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines}, map[string]string{"maxmemory-clients": "1mb"})
		ctl := dialRaw(t, addr)
		ctl.write("CLIENT NO-EVICT ON\r\n")
		require.Equal(t, "+OK\r\n", ctl.reply())
		big := dialRaw(t, addr)
		big.write("CLIENT SETNAME big\r\n")
		require.Equal(t, "+OK\r\n", big.reply())
		big.write("*1\r\n$2000000\r\n" + strings.Repeat("v", 64*1024))
		_, closed := big.closed(hangGuard)
		require.True(t, closed)
		ctl.write("CLIENT LIST\r\n")
		assert.NotContains(t, ctl.bulk(), "name=big")
		ctl.write("INFO stats\r\n")
		assert.Contains(t, ctl.bulk(), "evicted_clients:1\r\n")
	})
}
