package rdb

import (
	"bytes"
	"encoding/binary"
	"hash/crc64"
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

// FuzzCRC64Slicing checks the slicing-by-8 CRC against hash/crc64's byte
// table (inverted around, as Redis's CRC has no inversions), whole and
// split at any point.
func FuzzCRC64Slicing(f *testing.F) {
	f.Add([]byte("123456789"), 3)
	f.Add(bytes.Repeat([]byte{0xff, 0, 0x5a}, 100), 17)
	tab := crc64.MakeTable(jonesPoly)
	f.Fuzz(func(t *testing.T, p []byte, cut int) {
		want := ^crc64.Update(^uint64(0), tab, p)
		require.Equal(t, want, CRC64(p))
		if cut < 0 {
			cut = -cut
		}
		if len(p) > 0 {
			cut %= len(p)
			require.Equal(t, want, UpdateCRC64(CRC64(p[:cut]), p[cut:]))
		}
	})
}

func BenchmarkCRC64(b *testing.B) {
	for _, n := range []int{24, 1 << 10} {
		p := bytes.Repeat([]byte("redis"), n/5+1)[:n]
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for i := 0; i < b.N; i++ {
				_ = CRC64(p)
			}
		})
	}
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
	prev, tail := 0, 0
	for _, e := range entries {
		tail = len(zl)
		zl = append(zl, byte(prev))
		zl = append(zl, e...)
		prev = 1 + len(e)
	}
	zl = append(zl, 0xff)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], uint32(tail))
	binary.LittleEndian.PutUint16(zl[8:], uint16(len(entries)))
	got, err := ZiplistEntries(zl)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "12", "-300", "70000", strconv.FormatInt(1<<40, 10), "hello", "2"}, got)

	// Deep integrity: a wrong back-link (prevlen), tail offset or count
	// is refused, as Redis's ziplistValidateIntegrity does.
	for name, corrupt := range map[string]func(b []byte){
		"prevlen": func(b []byte) { b[13] = 9 }, // the second entry's
		"zltail":  func(b []byte) { binary.LittleEndian.PutUint32(b[4:], uint32(tail-1)) },
		"zllen":   func(b []byte) { binary.LittleEndian.PutUint16(b[8:], 3) },
		"first":   func(b []byte) { b[10] = 1 },
	} {
		bad := append([]byte(nil), zl...)
		corrupt(bad)
		_, err := ZiplistEntries(bad)
		assert.Error(t, err, name)
	}
	empty := []byte{11, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0xff}
	got, err = ZiplistEntries(empty)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestListpackBacklenChecked(t *testing.T) {
	lp := NewListpackBuilder()
	lp.Add("a")
	lp.Add(strings.Repeat("x", 200)) // a two-byte back-link
	good := lp.Bytes()
	_, err := ListpackEntries(good)
	require.NoError(t, err)
	for i := 7; i < len(good)-1; i++ {
		bad := append([]byte(nil), good...)
		bad[i] ^= 0x40
		if got, err := ListpackEntries(bad); err == nil {
			// Only a string's bytes may change without breaking it.
			assert.Len(t, got, 2, "byte %d", i)
			assert.Len(t, got[1], 200, "byte %d", i)
		}
	}
	// The first entry's back-link is byte 8 (header 6, entry 2).
	bad := append([]byte(nil), good...)
	bad[8] = 3
	_, err = ListpackEntries(bad)
	assert.Error(t, err)
}

