package engine

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeSyncer keeps the snapshot of a full synchronization so a test decides
// when the payload is ready.
type fakeSyncer struct {
	snaps []*Snapshot
	dones []*SyncPayload
}

func (f *fakeSyncer) FullSync(snap *Snapshot, out *SyncPayload) {
	f.snaps = append(f.snaps, snap)
	f.dones = append(f.dones, out)
}

// finish delivers payload for the n-th synchronization.
func (f *fakeSyncer) finish(n int, payload string) {
	f.snaps[n].Close()
	out := f.dones[n]
	err := out.Begin(int64(len(payload)))
	if err == nil {
		_, err = out.Write([]byte(payload))
	}
	out.End(err)
}

func cmdBytes(args ...string) string {
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	return string(appendCommandArgs(nil, bs))
}

func TestReplicationFullSyncThenStream(t *testing.T) {
	e, _ := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	c.line("SET before 1")
	replica := newClient(t, e)
	assert.Equal(t, "+OK\r\n", replica.line("REPLCONF listening-port 7777"))
	assert.Equal(t, "+OK\r\n", replica.line("REPLCONF capa psync2"))
	full := replica.line("PSYNC ? -1")
	require.True(t, strings.HasPrefix(full, "+FULLRESYNC "+e.srv.replID+" 0\r\n"), full)

	// Written while the payload is made: it follows the payload.
	c.line("SELECT 2")
	c.line("SET during 1")
	c.line("EXPIRE during 100")
	assert.Equal(t, "", replica.do(), "nothing before the payload")
	syncer.finish(0, "RDBDATA")
	want := "$7\r\nRDBDATA" + cmdBytes("SELECT", "2") + cmdBytes("SET", "during", "1") +
		cmdBytes("PEXPIREAT", "during", "1700000100000")
	assert.Equal(t, want, string(replica.s.TakeOutput(nil)))

	// Online: writes stream at once; a replica gets no replies itself.
	c.line("DEL during")
	assert.Equal(t, cmdBytes("DEL", "during"), string(replica.s.TakeOutput(nil)))
	assert.Equal(t, "", replica.line("REPLCONF ACK 5"))

	info := c.line("INFO replication")
	assert.Contains(t, info, "connected_slaves:1\r\n")
	assert.Contains(t, info, "slave0:ip=127.0.0.1,port=7777,state=online,offset=5,lag=0\r\n")
	assert.Contains(t, info, "master_repl_offset:"+itoa(e.repl.offset)+"\r\n")
	assert.Contains(t, info, "repl_backlog_active:1\r\n")
	assert.Contains(t, c.line("CLIENT LIST TYPE replica"), "flags=S ")
	assert.Equal(t, "*3\r\n$6\r\nmaster\r\n:"+itoa(e.repl.offset)+"\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$4\r\n7777\r\n$1\r\n5\r\n", c.line("ROLE"))

	replica.s.Close()
	assert.Contains(t, c.line("INFO replication"), "connected_slaves:0\r\n")
}

func TestReplicationPartialResync(t *testing.T) {
	e, _ := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	first := newClient(t, e)
	first.line("PSYNC ? -1")
	syncer.finish(0, "X")
	first.s.TakeOutput(nil)
	c.line("SET a 1")
	at := e.repl.offset // the first replica saw the stream up to here
	c.line("SET b 2")
	c.line("INCR n")
	first.s.Close()

	again := newClient(t, e)
	got := again.line("PSYNC " + e.srv.replID + " " + itoa(at+1))
	assert.Equal(t, "+CONTINUE "+e.srv.replID+"\r\n"+cmdBytes("SET", "b", "2")+cmdBytes("INCR", "n"), got)
	c.line("SET c 3")
	assert.Equal(t, cmdBytes("SET", "c", "3"), string(again.s.TakeOutput(nil)))

	// An unknown replication ID, or an offset the backlog no longer
	// holds, gets a full synchronization.
	other := newClient(t, e)
	assert.True(t, strings.HasPrefix(other.line("PSYNC 0123456789012345678901234567890123456789 5"), "+FULLRESYNC "))
	late := newClient(t, e)
	assert.True(t, strings.HasPrefix(late.line("PSYNC "+e.srv.replID+" "+itoa(e.repl.offset+10)), "+FULLRESYNC "))
}

