package netserver

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func cmds(lines ...string) [][]string {
	var out [][]string
	for _, l := range lines {
		out = append(out, strings.Split(l, "|"))
	}
	return out
}

// readerCase: input gives want (commands as "arg|arg"), then errText
// ("" = none; else the reply Redis 7.0 sends before closing).
type readerCase struct {
	name    string
	in      string
	want    [][]string
	errText string
}

// The error texts were checked against redis-server 7.0.15 with raw
// bytes (see TestDiffProtocolErrors, which keeps checking them).
var readerCases = []readerCase{
	// (keys read here are never written by another case: TestDiffProtocolErrors
	// runs the cases concurrently on one server)
	{name: "multibulk", in: "*2\r\n$3\r\nGET\r\n$5\r\nnokey\r\n", want: cmds("GET|nokey")},
	{name: "empty bulk", in: "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", want: cmds("ECHO|")},
	{name: "binary bulk", in: "*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\x00\xff\r\n", want: [][]string{{"ECHO", "\r\n\x00\xff"}}},
	{name: "pipelined", in: "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING\r\n", want: cmds("PING", "ECHO|hi", "PING")},
	{name: "*0 skipped", in: "*0\r\n*1\r\n$4\r\nPING\r\n", want: cmds("PING")},
	{name: "*-1 skipped", in: "*-1\r\nPING\r\n", want: cmds("PING")},
	{name: "*-2147483649 skipped", in: "*-2147483649\r\nPING\r\n", want: cmds("PING")},
	{name: "bytes after payload unchecked", in: "*1\r\n$4\r\nPINGxxPING\r\n", want: cmds("PING", "PING")},
	{name: "header CR then any byte", in: "*1\rX$4\r\nPING\r\n", want: cmds("PING")},
	{name: "incomplete multibulk", in: "*1\r\n$4\r\nPING", want: nil},
	{name: "incomplete header", in: "*1\r", want: nil},
	{name: "max bulk length waits", in: "*1\r\n$536870912\r\n", want: nil},
	{name: "INT_MAX count waits", in: "*2147483647\r\n", want: nil},
	{name: "1024*1024+1 count waits", in: "*1048577\r\n", want: nil},
	{name: "non-$ waits for its line", in: "*1\r\nfoo", want: nil},

	{name: "inline", in: "SET a b\r\n", want: cmds("SET|a|b")},
	{name: "inline LF only", in: "PING\nPING\r\nPING", want: cmds("PING", "PING")},
	{name: "inline blanks", in: "  SET\t a   b  \r\n", want: cmds("SET|a|b")},
	{name: "empty lines skipped", in: "\r\n\n  \r\nPING\r\n", want: cmds("PING")},
	{name: "inline CR splits", in: "PING\r\rPING\r\n", want: cmds("PING|PING")},
	{name: "inline $ is a word", in: "$x\r\n", want: cmds("$x")},
	{name: "double quotes", in: `SET "a b" "c\"d"` + "\r\n", want: cmds("SET|a b|c\"d")},
	{name: "escapes", in: `ECHO "\n\r\t\b\a\\\q\x41\x4g"` + "\r\n", want: [][]string{{"ECHO", "\n\r\t\b\a\\qAx4g"}}},
	{name: "single quotes", in: `ECHO 'a\'b' 'c\nd'` + "\r\n", want: [][]string{{"ECHO", "a'b", `c\nd`}}},
	{name: "empty quoted", in: `ECHO "" ''` + "\r\n", want: [][]string{{"ECHO", "", ""}}},
	{name: "quote inside word", in: `ECHO a"b c"` + "\r\n", want: cmds("ECHO|ab c")},
	{name: "vtab inside word", in: "ECHO a\vb\r\n", want: [][]string{{"ECHO", "a\vb"}}},
	{name: "vtab after quote separates", in: "ECHO \"a\"\vx\r\n", want: cmds("ECHO|a|x")},
	{name: "NUL hides the newline", in: "ECHO a\x00b\r\nPING\r\n", want: nil},

	{name: "invalid multibulk length", in: "*abc\r\n", errText: "invalid multibulk length"},
	{name: "empty multibulk length", in: "*\r\n", errText: "invalid multibulk length"},
	{name: "plus sign", in: "*+1\r\n", errText: "invalid multibulk length"},
	{name: "leading zero", in: "*01\r\n$4\r\nPING\r\n", errText: "invalid multibulk length"},
	{name: "minus zero", in: "*-0\r\nPING\r\n", errText: "invalid multibulk length"},
	{name: "LF-only header", in: "*1\n$4\r\nPING\r\n", errText: "invalid multibulk length"},
	{name: "count over INT_MAX", in: "*2147483648\r\n", errText: "invalid multibulk length"},
	{name: "count overflow", in: "*99999999999999999999\r\n", errText: "invalid multibulk length"},
	{name: "negative overflow", in: "*-99999999999999999999\r\nPING\r\n", errText: "invalid multibulk length"},
	{name: "expected $", in: "*1\r\nfoo\r\n", errText: "expected '$', got 'f'"},
	{name: "empty bulk header line", in: "*1\r0\r0", errText: "expected '$', got ' '"},
	{name: "non-ASCII instead of $", in: "*1\r\n\xff\r\n", errText: "expected '$', got '\xff'"},
	{name: "bulk length not a number", in: "*1\r\n$x\r\n", errText: "invalid bulk length"},
	{name: "bulk leading zero", in: "*1\r\n$04\r\nPING\r\n", errText: "invalid bulk length"},
	{name: "negative bulk", in: "*1\r\n$-1\r\n", errText: "invalid bulk length"},
	{name: "bulk over proto-max-bulk-len", in: "*1\r\n$536870913\r\n", errText: "invalid bulk length"},
	{name: "unbalanced double quote", in: "PING \"a\r\n", errText: "unbalanced quotes in request"},
	{name: "unbalanced single quote", in: "PING 'a\r\n", errText: "unbalanced quotes in request"},
	{name: "quote then char", in: "ECHO 'a'b\r\n", errText: "unbalanced quotes in request"},
	{name: "escaped closing quote", in: `ECHO "a\"` + "\r\n", errText: "unbalanced quotes in request"},
	{name: "error after commands", in: "PING\r\n*abc\r\n", want: cmds("PING"), errText: "invalid multibulk length"},
	{name: "too big inline", in: "PING " + strings.Repeat("a", 70000), errText: "too big inline request"},
	{name: "too big inline hidden by NUL", in: "PING\x00" + strings.Repeat("a", 70000) + "\r\n", errText: "too big inline request"},
	{name: "too big mbulk count", in: "*" + strings.Repeat("1", 70000), errText: "too big mbulk count string"},
	{name: "too big bulk count", in: "*1\r\n$" + strings.Repeat("1", 70000), errText: "too big bulk count string"},
}

