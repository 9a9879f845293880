package engine

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/rdb"
)

func TestDebugReplicate(t *testing.T) {
	e, _ := debugEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	// Without a backlog there is no stream to feed.
	assert.Equal(t, ok, c.line("DEBUG REPLICATE SET x 1"))
	assert.Equal(t, int64(0), e.repl.offset)

	r := onlineReplica(t, e, syncer, "7000")
	c.line("SELECT 3")
	c.line("SET a 1")
	r.s.TakeOutput(nil)
	before := e.repl.offset
	// Sent as given, in the stream's database (no SELECT), never run.
	assert.Equal(t, ok, c.line("DEBUG REPLICATE fake-command-1 arg"))
	assert.Equal(t, cmdBytes("fake-command-1", "arg"), string(r.s.TakeOutput(nil)))
	assert.Equal(t, before+int64(len(cmdBytes("fake-command-1", "arg"))), e.repl.offset)
	assert.Equal(t, "$-1\r\n", c.line("GET x"))
	assert.Equal(t, errReply("ERR unknown subcommand or wrong number of arguments for 'REPLICATE'. Try DEBUG HELP."), c.line("DEBUG REPLICATE"))
}

func TestReplSaveInfo(t *testing.T) {
	e, _ := testEngine(t)
	syncer := &fakeSyncer{}
	e.SetFullSyncer(syncer)
	c := newClient(t, e)
	c.line("CONFIG SET repl-diskless-sync-delay 0")
	// A master that never had a replica is in no chain: nothing saved.
	assert.Nil(t, e.replSaveInfo())

	onlineReplica(t, e, syncer, "7000")
	// No write since the payload: the stream selected nothing, db 0.
	assert.Equal(t, &ReplPosition{StreamDB: 0, ID: e.srv.replID, Offset: e.repl.offset}, e.replSaveInfo())
	c.line("SELECT 5")
	c.line("SET k v")
	assert.Equal(t, &ReplPosition{StreamDB: 5, ID: e.srv.replID, Offset: e.repl.offset}, e.replSaveInfo())

	// A replica saves its applied position in its master's database.
	r, _ := testEngine(t)
	r.SetMasterAtStartup("127.0.0.1", 1)
	assert.Nil(t, r.replSaveInfo(), "no master stream applied yet")
	r.setMaster(&masterInfo{host: "127.0.0.1", port: 1, state: linkConnected})
	r.MasterFullSynced(strings.Repeat("a", 40), 100)
	ms := r.NewMasterSession(ClientInfo{Kind: "master"})
	ms.SelectStreamDB(7)
	assert.Equal(t, &ReplPosition{StreamDB: 7, ID: strings.Repeat("a", 40), Offset: 100}, r.replSaveInfo())
	r.AttachToNewMaster()
	assert.Nil(t, r.replSaveInfo(), "a full synchronization under way claims no history")
}

func TestStartupLoadRestoresReplication(t *testing.T) {
	id := strings.Repeat("b", 40)
	t.Run("master", func(t *testing.T) {
		e, clk := testEngine(t)
		oldID := e.srv.replID
		ld := e.BeginStartupLoad(0)
		require.NoError(t, ld.Add(0, "live", rdb.Value{Kind: rdb.KindString, Str: "v"}, -1, -1))
		// Expired on load: dropped, its DEL goes to the backlog.
		require.NoError(t, ld.Add(2, "gone", rdb.Value{Kind: rdb.KindString, Str: "v"}, clk.Now().UnixMilli()-1, -1))
		ld.SetReplication(ReplPosition{StreamDB: 0, ID: id, Offset: 500})
		ld.End()
		del := cmdBytes("SELECT", "2") + cmdBytes("DEL", "gone")
		assert.Equal(t, oldID, e.srv.replID, "a master keeps its new ID")
		assert.Equal(t, id, e.srv.replID2)
		assert.Equal(t, int64(501), e.repl.secondOffset)
		assert.Equal(t, int64(500+len(del)), e.repl.offset)
		assert.Equal(t, int64(501), e.repl.backlog.first)
		assert.Equal(t, del, string(e.repl.backlog.bytesFrom(501, e.repl.offset+1)))

		// A replica of the old history continues from the backlog.
		syncer := &fakeSyncer{}
		e.SetFullSyncer(syncer)
		r := newClient(t, e)
		got := r.line("PSYNC " + id + " 501")
		assert.Equal(t, "+CONTINUE "+e.srv.replID+"\r\n"+del, got)
	})
	t.Run("master without a position", func(t *testing.T) {
		e, _ := testEngine(t)
		ld := e.BeginStartupLoad(0)
		ld.End()
		assert.False(t, e.repl.feeding, "the backlog made for the load is freed")
		assert.Equal(t, zeroReplID, e.srv.replID2)
	})
	t.Run("replica", func(t *testing.T) {
		e, clk := testEngine(t)
		e.SetMasterAtStartup("127.0.0.1", 1)
		ld := e.BeginStartupLoad(0)
		// A replica keeps expired keys: its master's DEL will come.
		require.NoError(t, ld.Add(0, "old", rdb.Value{Kind: rdb.KindString, Str: "v"}, clk.Now().UnixMilli()-1, -1))
		ld.SetReplication(ReplPosition{StreamDB: 4, ID: id, Offset: 900})
		ld.End()
		assert.Equal(t, 1, e.KeyCount())
		replid, off := e.MasterPosition()
		assert.Equal(t, id, replid)
		assert.Equal(t, int64(900), off)
		assert.Equal(t, id, e.srv.replID)
		assert.Equal(t, 4, e.master.streamDB)
	})
}

