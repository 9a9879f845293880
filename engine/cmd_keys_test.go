package engine

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
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
type keysTestList struct {
	snapMark
	items []string
}

func (l *keysTestList) typeName() string { return "list" }
func (l *keysTestList) encoding() string { return "listpack" }
func (l *keysTestList) copyObject() object {
	return &keysTestList{items: append([]string(nil), l.items...)}
}

func TestKeysDelExistsType(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "MSET a 1 b 2 c 3", want: ok},
		{cmd: "EXISTS a b nope a", want: integer(3)},
		{cmd: "DEL a nope a", want: integer(1)},
		{cmd: "UNLINK b c nope", want: integer(2)},
		{cmd: "EXISTS a b c", want: integer(0)},
		{cmd: "DEL", want: arity("del")},
		{cmd: "UNLINK", want: arity("unlink")},
		{cmd: "EXISTS", want: arity("exists")},
		{cmd: "SET s v", want: ok},
		{cmd: "TYPE s", want: "+string\r\n"},
		{cmd: "TYPE nope", want: "+none\r\n"},
		{cmd: "TYPE", want: arity("type")},
		{cmd: "TYPE a b", want: arity("type")},
	})
}

func TestKeysRename(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "RENAME nope x", want: errReply(errNoSuchKey)},
		{cmd: "RENAME nope nope", want: errReply(errNoSuchKey)},
		{cmd: "RENAMENX nope x", want: errReply(errNoSuchKey)},
		{cmd: "SET a 1", want: ok},
		{cmd: "RENAME a a", want: ok},
		{cmd: "RENAMENX a a", want: integer(0)},
		{cmd: "RENAME a b", want: ok},
		{cmd: "EXISTS a", want: integer(0)},
		{cmd: "GET b", want: bulk("1")},
		{cmd: "SET c 3 EX 100", want: ok},
		{cmd: "RENAME c b", want: ok},
		{cmd: "GET b", want: bulk("3")},
		{cmd: "TTL b", want: integer(100)},
		{cmd: "SET d 4", want: ok},
		{cmd: "RENAME d b", want: ok},
		{cmd: "TTL b", want: integer(-1)},
		{cmd: "SET e 5", want: ok},
		{cmd: "RENAMENX e b", want: integer(0)},
		{cmd: "RENAMENX e f", want: integer(1)},
		{cmd: "MGET e f", want: arr(nilBulk, bulk("5"))},
		{cmd: "RENAME a", want: arity("rename")},
		{cmd: "RENAMENX a", want: arity("renamenx")},
	})
}

func TestKeysCopyMove(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "SET a 1 EX 100", want: ok},
		{cmd: "COPY a a", want: errReply(errSameObject)},
		{cmd: "COPY nope nope", want: errReply(errSameObject)},
		{cmd: "COPY nope b", want: integer(0)},
		{cmd: "COPY a b", want: integer(1)},
		{cmd: "GET b", want: bulk("1")},
		{cmd: "TTL b", want: integer(100)},
		{cmd: "SET a 2", want: ok},
		{cmd: "COPY a b", want: integer(0)},
		{cmd: "COPY a b REPLACE", want: integer(1)},
		{cmd: "GET b", want: bulk("2")},
		{cmd: "TTL b", want: integer(-1)},
		{cmd: "COPY a a DB 1", want: integer(1)},
		{cmd: "COPY a a DB 1", want: integer(0)},
		{cmd: "COPY a a db 1 replace", want: integer(1)},
		{cmd: "COPY a a DB 0", want: errReply(errSameObject)},
		{cmd: "COPY a b DB 16", want: errReply(errDBIndex)},
		{cmd: "COPY a b DB -1", want: errReply(errDBIndex)},
		{cmd: "COPY a b DB abc", want: errInt},
		{cmd: "COPY a b DB 4294967296", want: errReply("ERR value is out of range, value must between -2147483648 and 2147483647")},
		{cmd: "COPY a b DB", want: errSyn},
		{cmd: "COPY a b FOO", want: errSyn},
		{cmd: "COPY a", want: arity("copy")},
		// MOVE
		{cmd: "MOVE a 0", want: errReply(errSameObject)},
		{cmd: "MOVE a 16", want: errReply(errDBIndex)},
		{cmd: "MOVE a -1", want: errReply(errDBIndex)},
		{cmd: "MOVE a x", want: errInt},
		{cmd: "MOVE a 2147483648", want: errReply("ERR value is out of range, value must between -2147483648 and 2147483647")},
		{cmd: "MOVE a -2147483649", want: errReply("ERR value is out of range, value must between -2147483648 and 2147483647")},
		{cmd: "MOVE a 99999999999999999999", want: errInt},
		{cmd: "MOVE nope 1", want: integer(0)},
		{cmd: "MOVE a 1", want: integer(0)}, // exists there already
		{cmd: "SET m 5 EX 100", want: ok},
		{cmd: "MOVE m 2", want: integer(1)},
		{cmd: "EXISTS m", want: integer(0)},
		{cmd: "SELECT 2", want: ok},
		{cmd: "GET m", want: bulk("5")},
		{cmd: "TTL m", want: integer(100)},
		{cmd: "SELECT 1", want: ok},
		{cmd: "GET a", want: bulk("2")},
		{cmd: "MOVE a", want: arity("move")},
	})
}

