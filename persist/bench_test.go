package persist

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/engine"
)

// BenchmarkWriteRDB writes a dump of the random dataset (3,200 keys of
// every type) from a snapshot.
func BenchmarkWriteRDB(b *testing.B) {
	eng, _ := testEngine(&testing.T{}, b.TempDir())
	fillEngine(b, eng, 800)
	var buf bytes.Buffer
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		snap := eng.BeginSnapshot()
		if err := WriteRDB(&buf, snap, WriteOptions{Compression: true, Checksum: true, RedisVersion: engine.Version}); err != nil {
			b.Fatal(err)
		}
		snap.Close()
	}
	b.SetBytes(int64(buf.Len()))
}

// BenchmarkReadRDB loads that dump into a fresh engine.
func BenchmarkReadRDB(b *testing.B) {
	eng, _ := testEngine(&testing.T{}, b.TempDir())
	fillEngine(b, eng, 800)
	var buf bytes.Buffer
	snap := eng.BeginSnapshot()
	if err := WriteRDB(&buf, snap, WriteOptions{Compression: true, Checksum: true, RedisVersion: engine.Version}); err != nil {
		b.Fatal(err)
	}
	snap.Close()
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e2 := engine.New(engine.Options{})
		ld := e2.BeginLoad(int64(len(data)))
		if _, err := ReadRDB(bytes.NewReader(data), int64(len(data)), ld, ReadOptions{Checksum: true}); err != nil {
			b.Fatal(err)
		}
		ld.End()
	}
}

// mixedDataset is cmd/persistbench's dataset: 60% strings, 10% each
// lists, hashes, sets and sorted sets of 5 to 20 elements, one key in five
// with a TTL.
func mixedDataset(keys int) [][]string {
	rng := rand.New(rand.NewPCG(1, 2))
	var cmds [][]string
	for i := 0; i < keys; i++ {
		kind := rng.IntN(10)
		n := 5 + rng.IntN(16)
		var cmd []string
		switch {
		case kind < 6:
			cmd = []string{"SET", "s:" + strconv.Itoa(i), "value:" + strconv.Itoa(rng.IntN(1<<30)) + strings.Repeat("x", rng.IntN(40))}
		case kind == 6:
			cmd = []string{"RPUSH", "l:" + strconv.Itoa(i)}
			for j := 0; j < n; j++ {
				cmd = append(cmd, "item"+strconv.Itoa(rng.IntN(1000)))
			}
		case kind == 7:
			cmd = []string{"HSET", "h:" + strconv.Itoa(i)}
			for j := 0; j < n; j++ {
				cmd = append(cmd, "field"+strconv.Itoa(j), strconv.Itoa(rng.IntN(100000)))
			}
		case kind == 8:
			cmd = []string{"SADD", "t:" + strconv.Itoa(i)}
			for j := 0; j < n; j++ {
				cmd = append(cmd, "member"+strconv.Itoa(rng.IntN(100000)))
			}
		default:
			cmd = []string{"ZADD", "z:" + strconv.Itoa(i)}
			for j := 0; j < n; j++ {
				cmd = append(cmd, strconv.Itoa(rng.IntN(1000)), "m"+strconv.Itoa(j))
			}
		}
		cmds = append(cmds, cmd)
		if rng.IntN(5) == 0 {
			cmds = append(cmds, []string{"EXPIRE", cmd[1], strconv.Itoa(3600 + rng.IntN(3600))})
		}
	}
	return cmds
}

// mixedEngine is an engine holding mixedDataset(keys).
func mixedEngine(b *testing.B, keys int) *engine.Engine {
	eng, _ := testEngine(&testing.T{}, b.TempDir())
	s := newSession(eng)
	for _, cmd := range mixedDataset(keys) {
		if r := s.do(cmd...); strings.HasPrefix(r, "-") {
			b.Fatal(r)
		}
	}
	return eng
}

// BenchmarkWriteRDBMixed writes persistbench's dataset (100k keys).
func BenchmarkWriteRDBMixed(b *testing.B) {
	eng := mixedEngine(b, 100000)
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		snap := eng.BeginSnapshot()
		if err := WriteRDB(&buf, snap, WriteOptions{Compression: true, Checksum: true, RedisVersion: engine.Version}); err != nil {
			b.Fatal(err)
		}
		snap.Close()
	}
	b.SetBytes(int64(buf.Len()))
}

