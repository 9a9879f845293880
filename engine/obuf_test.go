package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A reply whose size the client chooses (a huge negative random count)
// closes that client past the bound instead of growing until memory runs
// out; other clients carry on.
func TestUnboundedReplyClosesClient(t *testing.T) {
	for _, cmd := range []string{
		"SRANDMEMBER s -9223372036854775807",
		"ZRANDMEMBER z -9223372036854775807",
		"HRANDFIELD h -9223372036854775807",
	} {
		e, _ := testEngine(t)
		e.maxUnboundedReply = 1 << 20
		c := newClient(t, e)
		c.line("SADD s a b c")
		c.line("ZADD z 1 a 2 b")
		c.line("HSET h f v g w")
		st := c.s.Exec(splitArgs(cmd))
		assert.NotZero(t, st&StatusClose, cmd)
		assert.Empty(t, c.s.TakeOutput(nil), cmd)
		other := newClient(t, e)
		assert.Equal(t, "+PONG\r\n", other.line("PING"))
	}
}

func splitArgs(line string) [][]byte {
	var out [][]byte
	for _, f := range strings.Fields(line) {
		out = append(out, []byte(f))
	}
	return out
}
