package engine

import (
	"bufio"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// anyReply as a step's want skips the comparison (HELLO, whose reply
// carries a server's own id and version).
const anyReply = "\x00any"

const wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"

// checkSteps runs steps on a fresh engine and, when GOREDIS_DIFF_ADDR
// names a real redis-server (host:port), the same steps there after a
// FLUSHALL, so every expected reply is also Redis's own:
//
//	GOREDIS_DIFF_ADDR=127.0.0.1:7103 go test ./engine/ -run 'TestList|TestHash'
func checkSteps(t *testing.T, steps []step) {
	t.Helper()
	e, _ := testEngine(t)
	c := newClient(t, e)
	for i, st := range steps {
		args := st.args
		if args == nil {
			args = strings.Fields(st.cmd)
		}
		got := c.do(args...)
		if st.want != anyReply {
			require.Equalf(t, st.want, got, "step %d: %q", i, args)
		}
	}
	addr := os.Getenv("GOREDIS_DIFF_ADDR")
	if addr == "" {
		return
	}
	r := dialReal(t, addr)
	r.do("FLUSHALL")
	for i, st := range steps {
		args := st.args
		if args == nil {
			args = strings.Fields(st.cmd)
		}
		got := r.do(args...)
		if st.want != anyReply {
			require.Equalf(t, st.want, got, "real redis, step %d: %q", i, args)
		}
	}
}

// realConn is a connection to a real redis-server for differential tests.
type realConn struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialReal(t *testing.T, addr string) *realConn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return &realConn{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func (c *realConn) do(args ...string) string {
	c.t.Helper()
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	require.NoError(c.t, c.conn.SetDeadline(time.Now().Add(5*time.Second)))
	_, err := c.conn.Write([]byte(b.String()))
	require.NoError(c.t, err)
	var out strings.Builder
	require.NoError(c.t, readRawReply(c.r, &out))
	return out.String()
}

// readRawReply copies one complete RESP2/RESP3 reply to out.
func readRawReply(r *bufio.Reader, out *strings.Builder) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	out.WriteString(line)
	n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	switch line[0] {
	case '$', '=', '!':
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		out.Write(buf)
	case '*', '~', '>', '%', '|':
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readRawReply(r, out); err != nil {
				return err
			}
		}
		if line[0] == '|' { // an attribute precedes the real reply
			return readRawReply(r, out)
		}
	}
	return nil
}

func TestListPushPopCommands(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "LPUSH l a b c", want: integer(3)},
		{cmd: "RPUSH l d e", want: integer(5)},
		{cmd: "LRANGE l 0 -1", want: bulks("c", "b", "a", "d", "e")},
		{cmd: "LPUSHX nokey a", want: integer(0)},
		{cmd: "RPUSHX nokey a", want: integer(0)},
		{cmd: "EXISTS nokey", want: integer(0)},
		{cmd: "LPUSHX l x", want: integer(6)},
		{cmd: "RPUSHX l y z", want: integer(8)},
		{cmd: "LPOP l", want: bulk("x")},
		{cmd: "RPOP l", want: bulk("z")},
		{cmd: "LPOP l 2", want: bulks("c", "b")},
		{cmd: "RPOP l 2", want: bulks("y", "e")},
		{cmd: "LPOP l 0", want: arr()},
		{cmd: "LLEN l", want: integer(2)},
		{cmd: "RPOP l 10", want: bulks("d", "a")},
		{cmd: "EXISTS l", want: integer(0)},
		{cmd: "LPOP l", want: nilBulk},
		{cmd: "LPOP l 2", want: nilArr},
		{cmd: "LPOP l 0", want: nilArr},
		{cmd: "RPOP l 0", want: nilArr},
		{cmd: "LLEN l", want: integer(0)},
		{cmd: "RPUSH l a", want: integer(1)},
		{cmd: "LPOP l 1", want: bulks("a")},
		{cmd: "EXISTS l", want: integer(0)},
	})
}

func TestListPopErrors(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "LPOP nokey -1", want: errReply("ERR value is out of range, must be positive")},
		{cmd: "LPOP nokey abc", want: errReply("ERR value is out of range, must be positive")},
		{cmd: "RPUSH l a b", want: integer(2)},
		{cmd: "RPOP l -1", want: errReply("ERR value is out of range, must be positive")},
		{cmd: "LPOP l 1 2", want: errReply("ERR wrong number of arguments for 'lpop' command")},
		{cmd: "RPOP l 1 2", want: errReply("ERR wrong number of arguments for 'rpop' command")},
		{cmd: "LPOP", want: errReply("ERR wrong number of arguments for 'lpop' command")},
		{cmd: "LPUSH l", want: errReply("ERR wrong number of arguments for 'lpush' command")},
		{cmd: "SET s x", want: ok},
		{cmd: "LPUSH s a", want: wrongType},
		{cmd: "RPUSH s a", want: wrongType},
		{cmd: "LPUSHX s a", want: wrongType},
		{cmd: "RPUSHX s a", want: wrongType},
		{cmd: "LPOP s", want: wrongType},
		{cmd: "RPOP s 0", want: wrongType},
		{cmd: "LLEN s", want: wrongType},
	})
}

