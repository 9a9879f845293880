package stream

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

var testLimits = NodeLimits{MaxBytes: 4096, MaxEntries: 100}

func fv(kv ...string) [][]byte {
	out := make([][]byte, len(kv))
	for i, s := range kv {
		out[i] = []byte(s)
	}
	return out
}

// collect returns the entries between start and end as "id f v ..." lines.
func collect(s *Stream, start, end ID, rev bool) []string {
	var it Iterator
	it.Start(s, start, end, rev)
	var out []string
	for {
		id, n, ok := it.Next()
		if !ok {
			return out
		}
		line := id.String()
		for range n {
			f, v := it.Field()
			line += " " + string(f) + " " + string(v)
		}
		out = append(out, line)
	}
}

func TestAppendAndIterate(t *testing.T) {
	s := New()
	require.NoError(t, s.Append(ID{1, 1}, fv("a", "1", "b", "2"), testLimits))
	require.NoError(t, s.Append(ID{1, 2}, fv("a", "3", "b", "4"), testLimits))
	require.NoError(t, s.Append(ID{2, 0}, fv("c", "5"), testLimits))
	require.NoError(t, s.Append(ID{2, 1}, fv("c", "6"), testLimits))
	require.Equal(t, []string{"1-1 a 1 b 2", "1-2 a 3 b 4", "2-0 c 5", "2-1 c 6"}, collect(s, ID{}, MaxID, false))
	require.True(t, s.Delete(ID{2, 1}))
	require.ErrorIs(t, s.Append(ID{2, 0}, fv("c", "5"), testLimits), ErrIDTooSmall)
	require.Equal(t, []string{"1-1 a 1 b 2", "1-2 a 3 b 4", "2-0 c 5"}, collect(s, ID{}, MaxID, false))
	require.Equal(t, []string{"2-0 c 5", "1-2 a 3 b 4", "1-1 a 1 b 2"}, collect(s, ID{}, MaxID, true))
	require.Equal(t, []string{"1-2 a 3 b 4"}, collect(s, ID{1, 2}, ID{1, 2}, false))
	require.True(t, s.Delete(ID{1, 2}))
	require.Equal(t, []string{"1-1 a 1 b 2", "2-0 c 5"}, collect(s, ID{}, MaxID, false))
	require.Equal(t, []string{"2-0 c 5", "1-1 a 1 b 2"}, collect(s, ID{}, MaxID, true))
	require.NoError(t, s.Check())
}

func TestManyNodes(t *testing.T) {
	s := New()
	for i := uint64(1); i <= 1000; i++ {
		require.NoError(t, s.Append(ID{i, 0}, fv("f", fmt.Sprint(i)), NodeLimits{MaxBytes: 4096, MaxEntries: 10}))
	}
	require.Equal(t, 100, s.Nodes())
	got := collect(s, ID{95, 0}, ID{105, 0}, false)
	require.Len(t, got, 11)
	require.Equal(t, "95-0 f 95", got[0])
	got = collect(s, ID{95, 0}, ID{105, 0}, true)
	require.Equal(t, "105-0 f 105", got[0])
	require.Equal(t, int64(995), s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 5}))
	require.Equal(t, uint64(5), s.Length)
	require.Equal(t, ID{996, 0}, s.FirstID)
	require.NoError(t, s.Check())
}

// TestBytesRunningCount: the running node count equals a recount after
// appends, trims (whole nodes and inside one), deletions and copies.
func TestBytesRunningCount(t *testing.T) {
	recount := func(s *Stream) int64 {
		var n int64
		for _, nd := range s.nodes {
			n += int64(cap(nd.lp)) + nodeOverhead
		}
		return n
	}
	s := New()
	lim := NodeLimits{MaxBytes: 4096, MaxEntries: 10}
	for i := uint64(1); i <= 500; i++ {
		require.NoError(t, s.Append(ID{i, 0}, fv("f", fmt.Sprint(i), "g", "x"), lim))
		require.Equal(t, recount(s), s.nodeBytes)
	}
	s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 333})
	require.Equal(t, recount(s), s.nodeBytes)
	for i := uint64(150); i < 400; i += 3 {
		s.Delete(ID{i, 0})
		require.Equal(t, recount(s), s.nodeBytes)
	}
	s.Trim(TrimArgs{Strategy: TrimMinID, MinID: ID{420, 0}})
	require.Equal(t, recount(s), s.nodeBytes)
	d := s.Dup()
	require.Equal(t, recount(d), d.nodeBytes)
	g := s.CreateGroup("g", ID{}, 0)
	c := g.CreateConsumer("alice", 0)
	before := s.Bytes()
	g.Deliver(ID{450, 0}, c, 0)
	require.Greater(t, s.Bytes(), before)
	g.DeleteConsumer(c)
	require.Equal(t, before-consumerOverhead-5, s.Bytes())
}
