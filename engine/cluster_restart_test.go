package engine

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/rdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A cluster replica restarting knows its role from nodes.conf before the
// bus sets up its replication link (Redis's iAmMaster): the keys of its
// dump whose deadline passed are loaded, the active expire cycle leaves
// them to its master's DELs, and the replication position of the dump is
// its own, offered to its master once the link starts (tests/cluster
// 14-consistency-check "Slave expired keys is loaded when restarted").
func TestClusterReplicaRestartKeepsExpiredKeys(t *testing.T) {
	e, clk, _ := clusterEngine(t, nil)
	c := newClient(t, e)
	peer := addPeer(e, testOtherID, "127.0.0.1", 7001)
	e.ClusterDo(func(cc *ClusterCtx) { cc.State.SetMyMaster(peer) })
	require.Contains(t, c.line("CLUSTER NODES"), "myself,slave "+peer.Name)
	require.False(t, e.IsReplica(), "no replication link yet")

	past := clk.Now().Add(-time.Second).UnixMilli()
	ld := e.BeginStartupLoad(0)
	require.NoError(t, ld.Add(0, "gone", rdb.Value{Kind: rdb.KindString, Type: rdb.TypeString, Str: "v"}, past, 0))
	ld.SetReplication(ReplPosition{ID: strings.Repeat("a", 40), Offset: 500, StreamDB: 0})
	ld.End()
	assert.Equal(t, ":1\r\n", c.line("DBSIZE"), "an expired key of a replica's dump is loaded")
	assert.Equal(t, 0, e.ActiveExpireCycle())
	assert.Equal(t, ":1\r\n", c.line("DBSIZE"), "a replica waits for its master's DEL")
	info := c.line("INFO replication")
	assert.Contains(t, info, "master_replid:"+strings.Repeat("a", 40)+"\r\n")
	assert.Contains(t, info, "master_repl_offset:500\r\n")

	// The bus points the replica at its master: its PSYNC offers the
	// dump's history.
	e.SetReplicaLink(&stubLink{})
	e.ClusterDo(func(cc *ClusterCtx) { cc.FollowMaster("127.0.0.1", 7001) })
	id, off := e.MasterPosition()
	assert.Equal(t, strings.Repeat("a", 40), id)
	assert.Equal(t, int64(500), off)
}

// A cluster replica loads a full sync under repl-diskless-load swapdb
// into a temporary db 0 with its own slot index: a failed transfer leaves
// the keys and their slot index as they were, a finished one swaps both
// in (tests/cluster 17-diskless-load-swapdb).
func TestClusterSwapLoadKeepsSlotIndex(t *testing.T) {
	str := func(v string) rdb.Value { return rdb.Value{Kind: rdb.KindString, Str: v} }
	for _, fail := range []bool{true, false} {
		e, clk, _ := clusterEngine(t, nil)
		c := newClient(t, e)
		require.Equal(t, "+OK\r\n", c.line("CLUSTER ADDSLOTSRANGE 0 16383"))
		clk.Advance(3 * time.Second)
		e.ClusterCron()
		k0, k1 := keyInSlot(0), keyInSlot(1)
		require.Equal(t, "+OK\r\n", c.line("SET "+k0+" 1"))
		e.SetMasterAtStartup("127.0.0.1", 1)
		ld := e.BeginSwapLoad(0, e.srv.replID)
		require.NotNil(t, ld)
		require.NoError(t, ld.Add(0, k1, str("2"), -1, -1))
		assert.Contains(t, c.line("INFO persistence"), "async_loading:1\r\n")
		assert.Equal(t, "*1\r\n$"+strconv.Itoa(len(k0))+"\r\n"+k0+"\r\n", c.line("CLUSTER GETKEYSINSLOT 0 1"), "served while loading")
		assert.Equal(t, ":0\r\n", c.line("CLUSTER COUNTKEYSINSLOT 1"))
		var err error
		if fail {
			err = errors.New("MASTER closed the connection")
		}
		e.EndSwapLoad(ld, err)
		assert.Contains(t, c.line("INFO persistence"), "async_loading:0\r\n")
		if fail {
			assert.Equal(t, "$1\r\n1\r\n", c.line("GET "+k0))
			assert.Equal(t, "*1\r\n$"+strconv.Itoa(len(k0))+"\r\n"+k0+"\r\n", c.line("CLUSTER GETKEYSINSLOT 0 1"))
			assert.Equal(t, ":0\r\n", c.line("CLUSTER COUNTKEYSINSLOT 1"))
			continue
		}
		assert.Equal(t, "$-1\r\n", c.line("GET "+k0))
		assert.Equal(t, ":0\r\n", c.line("CLUSTER COUNTKEYSINSLOT 0"))
		assert.Equal(t, "*1\r\n$"+strconv.Itoa(len(k1))+"\r\n"+k1+"\r\n", c.line("CLUSTER GETKEYSINSLOT 1 1"))
	}
}

// A replica (replicaof in its configuration, or a cluster replica)
// replays its append-only file in full at startup: the file's writes are
// obeyed, not refused as a read-only replica's (Redis's mustObeyClient),
// and keys whose deadline passed stay for the master's DEL.
func TestReplicaReplaysItsAppendOnlyFile(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	require.Equal(t, "+OK\r\n", c.line("CONFIG SET min-replicas-to-write 1"))
	e.SetMasterAtStartup("127.0.0.1", 1)
	s, ld := e.StartLoading(0)
	s.Replay([][]byte{[]byte("SET"), []byte("k"), []byte("v"), []byte("PXAT"), []byte("1000")})
	s.Replay([][]byte{[]byte("SET"), []byte("k2"), []byte("v")})
	e.StopLoading(s, ld)
	assert.Equal(t, ":2\r\n", c.line("DBSIZE"))
	assert.Equal(t, "$1\r\nv\r\n", c.line("GET k2"))

	// A master with min-replicas-to-write has no replica while it loads.
	m, _ := testEngine(t)
	mc := newClient(t, m)
	require.Equal(t, "+OK\r\n", mc.line("CONFIG SET min-replicas-to-write 1"))
	s, ld = m.StartLoading(0)
	s.Replay([][]byte{[]byte("SET"), []byte("k2"), []byte("v")})
	m.StopLoading(s, ld)
	assert.Equal(t, ":1\r\n", mc.line("DBSIZE"))
}
