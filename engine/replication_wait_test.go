package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/rdb"
)

// onlineReplica attaches a replica that finished its full synchronization.
func onlineReplica(t *testing.T, e *Engine, syncer *fakeSyncer, port string) *client {
	t.Helper()
	r := newClient(t, e)
	r.line("REPLCONF listening-port " + port)
	require.True(t, strings.HasPrefix(r.line("PSYNC ? -1"), "+FULLRESYNC "))
	syncer.finish(len(syncer.dones)-1, "X")
	r.s.TakeOutput(nil)
	return r
}

func TestWait(t *testing.T) {
	e, clk := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	a := onlineReplica(t, e, syncer, "7001")
	b := onlineReplica(t, e, syncer, "7002")

	c.line("SET k v")
	woff := e.repl.offset
	// Nobody acknowledged yet: WAIT blocks and asks every replica.
	assert.Equal(t, "", c.line("WAIT 2 1000"))
	assert.True(t, c.s.Blocked())
	getack := cmdBytes("REPLCONF", "GETACK", "*")
	assert.Equal(t, cmdBytes("SELECT", "0")+cmdBytes("SET", "k", "v")+getack, string(a.s.TakeOutput(nil)))
	assert.Equal(t, cmdBytes("SELECT", "0")+cmdBytes("SET", "k", "v")+getack, string(b.s.TakeOutput(nil)))
	a.line("REPLCONF ACK " + itoa(woff))
	assert.True(t, c.s.Blocked(), "one of two")
	b.line("REPLCONF ACK " + itoa(woff-1))
	assert.True(t, c.s.Blocked(), "behind the client's write")
	b.line("REPLCONF ACK " + itoa(woff))
	assert.False(t, c.s.Blocked())
	assert.Equal(t, ":2\r\n", c.do())

	// Satisfied at once: no block, no GETACK.
	assert.Equal(t, ":2\r\n", c.line("WAIT 2 0"))
	assert.Empty(t, a.s.TakeOutput(nil))
	// As Redis, any command moves the client's offset to the stream's end,
	// which now holds the GETACK.
	a.line("REPLCONF ACK " + itoa(e.repl.offset))
	b.line("REPLCONF ACK " + itoa(e.repl.offset))

	// A timeout answers with the count reached.
	c.line("SET k w")
	assert.Equal(t, "", c.line("WAIT 2 500"))
	a.line("REPLCONF ACK " + itoa(e.repl.offset))
	clk.Advance(600 * time.Millisecond)
	c.s.CheckTimeout()
	assert.Equal(t, ":1\r\n", c.do())

	// Inside MULTI WAIT never blocks.
	c.line("SET k x")
	c.line("MULTI")
	c.line("WAIT 2 0")
	assert.Equal(t, "*1\r\n:0\r\n", c.line("EXEC"))

	runSteps(t, []step{
		{cmd: "WAIT x 0", want: "-ERR value is not an integer or out of range\r\n"},
		{cmd: "WAIT 1 x", want: "-ERR timeout is not an integer or out of range\r\n"},
		{cmd: "WAIT 1 -1", want: "-ERR timeout is negative\r\n"},
		{cmd: "WAIT 0 0", want: ":0\r\n"},
	})
}

func TestMinReplicasToWrite(t *testing.T) {
	e, clk := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	c.line("CONFIG SET min-replicas-to-write 1")
	c.line("CONFIG SET min-replicas-max-lag 10")
	assert.Equal(t, "-NOREPLICAS Not enough good replicas to write.\r\n", c.line("SET k v"))
	assert.Equal(t, "$-1\r\n", c.line("GET k"), "reads go on")
	c.line("MULTI")
	c.line("SET k v")
	// As Redis: the queued write is refused, so EXEC aborts.
	assert.Equal(t, "-EXECABORT Transaction discarded because of previous errors.\r\n", c.line("EXEC"))
	assert.Contains(t, c.line("INFO replication"), "min_slaves_good_slaves:0\r\n")

	r := onlineReplica(t, e, syncer, "7001")
	assert.Equal(t, "+OK\r\n", c.line("SET k v"))
	assert.Contains(t, c.line("INFO replication"), "min_slaves_good_slaves:1\r\n")
	// A replica silent for more than min-replicas-max-lag is not good.
	clk.Advance(11 * time.Second)
	assert.Equal(t, "-NOREPLICAS Not enough good replicas to write.\r\n", c.line("SET k v"))
	r.line("REPLCONF ACK 1")
	assert.Equal(t, "+OK\r\n", c.line("SET k v"))
	c.line("CONFIG SET min-replicas-max-lag 0")
	assert.NotContains(t, c.line("INFO replication"), "min_slaves_good_slaves")
}