func TestReplconfErrors(t *testing.T) {
	runSteps(t, []step{
		{cmd: "REPLCONF listening-port", want: "-ERR syntax error\r\n"},
		{cmd: "REPLCONF nonsense 1", want: "-ERR Unrecognized REPLCONF option: nonsense\r\n"},
		{cmd: "REPLCONF listening-port abc", want: "-ERR value is not an integer or out of range\r\n"},
		{cmd: "REPLCONF ACK 10", want: ""},
		{cmd: "PSYNC ? -1", want: "-ERR replication is not available in this build of GoRedis\r\n"},
	})
}

func TestReplBacklog(t *testing.T) {
	var b replBacklog
	b.first = 1
	b.resize(8, noneHeld)
	b.write([]byte("abcde"), noneHeld)
	assert.Equal(t, "abcde", string(b.bytesFrom(1, 6)))
	b.write([]byte("fghij"), noneHeld)
	// 10 bytes written into 8: the first two are gone.
	assert.Equal(t, int64(3), b.first)
	assert.Equal(t, 8, b.histlen)
	assert.Equal(t, "cdefghij", string(b.bytesFrom(3, 11)))
	assert.Equal(t, "hij", string(b.bytesFrom(8, 11)))
	b.write([]byte("0123456789ABC"), noneHeld)
	assert.Equal(t, "6789ABC", string(b.bytesFrom(b.first+1, 24)))
	b.resize(4, noneHeld)
	assert.Equal(t, "9ABC", string(b.bytesFrom(b.first, 24)))

	// A replica waiting from offset 21 on keeps the backlog from there,
	// past its size, until it lets go.
	assert.Equal(t, int64(20), b.first)
	b.write([]byte("DEFGHIJK"), 21)
	assert.Equal(t, int64(21), b.first)
	assert.Equal(t, 11, b.histlen)
	assert.Equal(t, "ABCDEFGHIJK", string(b.bytesFrom(21, 32)))
	assert.True(t, b.holds(21))
	b.trim(noneHeld)
	assert.Equal(t, int64(28), b.first)
	assert.Equal(t, 4, b.histlen)
	assert.False(t, b.holds(21))

	// Many blocks: a write larger than one, read back across them.
	big := strings.Repeat("0123456789", 5000)
	b.resize(len(big), noneHeld)
	b.write([]byte(big), noneHeld)
	assert.Equal(t, big, string(b.bytesFrom(b.first, b.first+int64(len(big)))))
	assert.Equal(t, int64(4*backlogBlock), b.allocated())
	b.resize(backlogMinSize, noneHeld)
	assert.Equal(t, big[len(big)-backlogMinSize:], string(b.bytesFrom(b.first, b.first+backlogMinSize)))
	assert.LessOrEqual(t, b.allocated(), int64(2*backlogBlock))
}

// With repl-diskless-sync (Redis's default) the transfer waits
// repl-diskless-sync-delay seconds for more replicas; the replica waits for
// its +FULLRESYNC meanwhile.
func TestReplicationDisklessDelay(t *testing.T) {
	e, clk := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 5")
	replica := newClient(t, e)
	assert.Equal(t, "", replica.line("PSYNC ? -1"))
	assert.Contains(t, c.line("INFO replication"), "state=wait_bgsave")
	clk.Advance(4 * time.Second)
	e.ReplicationCron()
	assert.Empty(t, syncer.snaps)
	c.line("SET k v") // before the snapshot: part of the payload
	clk.Advance(time.Second)
	e.ReplicationCron()
	require.Len(t, syncer.snaps, 1)
	assert.Equal(t, "+FULLRESYNC "+e.srv.replID+" "+itoa(e.repl.offset)+"\r\n", string(replica.s.TakeOutput(nil)))
	syncer.finish(0, "P")
	assert.Equal(t, "$1\r\nP", string(replica.s.TakeOutput(nil)))
}

// A replica that announced capa eof gets Redis's diskless framing, and the
// stream only after its first acknowledgement.
func TestReplicationEOFPayload(t *testing.T) {
	e, _ := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	replica := newClient(t, e)
	assert.Equal(t, "+OK\r\n", replica.line("REPLCONF capa eof capa psync2"))
	require.True(t, strings.HasPrefix(replica.line("PSYNC ? -1"), "+FULLRESYNC "))
	c.line("SET during 1")
	syncer.finish(0, "RDBDATA")
	out := string(replica.s.TakeOutput(nil))
	require.True(t, strings.HasPrefix(out, "$EOF:"), out)
	mark := out[5:45]
	assert.Equal(t, "$EOF:"+mark+"\r\nRDBDATA"+mark, out)
	c.line("SET after 2")
	assert.Empty(t, replica.s.TakeOutput(nil), "no stream before the ACK")
	// The ACK gets no reply; the stream follows it.
	assert.Equal(t, cmdBytes("SELECT", "0")+cmdBytes("SET", "during", "1")+cmdBytes("SET", "after", "2"), replica.line("REPLCONF ACK 0"))
	c.line("SET later 3")
	assert.Equal(t, cmdBytes("SET", "later", "3"), string(replica.s.TakeOutput(nil)))

	// Without repl-diskless-sync the payload goes with its length.
	c.line("CONFIG SET repl-diskless-sync no")
	disk := newClient(t, e)
	disk.line("REPLCONF capa eof")
	disk.line("PSYNC ? -1")
	syncer.finish(1, "R")
	assert.Equal(t, "$1\r\nR", string(disk.s.TakeOutput(nil)))
}

