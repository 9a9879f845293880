package engine

import (
	"strconv"
	"strings"
	"testing"

	"github.com/goredis-dev/goredis/rdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withFooter makes body a payload RESTORE accepts: RDB version and CRC.
func withFooter(body []byte) []byte {
	return rdb.AppendDumpFooter(append([]byte(nil), body...))
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
		// Redis 6 ziplists: a hash and a quicklist node.
		[]byte("\x0d\x15\x15\x00\x00\x00\x10\x00\x00\x00\x02\x00\x00\x01a\x03\x01b\xff"),
		[]byte("\x0e\x01\x15\x15\x00\x00\x00\x10\x00\x00\x00\x02\x00\x00\x01a\x03\x01b\xff"),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e, _ := testEngine(t)
		c := newClient(t, e)
		// sanitize-dump-payload changes nothing of what is accepted:
		// GoRedis checks every payload in full.
		if len(body) > 0 && body[len(body)-1]&1 == 1 {
			require.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "sanitize-dump-payload", "yes"))
		}
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

// TestRestoreDeepChecks: payloads from Redis's corrupt-dump tests are
// refused whatever sanitize-dump-payload says (GoRedis decodes every
// value in full), with Redis's reason in the log; the setting decides
// what INFO dump_payload_sanitizations counts.
func TestRestoreDeepChecks(t *testing.T) {
	var logs []string
	e := New(Options{Log: func(l string) { logs = append(logs, l) }})
	c := newClient(t, e)
	for _, tc := range []struct {
		name, payload, reason string
	}{
		{"quicklist big ziplist prev len", "\x0E\x01\x13\x13\x00\x00\x00\x0E\x00\x00\x00\x02\x00\x00\x02\x61\x00\x0E\x02\x62\x00\xFF\x09\x00\x49\x97\x30\xB2\x0D\xA1\xED\xAA", "Ziplist integrity check failed."},
		{"quicklist small ziplist prev len", "\x0E\x01\x13\x13\x00\x00\x00\x0E\x00\x00\x00\x02\x00\x00\x02\x61\x00\x02\x02\x62\x00\xFF\x09\x00\xC7\x71\x03\x97\x07\x75\xB0\x63", "Ziplist integrity check failed."},
		{"quicklist encoded_len is 0", "\x12\x01\x01\x00\x0a\x00\x8f\xc6\xc0\x57\x1c\x0a\xb3\x3c", ""},
	} {
		for _, mode := range []string{"no", "yes"} {
			logs = nil
			require.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "sanitize-dump-payload", mode))
			assert.Equal(t, "-ERR Bad data format\r\n", c.do("RESTORE", "k", "0", tc.payload), tc.name)
			if tc.reason == "" {
				assert.Empty(t, logs, tc.name)
			} else {
				assert.Equal(t, []string{"Internal error in RDB reading offset 0 -> " + tc.reason}, logs, tc.name)
			}
			assert.Equal(t, ":0\r\n", c.do("EXISTS", "k"))
		}
	}

	// A hash listpack: one container checked when asked for.
	require.Equal(t, ":1\r\n", c.do("HSET", "h", "f", "v"))
	payload := parseBulk(t, c.do("DUMP", "h"))
	for _, tc := range []struct {
		mode string
		want string
	}{{"no", "0"}, {"yes", "1"}, {"clients", "2"}} {
		require.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "sanitize-dump-payload", tc.mode))
		require.Equal(t, "+OK\r\n", c.do("RESTORE", "h", "0", payload, "REPLACE"))
		assert.Contains(t, c.do("INFO", "stats"), "dump_payload_sanitizations:"+tc.want+"\r\n", tc.mode)
	}
	// A user with skip-sanitize-payload is trusted under "clients".
	require.Equal(t, "+OK\r\n", c.do("ACL", "SETUSER", "trusted", "on", "nopass", "skip-sanitize-payload", "+@all", "~*"))
	require.Equal(t, "+OK\r\n", c.do("AUTH", "trusted", "x"))
	require.Equal(t, "+OK\r\n", c.do("RESTORE", "h", "0", payload, "REPLACE"))
	assert.Contains(t, c.do("INFO", "stats"), "dump_payload_sanitizations:2\r\n")
}
