package goredistest

import (
	"context"
	"runtime"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// The benchmarks run GoRedis's test server and miniredis side by side in
// one run (`go test -bench . ./goredistest/`): start and stop, SET and GET
// round trips through go-redis, and the memory each running server holds.

// server is what both packages give a benchmark.
type server interface {
	Addr() string
	Close()
}

var contenders = []struct {
	name string
	run  func() (server, error)
}{
	{"goredistest", func() (server, error) { return Run() }},
	{"miniredis", func() (server, error) { return miniredis.Run() }},
}

func BenchmarkStartStop(b *testing.B) {
	for _, c := range contenders {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := c.run()
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

func BenchmarkSetGet(b *testing.B) {
	for _, c := range contenders {
		b.Run(c.name, func(b *testing.B) {
			s, err := c.run()
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			rdb := redis.NewClient(&redis.Options{Addr: s.Addr(), Protocol: 2})
			defer rdb.Close()
			b.ReportAllocs()
			for b.Loop() {
				if err := rdb.Set(ctx, "key", "value", 0).Err(); err != nil {
					b.Fatal(err)
				}
				if v, err := rdb.Get(ctx, "key").Result(); err != nil || v != "value" {
					b.Fatal(v, err)
				}
			}
		})
	}
}

// BenchmarkMemoryPerServer reports the heap that one more running server
// holds (B/server): servers are started in groups kept running together,
// and the heap is measured before and after each group.
func BenchmarkMemoryPerServer(b *testing.B) {
	const group = 50
	for _, c := range contenders {
		b.Run(c.name, func(b *testing.B) {
			var total float64
			var started int
			running := make([]server, 0, group)
			var before runtime.MemStats
			measure := func() {
				var after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&after)
				total += float64(int64(after.HeapAlloc) - int64(before.HeapAlloc))
				started += len(running)
				for _, s := range running {
					s.Close()
				}
				// Cleared, not only cut: the backing array would keep the
				// closed servers (and goredistest's keep their data for
				// Restart) in the next group's baseline.
				clear(running)
				running = running[:0]
			}
			for b.Loop() {
				if len(running) == 0 {
					b.StopTimer()
					runtime.GC()
					runtime.ReadMemStats(&before)
					b.StartTimer()
				}
				s, err := c.run()
				if err != nil {
					b.Fatal(err)
				}
				running = append(running, s)
				if len(running) == group {
					b.StopTimer()
					measure()
					b.StartTimer()
				}
			}
			if len(running) > 0 {
				measure()
			}
			b.ReportMetric(total/float64(started), "B/server")
		})
	}
}