func TestListPopResp3(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "HELLO 3", want: anyReply},
		{cmd: "LPOP nokey", want: "_\r\n"},
		{cmd: "LPOP nokey 2", want: "_\r\n"},
		{cmd: "LPOP nokey 0", want: "_\r\n"},
		{cmd: "RPUSH l a", want: integer(1)},
		{cmd: "LPOP l 0", want: arr()},
		{cmd: "RPOP l 5", want: bulks("a")},
		{cmd: "LINDEX l 0", want: "_\r\n"},
		{cmd: "LPOS l a", want: "_\r\n"},
		{cmd: "LMPOP 1 l LEFT", want: "_\r\n"},
		{cmd: "LMOVE l m LEFT LEFT", want: "_\r\n"},
	})
}

func TestListIndexRange(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "LINDEX nokey abc", want: nilBulk},
		{cmd: "LRANGE nokey 0 1", want: arr()},
		{cmd: "LRANGE nokey a 1", want: errReply(errNotInt)},
		{cmd: "RPUSH l a b c a b c a", want: integer(7)},
		{cmd: "LINDEX l abc", want: errReply(errNotInt)},
		{cmd: "LINDEX l 0", want: bulk("a")},
		{cmd: "LINDEX l -1", want: bulk("a")},
		{cmd: "LINDEX l 2", want: bulk("c")},
		{cmd: "LINDEX l 7", want: nilBulk},
		{cmd: "LINDEX l -7", want: bulk("a")},
		{cmd: "LINDEX l -8", want: nilBulk},
		{cmd: "LRANGE l 0 -1", want: bulks("a", "b", "c", "a", "b", "c", "a")},
		{cmd: "LRANGE l -100 100", want: bulks("a", "b", "c", "a", "b", "c", "a")},
		{cmd: "LRANGE l 5 2", want: arr()},
		{cmd: "LRANGE l -3 -1", want: bulks("b", "c", "a")},
		{cmd: "LRANGE l 6 100", want: bulks("a")},
		{cmd: "LRANGE l 7 100", want: arr()},
		{cmd: "LRANGE l 1 x", want: errReply(errNotInt)},
		{cmd: "LRANGE l 0 -9223372036854775808", want: arr()},
		{cmd: "LRANGE l -9223372036854775808 9223372036854775807", want: bulks("a", "b", "c", "a", "b", "c", "a")},
		{cmd: "LINDEX l -9223372036854775808", want: nilBulk},
		{cmd: "LINDEX l 9223372036854775807", want: nilBulk},
		{cmd: "LSET l 9223372036854775807 x", want: errReply("ERR index out of range")},
		{cmd: "LSET l -9223372036854775808 x", want: errReply("ERR index out of range")},
		{cmd: "LTRIM l -9223372036854775808 9223372036854775807", want: ok},
		{cmd: "LLEN l", want: integer(7)},
		{cmd: "SET s x", want: ok},
		{cmd: "LINDEX s abc", want: wrongType},
		{cmd: "LRANGE s a 1", want: errReply(errNotInt)},
		{cmd: "LRANGE s 0 1", want: wrongType},
	})
}

func TestListSet(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "LSET nokey abc x", want: errReply("ERR no such key")},
		{cmd: "LSET nokey 0 x", want: errReply("ERR no such key")},
		{cmd: "RPUSH l a b c", want: integer(3)},
		{cmd: "LSET l x x", want: errReply(errNotInt)},
		{cmd: "LSET l 3 x", want: errReply("ERR index out of range")},
		{cmd: "LSET l -4 x", want: errReply("ERR index out of range")},
		{cmd: "LSET l -3 x", want: ok},
		{cmd: "LSET l 1 y", want: ok},
		{cmd: "LSET l -1 z", want: ok},
		{cmd: "LRANGE l 0 -1", want: bulks("x", "y", "z")},
		{cmd: "SET s x", want: ok},
		{cmd: "LSET s abc x", want: wrongType},
	})
}

func TestListTrim(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "LTRIM nokey a 1", want: errReply(errNotInt)},
		{cmd: "LTRIM nokey 0 1", want: ok},
		{cmd: "RPUSH l a b c d e", want: integer(5)},
		{cmd: "LTRIM l 1 x", want: errReply(errNotInt)},
		{cmd: "LTRIM l 1 -2", want: ok},
		{cmd: "LRANGE l 0 -1", want: bulks("b", "c", "d")},
		{cmd: "LTRIM l -100 100", want: ok},
		{cmd: "LRANGE l 0 -1", want: bulks("b", "c", "d")},
		{cmd: "LTRIM l 0 0", want: ok},
		{cmd: "LRANGE l 0 -1", want: bulks("b")},
		{cmd: "LTRIM l 1 0", want: ok},
		{cmd: "EXISTS l", want: integer(0)},
		{cmd: "RPUSH l a b", want: integer(2)},
		{cmd: "LTRIM l 5 10", want: ok},
		{cmd: "EXISTS l", want: integer(0)},
		{cmd: "SET s x", want: ok},
		{cmd: "LTRIM s 0 1", want: wrongType},
		{cmd: "LTRIM s a 1", want: errReply(errNotInt)},
	})
}

