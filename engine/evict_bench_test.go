package engine

import (
	"strconv"
	"testing"
)

// BenchmarkSetEvicting writes new 100-byte keys at a fixed maxmemory of
// 4 MB: every SET past the fill evicts about one key (the gate's
// performEvictions, pool sampling, DEL propagation bookkeeping).
func BenchmarkSetEvicting(b *testing.B) {
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-ttl"} {
		b.Run(policy, func(b *testing.B) {
			s, run := benchSession(b)
			s.e.SetConfig("maxmemory-policy", policy)
			s.e.SetConfig("maxmemory", strconv.FormatInt(s.e.usedMemoryLocked()+4<<20, 10))
			val := make([]byte, 100)
			args := [][]byte{[]byte("SET"), []byte("key:000000000"), val, []byte("EX"), []byte("100000")}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				args[1] = strconv.AppendInt(args[1][:4], int64(i), 10)
				i++
				run(args)
			}
			b.ReportMetric(float64(s.e.evict.evicted)/float64(b.N), "evictions/op")
		})
	}
}

// BenchmarkHSetAccounting is the accounting's own cost on a write that
// changes a value in place (dirty list and settle).
func BenchmarkHSetAccounting(b *testing.B) {
	_, run := benchSession(b)
	args := argv("HSET", "h", "field", "some value")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

// BenchmarkEvictionPoolPopulate is the sampler alone on a database of
// 100,000 keys: maxmemory-samples keys read from the map with their
// access records and scored into the pool (Redis's
// evictionPoolPopulate). A volatile policy samples the deadlines and
// looks each key up for its record.
func BenchmarkEvictionPoolPopulate(b *testing.B) {
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "volatile-lru"} {
		b.Run(policy, func(b *testing.B) {
			s, run := benchSession(b)
			s.e.SetConfig("maxmemory-policy", policy)
			for i := range 100_000 {
				run(argv("SET", "key:"+strconv.Itoa(i), "value", "EX", "100000"))
			}
			db, allKeys := s.e.main.dbs[0], s.e.config.mm.policy&mmFlagAllKeys != 0
			b.ReportAllocs()
			for b.Loop() {
				s.e.evict.used = 0 // every sample competes for an empty pool
				s.e.evictionPoolPopulate(db, allKeys)
			}
		})
	}
}
