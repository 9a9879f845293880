package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bitmapScript covers every bit command, its errors and edge cases; the
// replies in testdata/bitmap.golden.json were recorded from Redis 7.0.15
// (see diffScript).
var bitmapScript = []string{
	"SETBIT k 4294967296 1", "SETBIT k -1 1", "SETBIT k 0 2", "SETBIT k 0 -1", "SETBIT k 01 1", "SETBIT k 0 01",
	"GETBIT k x", "GETBIT k 4294967295", "GETBIT nokey 7",
	"SETBIT k 7 1", "SETBIT k 7 1", "SETBIT k 7 0", "SETBIT k 100 1", "BITFIELD_RO k GET u63 0 GET u63 63 GET u63 126 GET u63 189 GET u63 252", "STRLEN k", "GETBIT k 100", "GETBIT k 101",
	"BITCOUNT nokey", "BITCOUNT nokey a b", "BITCOUNT k 0", "BITCOUNT k 0 1 2", "BITCOUNT k 0 1 2 3",
	"SET s foobar", "BITCOUNT s", "BITCOUNT s 0 0", "BITCOUNT s 1 1", "BITCOUNT s 1 1 BYTE", "BITCOUNT s 5 30 BIT",
	"BITCOUNT s -2 -1", "BITCOUNT s -1 -2", "BITCOUNT s 0 -100", "BITCOUNT s 100 200", "BITCOUNT s 0 1 bits", "BITCOUNT s x 1",
	"BITPOS k 2", "BITPOS k x", "BITPOS nokey 0", "BITPOS nokey 1", "BITPOS nokey 1 5 x",
	"SET z2 ''", "BITPOS s 1", "BITPOS s 0", "BITPOS s 1 2", "BITPOS s 0 1 -1 BIT", "BITPOS s 1 7 15 BIT",
	"BITPOS s 0 -3 -1", "BITPOS s 1 10 5", "BITPOS s 1 0 0 foo", "BITPOS s 0 2 x", "BITPOS z2 0", "BITPOS z2 1",
	"BITFIELD ones SET u16 0 65535", "BITPOS ones 0", "BITPOS ones 0 0", "BITPOS ones 0 0 -1", "BITPOS ones 1 3 12 BIT", "BITPOS ones 0 3 12 BIT",
	"BITOP foo d k", "BITOP NOT d k k", "BITOP AND d s k", "BITFIELD_RO d GET u63 0 GET u63 63 GET u63 126 GET u63 189 GET u63 252", "BITOP OR d s k nokey", "BITFIELD_RO d GET u63 0 GET u63 63 GET u63 126 GET u63 189 GET u63 252", "BITOP XOR d s s",
	"BITFIELD_RO d GET u63 0 GET u63 63 GET u63 126 GET u63 189 GET u63 252", "BITOP NOT d s", "BITFIELD_RO d GET u63 0 GET u63 63 GET u63 126 GET u63 189 GET u63 252", "BITOP AND d nokey nokey2", "EXISTS d", "BITOP NOT d z2", "EXISTS d",
	"LPUSH l a", "SETBIT l 0 1", "GETBIT l 0", "BITCOUNT l", "BITPOS l 1", "BITOP AND d s l", "BITFIELD l GET u8 0", "BITFIELD_RO l GET u8 0",
	"BITFIELD k GET i65 0", "BITFIELD k GET u64 0", "BITFIELD k GET x8 0", "BITFIELD k GET i0 0", "BITFIELD k GET i 0",
	"BITFIELD k OVERFLOW foo", "BITFIELD k GET i8", "BITFIELD k foo", "BITFIELD k SET i8 #-1 1", "BITFIELD k SET i8 0 x",
	"BITFIELD k GET i8 -1", "BITFIELD k GET i8 4294967296", "BITFIELD_RO k SET i8 0 1", "BITFIELD_RO k GET u8 0 GET i4 4",
	"BITFIELD k", "BITFIELD_RO nokey", "BITFIELD nokey GET u8 0", "EXISTS nokey",
	"BITFIELD bf INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1 OVERFLOW FAIL INCRBY u2 104 7",
	"BITFIELD bf GET u8 #2 SET i3 1 -5 INCRBY i3 1 9", "BITFIELD_RO bf GET u63 0 GET u63 63 GET u63 126 GET u63 189 GET u63 252",
	"BITFIELD bf SET u63 0 9223372036854775807 GET u63 0 GET i64 0 INCRBY i64 0 1 OVERFLOW SAT INCRBY i64 0 -9223372036854775808",
	"BITFIELD bf OVERFLOW WRAP INCRBY i8 #10 200 INCRBY u8 #10 -300 OVERFLOW SAT INCRBY i8 #11 -200 INCRBY u8 #12 300 GET i8 #11",
	"BITFIELD bf OVERFLOW FAIL SET u4 200 16 SET i4 300 8 SET i4 300 -9 INCRBY u4 200 20", "STRLEN bf",
	"BITFIELD fail OVERFLOW FAIL SET u4 100 16", "EXISTS fail", "STRLEN fail", "BITFIELD_RO bf GET u63 0 GET u63 63 GET u63 126 GET u63 189 GET u63 252",
	"SET n 12345", "GETBIT n 2", "BITCOUNT n", "BITPOS n 0", "SETBIT n 0 1", "BITFIELD_RO n GET u63 0 GET u63 63 GET u63 126 GET u63 189 GET u63 252",
	"CONFIG SET proto-max-bulk-len 1048576", "SETBIT big 8388607 1", "SETBIT big 8388608 1", "BITFIELD big SET u8 8388600 1",
	"BITFIELD big GET u8 8388608", "STRLEN big", "CONFIG SET proto-max-bulk-len 536870912",
}