func TestReader(t *testing.T) {
	for _, tc := range readerCases {
		t.Run(tc.name, func(t *testing.T) {
			check := func(how string, got [][]string, err error) {
				t.Helper()
				assert.Equal(t, tc.want, got, how)
				if tc.errText == "" {
					assert.NoError(t, err, how)
					return
				}
				var pe *ProtocolError
				require.ErrorAs(t, err, &pe, how)
				assert.Equal(t, tc.errText, pe.Msg, how)
				assert.Equal(t, "-ERR Protocol error: "+tc.errText+"\r\n", string(pe.Reply()), how)
			}
			got, err := collect(NewReader(), tc.in)
			check("whole", got, err)
			if len(tc.in) > 2000 {
				// long inputs: a few splits, byte-by-byte would be slow
				for _, at := range []int{1, len(tc.in) / 2, len(tc.in) - 1} {
					got, err := collect(NewReader(), tc.in[:at], tc.in[at:])
					check("split", got, err)
				}
				return
			}
			for at := 0; at <= len(tc.in); at++ {
				got, err := collect(NewReader(), tc.in[:at], tc.in[at:])
				check("split at "+string(rune('0'+at%10)), got, err)
			}
			bytes := make([]string, len(tc.in))
			for i := range tc.in {
				bytes[i] = tc.in[i : i+1]
			}
			got, err = collect(NewReader(), bytes...)
			check("byte by byte", got, err)
		})
	}
}

func TestReaderUnauthenticatedLimits(t *testing.T) {
	for _, tc := range []readerCase{
		{name: "10 args ok", in: "*10\r\n", want: nil},
		{name: "11 args", in: "*11\r\n", errText: "unauthenticated multibulk length"},
		{name: "16384 bytes ok", in: "*1\r\n$16384\r\n", want: nil},
		{name: "16385 bytes", in: "*10\r\n$16385\r\n", errText: "unauthenticated bulk length"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rd := NewReader()
			rd.Authenticated = func() bool { return false }
			got, err := collect(rd, tc.in)
			assert.Equal(t, tc.want, got)
			if tc.errText == "" {
				assert.NoError(t, err)
				return
			}
			var pe *ProtocolError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.errText, pe.Msg)
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
	assert.ErrorIs(t, err, errQueryBufferLimit)

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
