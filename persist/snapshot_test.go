package persist

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/goredis-dev/goredis/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fillEngine builds the random dataset of every type in eng.
func fillEngine(t testing.TB, eng *engine.Engine, keysPerDB int) {
	c := newSession(eng)
	for _, cmd := range randomDataset(11, keysPerDB) {
		require.NotEqual(t, byte('-'), c.do(cmd...)[0], "%v", cmd)
	}
	c.do("SELECT", "0")
}

// writer changes the keyspace in every way a snapshot must survive:
// overwrites, in-place collection changes, deletes, deadlines, renames,
// moves between databases, SWAPDB and FLUSHDB.
func writer(eng *engine.Engine, seed uint64, n int, flush bool) {
	rng := rand.New(rand.NewPCG(seed, 1))
	c := newSession(eng)
	for i := 0; i < n; i++ {
		db := strconv.Itoa(rng.IntN(4))
		c.do("SELECT", db)
		key := fmt.Sprintf("k:%s:%d", db, rng.IntN(800))
		other := fmt.Sprintf("k:%s:%d", db, rng.IntN(800))
		switch rng.IntN(16) {
		case 0:
			c.do("SET", key, "new"+strconv.Itoa(i))
		case 1:
			c.do("DEL", key)
		case 2:
			c.do("RPUSH", key, "x", "y")
		case 3:
			c.do("LPOP", key)
		case 4:
			c.do("HSET", key, "nf", strconv.Itoa(i))
		case 5:
			c.do("SADD", key, strconv.Itoa(i), "m"+strconv.Itoa(i))
		case 6:
			c.do("ZADD", key, strconv.Itoa(i), "zm")
		case 7:
			c.do("PEXPIRE", key, "99999999")
		case 8:
			c.do("PERSIST", key)
		case 9:
			c.do("RENAME", key, other)
		case 10:
			c.do("MOVE", key, strconv.Itoa(rng.IntN(4)))
		case 11:
			if rng.IntN(20) == 0 {
				c.do("SWAPDB", db, strconv.Itoa(rng.IntN(4)))
			}
		case 12:
			if flush && rng.IntN(200) == 0 {
				c.do("FLUSHDB")
			}
		case 13:
			c.do("SET", "fresh:"+strconv.Itoa(i), "v")
		case 14:
			c.do("APPEND", key, "tail")
		case 15:
			c.do("HDEL", key, "f0", "f1")
		}
	}
}

// TestSnapshotIsPointInTime: while writers change the keyspace in every
// way, a snapshot taken before they start writes exactly the dataset of
// that moment (compared with DEBUG DIGEST after loading it back). The
// snapshot takes a few hundred keys per hold of the engine lock: 800 keys
// per database are one window taken in several chunks, 2,500 keys are
// several windows (shards).
func TestSnapshotIsPointInTime(t *testing.T) {
	for _, tc := range []struct {
		keys  int
		flush bool
	}{{800, false}, {800, true}, {2500, false}} {
		t.Run(fmt.Sprintf("keys=%d/flushdb=%v", tc.keys, tc.flush), func(t *testing.T) {
			flush := tc.flush
			eng, _ := testEngine(t, t.TempDir())
			fillEngine(t, eng, tc.keys)
			c := newSession(eng)
			want := digests(t, c.do)

			snap := eng.BeginSnapshot()
			var wg sync.WaitGroup
			for w := 0; w < 3; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					writer(eng, uint64(w), 3000, flush)
				}(w)
			}
			var buf bytes.Buffer
			err := WriteRDB(&buf, snap, WriteOptions{Compression: true, Checksum: true, RedisVersion: engine.Version})
			snap.Close()
			wg.Wait()
			require.NoError(t, err)
			assert.NotEqual(t, want["all"], digests(t, c.do)["all"], "the writers changed nothing")

			eng2, _ := testEngine(t, t.TempDir())
			ld := eng2.BeginLoad(int64(buf.Len()))
			_, err = ReadRDB(&buf, int64(buf.Len()), ld, ReadOptions{Checksum: true})
			ld.End()
			require.NoError(t, err)
			assert.Equal(t, want, digests(t, newSession(eng2).do))
		})
	}
}

// TestFlushAllAbortsBackgroundSave: as Redis's FLUSHALL kills the
// saving child.
func TestFlushAllAbortsSnapshot(t *testing.T) {
	eng, _ := testEngine(t, t.TempDir())
	fillEngine(t, eng, 100)
	snap := eng.BeginSnapshot()
	defer snap.Close()
	newSession(eng).do("FLUSHALL")
	_, err := snap.Next(nil)
	assert.ErrorIs(t, err, engine.ErrSnapshotAborted)
}
