package engine

import (
	"bufio"
	"io"
	"net"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServerDiff runs the same commands on a real redis-server (address in
// GOREDIS_DIFF_ADDR, started with --enable-debug-command yes) and on the
// engine, and compares the raw replies. Skipped when the variable is unset.
func TestServerDiff(t *testing.T) {
	addr := os.Getenv("GOREDIS_DIFF_ADDR")
	if addr == "" {
		t.Skip("GOREDIS_DIFF_ADDR not set")
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
		e := New(Options{Config: map[string]string{"enable-debug-command": "yes"}})
		c := newClient(t, e)
		real("FLUSHALL")
		real("CONFIG", "SET", "hz", "10", "maxmemory", "0")
		real("HELLO", proto)
		c.do("HELLO", proto)
		for _, cmd := range diffCommands() {
			want := real(cmd...)
			got := c.do(cmd...)
			assert.Equal(t, want, got, "RESP%s %q", proto, cmd)
		}
		conn.Close()
	}
}

func diffCommands() [][]string {
	return [][]string{
		{"COMMAND", "INFO", "get", "nosuch", "config|get", "client|kill", "dbsize", "slowlog|get"},
		{"COMMAND", "INFO", "config|set", "client|list"},
		{"COMMAND", "GETKEYS", "set", "a", "b"},
		{"COMMAND", "GETKEYS", "get", "a", "b"},
		{"COMMAND", "GETKEYS", "ping", "x"},
		{"COMMAND", "GETKEYS", "nosuch", "x"},
		{"COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"},
		{"COMMAND", "COUNT", "x"},
		{"COMMAND", "LIST", "FILTERBY", "nothing", "x"},
		{"COMMAND", "LIST", "foo"},
		{"COMMAND", "LIST", "FILTERBY", "module", "x"},
		{"COMMAND", "LIST", "FILTERBY", "pattern", "config|g*"},
		{"COMMAND", "LIST", "FILTERBY", "aclcat", "nosuchcat"},
		{"COMMAND", "DOCS", "nosuch"},
		{"COMMAND", "foo"},
		{"CONFIG", "GET", "hz"},
		{"CONFIG", "GET", "hz", "hz", "HZ"},
		{"CONFIG", "GET", "hash-max-listpack-v*"},
		{"CONFIG", "GET", "nothing*"},
		{"CONFIG", "GET", "HZ"},
		{"CONFIG", "GET", "slave-priority"},
		{"CONFIG", "GET", "hash-max-listpack-e*"},
		{"CONFIG", "SET", "hz", "abc"},
		{"CONFIG", "SET", "HZ", "11"},
		{"CONFIG", "GET", "hz"},
		{"CONFIG", "SET", "hz", "5", "maxmemory", "10", "hz", "7"},
		{"CONFIG", "SET", "hz", "5", "nope", "1"},
		{"CONFIG", "SET", "hz", "5", "maxmemory"},
		{"CONFIG", "SET", "hz", "12", "maxmemory", "abc"},
		{"CONFIG", "GET", "hz"},
		{"CONFIG", "SET", "maxmemory", "1kb", "hz", "10"},
		{"CONFIG", "GET", "maxmemory"},
		{"CONFIG", "SET", "maxmemory", "0"},
		{"CONFIG", "SET", "port", "99999"},
		{"CONFIG", "SET", "daemonize", "no"},
		{"CONFIG", "SET", "dir", "/tmp"},
		{"CONFIG", "SET", "databases", "3"},
		{"CONFIG", "SET", "maxmemory-policy", "foo"},
		{"CONFIG", "SET", "appendfsync", "ALWAYS"},
		{"CONFIG", "GET", "appendfsync"},
		{"CONFIG", "SET", "appendfsync", "everysec"},
		{"CONFIG", "SET", "activedefrag", "maybe"},
		{"CONFIG", "SET", "proto-max-bulk-len", "1"},
		{"CONFIG", "SET", "save", "10"},
		{"CONFIG", "SET", "save", "10 1 20 2"},
		{"CONFIG", "SET", "save", ""},
		{"CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 2kb 3"},
		{"CONFIG", "GET", "client-output-buffer-limit"},
		{"CONFIG", "SET", "client-output-buffer-limit", "foo 1 2 3"},
		{"CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"},
		{"CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0"},
		{"CONFIG", "SET", "maxmemory-clients", "101%"},
		{"CONFIG", "SET", "notify-keyspace-events", "KEA"},
		{"CONFIG", "GET", "notify-keyspace-events"},
		{"CONFIG", "SET", "notify-keyspace-events", "9"},
		{"CONFIG", "SET", "notify-keyspace-events", ""},
		{"CONFIG", "SET", "loglevel", "WARNING"},
		{"CONFIG", "GET", "loglevel"},
		{"CONFIG", "SET", "loglevel", "notice"},
		{"CONFIG", "REWRITE"},
		{"CONFIG", "RESETSTAT"},
		{"CONFIG", "SET"},
		{"CONFIG", "GET"},
		{"CONFIG", "foo"},
		{"CONFIG"},
		{"CLIENT", "SETNAME", "a b"},
		{"CLIENT", "SETNAME", "n1"},
		{"CLIENT", "GETNAME"},
		{"CLIENT", "SETNAME", ""},
		{"CLIENT", "GETNAME"},
		{"CLIENT", "LIST", "ID", "1", "2", "abc"},
		{"CLIENT", "LIST", "TYPE", "foo"},
		{"CLIENT", "LIST", "ID"},
		{"CLIENT", "LIST", "ID", "999999"},
		{"CLIENT", "LIST", "foo", "bar"},
		{"CLIENT", "KILL", "1.2.3.4:5"},
		{"CLIENT", "KILL", "ID", "999999"},
		{"CLIENT", "KILL", "foo", "bar"},
		{"CLIENT", "KILL", "ID", "abc"},
		{"CLIENT", "KILL", "ID", "0"},
		{"CLIENT", "KILL", "TYPE", "foo"},
		{"CLIENT", "KILL", "SKIPME", "maybe"},
		{"CLIENT", "KILL", "USER", "nobody"},
		{"CLIENT", "KILL", "USER", "default", "SKIPME", "yes", "ADDR", "1.1.1.1:1"},
		{"CLIENT", "KILL", "ADDR", "1.2.3.4:5", "LADDR", "x"},
		{"CLIENT", "KILL", "TYPE", "pubsub", "ID"},
		{"CLIENT", "REPLY", "foo"},
		{"CLIENT", "REPLY", "ON"},
		{"CLIENT", "NO-EVICT", "on"},
		{"CLIENT", "NO-EVICT", "off"},
		{"CLIENT", "NO-EVICT", "maybe"},
		{"CLIENT", "UNBLOCK", "999999"},
		{"CLIENT", "UNBLOCK", "1", "foo"},
		{"CLIENT", "UNBLOCK", "abc"},
		{"CLIENT", "foo"},
		{"CLIENT"},
		{"SWAPDB", "0", "1"},
		{"SWAPDB", "0", "99"},
		{"SWAPDB", "a", "1"},
		{"SWAPDB", "0", "b"},
		{"SWAPDB", "-1", "1"},
		{"SET", "foo", "bar"},
		{"SET", "n", "12"},
		{"SWAPDB", "0", "1"},
		{"DBSIZE"},
		{"SELECT", "1"},
		{"DBSIZE"},
		{"SELECT", "0"},
		{"SWAPDB", "1", "0"},
		{"INFO", "keyspace"},
		{"INFO", "foo"},
		{"INFO", "cluster"},
		{"INFO", "modules"},
		{"DEBUG", "foo"},
		{"DEBUG", "sleep", "0"},
		{"DEBUG", "sleep", "abc"},
		{"DEBUG", "set-active-expire", "1"},
		{"DEBUG", "object", "nope"},
		{"DEBUG", "object"},
		{"ROLE"},
		{"FUNCTION", "LIST"},
		{"FUNCTION", "FLUSH"},
		{"FUNCTION", "FLUSH", "async"},
		{"FUNCTION", "FLUSH", "foo"},
		{"FUNCTION", "DUMP"},
		{"FUNCTION", "DELETE", "x"},
		{"FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "x"},
		{"FUNCTION", "LIST", "foo"},
		{"SCRIPT", "EXISTS", "a", "b"},
		{"SCRIPT", "FLUSH"},
		{"SCRIPT", "FLUSH", "ASYNC"},
		{"SCRIPT", "FLUSH", "foo"},
		{"SLOWLOG", "GET", "abc"},
		{"SLOWLOG", "GET", "-2"},
		{"SLOWLOG", "RESET"},
		{"SLOWLOG", "LEN"},
		{"SLOWLOG", "foo"},
		{"LATENCY", "LATEST"},
		{"LATENCY", "HISTORY", "command"},
		{"LATENCY", "RESET"},
		{"SHUTDOWN", "ABORT"},
		{"SHUTDOWN", "foo"},
		{"SHUTDOWN", "SAVE", "NOSAVE"},
		{"SHUTDOWN", "ABORT", "NOW"},
		{"FLUSHALL"},
	}
}

// readRaw reads one complete RESP reply and returns its raw bytes.
func readRaw(t *testing.T, rd *bufio.Reader) string {
	line, err := rd.ReadString('\n')
	require.NoError(t, err)
	switch line[0] {
	case '+', '-', ':', '_', ',', '#', '(':
		return line
	}
	n, _ := strconv.Atoi(line[1 : len(line)-2])
	switch line[0] {
	case '$', '=', '!':
		if n < 0 {
			return line
		}
		buf := make([]byte, n+2)
		_, err := io.ReadFull(rd, buf)
		require.NoError(t, err)
		return line + string(buf)
	case '*', '~', '>':
		out := line
		for i := 0; i < n; i++ {
			out += readRaw(t, rd)
		}
		return out
	case '%', '|':
		out := line
		for i := 0; i < 2*n; i++ {
			out += readRaw(t, rd)
		}
		return out
	}
	return line
}
