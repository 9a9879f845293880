package engine

import (
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// addPanickingCommand puts a test-only command into this engine's table:
// PANICNOW writes half an array and then panics, as a buggy handler
// would.
func addPanickingCommand(e *Engine) {
	setTestCommand(e, "panicnow", &Command{
		CommandSpec: &CommandSpec{Name: "panicnow", Arity: -1, Flags: []string{"readonly"}},
		flags:       flagReadonly,
		handler: func(s *Session, args [][]byte) {
			s.w.Array(3)
			s.w.BulkString("partial")
			first := args[:1]
			_ = first[len(args[0])] // index out of range: "panicnow" has 8 bytes
		},
	})
}

// setTestCommand puts c into e's table under name, as rename-command
// changes a table: the shared one stays as it is. A command new to the
// table gets an id past the catalog's.
func setTestCommand(e *Engine, name string, c *Command) {
	if !e.renamed {
		e.commands = maps.Clone(e.commands)
		e.renamed = true
	}
	if c.acl == nil {
		c.id = e.cat.count + len(e.commands)
	}
	e.commands[name] = c
	e.cmdCache = [cmdCacheSize]cmdCacheEntry{}
}

// logSink collects the engine's log lines.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) log(line string) {
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
}

func (l *logSink) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

const panicReply = "-ERR internal error in 'panicnow' command: runtime error: index out of range [8] with length 1\r\n"

func TestPanicBecomesErrorReply(t *testing.T) {
	sink := &logSink{}
	e := New(Options{Log: sink.log})
	addPanickingCommand(e)
	c := newClient(t, e)
	other := newClient(t, e)

	require.Equal(t, "+OK\r\n", c.line("SET k v"))
	assert.Equal(t, panicReply, c.line("PANICNOW a b"))
	// The engine is unlocked and consistent: this client and others go on.
	assert.Equal(t, "$1\r\nv\r\n", c.line("GET k"))
	assert.Equal(t, "$1\r\nv\r\n", other.line("GET k"))
	assert.Equal(t, int64(1), e.srv.panics)

	info := c.line("INFO errorstats")
	assert.Contains(t, info, "errorstat_ERR:count=1\r\n")
	stats := c.line("INFO commandstats")
	assert.Contains(t, stats, "cmdstat_panicnow:calls=1,")
	assert.Contains(t, stats, ",rejected_calls=0,failed_calls=1\r\n")

	log := sink.text()
	assert.Contains(t, log, "=== GOREDIS BUG REPORT START: Cut & paste starting from here ===")
	assert.Contains(t, log, "Panic in command 'panicnow' (answered with an error, the server goes on): runtime error: index out of range [8] with length 1")
	assert.Contains(t, log, "------ STACK TRACE ------")
	assert.Contains(t, log, "panic_test.go") // the stack names the panicking handler
	assert.Contains(t, log, "argv[0]: 'PANICNOW'\nargv[1]: 'a'\nargv[2]: 'b'")
	assert.Contains(t, log, "=== GOREDIS BUG REPORT END.")

	// A second panic of the same command is one line, not another stack.
	before := len(sink.lines)
	assert.Equal(t, panicReply, c.line("PANICNOW"))
	assert.Equal(t, []string{"Panic in command 'panicnow' again (2 times): runtime error: index out of range [8] with length 1"}, sink.lines[before:])
	assert.Equal(t, int64(2), e.srv.panics)
}

func TestPanicInsideExecKeepsTheArray(t *testing.T) {
	e := New(Options{})
	addPanickingCommand(e)
	c := newClient(t, e)
	require.Equal(t, "+OK\r\n", c.line("MULTI"))
	require.Equal(t, "+QUEUED\r\n", c.line("SET a 1"))
	require.Equal(t, "+QUEUED\r\n", c.line("PANICNOW"))
	require.Equal(t, "+QUEUED\r\n", c.line("INCR a"))
	assert.Equal(t, "*3\r\n+OK\r\n"+panicReply+":2\r\n", c.line("EXEC"))
	assert.Equal(t, "$1\r\n2\r\n", c.line("GET a"))
	// The transaction is over.
	assert.Equal(t, "-ERR EXEC without MULTI\r\n", c.line("EXEC"))
}