// stubLink is a ReplicaLink that only records what it was asked.
type stubLink struct{ follows []string }

func (l *stubLink) Follow(host string, port int) {
	l.follows = append(l.follows, host+":"+itoa(int64(port)))
}
func (l *stubLink) Stop() {}

func TestReplicaServeStaleData(t *testing.T) {
	e, _ := testEngine(t)
	e.SetReplicaLink(&stubLink{})
	c := newClient(t, e)
	c.line("SET k v")
	assert.Equal(t, "+OK\r\n", c.line("REPLICAOF 127.0.0.1 1"))
	assert.Equal(t, "$1\r\nv\r\n", c.line("GET k"), "stale data served by default")
	c.line("CONFIG SET replica-serve-stale-data no")
	masterDown := "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n"
	assert.Equal(t, masterDown, c.line("GET k"))
	assert.Equal(t, masterDown, c.line("PING"), "PING is not flagged stale")
	assert.Contains(t, c.line("INFO replication"), "master_link_status:down", "INFO is")
	c.line("MULTI")
	assert.Equal(t, masterDown, c.line("GET k"))
	assert.Equal(t, "-EXECABORT Transaction discarded because of previous errors.\r\n", c.line("EXEC"))
	// READONLY comes first in Redis's gate.
	assert.Equal(t, "-READONLY You can't write against a read only replica.\r\n", c.line("SET k v"))
	e.MasterLinkState("connected")
	assert.Equal(t, "$1\r\nv\r\n", c.line("GET k"))
	assert.Equal(t, "-ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.\r\n", c.line("WAIT 1 0"))
}

// After REPLICAOF NO ONE the old history stays valid up to the offset of
// the promotion: a former sibling continues with PSYNC on the old ID.
func TestPromotionKeepsSecondaryID(t *testing.T) {
	e, _ := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	e.SetReplicaLink(&stubLink{})
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	c.line("REPLICAOF 127.0.0.1 1")
	old := strings.Repeat("a", 40)
	e.MasterFullSynced(old, 100)
	m := e.NewMasterSession(ClientInfo{Addr: "127.0.0.1:1", Kind: "master"})
	e.MasterLinkState("connected")
	set := cmdBytes("SET", "k", "v")
	m.ExecMaster([][]byte{[]byte("SET"), []byte("k"), []byte("v")}, []byte(set))
	assert.Equal(t, int64(100+len(set)), e.repl.offset)
	assert.Equal(t, "$1\r\nv\r\n", c.line("GET k"))

	assert.Equal(t, "+OK\r\n", c.line("REPLICAOF NO ONE"))
	info := c.line("INFO replication")
	assert.Contains(t, info, "master_replid2:"+old+"\r\n")
	assert.Contains(t, info, "second_repl_offset:"+itoa(int64(101+len(set)))+"\r\n")
	assert.NotEqual(t, old, e.srv.replID)

	sib := newClient(t, e)
	got := sib.line("PSYNC " + old + " " + itoa(int64(101+len(set))))
	assert.Equal(t, "+CONTINUE "+e.srv.replID+"\r\n", got)
	// The new master's stream starts with a SELECT.
	c.line("SET x 1")
	assert.Equal(t, cmdBytes("SELECT", "0")+cmdBytes("SET", "x", "1"), string(sib.s.TakeOutput(nil)))
	// Beyond the old history's end: a full synchronization.
	late := newClient(t, e)
	assert.True(t, strings.HasPrefix(late.line("PSYNC "+old+" "+itoa(int64(102+len(set)))), "+FULLRESYNC "))
}

