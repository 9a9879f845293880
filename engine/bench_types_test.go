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
	// Every call flips a bit of a 12.5 KB bitmap: the first 1024 set
	// bits, the next 1024 clear them again.
	offsets := make([][][]byte, 2048)
	for i := range offsets {
		offsets[i] = argv("SETBIT", "bits", strconv.Itoa(i%1024*97), strconv.Itoa(1-i/1024))
	}
	b.ReportAllocs()
	reportCPU(b)
	i := 0
	for b.Loop() {
		run(offsets[i&2047])
		i++
	}
}

// setbitKeys100k prepares redisbench's SETBIT row: 100,000 keys of 126
// bytes (bit 1000 of each), the commands visiting them in a scattered order.
// value is the bit each command sets.
func setbitKeys100k(b *testing.B, value string) (func([][]byte), [][][]byte) {
	_, run := benchSession(b)
	const keys = 100000
	cmds := make([][][]byte, keys)
	for i := range cmds {
		k := "bits:" + strconv.Itoa(i)
		run(argv("SETBIT", k, "1000", "1"))
		cmds[i] = argv("SETBIT", "bits:"+strconv.Itoa(i*7919%keys), "1000", value)
	}
	return run, cmds
}

// BenchmarkSetbitKeys100kUnchanged sets a bit that is set already (most of
// redisbench's SETBIT row once its keys exist).
func BenchmarkSetbitKeys100kUnchanged(b *testing.B) {
	run, cmds := setbitKeys100k(b, "1")
	b.ReportAllocs()
	reportCPU(b)
	i := 0
	for b.Loop() {
		run(cmds[i%len(cmds)])
		i++
	}
}

// BenchmarkSetbitKeys100kFlip flips the bit of a small bitmap every call.
func BenchmarkSetbitKeys100kFlip(b *testing.B) {
	run, cmds := setbitKeys100k(b, "0")
	set := make([][][]byte, len(cmds))
	for i, c := range cmds {
		set[i] = [][]byte{c[0], c[1], c[2], []byte("1")}
	}
	b.ReportAllocs()
	reportCPU(b)
	i := 0
	for b.Loop() {
		// A pass clears every bit, the next sets them again.
		if i/len(cmds)%2 == 0 {
			run(cmds[i%len(cmds)])
		} else {
			run(set[i%len(cmds)])
		}
		i++
	}
}

func BenchmarkBitcount1MB(b *testing.B) {
	_, run := benchSession(b)
	run(argv("SET", "bits1m", randomBytes(1, 1<<20)))
	args := argv("BITCOUNT", "bits1m")
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	reportCPU(b)
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
	reportCPU(b)
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
	reportCPU(b)
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
	reportCPU(b)
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
	reportCPU(b)
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
	reportCPU(b)
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
	reportCPU(b)
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
	reportCPU(b)
	for b.Loop() {
		run(args)
	}
}