// TestBacklogShrinksAtConfigSet: CONFIG SET repl-backlog-size applies at
// once (Redis's resizeReplicationBacklog), at least 16 KB, so a replica
// whose offset fell out of the smaller backlog gets a full resync right
// after the writes that pushed it out.
func TestBacklogShrinksAtConfigSet(t *testing.T) {
	e, _ := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	first := newClient(t, e)
	first.line("PSYNC ? -1")
	syncer.finish(0, "X")
	first.s.TakeOutput(nil)
	at := e.repl.offset
	first.s.Close()

	assert.Equal(t, "+OK\r\n", c.line("CONFIG SET repl-backlog-size 1"))
	assert.Equal(t, "*2\r\n$17\r\nrepl-backlog-size\r\n$5\r\n16384\r\n", c.line("CONFIG GET repl-backlog-size"))
	assert.Contains(t, c.line("INFO replication"), "repl_backlog_size:16384\r\n")
	for i := range 3 {
		c.do("SET", "k"+itoa(int64(i)), strings.Repeat("A", 16384))
	}
	again := newClient(t, e)
	assert.True(t, strings.HasPrefix(again.line("PSYNC "+e.srv.replID+" "+itoa(at+1)), "+FULLRESYNC "))
	assert.Contains(t, c.line("INFO replication"), "repl_backlog_histlen:16384\r\n")
	// The one replication buffer: the backlog's blocks, the replica's
	// other memory not counted.
	assert.Contains(t, c.line("INFO memory"), "mem_total_replication_buffers:"+itoa(2*backlogBlock)+"\r\n")
}

// TestSharedDisklessPayload: diskless replicas that start together share
// one payload (Redis's one child and pipe); one that goes away leaves the
// others to it, the last one gone ends it; a replica whose output does not
// move for repl-timeout is dropped. Log lines as Redis's.
func TestSharedDisklessPayload(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	e := New(Options{Now: clk.Now, LogAt: func(level byte, line string) {
		mu.Lock()
		lines = append(lines, string(level)+" "+line)
		mu.Unlock()
	}})
	log := func() string { mu.Lock(); defer mu.Unlock(); return strings.Join(lines, "\n") }
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 5")
	c.line("CONFIG SET repl-diskless-sync-max-replicas 2")
	newReplica := func() *client {
		r := newClient(t, e)
		r.line("REPLCONF capa eof capa psync2")
		assert.Equal(t, "", r.line("PSYNC ? -1"))
		return r
	}
	a, b := newReplica(), newReplica()
	e.ReplicationCron() // two are waiting: no need to wait for the delay
	require.Len(t, syncer.snaps, 1, "one payload for both")
	assert.Contains(t, c.line("INFO persistence"), "rdb_bgsave_in_progress:1\r\n")
	out := syncer.dones[0]
	require.NoError(t, out.Begin(-1))
	_, err := out.Write([]byte("PART1"))
	require.NoError(t, err)
	b.s.Close() // one replica goes away half-way
	_, err = out.Write([]byte("PART2"))
	require.NoError(t, err)
	syncer.snaps[0].Close()
	out.End(nil)
	got := string(a.s.TakeOutput(nil))
	require.True(t, strings.Contains(got, "$EOF:"), got)
	mark := got[strings.Index(got, "$EOF:")+5:][:40]
	assert.True(t, strings.HasSuffix(got, "$EOF:"+mark+"\r\nPART1PART2"+mark), got)
	assert.Contains(t, log(), "* Diskless rdb transfer, done reading from pipe, 1 replicas still up.")
	assert.Contains(t, c.line("INFO persistence"), "rdb_bgsave_in_progress:0\r\n")

	// Every replica gone: the transfer ends.
	c2, d := newReplica(), newReplica()
	e.ReplicationCron()
	require.Len(t, syncer.snaps, 2)
	out = syncer.dones[1]
	require.NoError(t, out.Begin(-1))
	c2.s.Close()
	d.s.Close()
	_, err = out.Write([]byte("X"))
	assert.ErrorIs(t, err, errReplicaGone)
	assert.Contains(t, log(), "# Diskless rdb transfer, last replica dropped, killing fork child.")
	assert.Contains(t, c.line("INFO persistence"), "rdb_bgsave_in_progress:0\r\n")

	// A replica that takes nothing for repl-timeout is dropped.
	c.line("CONFIG SET repl-timeout 2")
	s1, s2 := newReplica(), newReplica()
	e.ReplicationCron()
	require.Len(t, syncer.snaps, 3)
	out = syncer.dones[2]
	require.NoError(t, out.Begin(-1))
	_, err = out.Write([]byte("DATA"))
	require.NoError(t, err)
	s2.s.TakeOutput(nil) // this one reads
	e.ReplicationCron()
	clk.Advance(3 * time.Second)
	e.ReplicationCron()
	assert.Contains(t, log(), "# Disconnecting timedout replica (full sync): 127.0.0.1:50000")
	assert.True(t, s1.s.ShouldClose())
	assert.False(t, s2.s.ShouldClose())
	assert.Contains(t, c.line("INFO replication"), "connected_slaves:2\r\n", "the first one and the reading one")
}