func TestListInsertRem(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "LINSERT nokey middle a b", want: errReply(errSyntax)},
		{cmd: "LINSERT nokey before a b", want: integer(0)},
		{cmd: "LREM nokey a x", want: errReply(errNotInt)},
		{cmd: "LREM nokey 0 x", want: integer(0)},
		{cmd: "RPUSH l a b c", want: integer(3)},
		{cmd: "LINSERT l BEFORE a x", want: integer(4)},
		{cmd: "LINSERT l after c y", want: integer(5)},
		{cmd: "LINSERT l AfTeR b z", want: integer(6)},
		{cmd: "LINSERT l before nope z", want: integer(-1)},
		{cmd: "LRANGE l 0 -1", want: bulks("x", "a", "b", "z", "c", "y")},
		{cmd: "RPUSH r a x a y a z a", want: integer(7)},
		{cmd: "LREM r 2 a", want: integer(2)},
		{cmd: "LRANGE r 0 -1", want: bulks("x", "y", "a", "z", "a")},
		{cmd: "LREM r -1 a", want: integer(1)},
		{cmd: "LRANGE r 0 -1", want: bulks("x", "y", "a", "z")},
		{cmd: "LREM r 0 nope", want: integer(0)},
		{cmd: "RPUSH r a a", want: integer(6)},
		{cmd: "LREM r 0 a", want: integer(3)},
		{cmd: "LRANGE r 0 -1", want: bulks("x", "y", "z")},
		{cmd: "RPUSH r b b b", want: integer(6)},
		{cmd: "LREM r -9223372036854775808 b", want: integer(3)},
		{cmd: "LREM r 100 x", want: integer(1)},
		{cmd: "LREM r -100 y", want: integer(1)},
		{cmd: "LREM r 0 z", want: integer(1)},
		{cmd: "EXISTS r", want: integer(0)},
		{cmd: "SET s x", want: ok},
		{cmd: "LINSERT s middle a b", want: errReply(errSyntax)},
		{cmd: "LINSERT s before a b", want: wrongType},
		{cmd: "LREM s a x", want: errReply(errNotInt)},
		{cmd: "LREM s 1 x", want: wrongType},
	})
}

func TestListPos(t *testing.T) {
	const rankZero = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	checkSteps(t, []step{
		{cmd: "LPOS nokey a", want: nilBulk},
		{cmd: "LPOS nokey a COUNT 0", want: arr()},
		{cmd: "LPOS nokey a RANK 0", want: errReply(rankZero)},
		{cmd: "LPOS nokey a COUNT -1", want: errReply("ERR COUNT can't be negative")},
		{cmd: "LPOS nokey a COUNT x", want: errReply("ERR COUNT can't be negative")},
		{cmd: "LPOS nokey a MAXLEN -1", want: errReply("ERR MAXLEN can't be negative")},
		{cmd: "LPOS nokey a MAXLEN x", want: errReply("ERR MAXLEN can't be negative")},
		{cmd: "LPOS nokey a RANK x", want: errReply(errNotInt)},
		{cmd: "LPOS nokey a foo", want: errReply(errSyntax)},
		{cmd: "LPOS nokey a RANK", want: errReply(errSyntax)},
		{cmd: "RPUSH l a b c a b c a", want: integer(7)},
		{cmd: "LPOS l a", want: integer(0)},
		{cmd: "LPOS l c", want: integer(2)},
		{cmd: "LPOS l z", want: nilBulk},
		{cmd: "LPOS l a RANK 2", want: integer(3)},
		{cmd: "LPOS l a RANK -1", want: integer(6)},
		{cmd: "LPOS l a RANK -2 COUNT 0", want: arr(integer(3), integer(0))},
		{cmd: "LPOS l a COUNT 2 MAXLEN 4", want: arr(integer(0), integer(3))},
		{cmd: "LPOS l a RANK 2 MAXLEN 4", want: integer(3)},
		{cmd: "LPOS l a RANK 2 MAXLEN 3", want: nilBulk},
		{cmd: "LPOS l a RANK -1 MAXLEN 1", want: integer(6)},
		{cmd: "LPOS l a RANK -1 MAXLEN 2 COUNT 0", want: arr(integer(6))},
		{cmd: "LPOS l z COUNT 0", want: arr()},
		{cmd: "LPOS l a RANK 10", want: nilBulk},
		{cmd: "LPOS l a RANK 10 COUNT 3", want: arr()},
		{cmd: "LPOS l a RANK 1 RANK 2", want: integer(3)},
		{cmd: "LPOS l a COUNT 0", want: arr(integer(0), integer(3), integer(6))},
		{cmd: "LPOS l a COUNT 1", want: arr(integer(0))},
		{cmd: "LPOS l a rank -9223372036854775808", want: integer(6)},
		{cmd: "LPOS l a rank -9223372036854775808 count 2", want: arr(integer(6), integer(3), integer(0))},
		{cmd: "LPOS l a rank -9223372036854775807", want: nilBulk},
		{cmd: "SET s x", want: ok},
		{cmd: "LPOS s a", want: wrongType},
		{cmd: "LPOS s a RANK 0", want: errReply(rankZero)},
	})
}

func TestListMove(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "LMOVE nokey m LEFT LEFT", want: nilBulk},
		{cmd: "LMOVE l m middle left", want: errReply(errSyntax)},
		{cmd: "LMOVE l m left x", want: errReply(errSyntax)},
		{cmd: "RPUSH l a b c", want: integer(3)},
		{cmd: "LMOVE l m LEFT RIGHT", want: bulk("a")},
		{cmd: "LMOVE l m right left", want: bulk("c")},
		{cmd: "LRANGE m 0 -1", want: bulks("c", "a")},
		{cmd: "RPOPLPUSH m l", want: bulk("a")},
		{cmd: "LRANGE l 0 -1", want: bulks("a", "b")},
		{cmd: "LMOVE l l LEFT RIGHT", want: bulk("a")},
		{cmd: "LRANGE l 0 -1", want: bulks("b", "a")},
		{cmd: "RPOPLPUSH l l", want: bulk("a")},
		{cmd: "LRANGE l 0 -1", want: bulks("a", "b")},
		{cmd: "RPOPLPUSH nokey l", want: nilBulk},
		{cmd: "RPOPLPUSH m l", want: bulk("c")},
		{cmd: "EXISTS m", want: integer(0)},
		{cmd: "RPUSH one x", want: integer(1)},
		{cmd: "LMOVE one one LEFT LEFT", want: bulk("x")},
		{cmd: "LRANGE one 0 -1", want: bulks("x")},
		{cmd: "SET s x", want: ok},
		{cmd: "LMOVE l s LEFT LEFT", want: wrongType},
		{cmd: "LMOVE s l LEFT LEFT", want: wrongType},
		{cmd: "RPOPLPUSH l s", want: wrongType},
		{cmd: "RPOPLPUSH nokey s", want: nilBulk},
		{cmd: "LRANGE l 0 -1", want: bulks("c", "a", "b")},
	})
}

