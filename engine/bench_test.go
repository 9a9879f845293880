package engine

import (
	"github.com/goredis-dev/goredis/netserver/resp"
	"github.com/stretchr/testify/assert"
	"strconv"
	"testing"
)

// benchSession returns a session and a reusable output buffer; run drains
// the replies into it so the benchmark measures the command, not growth of
// the reply buffer.
func benchSession(b *testing.B) (*Session, func([][]byte)) {
	b.Helper()
	e, _ := testEngine(b)
	s := e.NewSession(ClientInfo{Kind: "bench"})
	spare := make([]byte, 0, 4096)
	return s, func(args [][]byte) {
		s.Exec(args)
		spare = s.TakeOutput(spare)
	}
}

func argv(parts ...string) [][]byte {
	out := make([][]byte, len(parts))
	for i, p := range parts {
		out[i] = []byte(p)
	}
	return out
}

func BenchmarkGet(b *testing.B) {
	_, run := benchSession(b)
	run(argv("SET", "key:1", "some value of moderate length"))
	args := argv("GET", "key:1")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

func BenchmarkGetMiss(b *testing.B) {
	_, run := benchSession(b)
	args := argv("GET", "nope")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

// BenchmarkSet overwrites one key: the allocations are the stored key and
// value (a Go map entry keeps its own key string).
func BenchmarkSet(b *testing.B) {
	_, run := benchSession(b)
	args := argv("SET", "key:1", "some value of moderate length")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

// BenchmarkSetNewKeys inserts a new key each time (map growth included).
func BenchmarkSetNewKeys(b *testing.B) {
	_, run := benchSession(b)
	args := argv("SET", "key:000000000", "v")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		strconv.AppendInt(args[1][:4], int64(i), 10)
		i++
		run(args)
	}
}

func BenchmarkIncr(b *testing.B) {
	_, run := benchSession(b)
	run(argv("SET", "counter", "1000000"))
	args := argv("INCR", "counter")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

func BenchmarkMSet(b *testing.B) {
	_, run := benchSession(b)
	args := argv("MSET", "k1", "v1", "k2", "v2", "k3", "v3", "k4", "v4")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

// The hot paths allocate nothing beyond what they store.
func TestHotPathAllocs(t *testing.T) {
	e, _ := testEngine(t)
	s := e.NewSession(ClientInfo{Kind: "test"})
	spare := make([]byte, 0, 4096)
	run := func(args [][]byte) func() {
		return func() {
			s.Exec(args)
			spare = s.TakeOutput(spare)
		}
	}
	run(argv("SET", "k", "value"))()
	for _, c := range []struct {
		args [][]byte
		max  float64
	}{
		{argv("GET", "k"), 0},
		{argv("GET", "nope"), 0},
		{argv("PING"), 0},
		{argv("SET", "k", "value"), 1}, // key and value, in one allocation
		{argv("INCR", "n"), 1},         // key and value, in one allocation
		{argv("MSET", "a", "1", "b", "2"), 2},
		{argv("EXISTS", "k"), 0},
		{argv("TTL", "k"), 0},
		{argv("STRLEN", "k"), 0},
	} {
		assert.LessOrEqualf(t, testing.AllocsPerRun(200, run(c.args)), c.max, "%s", c.args[0])
	}
}

// respEncode appends one command as a RESP multibulk.
func respEncode(b []byte, args ...string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// batchInput is n pipelined commands made by cmd(i), as one buffer.
func batchInput(n int, cmd func(i int) []string) []byte {
	var b []byte
	for i := range n {
		b = respEncode(b, cmd(i)...)
	}
	return b
}

// BenchmarkBatch runs a pipelined batch through the path the TCP server
// and the wasm build take: the request reader splits the bytes, ExecBatch
// runs the commands under one lock, TakeOutput hands the replies over. The
// engine has the real clock, as in production. ns/cmd is the figure to
// compare with redis-benchmark -P.
func BenchmarkBatch(b *testing.B) {
	value := "xxxxxxxxxx"
	shapes := []struct {
		name string
		cmd  func(i int) []string
	}{
		{"SET", func(i int) []string { return []string{"SET", "key:" + strconv.Itoa(i%100), value} }},
		{"GET", func(i int) []string { return []string{"GET", "key:" + strconv.Itoa(i%100)} }},
		{"INCR", func(i int) []string { return []string{"INCR", "counter"} }},
		{"PING", func(i int) []string { return []string{"PING"} }},
		{"LPUSH", func(i int) []string { return []string{"LPUSH", "mylist", value} }},
		{"SADD", func(i int) []string { return []string{"SADD", "myset", "element:" + strconv.Itoa(i%1000)} }},
		{"HSET", func(i int) []string { return []string{"HSET", "myhash", "element:" + strconv.Itoa(i%1000), value} }},
		{"ZADD", func(i int) []string {
			return []string{"ZADD", "myzset", strconv.Itoa(i % 1000), "element:" + strconv.Itoa(i%1000)}
		}},
		{"MSET", func(i int) []string {
			k := "key:" + strconv.Itoa(i%100)
			return []string{"MSET", k + "a", value, k + "b", value, k + "c", value}
		}},
	}
	for _, depth := range []int{16, 1000} {
		for _, sh := range shapes {
			b.Run(sh.name+"/"+strconv.Itoa(depth), func(b *testing.B) {
				benchBatch(b, batchInput(depth, sh.cmd), depth)
			})
		}
	}
}

func benchBatch(b *testing.B, in []byte, depth int) {
	e := New(Options{})
	s := e.NewSession(ClientInfo{Kind: "bench"})
	defer s.Close()
	rd := resp.NewReader()
	next := func() [][]byte {
		args, err := rd.Next()
		if err != nil {
			b.Fatal(err)
		}
		return args
	}
	spare := make([]byte, 0, 64*1024)
	run := func() {
		rd.Feed(in)
		if n, _ := s.ExecBatch(next); n != depth {
			b.Fatalf("ran %d commands of %d", n, depth)
		}
		spare = s.TakeOutput(spare)[:0]
	}
	run() // keys exist from here on: the steady state
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*depth), "ns/cmd")
	b.ReportMetric(float64(depth)*float64(b.N)/b.Elapsed().Seconds(), "cmd/s")
}

// reportCPU adds a cpu-ns/op metric: the process's user+system CPU over
// the loop per iteration. On a shared machine the wall-clock ns/op counts
// the time other processes ran; CPU time counts this benchmark's work
// (its GC included). Call it right before the loop; it reports when the
// benchmark ends.
func reportCPU(b *testing.B) {
	sys0, user0, ok := processCPU()
	if !ok {
		return
	}
	b.Cleanup(func() {
		sys1, user1, ok := processCPU()
		if ok && b.N > 0 {
			b.ReportMetric((sys1-sys0+user1-user0)*1e9/float64(b.N), "cpu-ns/op")
		}
	})
}
