package engine

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// opRecorder is a Propagator that keeps what it receives, one string per
// op ("db:ARGS ..."), units separated.
type opRecorder struct {
	units [][]string
}

func (r *opRecorder) Propagate(ops []Op) {
	var unit []string
	for _, op := range ops {
		unit = append(unit, strconv.Itoa(op.DB)+":"+string(bytes.Join(op.Args, []byte(" "))))
	}
	r.units = append(r.units, unit)
}

func (r *opRecorder) flat() []string {
	var out []string
	for _, u := range r.units {
		out = append(out, u...)
	}
	return out
}

func TestPropagationEffects(t *testing.T) {
	// The fake clock stands at 1_700_000_000 s.
	tests := []struct {
		name   string
		script []string
		want   []string
	}{
		{"plain write", []string{"SET k v", "GET k", "DEL nope", "DEL k"}, []string{"0:SET k v", "0:DEL k"}},
		{"failed and no-op writes", []string{"SET k v", "LPUSH k x", "SET k w NX", "SADD s a", "SADD s a", "SREM s b", "INCR k"},
			[]string{"0:SET k v", "0:SADD s a"}},
		{"SET EX becomes PXAT", []string{"SET k v EX 100", "SETEX a 10 x", "PSETEX b 5 y", "SET c v PXAT 1800000000000 GET"},
			[]string{"0:SET k v PXAT 1700000100000", "0:SET a x PXAT 1700000010000", "0:SET b y PXAT 1700000000005", "0:SET c v PXAT 1800000000000"}},
		{"SET GET without GET", []string{"SET k v GET", "SET k w GET XX get"}, []string{"0:SET k v", "0:SET k w XX"}},
		{"EXPIRE family becomes PEXPIREAT", []string{"SET k v", "EXPIRE k 100", "PEXPIRE k 200000 GT", "EXPIREAT k 1800000000", "PEXPIREAT k 1900000000000", "EXPIRE k 10 GT", "PERSIST k", "PERSIST k"},
			[]string{"0:SET k v", "0:PEXPIREAT k 1700000100000", "0:PEXPIREAT k 1700000200000 GT", "0:PEXPIREAT k 1800000000000", "0:PEXPIREAT k 1900000000000", "0:PERSIST k"}},
		{"EXPIRE in the past is DEL", []string{"SET k v", "EXPIRE k -1", "SET k v", "CONFIG SET lazyfree-lazy-expire yes", "PEXPIREAT k 1"},
			[]string{"0:SET k v", "0:DEL k", "0:SET k v", "0:UNLINK k"}},
		{"GETEX and GETDEL", []string{"SET k v", "GETEX k EX 5", "GETEX k PERSIST", "GETEX k PERSIST", "GETEX k", "GETEX k PXAT 1", "SET k v", "GETDEL k", "GETDEL k"},
			[]string{"0:SET k v", "0:PEXPIREAT k 1700000005000", "0:PERSIST k", "0:DEL k", "0:SET k v", "0:DEL k"}},
		{"GETSET is SET", []string{"GETSET k v"}, []string{"0:SET k v"}},
		{"INCRBYFLOAT is SET KEEPTTL", []string{"INCRBYFLOAT f 1.5", "INCRBYFLOAT f 1e2", "HINCRBYFLOAT h x 0.25"},
			[]string{"0:SET f 1.5 KEEPTTL", "0:SET f 101.5 KEEPTTL", "0:HSET h x 0.25"}},
		{"SPOP is SREM, SRANDMEMBER nothing", []string{"SADD s a", "SRANDMEMBER s", "SPOP s", "SPOP s", "SADD s a b c", "SPOP s 3", "SPOP s 0"},
			[]string{"0:SADD s a", "0:SREM s a", "0:SADD s a b c", "0:DEL s"}},
		{"pops with counts", []string{"RPUSH l a b c", "LMPOP 1 l LEFT COUNT 10", "RPUSH l a", "BLPOP l 0", "ZADD z 1 a 2 b", "ZMPOP 1 z MAX", "BZPOPMIN z 0", "RPUSH l a b", "BLMPOP 0 1 l RIGHT"},
			[]string{"0:RPUSH l a b c", "0:LPOP l 3", "0:RPUSH l a", "0:LPOP l", "0:ZADD z 1 a 2 b", "0:ZPOPMAX z 1", "0:ZPOPMIN z", "0:RPUSH l a b", "0:RPOP l 1"}},
		{"blocking moves", []string{"RPUSH l a b", "BLMOVE l m LEFT RIGHT 0", "BRPOPLPUSH l m 0", "BRPOPLPUSH l m 0"},
			[]string{"0:RPUSH l a b", "0:LMOVE l m LEFT RIGHT", "0:RPOPLPUSH l m"}},
		{"transaction wrapped", []string{"MULTI", "SET a 1", "GET a", "INCR a", "EXEC"},
			[]string{"0:MULTI", "0:SET a 1", "0:INCR a", "0:EXEC"}},
		{"transaction with one write is not wrapped", []string{"MULTI", "SET a 1", "GET a", "EXEC", "MULTI", "GET a", "EXEC"},
			[]string{"0:SET a 1"}},
		{"SELECT follows the database", []string{"SET a 1", "SELECT 3", "SET b 2", "MOVE b 0", "SWAPDB 0 3", "SWAPDB 1 1"},
			[]string{"0:SET a 1", "3:SET b 2", "3:MOVE b 0", "3:SWAPDB 0 3", "3:SWAPDB 1 1"}},
		{"FLUSHALL and FLUSHDB always", []string{"FLUSHALL", "FLUSHDB ASYNC"}, []string{"0:FLUSHALL", "0:FLUSHDB ASYNC"}},
		{"keys", []string{"SET a 1", "RENAME a b", "COPY b c", "COPY b c", "RENAMENX b c", "UNLINK b c x"},
			[]string{"0:SET a 1", "0:RENAME a b", "0:COPY b c", "0:UNLINK b c x"}},
		{"RESTORE with ABSTTL", []string{"SET a 1"}, []string{"0:SET a 1"}},
		{"PUBLISH goes to replicas", []string{"PUBLISH ch m"}, []string{"0:PUBLISH ch m"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := testEngine(t)
			rec := &opRecorder{}
			e.AttachPropagator(rec)
			c := newClient(t, e)
			for _, line := range tc.script {
				c.line(line)
			}
			assert.Equal(t, tc.want, rec.flat())
		})
	}
}

