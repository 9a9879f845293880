package engine

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// Benchmarks of the bitmap, HyperLogLog and geo commands, with the same
// data as cmd/redisbench's rows.

func randomBytes(seed uint64, n int) string {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return string(b)
}

func BenchmarkSetbit(b *testing.B) {
	_, run := benchSession(b)
	run(argv("SETBIT", "bits", "99999", "1"))
	offsets := make([][][]byte, 1024)
	for i := range offsets {
		offsets[i] = argv("SETBIT", "bits", strconv.Itoa(i*97%100000), strconv.Itoa(i&1))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		run(offsets[i&1023])
		i++
	}
}

func BenchmarkBitcount1MB(b *testing.B) {
	_, run := benchSession(b)
	run(argv("SET", "bits1m", randomBytes(1, 1<<20)))
	args := argv("BITCOUNT", "bits1m")
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

func BenchmarkBitpos1MB(b *testing.B) {
	_, run := benchSession(b)
	run(argv("SETBIT", "bits1m", strconv.Itoa(8<<20-1), "1"))
	args := argv("BITPOS", "bits1m", "1")
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

func BenchmarkBitop1MB(b *testing.B) {
	_, run := benchSession(b)
	run(argv("SET", "bits1m", randomBytes(1, 1<<20)))
	run(argv("SET", "bits1m2", randomBytes(2, 1<<20)))
	args := argv("BITOP", "AND", "dst", "bits1m", "bits1m2")
	b.SetBytes(2 << 20)
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

func BenchmarkPfadd(b *testing.B) {
	_, run := benchSession(b)
	args := make([][][]byte, 4096)
	for i := range args {
		args[i] = argv("PFADD", "hll", strconv.Itoa(i*7919%100000))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		run(args[i&4095])
		i++
	}
}

func loadHLL(run func([][]byte), key string, seed int) {
	for lo := 0; lo < 100000; lo += 1000 {
		cmd := []string{"PFADD", key}
		for i := lo; i < lo+1000; i++ {
			cmd = append(cmd, strconv.Itoa(seed)+":"+strconv.Itoa(i))
		}
		run(argv(cmd...))
	}
}

func BenchmarkPfcount1(b *testing.B) {
	_, run := benchSession(b)
	loadHLL(run, "hll1", 1)
	args := argv("PFCOUNT", "hll1")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

func BenchmarkPfcount3(b *testing.B) {
	_, run := benchSession(b)
	loadHLL(run, "hll1", 1)
	loadHLL(run, "hll2", 2)
	loadHLL(run, "hll3", 3)
	args := argv("PFCOUNT", "hll1", "hll2", "hll3")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

func BenchmarkGeoadd(b *testing.B) {
	_, run := benchSession(b)
	args := make([][][]byte, 4096)
	for i := range args {
		args[i] = argv("GEOADD", "geo", "13.361389", "38.115556", "m:"+strconv.Itoa(i*7919%100000))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		run(args[i&4095])
		i++
	}
}

func BenchmarkGeosearch100k(b *testing.B) {
	_, run := benchSession(b)
	rng := rand.New(rand.NewPCG(3, 4))
	for lo := 0; lo < 100000; lo += 1000 {
		cmd := []string{"GEOADD", "geo100k"}
		for i := lo; i < lo+1000; i++ {
			cmd = append(cmd, strconv.FormatFloat(13+2*rng.Float64(), 'f', 6, 64),
				strconv.FormatFloat(37+2*rng.Float64(), 'f', 6, 64), "p"+strconv.Itoa(i))
		}
		run(argv(cmd...))
	}
	args := argv("GEOSEARCH", "geo100k", "FROMLONLAT", "14", "38", "BYRADIUS", "5", "km", "ASC", "COUNT", "20")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}
