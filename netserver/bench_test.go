package netserver

import (
	"bufio"
	"io"
	"log"
	"net"
	"strconv"
	"testing"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver/resp"
)

// respCommand encodes one command as a RESP multibulk.
func respCommand(args ...string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, "$"+strconv.Itoa(len(a))+"\r\n"+a+"\r\n"...)
	}
	return b
}

// pipeline is n commands alternating SET and GET over a few keys, the
// shape redis-benchmark -P sends.
func pipeline(n int) []byte {
	var b []byte
	for i := range n {
		key := "key:" + strconv.Itoa(i/2%8) // each GET reads the key SET just before
		if i%2 == 0 {
			b = append(b, respCommand("SET", key, "xxxxxxxxxx")...)
		} else {
			b = append(b, respCommand("GET", key)...)
		}
	}
	return b
}

// TestExecBatchAllocs guards the hot path from request bytes to reply
// bytes: parsing plus executing GET allocates nothing; SET allocates only
// the stored copy of its key and value (one allocation).
func TestExecBatchAllocs(t *testing.T) {
	eng := engine.New(engine.Options{})
	sess := eng.NewSession(engine.ClientInfo{Kind: "test"})
	defer sess.Close()
	rd := resp.NewReader()
	var spare []byte
	next := func() [][]byte {
		args, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		return args
	}
	run := func(in []byte) {
		rd.Feed(in)
		sess.ExecBatch(next)
		spare = sess.TakeOutput(spare)[:0]
	}
	set := respCommand("SET", "key:1", "xxxxxxxxxx")
	get := respCommand("GET", "key:1")
	run(set)
	run(get)
	if allocs := testing.AllocsPerRun(200, func() { run(get) }); allocs != 0 {
		t.Errorf("GET allocates %.1f times, want 0", allocs)
	}
	if allocs := testing.AllocsPerRun(200, func() { run(set) }); allocs > 1 {
		t.Errorf("SET allocates %.1f times, want at most 1 (the stored key and value, together)", allocs)
	}
	if got := string(sess.TakeOutput(nil)); got != "" {
		t.Errorf("unread output %q", got)
	}
}

// startBenchServer serves a fresh engine on a loopback port.
func startBenchServer(tb testing.TB, goroutines bool) string {
	tb.Helper()
	eng := engine.New(engine.Options{})
	srv := New(eng, Options{Addr: "127.0.0.1:0", Logger: discardLogger(), GoroutinePerPeer: goroutines})
	if err := srv.Listen(); err != nil {
		tb.Fatal(err)
	}
	go func() { _ = srv.Serve() }()
	tb.Cleanup(func() { _ = srv.Close() })
	return srv.Addr().String()
}

// benchPipelined sends depth commands per round trip over one connection
// and waits for all the replies: the end-to-end cost per command,
// allocations of the whole process (server included) per round trip, for
// both ways of serving peers. The client runs in the same process, so the
// goroutine model gains here from handing over between goroutines without
// a system thread waking; against a separate client process (as
// redis-benchmark, see cmd/redisbench) the event loop is the faster.
func benchPipelined(b *testing.B, depth int) {
	b.Run("eventloop", func(b *testing.B) { benchPipelinedModel(b, depth, false) })
	b.Run("goroutines", func(b *testing.B) { benchPipelinedModel(b, depth, true) })
}

func benchPipelinedModel(b *testing.B, depth int, goroutines bool) {
	addr := startBenchServer(b, goroutines)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	in := pipeline(depth)
	br := bufio.NewReaderSize(conn, 64*1024)
	roundTrip := func() {
		if _, err := conn.Write(in); err != nil {
			b.Fatal(err)
		}
		for i := range depth {
			line, err := br.ReadSlice('\n')
			if err != nil {
				b.Fatal(err)
			}
			if i%2 == 1 && string(line) == "$10\r\n" { // GET: skip the payload
				if _, err := br.Discard(10 + 2); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	roundTrip()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		roundTrip()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*depth), "ns/cmd")
}

func BenchmarkPipelined1(b *testing.B)   { benchPipelined(b, 1) }
func BenchmarkPipelined16(b *testing.B)  { benchPipelined(b, 16) }
func BenchmarkPipelined128(b *testing.B) { benchPipelined(b, 128) }

func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }

// TestDeepPipeline sends more commands in one write than one batch runs
// (maxBatch): every reply comes back, in order.
func TestDeepPipeline(t *testing.T) {
	eachModel(t, func(t *testing.T, goroutines bool) {
		_, addr := startGoredis(t, Options{GoroutinePerPeer: goroutines})
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		const n = 3*maxBatch + 7
		var in []byte
		for i := range n {
			in = append(in, respCommand("SET", "k", strconv.Itoa(i))...)
			in = append(in, respCommand("GET", "k")...)
		}
		go func() { _, _ = conn.Write(in) }()
		br := bufio.NewReader(conn)
		for i := range n {
			want := "+OK\r\n$" + strconv.Itoa(len(strconv.Itoa(i))) + "\r\n" + strconv.Itoa(i) + "\r\n"
			got := make([]byte, len(want))
			if _, err := io.ReadFull(br, got); err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Fatalf("reply %d: got %q, want %q", i, got, want)
			}
		}
	})
}