func TestPropagationExpiry(t *testing.T) {
	e, clk := testEngine(t)
	rec := &opRecorder{}
	e.AttachPropagator(rec)
	c := newClient(t, e)
	c.line("SET a 1 PX 100")
	c.line("SET b 1 PX 100")
	c.line("SET c 1 PX 100")
	clk.Advance(time.Second)
	// A lazy expiry inside a write that then does nothing: only the DEL.
	c.line("LPUSHX a x")
	// Inside a write that does something: DEL then the write, one unit.
	c.line("SET b 2")
	rec.units = nil
	e.ActiveExpireCycle()
	assert.Equal(t, [][]string{{"0:DEL c"}}, rec.units)

	rec.units = nil
	c.line("SET k v PX 10")
	c.line("SET j v PX 10")
	clk.Advance(time.Second)
	c.line("CONFIG SET lazyfree-lazy-expire yes")
	c.line("GET k")
	c.line("DBSIZE")
	assert.Equal(t, [][]string{{"0:SET k v PXAT 1700000001010"}, {"0:SET j v PXAT 1700000001010"}, {"0:UNLINK k"}}, rec.units)
}

func TestPropagationUnits(t *testing.T) {
	e, clk := testEngine(t)
	rec := &opRecorder{}
	e.AttachPropagator(rec)
	c := newClient(t, e)
	c.line("SET a 1 PX 100")
	clk.Advance(time.Second)
	c.line("SET a 2")
	require.Equal(t, [][]string{{"0:SET a 1 PXAT 1700000000100"}, {"0:MULTI", "0:DEL a", "0:SET a 2", "0:EXEC"}}, rec.units)

	// A served blocked client's pop is a unit of its own, after the push.
	rec.units = nil
	waiter := newClient(t, e)
	waiter.line("SELECT 2")
	waiter.line("BLPOP q 0")
	pusher := newClient(t, e)
	pusher.line("SELECT 2")
	pusher.line("RPUSH q x y")
	assert.Equal(t, [][]string{{"2:RPUSH q x y"}, {"2:LPOP q"}}, rec.units)

	rec.units = nil
	waiter.line("BLMOVE q dst RIGHT LEFT 0")
	waiter.line("BZPOPMAX z 0")
	pusher.line("ZADD z 1 a 2 b")
	waiter.line("BZMPOP 0 1 z MIN COUNT 5")
	assert.Equal(t, [][]string{{"2:LMOVE q dst RIGHT LEFT"}, {"2:ZADD z 1 a 2 b"}, {"2:ZPOPMAX z"}, {"2:ZPOPMIN z 1"}}, rec.units)
}

