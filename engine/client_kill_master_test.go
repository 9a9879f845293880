package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// CLIENT KILL of the master's client takes the link down at once, as
// Redis frees the master client: a DEBUG SLEEP queued after it in the
// same MULTI (tests/cluster 06-slave-stop-cond) must age the replica's
// data, whatever the replication goroutine does once it gets the lock.
func TestClientKillMasterTakesLinkDownAtOnce(t *testing.T) {
	e, clk := testEngine(t)
	e.SetReplicaLink(&stubLink{})
	c := newClient(t, e)
	c.line("REPLICAOF 127.0.0.1 1")
	e.MasterFullSynced(strings.Repeat("c", 40), 10)
	e.MasterLinkState("connected")
	m := e.NewMasterSession(ClientInfo{Addr: "127.0.0.1:1", Kind: "master"})
	defer m.Close()
	assert.Contains(t, c.line("INFO replication"), "master_link_status:up\r\n")
	assert.Equal(t, ":1\r\n", c.line("CLIENT KILL TYPE master"))
	clk.Advance(20 * time.Second)
	info := c.line("INFO replication")
	assert.Contains(t, info, "master_link_status:down\r\n")
	assert.Contains(t, info, "master_link_down_since_seconds:20\r\n")
	// The replication goroutine's own report afterwards changes nothing.
	e.MasterLinkState("connect")
	assert.Contains(t, c.line("INFO replication"), "master_link_down_since_seconds:20\r\n")
}