func TestMasterStreamErrorIsLogged(t *testing.T) {
	var (
		mu    sync.Mutex
		lines []string
	)
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	e := New(Options{Now: clk.Now, LogAt: func(level byte, line string) {
		mu.Lock()
		lines = append(lines, string(level)+" "+line)
		mu.Unlock()
	}})
	e.setMaster(&masterInfo{host: "127.0.0.1", port: 1, state: linkConnected})
	e.MasterFullSynced(strings.Repeat("c", 40), 0)
	ms := e.NewMasterSession(ClientInfo{Kind: "master"})
	ms.ExecMaster([][]byte{[]byte("SET"), []byte("n"), []byte("x")}, []byte(cmdBytes("SET", "n", "x")))
	ms.ExecMaster([][]byte{[]byte("INCRBY"), []byte("n"), []byte("1")}, []byte(cmdBytes("INCRBY", "n", "1")))
	ms.ExecMaster([][]byte{[]byte("fake-command-1")}, []byte(cmdBytes("fake-command-1")))
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, lines, "# == CRITICAL == This replica is sending an error to its master: 'value is not an integer or out of range' after processing the command 'incrby'")
	assert.Contains(t, lines, "# == CRITICAL == This replica is sending an error to its master: 'unknown command 'fake-command-1', with args beginning with: ' after processing the command '<unknown>'")
	assert.Contains(t, strings.Join(lines, "\n"), `# Latest backlog is: '"*3\r\n$3\r\nSET\r\n$1\r\nn\r\n$1\r\nx\r\n`)
	assert.Equal(t, int64(2), e.srv.unexpectedErrors)
}

