package engine

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shutdownRig is an engine with a host that records the shutdown and the
// log, and one online replica.
type shutdownRig struct {
	e       *Engine
	clk     *fakeClock
	c       *client
	replica *client
	mu      sync.Mutex
	lines   []string
	stopped int
}

func newShutdownRig(t *testing.T) *shutdownRig {
	t.Helper()
	r := &shutdownRig{clk: &fakeClock{t: time.Unix(1_700_000_000, 0)}}
	r.e = New(Options{Now: r.clk.Now, Config: map[string]string{"enable-debug-command": "yes"},
		Shutdown: func() { r.mu.Lock(); r.stopped++; r.mu.Unlock() },
		LogAt: func(level byte, line string) {
			r.mu.Lock()
			r.lines = append(r.lines, string(level)+" "+line)
			r.mu.Unlock()
		}})
	syncer := &fakeSyncer{}
	r.e.SetFullSyncer(syncer)
	r.c = newClient(t, r.e)
	r.c.line("CONFIG SET repl-diskless-sync-delay 0")
	require.Equal(t, "+OK\r\n", r.c.do("CONFIG", "SET", "save", ""))
	r.replica = newClient(t, r.e)
	r.replica.line("REPLCONF listening-port 7777")
	r.replica.line("PSYNC ? -1")
	syncer.finish(0, "X")
	r.replica.s.TakeOutput(nil)
	r.ack()
	return r
}

// ack makes the replica acknowledge the whole stream.
func (r *shutdownRig) ack() {
	r.replica.line("REPLCONF ACK " + itoa(r.e.repl.offset))
}

func (r *shutdownRig) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

func (r *shutdownRig) stops() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopped
}

// TestShutdownWaitsForLaggingReplica: SHUTDOWN blocks, writes wait, the
// replicas are asked for their offsets, and the cron finishes once they
// caught up (Redis 7.0's shutdown-timeout).
func TestShutdownWaitsForLaggingReplica(t *testing.T) {
	r := newShutdownRig(t)
	r.c.line("INCR k") // the replica has not acknowledged it
	r.replica.s.TakeOutput(nil)
	sd := newClient(t, r.e)
	assert.Equal(t, "", sd.line("SHUTDOWN"), "blocked")
	assert.Equal(t, 0, r.stops())
	assert.Contains(t, r.log(), "* Waiting for replicas before shutting down.")
	assert.Contains(t, string(r.replica.s.TakeOutput(nil)), cmdBytes("REPLCONF", "GETACK", "*"))
	info := r.c.line("INFO")
	assert.Contains(t, info, "shutdown_in_milliseconds:10000\r\n")
	assert.Contains(t, info, "blocked_clients:1\r\n")

	w := newClient(t, r.e)
	assert.Equal(t, "", w.line("SET x 1"), "writes are held")
	assert.Equal(t, ":1\r\n", r.c.line("EXISTS k"), "reads are served")
	second := newClient(t, r.e)
	assert.Equal(t, "", second.line("SHUTDOWN"), "a second SHUTDOWN waits too")

	r.e.ShutdownCron()
	assert.Equal(t, 0, r.stops(), "the replica still lags")
	r.ack()
	r.e.ShutdownCron()
	assert.Equal(t, 1, r.stops())
	assert.Contains(t, r.log(), "* 1 of 1 replicas are in sync when shutting down.")
	assert.NotContains(t, r.log(), "Lagging replica")
	assert.True(t, sd.s.ShouldClose())
	assert.True(t, second.s.ShouldClose())
}

