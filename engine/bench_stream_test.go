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
	reportCPU(b)
	for b.Loop() {
		run(args)
	}
}

func BenchmarkXAddTwoFields(b *testing.B) {
	_, run := benchSession(b)
	args := argv("XADD", "mystream", "*", "name", "user42", "score", "977")
	b.ReportAllocs()
	reportCPU(b)
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
	reportCPU(b)
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
	reportCPU(b)
	i := 0
	for b.Loop() {
		run(add)
		run(read)
		i++
		run(argv("XACK", "jobs", "g", strconv.Itoa(1700000000000)+"-"+strconv.Itoa(i-1)))
	}
}

// BenchmarkXReadGroupAckWorker is redisbench's worker row: a stream of
// entries "f1 <i> f2 v" read by consumers of one group, COUNT 10 at a
// time, each read followed by the XACK of the IDs it returned.
func BenchmarkXReadGroupAckWorker(b *testing.B) {
	_, run := benchSession(b)
	const entries = 200000
	for i := range entries {
		run(argv("XADD", "bench:stream", strconv.Itoa(i+1)+"-0", "f1", strconv.Itoa(i), "f2", "v"))
	}
	run(argv("XGROUP", "CREATE", "bench:stream", "workers", "0"))
	reads := [][][]byte{
		argv("XREADGROUP", "GROUP", "workers", "w0", "COUNT", "10", "STREAMS", "bench:stream", ">"),
		argv("XREADGROUP", "GROUP", "workers", "w1", "COUNT", "10", "STREAMS", "bench:stream", ">"),
	}
	ack := argv("XACK", "bench:stream", "workers", "", "", "", "", "", "", "", "", "", "")
	ids := make([][]byte, 10)
	next := 0 // the next entry the group delivers
	b.ReportAllocs()
	reportCPU(b)
	for b.Loop() {
		if next+10 > entries {
			// Drained: start the group over (acknowledged entries are not
			// delivered again, so the PEL stays small).
			b.StopTimer()
			run(argv("XGROUP", "SETID", "bench:stream", "workers", "0"))
			next = 0
			b.StartTimer()
		}
		run(reads[next/10&1])
		for j := range ids {
			ids[j] = strconv.AppendInt(ids[j][:0], int64(next+j+1), 10)
			ids[j] = append(ids[j], "-0"...)
			ack[3+j] = ids[j]
		}
		next += 10
		run(ack)
	}
}