func TestListMPop(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "LMPOP 0 l left", want: errReply("ERR numkeys should be greater than 0")},
		{cmd: "LMPOP -1 l left", want: errReply("ERR numkeys should be greater than 0")},
		{cmd: "LMPOP x l left", want: errReply("ERR numkeys should be greater than 0")},
		{cmd: "LMPOP 2 l left", want: errReply(errSyntax)},
		{cmd: "LMPOP 9223372036854775807 l left", want: errReply(errSyntax)},
		{cmd: "LMPOP 1 l middle", want: errReply(errSyntax)},
		{cmd: "LMPOP 1 l left count 0", want: errReply("ERR count should be greater than 0")},
		{cmd: "LMPOP 1 l left count -1", want: errReply("ERR count should be greater than 0")},
		{cmd: "LMPOP 1 l left count x", want: errReply("ERR count should be greater than 0")},
		{cmd: "LMPOP 1 l left count 1 count 1", want: errReply(errSyntax)},
		{cmd: "LMPOP 1 l left foo", want: errReply(errSyntax)},
		{cmd: "LMPOP 1 l left count", want: errReply(errSyntax)},
		{cmd: "LMPOP 1 nokey left", want: nilArr},
		{cmd: "RPUSH l a b c", want: integer(3)},
		{cmd: "LMPOP 2 l x left", want: arr(bulk("l"), bulks("a"))},
		{cmd: "LMPOP 2 nokey l RIGHT COUNT 5", want: arr(bulk("l"), bulks("c", "b"))},
		{cmd: "EXISTS l", want: integer(0)},
		{cmd: "SET s x", want: ok},
		{cmd: "RPUSH l a", want: integer(1)},
		{cmd: "LMPOP 2 s l left", want: wrongType},
		{cmd: "LMPOP 2 l s left", want: arr(bulk("l"), bulks("a"))},
		{cmd: "LMPOP 2 l s left", want: wrongType},
	})
}

func TestListBlockingImmediate(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "SET s x", want: ok},
		{cmd: "RPUSH l a b", want: integer(2)},
		{cmd: "BLPOP l x", want: errReply("ERR timeout is not a float or out of range")},
		{cmd: "BLPOP l -1", want: errReply("ERR timeout is negative")},
		{cmd: "BLPOP l nan", want: errReply("ERR timeout is not a float or out of range")},
		{cmd: "BLPOP l inf", want: errReply("ERR timeout is negative")},
		{cmd: "BLPOP l 1e100", want: errReply("ERR timeout is negative")},
		{cmd: "BLPOP l 1_0", want: errReply("ERR timeout is not a float or out of range")},
		{args: []string{"BLPOP", "l", " 1"}, want: errReply("ERR timeout is not a float or out of range")},
		{cmd: "BLPOP s 0", want: wrongType},
		{cmd: "BLPOP nokey s 0", want: wrongType},
		{cmd: "BLPOP nokey l 0", want: bulks("l", "a")},
		{cmd: "BRPOP nokey l 0.5", want: bulks("l", "b")},
		{cmd: "EXISTS l", want: integer(0)},
		{cmd: "RPUSH l a b c", want: integer(3)},
		{cmd: "BLMOVE l m left left x", want: errReply("ERR timeout is not a float or out of range")},
		{cmd: "BLMOVE l m x left x", want: errReply(errSyntax)},
		{cmd: "BLMOVE l m left left -1", want: errReply("ERR timeout is negative")},
		{cmd: "BRPOPLPUSH l m x", want: errReply("ERR timeout is not a float or out of range")},
		{cmd: "BRPOPLPUSH s m x", want: errReply("ERR timeout is not a float or out of range")},
		{cmd: "BRPOPLPUSH nokey m -1", want: errReply("ERR timeout is negative")},
		{cmd: "BRPOPLPUSH s m 0", want: wrongType},
		{cmd: "BRPOPLPUSH l s 0", want: wrongType},
		{cmd: "BLMOVE l m RIGHT LEFT 0", want: bulk("c")},
		{cmd: "BRPOPLPUSH l m 0", want: bulk("b")},
		{cmd: "LRANGE m 0 -1", want: bulks("b", "c")},
		{cmd: "BLMPOP x 1 l left", want: errReply("ERR timeout is not a float or out of range")},
		{cmd: "BLMPOP 0 0 l left", want: errReply("ERR numkeys should be greater than 0")},
		{cmd: "BLMPOP -1 1 l left", want: errReply("ERR timeout is negative")},
		{cmd: "BLMPOP 0 1 l middle", want: errReply(errSyntax)},
		{cmd: "BLMPOP 0 1 l left count 0", want: errReply("ERR count should be greater than 0")},
		{cmd: "BLMPOP 0 2 s l left", want: wrongType},
		{cmd: "BLMPOP 0 2 nokey m right COUNT 3", want: arr(bulk("m"), bulks("c", "b"))},
	})
}

