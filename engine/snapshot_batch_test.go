package engine

import (
	"strconv"
	"strings"
	"testing"

	"github.com/goredis-dev/goredis/rdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSnapshotNextBoundsEncodedBytes: a database of large values is
// handed out a part at a time (about snapshotArenaBytes per Next, at
// least one value), every key once, and a collection captured in a batch
// but not yet encoded keeps its value of the snapshot's moment.
func TestSnapshotNextBoundsEncodedBytes(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	require.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "rdbcompression", "no"))
	big := strings.Repeat("v", 100_000)
	const strings_ = 40
	for i := range strings_ {
		require.Equal(t, "+OK\r\n", c.do("SET", "s"+strconv.Itoa(i), big))
	}
	require.Equal(t, ":1\r\n", c.do("RPUSH", "list", "before"))
	c.do("SET", "huge", strings.Repeat("h", 3*snapshotArenaBytes))

	snap := e.BeginSnapshot()
	defer snap.Close()
	seen := map[string]int{}
	changed := false
	batches := 0
	for {
		batch, err := snap.Next(nil)
		require.NoError(t, err)
		if len(batch) == 0 {
			break
		}
		total := 0
		for _, k := range batch {
			seen[k.Key]++
			total += len(k.Value)
			if k.Key == "list" {
				// The write after the capture must not show.
				assert.NotContains(t, string(k.Value), "after")
			}
		}
		if len(batch) > 1 {
			batches++
			assert.LessOrEqual(t, total-len(batch[len(batch)-1].Value), snapshotArenaBytes, "batch of %d keys", len(batch))
		}
		if !changed {
			// Keys captured with this batch and still to encode are
			// changed now; the snapshot must not see it.
			changed = true
			assert.Equal(t, ":2\r\n", c.do("RPUSH", "list", "after"))
			assert.Equal(t, "+OK\r\n", c.do("SET", "s1", "changed"))
			assert.Equal(t, ":1\r\n", c.do("DEL", "s2"))
		}
	}
	assert.Greater(t, batches, 2, "the values came in one or two batches")
	assert.Len(t, seen, strings_+2)
	for k, n := range seen {
		assert.Equal(t, 1, n, k)
	}
	done, all := snap.Progress()
	assert.Equal(t, int64(strings_+2), done)
	assert.Equal(t, int64(strings_+2), all)
}

// TestSnapshotValuesAfterWrites: the values handed out are the ones of
// the snapshot's moment, whatever was written after the capture.
func TestSnapshotValuesAfterWrites(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	require.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "rdbcompression", "no"))
	big := strings.Repeat("x", 300_000)
	for i := range 10 {
		c.do("SET", "k"+strconv.Itoa(i), big)
	}
	snap := e.BeginSnapshot()
	defer snap.Close()
	batch, err := snap.Next(nil)
	require.NoError(t, err)
	require.NotEmpty(t, batch)
	for i := range 10 {
		c.do("SET", "k"+strconv.Itoa(i), "small")
	}
	n := 0
	for len(batch) > 0 {
		for _, k := range batch {
			n++
			want := rdb.AppendString([]byte{rdb.TypeString}, big, false)
			assert.Equal(t, want, k.Value, k.Key)
		}
		batch, err = snap.Next(batch)
		require.NoError(t, err)
	}
	assert.Equal(t, 10, n)
}