// COPY of a collection duplicates it: changing the copy leaves the source
// alone. RENAME and MOVE carry the value itself.
func TestKeysCopyCollection(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	withList(t, c, "l")
	assert.Equal(t, integer(1), c.line("COPY l l2"))
	assert.Equal(t, "+list\r\n", c.line("TYPE l2"))
	db := e.main.dbs[0]
	o1, _ := db.objs.get("l")
	o2, _ := db.objs.get("l2")
	require.NotSame(t, o1, o2)
	o2.(*keysTestList).items[0] = "changed"
	assert.Equal(t, "x", o1.(*keysTestList).items[0])
	assert.Equal(t, ok, c.line("RENAME l l3"))
	o3, _ := db.objs.get("l3")
	assert.Same(t, o1, o3)
	assert.Equal(t, integer(1), c.line("MOVE l3 1"))
	o4, _ := e.main.dbs[1].objs.get("l3")
	assert.Same(t, o1, o4)
	assert.Equal(t, 1, db.size())
	// A string over a collection and the reverse
	assert.Equal(t, ok, c.line("SET s v"))
	assert.Equal(t, ok, c.line("RENAME s l2"))
	assert.Equal(t, "+string\r\n", c.line("TYPE l2"))
	assert.Equal(t, 1, db.size())
}

func TestKeysKeys(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	assert.Equal(t, "*0\r\n", c.line("KEYS *"))
	c.line("MSET one 1 two 2 three 3 four 4 h\\llo 5")
	withList(t, c, "list")
	got := func(pat string) []string {
		items := parseArrayOfBulks(t, c.do("KEYS", pat))
		sort.Strings(items)
		return items
	}
	assert.Equal(t, []string{"four", "h\\llo", "list", "one", "three", "two"}, got("*"))
	assert.Equal(t, []string{"three", "two"}, got("t*"))
	assert.Equal(t, []string{"one", "two"}, got("?[nw]?"))
	assert.Equal(t, []string{"h\\llo"}, got("h\\\\*"))
	assert.Empty(t, got("T*"))
	c.line("PEXPIRE one 10")
	clk.Advance(11 * time.Millisecond)
	assert.Equal(t, []string{"four", "h\\llo", "list", "three", "two"}, got("*"))
	assert.Equal(t, arity("keys"), c.line("KEYS"))
}

func TestKeysScan(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	assert.Equal(t, arr(bulk("0"), "*0\r\n"), c.line("SCAN 0"))
	const n = 3000 // more than one shard
	args := []string{"MSET"}
	for i := range n {
		args = append(args, "key:"+itoa(int64(i)), "v")
	}
	require.Equal(t, ok, c.do(args...))
	withList(t, c, "list")
	scanAll := func(extra ...string) map[string]int {
		seen := map[string]int{}
		cursor := "0"
		for calls := 0; ; calls++ {
			require.Less(t, calls, 100000)
			reply := c.do(append([]string{"SCAN", cursor}, extra...)...)
			r := bufio.NewReader(strings.NewReader(reply))
			line, _ := r.ReadString('\n')
			require.Equal(t, "*2\r\n", line, reply)
			var out strings.Builder
			require.NoError(t, readReply(r, &out))
			cursor = strings.Split(out.String(), "\r\n")[1]
			rest, _ := io.ReadAll(r)
			for _, k := range parseArrayOfBulks(t, string(rest)) {
				seen[k]++
			}
			if cursor == "0" {
				return seen
			}
		}
	}
	all := scanAll("COUNT", "100")
	assert.Len(t, all, n+1)
	for k, times := range all {
		assert.Equal(t, 1, times, k)
	}
	assert.Len(t, scanAll("MATCH", "key:1?", "COUNT", "1000"), 10)
	assert.Equal(t, map[string]int{"list": 1}, scanAll("TYPE", "list"))
	assert.Equal(t, map[string]int{"list": 1}, scanAll("type", "LIST", "COUNT", "7"))
	assert.Len(t, scanAll("TYPE", "string"), n)
	assert.Len(t, scanAll("TYPE", "nosuchtype"), 0)
	assert.Len(t, scanAll("MATCH", "*"), n+1)
	// expired keys are not returned, and are reclaimed on the way
	for i := range 10 {
		c.line("PEXPIRE key:" + itoa(int64(i)) + " 5")
	}
	clk.Advance(10 * time.Millisecond)
	assert.Len(t, scanAll(), n+1-10)
	assert.Equal(t, n+1-10, e.main.dbs[0].size())
	// a key present for the whole scan is returned even while the map grows
	seen := map[string]bool{}
	cursor := "0"
	for i := 0; ; i++ {
		reply := c.do("SCAN", cursor, "COUNT", "50")
		for _, k := range parseArrayOfBulks(t, "*"+strings.SplitN(reply, "*", 3)[2]) {
			seen[k] = true
		}
		cursor = strings.Split(reply, "\r\n")[2]
		c.do("SET", "new:"+itoa(int64(i)), "v")
		if cursor == "0" {
			break
		}
	}
	for i := 10; i < n; i++ {
		require.True(t, seen["key:"+itoa(int64(i))], i)
	}
}

func TestKeysScanErrors(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "SET a 1", want: ok},
		{cmd: "SCAN abc", want: errReply("ERR invalid cursor")},
		{cmd: "SCAN 1.5", want: errReply("ERR invalid cursor")},
		{cmd: "SCAN 18446744073709551616", want: errReply("ERR invalid cursor")},
		{cmd: "SCAN 0x10", want: errReply("ERR invalid cursor")},
		{args: []string{"SCAN", " 0"}, want: errReply("ERR invalid cursor")},
		{cmd: "SCAN -", want: errReply("ERR invalid cursor")},
		{cmd: "SCAN 0 COUNT 0", want: errSyn},
		{cmd: "SCAN 0 COUNT -1", want: errSyn},
		{cmd: "SCAN 0 COUNT abc", want: errInt},
		{cmd: "SCAN 0 COUNT", want: errSyn},
		{cmd: "SCAN 0 MATCH", want: errSyn},
		{cmd: "SCAN 0 TYPE", want: errSyn},
		{cmd: "SCAN 0 FOO bar", want: errSyn},
		{cmd: "SCAN 0 COUNT 1 FOO", want: errSyn},
		{cmd: "SCAN 0 MATCH a COUNT 100 TYPE string", want: arr(bulk("0"), bulks("a"))},
		{cmd: "SCAN 0 MATCH b*", want: arr(bulk("0"), "*0\r\n")},
		{cmd: "SCAN", want: arity("scan")},
	})
	for _, cur := range []string{"", "+0", "-0", "-18446744073709551615"} {
		v, ok := parseScanCursor([]byte(cur))
		assert.True(t, ok, cur)
		assert.LessOrEqual(t, v, uint64(1), cur)
	}
	v, ok := parseScanCursor([]byte("-1"))
	assert.True(t, ok)
	assert.Equal(t, ^uint64(0), v)
}

