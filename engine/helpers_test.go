package engine

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is an injectable clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testEngine returns an engine on a fake clock set to a fixed instant.
func testEngine(t testing.TB) (*Engine, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	return New(Options{Now: clk.Now}), clk
}

// client is a test session with helpers that run commands and return the
// exact RESP they produced.
type client struct {
	t testing.TB
	s *Session
}

func newClient(t testing.TB, e *Engine) *client {
	return &client{t: t, s: e.NewSession(ClientInfo{Addr: "127.0.0.1:50000", LAddr: "127.0.0.1:6379", Kind: "test"})}
}

// do runs one command (arguments as separate strings) and returns its
// RESP reply.
func (c *client) do(args ...string) string {
	c.t.Helper()
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	c.s.Exec(bs)
	return string(c.s.TakeOutput(nil))
}

// line runs a space-separated command line (no quoting; use do for
// arguments with spaces).
func (c *client) line(cmd string) string {
	c.t.Helper()
	return c.do(strings.Fields(cmd)...)
}

// step is one command and the exact RESP expected.
type step struct {
	cmd  string   // space separated; or use args
	args []string // when arguments contain spaces
	want string
}

// runSteps runs steps in order on a fresh engine and client.
func runSteps(t *testing.T, steps []step) {
	t.Helper()
	e, _ := testEngine(t)
	c := newClient(t, e)
	for i, st := range steps {
		var got string
		if st.args != nil {
			got = c.do(st.args...)
		} else {
			got = c.line(st.cmd)
		}
		require.Equalf(t, st.want, got, "step %d: %s%v", i, st.cmd, st.args)
	}
}

// Reply builders keep expected RESP readable.
func bulk(s string) string   { return "$" + itoa(int64(len(s))) + "\r\n" + s + "\r\n" }
func integer(n int64) string { return ":" + itoa(n) + "\r\n" }
func arr(items ...string) string {
	return "*" + itoa(int64(len(items))) + "\r\n" + strings.Join(items, "")
}
func bulks(items ...string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = bulk(s)
	}
	return arr(out...)
}
func errReply(msg string) string { return "-" + msg + "\r\n" }

const (
	ok      = "+OK\r\n"
	nilBulk = "$-1\r\n"
	nilArr  = "*-1\r\n"
)

func TestHelpersSmoke(t *testing.T) {
	runSteps(t, []step{
		{cmd: "SET a 1", want: ok},
		{cmd: "GET a", want: bulk("1")},
		{cmd: "GET nope", want: nilBulk},
		{cmd: "DEL a nope", want: integer(1)},
	})
	assert.Equal(t, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", bulks("a", "b"))
}
