package persist

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoadOldEncodings loads the dumps of Redis's test suite (zipmap,
// ziplist, quicklist v1, intset, text scores, RDB versions before 10) and
// checks them against what redis-server 7.0 makes of the same files.
func TestLoadOldEncodings(t *testing.T) {
	for _, name := range []string{"encodings.rdb", "hash-ziplist.rdb", "hash-zipmap.rdb", "list-quicklist.rdb", "zset-ziplist.rdb"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, copyFile(filepath.Join("testdata", name), filepath.Join(dir, "dump.rdb")))
			eng, p := testEngine(t, dir)
			require.NoError(t, p.LoadAtStartup())
			got := digests(t, newSession(eng).do)
			rs := startRedis(t, dir, "dump.rdb")
			assert.Equal(t, digests(t, rs.conn(t).do), got)
		})
	}
}

// TestLoadEncodingsValues checks a few values of encodings.rdb without
// redis-server (rdb.tcl's "RDB encoding loading test").
func TestLoadEncodingsValues(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, copyFile(filepath.Join("testdata", "encodings.rdb"), filepath.Join(dir, "dump.rdb")))
	eng, p := testEngine(t, dir)
	require.NoError(t, p.LoadAtStartup())
	c := newSession(eng)
	assert.Equal(t, ":13\r\n", c.do("DBSIZE"))
	assert.Equal(t, "$11\r\nHello World\r\n", c.do("GET", "string"))
	assert.Equal(t, "$2\r\n10\r\n", c.do("GET", "number"))
	assert.Equal(t, "*3\r\n$10\r\n6000000000\r\n$1\r\n1\r\n$1\r\n2\r\n", c.do("LRANGE", "list", "7", "9"))
	assert.Equal(t, "$10\r\n5000000000\r\n", c.do("HGET", "hash", "eee"))
	assert.Equal(t, "$10\r\n5000000000\r\n", c.do("ZSCORE", "zset", "bbbb"))
	assert.Equal(t, ":1\r\n", c.do("SISMEMBER", "set_zipped_3", "6000000000"))

	// list-quicklist.rdb: a quicklist of ziplists (Redis 6).
	dir2 := t.TempDir()
	require.NoError(t, copyFile(filepath.Join("testdata", "list-quicklist.rdb"), filepath.Join(dir2, "dump.rdb")))
	eng2, p2 := testEngine(t, dir2)
	require.NoError(t, p2.LoadAtStartup())
	c2 := newSession(eng2)
	assert.Equal(t, "$1\r\n7\r\n", c2.do("GET", "x"))
	assert.Equal(t, "$1\r\n7\r\n", c2.do("LPOP", "list"))
}

// TestLoadSkipsEmptyKeys: a dump with empty collections (which Redis
// never writes) loads with those keys skipped, as Redis 7.0 does.
func TestLoadSkipsEmptyKeys(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, copyFile(filepath.Join("testdata", "corrupt_empty_keys.rdb"), filepath.Join(dir, "dump.rdb")))
	eng, p := testEngine(t, dir)
	require.NoError(t, p.LoadAtStartup())
	assert.Equal(t, ":0\r\n", newSession(eng).do("DBSIZE"))
}