func TestKeysRandomKey(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	assert.Equal(t, nilBulk, c.line("RANDOMKEY"))
	c.line("MSET a 1 b 2 c 3")
	seen := map[string]bool{}
	for range 200 {
		r := c.line("RANDOMKEY")
		seen[r] = true
	}
	assert.Equal(t, map[string]bool{bulk("a"): true, bulk("b"): true, bulk("c"): true}, seen)
	c.line("PEXPIRE a 1")
	c.line("PEXPIRE b 1")
	clk.Advance(2 * time.Millisecond)
	for range 20 {
		assert.Equal(t, bulk("c"), c.line("RANDOMKEY"))
	}
	c.line("PEXPIRE c 1")
	clk.Advance(2 * time.Millisecond)
	assert.Equal(t, nilBulk, c.line("RANDOMKEY"))
	assert.Equal(t, 0, e.main.dbs[0].size(), "expired keys met on the way are reclaimed")
	c.do("HELLO", "3")
	assert.Equal(t, resp3Null, c.line("RANDOMKEY"))
	assert.Equal(t, arity("randomkey"), c.line("RANDOMKEY x"))
}

func TestKeysExpire(t *testing.T) {
	invalid := func(cmd string) string { return errReply("ERR invalid expire time in '" + cmd + "' command") }
	runProto(t, 2, []step{
		{cmd: "EXPIRE nope 100", want: integer(0)},
		{cmd: "TTL nope", want: integer(-2)},
		{cmd: "PTTL nope", want: integer(-2)},
		{cmd: "EXPIRETIME nope", want: integer(-2)},
		{cmd: "PEXPIRETIME nope", want: integer(-2)},
		{cmd: "SET a 1", want: ok},
		{cmd: "TTL a", want: integer(-1)},
		{cmd: "PTTL a", want: integer(-1)},
		{cmd: "EXPIRETIME a", want: integer(-1)},
		{cmd: "PEXPIRETIME a", want: integer(-1)},
		{cmd: "EXPIRE a 100", want: integer(1)},
		{cmd: "TTL a", want: integer(100)},
		{cmd: "PEXPIRE a 200000", want: integer(1)},
		{cmd: "TTL a", want: integer(200)},
		{cmd: "EXPIREAT a 99999999999", want: integer(1)},
		{cmd: "EXPIRETIME a", want: integer(99999999999)},
		{cmd: "PEXPIRETIME a", want: integer(99999999999000)},
		{cmd: "PEXPIREAT a 99999999999500", want: integer(1)},
		{cmd: "EXPIRETIME a", want: integer(100000000000)},
		{cmd: "PEXPIREAT a 99999999999499", want: integer(1)},
		{cmd: "EXPIRETIME a", want: integer(99999999999)},
		// options
		{cmd: "PERSIST a", want: integer(1)},
		{cmd: "PERSIST a", want: integer(0)},
		{cmd: "PERSIST nope", want: integer(0)},
		{cmd: "EXPIRE a 100 XX", want: integer(0)},
		{cmd: "EXPIRE a 100 GT", want: integer(0)},
		{cmd: "EXPIRE a 100 LT", want: integer(1)},
		{cmd: "EXPIRE a 200 LT", want: integer(0)},
		{cmd: "EXPIRE a 50 LT", want: integer(1)},
		// 49, not 50: on a real server the clock moves between the two
		// commands, and "now+50s" may already be later than the TTL set.
		{cmd: "EXPIRE a 49 GT", want: integer(0)},
		{cmd: "EXPIRE a 60 gt", want: integer(1)},
		{cmd: "TTL a", want: integer(60)},
		{cmd: "EXPIRE a 100 NX", want: integer(0)},
		{cmd: "EXPIRE a 100 XX", want: integer(1)},
		{cmd: "EXPIRE a 200 XX GT", want: integer(1)},
		{cmd: "EXPIRE a 100 XX LT", want: integer(1)},
		{cmd: "TTL a", want: integer(100)},
		{cmd: "PERSIST a", want: integer(1)},
		{cmd: "EXPIRE a 100 NX", want: integer(1)},
		{cmd: "EXPIRE a 100 NX NX", want: integer(0)},
		{cmd: "EXPIRE nope 100 XX", want: integer(0)},
		{cmd: "EXPIRE a 10 NX XX", want: errReply("ERR NX and XX, GT or LT options at the same time are not compatible")},
		{cmd: "EXPIRE a 10 NX GT", want: errReply("ERR NX and XX, GT or LT options at the same time are not compatible")},
		{cmd: "EXPIRE a 10 LT NX", want: errReply("ERR NX and XX, GT or LT options at the same time are not compatible")},
		{cmd: "EXPIRE a 10 GT LT", want: errReply("ERR GT and LT options at the same time are not compatible")},
		{cmd: "EXPIRE a 10 XX GT LT", want: errReply("ERR GT and LT options at the same time are not compatible")},
		{cmd: "EXPIRE a 10 foo", want: errReply("ERR Unsupported option foo")},
		{cmd: "PEXPIREAT a 10 Bar", want: errReply("ERR Unsupported option Bar")},
		{cmd: "EXPIRE a abc foo", want: errReply("ERR Unsupported option foo")},
		{cmd: "EXPIRE a abc", want: errInt},
		{cmd: "EXPIRE a 1.5", want: errInt},
		{cmd: "EXPIRE a 9223372036854775807", want: invalid("expire")},
		{cmd: "EXPIRE a -9223372036854775807", want: invalid("expire")},
		{cmd: "EXPIRE a 9223372036854775", want: invalid("expire")},
		{cmd: "PEXPIRE a 9223372036854775807", want: invalid("pexpire")},
		{cmd: "EXPIREAT a 9223372036854775807", want: invalid("expireat")},
		{cmd: "EXPIREAT a 9223372036854776", want: invalid("expireat")},
		{cmd: "PEXPIREAT a -9223372036854775808", want: integer(1)},
		{cmd: "EXISTS a", want: integer(0)},
		{cmd: "EXPIRE nope 9223372036854775807", want: invalid("expire")},
		// a time in the past deletes the key
		{cmd: "SET a 1", want: ok},
		{cmd: "EXPIRE a -1", want: integer(1)},
		{cmd: "EXISTS a", want: integer(0)},
		{cmd: "SET a 1", want: ok},
		{cmd: "EXPIRE a 0", want: integer(1)},
		{cmd: "EXISTS a", want: integer(0)},
		{cmd: "SET a 1", want: ok},
		{cmd: "EXPIREAT a 1", want: integer(1)},
		{cmd: "EXISTS a", want: integer(0)},
		{cmd: "SET a 1", want: ok},
		{cmd: "PEXPIRE a -100 LT", want: integer(1)},
		{cmd: "EXISTS a", want: integer(0)},
		{cmd: "SET a 1", want: ok},
		{cmd: "PEXPIRE a -100 GT", want: integer(0)},
		{cmd: "EXISTS a", want: integer(1)},
		{cmd: "EXPIRE a", want: arity("expire")},
		{cmd: "PEXPIRE a", want: arity("pexpire")},
		{cmd: "EXPIREAT a", want: arity("expireat")},
		{cmd: "PEXPIREAT a", want: arity("pexpireat")},
		{cmd: "TTL", want: arity("ttl")},
		{cmd: "PTTL", want: arity("pttl")},
		{cmd: "EXPIRETIME", want: arity("expiretime")},
		{cmd: "PEXPIRETIME", want: arity("pexpiretime")},
		{cmd: "PERSIST", want: arity("persist")},
	})
}