func TestListBlockingInMulti(t *testing.T) {
	checkSteps(t, []step{
		{cmd: "MULTI", want: ok},
		{cmd: "BRPOPLPUSH nokey m 0", want: "+QUEUED\r\n"},
		{cmd: "BLMOVE nokey m left left 0", want: "+QUEUED\r\n"},
		{cmd: "BLMPOP 0 1 nokey left", want: "+QUEUED\r\n"},
		{cmd: "BLPOP nokey 0", want: "+QUEUED\r\n"},
		{cmd: "BRPOP nokey 0", want: "+QUEUED\r\n"},
		{cmd: "EXEC", want: arr(nilBulk, nilBulk, nilArr, nilArr, nilArr)},
		{cmd: "HELLO 3", want: anyReply},
		{cmd: "MULTI", want: ok},
		{cmd: "BRPOPLPUSH nokey m 0", want: "+QUEUED\r\n"},
		{cmd: "BLPOP nokey 0", want: "+QUEUED\r\n"},
		{cmd: "RPUSH nokey a", want: "+QUEUED\r\n"},
		{cmd: "BLPOP nokey 0", want: "+QUEUED\r\n"},
		{cmd: "EXEC", want: arr("_\r\n", "_\r\n", integer(1), bulks("nokey", "a"))},
	})
}

// blockedPair is an engine with two clients, for blocking tests.
func blockedPair(t *testing.T) (*fakeClock, *client, *client) {
	e, clk := testEngine(t)
	return clk, newClient(t, e), newClient(t, e)
}

// exec runs a command that may block and returns its status and whatever
// it wrote at once.
func (c *client) exec(args ...string) (Status, string) {
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	st := c.s.Exec(bs)
	return st, string(c.s.TakeOutput(nil))
}

func (c *client) output() string { return string(c.s.TakeOutput(nil)) }

func TestListBlockServedByPush(t *testing.T) {
	_, a, b := blockedPair(t)
	st, out := a.exec("BLPOP", "k1", "k2", "0")
	require.Equal(t, StatusBlocked, st)
	assert.Empty(t, out)
	assert.True(t, a.s.Blocked())
	assert.Equal(t, integer(2), b.line("RPUSH k2 x y"))
	assert.Equal(t, bulks("k2", "x"), a.output())
	assert.False(t, a.s.Blocked())
	assert.Equal(t, bulks("y"), b.line("LRANGE k2 0 -1"))

	// BRPOP gets the tail; BLMPOP gets up to COUNT.
	st, _ = a.exec("BRPOP", "k3", "0")
	require.Equal(t, StatusBlocked, st)
	b.line("RPUSH k3 a b c")
	assert.Equal(t, bulks("k3", "c"), a.output())
	b.line("DEL k3")
	st, _ = a.exec("BLMPOP", "0", "2", "k4", "k3", "LEFT", "COUNT", "2")
	require.Equal(t, StatusBlocked, st)
	b.line("RPUSH k3 a b c")
	assert.Equal(t, arr(bulk("k3"), bulks("a", "b")), a.output())
}

func TestListBlockFIFO(t *testing.T) {
	e, _ := testEngine(t)
	a, b, c := newClient(t, e), newClient(t, e), newClient(t, e)
	st, _ := a.exec("BLPOP", "k", "0")
	require.Equal(t, StatusBlocked, st)
	st, _ = b.exec("BRPOP", "k", "0")
	require.Equal(t, StatusBlocked, st)
	// One element: only the first waiter is served.
	assert.Equal(t, integer(1), c.line("RPUSH k x"))
	assert.Equal(t, bulks("k", "x"), a.output())
	assert.Empty(t, b.output())
	assert.True(t, b.s.Blocked())
	st, _ = a.exec("BLPOP", "k", "0")
	require.Equal(t, StatusBlocked, st)
	// Two elements: b (older) then a, each served once.
	assert.Equal(t, integer(2), c.line("RPUSH k y z"))
	assert.Equal(t, bulks("k", "z"), b.output())
	assert.Equal(t, bulks("k", "y"), a.output())
	assert.Equal(t, integer(0), c.line("EXISTS k"))
}

func TestListBlockTimeout(t *testing.T) {
	clk, a, b := blockedPair(t)
	st, _ := a.exec("BLPOP", "k", "1.5")
	require.Equal(t, StatusBlocked, st)
	dl, ok := a.s.BlockDeadline()
	require.True(t, ok)
	clk.Advance(1499 * time.Millisecond)
	a.s.CheckTimeout()
	assert.Empty(t, a.output())
	clk.Advance(time.Millisecond)
	assert.Equal(t, time.Duration(0), dl.Sub(clk.Now()))
	a.s.CheckTimeout()
	assert.Equal(t, nilArr, a.output())
	assert.False(t, a.s.Blocked())
	// A push after the timeout goes to nobody.
	b.line("RPUSH k v")
	assert.Equal(t, bulks("v"), b.line("LRANGE k 0 -1"))

	// Every blocking list command times out with a null array, BLMOVE too.
	for _, cmd := range [][]string{
		{"BRPOP", "nokey", "0.001"},
		{"BLMOVE", "nokey", "m", "LEFT", "LEFT", "0.001"},
		{"BRPOPLPUSH", "nokey", "m", "0.001"},
		{"BLMPOP", "0.001", "1", "nokey", "LEFT"},
	} {
		st, _ := a.exec(cmd...)
		require.Equal(t, StatusBlocked, st, cmd)
		clk.Advance(time.Millisecond)
		a.s.CheckTimeout()
		assert.Equal(t, nilArr, a.output(), cmd)
	}
	a.line("HELLO 3")
	st, _ = a.exec("BLMOVE", "nokey", "m", "LEFT", "LEFT", "0.01")
	require.Equal(t, StatusBlocked, st)
	clk.Advance(10 * time.Millisecond)
	a.s.CheckTimeout()
	assert.Equal(t, "_\r\n", a.output())
}

