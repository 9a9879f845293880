package rdb

import (
	"encoding/binary"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCRC64Jones(t *testing.T) {
	// The check value Redis's own crc64 test uses.
	assert.Equal(t, uint64(0xe9c6d914c4b8d9ca), CRC64([]byte("123456789")))
}

func TestRDBStringEncodings(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"hello", "\x05hello"},
		{"0", "\xc0\x00"},
		{"-128", "\xc0\x80"},
		{"127", "\xc0\x7f"},
		{"128", "\xc1\x80\x00"},
		{"-32768", "\xc1\x00\x80"},
		{"32768", "\xc2\x00\x80\x00\x00"},
		{"2147483647", "\xc2\xff\xff\xff\x7f"},
		{"2147483648", "\x0a2147483648"},
		{"007", "\x03007"},
		{"-0", "\x02-0"},
		{"+1", "\x02+1"},
		{strings.Repeat("x", 64), "\x40\x40" + strings.Repeat("x", 64)},
	} {
		got := AppendString(nil, tc.in, false)
		assert.Equal(t, tc.want, string(got), "%q", tc.in)
		d := &decoder{src: newByteSource(got), remaining: int64(len(got))}
		back, err := d.string()
		require.NoError(t, err)
		assert.Equal(t, tc.in, back)
	}
}

func TestListpackRoundTrip(t *testing.T) {
	vals := []string{"", "a", "0", "127", "128", "-1", "-4096", "4095", "4096", "-32768", "32767",
		"8388607", "-8388608", "8388608", "2147483647", "-2147483648", "2147483648",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808", "01", "-0", "1.5",
		strings.Repeat("s", 63), strings.Repeat("m", 64), strings.Repeat("l", 4095), strings.Repeat("h", 4096)}
	lp := NewListpackBuilder()
	for _, v := range vals {
		lp.Add(v)
	}
	got, err := ListpackEntries(lp.Bytes())
	require.NoError(t, err)
	assert.Equal(t, vals, got)
}

func TestListpackRejectsDamage(t *testing.T) {
	lp := NewListpackBuilder()
	lp.Add("hello")
	lp.Add("12345")
	good := lp.Bytes()
	for i := range good {
		bad := append([]byte(nil), good[:i]...)
		_, err := ListpackEntries(bad)
		assert.Error(t, err, "truncated at %d", i)
	}
}

func TestZiplistEntries(t *testing.T) {
	// A ziplist Redis 6 wrote for RPUSH l a 12 -300 70000 (1<<40) hello.
	var zl []byte
	entries := [][]byte{
		{0x01, 'a'},                     // 6-bit string
		{0xfe, 12},                      // int8 (immediates stop at 12)
		{0xc0, 0xd4, 0xfe},              // int16 -300
		{0xf0, 0x70, 0x11, 0x01},        // int24 70000
		{0xe0, 0, 0, 0, 0, 0, 1, 0, 0},  // int64 1<<40
		{0x05, 'h', 'e', 'l', 'l', 'o'}, // string
		{0xf3},                          // immediate 2
	}
	zl = make([]byte, 10)
	prev := 0
	for _, e := range entries {
		zl = append(zl, byte(prev))
		zl = append(zl, e...)
		prev = 1 + len(e)
	}
	zl = append(zl, 0xff)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint16(zl[8:], uint16(len(entries)))
	got, err := ZiplistEntries(zl)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "12", "-300", "70000", strconv.FormatInt(1<<40, 10), "hello", "2"}, got)
}

func TestLZFDecompress(t *testing.T) {
	// "ab" then a back reference copying 28 bytes from 2 back.
	out, err := LZFDecompress([]byte{0x01, 'a', 'b', 0xe0, 0x13, 0x01}, 30)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("ab", 15), string(out))
	for _, bad := range [][]byte{{0x05, 'a'}, {0x20, 0x05}, {0xe0}} {
		_, err := LZFDecompress(bad, 10)
		assert.Error(t, err)
	}
	_, err = LZFDecompress([]byte{0x01, 'a', 'b'}, 3)
	assert.Error(t, err, "short of the claimed size")
}
