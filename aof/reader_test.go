package aof

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readAll(data string) ([]string, int64, error) {
	r := NewReader(strings.NewReader(data))
	var out []string
	for {
		args, err := r.Next()
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return out, r.Offset(), err
		}
		out = append(out, string(bytes.Join(args, []byte(" "))))
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string
		err        error
	}{
		{"commands", "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", []string{"SELECT 0", "SET k "}, nil},
		{"annotations skipped", "#TS:1700000000\r\n*1\r\n$4\r\nPING\r\n", []string{"PING"}, nil},
		{"binary argument", "*2\r\n$3\r\nGET\r\n$4\r\na\r\nb\r\n", []string{"GET a\r\nb"}, nil},
		{"lenient CRLF after an argument", "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", []string{"PING", "PING"}, nil},
		{"cut in an argument", "*2\r\n$3\r\nGET\r\n$10\r\nabc", nil, ErrTruncated},
		{"cut before an argument", "*2\r\n$3\r\nGET\r\n", nil, ErrTruncated},
		{"cut in the count", "*", nil, ErrTruncated},
		{"count without arguments", "*3", nil, ErrTruncated},
		{"cut in the CRLF", "*1\r\n$4\r\nPING\r", nil, ErrTruncated},
		{"not a command", "SET k v\r\n", nil, ErrFormat},
		{"zero count", "*0\r\n", nil, ErrFormat},
		{"argument without $", "*1\r\n+OK\r\n", nil, ErrFormat},
		{"hostile length", "*1\r\n$9999999999999\r\nabc", nil, ErrTruncated},
		{"negative length", "*1\r\n$-5\r\nabc", nil, ErrTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := readAll(tc.data)
			assert.Equal(t, tc.err, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestReaderOffsets(t *testing.T) {
	cmd := "*1\r\n$4\r\nPING\r\n"
	r := NewReader(strings.NewReader(cmd + cmd + "*1\r\n$4\r\nPI"))
	_, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, int64(len(cmd)), r.Offset())
	_, err = r.Next()
	require.NoError(t, err)
	assert.Equal(t, int64(2*len(cmd)), r.Offset())
	_, err = r.Next()
	assert.Equal(t, ErrTruncated, err)
}

func TestAppendCommandReadsBack(t *testing.T) {
	args := [][]byte{[]byte("SET"), []byte("k\r\n"), {}, []byte("x")}
	b := AppendCommand(nil, args)
	assert.Equal(t, "*4\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$0\r\n\r\n$1\r\nx\r\n", string(b))
	r := NewReader(bytes.NewReader(b))
	got, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, args, got)
}

// FuzzReader feeds arbitrary files to the reader: it must never panic or
// hang, a command it returns must encode back to the bytes it consumed
// when those were canonical, and memory must follow the input (a hostile
// length cannot allocate more than the file holds).
func FuzzReader(f *testing.F) {
	f.Add([]byte("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"))
	f.Add([]byte("#TS:1\r\n*1\r\n$4\r\nPING\r\n"))
	f.Add([]byte("*1\r\n$99999999999\r\nx"))
	f.Add([]byte("*-1\r\n"))
	f.Add([]byte("REDIS0010"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		var prev int64
		for i := 0; ; i++ {
			args, err := r.Next()
			if err != nil {
				if err != io.EOF && err != ErrTruncated && err != ErrFormat {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if len(args) == 0 {
				t.Fatal("a command without arguments")
			}
			size := 0
			for _, a := range args {
				size += len(a)
			}
			if int64(size) > r.Offset()-prev {
				t.Fatalf("arguments larger than the bytes read")
			}
			prev = r.Offset()
			if r.Offset() > int64(len(data)) {
				t.Fatalf("offset %d past the input (%d)", r.Offset(), len(data))
			}
		}
	})
}
