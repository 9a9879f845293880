package engine

import (
	"crypto/sha1"
	"encoding/binary"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withFooter makes body a payload RESTORE accepts: RDB version and CRC.
func withFooter(body []byte) []byte {
	b := binary.LittleEndian.AppendUint16(append([]byte(nil), body...), rdbVersion)
	return binary.LittleEndian.AppendUint64(b, crc64Jones(b))
}

func TestCRC64Jones(t *testing.T) {
	// The check value Redis's own crc64 test uses.
	assert.Equal(t, uint64(0xe9c6d914c4b8d9ca), crc64Jones([]byte("123456789")))
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
		got := rdbAppendString(nil, tc.in)
		assert.Equal(t, tc.want, string(got), "%q", tc.in)
		r := &rdbReader{p: got}
		back, err := r.string()
		require.NoError(t, err)
		assert.Equal(t, tc.in, back)
	}
}

func TestListpackRoundTrip(t *testing.T) {
	vals := []string{"", "a", "0", "127", "128", "-1", "-4096", "4095", "4096", "-32768", "32767",
		"8388607", "-8388608", "8388608", "2147483647", "-2147483648", "2147483648",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808", "01", "-0", "1.5",
		strings.Repeat("s", 63), strings.Repeat("m", 64), strings.Repeat("l", 4095), strings.Repeat("h", 4096)}
	lp := newListpackBuilder()
	for _, v := range vals {
		lp.add(v)
	}
	got, err := listpackEntries(lp.bytes())
	require.NoError(t, err)
	assert.Equal(t, vals, got)
}

func TestListpackRejectsDamage(t *testing.T) {
	lp := newListpackBuilder()
	lp.add("hello")
	lp.add("12345")
	good := lp.bytes()
	for i := range good {
		bad := append([]byte(nil), good[:i]...)
		_, err := listpackEntries(bad)
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
	got, err := ziplistEntries(zl)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "12", "-300", "70000", strconv.FormatInt(1<<40, 10), "hello", "2"}, got)
}

func TestLZFDecompress(t *testing.T) {
	// "ab" then a back reference copying 28 bytes from 2 back.
	out, err := lzfDecompress([]byte{0x01, 'a', 'b', 0xe0, 0x13, 0x01}, 30)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("ab", 15), string(out))
	for _, bad := range [][]byte{{0x05, 'a'}, {0x20, 0x05}, {0xe0}} {
		_, err := lzfDecompress(bad, 10)
		assert.Error(t, err)
	}
	_, err = lzfDecompress([]byte{0x01, 'a', 'b'}, 3)
	assert.Error(t, err, "short of the claimed size")
}

func TestDumpRestoreRoundTrip(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	big := make([]string, 0, 300)
	for i := 0; i < 300; i++ {
		big = append(big, strconv.Itoa(i*31), "v"+strconv.Itoa(i))
	}
	setup := [][]string{
		{"SET", "str", "value"},
		{"SET", "num", "-12345"},
		{"RPUSH", "list", "a", "1", "-5000", strings.Repeat("z", 10000)},
		{"HSET", "hash", "f", "v", "n", "1"},
		append([]string{"HSET", "bighash"}, big...),
		{"SADD", "intset", "5", "-3", "100000"},
		{"SADD", "set", "x", "y", "1"},
		{"ZADD", "zset", "1", "a", "2.5", "b", "-inf", "c"},
		append([]string{"ZADD", "bigzset"}, big...),
	}
	for _, cmd := range setup {
		c.do(cmd...)
	}
	for _, key := range []string{"str", "num", "list", "hash", "bighash", "intset", "set", "zset", "bigzset"} {
		dump := c.do("DUMP", key)
		payload := parseBulk(t, dump)
		require.Equal(t, "+OK\r\n", c.do("RESTORE", key+":copy", "0", payload), key)
		assert.Equal(t, dump, c.do("DUMP", key+":copy"), key)
		assert.Equal(t, c.do("TYPE", key), c.do("TYPE", key+":copy"))
		assert.Equal(t, c.do("OBJECT", "ENCODING", key), c.do("OBJECT", "ENCODING", key+":copy"))
	}
	assert.Equal(t, c.do("ZRANGE", "bigzset", "0", "-1", "WITHSCORES"), c.do("ZRANGE", "bigzset:copy", "0", "-1", "WITHSCORES"))
	assert.Equal(t, c.do("LRANGE", "list", "0", "-1"), c.do("LRANGE", "list:copy", "0", "-1"))
}

func TestRestoreTTLAndNotifications(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	c.do("SET", "k", "v")
	payload := parseBulk(t, c.do("DUMP", "k"))
	assert.Equal(t, "+OK\r\n", c.do("RESTORE", "t", "5000", payload))
	assert.Equal(t, ":5\r\n", c.do("TTL", "t"))
	at := strconv.FormatInt(clk.Now().UnixMilli()+3000, 10)
	assert.Equal(t, "+OK\r\n", c.do("RESTORE", "a", at, payload, "ABSTTL"))
	assert.Equal(t, ":3\r\n", c.do("TTL", "a"))
	clk.Advance(6000e6)
	assert.Equal(t, ":0\r\n", c.do("EXISTS", "t", "a"))
	assert.Equal(t, "+OK\r\n", c.do("RESTORE", "i", "0", payload, "IDLETIME", "50"))
	assert.Equal(t, ":50\r\n", c.do("OBJECT", "IDLETIME", "i"))
}

