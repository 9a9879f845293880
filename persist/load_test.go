package persist

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/rdb"
)

// dumpWith writes an RDB file of db 0 with the given entries (type byte
// and value already encoded) and a RESIZEDB hint of hint keys.
func dumpWith(hint uint64, entries ...rdb.Entry) []byte {
	var buf bytes.Buffer
	w := rdb.NewWriter(&buf, rdb.WriterOptions{Checksum: true})
	w.Header()
	w.SelectDB(0)
	w.ResizeDB(hint, 0)
	for _, e := range entries {
		w.Entry(e)
	}
	_ = w.End()
	return buf.Bytes()
}

func stringEntry(key, val string) rdb.Entry {
	return rdb.Entry{Key: key, ExpireMs: -1, Idle: -1, Freq: -1, Value: rdb.AppendString([]byte{rdb.TypeString}, val, false)}
}

func listEntry(key string, items ...string) rdb.Entry {
	lp := rdb.NewListpackBuilder()
	for _, it := range items {
		lp.Add(it)
	}
	v := rdb.AppendLen([]byte{rdb.TypeListQuicklist2}, 1)
	v = rdb.AppendLen(v, rdb.QuicklistPacked)
	v = rdb.AppendString(v, string(lp.Bytes()), false)
	return rdb.Entry{Key: key, ExpireMs: -1, Idle: -1, Freq: -1, Value: v}
}

// TestLoadRefusesDuplicateKeys: a key twice in a file fails the load
// with Redis's message, whichever types the two copies have.
func TestLoadRefusesDuplicateKeys(t *testing.T) {
	for name, entries := range map[string][]rdb.Entry{
		"string twice":     {stringEntry("k", "a"), stringEntry("k", "b")},
		"list twice":       {listEntry("k", "a"), listEntry("k", "b")},
		"string then list": {stringEntry("k", "a"), listEntry("k", "b")},
		"list then string": {listEntry("k", "a"), stringEntry("k", "b")},
	} {
		t.Run(name, func(t *testing.T) {
			data := dumpWith(2, entries...)
			e := engine.New(engine.Options{})
			ld := e.BeginLoad(int64(len(data)))
			_, err := ReadRDB(bytes.NewReader(data), int64(len(data)), ld, ReadOptions{Checksum: true})
			ld.End()
			require.Error(t, err)
			assert.Equal(t, "RDB has duplicated key 'k' in DB 0", err.Error())
		})
	}
}

// TestLoadHostileResizeHint: a RESIZEDB hint far beyond what the file
// can hold sizes nothing past the file's size, and the keys load.
func TestLoadHostileResizeHint(t *testing.T) {
	data := dumpWith(1<<60, stringEntry("a", "1"), listEntry("b", "x", "y"))
	e := engine.New(engine.Options{})
	ld := e.BeginLoad(int64(len(data)))
	_, err := ReadRDB(bytes.NewReader(data), int64(len(data)), ld, ReadOptions{Checksum: true})
	ld.End()
	require.NoError(t, err)
	s := newSession(e)
	assert.Equal(t, ":2\r\n", s.do("DBSIZE"))
	assert.Equal(t, "*2\r\n$1\r\nx\r\n$1\r\ny\r\n", s.do("LRANGE", "b", "0", "-1"))
}
