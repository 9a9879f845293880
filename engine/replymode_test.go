package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The expected bytes below are what redis-server 7.0.15 sends for the same
// requests.
func TestClientReplyModes(t *testing.T) {
	const pong = "+PONG\r\n"
	tests := []struct {
		name  string
		steps []step
	}{
		{"ON after SKIP answers OK", []step{
			{cmd: "CLIENT REPLY SKIP", want: ""},
			{cmd: "CLIENT REPLY ON", want: ok},
			{cmd: "PING", want: pong},
		}},
		{"SKIP lasts one command, errors included", []step{
			{cmd: "CLIENT REPLY SKIP", want: ""},
			{cmd: "NOSUCH", want: ""},
			{cmd: "PING", want: pong},
		}},
		{"SKIP while OFF is ignored", []step{
			{cmd: "CLIENT REPLY OFF", want: ""},
			{cmd: "CLIENT REPLY SKIP", want: ""},
			{cmd: "PING", want: ""},
			{cmd: "CLIENT REPLY ON", want: ok},
			{cmd: "PING", want: pong},
		}},
		{"RESP2 subscribe confirmations pass OFF", []step{
			{cmd: "CLIENT REPLY OFF", want: ""},
			{cmd: "SUBSCRIBE a", want: "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"},
			{cmd: "PING", want: ""},
			{cmd: "UNSUBSCRIBE", want: "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n"},
			{cmd: "CLIENT REPLY ON", want: ok},
		}},
		{"SKIP then SUBSCRIBE: confirmations pass, the reply after is sent", []step{
			{cmd: "CLIENT REPLY SKIP", want: ""},
			{cmd: "SUBSCRIBE a b", want: "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"},
			{cmd: "PING", want: "*2\r\n$4\r\npong\r\n$0\r\n\r\n"},
		}},
		{"RESP3 self-published message passes OFF, the PUBLISH reply does not", []step{
			{cmd: "HELLO 3", want: ""}, // not compared: see below
			{cmd: "CLIENT REPLY OFF", want: ""},
			{cmd: "SUBSCRIBE a", want: ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"},
			{cmd: "PUBLISH a x", want: ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nx\r\n"},
			{cmd: "PING", want: ""},
			{cmd: "CLIENT REPLY ON", want: ok},
		}},
		{"RESP3 invalidation of its own write passes OFF", []step{
			{cmd: "HELLO 3", want: ""},
			{cmd: "CLIENT TRACKING ON", want: ok},
			{cmd: "GET k", want: "_\r\n"},
			{cmd: "CLIENT REPLY OFF", want: ""},
			{cmd: "SET k 1", want: ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"},
			{cmd: "CLIENT REPLY ON", want: ok},
		}},
		{"OFF before MULTI: ON inside EXEC lets the rest through", []step{
			{cmd: "CLIENT REPLY OFF", want: ""},
			{cmd: "MULTI", want: ""},
			{cmd: "PING", want: ""},
			{cmd: "CLIENT REPLY ON", want: ""},
			{cmd: "PING", want: ""},
			{cmd: "EXEC", want: ok + pong},
			{cmd: "PING", want: pong},
		}},
		{"OFF inside EXEC silences what follows it", []step{
			{cmd: "MULTI", want: ok},
			{cmd: "PING", want: "+QUEUED\r\n"},
			{cmd: "CLIENT REPLY OFF", want: "+QUEUED\r\n"},
			{cmd: "PING", want: "+QUEUED\r\n"},
			{cmd: "EXEC", want: "*3\r\n" + pong},
			{cmd: "CLIENT REPLY ON", want: ok},
		}},
		{"SKIP inside EXEC skips the command after EXEC", []step{
			{cmd: "MULTI", want: ok},
			{cmd: "CLIENT REPLY SKIP", want: "+QUEUED\r\n"},
			{cmd: "EXEC", want: "*1\r\n"},
			{cmd: "PING", want: ""},
			{cmd: "PING", want: pong},
		}},
		{"SKIP before MULTI silences only MULTI's OK", []step{
			{cmd: "CLIENT REPLY SKIP", want: ""},
			{cmd: "MULTI", want: ""},
			{cmd: "PING", want: "+QUEUED\r\n"},
			{cmd: "EXEC", want: "*1\r\n" + pong},
			{cmd: "PING", want: pong},
		}},
		{"SKIP queued after another command skips the command after EXEC", []step{
			{cmd: "MULTI", want: ok},
			{cmd: "PING", want: "+QUEUED\r\n"},
			{cmd: "CLIENT REPLY SKIP", want: "+QUEUED\r\n"},
			{cmd: "EXEC", want: "*2\r\n" + pong},
			{cmd: "PING", want: ""},
			{cmd: "PING", want: pong},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := testEngine(t)
			c := newClient(t, e)
			for i, st := range tt.steps {
				got := c.line(st.cmd)
				if st.cmd == "HELLO 3" {
					continue
				}
				assert.Equal(t, st.want, got, "step %d: %s", i, st.cmd)
			}
		})
	}
}

func TestClientReplyPushesFromOthers(t *testing.T) {
	e, _ := testEngine(t)
	sub := newClient(t, e)
	pub := newClient(t, e)
	sub.line("HELLO 3")
	assert.Equal(t, "", sub.line("CLIENT REPLY OFF"))
	assert.Equal(t, ">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:1\r\n", sub.line("PSUBSCRIBE c*"))
	assert.Equal(t, integer(1), pub.line("PUBLISH ch hi"))
	assert.Equal(t, ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n", string(sub.s.TakeOutput(nil)))
}

func TestClientReplyBlockedCommand(t *testing.T) {
	e, clk := testEngine(t)
	a := newClient(t, e)
	b := newClient(t, e)

	// SKIP: the reply a blocked command gets later is dropped, and the
	// command after it is answered.
	assert.Equal(t, "", a.line("CLIENT REPLY SKIP"))
	assert.Equal(t, "", a.line("BLPOP l 0"))
	assert.Equal(t, integer(1), b.line("RPUSH l x"))
	assert.Equal(t, "", string(a.s.TakeOutput(nil)))
	assert.Equal(t, "+PONG\r\n", a.line("PING"))

	// OFF: a timeout reply is dropped too.
	assert.Equal(t, "", a.line("CLIENT REPLY OFF"))
	assert.Equal(t, "", a.line("BLPOP l 1"))
	clk.Advance(1100 * time.Millisecond)
	a.s.CheckTimeout()
	assert.False(t, a.s.Blocked())
	assert.Equal(t, "", string(a.s.TakeOutput(nil)))

	// CLIENT UNBLOCK ... ERROR of a silenced client.
	assert.Equal(t, "", a.line("BLPOP l 0"))
	assert.Equal(t, integer(1), b.line("CLIENT UNBLOCK "+itoa(a.s.ID())+" ERROR"))
	assert.Equal(t, "", string(a.s.TakeOutput(nil)))
	assert.Equal(t, ok, a.line("CLIENT REPLY ON"))

	// Not silenced: the served reply arrives.
	assert.Equal(t, "", a.line("BLPOP l 0"))
	assert.Equal(t, integer(1), b.line("RPUSH l y"))
	assert.Equal(t, "*2\r\n$1\r\nl\r\n$1\r\ny\r\n", string(a.s.TakeOutput(nil)))
}