// parseBulk returns the payload of a RESP bulk string reply.
func parseBulk(t *testing.T, reply string) string {
	t.Helper()
	require.True(t, strings.HasPrefix(reply, "$"), reply)
	nl := strings.Index(reply, "\r\n")
	n, err := strconv.Atoi(reply[1:nl])
	require.NoError(t, err)
	return reply[nl+2 : nl+2+n]
}

// FuzzRestorePayload feeds RESTORE arbitrary values (with a valid footer,
// so the decoder itself is reached): it must never panic, and whatever it
// accepts must DUMP to a payload that restores to the same DUMP.
func FuzzRestorePayload(f *testing.F) {
	seeds := [][]byte{
		[]byte("\x00\x05hello"),
		[]byte("\x00\xc0{"),
		[]byte("\x00\xc3\x06\x1e\x01ab\xe0\x13\x01"),
		[]byte("\x01\x03\x01a\x01b\xc0\x07"),
		[]byte("\x02\x02\x01a\x01b"),
		[]byte("\x03\x02\x01a\x031.5\x01b\xfe"),
		[]byte("\x04\x01\x01f\x01v"),
		[]byte("\x05\x01\x01a\x00\x00\x00\x00\x00\x00\xf0\x3f"),
		[]byte("\x12\x01\x02&&\x00\x00\x00\b\x00\x81a\x02\x01\x01\xc0\xc8\x02\xdf\xfd\x02\xf1\x88\x13\x03\xf2\x90\xee\xfe\x04\xf3\x7f\x96\x98\x00\x05\x83xyz\x04\xff"),
		[]byte("\x10\x12\x12\x00\x00\x00\x04\x00\x81f\x02\x81v\x02\x81n\x02\x0c\x01\xff"),
		[]byte("\x0b\x18\x04\x00\x00\x00\x04\x00\x00\x00`y\xfe\xff\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00"),
		[]byte("\x11\x1a\x1a\x00\x00\x00\x06\x00\x81c\x02\xdf\xfd\x02\x81a\x02\x01\x01\x81b\x02\x832.5\x04\xff"),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e, _ := testEngine(t)
		c := newClient(t, e)
		reply := c.do("RESTORE", "k", "0", string(withFooter(body)))
		if reply != "+OK\r\n" {
			require.True(t, strings.HasPrefix(reply, "-"), "%q", reply)
			return
		}
		dump := c.do("DUMP", "k")
		require.Equal(t, "+OK\r\n", c.do("RESTORE", "k2", "0", parseBulk(t, dump)))
		require.Equal(t, dump, c.do("DUMP", "k2"))
	})
}

// TestDebugDigestMatchesRedis: digests recorded from redis-server 7.0.15
// for the same data (Redis's algorithm, so they must agree exactly).
func TestDebugDigestMatchesRedis(t *testing.T) {
	e, _ := debugEngine(t)
	c := newClient(t, e)
	assert.Equal(t, "+0000000000000000000000000000000000000000\r\n", c.do("DEBUG", "DIGEST"))
	c.do("SET", "a", "1")
	assert.Equal(t, "+943d800368fb9c0e951138f1bc0e313ac769d91f\r\n", c.do("DEBUG", "DIGEST"))
	c.do("ZADD", "z", "0.1", "m")
	assert.Equal(t, "*3\r\n+285a6e508750d13f749019c7cddbd43bf282cb72\r\n+b4fc66738120fba0b5aa500ab5c2bf89cea1c5da\r\n+0000000000000000000000000000000000000000\r\n",
		c.do("DEBUG", "DIGEST-VALUE", "z", "a", "nokey"))
}

// TestDebugReload: values survive, encodings are those a fresh load
// gives, deadlines are kept and expired keys dropped.
func TestDebugReload(t *testing.T) {
	e, clk := debugEngine(t)
	c := newClient(t, e)
	c.do("HSET", "h", "f", "v", "long", strings.Repeat("x", 100))
	c.do("HDEL", "h", "long")
	assert.Equal(t, bulk("hashtable"), c.do("OBJECT", "ENCODING", "h"))
	c.do("SET", "ttl", "v", "EX", "100")
	c.do("SET", "gone", "v", "PX", "10")
	c.do("RPUSH", "l", "a", "b")
	before := c.do("DEBUG", "DIGEST-VALUE", "h", "ttl", "l")
	clk.Advance(20e6)
	assert.Equal(t, "+OK\r\n", c.do("DEBUG", "RELOAD"))
	assert.Equal(t, bulk("listpack"), c.do("OBJECT", "ENCODING", "h"))
	assert.Equal(t, before, c.do("DEBUG", "DIGEST-VALUE", "h", "ttl", "l"))
	assert.Equal(t, ":100\r\n", c.do("TTL", "ttl"))
	assert.Equal(t, ":3\r\n", c.do("DBSIZE"))
}

func TestSHA1(t *testing.T) {
	for n := 0; n < 300; n++ {
		p := []byte(strings.Repeat("abcdefghij", 30)[:n])
		assert.Equal(t, sha1.Sum(p), sha1Sum(p), "length %d", n)
	}
}