func TestListBlockForever(t *testing.T) {
	clk, a, b := blockedPair(t)
	for _, timeout := range []string{"0", "-0", "-0.0001"} {
		st, _ := a.exec("BLPOP", "k", timeout)
		require.Equal(t, StatusBlocked, st)
		_, ok := a.s.BlockDeadline()
		assert.False(t, ok, "timeout %s waits forever", timeout)
		clk.Advance(time.Hour)
		a.s.CheckTimeout()
		assert.Empty(t, a.output())
		b.line("RPUSH k v")
		assert.Equal(t, bulks("k", "v"), a.output())
	}
}

func TestListBlockClosedClient(t *testing.T) {
	_, a, b := blockedPair(t)
	st, _ := a.exec("BLPOP", "k", "0")
	require.Equal(t, StatusBlocked, st)
	a.s.Close()
	assert.Equal(t, integer(1), b.line("RPUSH k v"))
	assert.Equal(t, bulks("v"), b.line("LRANGE k 0 -1"))
}

// subscribeEvents turns on every keyspace event and subscribes c to all
// key-event channels of db 0; it returns a function that lists the events
// received since the last call as "event key".
func subscribeEvents(t *testing.T, e *Engine, c *client) func() []string {
	t.Helper()
	require.NoError(t, e.config.set("notify-keyspace-events", "KEA", false))
	c.line("HELLO 3") // pushes stay out of the way of the replies
	c.line("PSUBSCRIBE __keyevent@0__:*")
	return func() []string {
		out := string(c.s.TakeOutput(nil))
		var events []string
		for _, msg := range strings.Split(out, ">4\r\n")[1:] {
			parts := strings.Split(msg, "\r\n")
			// $8 pmessage $n pattern $n channel $n key
			ev := strings.TrimPrefix(parts[5], "__keyevent@0__:")
			events = append(events, ev+" "+parts[7])
		}
		return events
	}
}

func TestListKeyspaceEvents(t *testing.T) {
	e, _ := testEngine(t)
	sub, c := newClient(t, e), newClient(t, e)
	events := subscribeEvents(t, e, sub)
	cases := []struct {
		cmd  string
		want []string
	}{
		{"RPUSH l a b c d", []string{"rpush l"}},
		{"LPUSH l z", []string{"lpush l"}},
		{"LPUSHX nokey z", nil},
		{"LPOP l", []string{"lpop l"}},
		{"RPOP l 2", []string{"rpop l"}},
		{"LPOP l 0", nil},
		{"LINSERT l BEFORE a x", []string{"linsert l"}},
		{"LINSERT l BEFORE nope x", nil},
		{"LSET l 0 y", []string{"lset l"}},
		{"LREM l 0 nope", nil},
		{"LREM l 0 y", []string{"lrem l"}},
		{"LTRIM l 0 -1", []string{"ltrim l"}},
		{"LMOVE l m LEFT RIGHT", []string{"rpush m", "lpop l"}},
		{"LMOVE l m LEFT RIGHT", []string{"rpush m", "lpop l", "del l"}},
		{"RPOPLPUSH m m", []string{"lpush m", "rpop m"}},
		{"LMPOP 1 m RIGHT COUNT 5", []string{"rpop m", "del m"}},
		{"RPUSH l a b", []string{"rpush l"}},
		{"LTRIM l 5 6", []string{"ltrim l", "del l"}},
		{"RPUSH l a", []string{"rpush l"}},
		{"BLPOP l 0", []string{"lpop l", "del l"}},
	}
	for _, tc := range cases {
		c.line(tc.cmd)
		assert.Equal(t, tc.want, events(), tc.cmd)
	}

	// Events of a served blocked client come after the pusher's.
	st, _ := c.exec("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0")
	require.Equal(t, StatusBlocked, st)
	other := newClient(t, e)
	other.line("RPUSH src v")
	assert.Equal(t, []string{"rpush src", "lpush dst", "rpop src", "del src"}, events())
}

func TestListWatchTouched(t *testing.T) {
	for _, cmd := range []string{"LPUSH l x", "LPOP l", "LSET l 0 z", "LINSERT l BEFORE a q", "LREM l 0 a", "LTRIM l 0 0", "LMOVE o l LEFT LEFT", "RPOPLPUSH l o"} {
		e, _ := testEngine(t)
		a, b := newClient(t, e), newClient(t, e)
		b.line("RPUSH l a b")
		b.line("RPUSH o c")
		a.line("WATCH l")
		b.line(cmd)
		a.line("MULTI")
		a.line("PING")
		assert.Equal(t, nilArr, a.line("EXEC"), cmd)
	}
}

func BenchmarkLPush(b *testing.B) {
	e, _ := testEngine(b)
	c := newClient(b, e)
	args := [][]byte{[]byte("LPUSH"), []byte("list"), []byte("element")}
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		c.s.Exec(args)
		out = c.s.TakeOutput(out)
	}
}