// BenchmarkSaveMixed is SAVE of persistbench's dataset (100k keys): the
// engine locked throughout, the file written to disk.
func BenchmarkSaveMixed(b *testing.B) {
	eng := mixedEngine(b, 100000)
	c := newSession(eng)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := c.do("SAVE"); r != "+OK\r\n" {
			b.Fatal(r)
		}
	}
}

// BenchmarkReadRDBMixed loads persistbench's dataset (100k keys, or
// PERSIST_BENCH_KEYS), decoding inline and on a second goroutine.
func BenchmarkReadRDBMixed(b *testing.B) {
	keys := 100000
	if n, err := strconv.Atoi(os.Getenv("PERSIST_BENCH_KEYS")); err == nil && n > 0 {
		keys = n
	}
	eng := mixedEngine(b, keys)
	var buf bytes.Buffer
	snap := eng.BeginSnapshot()
	if err := WriteRDB(&buf, snap, WriteOptions{Compression: true, Checksum: true, RedisVersion: engine.Version}); err != nil {
		b.Fatal(err)
	}
	snap.Close()
	data := buf.Bytes()
	for _, ahead := range []bool{false, true} {
		name := "inline"
		if ahead {
			name = "readahead"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				e2 := engine.New(engine.Options{})
				ld := e2.BeginLoad(int64(len(data)))
				if _, err := ReadRDB(bytes.NewReader(data), int64(len(data)), ld, ReadOptions{Checksum: true, ReadAhead: ahead}); err != nil {
					b.Fatal(err)
				}
				ld.End()
			}
		})
	}
}

// BenchmarkSnapshotLockHold writes persistbench's dataset (100k keys, or
// PERSIST_BENCH_KEYS) from a background snapshot and reports how long the
// snapshot held the engine lock at a time: what a client waits at most
// behind a BGSAVE (on a busy machine a descheduled holder adds to it).
func BenchmarkSnapshotLockHold(b *testing.B) {
	keys := 100000
	if n, err := strconv.Atoi(os.Getenv("PERSIST_BENCH_KEYS")); err == nil && n > 0 {
		keys = n
	}
	eng := mixedEngine(b, keys)
	b.ReportAllocs()
	b.ResetTimer()
	var longest, total time.Duration
	var holds int64
	for i := 0; i < b.N; i++ {
		snap := eng.BeginSnapshot()
		if err := WriteRDB(io.Discard, snap, WriteOptions{Compression: true, Checksum: true, RedisVersion: engine.Version}); err != nil {
			b.Fatal(err)
		}
		longest = max(longest, snap.LongestLockHold())
		n, t := snap.LockHolds()
		holds += n
		total += t
		snap.Close()
	}
	b.ReportMetric(float64(longest.Microseconds()), "max-hold-µs")
	b.ReportMetric(float64(total.Microseconds())/float64(holds), "mean-hold-µs")
	b.ReportMetric(float64(holds)/float64(b.N), "holds/op")
}

// BenchmarkSnapshotClientLatency measures what a client sees while a
// background snapshot of persistbench's dataset (100k keys, or
// PERSIST_BENCH_KEYS) is written: one goroutine runs GET and SET on
// random string keys meanwhile and the latency of each is reported as
// p50, p99 and max (in microseconds, over all iterations).
func BenchmarkSnapshotClientLatency(b *testing.B) {
	keys := 100000
	if n, err := strconv.Atoi(os.Getenv("PERSIST_BENCH_KEYS")); err == nil && n > 0 {
		keys = n
	}
	eng := mixedEngine(b, keys)
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		snap := eng.BeginSnapshot()
		done := make(chan struct{})
		client := make(chan []time.Duration)
		go func() {
			c := newSession(eng)
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			var l []time.Duration
			for {
				select {
				case <-done:
					client <- l
					return
				default:
				}
				k := "s:" + strconv.Itoa(rng.IntN(keys))
				t := time.Now()
				if rng.IntN(2) == 0 {
					c.do("GET", k)
				} else {
					c.do("SET", k, "changed-during-the-save")
				}
				l = append(l, time.Since(t))
			}
		}()
		if err := WriteRDB(io.Discard, snap, WriteOptions{Compression: true, Checksum: true, RedisVersion: engine.Version}); err != nil {
			b.Fatal(err)
		}
		snap.Close()
		close(done)
		lat = append(lat, <-client...)
	}
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(lat[len(lat)*999/1000].Microseconds()), "p99.9-µs")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
	b.ReportMetric(float64(len(lat))/float64(b.N), "requests/op")
}