// TestPsyncWrongOffset: an offset that is no integer is refused as Redis
// refuses it ("PSYNC with wrong offset should throw error").
func TestPsyncWrongOffset(t *testing.T) {
	e, _ := testEngine(t)
	e.SetFullSyncer(&fakeSyncer{})
	c := newClient(t, e)
	assert.Equal(t, "-ERR value is not an integer or out of range\r\n", c.line("PSYNC replicationid offset_str"))
	assert.Contains(t, c.line("INFO replication"), "connected_slaves:0\r\n")
	assert.Equal(t, "+PONG\r\n", c.line("PING"), "still a normal client")
}

// A replica whose command produces a reply is logged and disconnected, its
// reply unsent, as Redis's _addReplyToBufferOrList does; a command that
// touches the keyspace is refused first, and that error is logged as one
// a master sends its replica (afterErrorReply). REPLCONF ACK, which gets
// no reply, keeps the link.
func TestReplicaThatGetsAReplyIsDisconnected(t *testing.T) {
	for _, tc := range []struct {
		sync    string
		cmd     string
		logged  []string
		replied bool
	}{
		{"SYNC", "PING", []string{"# Replica generated a reply to command 'ping', disconnecting it: id="}, true},
		{"SYNC", "XINFO HELP", []string{"# Replica generated a reply to command 'xinfo|help', disconnecting it: id="}, true},
		{"PSYNC ? -1", "GET foo", []string{
			"# Replica generated a reply to command 'get', disconnecting it: id=",
			"# == CRITICAL == This master is sending an error to its replica: 'Replica can't interact with the keyspace' after processing the command 'get'",
		}, true},
		{"PSYNC ? -1", "SLOWLOG GET", []string{"# Replica generated a reply to command 'slowlog|get', disconnecting it: id="}, true},
		{"PSYNC ? -1", "REPLCONF nonsense 1", []string{"# Replica generated a reply to command 'replconf', disconnecting it: id="}, true},
		{"PSYNC ? -1", "REPLCONF ACK 0", nil, false},
	} {
		t.Run(tc.sync+" "+tc.cmd, func(t *testing.T) {
			var mu sync.Mutex
			var lines []string
			clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
			e := New(Options{Now: clk.Now, LogAt: func(level byte, line string) {
				mu.Lock()
				lines = append(lines, string(level)+" "+line)
				mu.Unlock()
			}})
			e.SetFullSyncer(&fakeSyncer{})
			c := newClient(t, e)
			c.line("CONFIG SET repl-diskless-sync-delay 0")
			replica := newClient(t, e)
			replica.line(tc.sync)
			assert.Equal(t, "", replica.line(tc.cmd), "the reply is never sent")
			assert.Equal(t, tc.replied, replica.s.ShouldClose())
			log := func() string { mu.Lock(); defer mu.Unlock(); return strings.Join(lines, "\n") }()
			for _, want := range tc.logged {
				assert.Contains(t, log, want)
			}
			if !tc.replied {
				assert.NotContains(t, log, "Replica generated a reply")
			}
			assert.Equal(t, "+PONG\r\n", c.line("PING"))
		})
	}
}

