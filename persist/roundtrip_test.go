package persist

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// digests returns DEBUG DIGEST and every key's DEBUG DIGEST-VALUE with
// its TTL class, database by database, through do.
func digests(t *testing.T, do func(args ...string) string) map[string]string {
	t.Helper()
	out := map[string]string{"all": do("DEBUG", "DIGEST")}
	for db := 0; db < 16; db++ {
		require.Equal(t, "+OK\r\n", do("SELECT", strconv.Itoa(db)))
		keys := do("KEYS", "*")
		lines := strings.Split(keys, "\r\n")
		for i := 2; i < len(lines); i += 2 {
			k := lines[i]
			ttl := do("PTTL", k)
			class := "persist"
			if ttl != ":-1\r\n" {
				class = "volatile"
			}
			out[strconv.Itoa(db)+"/"+k] = do("DEBUG", "DIGEST-VALUE", k) + do("TYPE", k) + class
		}
	}
	do("SELECT", "0")
	return out
}

// TestRoundTripWithRedis: the same random dataset of every type and
// encoding, with deadlines, in four databases, built in redis-server and
// in GoRedis. Redis's dump loads into GoRedis with every key equal; the
// dump GoRedis writes passes redis-check-rdb and loads into redis-server
// with every key equal.
func TestRoundTripWithRedis(t *testing.T) {
	redisDir, goDir := t.TempDir(), t.TempDir()
	script := randomDataset(7, 800)

	rs := startRedis(t, redisDir, "dump.rdb")
	rc := rs.conn(t)
	require.NoError(t, rc.pipeline(script))
	want := digests(t, rc.do)
	require.Equal(t, "+OK\r\n", rc.do("SAVE"))

	// GoRedis builds the same dataset: its digests match Redis's.
	eng, p := testEngine(t, goDir)
	c := newSession(eng)
	for _, cmd := range script {
		require.NotEqual(t, byte('-'), c.do(cmd...)[0], "%v", cmd)
	}
	require.Equal(t, want, digests(t, c.do))

	t.Run("redis dump loads into goredis", func(t *testing.T) {
		require.NoError(t, copyFile(filepath.Join(redisDir, "dump.rdb"), filepath.Join(goDir, "dump.rdb")))
		eng2, p2 := testEngine(t, goDir)
		require.NoError(t, p2.LoadAtStartup(nil))
		assert.Equal(t, want, digests(t, newSession(eng2).do))
		info := newSession(eng2).do("INFO", "persistence")
		assert.Contains(t, info, "rdb_last_load_keys_loaded:3200\r\n")
		assert.Contains(t, info, "rdb_changes_since_last_save:0\r\n", "as Redis, a load is no change to save")
	})

	t.Run("goredis dump loads into redis", func(t *testing.T) {
		require.Equal(t, "+OK\r\n", c.do("SAVE"))
		_ = p
		path := filepath.Join(goDir, "dump.rdb")
		if check, err := exec.LookPath("redis-check-rdb"); err == nil {
			out, err := exec.Command(check, path).CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Contains(t, string(out), "RDB looks OK")
		}
		loadDir := t.TempDir()
		require.NoError(t, copyFile(path, filepath.Join(loadDir, "dump.rdb")))
		rs2 := startRedis(t, loadDir, "dump.rdb")
		assert.Equal(t, want, digests(t, rs2.conn(t).do))
	})

	t.Run("without compression", func(t *testing.T) {
		c.do("CONFIG", "SET", "rdbcompression", "no")
		require.Equal(t, "+OK\r\n", c.do("SAVE"))
		loadDir := t.TempDir()
		require.NoError(t, copyFile(filepath.Join(goDir, "dump.rdb"), filepath.Join(loadDir, "dump.rdb")))
		rs3 := startRedis(t, loadDir, "dump.rdb")
		assert.Equal(t, want, digests(t, rs3.conn(t).do))
		c.do("CONFIG", "SET", "rdbcompression", "yes")
	})
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
