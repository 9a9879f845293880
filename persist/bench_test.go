package persist

import (
	"bytes"
	"testing"

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