// TTL rounds to the nearest second; PTTL is exact; a key is gone once now
// is past its deadline.
func TestKeysTTLClock(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	c.line("SET a 1")
	assert.Equal(t, integer(1), c.line("PEXPIRE a 2500"))
	assert.Equal(t, integer(3), c.line("TTL a"))
	clk.Advance(1 * time.Millisecond)
	assert.Equal(t, integer(2), c.line("TTL a"))
	assert.Equal(t, integer(2499), c.line("PTTL a"))
	assert.Equal(t, integer(1_700_000_002_500), c.line("PEXPIRETIME a"))
	assert.Equal(t, integer(1_700_000_003), c.line("EXPIRETIME a"))
	clk.Advance(2499 * time.Millisecond)
	assert.Equal(t, integer(0), c.line("PTTL a"))
	assert.Equal(t, integer(1), c.line("EXISTS a"))
	clk.Advance(time.Millisecond)
	assert.Equal(t, integer(-2), c.line("PTTL a"))
	// EXPIREAT exactly now deletes at once
	c.line("SET b 1")
	assert.Equal(t, integer(1), c.line("PEXPIREAT b "+itoa(clk.Now().UnixMilli())))
	assert.Equal(t, integer(0), c.line("EXISTS b"))
	c.line("SET b 1")
	assert.Equal(t, integer(1), c.line("PEXPIREAT b "+itoa(clk.Now().UnixMilli()+1)))
	assert.Equal(t, integer(1), c.line("EXISTS b"))
}

func TestKeysTouchObject(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "MSET a 1 b 2", want: ok},
		{cmd: "TOUCH a b nope", want: integer(2)},
		{cmd: "TOUCH", want: arity("touch")},
		{cmd: "SET i 12345", want: ok},
		{cmd: "OBJECT ENCODING i", want: bulk("int")},
		{cmd: "SET i -9223372036854775808", want: ok},
		{cmd: "OBJECT ENCODING i", want: bulk("int")},
		{cmd: "SET i 9223372036854775808", want: ok},
		{cmd: "OBJECT ENCODING i", want: bulk("embstr")},
		{cmd: "SET i 0123", want: ok},
		{cmd: "OBJECT ENCODING i", want: bulk("embstr")},
		{args: []string{"SET", "i", "12345678901234567890123456789012345678901234"}, want: ok},
		{cmd: "OBJECT ENCODING i", want: bulk("embstr")},
		{args: []string{"SET", "i", "123456789012345678901234567890123456789012345"}, want: ok},
		{cmd: "OBJECT ENCODING i", want: bulk("raw")},
		{args: []string{"SET", "i", ""}, want: ok},
		{cmd: "OBJECT ENCODING i", want: bulk("embstr")},
		{cmd: "OBJECT ENCODING nope", want: nilBulk},
		{cmd: "OBJECT REFCOUNT nope", want: nilBulk},
		{cmd: "OBJECT IDLETIME nope", want: nilBulk},
		{cmd: "OBJECT FREQ nope", want: nilBulk},
		{cmd: "SET n 9999", want: ok},
		{cmd: "OBJECT REFCOUNT n", want: integer(2147483647)},
		{cmd: "SET n 10000", want: ok},
		{cmd: "OBJECT REFCOUNT n", want: integer(1)},
		{cmd: "SET n -1", want: ok},
		{cmd: "OBJECT REFCOUNT n", want: integer(1)},
		{cmd: "SET n abc", want: ok},
		{cmd: "OBJECT REFCOUNT n", want: integer(1)},
		{cmd: "OBJECT IDLETIME n", want: integer(0)},
		{cmd: "OBJECT FREQ n", want: errReply("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")},
		{cmd: "OBJECT ENCODING", want: arity("object|encoding")},
		{cmd: "OBJECT ENCODING a b", want: arity("object|encoding")},
		{cmd: "OBJECT HELP x", want: arity("object|help")},
		{cmd: "OBJECT FOO a", want: errReply("ERR unknown subcommand 'FOO'. Try OBJECT HELP.")},
		{cmd: "OBJECT", want: arity("object")},
		{cmd: "OBJECT HELP", want: "*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n+    Return the kind of internal representation used in order to store the value\r\n+    associated with a <key>.\r\n+FREQ <key>\r\n+    Return the access frequency index of the <key>. The returned integer is\r\n+    proportional to the logarithm of the recent access frequency of the key.\r\n+IDLETIME <key>\r\n+    Return the idle time of the <key>, that is the approximated number of\r\n+    seconds elapsed since the last access to the key.\r\n+REFCOUNT <key>\r\n+    Return the number of references of the value associated with the specified\r\n+    <key>.\r\n+HELP\r\n+    Prints this help.\r\n"},
	})
}

