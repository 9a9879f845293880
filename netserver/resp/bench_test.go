package resp

import (
	"fmt"
	"strconv"
	"testing"
)

// respCommand encodes one command as a RESP multibulk.
func respCommand(args ...string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, "$"+strconv.Itoa(len(a))+"\r\n"+a+"\r\n"...)
	}
	return b
}

// pipeline is n commands alternating SET and GET over a few keys, the
// shape redis-benchmark -P sends.
func pipeline(n int) []byte {
	var b []byte
	for i := range n {
		key := "key:" + strconv.Itoa(i/2%8) // each GET reads the key SET just before
		if i%2 == 0 {
			b = append(b, respCommand("SET", key, "xxxxxxxxxx")...)
		} else {
			b = append(b, respCommand("GET", key)...)
		}
	}
	return b
}

// drain parses every complete command in rd and returns how many.
func drain(tb testing.TB, rd *Reader) int {
	n := 0
	for {
		args, err := rd.Next()
		if err != nil {
			tb.Fatal(err)
		}
		if args == nil {
			return n
		}
		n++
	}
}

func BenchmarkReaderMultibulkPipelined(b *testing.B) {
	in := pipeline(64)
	rd := NewReader()
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		rd.Feed(in)
		if drain(b, rd) != 64 {
			b.Fatal("lost commands")
		}
	}
}

func BenchmarkReaderInlinePipelined(b *testing.B) {
	var in []byte
	for range 64 {
		in = append(in, "SET key:1 xxxxxxxxxx\r\n"...)
	}
	rd := NewReader()
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		rd.Feed(in)
		if drain(b, rd) != 64 {
			b.Fatal("lost commands")
		}
	}
}

// TestReaderNoAllocs guards the zero-copy reader: in steady state parsing
// SET and GET (multibulk and inline) allocates nothing.
func TestReaderNoAllocsPipelined(t *testing.T) {
	multi := pipeline(32)
	inline := []byte("GET key:1\r\nSET key:1 xxxxxxxxxx\r\n")
	rd := NewReader()
	for _, in := range [][]byte{multi, inline} {
		rd.Feed(in)
		drain(t, rd) // warm up: buffers reach their steady size
		allocs := testing.AllocsPerRun(100, func() {
			rd.Feed(in)
			drain(t, rd)
		})
		if allocs != 0 {
			t.Errorf("parsing %q... allocates %.1f times per run, want 0", in[:12], allocs)
		}
	}
}

// TestReaderSplitPoints feeds a pipeline cut at every byte: every cut
// gives the same commands as the whole input.
func TestReaderSplitPoints(t *testing.T) {
	in := pipeline(7)
	want := NewReader()
	want.Feed(in)
	var wantCmds [][]string
	for {
		args, err := want.Next()
		if err != nil {
			t.Fatal(err)
		}
		if args == nil {
			break
		}
		var c []string
		for _, a := range args {
			c = append(c, string(a))
		}
		wantCmds = append(wantCmds, c)
	}
	if len(wantCmds) != 7 {
		t.Fatalf("whole input parsed as %q", wantCmds)
	}
	for cut := 1; cut < len(in); cut++ {
		rd := NewReader()
		var got [][]string
		for _, part := range [][]byte{in[:cut], in[cut:]} {
			rd.Feed(part)
			for {
				args, err := rd.Next()
				if err != nil {
					t.Fatalf("cut %d: %v", cut, err)
				}
				if args == nil {
					break
				}
				var c []string
				for _, a := range args {
					c = append(c, string(a))
				}
				got = append(got, c)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(wantCmds) {
			t.Fatalf("cut %d: got %q, want %q", cut, got, wantCmds)
		}
	}
}

// BenchmarkFeedLarge hands the reader one message of many commands, as
// the wasm build's exec does with a deep pipeline.
func BenchmarkFeedLarge(b *testing.B) {
	in := pipeline(20000)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		rd := NewReader()
		rd.Feed(in)
		if drain(b, rd) != 20000 {
			b.Fatal("lost commands")
		}
	}
}