func TestPropagationSPopCount(t *testing.T) {
	e, _ := testEngine(t)
	rec := &opRecorder{}
	e.AttachPropagator(rec)
	c := newClient(t, e)
	c.line("SADD s a b c d")
	rec.units = nil
	reply := c.line("SPOP s 2")
	require.Len(t, rec.units, 1)
	u := rec.units[0]
	require.Len(t, u, 4)
	assert.Equal(t, "0:MULTI", u[0])
	assert.Equal(t, "0:EXEC", u[3])
	for _, op := range u[1:3] {
		member := strings.TrimPrefix(op, "0:SREM s ")
		assert.Contains(t, reply, "\r\n"+member+"\r\n")
	}
}

func TestPropagationRestore(t *testing.T) {
	e, _ := testEngine(t)
	rec := &opRecorder{}
	e.AttachPropagator(rec)
	c := newClient(t, e)
	c.line("SET a 1")
	dump := c.line("DUMP a")
	payload := strings.SplitN(dump, "\r\n", 3)[1]
	c.do("RESTORE", "b", "1000", payload)
	c.do("RESTORE", "c", "1800000000000", payload, "ABSTTL")
	c.do("RESTORE", "a", "1", payload, "REPLACE", "ABSTTL")
	got := rec.flat()
	require.Len(t, got, 4)
	assert.Equal(t, "0:RESTORE b 1700000001000 "+payload+" ABSTTL", got[1])
	assert.Equal(t, "0:RESTORE c 1800000000000 "+payload+" ABSTTL", got[2])
	assert.Equal(t, "0:DEL a", got[3])
}

func TestPropagationSandboxNotPropagated(t *testing.T) {
	e, _ := testEngine(t)
	rec := &opRecorder{}
	e.AttachPropagator(rec)
	s := e.NewSession(ClientInfo{Sandbox: &Sandbox{}})
	s.Exec([][]byte{[]byte("SET"), []byte("a"), []byte("1")})
	s.Exec([][]byte{[]byte("FLUSHALL")})
	assert.Empty(t, rec.units)
}

// TestPropagationScriptArgs: the Lua bridge reuses the buffers of
// redis.call's arguments from run to run; the effects of a MULTI's
// earlier scripts wait for EXEC, so their arguments must stay intact
// while later scripts run.
func TestPropagationScriptArgs(t *testing.T) {
	e, _ := testEngine(t)
	rec := &opRecorder{}
	e.AttachPropagator(rec)
	c := newClient(t, e)
	const body = "redis.call('set', KEYS[1], ARGV[1]) return redis.call('incrby', KEYS[2], ARGV[2])"
	c.do("EVAL", body, "2", "a", "n", "first", "5")
	c.do("EVAL", body, "2", "b", "n", "second", "7")
	assert.Equal(t, [][]string{{"0:MULTI", "0:set a first", "0:incrby n 5", "0:EXEC"}, {"0:MULTI", "0:set b second", "0:incrby n 7", "0:EXEC"}}, rec.units)
	rec.units = nil
	c.do("MULTI")
	c.do("EVAL", body, "2", "c", "m", "third", "11")
	c.do("EVALSHA", SHA1ForTest(body), "2", "d", "m", "fourth", "13")
	c.do("SET", "e", "plain")
	c.do("EVAL", body, "2", "f", "m", "fifth", "17")
	assert.Equal(t, "*4\r\n:11\r\n:24\r\n+OK\r\n:41\r\n", c.do("EXEC"))
	assert.Equal(t, [][]string{{"0:MULTI", "0:set c third", "0:incrby m 11", "0:set d fourth", "0:incrby m 13", "0:SET e plain", "0:set f fifth", "0:incrby m 17", "0:EXEC"}}, rec.units)
}