func TestKeysObjectResp3(t *testing.T) {
	runProto(t, 3, []step{
		{cmd: "OBJECT ENCODING nope", want: resp3Null},
		{cmd: "OBJECT IDLETIME nope", want: resp3Null},
		{cmd: "TYPE nope", want: "+none\r\n"},
	})
}

// OBJECT IDLETIME counts seconds since the key was last written or
// TOUCHed; reading does not reset it (see idle.go).
func TestKeysObjectIdleTime(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	c.line("SET a 1")
	withList(t, c, "l")
	clk.Advance(10 * time.Second)
	assert.Equal(t, integer(10), c.line("OBJECT IDLETIME a"))
	c.line("GET a")
	assert.Equal(t, integer(10), c.line("OBJECT IDLETIME a"))
	c.line("INCR a")
	assert.Equal(t, integer(0), c.line("OBJECT IDLETIME a"))
	clk.Advance(5 * time.Second)
	assert.Equal(t, integer(5), c.line("OBJECT IDLETIME a"))
	assert.Equal(t, integer(1), c.line("TOUCH a"))
	assert.Equal(t, integer(0), c.line("OBJECT IDLETIME a"))
	clk.Advance(3 * time.Second)
	// the write time travels with RENAME and MOVE
	assert.Equal(t, ok, c.line("RENAME a b"))
	assert.Equal(t, integer(3), c.line("OBJECT IDLETIME b"))
	assert.Equal(t, integer(1), c.line("MOVE b 1"))
	c.line("SELECT 1")
	assert.Equal(t, integer(3), c.line("OBJECT IDLETIME b"))
	assert.Equal(t, integer(1), c.line("COPY b c"))
	assert.Equal(t, integer(0), c.line("OBJECT IDLETIME c"))
	c.line("SELECT 0")
	// a collection changed in place (modified) is a write too
	c.s.e.mu.Lock()
	c.s.modified([]byte("l"))
	c.s.e.mu.Unlock()
	assert.Equal(t, integer(0), c.line("OBJECT IDLETIME l"))
	// deleting forgets the time
	c.line("DEL l")
	_, kept := e.main.dbs[0].writeTime("l")
	assert.False(t, kept)
	require.NoError(t, e.config.set("maxmemory-policy", "allkeys-lfu", false))
	c.line("SELECT 1")
	assert.Equal(t, errReply("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."), c.line("OBJECT IDLETIME b"))
	c.line("SET fresh x")
	assert.Equal(t, integer(5), c.line("OBJECT FREQ fresh"), "a new key starts at LFU_INIT_VAL")
	require.NoError(t, e.config.set("maxmemory", "100mb", false))
	c.line("SET n 5")
	assert.Equal(t, integer(1), c.line("OBJECT REFCOUNT n"))
}

// Keyspace events, checked against redis-server 7.0 with
// redis-cli psubscribe '__keyevent@*__:*' running this same script.
func TestKeysNotifications(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	sub := newClient(t, e)
	require.NoError(t, e.config.set("notify-keyspace-events", "KEA", false))
	sub.line("PSUBSCRIBE __keyevent@*__:*") // the confirmation is taken here
	script := []string{
		"SET a 1", "SET a 2 EX 100", "SETEX b 10 v", "PSETEX c 100000 v", "SETNX d 1", "SETNX d 2",
		"MSET e 1 f 2", "MSETNX g 1", "MSETNX g 1", "GETSET a 3", "APPEND a x", "SETRANGE a 0 y",
		"INCR n", "DECRBY n 2", "INCRBYFLOAT n 1.5", "GETDEL n", "GETDEL n", "GETEX a EX 100",
		"GETEX a PERSIST", "GETEX a PERSIST", "GETEX b EXAT 1", "DEL e f nope", "UNLINK g",
		"RENAME a z", "RENAMENX z y", "MOVE y 1", "COPY d d2", "COPY d d DB 2", "EXPIRE d 100",
		"PEXPIRE d -1", "SET p 1", "EXPIRE p 100", "PERSIST p", "PERSIST p", "SET q 1 PX 1", "GET q",
		"SET r 1 KEEPTTL", "SET s 1 GET", "SET s 2 NX",
	}
	for _, cmd := range script {
		if cmd == "GET q" {
			clk.Advance(2 * time.Millisecond)
		}
		c.line(cmd)
	}
	out := string(sub.s.TakeOutput(nil))
	var got []string
	for _, msg := range strings.Split(out, "*4\r\n")[1:] {
		parts := strings.Split(msg, "\r\n")
		// pmessage, pattern, channel, key
		ch := strings.TrimPrefix(parts[5], "__keyevent@")
		db, event, _ := strings.Cut(ch, "__:")
		got = append(got, db+" "+event+" "+parts[7])
	}
	want := []string{
		"0 set a", "0 set a", "0 expire a", "0 set b", "0 expire b", "0 set c", "0 expire c",
		"0 set d", "0 set e", "0 set f", "0 set g", "0 set a", "0 append a", "0 setrange a",
		"0 incrby n", "0 incrby n", "0 incrbyfloat n", "0 del n", "0 expire a", "0 persist a",
		"0 del b", "0 del e", "0 del f", "0 del g", "0 rename_from a", "0 rename_to z",
		"0 rename_from z", "0 rename_to y", "0 move_from y", "1 move_to y", "0 copy_to d2",
		"2 copy_to d", "0 expire d", "0 del d", "0 set p", "0 expire p", "0 persist p",
		"0 set q", "0 expire q", "0 expired q", "0 set r", "0 set s",
	}
	assert.Equal(t, want, got)
}