func TestCorruptReasonByType(t *testing.T) {
	// A hash ziplist with an odd number of entries.
	lp := NewListpackBuilder()
	lp.Add("f")
	payload := append([]byte{TypeHashListpack}, AppendString(nil, string(lp.Bytes()), false)...)
	_, err := DecodeValue(payload)
	assert.Equal(t, "Hash listpack integrity check failed.", CorruptReason(err))
	assert.ErrorIs(t, err, errCorrupt)
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

func TestLZFRoundTrip(t *testing.T) {
	inputs := []string{
		strings.Repeat("a", 21),
		strings.Repeat("abc", 1000),
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcabcabcabcabcabcaaahelloworld hello world hello world",
		strings.Repeat("hello world, this is a test of the LZF compressor. ", 300),
	}
	for _, in := range inputs {
		out, ok := LZFCompress(nil, []byte(in), len(in)-4)
		require.True(t, ok)
		back, err := LZFDecompress(out, len(in))
		require.NoError(t, err)
		assert.Equal(t, in, string(back))
	}
	// Incompressible input does not fit in len-4 bytes.
	rnd := make([]byte, 100)
	for i := range rnd {
		rnd[i] = byte(i*7919 + i*i*31)
	}
	_, ok := LZFCompress(nil, rnd, len(rnd)-4)
	assert.False(t, ok)
}

// TestCompressedStringMatchesRedis: the bytes redis-server 7.0.15 DUMPs
// for a compressible string (so LZF output is Redis's own).
func TestCompressedStringMatchesRedis(t *testing.T) {
	s := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcabcabcabcabcabcaaahelloworld hello world hello world"
	got := AppendDumpFooter(AppendString([]byte{TypeString}, s, true))
	assert.Equal(t, "\x00\xc3$@n\x01aa\xe0-\x00\x01bc\xe0\a\x02\x0caahelloworld `\n\x00 \xe0\x06\x0b\x01ld\n\x00\xe6PG\b\x06%\x86\x8d", string(got))
}

// TestWriterReaderRoundTrip writes a file with every opcode and reads it
// back.
func TestWriterReaderRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, WriterOptions{Compress: true, Checksum: true})
	w.Header()
	w.AuxFields(AuxInfo{RedisVersion: "7.0.15", CTime: 1700000000, UsedMem: 123456, AOFBase: true})
	w.SelectDB(3)
	w.ResizeDB(2, 1)
	w.Entry(Entry{Key: "k", ExpireMs: 1700000000123, Idle: 5, Freq: -1, Value: AppendString([]byte{TypeString}, strings.Repeat("v", 50), true)})
	lp := NewListpackBuilder()
	lp.Add("f")
	lp.Add("1")
	w.Entry(Entry{Key: "h", ExpireMs: -1, Idle: -1, Freq: 7, Value: AppendString([]byte{TypeHashListpack}, string(lp.Bytes()), true)})
	require.NoError(t, w.End())

	r := NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, r.Header())
	var aux []string
	var recs []*Record
	for {
		rec, err := r.Next()
		require.NoError(t, err)
		if rec.Kind == RecordAux {
			aux = append(aux, rec.AuxKey+"="+rec.AuxValue)
			continue
		}
		c := *rec // Next reuses its record
		recs = append(recs, &c)
		if rec.Kind == RecordEOF {
			break
		}
	}
	assert.Equal(t, []string{"redis-ver=7.0.15", "redis-bits=64", "ctime=1700000000", "used-mem=123456", "aof-base=1"}, aux)
	require.Len(t, recs, 5)
	assert.Equal(t, 3, recs[0].DB)
	assert.Equal(t, uint64(2), recs[1].DBSize)
	assert.Equal(t, int64(1700000000123), recs[2].ExpireMs)
	assert.Equal(t, int64(5), recs[2].Idle)
	assert.Equal(t, strings.Repeat("v", 50), recs[2].Value.Str)
	assert.Equal(t, 7, recs[3].Freq)
	assert.Equal(t, []string{"f", "1"}, recs[3].Value.Items)
	assert.False(t, recs[4].ChecksumDisabled)

	// A flipped byte fails the checksum.
	bad := append([]byte(nil), buf.Bytes()...)
	bad[len(bad)-12] ^= 1
	r = NewReader(bytes.NewReader(bad), int64(len(bad)))
	require.NoError(t, r.Header())
	var err error
	for err == nil {
		_, err = r.Next()
	}
	assert.Contains(t, err.Error(), "CRC error")
}

// FuzzReader: any input, split anywhere, never panics, never hangs and
// never allocates more than the input can justify.
func FuzzReader(f *testing.F) {
	var buf bytes.Buffer
	w := NewWriter(&buf, WriterOptions{Compress: true, Checksum: true})
	w.Header()
	w.AuxFields(AuxInfo{RedisVersion: "7.0.15"})
	w.SelectDB(0)
	w.Entry(Entry{Key: "k", ExpireMs: -1, Idle: -1, Freq: -1, Value: AppendString([]byte{TypeString}, strings.Repeat("ab", 40), true)})
	_ = w.End()
	f.Add(buf.Bytes(), int64(-1))
	f.Add([]byte("REDIS0009\xfe\x00\x0e\x01l\x01\x1b\x1b\x00\x00\x00\x0a\x00\x00\x00\x01\x00\x00\xf9\xff"), int64(0))
	f.Add([]byte("REDIS0010\x02\x01s\x81\xff\xff\xff\xff\xff\xff\xff\xff"), int64(-1))
	f.Fuzz(func(t *testing.T, data []byte, sizeHint int64) {
		size := int64(len(data))
		if sizeHint < 0 {
			size = -1
		}
		r := NewReader(bytes.NewReader(data), size)
		if r.Header() != nil {
			return
		}
		for i := 0; i < 1<<20; i++ {
			_, err := r.Next()
			if err != nil && err != ErrEmptyKey {
				return
			}
		}
		t.Fatal("reader did not stop")
	})
}

// canonicalByStrconv is CanonicalInt64's meaning spelled with strconv:
// s parses as an int64 and prints back the same.
func canonicalByStrconv(s string) (int64, bool) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(v, 10) != s {
		return 0, false
	}
	return v, true
}

func TestCanonicalInt64(t *testing.T) {
	for _, s := range []string{"", "0", "-0", "00", "01", "-01", "7", "-7", "+7", " 7", "7 ", "1a",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"18446744073709551615", "18446744073709551616", "99999999999999999999", "-", "--1", "12345678901"} {
		v, ok := CanonicalInt64(s)
		wv, wok := canonicalByStrconv(s)
		assert.Equal(t, wok, ok, s)
		assert.Equal(t, wv, v, s)
	}
}

func FuzzCanonicalInt64(f *testing.F) {
	f.Add("-9223372036854775808")
	f.Add("0123")
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := CanonicalInt64(s)
		wv, wok := canonicalByStrconv(s)
		if ok != wok || v != wv {
			t.Fatalf("%q: got %d %v, want %d %v", s, v, ok, wv, wok)
		}
	})
}

func BenchmarkAppendString(b *testing.B) {
	in := []string{"value:123456789xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "12345", "member98765", "s:123456"}
	var buf []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = buf[:0]
		for _, s := range in {
			buf = AppendString(buf, s, true)
		}
	}
}