func BenchmarkLPop(b *testing.B) {
	e, _ := testEngine(b)
	c := newClient(b, e)
	push := [][]byte{[]byte("RPUSH"), []byte("list"), []byte("a"), []byte("b"), []byte("c"), []byte("d")}
	pop := [][]byte{[]byte("LPOP"), []byte("list")}
	var out []byte
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%4 == 0 {
			c.s.Exec(push)
		}
		c.s.Exec(pop)
		out = c.s.TakeOutput(out)
		i++
	}
}

func BenchmarkLRange100(b *testing.B) {
	e, _ := testEngine(b)
	c := newClient(b, e)
	for i := 0; i < 100; i++ {
		c.do("RPUSH", "list", "element:"+strconv.Itoa(i))
	}
	args := [][]byte{[]byte("LRANGE"), []byte("list"), []byte("0"), []byte("99")}
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		c.s.Exec(args)
		out = c.s.TakeOutput(out)
	}
}

// cstep is one step of a script with several clients: client runs cmd and
// its immediate output must be want ("" while it blocks); cmd "?" only
// reads what the client received since.
type cstep struct {
	client int
	cmd    string
	want   string
}

// checkClientSteps runs a multi-client script on the engine and, with
// GOREDIS_DIFF_ADDR set, on a real redis-server with one connection per
// client (where "nothing yet" is checked by waiting a little).
func checkClientSteps(t *testing.T, clients int, steps []cstep) {
	t.Helper()
	e, _ := testEngine(t)
	cs := make([]*client, clients)
	for i := range cs {
		cs[i] = newClient(t, e)
	}
	for i, st := range steps {
		c := cs[st.client]
		var got string
		if st.cmd == "?" {
			got = c.output()
		} else {
			_, got = c.exec(strings.Fields(st.cmd)...)
		}
		if st.want != anyReply {
			require.Equalf(t, st.want, got, "step %d: client %d %q", i, st.client, st.cmd)
		}
	}
	addr := os.Getenv("GOREDIS_DIFF_ADDR")
	if addr == "" {
		return
	}
	rs := make([]*realConn, clients)
	for i := range rs {
		rs[i] = dialReal(t, addr)
	}
	rs[0].do("FLUSHALL")
	for i, st := range steps {
		r := rs[st.client]
		if st.cmd != "?" {
			args := strings.Fields(st.cmd)
			var b strings.Builder
			b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
			for _, a := range args {
				b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
			}
			_, err := r.conn.Write([]byte(b.String()))
			require.NoError(t, err)
		}
		wait := 2 * time.Second
		if st.want == "" {
			wait = 150 * time.Millisecond
		}
		require.NoError(t, r.conn.SetReadDeadline(time.Now().Add(wait)))
		var out strings.Builder
		err := readRawReply(r.r, &out)
		if st.want == "" {
			require.Errorf(t, err, "real redis, step %d: client %d %q: want nothing, got %q", i, st.client, st.cmd, out.String())
			continue
		}
		require.NoError(t, err)
		if st.want != anyReply {
			require.Equalf(t, st.want, out.String(), "real redis, step %d: client %d %q", i, st.client, st.cmd)
		}
	}
}

func TestListBlockingScripts(t *testing.T) {
	t.Run("served by push", func(t *testing.T) {
		checkClientSteps(t, 2, []cstep{
			{0, "BLPOP k1 k2 0", ""},
			{1, "RPUSH k2 x y", integer(2)},
			{0, "?", bulks("k2", "x")},
			{0, "BRPOP k3 0", ""},
			{1, "RPUSH k3 a b c", integer(3)},
			{0, "?", bulks("k3", "c")},
			{1, "DEL k3", integer(1)},
			{0, "BLMPOP 0 2 k4 k3 LEFT COUNT 2", ""},
			{1, "RPUSH k3 a b c", integer(3)},
			{0, "?", arr(bulk("k3"), bulks("a", "b"))},
			{0, "HELLO 3", anyReply},
		})
	})
	t.Run("ready key first", func(t *testing.T) {
		checkClientSteps(t, 3, []cstep{
			{0, "BLPOP k1 k2 0", ""},
			{1, "BLPOP k2 0", ""},
			{2, "MULTI", ok},
			{2, "RPUSH k2 a", "+QUEUED\r\n"},
			{2, "RPUSH k1 b", "+QUEUED\r\n"},
			{2, "EXEC", arr(integer(1), integer(1))},
			{0, "?", bulks("k2", "a")},
			{1, "?", ""},
			{2, "LRANGE k1 0 -1", bulks("b")},
			{2, "RPUSH k2 c", integer(1)},
			{1, "?", bulks("k2", "c")},
		})
	})
	t.Run("other type stays blocked", func(t *testing.T) {
		checkClientSteps(t, 2, []cstep{
			{0, "BLPOP k 0", ""},
			{1, "SET k x", ok},
			{0, "?", ""},
			{1, "DEL k", integer(1)},
			{1, "RPUSH k 1", integer(1)},
			{0, "?", bulks("k", "1")},
		})
	})
	t.Run("fifo", func(t *testing.T) {
		checkClientSteps(t, 3, []cstep{
			{0, "BLPOP k 0", ""},
			{1, "BRPOP k 0", ""},
			{2, "RPUSH k x", integer(1)},
			{0, "?", bulks("k", "x")},
			{1, "?", ""},
			{0, "BLPOP k 0", ""},
			{2, "RPUSH k y z", integer(2)},
			{1, "?", bulks("k", "z")},
			{0, "?", bulks("k", "y")},
			{2, "EXISTS k", integer(0)},
		})
	})
	t.Run("move chain", func(t *testing.T) {
		checkClientSteps(t, 4, []cstep{
			{0, "BLMOVE k1 k2 LEFT RIGHT 0", ""},
			{1, "BRPOPLPUSH k2 k3 0", ""},
			{2, "BLPOP k3 0", ""},
			{3, "RPUSH k1 v", integer(1)},
			{0, "?", bulk("v")},
			{1, "?", bulk("v")},
			{2, "?", bulks("k3", "v")},
			{3, "EXISTS k1 k2 k3", integer(0)},
			{0, "BLMOVE k k LEFT RIGHT 0", ""},
			{3, "RPUSH k a", integer(1)},
			{0, "?", bulk("a")},
			{3, "LRANGE k 0 -1", bulks("a")},
		})
	})
	t.Run("move to a wrong type", func(t *testing.T) {
		checkClientSteps(t, 2, []cstep{
			{1, "SET dst x", ok},
			{0, "BLMOVE src dst LEFT LEFT 0", ""},
			{1, "RPUSH src 1 2", integer(2)},
			{0, "?", wrongType},
			{1, "LRANGE src 0 -1", bulks("1", "2")},
		})
	})
	t.Run("resp3", func(t *testing.T) {
		checkClientSteps(t, 2, []cstep{
			{0, "HELLO 3", anyReply},
			{0, "BLMPOP 0 1 k RIGHT", ""},
			{1, "RPUSH k a b", integer(2)},
			{0, "?", arr(bulk("k"), bulks("b"))},
			{0, "BLPOP k 0", bulks("k", "a")},
			{0, "BLPOP k 0", ""},
			{1, "LPUSH k z", integer(1)},
			{0, "?", bulks("k", "z")},
		})
	})
}