// Keys that expire and are never read again are reclaimed by the active
// cycle: the key maps and the deadlines shrink (access records go with
// the keys).
func TestKeysActiveExpiryReclaims(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	db := e.main.dbs[0]
	for i := range 2000 {
		require.Equal(t, ok, c.line("SET vol:"+itoa(int64(i))+" v PX 10"))
	}
	for i := range 50 {
		require.Equal(t, ok, c.line("SET long:"+itoa(int64(i))+" v EX 1000"))
	}
	for i := range 100 {
		require.Equal(t, ok, c.line("SET keep:"+itoa(int64(i))+" v"))
	}
	withList(t, c, "list")
	require.Equal(t, integer(1), c.line("PEXPIRE list 10"))
	require.Equal(t, 2151, db.size())
	require.Len(t, db.expires, 2051)

	assert.Equal(t, 0, e.ActiveExpireCycle(), "nothing is due yet")
	clk.Advance(11 * time.Millisecond)
	total := 0
	for range 1000 {
		n := e.ActiveExpireCycle()
		total += n
		if len(db.expires) == 50 {
			break
		}
	}
	assert.Equal(t, 2001, total)
	assert.Equal(t, 150, db.size())
	assert.Len(t, db.expires, 50)
	assert.Equal(t, 0, db.objs.len())
	assert.Equal(t, integer(150), c.line("DBSIZE"))
	assert.Equal(t, integer(1000), c.line("TTL long:7"))

	// lazily: a due key is removed by the first command that touches it
	require.Equal(t, ok, c.line("SET lazy v PX 5"))
	clk.Advance(6 * time.Millisecond)
	require.Equal(t, 151, db.size(), "still stored until touched")
	assert.Equal(t, integer(-2), c.line("TTL lazy"))
	assert.Equal(t, 150, db.size())
	assert.Len(t, db.expires, 50)
}

// The active cycle works through every database.
func TestKeysActiveExpiryAllDBs(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	c.line("SET a v PX 1")
	c.line("SELECT 5")
	c.line("SET b v PX 1")
	clk.Advance(2 * time.Millisecond)
	assert.Equal(t, 2, e.ActiveExpireCycle())
	assert.Equal(t, 0, e.main.dbs[0].size())
	assert.Equal(t, 0, e.main.dbs[5].size())
}

// Read commands that miss send "keymiss" (class m); write lookups and
// OBJECT do not. Checked against redis-server 7.0 the same way.
func TestKeysKeymissNotifications(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	sub := newClient(t, e)
	require.NoError(t, e.config.set("notify-keyspace-events", "KEAm", false))
	sub.line("PSUBSCRIBE __keyevent@*__:*") // the confirmation is taken here
	script := []string{"GET nope1", "EXISTS nope2", "TYPE nope3", "OBJECT ENCODING nope4", "TTL nope5",
		"MGET nope6", "STRLEN nope7", "GETRANGE nope8 0 1", "TOUCH nope9", "COPY nope10 x", "LCS nope11 nope12",
		"SET nope13 v GET", "GETDEL nope14", "GETEX nope15", "INCR nope16", "DEL nope17", "RENAME nope18 x",
		"MOVE nope19 1", "EXPIRE nope20 1", "PTTL nope21", "EXPIRETIME nope22", "PERSIST nope23",
		"APPEND nope24 x", "GETSET nope25 x"}
	for _, cmd := range script {
		c.line(cmd)
	}
	var got []string
	for _, msg := range strings.Split(string(sub.s.TakeOutput(nil)), "*4\r\n")[1:] {
		parts := strings.Split(msg, "\r\n")
		_, event, _ := strings.Cut(parts[5], "__:")
		got = append(got, event+" "+parts[7])
	}
	want := []string{"keymiss nope1", "keymiss nope2", "keymiss nope3", "keymiss nope5", "keymiss nope6",
		"keymiss nope7", "keymiss nope8", "keymiss nope9", "keymiss nope10", "keymiss nope11", "keymiss nope12",
		"keymiss nope13", "set nope13", "keymiss nope14", "keymiss nope15", "incrby nope16", "keymiss nope21",
		"keymiss nope22", "append nope24", "keymiss nope25", "set nope25"}
	assert.Equal(t, want, got)
}

// RANDOMKEY draws every key about equally often, collections included.
func TestKeysRandomKeyUniform(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	args := []string{"MSET"}
	for i := range 5000 { // more than one shard
		args = append(args, "k"+itoa(int64(i)), "v")
	}
	c.do(args...)
	withList(t, c, "list")
	db := e.main.dbs[0]
	require.Greater(t, db.strs.shardBits(), 0)
	for i := 0; i < db.size(); i += 97 {
		assert.True(t, db.rawExists(db.nthKey(i)))
	}
	assert.Equal(t, "list", db.nthKey(db.size()-1))
	counts := map[string]int{}
	c.line("FLUSHALL")
	c.line("MSET a 1 b 2 c 3")
	withList(t, c, "d")
	for range 4000 {
		counts[c.line("RANDOMKEY")]++
	}
	assert.Len(t, counts, 4)
	for k, n := range counts {
		assert.InDelta(t, 1000, n, 150, k)
	}
}

