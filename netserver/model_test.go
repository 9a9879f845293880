package netserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eachModel runs f once per way TCP peers are served: the event loop (the
// default; where there is none, goroutines again) and a goroutine per
// peer.
func eachModel(t *testing.T, f func(t *testing.T, goroutines bool)) {
	t.Helper()
	t.Run("eventloop", func(t *testing.T) { f(t, false) })
	t.Run("goroutines", func(t *testing.T) { f(t, true) })
}

// hangGuard bounds waits that only a bug makes long.
const hangGuard = 10 * time.Second

// noReply checks that nothing arrives on r for a while: a command that
// must wait. A slow machine can only make it pass, never fail wrongly.
func (r *rawConn) noReply(wait time.Duration) {
	r.t.Helper()
	_ = r.c.SetReadDeadline(time.Now().Add(wait))
	b, err := r.br.Peek(1)
	assert.Empty(r.t, b, "a reply arrived early")
	var ne net.Error
	assert.True(r.t, errors.As(err, &ne) && ne.Timeout(), "want a timeout, got %v", err)
}

// TestLargeReplySlowReader: a reply far bigger than the socket buffers, to
// a client that reads slowly, goes out whole and in order, while other
// clients are served meanwhile; afterwards the client is served again.
func TestLargeReplySlowReader(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		const size = 20 << 20
		val := bytes.Repeat([]byte("0123456789abcdef"), size/16)
		slow := dialRaw(t, addr)
		_, err := slow.c.Write(respCommand("SET", "big", string(val)))
		require.NoError(t, err)
		require.Equal(t, "+OK\r\n", slow.reply())

		slow.write("GET big\r\nECHO after\r\n")
		head := fmt.Sprintf("$%d\r\n", size)
		got := make([]byte, len(head)+1024)
		_ = slow.c.SetReadDeadline(time.Now().Add(hangGuard))
		_, err = io.ReadFull(slow.br, got)
		require.NoError(t, err)
		require.Equal(t, head, string(got[:len(head)]))

		// The server cannot write the rest yet: it serves others anyway.
		other := dialRaw(t, addr)
		other.write("PING\r\n")
		assert.Equal(t, "+PONG\r\n", other.reply())

		rest := make([]byte, size+2-1024)
		for off := 0; off < len(rest); {
			n, err := slow.br.Read(rest[off:min(off+256<<10, len(rest))])
			require.NoError(t, err)
			off += n
			time.Sleep(time.Millisecond)
		}
		assert.True(t, bytes.Equal(val, append(got[len(head):], rest[:len(rest)-2]...)), "the value comes back intact")
		assert.Equal(t, "\r\n", string(rest[len(rest)-2:]))
		assert.Equal(t, "$5\r\nafter\r\n", slow.reply())
		slow.write("PING\r\n")
		assert.Equal(t, "+PONG\r\n", slow.reply())

		// QUIT behind a large reply: all of it is written, then the close.
		slow.write("GET big\r\nQUIT\r\n")
		out, closed := slow.closed(hangGuard)
		assert.True(t, closed)
		assert.Equal(t, len(head)+size+2+len("+OK\r\n"), len(out))
		assert.True(t, strings.HasSuffix(out, "\r\n+OK\r\n"))
	})
}

// TestMonitorStream: MONITOR output, produced by other clients' commands,
// reaches the monitoring client.
func TestMonitorStream(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		mon, c := dialRaw(t, addr), dialRaw(t, addr)
		mon.write("MONITOR\r\n")
		assert.Equal(t, "+OK\r\n", mon.reply())
		c.write("SET k v\r\n")
		assert.Equal(t, "+OK\r\n", c.reply())
		line := mon.reply()
		assert.True(t, strings.HasSuffix(line, `"SET" "k" "v"`+"\r\n"), "%q", line)
	})
}

// TestBlockingServedAndTimedOut: BLPOP woken by another client, with the
// commands pipelined behind it (and those sent while it waits) run after
// it, in order; a decimal timeout; a client gone while blocked takes no
// element.
func TestBlockingServedAndTimedOut(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		a, b := dialRaw(t, addr), dialRaw(t, addr)

		a.write("BLPOP q 0\r\nECHO one\r\n")
		a.noReply(100 * time.Millisecond)
		a.write("ECHO two\r\n")
		a.noReply(50 * time.Millisecond)
		b.write("RPUSH q x\r\n")
		assert.Equal(t, ":1\r\n", b.reply())
		assert.Equal(t, "*2\r\n$1\r\nq\r\n$1\r\nx\r\n", a.reply())
		assert.Equal(t, "$3\r\none\r\n", a.reply())
		assert.Equal(t, "$3\r\ntwo\r\n", a.reply())

		a.write("BLPOP q 0.05\r\nECHO after\r\n")
		assert.Equal(t, "*-1\r\n", a.reply())
		assert.Equal(t, "$5\r\nafter\r\n", a.reply())
		a.write("BRPOP q1 q2 0.001\r\n")
		assert.Equal(t, "*-1\r\n", a.reply())

		c := dialRaw(t, addr)
		c.write("BLPOP gone 0\r\n")
		c.noReply(100 * time.Millisecond)
		require.NoError(t, c.c.Close())
		require.Eventually(t, func() bool {
			b.write("INFO clients\r\n")
			return strings.Contains(b.reply(), "blocked_clients:0\r\n")
		}, hangGuard, 10*time.Millisecond)
		b.write("RPUSH gone y\r\nLLEN gone\r\n")
		assert.Equal(t, ":1\r\n", b.reply())
		assert.Equal(t, ":1\r\n", b.reply(), "the element stays in the list")
	})
}

