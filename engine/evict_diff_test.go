package engine

import (
	"bufio"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOOMDiff runs the same OOM and eviction script on a real redis-server
// (GOREDIS_DIFF_ADDR) and on the engine and compares the raw replies. The
// two servers' memory sizes differ, so maxmemory is 1 byte: always over,
// and every policy evicts whatever it may before refusing.
func TestOOMDiff(t *testing.T) {
	addr := os.Getenv("GOREDIS_DIFF_ADDR")
	if addr == "" {
		t.Skip("GOREDIS_DIFF_ADDR not set")
	}
	script := [][]string{
		{"CONFIG", "SET", "maxmemory-policy", "noeviction"},
		{"SET", "keep", "v"}, {"EXPIRE", "keep", "1000"},
		{"CONFIG", "SET", "maxmemory", "1"},
		{"SET", "a", "b"}, {"GET", "keep"}, {"INCR", "n"}, {"LPUSH", "l", "x"}, {"SETEX", "k", "10", "v"},
		{"EXPIRE", "keep", "2000"}, {"PING"}, {"DBSIZE"}, {"APPEND", "keep", "x"},
		{"MULTI"}, {"SET", "a", "b"}, {"GET", "a"}, {"EXEC"},
		{"MULTI"}, {"DISCARD"},
		{"MULTI"}, {"PING"}, {"EXEC"},
		{"DEL", "nosuch"}, {"OBJECT", "FREQ", "keep"},
		{"CONFIG", "SET", "maxmemory", "0"},
		{"MULTI"}, {"SET", "q", "1"}, {"CONFIG", "SET", "maxmemory", "1"}, {"SET", "r", "1"}, {"EXEC"},
		{"CONFIG", "SET", "maxmemory", "0"}, {"DEL", "q", "r"},
		{"SET", "p1", "1"}, {"SET", "p2", "2"},
		{"CONFIG", "SET", "maxmemory-policy", "volatile-ttl"}, {"CONFIG", "SET", "maxmemory", "1"},
		{"GET", "p1"}, {"EXISTS", "keep"}, {"SET", "x", "1"}, {"DBSIZE"},
		{"CONFIG", "SET", "maxmemory-policy", "volatile-lru"}, {"SET", "x", "1"},
		{"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"},
		{"GET", "p1"}, {"DBSIZE"}, {"SET", "x", "1"}, {"OBJECT", "IDLETIME", "nosuch"},
		{"CONFIG", "SET", "maxmemory", "0"},
		// (not an integer: Redis would share the object and its counter)
		{"SET", "f", "v"}, {"OBJECT", "FREQ", "f"}, {"OBJECT", "IDLETIME", "f"},
		{"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}, {"OBJECT", "FREQ", "f"},
		{"SET", "g", "1"}, {"CONFIG", "SET", "maxmemory", "1"}, {"PING"}, {"DBSIZE"}, {"SET", "h", "1"},
		{"CONFIG", "SET", "maxmemory", "0"},
		{"CONFIG", "GET", "maxmemory"}, {"CONFIG", "GET", "maxmemory-policy"},
	}
	for _, proto := range []string{"2", "3"} {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		rd := bufio.NewReader(conn)
		real := func(args ...string) string {
			buf := "*" + strconv.Itoa(len(args)) + "\r\n"
			for _, a := range args {
				buf += "$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n"
			}
			_, err := conn.Write([]byte(buf))
			require.NoError(t, err)
			return readRaw(t, rd)
		}
		e, _ := testEngine(t)
		c := newClient(t, e)
		real("FLUSHALL")
		real("CONFIG", "SET", "maxmemory", "0")
		real("CONFIG", "RESETSTAT")
		real("HELLO", proto)
		c.do("HELLO", proto)
		for _, cmd := range script {
			want := real(cmd...)
			got := c.do(cmd...)
			assert.Equal(t, want, got, "RESP%s %q", proto, cmd)
		}
		evicted := func(info string) string {
			for _, l := range strings.Split(info, "\r\n") {
				if strings.HasPrefix(l, "evicted_keys:") {
					return l
				}
			}
			return ""
		}
		assert.Equal(t, evicted(real("INFO", "stats")), evicted(c.do("INFO", "stats")))
		real("CONFIG", "SET", "maxmemory-policy", "noeviction")
		conn.Close()
	}
}