// Every write path touches WATCHed keys (Redis's signalModifiedKey), and a
// failed conditional write does not.
func TestKeysWritesTouchWatchers(t *testing.T) {
	cases := []struct {
		setup, cmd string
		dirty      bool
	}{
		{"SET k 1", "SET k 2", true},
		{"SET k 1", "SET k 2 NX", false},
		{"SET k 1", "APPEND k x", true},
		{"SET k 1", "SETRANGE k 0 x", true},
		{"SET k 1", "INCR k", true},
		{"SET k 1", "INCRBYFLOAT k 1", true},
		{"SET k 1", "GETDEL k", true},
		{"SET k 1", "GETEX k EX 100", true},
		{"SET k 1", "GETEX k", false},
		{"SET k 1", "EXPIRE k 100", true},
		{"SET k 1", "EXPIRE k 100 XX", false},
		{"SET k 1 EX 100", "PERSIST k", true},
		{"SET k 1", "PERSIST k", false},
		{"SET k 1", "RENAME k j", true},
		{"SET j 1", "RENAME j k", true},
		{"SET k 1", "MOVE k 1", true},
		{"SET j 1", "COPY j k", true},
		{"SET k 1", "DEL k", true},
		{"SET k 1", "UNLINK k", true},
		{"SET k 1", "GET k", false},
		{"SET k 1", "TOUCH k", false},
		{"SET k 1", "MSETNX k 2", false},
		{"SET k 1", "MSET k 2", true},
	}
	for _, tc := range cases {
		e, _ := testEngine(t)
		a, b := newClient(t, e), newClient(t, e)
		a.line(tc.setup)
		require.Equal(t, ok, a.line("WATCH k"))
		b.line(tc.cmd)
		a.line("MULTI")
		a.line("PING")
		got := a.line("EXEC")
		if tc.dirty {
			assert.Equal(t, nilArr, got, tc.cmd)
		} else {
			assert.Equal(t, arr("+PONG\r\n"), got, tc.cmd)
		}
	}
}

// TestRandomDiff runs random string and key commands on the engine and,
// with GOREDIS_DIFF set, on a real Redis, comparing every reply. Commands
// whose replies depend on hash order or wall time are left out, and so is
// OBJECT ENCODING: GoRedis derives a string's encoding from its value, while
// Redis also remembers how it was written ("raw" after APPEND or SETRANGE,
// never "int" after INCRBYFLOAT).
func TestRandomDiff(t *testing.T) {
	addr := os.Getenv("GOREDIS_DIFF")
	if addr == "" {
		t.Skip("set GOREDIS_DIFF=host:port of a redis-server to run")
	}
	for seed := range uint64(8) {
		randomDiff(t, addr, rand.New(rand.NewPCG(seed, 9)), 2+int(seed%2))
	}
}

func randomDiff(t *testing.T, addr string, rng *rand.Rand, proto int) {
	keys := []string{"a", "b", "c"}
	vals := []string{"0", "1", "-5", "9223372036854775807", "1.5", "abc", "", "hello world", "0x10", "10000"}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	// Deadlines are all distinct whole seconds, so GT/LT compare the same
	// way on a frozen clock and on Redis's moving one.
	used := map[int]bool{}
	secs := func() int {
		for {
			if v := 1000 + rng.IntN(1_000_000); !used[v] {
				used[v] = true
				return v
			}
		}
	}
	ttl := func() string { return strconv.Itoa(secs()) }
	pttl := func() string { return strconv.Itoa(secs() * 1000) }
	gens := []func() []string{
		func() []string { return []string{"SET", pick(keys), pick(vals)} },
		func() []string {
			return []string{"SET", pick(keys), pick(vals), pick([]string{"NX", "XX", "GET", "KEEPTTL"}), "EX", pick([]string{ttl(), "0", "-1", "x"})}
		},
		func() []string { return []string{"SET", pick(keys), pick(vals), "GET", pick([]string{"NX", "XX"})} },
		func() []string { return []string{"GET", pick(keys)} },
		func() []string { return []string{"APPEND", pick(keys), pick(vals)} },
		func() []string {
			return []string{"SETRANGE", pick(keys), pick([]string{"0", "3", "20", "-1"}), pick(vals)}
		},
		func() []string {
			return []string{"GETRANGE", pick(keys), pick([]string{"0", "-3", "2", "-100"}), pick([]string{"-1", "1", "100", "-5"})}
		},
		func() []string { return []string{"INCR", pick(keys)} },
		func() []string { return []string{"DECRBY", pick(keys), pick(vals)} },
		func() []string { return []string{"INCRBY", pick(keys), pick(vals)} },
		func() []string { return []string{"INCRBYFLOAT", pick(keys), pick(vals)} },
		func() []string { return []string{"GETSET", pick(keys), pick(vals)} },
		func() []string { return []string{"GETDEL", pick(keys)} },
		func() []string { return []string{"GETEX", pick(keys), "PERSIST"} },
		func() []string { return []string{"GETEX", pick(keys), "EX", ttl()} },
		func() []string { return []string{"SET", pick(keys), pick(vals), "PX", pttl()} },
		func() []string { return []string{"GETEX", pick(keys), "EXAT", "1"} },
		func() []string { return []string{"MSET", pick(keys), pick(vals), pick(keys), pick(vals)} },
		func() []string { return []string{"MSETNX", pick(keys), pick(vals), pick(keys), pick(vals)} },
		func() []string { return []string{"MGET", pick(keys), pick(keys), "nope"} },
		func() []string { return []string{"STRLEN", pick(keys)} },
		func() []string { return []string{"SETNX", pick(keys), pick(vals)} },
		func() []string { return []string{"DEL", pick(keys), pick(keys)} },
		func() []string { return []string{"EXISTS", pick(keys), pick(keys)} },
		func() []string { return []string{"TYPE", pick(keys)} },
		func() []string { return []string{"RENAME", pick(keys), pick(keys)} },
		func() []string { return []string{"RENAMENX", pick(keys), pick(keys)} },
		func() []string {
			return []string{"COPY", pick(keys), pick(keys), pick([]string{"REPLACE", "DB", "FOO"}), "1"}
		},
		func() []string { return []string{"MOVE", pick(keys), pick([]string{"0", "1"})} },
		func() []string { return []string{"SELECT", pick([]string{"0", "1"})} },
		func() []string {
			return []string{"EXPIRE", pick(keys), pick([]string{ttl(), ttl(), "-1", "0"}), pick([]string{"NX", "XX", "GT", "LT"})}
		},
		func() []string { return []string{"PEXPIRE", pick(keys), pttl(), pick([]string{"GT", "LT"})} },
		func() []string { return []string{"EXPIREAT", pick(keys), "1"} },
		func() []string { return []string{"TTL", pick(keys)} },
		func() []string { return []string{"PERSIST", pick(keys)} },
		func() []string {
			return []string{"LCS", pick(keys), pick(keys), pick([]string{"LEN", "IDX", "WITHMATCHLEN"})}
		},
		func() []string { return []string{"DBSIZE"} },
	}
	var steps []step
	for range 1000 { // short runs: TTL rounding tolerates under 500 ms of drift
		steps = append(steps, step{args: gens[rng.IntN(len(gens))]()})
	}
	// Replies from the engine become the expectations; diffSteps then
	// compares them with Redis's.
	e, _ := testEngine(t)
	c := newClient(t, e)
	if proto == 3 {
		c.do("HELLO", "3")
	}
	for i := range steps {
		steps[i].want = c.do(steps[i].args...)
	}
	diffSteps(t, addr, proto, steps)
}

