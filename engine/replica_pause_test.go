package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A paused replica holds its master's stream back: the paused write and
// what follows it are neither applied nor counted in slave_repl_offset
// (what a manual failover compares), only in slave_read_repl_offset;
// after the pause the stream resumes in order and is passed on to this
// server's own replicas (Redis's pause.tcl "Test when replica paused,
// offset would not grow" and "... would grow after unpause").
func TestPausedReplicaHoldsMasterStream(t *testing.T) {
	for _, end := range []string{"unpause", "deadline"} {
		t.Run(end, func(t *testing.T) {
			e, clk := testEngine(t)
			e.SetFullSyncer(&fakeSyncer{})
			e.SetReplicaLink(&stubLink{})
			c := newClient(t, e)
			c.line("REPLICAOF 127.0.0.1 1")
			replid := strings.Repeat("c", 40)
			e.MasterFullSynced(replid, 0)
			m := e.NewMasterSession(ClientInfo{Addr: "127.0.0.1:1", Kind: "master"})
			e.MasterLinkState("connected")
			sub := newClient(t, e)
			assert.Equal(t, "+CONTINUE "+replid+"\r\n", sub.line("PSYNC "+replid+" 1"))
			sent := 0
			run := func(args ...string) {
				bs := make([][]byte, len(args))
				for i, a := range args {
					bs[i] = []byte(a)
				}
				raw := appendCommandArgs(nil, bs)
				sent += len(raw)
				m.ExecMaster(bs, raw)
				m.TakeOutput(nil)
			}
			offsets := func() (read, applied string) {
				info := c.line("INFO replication")
				for _, l := range strings.Split(info, "\r\n") {
					if v, ok := strings.CutPrefix(l, "slave_read_repl_offset:"); ok {
						read = v
					}
					if v, ok := strings.CutPrefix(l, "slave_repl_offset:"); ok {
						applied = v
					}
				}
				return read, applied
			}
			run("SET", "foo", "bar")
			before := sent
			assert.Equal(t, cmdBytes("SET", "foo", "bar"), string(sub.s.TakeOutput(nil)))
			read, applied := offsets()
			assert.Equal(t, itoa(int64(before)), read)
			assert.Equal(t, itoa(int64(before)), applied)

			assert.Equal(t, "+OK\r\n", c.line("CLIENT PAUSE 100000 WRITE"))
			run("SET", "foo2", "bar2")
			run("GET", "foo")
			run("INCR", "n")
			read, applied = offsets()
			assert.Equal(t, itoa(int64(sent)), read, "received")
			assert.Equal(t, itoa(int64(before)), applied, "not applied")
			assert.Equal(t, "$-1\r\n", c.line("GET foo2"))
			assert.Equal(t, int64(before), e.repl.offset, "nothing passed on to sub-replicas")

			switch end {
			case "unpause":
				assert.Equal(t, "+OK\r\n", c.line("CLIENT UNPAUSE"))
			case "deadline":
				clk.Advance(101 * time.Second)
				m.CheckTimeout()
			}
			read, applied = offsets()
			assert.Equal(t, itoa(int64(sent)), read)
			assert.Equal(t, itoa(int64(sent)), applied)
			assert.Equal(t, "$4\r\nbar2\r\n", c.line("GET foo2"))
			assert.Equal(t, "$1\r\n1\r\n", c.line("GET n"))
			assert.Equal(t, int64(sent), e.repl.offset)
			assert.Equal(t, cmdBytes("SET", "foo2", "bar2")+cmdBytes("GET", "foo")+cmdBytes("INCR", "n"),
				string(sub.s.TakeOutput(nil)), "passed on verbatim, in order")
		})
	}
}

// A master link that closes while its stream is held forgets what was
// held: the master sends it again from the applied offset.
func TestPausedReplicaLinkLost(t *testing.T) {
	e, _ := testEngine(t)
	e.SetReplicaLink(&stubLink{})
	c := newClient(t, e)
	c.line("REPLICAOF 127.0.0.1 1")
	e.MasterFullSynced(strings.Repeat("d", 40), 0)
	m := e.NewMasterSession(ClientInfo{Addr: "127.0.0.1:1", Kind: "master"})
	e.MasterLinkState("connected")
	c.line("CLIENT PAUSE 100000 WRITE")
	bs := [][]byte{[]byte("SET"), []byte("k"), []byte("v")}
	m.ExecMaster(bs, appendCommandArgs(nil, bs))
	m.Close()
	info := c.line("INFO replication")
	assert.Contains(t, info, "slave_read_repl_offset:0\r\n")
	assert.Contains(t, info, "slave_repl_offset:0\r\n")
	c.line("CLIENT UNPAUSE")
	assert.Equal(t, "$-1\r\n", c.line("GET k"))
}
