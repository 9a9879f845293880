package resp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/netserver/internal/readercases"
)

// collect feeds chunks to a fresh Reader one after the other and returns
// every command it yields (copied) and the first error.
func collect(rd *Reader, chunks ...string) ([][]string, error) {
	var cmds [][]string
	for _, c := range chunks {
		rd.Feed([]byte(c))
		for {
			args, err := rd.Next()
			if err != nil {
				return cmds, err
			}
			if args == nil {
				break
			}
			cmd := make([]string, len(args))
			for i, a := range args {
				cmd[i] = string(a)
			}
			cmds = append(cmds, cmd)
		}
	}
	return cmds, nil
}

// readerCases are the shared request cases (see readercases.Cases).
func readerCases() []readercases.Case { return readercases.Cases() }

func TestReader(t *testing.T) {
	for _, tc := range readerCases() {
		t.Run(tc.Name, func(t *testing.T) {
			check := func(how string, got [][]string, err error) {
				t.Helper()
				assert.Equal(t, tc.Want, got, how)
				if tc.ErrText == "" {
					assert.NoError(t, err, how)
					return
				}
				var pe *ProtocolError
				require.ErrorAs(t, err, &pe, how)
				assert.Equal(t, tc.ErrText, pe.Msg, how)
				assert.Equal(t, "-ERR Protocol error: "+tc.ErrText+"\r\n", string(pe.Reply()), how)
			}
			got, err := collect(NewReader(), tc.In)
			check("whole", got, err)
			if len(tc.In) > 2000 {
				// long inputs: a few splits, byte-by-byte would be slow
				for _, at := range []int{1, len(tc.In) / 2, len(tc.In) - 1} {
					got, err := collect(NewReader(), tc.In[:at], tc.In[at:])
					check("split", got, err)
				}
				return
			}
			for at := 0; at <= len(tc.In); at++ {
				got, err := collect(NewReader(), tc.In[:at], tc.In[at:])
				check("split at "+string(rune('0'+at%10)), got, err)
			}
			bytes := make([]string, len(tc.In))
			for i := range tc.In {
				bytes[i] = tc.In[i : i+1]
			}
			got, err = collect(NewReader(), bytes...)
			check("byte by byte", got, err)
		})
	}
}

func TestReaderUnauthenticatedLimits(t *testing.T) {
	for _, tc := range []readercases.Case{
		{Name: "10 args ok", In: "*10\r\n", Want: nil},
		{Name: "11 args", In: "*11\r\n", ErrText: "unauthenticated multibulk length"},
		{Name: "16384 bytes ok", In: "*1\r\n$16384\r\n", Want: nil},
		{Name: "16385 bytes", In: "*10\r\n$16385\r\n", ErrText: "unauthenticated bulk length"},
	} {
		t.Run(tc.Name, func(t *testing.T) {
			rd := NewReader()
			rd.Authenticated = func() bool { return false }
			got, err := collect(rd, tc.In)
			assert.Equal(t, tc.Want, got)
			if tc.ErrText == "" {
				assert.NoError(t, err)
				return
			}
			var pe *ProtocolError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.ErrText, pe.Msg)
		})
	}
}

func TestReaderMaxBulkLenConfig(t *testing.T) {
	rd := NewReader()
	rd.MaxBulkLen = 10
	_, err := collect(rd, "*1\r\n$10\r\n0123456789\r\n*1\r\n$11\r\n")
	var pe *ProtocolError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "invalid bulk length", pe.Msg)
}

func TestReaderQueryBufferLimit(t *testing.T) {
	rd := NewReader()
	rd.QueryBufferLimit = 1000
	_, err := collect(rd, "*2\r\n$3\r\nSET\r\n$5000\r\n", strings.Repeat("x", 1200))
	assert.ErrorIs(t, err, ErrQueryBufferLimit)

	rd = NewReader()
	rd.QueryBufferLimit = 1000
	got, err := collect(rd, "*2\r\n$4\r\nECHO\r\n$900\r\n"+strings.Repeat("x", 900)+"\r\n")
	require.NoError(t, err)
	assert.Len(t, got, 1)
}

func TestReaderLargeBulkInPieces(t *testing.T) {
	payload := strings.Repeat("0123456789", 100_000) // 1 MB
	in := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + "1000000" + "\r\n" + payload + "\r\n"
	rd := NewReader()
	var chunks []string
	for i := 0; i < len(in); i += 4096 {
		chunks = append(chunks, in[i:min(i+4096, len(in))])
	}
	got, err := collect(rd, chunks...)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, payload, got[0][2])
	assert.Zero(t, rd.Buffered())
}

func TestReaderNoAllocs(t *testing.T) {
	rd := NewReader()
	in := []byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\nPING\r\n")
	allocs := testing.AllocsPerRun(100, func() {
		rd.Feed(in)
		for {
			args, err := rd.Next()
			if err != nil || args == nil {
				break
			}
		}
	})
	assert.Zero(t, allocs)
}