// A replica hides expired keys from reads but keeps them until its master's
// DEL; the master's own commands still see them.
func TestReplicaWaitsForMastersDel(t *testing.T) {
	e, clk := testEngine(t)
	e.SetReplicaLink(&stubLink{})
	c := newClient(t, e)
	c.line("REPLICAOF 127.0.0.1 1")
	e.MasterFullSynced(strings.Repeat("b", 40), 0)
	m := e.NewMasterSession(ClientInfo{Addr: "127.0.0.1:1", Kind: "master"})
	e.MasterLinkState("connected")
	run := func(args ...string) {
		bs := make([][]byte, len(args))
		for i, a := range args {
			bs[i] = []byte(a)
		}
		m.ExecMaster(bs, appendCommandArgs(nil, bs))
		m.TakeOutput(nil)
	}
	run("SET", "k", "1", "PX", "100")
	run("SET", "other", "x")
	clk.Advance(time.Second)
	assert.Equal(t, "$-1\r\n", c.line("GET k"))
	assert.Equal(t, ":0\r\n", c.line("EXISTS k"))
	assert.Equal(t, ":-2\r\n", c.line("TTL k"))
	assert.Equal(t, "*1\r\n$5\r\nother\r\n", c.line("KEYS *"))
	e.ActiveExpireCycle()
	assert.Equal(t, ":2\r\n", c.line("DBSIZE"), "still there")
	assert.Contains(t, c.line("INFO stats"), "expired_keys:0\r\n")
	// The master's INCR sees the key it has not expired yet.
	run("INCR", "k")
	assert.Equal(t, ":2\r\n", c.line("DBSIZE"))
	run("DEL", "k")
	assert.Equal(t, ":1\r\n", c.line("DBSIZE"))
}

func TestFailover(t *testing.T) {
	e, clk := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	link := &stubLink{}
	e.SetReplicaLink(link)
	c := newClient(t, e)
	runSteps(t, []step{
		{cmd: "FAILOVER ABORT", want: "-ERR No failover in progress.\r\n"},
		{cmd: "FAILOVER", want: "-ERR FAILOVER requires connected replicas.\r\n"},
		{cmd: "FAILOVER TIMEOUT 0", want: "-ERR FAILOVER timeout must be greater than 0\r\n"},
		{cmd: "FAILOVER TIMEOUT x", want: "-ERR value is not an integer or out of range\r\n"},
		{cmd: "FAILOVER TO h x", want: "-ERR value is not an integer or out of range\r\n"},
		{cmd: "FAILOVER FORCE FORCE", want: "-ERR syntax error\r\n"},
		{cmd: "FAILOVER TO", want: "-ERR syntax error\r\n"},
	})
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	r := onlineReplica(t, e, syncer, "7001")
	assert.Equal(t, "-ERR FAILOVER with force option requires both a timeout and target HOST and IP.\r\n", c.line("FAILOVER FORCE TIMEOUT 10"))
	assert.Equal(t, "-ERR FAILOVER target HOST and PORT is not a replica.\r\n", c.line("FAILOVER TO 127.0.0.1 7002"))

	// Without a target and with a timeout: writes wait, then the failover
	// gives up and they run.
	c.line("SET k 1")
	assert.Equal(t, "+OK\r\n", c.line("FAILOVER TIMEOUT 500"))
	assert.Equal(t, "-ERR FAILOVER already in progress.\r\n", c.line("FAILOVER"))
	assert.Contains(t, c.line("INFO replication"), "master_failover_state:waiting-for-sync\r\n")
	w := newClient(t, e)
	assert.Equal(t, "", w.line("SET k 2"), "held")
	assert.Equal(t, "$1\r\n1\r\n", c.line("GET k"), "reads go on")
	assert.Equal(t, "-ERR REPLICAOF not allowed while failing over.\r\n", c.line("REPLICAOF 127.0.0.1 7001"))
	// The timeout is checked at every cron tick (FailoverCron), as
	// Redis's beforeSleep does, not only once a second.
	clk.Advance(400 * time.Millisecond)
	e.FailoverCron()
	assert.Contains(t, c.line("INFO replication"), "master_failover_state:waiting-for-sync\r\n")
	clk.Advance(200 * time.Millisecond)
	e.FailoverCron()
	assert.Contains(t, c.line("INFO replication"), "master_failover_state:no-failover\r\n")
	assert.Equal(t, "+OK\r\n", w.do())
	assert.Empty(t, link.follows)

	// FAILOVER ABORT lets held writes run.
	assert.Equal(t, "+OK\r\n", c.line("FAILOVER TO 127.0.0.1 7001"))
	assert.Equal(t, "", w.line("SET k 3"))
	assert.Equal(t, "+OK\r\n", c.line("FAILOVER ABORT"))
	assert.Equal(t, "+OK\r\n", w.do())

	// The target acknowledges the whole stream: the master becomes its
	// replica and asks it to take over.
	assert.Equal(t, "+OK\r\n", c.line("FAILOVER TO 127.0.0.1 7001"))
	assert.Equal(t, "", w.line("SET k 4"))
	r.line("REPLCONF ACK " + itoa(e.repl.offset))
	assert.Equal(t, []string{"127.0.0.1:7001"}, link.follows)
	assert.Contains(t, c.line("INFO replication"), "master_failover_state:failover-in-progress\r\n")
	assert.True(t, e.FailoverInProgress())
	e.FailoverPsyncResult(true)
	assert.Contains(t, c.line("INFO replication"), "role:slave\r\n")
	assert.Equal(t, "-READONLY You can't write against a read only replica.\r\n", w.do(), "the held write meets a replica")
}