func TestBitmapCommands(t *testing.T) {
	runScriptGolden(t, "bitmap", bitmapScript)
}

func TestBitmapDiffRedis(t *testing.T) {
	diffScript(t, false, bitmapScript)
}

// SETBIT and BITFIELD announce a change as "setbit" only when a bit
// changed or the value grew; BITOP's destination gets "set" or "del".
func TestBitmapKeyspaceEvents(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	sub := newClient(t, e)
	require.Equal(t, ok, c.line("CONFIG SET notify-keyspace-events KEAn"))
	sub.line("PSUBSCRIBE __keyevent@0__:*")
	events := func() string {
		out := sub.s.TakeOutput(nil)
		var names []string
		for _, line := range strings.Split(string(out), "\r\n") {
			if strings.HasPrefix(line, "__keyevent@0__:") && line != "__keyevent@0__:*" {
				names = append(names, strings.TrimPrefix(line, "__keyevent@0__:"))
			}
		}
		return strings.Join(names, " ")
	}
	c.line("SETBIT b 3 1")
	assert.Equal(t, "new setbit", events())
	c.line("SETBIT b 3 1")
	assert.Equal(t, "", events())
	c.line("BITFIELD b SET u4 0 2")
	assert.Equal(t, "setbit", events())
	c.line("BITFIELD b SET u4 0 2 GET u4 0")
	assert.Equal(t, "", events())
	c.line("BITOP NOT d b")
	assert.Equal(t, "new set", events())
	c.line("BITOP AND d nokey")
	assert.Equal(t, "del", events())
}

// A bit write to a key under WATCH aborts the transaction only when it
// changed something; bit commands queue in MULTI like any other.
func TestBitmapWatchAndMulti(t *testing.T) {
	e, _ := testEngine(t)
	a, b := newClient(t, e), newClient(t, e)
	a.line("SETBIT w 0 1")
	a.line("WATCH w")
	b.line("SETBIT w 0 1") // no change
	a.line("MULTI")
	assert.Equal(t, "+QUEUED\r\n", a.line("GETBIT w 0"))
	assert.Equal(t, "+QUEUED\r\n", a.line("BITCOUNT w"))
	assert.Equal(t, arr(integer(1), integer(1)), a.line("EXEC"))
	a.line("WATCH w")
	b.line("SETBIT w 0 0")
	a.line("MULTI")
	a.line("GETBIT w 0")
	assert.Equal(t, nilArr, a.line("EXEC"))
}

// A write keeps the key's deadline, as Redis writes in place.
func TestBitmapKeepsTTL(t *testing.T) {
	runSteps(t, []step{
		{cmd: "SET k a EX 100", want: ok},
		{cmd: "SETBIT k 100 1", want: integer(0)},
		{cmd: "BITFIELD k SET u8 0 255", want: arr(integer(97))},
		{cmd: "TTL k", want: integer(100)},
		{cmd: "OBJECT ENCODING k", want: bulk("raw")},
	})
}

// Every bit command leaves a raw string, as Redis's writes in place and
// BITOP's createObject do, whatever the value's length or contents.
func TestBitmapRawEncoding(t *testing.T) {
	runSteps(t, []step{
		{cmd: "SET n 12", want: ok},
		{cmd: "OBJECT ENCODING n", want: bulk("int")},
		{cmd: "BITOP OR d n", want: integer(2)},
		{cmd: "GET d", want: bulk("12")},
		{cmd: "OBJECT ENCODING d", want: bulk("raw")},
		{cmd: "SET s abc", want: ok},
		{cmd: "SETBIT s 0 0", want: integer(0)}, // no change: unshared all the same
		{cmd: "OBJECT ENCODING s", want: bulk("raw")},
		{cmd: "SETBIT b 1000 1", want: integer(0)},
		{cmd: "OBJECT ENCODING b", want: bulk("raw")},
		{cmd: "SETBIT b 1000 0", want: integer(1)},
		{cmd: "OBJECT ENCODING b", want: bulk("raw")},
		{cmd: "SET b x", want: ok},
		{cmd: "OBJECT ENCODING b", want: bulk("embstr")},
		{cmd: "SETBIT big 8000 1", want: integer(0)}, // owned in place from here
		{cmd: "SETBIT big 8001 1", want: integer(0)},
		{cmd: "OBJECT ENCODING big", want: bulk("raw")},
		{cmd: "PFADD h a", want: integer(1)},
		{cmd: "OBJECT ENCODING h", want: bulk("raw")},
	})
}