func TestCopyCollections(t *testing.T) {
	runSteps(t, []step{
		{cmd: "RPUSH l a b c", want: integer(3)},
		{cmd: "COPY l l2", want: integer(1)},
		{cmd: "RPUSH l2 d", want: integer(4)},
		{cmd: "LRANGE l 0 -1", want: bulks("a", "b", "c")},
		{cmd: "LRANGE l2 0 -1", want: bulks("a", "b", "c", "d")},
		{cmd: "HSET h f v", want: integer(1)},
		{cmd: "COPY h h2", want: integer(1)},
		{cmd: "HSET h2 f w", want: integer(0)},
		{cmd: "HGET h f", want: bulk("v")},
		{cmd: "HGET h2 f", want: bulk("w")},
	})
	e, _ := testEngine(t)
	c := newClient(t, e)
	args := []string{"HSET", "big"}
	for i := 0; i < 600; i++ {
		args = append(args, "f"+itoa(int64(i)), "v")
	}
	c.do(args...)
	require.Equal(t, integer(1), c.line("COPY big big2"))
	require.Equal(t, integer(1), c.line("HDEL big2 f7"))
	assert.Equal(t, bulk("v"), c.line("HGET big f7"))
	assert.Equal(t, integer(599), c.line("HLEN big2"))
	assert.Equal(t, bulk("hashtable"), c.line("OBJECT ENCODING big2"))
}

// Redis holds a string that APPEND grew or SETRANGE wrote as a raw sds,
// whatever it looks like, until the key is written some other way; RENAME,
// MOVE, COPY and SWAPDB keep it (replies recorded from redis-server 7.0).
func TestObjectEncodingRawStrings(t *testing.T) {
	runProto(t, 2, []step{
		{cmd: "SET a abc", want: ok},
		{cmd: "APPEND a d", want: integer(4)},
		{cmd: "OBJECT ENCODING a", want: bulk("raw")},
		{cmd: "SET b 12", want: ok},
		{cmd: "APPEND b 3", want: integer(3)},
		{cmd: "OBJECT ENCODING b", want: bulk("raw")},
		{cmd: "APPEND c xyz", want: integer(3)},
		{cmd: "OBJECT ENCODING c", want: bulk("embstr")},
		{cmd: "APPEND n 12", want: integer(2)},
		{cmd: "OBJECT ENCODING n", want: bulk("int")},
		{cmd: "SET d hello", want: ok},
		{cmd: "SETRANGE d 1 x", want: integer(5)},
		{cmd: "OBJECT ENCODING d", want: bulk("raw")},
		{cmd: "SETRANGE e 0 x", want: integer(1)},
		{cmd: "OBJECT ENCODING e", want: bulk("raw")},
		{args: []string{"SETRANGE", "i", "0", ""}, want: integer(0)},
		{cmd: "EXISTS i", want: integer(0)},
		{cmd: "SET i 1234", want: ok},
		{args: []string{"SETRANGE", "i", "0", ""}, want: integer(4)},
		{cmd: "OBJECT ENCODING i", want: bulk("int")},
		{cmd: "SETRANGE i 0 2", want: integer(4)},
		{cmd: "OBJECT ENCODING i", want: bulk("raw")},
		{cmd: "INCR i", want: integer(2235)},
		{cmd: "OBJECT ENCODING i", want: bulk("int")},
		{cmd: "SET k 5", want: ok},
		{cmd: "APPEND k 5", want: integer(2)},
		{cmd: "GETSET k 6", want: bulk("55")},
		{cmd: "OBJECT ENCODING k", want: bulk("int")},
		{cmd: "APPEND k 1", want: integer(2)},
		{cmd: "EXPIRE k 100", want: integer(1)},
		{cmd: "OBJECT ENCODING k", want: bulk("raw")},
		{cmd: "RENAME k r", want: ok},
		{cmd: "OBJECT ENCODING r", want: bulk("raw")},
		{cmd: "COPY r r2", want: integer(1)},
		{cmd: "OBJECT ENCODING r2", want: bulk("raw")},
		{cmd: "MOVE r2 1", want: integer(1)},
		{cmd: "SWAPDB 0 1", want: ok},
		{cmd: "OBJECT ENCODING r2", want: bulk("raw")},
		{cmd: "SWAPDB 0 1", want: ok},
		{cmd: "DEL r", want: integer(1)},
		{cmd: "SET r 61", want: ok},
		{cmd: "OBJECT ENCODING r", want: bulk("int")},
		{cmd: "FLUSHALL", want: ok},
		{cmd: "SET a 1", want: ok},
		{cmd: "OBJECT ENCODING a", want: bulk("int")},
	})
}