func TestPanicInPipelinedBatch(t *testing.T) {
	e := New(Options{})
	addPanickingCommand(e)
	c := newClient(t, e)
	cmds := [][][]byte{argv("SET", "x", "1"), argv("PANICNOW"), argv("INCR", "x")}
	i := 0
	n, st := c.s.ExecBatch(func() [][]byte {
		if i == len(cmds) {
			return nil
		}
		i++
		return cmds[i-1]
	})
	assert.Equal(t, 3, n)
	assert.Equal(t, Status(0), st)
	assert.Equal(t, "+OK\r\n"+panicReply+":2\r\n", string(c.s.TakeOutput(nil)))
}

func TestPanicInBlockedRetry(t *testing.T) {
	e := New(Options{})
	c := newClient(t, e)
	blocked := newClient(t, e)
	assert.Equal(t, "", blocked.line("BLPOP q 0"))
	require.True(t, blocked.s.Blocked())
	// Make the blocked client's retry panic, as a buggy pop would.
	blocked.s.blocked.retry = func(*Session) bool { panic("retry broke") }
	assert.Equal(t, ":1\r\n", c.line("RPUSH q a"))
	assert.False(t, blocked.s.Blocked())
	assert.Equal(t, "-ERR internal error in 'blpop' command: retry broke\r\n", string(blocked.s.TakeOutput(nil)))
	assert.Equal(t, ":1\r\n", blocked.line("LLEN q"))
	assert.Equal(t, "*1\r\n$1\r\na\r\n", c.line("LRANGE q 0 -1"))
}

// BenchmarkRecoverPerCommand prices a recover around every command, the
// reason the batch loop recovers once per batch: PING through call and
// through callProtected.
func BenchmarkRecoverPerCommand(b *testing.B) {
	e := New(Options{})
	s := e.NewSession(ClientInfo{Kind: "bench"})
	defer s.Close()
	cmd := e.lookupCommand([]byte("ping"))
	args := argv("PING")
	e.mu.Lock()
	defer e.mu.Unlock()
	b.Run("call", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.call(cmd, args)
			s.w.Reset()
		}
	})
	b.Run("callProtected", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.callProtected(cmd, args)
			s.w.Reset()
		}
	})
}

func TestPanicOutsideCommandClosesOnlyThatClient(t *testing.T) {
	sink := &logSink{}
	e := New(Options{Log: sink.log})
	c := newClient(t, e)
	other := newClient(t, e)
	calls := 0
	n, st := c.s.ExecBatch(func() [][]byte {
		calls++
		if calls == 1 {
			return argv("SET", "k", "v")
		}
		panic("host parser broke")
	})
	assert.Equal(t, 1, n)
	assert.Equal(t, StatusClose, st)
	assert.Equal(t, "+OK\r\n", string(c.s.TakeOutput(nil)))
	assert.Contains(t, sink.text(), "Panic outside any command (the client is closed, the server goes on): host parser broke")
	assert.Equal(t, "$1\r\nv\r\n", other.line("GET k"))
}

func TestPanicInHeldCommand(t *testing.T) {
	e, clk := testEngine(t)
	addPanickingCommand(e)
	c := newClient(t, e)
	held := newClient(t, e)
	require.Equal(t, "+OK\r\n", c.line("CLIENT PAUSE 1000 ALL"))
	assert.Equal(t, "", held.line("PANICNOW"))
	require.True(t, held.s.Blocked())
	clk.Advance(2 * time.Second)
	held.s.CheckTimeout()
	assert.Equal(t, panicReply, string(held.s.TakeOutput(nil)))
	assert.Equal(t, "+PONG\r\n", held.line("PING"))
	assert.Equal(t, int64(1), e.srv.panics)
}