// TestShutdownTimeout: after shutdown-timeout the server stops anyway,
// naming the lagging replica.
func TestShutdownTimeout(t *testing.T) {
	r := newShutdownRig(t)
	r.c.line("CONFIG SET shutdown-timeout 1")
	r.c.line("INCR k")
	sd := newClient(t, r.e)
	assert.Equal(t, "", sd.line("SHUTDOWN"))
	r.clk.Advance(500 * time.Millisecond)
	r.e.ShutdownCron()
	assert.Equal(t, 0, r.stops())
	r.clk.Advance(600 * time.Millisecond)
	r.e.ShutdownCron()
	assert.Equal(t, 1, r.stops())
	assert.Contains(t, r.log(), "# Lagging replica 127.0.0.1:7777 reported offset ")
	assert.Contains(t, r.log(), " behind master, lag=1, state=online.")
	assert.Contains(t, r.log(), "* 0 of 1 replicas are in sync when shutting down.")
}

// TestShutdownAbortAndNow: SHUTDOWN ABORT answers the blocked clients with
// an error and lets the held writes run; SHUTDOWN NOW does not wait; the
// argument rules are Redis's.
func TestShutdownAbortAndNow(t *testing.T) {
	r := newShutdownRig(t)
	assert.Equal(t, "-ERR No shutdown in progress.\r\n", r.c.line("SHUTDOWN ABORT"))
	assert.Equal(t, errReply(errSyntax), r.c.line("SHUTDOWN ABORT NOW"))
	assert.Equal(t, errReply(errSyntax), r.c.line("SHUTDOWN SAVE NOSAVE"))
	assert.Equal(t, errReply(errSyntax), r.c.line("SHUTDOWN LATER"))
	r.c.line("INCR k")
	sd := newClient(t, r.e)
	assert.Equal(t, "", sd.line("SHUTDOWN"))
	w := newClient(t, r.e)
	assert.Equal(t, "", w.line("SET x 1"))
	assert.Equal(t, "+OK\r\n", r.c.line("SHUTDOWN ABORT"))
	assert.Equal(t, "-ERR Errors trying to SHUTDOWN. Check logs.\r\n", string(sd.s.TakeOutput(nil)))
	assert.Equal(t, "+OK\r\n", string(w.s.TakeOutput(nil)), "the held write ran")
	assert.Contains(t, r.log(), "* Shutdown manually aborted.")
	assert.NotContains(t, r.c.line("INFO"), "shutdown_in_milliseconds")
	assert.Equal(t, 0, r.stops())

	assert.Equal(t, "", sd.line("SHUTDOWN NOW"), r.log())
	assert.Equal(t, 1, r.stops())
}

// TestShutdownSignal: a signal's shutdown starts at the next cron (not
// while the cron is paused); SHUTDOWN ABORT cancels it before.
func TestShutdownSignal(t *testing.T) {
	r := newShutdownRig(t)
	require.Equal(t, "+OK\r\n", r.c.line("DEBUG PAUSE-CRON 1"))
	assert.False(t, r.e.ShutdownSignal("SIGTERM"))
	r.e.ShutdownCron()
	assert.Equal(t, 0, r.stops())
	assert.Equal(t, "+OK\r\n", r.c.line("SHUTDOWN ABORT"))
	assert.Contains(t, r.log(), "* Shutdown manually aborted.")
	r.c.line("DEBUG PAUSE-CRON 0")
	r.e.ShutdownCron()
	assert.Equal(t, 0, r.stops(), "aborted")

	assert.False(t, r.e.ShutdownSignal("SIGINT"))
	assert.True(t, r.e.ShutdownSignal("SIGINT"), "a second SIGINT")
	r.e.ShutdownCron()
	assert.Equal(t, 1, r.stops(), "no lagging replica: at once")
}

// TestShutdownNoReplicaNoHost: without replicas SHUTDOWN stops at once;
// without a host (the playground) it fails.
func TestShutdownNoReplicaNoHost(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	assert.Equal(t, "-ERR Errors trying to SHUTDOWN. Check logs.\r\n", c.line("SHUTDOWN"))
	stopped := false
	e2 := New(Options{Shutdown: func() { stopped = true }})
	c2 := newClient(t, e2)
	assert.Equal(t, "", c2.line("SHUTDOWN NOSAVE"))
	require.True(t, stopped)
}