func TestString2ll(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "1": 1, "-1": -1, "9223372036854775807": 9223372036854775807,
		"-9223372036854775808": -9223372036854775808,
	} {
		got, ok := string2ll([]byte(in))
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "-", "+1", "01", "-0", " 1", "1 ", "9223372036854775808",
		"-9223372036854775809", "18446744073709551616", "1a", "000000000000000000001"} {
		_, ok := string2ll([]byte(in))
		assert.False(t, ok, in)
	}
}

func TestReaderBufferGrowsWithDataAndShrinks(t *testing.T) {
	rd := NewReader()
	rd.Feed([]byte("*1\r\n$536870912\r\n"))
	args, err := rd.Next()
	require.NoError(t, err)
	require.Nil(t, args)
	// announcing 512 MB allocates nothing big before the bytes come
	assert.Less(t, len(rd.Space()), 1<<20)

	payload := strings.Repeat("v", 4<<20)
	rd = NewReader()
	got, err := collect(rd, "*2\r\n$4\r\nECHO\r\n$4194304\r\n", payload, "\r\n")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, payload, got[0][1])
	assert.Less(t, len(rd.Space()), 1<<20, "the big buffer is let go once empty")
}

func BenchmarkReaderMultibulk(b *testing.B) {
	var in []byte
	for range 100 {
		in = append(in, "*3\r\n$3\r\nSET\r\n$8\r\nkey:1234\r\n$16\r\nvalue-0123456789\r\n"...)
	}
	rd := NewReader()
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		rd.Feed(in)
		for {
			args, err := rd.Next()
			if err != nil || args == nil {
				break
			}
		}
	}
}

func BenchmarkReaderInline(b *testing.B) {
	var in []byte
	for range 100 {
		in = append(in, "SET key:1234 \"value 0123456789\"\r\n"...)
	}
	rd := NewReader()
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		rd.Feed(in)
		for {
			args, err := rd.Next()
			if err != nil || args == nil {
				break
			}
		}
	}
}

// A length header announcing 2 GB, followed by 10 bytes, allocates no more
// than the bytes that came: the buffer grows with the data, never from a
// peer's announcement.
func TestReaderHostileLengthAllocatesNothingUpFront(t *testing.T) {
	for _, feed := range []bool{true, false} {
		rd := NewReader()
		rd.MaxBulkLen = 4 << 30
		rd.QueryBufferLimit = 8 << 30
		in := []byte("*2\r\n$3\r\nSET\r\n$2000000000\r\n0123456789")
		if feed {
			rd.Feed(in)
		} else {
			n := copy(rd.Space(), in)
			rd.Advance(n)
		}
		args, err := rd.Next()
		require.NoError(t, err)
		require.Nil(t, args)
		assert.LessOrEqual(t, rd.Cap(), 2*minReadSize)
		for range 3 { // more reads, each of a few bytes: growth follows data
			n := copy(rd.Space(), "abc")
			rd.Advance(n)
			args, err := rd.Next()
			require.NoError(t, err)
			require.Nil(t, args)
		}
		assert.LessOrEqual(t, rd.Cap(), 2*minReadSize)
	}
}

// Resize follows Redis's clientsCronResizeQueryBuffer: an idle client's
// empty buffer is freed; a big buffer shrinks to the recent peak, not below
// what a bulk being read needs.
func TestReaderResize(t *testing.T) {
	rd := NewReader()
	_, err := collect(rd, "PING\r\n")
	require.NoError(t, err)
	rd.Resize(false)
	assert.Equal(t, minReadSize, rd.Cap(), "small buffers stay while active")
	rd.Resize(true)
	assert.Zero(t, rd.Cap(), "an idle client's buffer is freed")
	got, err := collect(rd, "PING\r\n")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"PING"}}, got, "and comes back with the next read")

	rd = NewReader()
	payload := strings.Repeat("A", 400_000)
	_, err = collect(rd, "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$400000\r\n", payload, "\r\n")
	require.NoError(t, err)
	big := rd.Cap()
	require.Greater(t, big, 400_000)
	rd.Resize(false)
	assert.Equal(t, big, rd.Cap(), "the peak of this cycle was the big command")
	_, err = collect(rd, "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$3\r\nabc\r\n")
	require.NoError(t, err)
	rd.Resize(false)
	assert.Positive(t, rd.Cap())
	assert.Less(t, rd.Cap(), resizeThreshold, "shrunk to the recent peak")

	// A big argument's buffer is let go once its command ran; in the
	// middle of a big bulk, Resize keeps what has arrived of it.
	_, err = collect(rd, "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$400000\r\n", payload, "\r\n")
	require.NoError(t, err)
	rd.ReleaseIdle()
	assert.Equal(t, minReadSize, rd.Cap())
	_, err = collect(rd, "*2\r\n$4\r\nECHO\r\n$100000\r\n", strings.Repeat("b", 60_000))
	require.NoError(t, err)
	assert.Less(t, rd.Cap(), 100_000+minReadSize, "grown no further than the bulk needs")
	rd.Resize(false)
	rd.Resize(false)
	assert.GreaterOrEqual(t, rd.Cap(), 60_000)
	assert.Less(t, rd.Cap(), big)
	got, err = collect(rd, strings.Repeat("b", 40_000)+"\r\n")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Len(t, got[0][1], 100_000)
}