// A key that expires inside the EXEC that filled it leaves its waiters
// blocked: they are served against the time they are served at (the
// Tcl suite's "MULTI + LPUSH + EXPIRE + DEBUG SLEEP on blocked client").
func TestBlockedServedAfterExecSeesExpiry(t *testing.T) {
	e := New(Options{Config: map[string]string{"enable-debug-command": "yes"}})
	waiter, writer := newClient(t, e), newClient(t, e)
	assert.Equal(t, ok, writer.line("DEBUG SET-ACTIVE-EXPIRE 0"))
	assert.Equal(t, "", waiter.line("BRPOP k 0"))
	assert.Equal(t, ok, writer.line("MULTI"))
	for _, cmd := range []string{"RPUSH k hello", "PEXPIRE k 100", "DEBUG SLEEP 0.2"} {
		assert.Equal(t, "+QUEUED\r\n", writer.line(cmd))
	}
	assert.Equal(t, arr(integer(1), integer(1), ok), writer.line("EXEC"))
	assert.Equal(t, "", string(waiter.s.TakeOutput(nil)), "the waiter stays blocked")
	assert.Contains(t, writer.line("CLIENT LIST ID "+itoa(waiter.s.id)), "flags=b ")
	assert.Equal(t, integer(0), writer.line("EXISTS k"))
}

// BenchmarkLRange600Pipelined16 runs redis-benchmark's LRANGE_600 row as
// the network host does at -P 16: sixteen commands, then their output
// written and consumed. Bytes allocated per batch are what the reply
// blocks cost the collector.
func BenchmarkLRange600Pipelined16(b *testing.B) {
	e, _ := testEngine(b)
	c := newClient(b, e)
	for i := 0; i < 600; i++ {
		c.do("LPUSH", "mylist", "xxx")
	}
	args := [][]byte{[]byte("LRANGE"), []byte("mylist"), []byte("0"), []byte("599")}
	iov := make([][]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		for range 16 {
			c.s.Exec(args)
		}
		for {
			iov = c.s.Output(iov[:0], 1<<20)
			if len(iov) == 0 {
				break
			}
			n := 0
			for _, v := range iov {
				n += len(v)
			}
			c.s.Consumed(n)
		}
	}
}

// TestIdleClientDropsRecycledReplyBlocks: written reply blocks are kept
// for a client's next replies while it is busy and let go once the clients
// cron sees it quiet, with reply buffer resizing on or off.
func TestIdleClientDropsRecycledReplyBlocks(t *testing.T) {
	for _, resizing := range []string{"1", "0"} {
		e, _ := testEngine(t)
		c := newClient(t, e)
		c.do("DEBUG", "REPLYBUFFER", "RESIZING", resizing)
		for i := 0; i < 600; i++ {
			c.do("RPUSH", "l", "xxx")
		}
		for range 8 {
			c.s.Exec([][]byte{[]byte("LRANGE"), []byte("l"), []byte("0"), []byte("-1")})
		}
		n := 0
		for _, b := range c.s.Output(nil, 1<<30) {
			n += len(b)
		}
		c.s.Consumed(n)
		c.s.mu.Lock()
		kept := c.s.w.q.spareCap
		c.s.mu.Unlock()
		require.Positive(t, kept, "resizing %s: written blocks kept", resizing)
		e.mu.Lock()
		e.resizeReplyBuffers() // busy: the peak filled the buffer
		c.s.mu.Lock()
		busyKept := c.s.w.q.spareCap
		c.s.w.rbp = 0 // as after a quiet peak-reset period
		c.s.mu.Unlock()
		e.resizeReplyBuffers()
		e.mu.Unlock()
		c.s.mu.Lock()
		idleKept := c.s.w.q.spareCap
		c.s.mu.Unlock()
		assert.Equal(t, kept, busyKept, "resizing %s: kept while busy", resizing)
		assert.Zero(t, idleKept, "resizing %s: dropped once quiet", resizing)
	}
}
