package netserver

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientField returns a numeric field of the CLIENT LIST line of the
// client named name, and false when there is no such client.
func clientField(t *testing.T, admin *rawConn, name, field string) (int64, bool) {
	t.Helper()
	admin.write("CLIENT LIST\r\n")
	list := admin.reply()
	for _, line := range strings.Split(list, "\n") {
		if !strings.Contains(line, " name="+name+" ") {
			continue
		}
		m := regexp.MustCompile(`(?:^|\s)` + field + `=(-?[0-9]+)`).FindStringSubmatch(line)
		require.NotNil(t, m, "no %s in %q", field, line)
		n, err := strconv.ParseInt(m[1], 10, 64)
		require.NoError(t, err)
		return n, true
	}
	return 0, false
}

// infoField returns a numeric field of INFO.
func infoField(t *testing.T, admin *rawConn, field string) int64 {
	t.Helper()
	admin.write("INFO\r\n")
	m := regexp.MustCompile(`\r\n` + field + `:([0-9]+)\r\n`).FindStringSubmatch(admin.reply())
	require.NotNil(t, m, "no %s in INFO", field)
	n, err := strconv.ParseInt(m[1], 10, 64)
	require.NoError(t, err)
	return n
}

// waitFor polls cond until it holds; only a bug makes it wait long.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(4 * hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDeepPipelineDoesNotStallOthers: a client pipelines GET of a 1 MiB
// value 2,000 times and reads nothing; meanwhile another client's PINGs
// are all answered (their latency is measured by cmd/hostilebench, not
// here). When the first client finally reads, it gets every reply, whole
// and in order. The value is queued by reference, not copied per reply.
func TestDeepPipelineDoesNotStallOthers(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		const size, n = 1 << 20, 2000
		val := bytes.Repeat([]byte("0123456789abcdef"), size/16)
		admin := dialRaw(t, addr)
		_, err := admin.c.Write(respCommand("SET", "big", string(val)))
		require.NoError(t, err)
		require.Equal(t, "+OK\r\n", admin.reply())

		hog := dialRaw(t, addr)
		hog.write("CLIENT SETNAME hog\r\n" + strings.Repeat("GET big\r\n", n))

		pinger := dialRaw(t, addr)
		for i := 0; i < 200; i++ {
			pinger.write("PING\r\n")
			require.Equal(t, "+PONG\r\n", pinger.reply(), "PING %d", i)
		}
		// The hog's replies wait for it: counted as Redis counts them.
		waitFor(t, "the hog's replies to pile up", func() bool {
			omem, ok := clientField(t, admin, "hog", "omem")
			return ok && omem > 16<<20
		})
		obl, _ := clientField(t, admin, "hog", "obl")
		assert.LessOrEqual(t, obl, int64(16384), "obl is the fixed 16 KB buffer")
		oll, _ := clientField(t, admin, "hog", "oll")
		assert.Positive(t, oll)
		assert.Positive(t, infoField(t, admin, "mem_clients_normal"))
		assert.Greater(t, infoField(t, admin, "client_recent_max_output_buffer"), int64(16<<20))

		require.Equal(t, "+OK\r\n", hog.reply())
		head := fmt.Sprintf("$%d\r\n", size)
		got := make([]byte, len(head)+size+2)
		_ = hog.c.SetReadDeadline(time.Now().Add(4 * hangGuard))
		for i := 0; i < n; i++ {
			_, err := io.ReadFull(hog.br, got)
			require.NoError(t, err, "reply %d", i)
			require.Equal(t, head, string(got[:len(head)]), "reply %d", i)
			require.True(t, bytes.Equal(val, got[len(head):len(head)+size]), "reply %d intact", i)
			require.Equal(t, "\r\n", string(got[len(head)+size:]))
		}
		hog.write("PING\r\n")
		assert.Equal(t, "+PONG\r\n", hog.reply())
	})
}

// TestNonReaderIsPaused: a client whose replies (small values, copied)
// pile up without being read is paused once they hold pauseOutputBytes,
// instead of running its whole pipeline into memory; it resumes, losing
// nothing, once it reads.
func TestNonReaderIsPaused(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		admin := dialRaw(t, addr)
		val := strings.Repeat("v", 8000) // under the size queued by reference
		admin.write("SET v " + val + "\r\n")
		require.Equal(t, "+OK\r\n", admin.reply())
		// 80 MB of replies: more than the pause bound and any socket
		// buffers together, so the pipeline cannot all run unread.
		const n = 10000
		stuck := dialRaw(t, addr)
		var w sync.WaitGroup
		w.Add(1)
		go func() {
			defer w.Done()
			_, _ = stuck.c.Write([]byte("CLIENT SETNAME stuck\r\n" + strings.Repeat("INCR calls\r\nGET v\r\n", n)))
		}()
		bound := int64(pauseOutputBytes + maxBatchBytes + 2*maxWriteBytes)
		var last int64
		waitFor(t, "the stuck client to stop", func() bool {
			omem, _ := clientField(t, admin, "stuck", "omem")
			assert.LessOrEqual(t, omem, bound)
			admin.write("GET calls\r\n")
			r := admin.reply()
			calls, _ := strconv.ParseInt(strings.TrimSpace(r[strings.IndexByte(r, '\n')+1:]), 10, 64)
			stopped := calls > 0 && calls == last && omem >= pauseOutputBytes/2
			last = calls
			return stopped
		})
		assert.Less(t, last, int64(n), "the pipeline did not all run while unread")

		require.Equal(t, "+OK\r\n", stuck.reply())
		for i := 1; i <= n; i++ {
			require.Equal(t, ":"+strconv.Itoa(i)+"\r\n", stuck.reply())
			require.Equal(t, "$8000\r\n"+val+"\r\n", stuck.reply())
		}
		w.Wait()
	})
}

