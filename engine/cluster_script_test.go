package engine

import (
	"strconv"

	"github.com/goredis-dev/goredis/cluster"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Scripts touch only keys this node serves, of one slot unless they allow
// cross-slot keys (Redis's scriptVerifyClusterState). Replies as
// redis-server 7.0.15 gives them on a node serving slots 0-8191 ("b" 3300,
// "c" 7365) of a cluster whose other master serves "a" (15495).
func TestClusterScriptKeys(t *testing.T) {
	_, c, _ := twoNodeCluster(t)
	scriptErr := func(msg, sha string, line int) string {
		return "-ERR " + msg + " script: " + sha + ", on @user_script:" + itoa(int64(line)) + ".\r\n"
	}
	const nonLocal = "Script attempted to access a non local key in a cluster node"
	const crossSlot = "Script attempted to access keys that do not hash to the same slot"
	steps := []struct {
		args []string
		want string
	}{
		// declared keys: the gate redirects
		{[]string{"EVAL", "return redis.call('get', KEYS[1])", "1", "a"}, "-MOVED 15495 127.0.0.1:7001\r\n"},
		{[]string{"EVAL", "return redis.call('get', 'a')", "0"}, scriptErr(nonLocal, "b2dc80c45e350e7bf2b3fc26fb0451ee65259785", 1)},
		{[]string{"EVAL", "return redis.call('get', 'b')", "0"}, "$-1\r\n"},
		// without a shebang, keys of several local slots are fine
		{[]string{"EVAL", "redis.call('get','b'); return redis.call('get','c')", "0"}, "$-1\r\n"},
		{[]string{"EVAL", "#!lua\nredis.call('get','b'); return redis.call('get','c')", "0"}, scriptErr(crossSlot, "33cb2adf0efe4d9f92f0e2dbe3439126749bf5dd", 2)},
		{[]string{"EVAL", "#!lua\nreturn redis.call('get','c')", "1", "b"}, scriptErr(crossSlot, "881710a870f1abd9954373e4c2dfa71b281c6356", 2)},
		{[]string{"EVAL", "#!lua flags=allow-cross-slot-keys\nredis.call('get','b'); return redis.call('get','c')", "0"}, "$-1\r\n"},
		{[]string{"EVAL", "return redis.pcall('get','a')", "0"}, "-ERR " + nonLocal + "\r\n"},
		// one command across slots: not local either
		{[]string{"EVAL", "return redis.call('mget','b','c')", "0"}, scriptErr(nonLocal, "74226bb0ac1802125d2867fd896b2b80cc987b4b", 1)},
		{[]string{"EVAL", "return redis.call('set','a', 1)", "0"}, scriptErr(nonLocal, "3d4833d0798253767d29264b663a214367fa0f05", 1)},
		{[]string{"EVAL", "#!lua\nreturn redis.call('get','a')", "0"}, scriptErr(nonLocal, "a61cb0caa0f32367d5109da224e474fc83a932aa", 2)},
		// the write before the refusal stays
		{[]string{"EVAL", "#!lua\nredis.call('set','b', 1); return redis.call('get','c')", "0"}, scriptErr(crossSlot, "61746a69267c3f87505e9b22334feba1242c107a", 2)},
		{[]string{"GET", "b"}, bulk("1")},
	}
	for _, st := range steps {
		assert.Equal(t, st.want, c.do(st.args...), st.args)
	}
	assert.Contains(t, c.line("INFO errorstats"), "errorstat_ERR:count=8\r\nerrorstat_MOVED:count=1\r\n")
	stats := c.line("INFO commandstats")
	assert.Contains(t, stats, "cmdstat_get:calls=7,")
	assert.Contains(t, stats, ",rejected_calls=6,failed_calls=0\r\n")
	assert.Contains(t, stats, "cmdstat_mget:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n")
	assert.Contains(t, stats, ",rejected_calls=1,failed_calls=8\r\n") // eval

	// Functions: the same rules (a function is never in EVAL's
	// compatibility mode).
	require.Equal(t, bulk("lib"), c.do("FUNCTION", "LOAD", "#!lua name=lib\n"+
		"redis.register_function('getb', function(keys, args) return redis.call('get', 'b') end)\n"+
		"redis.register_function('geta', function(keys, args) return redis.call('get', 'a') end)\n"+
		"redis.register_function{function_name='two', callback=function(keys, args) redis.call('get', 'b') return redis.call('get', 'c') end, flags={'allow-cross-slot-keys'}}"))
	assert.Equal(t, bulk("1"), c.line("FCALL getb 0"), "b was set above")
	assert.Equal(t, "-ERR "+nonLocal+" script: geta, on @user_function:3.\r\n", c.line("FCALL geta 0"))
	assert.Equal(t, "-MOVED 15495 127.0.0.1:7001\r\n", c.line("FCALL getb 1 a"))
	assert.Equal(t, "-ERR "+crossSlot+" script: getb, on @user_function:2.\r\n", c.line("FCALL getb 1 c"))
	assert.Equal(t, "$-1\r\n", c.line("FCALL two 0"))
}

// While the cluster is down a script's commands are refused as Redis
// refuses them, reads too unless cluster-allow-reads-when-down.
func TestClusterScriptClusterDown(t *testing.T) {
	e, c, _ := twoNodeCluster(t)
	require.Equal(t, "+OK\r\n", c.line("SET b 1"))
	require.Equal(t, "+OK\r\n", c.line("CLUSTER DELSLOTS 0"))
	e.ClusterCron()
	require.Contains(t, c.line("CLUSTER INFO"), "cluster_state:fail\r\n")
	assert.Equal(t, "-ERR Script attempted to execute a command while the cluster is down script: eefb072c762647cc8d8a40e7fe048aaf8872d416, on @user_script:1.\r\n",
		c.do("EVAL", "return redis.call('get','b')", "0"))
	c.line("CONFIG SET cluster-allow-reads-when-down yes")
	assert.Equal(t, bulk("1"), c.do("EVAL", "return redis.call('get','b')", "0"))
	assert.Equal(t, "-ERR Script attempted to execute a write command while the cluster is down and readonly script: 8b3371fd21fe32203c0af22d9c11bc892c2f0e76, on @user_script:1.\r\n",
		c.do("EVAL", "return redis.call('set','b',2)", "0"))
	assert.Equal(t, "-ERR Script attempted to execute a write command while the cluster is down and readonly\r\n",
		c.do("EVAL", "return redis.pcall('set','b',2)", "0"))
}

// On a replica, a READONLY client's script is a write at the cluster
// gate unless its shebang says no-writes (getCommandFlags): a writing
// script is sent to the master with -MOVED, not refused with -READONLY
// (tests/cluster 16-transactions-on-replica).
func TestClusterReplicaScriptFlagsRedirect(t *testing.T) {
	e, clk, _ := clusterEngine(t, nil)
	e.SetReplicaLink(&stubLink{})
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
	require.Equal(t, "+OK\r\n", c.line("READONLY"))
	slot := strconv.Itoa(int(cluster.KeySlot("a")))
	assert.Equal(t, "-MOVED "+slot+" 127.0.0.1:7001\r\n", c.do("EVAL", "#!lua\nreturn redis.call('del','a')", "1", "a"))
	assert.Equal(t, ":0\r\n", c.do("EVAL", "#!lua flags=no-writes\nreturn redis.call('exists','a')", "1", "a"))
	// A script without a shebang keeps EVAL's flags (not a write).
	assert.Equal(t, ":0\r\n", c.do("EVAL", "return redis.call('exists','a')", "1", "a"))
	assert.Equal(t, "-MOVED "+slot+" 127.0.0.1:7001\r\n", c.do("EVAL", "#!lua\nreturn 1", "1", "a"))
}