// The target's side: PSYNC ... FAILOVER from its master makes it a master
// that continues the old history.
func TestPsyncFailover(t *testing.T) {
	e, _ := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	e.SetReplicaLink(&stubLink{})
	c := newClient(t, e)
	c.line("REPLICAOF 127.0.0.1 1")
	old := strings.Repeat("c", 40)
	e.MasterFullSynced(old, 10)
	e.MasterLinkState("connected")
	m := newClient(t, e)
	assert.Equal(t, "-ERR PSYNC FAILOVER replid must match my replid.\r\n", m.line("PSYNC "+strings.Repeat("d", 40)+" 11 FAILOVER"))
	got := m.line("PSYNC " + old + " 11 FAILOVER")
	assert.Equal(t, "+CONTINUE "+e.srv.replID+"\r\n", got)
	assert.NotEqual(t, old, e.srv.replID)
	assert.Contains(t, c.line("INFO replication"), "role:master\r\n")
}

func TestInfoReplicaSyncProgress(t *testing.T) {
	e, _ := testEngine(t)
	e.SetReplicaLink(&stubLink{})
	c := newClient(t, e)
	c.line("REPLICAOF 127.0.0.1 1")
	info := c.line("INFO replication")
	assert.Contains(t, info, "master_link_status:down\r\nmaster_last_io_seconds_ago:-1\r\nmaster_sync_in_progress:0\r\n")
	assert.Contains(t, info, "master_link_down_since_seconds:-1\r\nslave_priority:100\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\n")
	e.MasterLinkState("sync")
	e.MasterTransfer(1000, 250)
	info = c.line("INFO replication")
	assert.Contains(t, info, "master_sync_in_progress:1\r\nslave_read_repl_offset:0\r\nslave_repl_offset:0\r\n"+
		"master_sync_total_bytes:1000\r\nmaster_sync_read_bytes:250\r\nmaster_sync_left_bytes:750\r\nmaster_sync_perc:25.00\r\nmaster_sync_last_io_seconds_ago:0\r\n")
	e.MasterTransfer(-1, 10) // an EOF-marked payload has no known size
	assert.Contains(t, c.line("INFO replication"), "master_sync_total_bytes:0\r\nmaster_sync_read_bytes:10\r\nmaster_sync_left_bytes:-10\r\nmaster_sync_perc:0.00\r\n")
}

