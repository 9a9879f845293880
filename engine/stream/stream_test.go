package stream

import (
	"fmt"
	"math/rand/v2"
	"strings"
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

// collectFrom is collect forwards, at most count entries, resuming from c;
// it returns the cursor of the last entry read too.
func collectFrom(s *Stream, start ID, count int, c Cursor) ([]string, Cursor) {
	var it Iterator
	it.StartFrom(s, start, MaxID, c)
	var out []string
	for len(out) < count {
		id, n, ok := it.Next()
		if !ok {
			break
		}
		line := id.String()
		for range n {
			f, v := it.Field()
			line += " " + string(f) + " " + string(v)
		}
		out = append(out, line)
	}
	return out, it.Cursor()
}

// TestCursorResume reads a stream as a consumer group does, a few entries
// at a time from where the last read ended, while entries are appended
// (past 127 per node, so node headers grow a byte), deleted and trimmed
// and the stream copied: every read from the remembered cursor returns
// what a read from the node's start returns.
func TestCursorResume(t *testing.T) {
	for _, lim := range []NodeLimits{testLimits, {MaxBytes: 1 << 20, MaxEntries: 1000}, {MaxBytes: 300, MaxEntries: 0}} {
		t.Run(fmt.Sprint(lim.MaxBytes, lim.MaxEntries), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(lim.MaxBytes), uint64(lim.MaxEntries)))
			s := New()
			next := uint64(1)
			add := func(n int) {
				for range n {
					f := fv("f1", fmt.Sprint(next), "f2", "v")
					if rng.IntN(8) == 0 {
						f = fv("other", strings.Repeat("x", rng.IntN(40)))
					}
					require.NoError(t, s.Append(ID{next, 0}, f, lim))
					next++
				}
			}
			add(50)
			var last ID
			var c Cursor
			for round := 0; round < 2000; round++ {
				switch rng.IntN(10) {
				case 0:
					s.Delete(ID{uint64(rng.IntN(int(next))) + 1, 0})
				case 1:
					s.Trim(TrimArgs{Strategy: TrimMinID, MinID: ID{last.Ms - uint64(rng.IntN(5)), 0}, Approx: rng.IntN(2) == 0})
				case 2:
					if rng.IntN(20) == 0 {
						s = s.Dup() // the cursor's nodes are not the copy's
					}
				default:
					add(rng.IntN(12))
				}
				start, _ := last.Incr()
				count := 1 + rng.IntN(15)
				want, _ := collectFrom(s, start, count, Cursor{})
				got, nc := collectFrom(s, start, count, c)
				require.Equal(t, want, got, "round %d", round)
				if len(got) > 0 {
					last = nc.id
					c = nc
				}
			}
			require.NoError(t, s.Check())
		})
	}
}
