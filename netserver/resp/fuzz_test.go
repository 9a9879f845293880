package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"testing"

	tidwall "github.com/tidwall/resp"
)

// readAll parses input fed in the given pieces; it returns the commands
// and the final error (nil, or a protocol error).
func readAll(t *testing.T, pieces ...[]byte) ([][]string, string) {
	rd := NewReader()
	var cmds [][]string
	for _, p := range pieces {
		rd.Feed(p)
		for {
			args, err := rd.Next()
			if err != nil {
				var pe *ProtocolError
				if !errors.As(err, &pe) {
					t.Fatalf("non-protocol error %v", err)
				}
				return cmds, pe.Msg
			}
			if args == nil {
				break
			}
			if len(args) == 0 {
				t.Fatalf("empty command returned")
			}
			cmd := make([]string, len(args))
			for i, a := range args {
				cmd[i] = string(a)
			}
			cmds = append(cmds, cmd)
		}
	}
	return cmds, ""
}

// FuzzReader feeds each input whole, split in two halves (as nats's parser
// fuzz does) and split at a fuzzed point: the Reader never panics and
// yields the same commands and the same error every way. When the input
// is canonical multibulk RESP, an independent RESP2 parser
// (github.com/tidwall/resp) must read the same commands.
func FuzzReader(f *testing.F) {
	for _, c := range readerCases() {
		if len(c.In) < 1000 {
			f.Add([]byte(c.In), uint16(len(c.In)/3))
		}
	}
	f.Add([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n*1\r\n$4\r\nPING\r\n"), uint16(7))
	f.Add([]byte("*0\r\n*-1\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"), uint16(9))
	f.Fuzz(func(t *testing.T, data []byte, at uint16) {
		whole, werr := readAll(t, data)
		half := len(data) / 2
		halves, herr := readAll(t, data[:half], data[half:])
		if !reflect.DeepEqual(whole, halves) || werr != herr {
			t.Fatalf("whole %q (%s) != halves %q (%s)", whole, werr, halves, herr)
		}
		if len(data) > 0 {
			k := int(at) % (len(data) + 1)
			split, serr := readAll(t, data[:k], data[k:])
			if !reflect.DeepEqual(whole, split) || werr != serr {
				t.Fatalf("whole %q (%s) != split at %d %q (%s)", whole, werr, k, split, serr)
			}
		}
		if want, ok := canonicalMultibulk(data); ok {
			if werr != "" || !reflect.DeepEqual(whole, want) {
				t.Fatalf("tidwall/resp read %q, Reader %q (%s)", want, whole, werr)
			}
		}
	})
}

// canonicalMultibulk parses data with tidwall/resp as a sequence of
// multibulk commands. ok is true only when every value is an array of
// non-null bulk strings and re-encoding them gives data back byte for
// byte (so the input is valid RESP in its one canonical form). Empty and
// null arrays are dropped, as Redis skips them.
func canonicalMultibulk(data []byte) ([][]string, bool) {
	// tidwall allocates the declared count up front: keep it bounded
	if !countsBounded(data) {
		return nil, false
	}
	rd := tidwall.NewReader(bytes.NewReader(data))
	var out [][]string
	var enc bytes.Buffer
	for {
		v, telnet, _, err := rd.ReadMultiBulk()
		if err == io.EOF {
			break
		}
		if err != nil || telnet || v.Type() != tidwall.Array {
			return nil, false
		}
		if v.IsNull() {
			enc.WriteString("*-1\r\n")
			continue
		}
		arr := v.Array()
		fmt.Fprintf(&enc, "*%d\r\n", len(arr))
		var cmd []string
		for _, a := range arr {
			if a.Type() != tidwall.BulkString || a.IsNull() {
				return nil, false
			}
			fmt.Fprintf(&enc, "$%d\r\n%s\r\n", len(a.Bytes()), a.Bytes())
			cmd = append(cmd, string(a.Bytes()))
		}
		if len(cmd) > 0 {
			out = append(out, cmd)
		}
	}
	if !bytes.Equal(enc.Bytes(), data) {
		return nil, false
	}
	return out, true
}

// countsBounded walks data as multibulk commands and reports whether no
// array header reached asks for more than 65536 elements. It stops
// (true) at the first thing that is not strict multibulk: tidwall/resp
// fails there too, before any allocation.
func countsBounded(data []byte) bool {
	line := func() (int, bool) {
		i := bytes.Index(data, []byte("\r\n"))
		if i < 2 {
			return 0, false
		}
		n, err := strconv.Atoi(string(data[1:i]))
		data = data[i+2:]
		return n, err == nil
	}
	for len(data) > 0 && data[0] == '*' {
		n, ok := line()
		if !ok {
			return true
		}
		if n > 1<<16 {
			return false
		}
		for range n {
			if len(data) == 0 || data[0] != '$' {
				return true
			}
			l, ok := line()
			if !ok || l < 0 || l+2 > len(data) {
				return true
			}
			data = data[l+2:]
		}
	}
	return true
}

// FuzzMultibulkRoundTrip builds canonical multibulk input from fuzzed
// arguments: the Reader and tidwall/resp must both give them back.
func FuzzMultibulkRoundTrip(f *testing.F) {
	f.Add([]byte("SET\x00k\x00v\x01GET\x00k"), uint16(5))
	f.Add([]byte("ECHO\x00\r\n\x00\x01\x01PING"), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, at uint16) {
		var want [][]string
		var enc bytes.Buffer
		for _, c := range bytes.Split(data, []byte{1}) {
			args := bytes.Split(c, []byte{0})
			fmt.Fprintf(&enc, "*%d\r\n", len(args))
			cmd := make([]string, len(args))
			for i, a := range args {
				fmt.Fprintf(&enc, "$%d\r\n%s\r\n", len(a), a)
				cmd[i] = string(a)
			}
			want = append(want, cmd)
		}
		in := enc.Bytes()
		k := int(at) % (len(in) + 1)
		got, err := readAll(t, in[:k], in[k:])
		if err != "" || !reflect.DeepEqual(got, want) {
			t.Fatalf("Reader %q (%s), want %q", got, err, want)
		}
		tw, ok := canonicalMultibulk(in)
		if !ok || !reflect.DeepEqual(tw, want) {
			t.Fatalf("tidwall/resp %q (%v), want %q", tw, ok, want)
		}
	})
}
