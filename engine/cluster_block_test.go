package engine

import (
	"testing"

	"github.com/goredis-dev/goredis/cluster"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Clients blocked on keys of a slot this node gave away are answered
// -MOVED and unblocked (clusterRedirectBlockedClientIfNeeded, from
// clientsCron); while the cluster is down -CLUSTERDOWN. A client blocked
// on a slot still served here, or being imported, waits on; WAIT is not
// blocked on keys.
func TestClusterBlockedClientsRedirected(t *testing.T) {
	e, c, peer := twoNodeCluster(t)
	blpop := newClient(t, e)
	st, out := blpop.exec("BLPOP", keyInSlot(100), "0")
	require.Equal(t, StatusBlocked, st, out)
	zpop := newClient(t, e)
	st, _ = zpop.exec("BZPOPMIN", keyInSlot(101), "0")
	require.Equal(t, StatusBlocked, st)
	xread := newClient(t, e)
	st, _ = xread.exec("XREAD", "BLOCK", "0", "STREAMS", keyInSlot(102), "$")
	require.Equal(t, StatusBlocked, st)
	// A slot being imported: an ASKING client may block on it.
	require.Equal(t, "+OK\r\n", c.line("CLUSTER SETSLOT 9000 IMPORTING "+peer.Name))
	importing := newClient(t, e)
	require.Equal(t, "+OK\r\n", importing.line("ASKING"))
	st, _ = importing.exec("BLPOP", keyInSlot(9000), "0")
	require.Equal(t, StatusBlocked, st)
	wait := newClient(t, e)
	st, _ = wait.exec("WAIT", "1", "0")
	require.Equal(t, StatusBlocked, st)

	require.Equal(t, "+OK\r\n", c.line("CLUSTER SETSLOT 100 NODE "+peer.Name))
	e.ClusterCron()
	assert.Equal(t, "-MOVED 100 127.0.0.1:7001\r\n", blpop.output())
	assert.False(t, blpop.s.Blocked())
	assert.True(t, zpop.s.Blocked(), "slot 101 is still served here")
	assert.True(t, importing.s.Blocked(), "slot 9000 is being imported")
	assert.True(t, wait.s.Blocked())

	// Not blocked any more: the next BLPOP is redirected at the gate.
	assert.Equal(t, "-MOVED 100 127.0.0.1:7001\r\n", blpop.line("BLPOP "+keyInSlot(100)+" 0"))
	stats := c.line("INFO commandstats")
	assert.Regexp(t, `cmdstat_blpop:calls=2,usec=\d+,usec_per_call=[\d.]+,rejected_calls=1,failed_calls=0\r\n`, stats, "the redirect is not a failed call")
	assert.Contains(t, c.line("INFO errorstats"), "errorstat_MOVED:count=2\r\n")

	// The cluster goes down: every client blocked on keys is told.
	require.Equal(t, "+OK\r\n", c.line("CLUSTER DELSLOTS 0"))
	e.ClusterCron()
	assert.Equal(t, "-CLUSTERDOWN The cluster is down\r\n", zpop.output())
	assert.Equal(t, "-CLUSTERDOWN The cluster is down\r\n", xread.output())
	assert.Equal(t, "-CLUSTERDOWN The cluster is down\r\n", importing.output())
	assert.True(t, wait.s.Blocked(), "WAIT waits for replicas, not keys")
	assert.Contains(t, c.line("INFO clients"), "blocked_clients:1\r\n")
}

// A replica's READONLY client blocked in a read of its master's slot (an
// XREAD) waits on; a write (BLPOP) is redirected to the master.
func TestClusterBlockedReadonlyReplica(t *testing.T) {
	e, clk, _ := clusterEngine(t, nil)
	c := newClient(t, e)
	peer := addPeer(e, testOtherID, "127.0.0.1", 7001)
	e.ClusterDo(func(cc *ClusterCtx) {
		for j := range cluster.Slots {
			cc.State.AddSlot(peer, j)
		}
	})
	require.Equal(t, "+OK\r\n", c.line("CLUSTER REPLICATE "+peer.Name))
	clk.Advance(3e9)
	e.ClusterCron()
	xread := newClient(t, e)
	require.Equal(t, "+OK\r\n", xread.line("READONLY"))
	st, _ := xread.exec("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	require.Equal(t, StatusBlocked, st)
	e.ClusterCron()
	assert.True(t, xread.s.Blocked())
	assert.Equal(t, "", xread.output())
}

// A master that turns replica unblocks every client blocked on keys with
// -UNBLOCKED (disconnectAllBlockedClients), whatever their slot.
func TestClusterBlockedMasterTurnsReplica(t *testing.T) {
	e, c, peer := twoNodeCluster(t)
	e.SetReplicaLink(&stubLink{})
	blpop := newClient(t, e)
	st, _ := blpop.exec("BLPOP", keyInSlot(100), "0")
	require.Equal(t, StatusBlocked, st)
	// The peer took this node's slots (an UPDATE message).
	e.ClusterDo(func(cc *ClusterCtx) { cc.SetMyMaster(peer) })
	assert.Contains(t, c.line("CLUSTER NODES"), "myself,slave "+peer.Name)
	assert.Equal(t, "-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n", blpop.output())
	// Closed after that reply (CLIENT_CLOSE_AFTER_REPLY): what it sent
	// next is not run.
	assert.True(t, blpop.s.ShouldClose())
	st, out := blpop.exec("GET", keyInSlot(100))
	assert.Equal(t, StatusClose, st)
	assert.Equal(t, "", out)
}
