package luabridge

import (
	"math"
	"strconv"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// fixedHost answers every redis.call with the same RESP reply: the
// bridge's own cost (arguments, reply conversion, the VM), without a
// keyspace behind it.
type fixedHost struct {
	reply []byte
	calls int
}

func (h *fixedHost) Call(args [][]byte) []byte      { h.calls++; return h.reply }
func (h *fixedHost) ArgsFree() bool                 { return true }
func (h *fixedHost) SetResp(int)                    {}
func (h *fixedHost) SetRepl(int)                    {}
func (h *fixedHost) Interrupt() bool                { return false }
func (h *fixedHost) ACLCheck([][]byte) (bool, bool) { return true, true }

// discardWriter drops the script's result, remembering the last integer.
type discardWriter struct{ n int64 }

func (w *discardWriter) Error(string)            {}
func (w *discardWriter) ErrorNoStats(string)     {}
func (w *discardWriter) Simple(string)           {}
func (w *discardWriter) Int(n int64)             { w.n = n }
func (w *discardWriter) Bulk([]byte)             {}
func (w *discardWriter) Null()                   {}
func (w *discardWriter) Array(int)               {}
func (w *discardWriter) Map(int)                 {}
func (w *discardWriter) Set(int)                 {}
func (w *discardWriter) Double(float64)          {}
func (w *discardWriter) Bool(bool)               {}
func (w *discardWriter) Verbatim(string, string) {}
func (w *discardWriter) BigNumber(string)        {}

func benchEval(b *testing.B, body, reply string, keys [][]byte) {
	ev := NewEval(Config{Version: "7.0.15"})
	sc, err := ev.Create([]byte(body))
	if err != nil {
		b.Fatal(err)
	}
	h := &fixedHost{reply: []byte(reply)}
	w := &discardWriter{}
	b.ReportAllocs()
	for b.Loop() {
		ev.Run(sc, keys, nil, h, w)
	}
}

// BenchmarkRedisCallInt is one script run making 100 redis.call with an
// integer reply (as INCR): per op, 100 argument conversions, 100 replies
// made into Lua numbers, and the loop around them.
func BenchmarkRedisCallInt(b *testing.B) {
	benchEval(b, "local n = 0 for i = 1, 100 do n = n + redis.call('INCR', KEYS[1]) end return n", ":12345\r\n", [][]byte{[]byte("counter")})
}

// BenchmarkRedisCallBulk is the same with a bulk string reply (as GET).
func BenchmarkRedisCallBulk(b *testing.B) {
	benchEval(b, "local s for i = 1, 100 do s = redis.call('GET', KEYS[1]) end return s", "$5\r\nhello\r\n", [][]byte{[]byte("key")})
}

// BenchmarkRedisCallStatus is the same with a status reply (as SET):
// each becomes a {ok=...} table.
func BenchmarkRedisCallStatus(b *testing.B) {
	benchEval(b, "local r for i = 1, 100 do r = redis.call('SET', KEYS[1], i) end return r", "+OK\r\n", [][]byte{[]byte("key")})
}

// BenchmarkEvalRunOneCall is a whole run with one redis.call: KEYS and
// ARGV filled, the call, the result written.
func BenchmarkEvalRunOneCall(b *testing.B) {
	benchEval(b, "return redis.call('INCR', KEYS[1])", ":1\r\n", [][]byte{[]byte("counter")})
}

// TestRespIntegers checks the integer replies and lengths redis.call
// reads, to the limits of a 64-bit integer.
func TestRespIntegers(t *testing.T) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for _, n := range []int64{0, 1, -1, 127, 128, 255, 256, 1 << 40, -(1 << 40), math.MaxInt64, math.MinInt64} {
		reply := ":" + strconv.FormatInt(n, 10) + "\r\n"
		v, rest := respToLua(L, []byte(reply))
		if got, ok := v.(lua.LNumber); !ok || got != lua.LNumber(n) || len(rest) != 0 {
			t.Errorf("%q: got %v (rest %q), want %d", reply, v, rest, n)
		}
	}
	v, _ := respToLua(L, []byte("$-1\r\n"))
	if v != lua.LFalse {
		t.Errorf("null bulk: got %v, want false", v)
	}
	v, _ = respToLua(L, []byte("*2\r\n$3\r\nabc\r\n:-7\r\n"))
	tb, ok := v.(*lua.LTable)
	if !ok || tb.Len() != 2 || tb.RawGetInt(1) != lua.LString("abc") || tb.RawGetInt(2) != lua.LNumber(-7) {
		t.Errorf("array: got %v", v)
	}
}

// TestRedisCallNoAllocs guards the bridge's hot path: a redis.call with
// an integer reply allocates nothing of its own (the VM boxes numbers in
// blocks; arguments go to buffers reused from run to run).
func TestRedisCallNoAllocs(t *testing.T) {
	ev := NewEval(Config{Version: "7.0.15"})
	sc, err := ev.Create([]byte("local n = 0 for i = 1, 100 do n = n + redis.call('INCR', KEYS[1]) end return n"))
	if err != nil {
		t.Fatal(err)
	}
	h := &fixedHost{reply: []byte(":1\r\n")}
	w := &discardWriter{}
	keys := [][]byte{[]byte("counter")}
	ev.Run(sc, keys, nil, h, w)
	if w.n != 100 || h.calls != 100 {
		t.Fatalf("result %d after %d calls, want 100 and 100", w.n, h.calls)
	}
	// 100 calls a run: anything allocated per call would show as 100
	allocs := testing.AllocsPerRun(50, func() { ev.Run(sc, keys, nil, h, w) })
	if allocs > 10 {
		t.Errorf("%.0f allocations per run of 100 redis.call", allocs)
	}
}