// A replica's output hard limit under repl-backlog-size counts as
// repl-backlog-size, as Redis 7's checkClientOutputBufferLimits: a
// replica the backlog could resume is not cut off by a smaller limit
// (replication-buffer's "Partial resynchronization is successful even
// client-output-buffer-limit is less than repl-backlog-size").
func TestReplicaHardLimitIsAtLeastTheBacklog(t *testing.T) {
	e, _ := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	c.line("CONFIG SET repl-backlog-size 1mb")
	assert.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "client-output-buffer-limit", "replica 4096 0 0"))
	replica := newClient(t, e)
	replica.line("PSYNC ? -1")
	syncer.finish(0, "X")
	replica.s.TakeOutput(nil)

	big := strings.Repeat("v", 10000)
	c.do("SET", "k", big)
	c.do("SET", "k", big)
	assert.False(t, replica.s.ShouldClose(), "20 KB pending: over the limit, under the backlog")

	c.line("CONFIG SET repl-backlog-size 16384")
	c.do("SET", "k", big)
	assert.True(t, replica.s.ShouldClose(), "30 KB pending: over the backlog too")
}

// A replica waiting for its payload holds its place in the backlog, not a
// copy of the stream (Redis 7's shared replication buffer): the backlog
// outgrows repl-backlog-size meanwhile, goes back to it once the replica
// has its stream, and the held bytes count in the replica's output limit.
func TestWaitingReplicaHoldsTheBacklog(t *testing.T) {
	e, _ := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	c.line("CONFIG SET repl-backlog-size 16384")
	replica := newClient(t, e)
	require.True(t, strings.HasPrefix(replica.line("PSYNC ? -1"), "+FULLRESYNC "))
	val := strings.Repeat("v", 1000)
	var want strings.Builder
	want.WriteString("$1\r\nX" + cmdBytes("SELECT", "0"))
	for i := 0; i < 100; i++ {
		k := "k" + itoa(int64(i))
		c.do("SET", k, val)
		want.WriteString(cmdBytes("SET", k, val))
	}
	info := c.line("INFO replication")
	histlen := int64(len(want.String()) - len("$1\r\nX"))
	assert.Contains(t, info, "repl_backlog_histlen:"+itoa(histlen)+"\r\n")
	syncer.finish(0, "X")
	assert.Equal(t, want.String(), string(replica.s.TakeOutput(nil)))
	assert.Contains(t, c.line("INFO replication"), "repl_backlog_histlen:16384\r\n")
	// The one replication buffer: the backlog's blocks, the replica's
	// other memory not counted.
	assert.Contains(t, c.line("INFO memory"), "mem_total_replication_buffers:"+itoa(2*backlogBlock)+"\r\n")

	// A second replica over its limit while it waits is dropped.
	assert.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "client-output-buffer-limit", "replica 65536 0 0"))
	late := newClient(t, e)
	require.True(t, strings.HasPrefix(late.line("PSYNC ? -1"), "+FULLRESYNC "))
	for i := 0; i < 60; i++ {
		c.do("SET", "k", val)
	}
	assert.False(t, late.s.ShouldClose(), "60 KB held")
	for i := 0; i < 10; i++ {
		c.do("SET", "k", val)
	}
	assert.True(t, late.s.ShouldClose(), "70 KB held")
}

// A replica asking while a diskless payload is being written waits for
// the next one, which ReplicationCron starts once that one is over, as
// Redis with a BGSAVE child writing to sockets: "Current BGSAVE has socket
// target. Waiting for next BGSAVE for SYNC".
func TestSyncWaitsForTheSocketTransfer(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	e := New(Options{Now: clk.Now, LogAt: func(level byte, line string) {
		mu.Lock()
		lines = append(lines, string(level)+" "+line)
		mu.Unlock()
	}})
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	first := newClient(t, e)
	first.line("REPLCONF capa eof capa psync2")
	require.True(t, strings.HasPrefix(first.line("PSYNC ? -1"), "+FULLRESYNC "))
	second := newClient(t, e)
	second.line("REPLCONF capa eof capa psync2")
	assert.Equal(t, "", second.line("PSYNC ? -1"))
	mu.Lock()
	assert.Contains(t, lines, "* Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC")
	mu.Unlock()
	e.ReplicationCron()
	require.Len(t, syncer.snaps, 1, "not while the first payload is written")

	first.s.Close() // its payload ends with it
	syncer.finish(0, "X")
	e.ReplicationCron()
	require.Len(t, syncer.snaps, 2)
	assert.True(t, strings.HasPrefix(string(second.s.TakeOutput(nil)), "+FULLRESYNC "))
}