func TestSwapLoad(t *testing.T) {
	str := func(v string) rdb.Value { return rdb.Value{Kind: rdb.KindString, Str: v} }
	t.Run("failed transfer keeps the old data", func(t *testing.T) {
		e, _ := testEngine(t)
		c := newClient(t, e)
		c.line("SET old 1")
		e.SetMasterAtStartup("127.0.0.1", 1)
		// Another history: the server is loading (-LOADING).
		ld := e.BeginSwapLoad(0, strings.Repeat("d", 40))
		require.NotNil(t, ld)
		require.NoError(t, ld.Add(0, "new", str("2"), -1, -1))
		assert.Contains(t, c.line("INFO persistence"), "loading:1\r\nasync_loading:0\r\n")
		assert.Equal(t, errReply(errLoading), c.line("GET old"))
		e.EndSwapLoad(ld, errors.New("MASTER closed the connection"))
		assert.Contains(t, c.line("INFO persistence"), "loading:0\r\nasync_loading:0\r\n")
		assert.Equal(t, "$1\r\n1\r\n", c.line("GET old"))
		assert.Equal(t, "$-1\r\n", c.line("GET new"))
		assert.Equal(t, ":1\r\n", c.line("DBSIZE"))
	})
	t.Run("same history: old data served, then swapped", func(t *testing.T) {
		e, _ := testEngine(t)
		c := newClient(t, e)
		c.line("SELECT 1")
		c.line("SET old 1")
		c.line("WATCH old")
		e.SetMasterAtStartup("127.0.0.1", 1)
		ld := e.BeginSwapLoad(0, e.srv.replID)
		require.NoError(t, ld.Add(1, "new", str("2"), -1, -1))
		assert.Contains(t, c.line("INFO persistence"), "loading:0\r\nasync_loading:1\r\n")
		assert.Equal(t, "$1\r\n1\r\n", c.line("GET old"), "served while loading")
		e.EndSwapLoad(ld, nil)
		assert.Equal(t, "$-1\r\n", c.line("GET old"))
		assert.Equal(t, "$1\r\n2\r\n", c.line("GET new"))
		c.line("MULTI")
		c.line("PING")
		assert.Equal(t, "*-1\r\n", c.line("EXEC"), "the swap touched the watched key")
		assert.Contains(t, c.line("INFO keyspace"), "db1:keys=1,")
	})

	t.Run("functions swap with the data", func(t *testing.T) {
		lib := func(body string) string {
			return "#!lua name=test\nredis.register_function('test', function() return '" + body + "' end)"
		}
		for _, ok := range []bool{false, true} {
			e, _ := testEngine(t)
			c := newClient(t, e)
			c.do("FUNCTION", "LOAD", lib("hello1"))
			c.line("CONFIG SET replica-read-only no")
			e.SetMasterAtStartup("127.0.0.1", 1)
			ld := e.BeginSwapLoad(0, e.srv.replID)
			// A library of the same name as a live one loads aside.
			require.NoError(t, ld.LoadFunction([]byte(lib("hello2"))))
			assert.Equal(t, "$6\r\nhello1\r\n", c.line("FCALL test 0"), "the old library serves meanwhile")
			var err error
			if !ok {
				err = errors.New("MASTER closed the connection")
			}
			e.EndSwapLoad(ld, err)
			want := "hello1"
			if ok {
				want = "hello2"
			}
			assert.Equal(t, "$6\r\n"+want+"\r\n", c.line("FCALL test 0"), "load ok=%v", ok)
		}
		// A payload without functions leaves none.
		e, _ := testEngine(t)
		c := newClient(t, e)
		c.do("FUNCTION", "LOAD", lib("hello1"))
		e.SetMasterAtStartup("127.0.0.1", 1)
		ld := e.BeginSwapLoad(0, e.srv.replID)
		e.EndSwapLoad(ld, nil)
		assert.Equal(t, "*0\r\n", c.line("FUNCTION LIST"))
	})
}

// Commands of the master's stream that follow a CLIENT KILL of the master
// are neither applied nor counted: the replica's position (its next PSYNC)
// stays after the last command applied, so the master sends them again
// ("ok psync" in integration/replication-psync lost writes otherwise).
func TestKilledMasterStreamIsNotCounted(t *testing.T) {
	e, _ := testEngine(t)
	e.setMaster(&masterInfo{host: "127.0.0.1", port: 1, state: linkConnected})
	replid := strings.Repeat("c", 40)
	e.MasterFullSynced(replid, 0)
	ms := e.NewMasterSession(ClientInfo{Kind: "master", Addr: "127.0.0.1:1"})
	run := func(args ...string) Status {
		bs := make([][]byte, len(args))
		for i, a := range args {
			bs[i] = []byte(a)
		}
		return ms.ExecMaster(bs, []byte(cmdBytes(args...)))
	}
	assert.Equal(t, Status(0), run("SET", "a", "1"))
	id, off := e.MasterPosition()
	assert.Equal(t, replid, id)
	assert.Equal(t, int64(len(cmdBytes("SET", "a", "1"))), off)

	c := newClient(t, e)
	assert.Equal(t, ":1\r\n", c.line("CLIENT KILL TYPE master"))
	assert.Equal(t, StatusClose, run("SET", "b", "2"))
	assert.Equal(t, StatusClose, ms.ExecMaster(nil, []byte("\n")))
	assert.Equal(t, "$-1\r\n", c.line("GET b"))
	_, after := e.MasterPosition()
	assert.Equal(t, off, after, "the position stays after the last command applied")
}
