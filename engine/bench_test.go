package engine

import (
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
		{argv("SET", "k", "value"), 2}, // key + value
		{argv("INCR", "n"), 2},         // key + value
		{argv("MSET", "a", "1", "b", "2"), 4},
		{argv("EXISTS", "k"), 0},
		{argv("TTL", "k"), 0},
		{argv("STRLEN", "k"), 0},
	} {
		assert.LessOrEqualf(t, testing.AllocsPerRun(200, run(c.args)), c.max, "%s", c.args[0])
	}
}