// TestResetDropsPipeline: once a client that does not read resets its
// connection, the rest of its pipeline is not run and its replies are
// freed at once.
func TestResetDropsPipeline(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		admin := dialRaw(t, addr)
		admin.write("SET v " + strings.Repeat("v", 8000) + "\r\n")
		require.Equal(t, "+OK\r\n", admin.reply())
		const n = 10000
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		go func() {
			_, _ = c.Write([]byte("CLIENT SETNAME gone\r\n" + strings.Repeat("INCR calls\r\nGET v\r\n", n)))
		}()
		waitFor(t, "replies to pile up", func() bool {
			omem, _ := clientField(t, admin, "gone", "omem")
			return omem > 8<<20
		})
		require.NoError(t, c.(*net.TCPConn).SetLinger(0))
		require.NoError(t, c.Close()) // a reset
		waitFor(t, "the server to drop the client", func() bool {
			_, ok := clientField(t, admin, "gone", "id")
			return !ok
		})
		admin.write("GET calls\r\n")
		first := admin.reply()
		admin.write("PING\r\n")
		require.Equal(t, "+PONG\r\n", admin.reply())
		admin.write("GET calls\r\n")
		assert.Equal(t, first, admin.reply(), "nothing more of the pipeline ran")
		calls, _ := strconv.Atoi(strings.TrimSpace(first[strings.IndexByte(first, '\n')+1:]))
		assert.Less(t, calls, n)
		assert.Less(t, infoField(t, admin, "mem_clients_normal"), int64(1<<20), "its replies were freed")
	})
}

// TestNormalOutputLimit: a reply that takes a normal client past its hard
// limit closes it at once, with nothing sent, the rest of its pipeline
// not run, and Redis's log line.
func TestNormalOutputLimit(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		var logs lockedBuffer
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines, Logger: logs.logger()})
		admin := dialRaw(t, addr)
		admin.write("CONFIG SET client-output-buffer-limit \"normal 100000 0 0\"\r\n")
		require.Equal(t, "+OK\r\n", admin.reply())
		admin.write("SET big " + strings.Repeat("x", 10000) + "\r\n")
		require.Equal(t, "+OK\r\n", admin.reply())

		c := dialRaw(t, addr)
		c.write("CLIENT SETNAME over\r\n")
		require.Equal(t, "+OK\r\n", c.reply())
		c.write(strings.Repeat("GET big\r\n", 15) + "INCR after\r\n")
		out, closed := c.closed(hangGuard)
		assert.True(t, closed)
		assert.Empty(t, out, "nothing is sent to a client closed for its output")
		admin.write("GET after\r\n")
		assert.Equal(t, "$-1\r\n", admin.reply(), "the rest of the pipeline did not run")
		waitFor(t, "the log line", func() bool {
			return regexp.MustCompile(`# Client id=\d+ addr=\S+ .*name=over .* scheduled to be closed ASAP for overcoming of output buffer limits\.`).MatchString(logs.String())
		})

		// A transaction runs to its end even so.
		for i := 1; i <= 150; i++ {
			admin.write("RPUSH l " + strings.Repeat("y", 1000) + "\r\n")
			require.Equal(t, ":"+strconv.Itoa(i)+"\r\n", admin.reply())
		}
		c2 := dialRaw(t, addr)
		c2.write("MULTI\r\nSET k2 v2\r\nLRANGE l 0 -1\r\nSET k3 v3\r\nEXEC\r\n")
		_, closed = c2.closed(hangGuard)
		assert.True(t, closed)
		admin.write("MGET k2 k3\r\n")
		assert.Equal(t, "*2\r\n$2\r\nv2\r\n$2\r\nv3\r\n", admin.reply())
	})
}

// TestPubsubSlowSubscriber: a subscriber that never reads is dropped at
// the pubsub limit, and the publisher is answered throughout.
func TestPubsubSlowSubscriber(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		admin := dialRaw(t, addr)
		admin.write("CONFIG SET client-output-buffer-limit \"pubsub 1mb 0 0\"\r\n")
		require.Equal(t, "+OK\r\n", admin.reply())
		sub := dialRaw(t, addr)
		sub.write("CLIENT SETNAME sub\r\nSUBSCRIBE ch\r\n")
		require.Equal(t, "+OK\r\n", sub.reply())
		sub.reply()
		pub := dialRaw(t, addr)
		msg := strings.Repeat("m", 1024)
		var omem int64
		for i := 0; ; i++ {
			require.Less(t, i, 100000, "the subscriber was never dropped")
			pub.write("PUBLISH ch " + msg + "\r\n")
			r := pub.reply()
			if r == ":0\r\n" {
				break
			}
			require.Equal(t, ":1\r\n", r)
			if i%64 == 0 {
				if o, ok := clientField(t, admin, "sub", "omem"); ok {
					omem = o
				}
			}
		}
		assert.Less(t, omem, int64(1<<20)+64<<10, "omem stays under the limit while connected")
		_, closed := sub.closed(hangGuard)
		assert.True(t, closed)
	})
}

func (l *lockedBuffer) logger() *log.Logger { return log.New(l, "", 0) }