// TestClientKillFromAnotherClient: the killed client is closed (even while
// blocked); the killer goes on.
func TestClientKillFromAnotherClient(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		killer := dialRaw(t, addr)
		for _, cmd := range []string{"PING", "BLPOP never 0"} {
			victim := dialRaw(t, addr)
			victim.write("CLIENT ID\r\n")
			id := strings.TrimSuffix(strings.TrimPrefix(victim.reply(), ":"), "\r\n")
			victim.write(cmd + "\r\n")
			if cmd == "PING" {
				assert.Equal(t, "+PONG\r\n", victim.reply())
			}
			killer.write("CLIENT KILL ID " + id + "\r\n")
			assert.Equal(t, ":1\r\n", killer.reply())
			out, closed := victim.closed(hangGuard)
			assert.True(t, closed, cmd)
			assert.Empty(t, out, cmd)
		}
		killer.write("CLIENT KILL ID 999999\r\nPING\r\n")
		assert.Equal(t, ":0\r\n", killer.reply())
		assert.Equal(t, "+PONG\r\n", killer.reply())
	})
}

// TestPubSubDelivery: messages published by one client reach subscribers
// (RESP2 and RESP3) in order, with nothing sent by the subscribers.
func TestPubSubDelivery(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		s2, s3, pub := dialRaw(t, addr), dialRaw(t, addr), dialRaw(t, addr)
		s2.write("SUBSCRIBE ch\r\n")
		assert.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", s2.reply())
		s3.write("HELLO 3\r\n")
		s3.reply()
		s3.write("SUBSCRIBE ch\r\n")
		assert.Equal(t, ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", s3.reply())
		for i := range 100 {
			pub.write("PUBLISH ch m" + strconv.Itoa(i) + "\r\n")
			assert.Equal(t, ":2\r\n", pub.reply())
		}
		for i := range 100 {
			m := "m" + strconv.Itoa(i)
			body := "$7\r\nmessage\r\n$2\r\nch\r\n$" + strconv.Itoa(len(m)) + "\r\n" + m + "\r\n"
			require.Equal(t, "*3\r\n"+body, s2.reply())
			require.Equal(t, ">3\r\n"+body, s3.reply())
		}
	})
}

// TestClientPauseHoldsWrites: under CLIENT PAUSE WRITE a SET waits, with
// the commands behind it, until CLIENT UNPAUSE; reads go on.
func TestClientPauseHoldsWrites(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		admin, w, r := dialRaw(t, addr), dialRaw(t, addr), dialRaw(t, addr)
		admin.write("CLIENT PAUSE 100000 WRITE\r\n")
		assert.Equal(t, "+OK\r\n", admin.reply())
		w.write("SET k v\r\nGET k\r\n")
		w.noReply(200 * time.Millisecond)
		r.write("GET k\r\n")
		assert.Equal(t, "$-1\r\n", r.reply(), "reads are not paused")
		admin.write("CLIENT UNPAUSE\r\n")
		assert.Equal(t, "+OK\r\n", admin.reply())
		assert.Equal(t, "+OK\r\n", w.reply())
		assert.Equal(t, "$1\r\nv\r\n", w.reply())

		// a pause that ends by itself
		admin.write("CLIENT PAUSE 100 WRITE\r\n")
		assert.Equal(t, "+OK\r\n", admin.reply())
		w.write("DEL k\r\n")
		assert.Equal(t, ":1\r\n", w.reply())
	})
}

