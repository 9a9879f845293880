package persist

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/rdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAheadDump is persistbench's dataset as a dump past the size from
// which a load decodes on a second goroutine.
func readAheadDump(t *testing.T) []byte {
	eng := mixedEngine(&testing.B{}, 30000)
	var buf bytes.Buffer
	snap := eng.BeginSnapshot()
	require.NoError(t, WriteRDB(&buf, snap, WriteOptions{Compression: true, Checksum: true, RedisVersion: engine.Version}))
	snap.Close()
	require.Greater(t, buf.Len(), 1<<20)
	return buf.Bytes()
}

// loadDump reads data (followed by trailer, as in an AOF whose RDB
// preamble is followed by commands) into a new engine; it returns the
// engine's digests, the load's counts, what the reader left unread and the
// load's error.
func loadDump(t *testing.T, data, trailer []byte, readAhead bool) (map[string]string, LoadStats, string, error) {
	eng, _ := testEngine(t, t.TempDir())
	ld := eng.BeginLoad(int64(len(data)))
	br := bufio.NewReaderSize(bytes.NewReader(append(append([]byte(nil), data...), trailer...)), 1<<16)
	st, err := ReadRDB(br, int64(len(data)), ld, ReadOptions{Checksum: true, ReadAhead: readAhead})
	ld.End()
	rest := make([]byte, len(trailer)+10)
	n, _ := br.Read(rest)
	s := newSession(eng)
	return digests(t, s.do), st, string(rest[:n]), err
}

// TestReadAheadLoadsTheSame: a load that decodes on a second goroutine
// stores the same keyspace, counts the same keys and leaves the reader
// exactly at the end of the RDB, as one that decodes inline.
func TestReadAheadLoadsTheSame(t *testing.T) {
	data := readAheadDump(t)
	trailer := []byte("*1\r\n$4\r\nPING\r\n")
	want, wantStats, rest, err := loadDump(t, data, trailer, false)
	require.NoError(t, err)
	require.Equal(t, string(trailer), rest)
	got, gotStats, rest, err := loadDump(t, data, trailer, true)
	require.NoError(t, err)
	assert.Equal(t, string(trailer), rest)
	assert.Equal(t, wantStats, gotStats)
	assert.Equal(t, len(want), len(got))
	assert.Equal(t, want, got)
}

// TestReadAheadErrors: a file cut short, a corrupt value and a key that
// appears twice fail a read-ahead load with the inline load's error.
func TestReadAheadErrors(t *testing.T) {
	data := readAheadDump(t)
	cut := data[:len(data)*3/4]

	// A dump with its 20,000th key written again.
	var dup bytes.Buffer
	w := rdb.NewWriter(&dup, rdb.WriterOptions{Checksum: true})
	w.Header()
	w.SelectDB(0)
	pad := append([]byte{rdb.TypeString}, rdb.AppendString(nil, string(bytes.Repeat([]byte("v"), 100)), false)...)
	for i := range 30000 {
		k := i
		if i == 25000 {
			k = 20000
		}
		w.Entry(rdb.Entry{Key: "key:" + itoa(k), ExpireMs: -1, Idle: -1, Freq: -1, Value: pad})
	}
	require.NoError(t, w.End())

	// A corrupt value (a set of which a member repeats) late in the file.
	var bad bytes.Buffer
	w = rdb.NewWriter(&bad, rdb.WriterOptions{Checksum: true})
	w.Header()
	w.SelectDB(0)
	for i := range 30000 {
		v := pad
		if i == 29000 {
			v = rdb.AppendString(rdb.AppendString(rdb.AppendLen([]byte{rdb.TypeSet}, 2), "a", false), "a", false)
		}
		w.Entry(rdb.Entry{Key: "key:" + itoa(i), ExpireMs: -1, Idle: -1, Freq: -1, Value: v})
	}
	require.NoError(t, w.End())

	for name, file := range map[string][]byte{"cut": cut, "duplicate key": dup.Bytes(), "corrupt value": bad.Bytes()} {
		_, _, _, inlineErr := loadDump(t, file, nil, false)
		require.Error(t, inlineErr, name)
		_, _, _, aheadErr := loadDump(t, file, nil, true)
		assert.Equal(t, inlineErr.Error(), aheadErr.Error(), name)
	}
}
