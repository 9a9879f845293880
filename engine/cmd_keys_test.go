package engine

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runProto runs steps on a fresh engine speaking RESP proto (2 or 3). When
// GOREDIS_DIFF names a real redis-server (host:port), the same steps run
// there too (after FLUSHALL) and must give the same bytes: the tables are
// checked against Redis itself, not against memory.
func runProto(t *testing.T, proto int, steps []step) {
	t.Helper()
	e, _ := testEngine(t)
	c := newClient(t, e)
	if proto == 3 {
		c.do("HELLO", "3")
	}
	for i, st := range steps {
		got := c.do(stepArgs(st)...)
		assert.Equalf(t, st.want, got, "step %d: %s%v", i, st.cmd, st.args)
	}
	if addr := os.Getenv("GOREDIS_DIFF"); addr != "" {
		diffSteps(t, addr, proto, steps)
	}
}

func stepArgs(st step) []string {
	if st.args != nil {
		return st.args
	}
	return strings.Fields(st.cmd)
}

// diffSteps runs steps against a real Redis and compares replies.
func diffSteps(t *testing.T, addr string, proto int, steps []step) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	require.NoError(t, err)
	defer conn.Close()
	r := bufio.NewReader(conn)
	send := func(args ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
		_, err := conn.Write([]byte(b.String()))
		require.NoError(t, err)
		var out strings.Builder
		require.NoError(t, readReply(r, &out))
		return out.String()
	}
	send("FLUSHALL")
	send("CONFIG", "SET", "notify-keyspace-events", "")
	send("CONFIG", "SET", "proto-max-bulk-len", "536870912")
	send("HELLO", strconv.Itoa(proto))
	for i, st := range steps {
		got := send(stepArgs(st)...)
		assert.Equalf(t, st.want, got, "redis step %d: %s%v", i, st.cmd, st.args)
	}
}

// readReply copies one complete RESP2/RESP3 reply from r to out.
func readReply(r *bufio.Reader, out *strings.Builder) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	out.WriteString(line)
	body := strings.TrimSuffix(line[1:], "\r\n")
	switch line[0] {
	case '$', '=', '!':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		out.Write(buf)
	case '*', '~', '>', '%', '|':
		n, _ := strconv.Atoi(body)
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readReply(r, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// sortedBulks is bulks() of the items in sorted order, for replies whose
// order is the hash order (KEYS, SCAN).
func sortedBulks(items ...string) string {
	sort.Strings(items)
	return bulks(items...)
}

// parseArrayOfBulks reads a flat RESP array of bulk strings.
func parseArrayOfBulks(t *testing.T, resp string) []string {
	t.Helper()
	var out strings.Builder
	r := bufio.NewReader(strings.NewReader(resp))
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, byte('*'), line[0], resp)
	n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	items := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out.Reset()
		require.NoError(t, readReply(r, &out))
		s := out.String()
		require.Equal(t, byte('$'), s[0])
		items = append(items, s[strings.Index(s, "\r\n")+2:len(s)-2])
	}
	return items
}

// keysTestList is a minimal collection value, so the key commands can be
// tested on a non-string type without another family's commands.
type keysTestList struct{ items []string }

func (l *keysTestList) typeName() string { return "list" }
func (l *keysTestList) encoding() string { return "listpack" }
func (l *keysTestList) copyObject() object {
	return &keysTestList{items: append([]string(nil), l.items...)}
}
