package engine

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The whole-table argument fuzzer. From the command table (every command
// and subcommand with a handler) and each command's argument spec in
// commands.json it builds a minimal valid call, then replaces every
// argument position in turn with edge values (limits of int64, int32 and
// uint32 and their neighbours, huge and non-finite doubles, empty, very
// long, binary, range and lex markers, key names of every type, the
// command's own option words), and appends each option word with edge
// values after it. Every case runs on a fresh session against keys of one
// type (string, integer string, list, hash, set, intset, sorted set or
// missing), chosen in turn so every type meets every position.
//
// A case fails on a panic (the dispatcher's recover answers it, so the
// test reads the panic counter), on a reply that is not valid RESP or is
// not exactly one reply, or on a hang (a watchdog per case). When a real
// redis-server is reachable (GOREDIS_DIFF_ADDR, or one this test starts
// when redis-server is on PATH) each case also runs there after the same
// setup, and the reply's type and, for errors, the error code must match.

// tableFuzzKeys are the key names the cases use, one per type; setup
// creates all but "missing".
var tableFuzzKeys = []string{"str", "num", "list", "hash", "set", "intset", "zset", "missing"}

// tableFuzzSetup fills the keyspace before each case.
var tableFuzzSetup = [][]string{
	{"FLUSHALL"},
	{"SET", "str", "hello"},
	{"SET", "num", "12"},
	{"RPUSH", "list", "a", "b", "c", "1", "2"},
	{"HSET", "hash", "f", "1", "g", "v"},
	{"SADD", "set", "a", "b", "c"},
	{"SADD", "intset", "1", "2", "3"},
	{"ZADD", "zset", "1", "a", "2", "b", "3", "c"},
}

// tableFuzzEdges are the values tried at every position.
func tableFuzzEdges() []string {
	return []string{
		"0", "1", "-1", "2", "3",
		"9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "-9223372036854775809",
		"9223372036854775806", "-9223372036854775807",
		"18446744073709551615", "18446744073709551616",
		"2147483647", "2147483648", "-2147483648", "-2147483649",
		"4294967295", "4294967296", "4294967297",
		"1e308", "-1e308", "1e309", "1e-400", "inf", "-inf", "+inf", "nan", "-nan",
		"1.5", "-0", "0x10", " 1", "1 ",
		"", "(", "[", "-", "+", "(1", "[a", "(inf", "*", "#", "?",
		strings.Repeat("x", 64<<10),
		"a\x00b", "\xff\xfe\x00",
	}
}

// tableFuzzCmd is one command of the table with its minimal call.
type tableFuzzCmd struct {
	cmd    *Command
	base   []string // name (and subcommand) plus minimal arguments
	keyPos []int    // positions of base that are keys
	fixed  int      // leading positions not mutated: the name(s)
	tokens []string // option words of the spec
}

// tableFuzzCase is one call to try.
type tableFuzzCase struct {
	cmd  *tableFuzzCmd
	args []string
}

// tableFuzzSkip are commands no fuzz loop may run: they stop the process,
// write files or take long by design.
var tableFuzzSkip = map[string]bool{
	"shutdown": true, "save": true, "bgsave": true, "bgrewriteaof": true,
	"config|rewrite": true, "sync": true, "psync": true,
	"replicaof": true, "slaveof": true, "failover": true,
	// connects to the host and port it is given
	"migrate": true,
	// takes no argument and runs Redis's HyperLogLog self test for
	// seconds (minutes under the race detector)
	"pfselftest": true,
}

// tableFuzzFreshEngine lists commands that change server-wide state a
// later case would trip on (CONFIG SET maxmemory 1, CLIENT PAUSE): each of
// their cases gets its own engine.
var tableFuzzFreshEngine = map[string]bool{
	"config|set": true, "client|pause": true, "client|unpause": true, "config|resetstat": true,
}

// tableFuzzNoDiff lists commands whose replies are server-specific or
// nondeterministic, or that would change the reference server's state or
// connection (blocking commands are left out too).
var tableFuzzNoDiff = map[string]bool{
	"info": true, "client|list": true, "client|info": true, "client|kill": true,
	"client|pause": true, "client|reply": true, "client|id": true, "client|trackinginfo": true,
	"debug": true, "monitor": true, "config|set": true, "config|get": true,
	"config|resetstat": true, "hello": true, "quit": true, "reset": true, "multi": true,
	"subscribe": true, "psubscribe": true, "ssubscribe": true,
	"unsubscribe": true, "punsubscribe": true, "sunsubscribe": true,
	"wait": true, "latency": true, "slowlog": true, "memory": true, "lolwut": true,
	"command": true, "client|tracking": true, "client|getredir": true, "client|caching": true,
	"auth": true, "acl": true, "module": true, "function": true, "script": true,
	"eval": true, "evalsha": true, "eval_ro": true, "evalsha_ro": true, "fcall": true, "fcall_ro": true,
	"object|freq": true, "swapdb": true, "select": true, "client|no-evict": true,
}

func tableFuzzNoDiffCmd(c *Command) bool {
	if c.flags&flagBlocking != 0 || tableFuzzNoDiff[c.Name] {
		return true
	}
	return c.parent != nil && tableFuzzNoDiff[c.parent.Name]
}

// tableFuzzCommands lists the table's commands with their minimal calls,
// in name order.
func tableFuzzCommands(e *Engine) []*tableFuzzCmd {
	var cmds []*Command
	for _, c := range e.commands {
		if c.handler != nil {
			cmds = append(cmds, c)
		}
		for _, sub := range c.subs {
			if sub.handler != nil {
				cmds = append(cmds, sub)
			}
		}
	}
	slices.SortFunc(cmds, func(a, b *Command) int { return strings.Compare(a.Name, b.Name) })
	var out []*tableFuzzCmd
	for _, c := range cmds {
		if tableFuzzSkip[c.Name] {
			continue
		}
		tc := &tableFuzzCmd{cmd: c}
		if c.parent != nil {
			tc.base = []string{strings.ToUpper(c.parent.Name), strings.ToUpper(strings.TrimPrefix(c.Name, c.parent.Name+"|"))}
		} else {
			tc.base = []string{strings.ToUpper(c.Name)}
		}
		tc.fixed = len(tc.base)
		tc.appendArgs(c.Args)
		min := c.Arity
		if min < 0 {
			min = -min
		}
		for len(tc.base) < min {
			tc.base = append(tc.base, "v")
		}
		if c.Arity > 0 && len(tc.base) > c.Arity {
			tc.base = tc.base[:c.Arity]
			tc.keyPos = slices.DeleteFunc(tc.keyPos, func(p int) bool { return p >= c.Arity })
		}
		tc.collectTokens(c.Args)
		out = append(out, tc)
	}
	return out
}

// appendArgs adds the required arguments of a spec: one of each, the
// first choice of a oneof.
func (tc *tableFuzzCmd) appendArgs(specs []ArgSpec) {
	for _, a := range specs {
		if a.Optional {
			continue
		}
		tc.appendArg(a)
	}
}

func (tc *tableFuzzCmd) appendArg(a ArgSpec) {
	if a.Token != "" {
		tc.base = append(tc.base, a.Token)
		if a.Type == "pure-token" {
			return
		}
	}
	switch a.Type {
	case "key":
		tc.keyPos = append(tc.keyPos, len(tc.base))
		tc.base = append(tc.base, "str")
	case "integer", "unix-time":
		tc.base = append(tc.base, "1")
	case "double":
		tc.base = append(tc.base, "1.5")
	case "pattern":
		tc.base = append(tc.base, "*")
	case "oneof":
		if len(a.Args) > 0 {
			tc.appendArg(a.Args[0])
		}
	case "block":
		tc.appendArgs(a.Args)
	case "pure-token":
	default:
		tc.base = append(tc.base, "v")
	}
}

func (tc *tableFuzzCmd) collectTokens(specs []ArgSpec) {
	for _, a := range specs {
		if a.Token != "" && !slices.Contains(tc.tokens, a.Token) {
			tc.tokens = append(tc.tokens, a.Token)
		}
		tc.collectTokens(a.Args)
	}
}

// tableFuzzCases enumerates every case, in a fixed order.
func tableFuzzCases(cmds []*tableFuzzCmd) []tableFuzzCase {
	edges := tableFuzzEdges()
	var out []tableFuzzCase
	for _, tc := range cmds {
		values := slices.Concat(edges, tableFuzzKeys, tc.tokens)
		n := 0
		primary := tableFuzzPrimaryKeys(tc.cmd)
		addWith := func(args []string, key string) {
			args = slices.Clone(args)
			for _, p := range tc.keyPos {
				if p < len(args) && args[p] == "str" {
					args[p] = key
				}
			}
			if !tableFuzzHugeReply(tc.cmd, args) && !tableFuzzHugeString(tc.cmd, args) {
				out = append(out, tableFuzzCase{tc, args})
			}
		}
		add := func(args []string) {
			if len(tc.keyPos) == 0 {
				out = append(out, tableFuzzCase{tc, args})
				return
			}
			// Each case runs on the keys of the command's own type, and
			// on one more type that turns with each case, so every type
			// meets every position without multiplying the cases by
			// eight.
			for _, k := range primary {
				addWith(args, k)
			}
			other := tableFuzzKeys[n%len(tableFuzzKeys)]
			n++
			if !slices.Contains(primary, other) {
				addWith(args, other)
			}
		}
		if len(tc.keyPos) > 0 {
			for range tableFuzzKeys {
				add(tc.base)
			}
		} else {
			add(tc.base)
		}
		for p := tc.fixed; p < len(tc.base); p++ {
			for _, v := range values {
				args := slices.Clone(tc.base)
				args[p] = v
				add(args)
			}
		}
		if tc.cmd.Arity < 0 {
			for _, tok := range tc.tokens {
				add(append(slices.Clone(tc.base), tok))
				for _, v := range values {
					// one value, or two with the other small (LIMIT 2
					// offset count) or the same
					add(append(slices.Clone(tc.base), tok, v))
					add(append(slices.Clone(tc.base), tok, "2", v))
					add(append(slices.Clone(tc.base), tok, v, "2"))
					add(append(slices.Clone(tc.base), tok, v, v))
				}
			}
			for _, v := range values {
				add(append(slices.Clone(tc.base), v))
			}
		}
	}
	return out
}

// tableFuzzPrimaryKeys are the keys of the type a command works on, by
// its group; SORT and the generic commands get a list.
func tableFuzzPrimaryKeys(c *Command) []string {
	switch c.Group {
	case "string":
		return []string{"str", "num"}
	case "list":
		return []string{"list"}
	case "hash":
		return []string{"hash"}
	case "set":
		return []string{"set", "intset"}
	case "sorted-set":
		return []string{"zset"}
	}
	return []string{"list"}
}

// tableFuzzHugeReply leaves out calls that rightly build a reply of
// billions of elements, in Redis as here (SRANDMEMBER set -4294967296):
// the output buffer limits bound those, not argument checks.
func tableFuzzHugeReply(c *Command, args []string) bool {
	switch c.Name {
	case "srandmember", "zrandmember", "hrandfield":
	default:
		return false
	}
	withPairs := slices.ContainsFunc(args, func(s string) bool {
		return strings.EqualFold(s, "withscores") || strings.EqualFold(s, "withvalues")
	})
	for _, a := range args[2:] {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n >= -1_000_000 || n == math.MinInt64 {
			continue // small, or refused as out of range
		}
		if withPairs && n < -math.MaxInt64/2 {
			continue // refused: the pair count would overflow
		}
		return true
	}
	return false
}

// tableFuzzHugeString leaves out bit and byte offsets that rightly grow a
// string to hundreds of megabytes (SETBIT k 4294967295 1, as Redis
// allows): correct, but no place for a loop of a hundred thousand cases.
func tableFuzzHugeString(c *Command, args []string) bool {
	switch c.Name {
	case "setbit", "bitfield", "setrange":
	default:
		return false
	}
	for _, a := range args[2:] {
		if n, err := strconv.ParseInt(a, 10, 64); err == nil && n > 1_000_000 && n <= 1<<32 {
			return true
		}
	}
	return false
}

// tableFuzzRunner runs cases on an engine and, optionally, on Redis.
type tableFuzzRunner struct {
	t       testing.TB
	e       *Engine
	logs    *logSink
	redis   *tableFuzzRedis
	current atomic.Pointer[string]
	// setupFor is the engine whose keys are set up; dirty is set when the
	// last case may have changed them.
	setupFor *Engine
	dirty    bool
	// paused: the last case was a CLIENT PAUSE, whose pause (timed in
	// real time) must not hold the next cases: they get a fresh engine.
	paused bool

	ran, compared int
	failures      int
}

func newTableFuzzRunner(t testing.TB) *tableFuzzRunner {
	r := &tableFuzzRunner{t: t}
	r.freshEngine()
	return r
}

func (r *tableFuzzRunner) freshEngine() {
	r.logs = &logSink{}
	r.e = New(Options{Log: r.logs.log})
}

func toArgs(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// fail reports a finding, up to a bound so one bug does not flood.
func (r *tableFuzzRunner) fail(format string, args ...any) {
	r.failures++
	if r.failures <= 40 {
		r.t.Errorf(format, args...)
	}
}

// run runs one case and returns its reply.
func (r *tableFuzzRunner) run(c tableFuzzCase) []byte {
	if tableFuzzFreshEngine[c.cmd.cmd.Name] || r.paused {
		r.freshEngine()
	}
	r.paused = c.cmd.cmd.Name == "client|pause"
	e := r.e
	if r.dirty || e != r.setupFor {
		setup := e.NewSession(ClientInfo{Addr: "127.0.0.1:50001", Kind: "fuzz"})
		for _, a := range tableFuzzSetup {
			setup.Exec(toArgs(a))
		}
		setup.TakeOutput(nil)
		setup.Close()
		r.setupFor = e
	}
	// Only writes and admin commands change the keys the next case
	// starts from.
	r.dirty = c.cmd.cmd.flags&(flagWrite|flagAdmin) != 0

	s := e.NewSession(ClientInfo{Addr: "127.0.0.1:50000", Kind: "fuzz"})
	defer s.Close()
	desc := fmt.Sprintf("%q", c.args)
	r.current.Store(&desc)
	before := e.srv.panics
	st := s.Exec(toArgs(c.args))
	out := s.TakeOutput(nil)
	r.ran++
	if e.srv.panics != before {
		r.fail("%s panicked:\n%s", desc, r.logs.text())
		r.freshEngine()
		return out
	}
	n, pushes, err := fuzzCountReplies(out)
	switch {
	case err != nil:
		r.fail("%s: invalid RESP %q: %v", desc, tableFuzzShort(out), err)
	case st&StatusBlocked != 0:
		if n != 0 {
			r.fail("%s: blocked but replied %q", desc, tableFuzzShort(out))
		}
	case fuzzIsSubscribe([]byte(c.args[0])):
		if n+pushes == 0 {
			r.fail("%s: no reply", desc)
		}
	case c.cmd.cmd.Name == "client|reply":
		if n > 1 {
			r.fail("%s: %d replies", desc, n)
		}
	case n != 1:
		r.fail("%s: %d replies, want 1: %q", desc, n, tableFuzzShort(out))
	}
	return out
}

func tableFuzzShort(b []byte) []byte {
	if len(b) > 200 {
		return b[:200]
	}
	return b
}

// tableFuzzWord is what is compared with Redis: the reply's type, and an
// error's code.
func tableFuzzWord(out []byte) string {
	if len(out) == 0 {
		return ""
	}
	if out[0] == '-' {
		line, _, _ := bytes.Cut(out[1:], []byte("\r\n"))
		code, _, _ := bytes.Cut(line, []byte(" "))
		return "-" + string(code)
	}
	if out[0] == '$' && bytes.HasPrefix(out, []byte("$-1\r\n")) {
		return "nil"
	}
	if out[0] == '*' && bytes.HasPrefix(out, []byte("*-1\r\n")) {
		return "nil array"
	}
	return string(out[:1])
}

// tableFuzzRedis is a connection to the reference redis-server.
type tableFuzzRedis struct {
	conn net.Conn
	rd   *bufio.Reader
	buf  []byte
}

// dialTableFuzzRedis connects to GOREDIS_DIFF_ADDR, or starts a
// redis-server on a free port when one is on PATH; nil when neither.
func dialTableFuzzRedis(t testing.TB) *tableFuzzRedis {
	if runtime.GOOS == "js" {
		return nil
	}
	addr := os.Getenv("GOREDIS_DIFF_ADDR")
	if addr == "" {
		path, err := exec.LookPath("redis-server")
		if err != nil {
			return nil
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", t.TempDir())
		if err := cmd.Start(); err != nil {
			return nil
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
		addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		deadline := time.Now().Add(10 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Logf("redis-server did not start: %v", err)
				return nil
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Logf("no reference redis-server at %s: %v", addr, err)
		return nil
	}
	t.Cleanup(func() { conn.Close() })
	return &tableFuzzRedis{conn: conn, rd: bufio.NewReaderSize(conn, 1<<16)}
}

// do sends each case after the setup, all in one write, and returns the
// cases' replies.
func (rr *tableFuzzRedis) do(cases [][]string) ([][]byte, error) {
	rr.buf = rr.buf[:0]
	write := func(a []string) {
		rr.buf = append(rr.buf, '*')
		rr.buf = strconv.AppendInt(rr.buf, int64(len(a)), 10)
		rr.buf = append(rr.buf, '\r', '\n')
		for _, s := range a {
			rr.buf = append(rr.buf, '$')
			rr.buf = strconv.AppendInt(rr.buf, int64(len(s)), 10)
			rr.buf = append(rr.buf, '\r', '\n')
			rr.buf = append(rr.buf, s...)
			rr.buf = append(rr.buf, '\r', '\n')
		}
	}
	for _, args := range cases {
		write([]string{"SELECT", "0"})
		for _, a := range tableFuzzSetup {
			write(a)
		}
		write(args)
	}
	if err := rr.conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return nil, err
	}
	errc := make(chan error, 1)
	go func() {
		_, err := rr.conn.Write(rr.buf)
		errc <- err
	}()
	out := make([][]byte, len(cases))
	for i := range cases {
		for range len(tableFuzzSetup) + 1 {
			if _, err := readRESP(rr.rd); err != nil {
				return nil, err
			}
		}
		rep, err := readRESP(rr.rd)
		if err != nil {
			return nil, err
		}
		out[i] = []byte(rep)
	}
	return out, <-errc
}

// tableFuzzWatchdog fails the process when one case runs too long: a hang
// cannot be recovered, only reported.
func tableFuzzWatchdog(r *tableFuzzRunner, limit time.Duration) (stop func()) {
	var last string
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(limit)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				cur := r.current.Load()
				if cur != nil && *cur == last {
					panic("tablefuzz: no progress for " + limit.String() + " in " + *cur)
				}
				if cur != nil {
					last = *cur
				}
			}
		}
	}()
	return func() { close(done) }
}

// TestTableFuzz runs every case (every fourth under the race detector,
// every 64th in the wasm build, both slow); GOREDIS_TABLEFUZZ_ALLKEYS=1 runs each case against every key
// type instead of one in turn.
func TestTableFuzz(t *testing.T) {
	r := newTableFuzzRunner(t)
	cmds := tableFuzzCommands(r.e)
	if only := os.Getenv("GOREDIS_TABLEFUZZ_CMD"); only != "" {
		cmds = slices.DeleteFunc(cmds, func(tc *tableFuzzCmd) bool { return tc.cmd.Name != only })
	}
	cases := tableFuzzCases(cmds)
	if os.Getenv("GOREDIS_TABLEFUZZ_ALLKEYS") != "" {
		var all []tableFuzzCase
		for _, c := range cases {
			if len(c.cmd.keyPos) == 0 {
				all = append(all, c)
				continue
			}
			for _, k := range tableFuzzKeys {
				args := slices.Clone(c.args)
				for _, p := range c.cmd.keyPos {
					if p < len(args) && slices.Contains(tableFuzzKeys, args[p]) {
						args[p] = k
					}
				}
				all = append(all, tableFuzzCase{c.cmd, args})
			}
		}
		cases = all
	}
	stride := 1
	switch {
	case runtime.GOOS == "js":
		stride = 64
	case raceDetector:
		stride = 4 // every command still, a quarter of its cases
	}
	r.redis = dialTableFuzzRedis(t)
	stop := tableFuzzWatchdog(r, time.Minute)
	defer stop()
	positions := 0
	for _, tc := range cmds {
		positions += len(tc.base) - tc.fixed
	}
	mismatches := map[string]int{}
	// Cases go to Redis in batches, one write each.
	type pending struct {
		c   tableFuzzCase
		out []byte
	}
	var batch []pending
	compare := func() {
		if len(batch) == 0 {
			return
		}
		args := make([][]string, len(batch))
		for i, p := range batch {
			args[i] = p.c.args
		}
		desc := fmt.Sprintf("redis-server answering %d cases up to %q", len(args), args[len(args)-1])
		r.current.Store(&desc)
		want, err := r.redis.do(args)
		if err != nil {
			t.Fatalf("reference redis-server: %v", err)
		}
		for i, p := range batch {
			r.compared++
			if got, exp := tableFuzzWord(p.out), tableFuzzWord(want[i]); got != exp {
				mismatches[p.c.cmd.cmd.Name]++
				r.fail("%q: GoRedis %q (%s), Redis %q (%s)", p.c.args, tableFuzzShort(p.out), got, tableFuzzShort(want[i]), exp)
			}
		}
		batch = batch[:0]
	}
	for i := 0; i < len(cases); i += stride {
		c := cases[i]
		out := r.run(c)
		if r.redis == nil || tableFuzzNoDiffCmd(c.cmd.cmd) {
			continue
		}
		batch = append(batch, pending{c, out})
		if len(batch) == 64 {
			compare()
		}
	}
	compare()
	t.Logf("table fuzz: %d commands, %d argument positions, %d edge values (+ key names and option words), %d cases run, %d compared with redis-server, %d findings",
		len(cmds), positions, len(tableFuzzEdges()), r.ran, r.compared, r.failures)
	if len(mismatches) > 0 {
		t.Logf("mismatches by command: %v", mismatches)
	}
}

// FuzzTableArgs is the table fuzzer's generator driven by Go's fuzzer:
// a command of the table (cmd), the key type its key arguments name
// (key), where the value goes (pos: an argument position, else after one
// of the command's option words, else appended) and the value itself;
// extra, when not empty, is appended too. Same checks as TestTableFuzz,
// without Redis.
func FuzzTableArgs(f *testing.F) {
	r := newTableFuzzRunner(f)
	cmds := tableFuzzCommands(r.e)
	for i := range cmds {
		for j, v := range []string{"9223372036854775807", "-1", "", "nan"} {
			f.Add(uint16(i), uint8(i+j), uint8(j), []byte(v), []byte("2"))
		}
	}
	f.Fuzz(func(t *testing.T, cmd uint16, key, pos uint8, value, extra []byte) {
		tc := cmds[int(cmd)%len(cmds)]
		args := slices.Clone(tc.base)
		k := tableFuzzKeys[int(key)%len(tableFuzzKeys)]
		for _, p := range tc.keyPos {
			if p < len(args) {
				args[p] = k
			}
		}
		p := int(pos)
		switch positions := len(args) - tc.fixed; {
		case p < positions:
			args[tc.fixed+p] = string(value)
		case tc.cmd.Arity < 0 && p-positions < len(tc.tokens):
			args = append(args, tc.tokens[p-positions], string(value))
		case tc.cmd.Arity < 0:
			args = append(args, string(value))
		default:
			args[len(args)-1] = string(value)
		}
		if len(extra) > 0 && tc.cmd.Arity < 0 {
			args = append(args, string(extra))
		}
		if tableFuzzSkipInFuzz(tc.cmd, args) {
			return
		}
		r.t = t
		// A hang cannot be recovered: crash the worker, so the fuzzer
		// saves the input.
		hang := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("tablefuzz: %q hangs", args)) })
		defer hang.Stop()
		r.run(tableFuzzCase{tc, args})
	})
}

// tableFuzzSkipInFuzz leaves out what the fuzzer's free values would make
// legitimately huge: replies of billions of elements, strings grown to
// hundreds of megabytes (SETRANGE k 500000000 x, SETBIT k 4294967295 1,
// as Redis allows).
func tableFuzzSkipInFuzz(c *Command, args []string) bool {
	if tableFuzzHugeReply(c, args) {
		return true
	}
	for _, a := range args[1:] {
		if n, err := strconv.ParseInt(a, 10, 64); err == nil && n > 1_000_000 && n <= 1<<32 {
			return true
		}
	}
	return false
}
