package stream

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	strict := ParseMode{Strict: true}
	auto := ParseMode{Strict: true, AllowAutoSeq: true}
	tests := []struct {
		in       string
		mode     ParseMode
		want     ID
		seqGiven bool
		ok       bool
	}{
		{"1-2", strict, ID{1, 2}, true, true},
		{"5", ParseMode{MissingSeq: 7}, ID{5, 7}, true, true},
		{"-", ParseMode{}, ID{}, true, true},
		{"+", ParseMode{}, MaxID, true, true},
		{"-", strict, ID{}, false, false},
		{"+", strict, ID{}, false, false},
		{"18446744073709551615-18446744073709551615", strict, MaxID, true, true},
		{"18446744073709551616-0", strict, ID{}, false, false},
		{"3-*", auto, ID{3, 0}, false, true},
		{"3-*", strict, ID{}, false, false},
		{"*", auto, ID{}, false, false},
		{"-1", strict, ID{}, false, false},
		{"1--1", strict, ID{}, false, false},
		{"1-", strict, ID{}, false, false},
		{"", strict, ID{}, false, false},
		{"a-1", strict, ID{}, false, false},
		// string2ull falls back to strtoull: spaces and a sign pass.
		{" 7-+3", strict, ID{7, 3}, true, true},
		{"-0", ParseMode{Strict: true, MissingSeq: 4}, ID{}, false, false},
		{"007-1", strict, ID{7, 1}, true, true},
		{"1-2\x003", strict, ID{1, 2}, true, true},
		{strings.Repeat("1", 128), strict, ID{}, false, false},
	}
	for _, tc := range tests {
		id, seqGiven, ok := Parse([]byte(tc.in), tc.mode)
		assert.Equal(t, tc.ok, ok, "%q", tc.in)
		if tc.ok {
			assert.Equal(t, tc.want, id, "%q", tc.in)
			assert.Equal(t, tc.seqGiven, seqGiven, "%q", tc.in)
		}
	}
}

func TestIncrDecr(t *testing.T) {
	id, ok := ID{1, math.MaxUint64}.Incr()
	assert.True(t, ok)
	assert.Equal(t, ID{2, 0}, id)
	_, ok = MaxID.Incr()
	assert.False(t, ok)
	id, ok = ID{2, 0}.Decr()
	assert.True(t, ok)
	assert.Equal(t, ID{1, math.MaxUint64}, id)
	_, ok = ID{}.Decr()
	assert.False(t, ok)
}

// FuzzParseID: the parser never panics, reads every ms-seq pair of
// decimal numbers exactly, and reads back what String writes.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1-1", "0", "-", "+", "5-*", "18446744073709551615-18446744073709551615", " 1-+2", "1-2-3", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		// Redis reads the argument as a C string: it ends at a NUL byte.
		cstr := in
		if i := strings.IndexByte(in, 0); i >= 0 && len(in) <= 127 {
			cstr = in[:i]
		}
		for _, m := range []ParseMode{{}, {Strict: true}, {Strict: true, AllowAutoSeq: true}, {MissingSeq: math.MaxUint64}} {
			id, seqGiven, ok := Parse([]byte(in), m)
			if !ok {
				continue
			}
			back, _, ok2 := Parse([]byte(id.String()), ParseMode{Strict: true})
			require.True(t, ok2)
			require.Equal(t, id, back)
			if !seqGiven {
				require.True(t, m.AllowAutoSeq && strings.HasSuffix(cstr, "-*"), "%q", in)
			}
		}
		// Plain decimal pairs parse to their values.
		ms, seq, found := strings.Cut(in, "-")
		if found && isDigits(ms) && isDigits(seq) {
			a, errA := strconv.ParseUint(ms, 10, 64)
			b, errB := strconv.ParseUint(seq, 10, 64)
			id, _, ok := Parse([]byte(in), ParseMode{Strict: true})
			require.Equal(t, errA == nil && errB == nil && len(in) <= 127, ok, "%q", in)
			if ok {
				require.Equal(t, ID{a, b}, id)
			}
		}
	})
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
