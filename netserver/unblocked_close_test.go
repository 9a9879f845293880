package netserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// followNowhere is a replica link that never connects: REPLICAOF then
// only changes the role.
type followNowhere struct{}

func (followNowhere) Follow(string, int) {}
func (followNowhere) Stop()              {}

// A master that becomes a replica answers its blocked clients -UNBLOCKED
// and closes them after that reply (Redis's disconnectAllBlockedClients
// sets CLIENT_CLOSE_AFTER_REPLY): what they pipelined after the blocking
// command never runs.
func TestUnblockedClientIsClosedAfterReply(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		srv, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		srv.eng.SetReplicaLink(followNowhere{})
		a, b, c := dialRaw(t, addr), dialRaw(t, addr), dialRaw(t, addr)
		a.write("BLPOP q 0\r\nSET after 1\r\n")
		c.write("BLPOP q 0\r\n") // nothing pipelined after it
		a.noReply(200 * time.Millisecond)
		b.write("REPLICAOF 127.0.0.1 1\r\n")
		assert.Equal(t, "+OK\r\n", b.reply())
		for _, blocked := range []*rawConn{a, c} {
			rest, closed := blocked.closed(hangGuard)
			assert.True(t, closed, "the connection stays open")
			assert.Equal(t, "-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n", rest)
		}
		b.write("EXISTS after\r\n")
		assert.Equal(t, ":0\r\n", b.reply())
	})
}
