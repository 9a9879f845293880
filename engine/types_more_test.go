package engine

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Reads of bitmaps, HyperLogLogs and geo sets are tracked like GET: a
// write by another client (SETBIT, PFADD, GEOADD, and PFCOUNT refreshing
// its cached estimate) invalidates them.
func TestTypesTracking(t *testing.T) {
	e, _ := testEngine(t)
	c, o := newClient(t, e), newClient(t, e)
	resp3(t, c)
	require.Equal(t, ok, c.line("CLIENT TRACKING on"))
	c.line("GETBIT b 0")
	o.line("SETBIT b 0 1")
	assert.Equal(t, invalidate("b"), c.take())
	c.line("BITCOUNT b")
	o.line("SETBIT b 0 1") // no change: nothing to invalidate
	assert.Equal(t, "", c.take())
	o.line("BITFIELD b SET u8 0 7")
	assert.Equal(t, invalidate("b"), c.take())
	o.line("PFADD h a")
	c.line("PFCOUNT h") // refreshes the cache: its own write
	c.take()
	c.line("PFCOUNT h") // cached now: a plain read
	o.line("PFADD h b")
	assert.Equal(t, invalidate("h"), c.take())
	c.line("GEOPOS g a")
	o.line("GEOADD g 1 1 a")
	assert.Equal(t, invalidate("g"), c.take())
	c.line("GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 1 km")
	o.line("GEOSEARCHSTORE g g FROMLONLAT 50 50 BYRADIUS 1 km")
	assert.Equal(t, invalidate("g"), c.take())
}

// COMMAND INFO and DOCS of the new commands come from the table.
func TestTypesCommandTable(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	for _, name := range []string{"setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro",
		"pfadd", "pfcount", "pfmerge", "pfdebug", "pfselftest", "geoadd", "geodist", "geohash", "geopos",
		"geosearch", "geosearchstore", "georadius", "georadius_ro", "georadiusbymember", "georadiusbymember_ro"} {
		info := c.line("COMMAND INFO " + name)
		assert.True(t, strings.HasPrefix(info, "*1\r\n*10\r\n$"+itoa(int64(len(name)))+"\r\n"+name+"\r\n"), name)
		docs := c.line("COMMAND DOCS " + name)
		assert.Contains(t, docs, "summary", name)
	}
	assert.Equal(t, arr(bulk("dst"), bulk("src")), c.line("COMMAND GETKEYS GEOSEARCHSTORE dst src FROMLONLAT 0 0 BYRADIUS 1 m"))
	assert.Equal(t, arr(bulk("src"), bulk("dst")), c.line("COMMAND GETKEYS GEORADIUS src 0 0 1 m STORE dst"))
	assert.Equal(t, arr(bulk("d"), bulk("a"), bulk("b")), c.line("COMMAND GETKEYS BITOP AND d a b"))
}

// FuzzBitfieldArgs runs BITFIELD and BITFIELD_RO with arbitrary
// subcommand lists: never a panic, always exactly one reply, and a
// rejected command never creates or changes the key.
func FuzzBitfieldArgs(f *testing.F) {
	for _, seed := range []string{
		"GET u8 0", "SET i5 #3 -7 GET u4 0", "INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1",
		"OVERFLOW FAIL SET u4 200 16", "GET i64 0 GET u63 1", "OVERFLOW", "SET i8 #-1 1", "GET i65 0",
		"INCRBY i64 0 -9223372036854775808 INCRBY i64 0 -1", "get U8 0", "SET u8 4294967295 1",
	} {
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, line string, ro bool) {
		e, _ := testEngine(t)
		c := newClient(t, e)
		c.line("SET k abcdefgh")
		before := c.line("GET k")
		cmd := []string{"BITFIELD", "k"}
		if ro {
			cmd[0] = "BITFIELD_RO"
		}
		args := append(cmd, strings.Split(line, " ")...)
		if len(args) > 40 {
			args = args[:40]
		}
		// Keep offsets small enough not to allocate hundreds of megabytes.
		c.line("CONFIG SET proto-max-bulk-len 1048576")
		out := c.do(args...)
		require.NotEmpty(t, out)
		n, err := countReplies([]byte(out))
		require.NoError(t, err, out)
		require.Equal(t, 1, n, out)
		if out[0] == '-' {
			require.Equal(t, before, c.line("GET k"), "an error changes nothing")
		}
	})
}

// countReplies counts complete RESP2 replies in b.
func countReplies(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		rest, err := skipReply(b)
		if err != nil {
			return n, err
		}
		b = rest
		n++
	}
	return n, nil
}

func skipReply(b []byte) ([]byte, error) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 1 {
		return nil, errShort
	}
	line, rest := b[:i], b[i+2:]
	switch line[0] {
	case '+', '-', ':':
		return rest, nil
	case '$':
		n, ok := parseInt(line[1:])
		if !ok {
			return nil, errShort
		}
		if n < 0 {
			return rest, nil
		}
		if int64(len(rest)) < n+2 {
			return nil, errShort
		}
		return rest[n+2:], nil
	case '*':
		n, ok := parseInt(line[1:])
		if !ok {
			return nil, errShort
		}
		for j := int64(0); j < n; j++ {
			var err error
			if rest, err = skipReply(rest); err != nil {
				return nil, err
			}
		}
		return rest, nil
	}
	return nil, errShort
}

const errShort = argError("short or malformed reply")
