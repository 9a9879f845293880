package engine

import (
	"strconv"
	"testing"
)

// Benchmarks of the stream commands, with the data of cmd/redisbench's
// rows (XADD * into one stream; XRANGE of 100 entries from 10,000).

func BenchmarkXAdd(b *testing.B) {
	_, run := benchSession(b)
	args := argv("XADD", "mystream", "*", "f", "v")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

func BenchmarkXAddTwoFields(b *testing.B) {
	_, run := benchSession(b)
	args := argv("XADD", "mystream", "*", "name", "user42", "score", "977")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

func BenchmarkXRange100(b *testing.B) {
	_, run := benchSession(b)
	for i := 1; i <= 10000; i++ {
		run(argv("XADD", "stream10k", strconv.Itoa(i)+"-1", "name", "user"+strconv.Itoa(i), "score", strconv.Itoa(i%977)))
	}
	args := argv("XRANGE", "stream10k", "-", "+", "COUNT", "100")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

// BenchmarkXReadGroupAck is a worker's loop: read one new entry as a
// consumer, acknowledge it.
func BenchmarkXReadGroupAck(b *testing.B) {
	_, run := benchSession(b)
	run(argv("XGROUP", "CREATE", "jobs", "g", "$", "MKSTREAM"))
	add := argv("XADD", "jobs", "*", "job", "payload")
	read := argv("XREADGROUP", "GROUP", "g", "worker", "COUNT", "1", "STREAMS", "jobs", ">")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		run(add)
		run(read)
		i++
		run(argv("XACK", "jobs", "g", strconv.Itoa(1700000000000)+"-"+strconv.Itoa(i-1)))
	}
}