// TestIdleTimeoutOneSecond is the server's `timeout 1`.
func TestIdleTimeoutOneSecond(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines, IdleTimeout: time.Second})
		idle, blocked := dialRaw(t, addr), dialRaw(t, addr)
		mon, sub := dialRaw(t, addr), dialRaw(t, addr)
		mon.write("MONITOR\r\n")
		assert.Equal(t, "+OK\r\n", mon.reply())
		sub.write("SUBSCRIBE ch\r\n")
		assert.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", sub.reply())
		idle.write("PING\r\n")
		assert.Equal(t, "+PONG\r\n", idle.reply())
		blocked.write("BLPOP q 0\r\n")
		start := time.Now()
		out, closed := idle.closed(hangGuard)
		assert.True(t, closed)
		assert.Empty(t, out)
		assert.GreaterOrEqual(t, time.Since(start), 500*time.Millisecond, "closed for being idle, not at once")
		// Redis does not time out a blocked client.
		blocked.noReply(200 * time.Millisecond)
		other := dialRaw(t, addr)
		other.write("RPUSH q x\r\n")
		assert.Equal(t, ":1\r\n", other.reply())
		assert.Equal(t, "*2\r\n$1\r\nq\r\n$1\r\nx\r\n", blocked.reply())
		// Nor a subscriber or a MONITOR, however long they stay quiet.
		other.write("PUBLISH ch hi\r\n")
		assert.Equal(t, ":1\r\n", other.reply())
		assert.Equal(t, "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", sub.reply())
		var seen []string
		for len(seen) < 10 && (len(seen) == 0 || !strings.Contains(seen[len(seen)-1], `"PUBLISH"`)) {
			seen = append(seen, mon.reply())
		}
		assert.Contains(t, seen[len(seen)-1], `"PUBLISH" "ch" "hi"`, "MONITOR still streams: %q", seen)
	})
}

// TestServerCloseWithPeers: Close returns with peers connected (one of
// them blocked, one in the middle of a large reply), closes them all and
// leaves no goroutine behind.
func TestServerCloseWithPeers(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		before := runtime.NumGoroutine()
		srv, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		idle, blocked, big := dialRaw(t, addr), dialRaw(t, addr), dialRaw(t, addr)
		idle.write("PING\r\n")
		assert.Equal(t, "+PONG\r\n", idle.reply())
		blocked.write("BLPOP q 0\r\n")
		_, err := big.c.Write(respCommand("SET", "big", strings.Repeat("x", 8<<20)))
		require.NoError(t, err)
		assert.Equal(t, "+OK\r\n", big.reply())
		big.write("GET big\r\n") // and never read
		blocked.noReply(100 * time.Millisecond)

		done := make(chan error, 1)
		go func() { done <- srv.Close() }()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(hangGuard):
			t.Fatal("Close hangs")
		}
		for _, r := range []*rawConn{idle, blocked} {
			_, closed := r.closed(hangGuard)
			assert.True(t, closed)
		}
		_ = big.c.Close()
		assert.Eventually(t, func() bool { return runtime.NumGoroutine() <= before+2 }, hangGuard, 10*time.Millisecond,
			"goroutines: %d before, %d after", before, runtime.NumGoroutine())
	})
}

// TestClientListShowsPeers: CLIENT LIST and INFO see every TCP peer with
// its address.
func TestClientListShowsPeers(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		a, b := dialRaw(t, addr), dialRaw(t, addr)
		a.write("CLIENT SETNAME alpha\r\n")
		assert.Equal(t, "+OK\r\n", a.reply())
		b.write("CLIENT LIST\r\n")
		list := b.reply()
		assert.Contains(t, list, "addr="+a.c.LocalAddr().String()+" laddr="+addr)
		assert.Contains(t, list, "name=alpha")
		assert.Equal(t, 2, strings.Count(list, "id="))
		b.write("INFO clients\r\n")
		assert.Contains(t, b.reply(), "connected_clients:2\r\n")
	})
}

// TestLongPipelineBeforeReading: a client that writes a pipeline far
// larger than the socket buffers before it reads a single reply (the
// Tcl suite's "PIPELINING stresser", naive benchmark scripts) is served
// to the end: as Redis does, both models go on reading and running
// requests while their replies wait for the client.
func TestLongPipelineBeforeReading(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		longPipelineBeforeReading(t, goroutines)
	})
}

func longPipelineBeforeReading(t *testing.T, goroutines bool) {
	_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
	c := dialRaw(t, addr)
	val := strings.Repeat("v", 200)
	c.write("SET k " + val + "\r\n")
	require.Equal(t, "+OK\r\n", c.reply())

	const n = 100000
	req := respCommand("GET", "k"+strings.Repeat("x", 200)) // a miss, but a long request
	hit := respCommand("GET", "k")
	var pipeline bytes.Buffer
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			pipeline.Write(hit)
		} else {
			pipeline.Write(req)
		}
	}
	_ = c.c.SetDeadline(time.Now().Add(4 * hangGuard))
	_, err := c.c.Write(pipeline.Bytes())
	require.NoError(t, err, "the server must keep reading while its replies wait")
	want := "$200\r\n" + val + "\r\n"
	for i := 0; i < n; i++ {
		got := c.reply()
		if i%2 == 0 {
			require.Equal(t, want, got, "reply %d", i)
		} else {
			require.Equal(t, "$-1\r\n", got, "reply %d", i)
		}
	}
}