// Keys a writable replica's own clients give a deadline expire on the
// replica, since no DEL will come for them.
func TestWritableReplicaExpiresItsOwnKeys(t *testing.T) {
	e, clk := testEngine(t)
	e.SetReplicaLink(&stubLink{})
	c := newClient(t, e)
	c.line("REPLICAOF 127.0.0.1 1")
	c.line("CONFIG SET replica-read-only no")
	c.line("SET own 1 EX 5")
	m := e.NewMasterSession(ClientInfo{Addr: "127.0.0.1:1", Kind: "master"})
	args := [][]byte{[]byte("SET"), []byte("frommaster"), []byte("1"), []byte("PX"), []byte("100")}
	m.ExecMaster(args, appendCommandArgs(nil, args))
	clk.Advance(6 * time.Second)
	assert.Equal(t, 1, e.ActiveExpireCycle())
	assert.Equal(t, ":1\r\n", c.line("DBSIZE"), "the master's key waits for its DEL")
	assert.Equal(t, ":1\r\n", c.line("INCR frommaster"), "a write on a writable replica replaces an expired key")
	assert.Equal(t, ":-1\r\n", c.line("TTL frommaster"))
}

// A read-only replica replaying its append-only file (its master's writes,
// logged before a restart) keeps their keys past their deadlines until the
// master's DELs come, as Redis's (tests/cluster 14-consistency-check); and
// the keys a writable replica remembered are forgotten when a full
// synchronization or FLUSHALL empties the data.
func TestReplicaKeepsReplayedAndResyncedKeys(t *testing.T) {
	e, clk := testEngine(t)
	e.SetReplicaLink(&stubLink{})
	c := newClient(t, e)
	c.line("REPLICAOF 127.0.0.1 1")
	ls, ld := e.StartLoading(0)
	ls.Replay([][]byte{[]byte("SET"), []byte("replayed"), []byte("v"), []byte("PX"), []byte("100")})
	e.StopLoading(ls, ld)
	clk.Advance(time.Second)
	assert.Equal(t, 0, e.ActiveExpireCycle())
	assert.Equal(t, ":1\r\n", c.line("DBSIZE"), "the replayed key waits for its master's DEL")

	c.line("CONFIG SET replica-read-only no")
	c.line("SET own 1 PX 100")
	assert.Contains(t, c.line("INFO keyspace"), "db0:keys=2,expires=2")
	ld = e.BeginMasterLoad(0) // a full synchronization empties the data
	require.NoError(t, ld.Add(0, "own", rdb.Value{Kind: rdb.KindString, Str: "from master"}, e.now().UnixMilli()+100, -1))
	ld.End()
	clk.Advance(time.Second)
	assert.Equal(t, 0, e.ActiveExpireCycle(), "the master's key of that name is not the replica's own")
	assert.Equal(t, ":1\r\n", c.line("DBSIZE"))
	c.line("SET own2 1 PX 100")
	c.line("FLUSHALL")
	m := e.NewMasterSession(ClientInfo{Addr: "127.0.0.1:1", Kind: "master"})
	args := [][]byte{[]byte("SET"), []byte("own2"), []byte("1"), []byte("PX"), []byte("100")}
	m.ExecMaster(args, appendCommandArgs(nil, args))
	clk.Advance(time.Second)
	assert.Equal(t, 0, e.ActiveExpireCycle(), "FLUSHALL forgot own2")
}

// With no replica for repl-backlog-ttl seconds the backlog is freed and the
// history renamed: a replica coming back needs a full synchronization.
func TestBacklogTTL(t *testing.T) {
	e, clk := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	c.line("CONFIG SET repl-backlog-ttl 2")
	r := onlineReplica(t, e, syncer, "7001")
	c.line("SET k v")
	id, at := e.srv.replID, e.repl.offset
	r.s.Close()
	e.ReplicationCron()
	clk.Advance(2 * time.Second)
	e.ReplicationCron()
	assert.Contains(t, c.line("INFO replication"), "repl_backlog_active:1\r\n")
	clk.Advance(time.Second)
	e.ReplicationCron()
	assert.Contains(t, c.line("INFO replication"), "repl_backlog_active:0\r\n")
	assert.NotEqual(t, id, e.srv.replID)
	again := newClient(t, e)
	assert.True(t, strings.HasPrefix(again.line("PSYNC "+id+" "+itoa(at+1)), "+FULLRESYNC "))
	assert.Contains(t, c.line("INFO stats"), "sync_partial_err:1\r\n")
}
