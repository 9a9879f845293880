// Command soak runs one goredis server (a child process on loopback) under
// hostile load for a fixed time: chaos clients send random valid and
// invalid commands, protocol violations and random garbage bytes, leave
// mid-command and pipeline without reading, while witness clients run a
// checked workload whose every reply must be exactly right. It samples the
// server's RSS over time and fails if the server dies, a witness sees a
// wrong reply or loses its connection, or memory does not come back down
// once the chaos stops.
//
//	make soak SOAK_DURATION=10m
//	go run ./cmd/soak -bin bin/goredis -duration 10m -chaos 24 -witnesses 4
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	bin       string
	port      int
	duration  time.Duration
	chaos     int
	witnesses int
	sample    time.Duration
	seed      uint64
	maxRSSMB  int64
}

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", "bin/goredis", "goredis binary to run")
	flag.IntVar(&c.port, "port", 0, "loopback port for the server (0: a free one)")
	flag.DurationVar(&c.duration, "duration", 10*time.Minute, "how long the chaos lasts")
	flag.IntVar(&c.chaos, "chaos", 24, "chaos clients")
	flag.IntVar(&c.witnesses, "witnesses", 4, "witness clients whose replies are checked")
	flag.DurationVar(&c.sample, "sample", 30*time.Second, "RSS sampling interval")
	flag.Uint64Var(&c.seed, "seed", uint64(time.Now().UnixNano()), "random seed")
	flag.Int64Var(&c.maxRSSMB, "max-rss-mb", 2048, "fail if the server's RSS passes this")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "soak: FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("soak: PASS")
}

// counters are shared by all clients.
type counters struct {
	chaosCmds, chaosConns, garbage, witnessOps atomic.Int64
	witnessFailures                            atomic.Int64
	firstFailure                               atomic.Value // string
}

func (c *counters) fail(format string, args ...any) {
	c.witnessFailures.Add(1)
	c.firstFailure.CompareAndSwap(nil, fmt.Sprintf(format, args...))
}

func run(c config) error {
	if c.port == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		c.port = ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port))
	srv := exec.Command(c.bin, "--port", strconv.Itoa(c.port), "--bind", "127.0.0.1", "--http-port", "0",
		"--maxclients", "1000")
	var srvLog bytes.Buffer
	srv.Stdout, srv.Stderr = io.Discard, &lockedWriter{w: &srvLog}
	if err := srv.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	defer func() {
		_ = srv.Process.Kill()
		<-exited
	}()
	if err := waitListening(addr, exited); err != nil {
		return err
	}
	pid := srv.Process.Pid
	fmt.Printf("soak: goredis pid %d on %s for %v, %d chaos and %d witness clients, seed %d\n",
		pid, addr, c.duration, c.chaos, c.witnesses, c.seed)

	names, err := commandNames(addr)
	if err != nil {
		return fmt.Errorf("COMMAND LIST: %w", err)
	}
	var cnt counters
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range c.witnesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			witness(addr, i, &cnt, stop)
		}()
	}
	for i := range c.chaos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chaos(addr, rand.New(rand.NewPCG(c.seed, uint64(i))), names, &cnt, stop)
		}()
	}

	start := time.Now()
	fmt.Println("  elapsed   RSS (MB)   chaos cmds   chaos conns   garbage writes   witness ops   witness failures")
	printRow := func() {
		fmt.Printf("  %7s   %8.1f   %10d   %11d   %14d   %11d   %16d\n",
			time.Since(start).Round(time.Second), float64(rssKB(pid))/1024,
			cnt.chaosCmds.Load(), cnt.chaosConns.Load(), cnt.garbage.Load(), cnt.witnessOps.Load(), cnt.witnessFailures.Load())
	}
	printRow()
	tick := time.NewTicker(c.sample)
	deadline := time.After(c.duration)
	var crashed error
	var peak int64
loop:
	for {
		select {
		case <-tick.C:
			printRow()
			peak = max(peak, rssKB(pid))
			if peak > c.maxRSSMB*1024 {
				crashed = fmt.Errorf("RSS %d MB over the %d MB bound", peak/1024, c.maxRSSMB)
				break loop
			}
		case <-deadline:
			break loop
		case err := <-exited:
			crashed = fmt.Errorf("server exited: %v", err)
			exited <- err
			break loop
		}
	}
	tick.Stop()
	close(stop)
	wg.Wait()
	printRow()
	peak = max(peak, rssKB(pid))
	fmt.Printf("soak: peak RSS %.1f MB\n", float64(peak)/1024)
	if crashed != nil {
		fmt.Fprintln(os.Stderr, tail(srvLog.String(), 4000))
		return crashed
	}
	// The chaos is gone: memory held for its clients must be given back.
	time.Sleep(5 * time.Second)
	after := rssKB(pid)
	fmt.Printf("soak: RSS 5 s after the chaos stopped: %.1f MB\n", float64(after)/1024)
	if err := ping(addr); err != nil {
		return fmt.Errorf("server does not answer after the soak: %w", err)
	}
	if n := cnt.witnessFailures.Load(); n > 0 {
		return fmt.Errorf("%d witness failures, first: %v", n, cnt.firstFailure.Load())
	}
	if cnt.witnessOps.Load() == 0 || cnt.chaosCmds.Load() == 0 {
		return errors.New("no traffic ran")
	}
	if strings.Contains(srvLog.String(), "panic") {
		return errors.New("the server logged a panic:\n" + tail(srvLog.String(), 4000))
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// rssKB reads the process's resident set from /proc (0 elsewhere).
func rssKB(pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func waitListening(addr string, exited chan error) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("server exited at start: %v", err)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("nothing listens on %s", addr)
}

// conn is a client connection with a RESP reply reader.
type conn struct {
	c  net.Conn
	br *bufio.Reader
}

func dial(addr string) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, br: bufio.NewReader(c)}, nil
}

func encode(args ...string) []byte {
	var b bytes.Buffer
	b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	return b.Bytes()
}

// do sends one command and returns its raw reply.
func (c *conn) do(args ...string) (string, error) {
	_ = c.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.c.Write(encode(args...)); err != nil {
		return "", err
	}
	var out bytes.Buffer
	err := readReply(c.br, &out)
	return out.String(), err
}

// readReply copies one RESP2/RESP3 reply from r to out.
func readReply(r *bufio.Reader, out *bytes.Buffer) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	out.WriteString(line)
	if len(line) < 3 {
		return fmt.Errorf("short line %q", line)
	}
	body := strings.TrimSuffix(line[1:], "\r\n")
	switch line[0] {
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		out.Write(buf)
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for range n {
			if err := readReply(r, out); err != nil {
				return err
			}
		}
		if line[0] == '|' {
			return readReply(r, out) // the reply the attribute describes
		}
	}
	return nil
}

func ping(addr string) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	defer c.c.Close()
	rep, err := c.do("PING")
	if err == nil && rep != "+PONG\r\n" {
		err = fmt.Errorf("PING answered %q", rep)
	}
	return err
}

func commandNames(addr string) ([]string, error) {
	c, err := dial(addr)
	if err != nil {
		return nil, err
	}
	defer c.c.Close()
	rep, err := c.do("COMMAND", "LIST")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, l := range strings.Split(rep, "\r\n") {
		if l != "" && l[0] != '*' && l[0] != '$' && !unsafeForWitnesses[strings.ToLower(l)] {
			names = append(names, l)
		}
	}
	return names, nil
}

// unsafeForWitnesses are commands chaos clients never send: they would
// change what the witnesses rely on (their database, the server's
// configuration, its life) rather than test robustness.
var unsafeForWitnesses = map[string]bool{
	"flushall": true, "swapdb": true, "shutdown": true, "debug": true, "config": true,
	"client": true, "select": true, "move": true, "copy": true, "monitor": true, "save": true,
	"bgsave": true, "bgrewriteaof": true, "replicaof": true, "slaveof": true, "failover": true,
	"auth": true, "hello": true, "acl": true, "reset": true, "sync": true, "psync": true,
	"function": true, "script": true, "module": true, "quit": true, "latency": true,
}

// witness runs a checked workload in database 15 on keys of its own, on one
// connection that must stay up, comparing every reply with a model.
func witness(addr string, id int, cnt *counters, stop chan struct{}) {
	c, err := dial(addr)
	if err != nil {
		cnt.fail("witness %d: dial: %v", id, err)
		return
	}
	defer c.c.Close()
	expect := func(want string, args ...string) bool {
		got, err := c.do(args...)
		cnt.witnessOps.Add(1)
		if err != nil {
			cnt.fail("witness %d: %v: %v", id, args, err)
			return false
		}
		if got != want {
			cnt.fail("witness %d: %v: got %q, want %q", id, args, got, want)
			return false
		}
		return true
	}
	if !expect("+OK\r\n", "SELECT", "15") {
		return
	}
	p := "w" + strconv.Itoa(id) + ":"
	if _, err := c.do("DEL", p+"n", p+"s", p+"l", p+"h", p+"z", p+"set"); err != nil {
		cnt.fail("witness %d: DEL: %v", id, err)
		return
	}
	bulk := func(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }
	intr := func(n int) string { return ":" + strconv.Itoa(n) + "\r\n" }
	var n, llen int
	for round := 0; ; round++ {
		select {
		case <-stop:
			return
		default:
		}
		n++
		v := strconv.Itoa(n)
		ok := expect(intr(n), "INCR", p+"n") &&
			expect("+OK\r\n", "SET", p+"s", "value-"+v) &&
			expect(bulk("value-"+v), "GET", p+"s") &&
			expect(intr(llen+1), "RPUSH", p+"l", v) &&
			expect(bulk(v), "LINDEX", p+"l", "-1") &&
			expect(intr(1), "HSET", p+"h", "f"+v, v) &&
			expect(bulk(v), "HGET", p+"h", "f"+v) &&
			expect(intr(1), "ZADD", p+"z", v, "m"+v) &&
			expect(bulk(v), "ZSCORE", p+"z", "m"+v) &&
			expect(intr(n), "ZCARD", p+"z") &&
			expect(intr(1), "SADD", p+"set", v) &&
			expect(intr(n), "SCARD", p+"set") &&
			expect("+PONG\r\n", "PING")
		if !ok {
			return
		}
		llen++
		if llen >= 1000 {
			if !expect("+OK\r\n", "LTRIM", p+"l", "0", "-1001") {
				return
			}
			llen = 0
		}
		time.Sleep(time.Millisecond)
	}
}

// chaos connects again and again and misbehaves in every way it knows.
func chaos(addr string, rng *rand.Rand, names []string, cnt *counters, stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		c, err := dial(addr)
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		cnt.chaosConns.Add(1)
		chaosSession(c, rng, names, cnt, stop)
		_ = c.c.Close()
	}
}

// chaosSession runs a random number of misdeeds on one connection; it
// returns when the server closed it or on a whim.
func chaosSession(c *conn, rng *rand.Rand, names []string, cnt *counters, stop chan struct{}) {
	db := strconv.Itoa(rng.IntN(8))
	if _, err := c.do("SELECT", db); err != nil {
		return
	}
	if rng.IntN(20) == 0 {
		// Keep the chaos's own data bounded: memory growth should only
		// ever come from the server, not from a dataset that grows.
		if _, err := c.do("FLUSHDB"); err != nil {
			return
		}
	}
	if rng.IntN(4) == 0 {
		_, _ = c.do("HELLO", "3")
	}
	for steps := 1 + rng.IntN(200); steps > 0; steps-- {
		select {
		case <-stop:
			return
		default:
		}
		_ = c.c.SetDeadline(time.Now().Add(2 * time.Second))
		var err error
		switch k := rng.IntN(100); {
		case k < 55: // a valid-looking command with random arguments
			_, err = c.do(randomCommand(rng, names)...)
			cnt.chaosCmds.Add(1)
		case k < 70: // a known command, garbled arguments
			_, err = c.do(garbledCommand(rng, names)...)
			cnt.chaosCmds.Add(1)
		case k < 78: // a pipeline, read later or never
			var b bytes.Buffer
			n := 1 + rng.IntN(300)
			for range n {
				b.Write(encode(randomCommand(rng, names)...))
			}
			if _, err = c.c.Write(b.Bytes()); err == nil && rng.IntN(3) > 0 {
				for range n {
					var out bytes.Buffer
					if err = readReply(c.br, &out); err != nil {
						break
					}
				}
			}
			cnt.chaosCmds.Add(int64(n))
			if err == nil && rng.IntN(3) == 0 {
				return // leave with replies unread
			}
		case k < 86: // random bytes
			b := make([]byte, 1+rng.IntN(4096))
			for i := range b {
				b[i] = byte(rng.UintN(256))
			}
			_, err = c.c.Write(b)
			cnt.garbage.Add(1)
			drain(c)
			return
		case k < 94: // a protocol violation or a request left unfinished
			_, err = c.c.Write([]byte(protocolAbuse(rng)))
			cnt.garbage.Add(1)
			drain(c)
			return
		default: // an inline command
			_, err = c.c.Write([]byte(strings.Join(randomCommand(rng, names), " ") + "\r\n"))
			if err == nil {
				var out bytes.Buffer
				err = readReply(c.br, &out)
			}
			cnt.chaosCmds.Add(1)
		}
		if err != nil {
			return
		}
	}
}

// drain reads what the server answers before it closes, briefly.
func drain(c *conn) {
	_ = c.c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	_, _ = io.Copy(io.Discard, c.br)
}

var keys = []string{"c:a", "c:b", "c:c", "c:list", "c:hash", "c:zset", "c:set", "c:str"}

func randomValue(rng *rand.Rand) string {
	switch rng.IntN(12) {
	case 0:
		return strconv.FormatInt(rng.Int64()-rng.Int64(), 10)
	case 1:
		return []string{"0", "-1", "1", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
			"inf", "-inf", "nan", "1e308", "-1e400", "(1", "[a", "+", "-", "", "4294967296", "2147483648"}[rng.IntN(18)]
	case 2:
		return strings.Repeat("x", rng.IntN(70000))
	case 3:
		b := make([]byte, rng.IntN(32))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return string(b)
	case 4, 5, 6:
		return keys[rng.IntN(len(keys))]
	case 7:
		return []string{"WITHSCORES", "LIMIT", "COUNT", "BYSCORE", "REV", "NX", "XX", "GT", "LT", "EX", "PX", "KEEPTTL", "GET", "MATCH", "TYPE", "LEFT", "RIGHT", "BEFORE", "AFTER", "STORE", "WEIGHTS", "AGGREGATE", "SUM", "MIN", "MAX"}[rng.IntN(25)]
	default:
		return strconv.Itoa(rng.IntN(20) - 5)
	}
}

// randomCommand is a command from the server's own list (unsafe ones left
// out) with random arguments, or a common data command.
func randomCommand(rng *rand.Rand, names []string) []string {
	var name string
	if rng.IntN(2) == 0 {
		name = names[rng.IntN(len(names))]
	} else {
		name = []string{"SET", "GET", "INCR", "LPUSH", "RPOP", "LRANGE", "HSET", "HGETALL", "ZADD", "ZRANGE", "SADD", "SMEMBERS", "DEL", "EXPIRE", "SORT", "ZRANGEBYSCORE", "SETRANGE", "GETRANGE", "LPOS", "SRANDMEMBER", "ZRANDMEMBER", "HRANDFIELD", "INCRBYFLOAT", "BLPOP", "PUBLISH", "SUBSCRIBE", "MULTI", "EXEC", "WATCH"}[rng.IntN(29)]
	}
	args := []string{name}
	if strings.HasPrefix(strings.ToUpper(name), "B") || strings.EqualFold(name, "subscribe") {
		// Blocking and subscribing commands: keep the client usable.
		return append(args, keys[rng.IntN(len(keys))], "0.01")
	}
	for range rng.IntN(6) {
		args = append(args, randomValue(rng))
	}
	return args
}

func garbledCommand(rng *rand.Rand, names []string) []string {
	args := randomCommand(rng, names)
	switch rng.IntN(3) {
	case 0:
		args[0] = args[0] + "x"
	case 1:
		args = args[:1]
	default:
		for range 10 + rng.IntN(100) {
			args = append(args, randomValue(rng))
		}
	}
	return args
}

func protocolAbuse(rng *rand.Rand) string {
	return []string{
		"*2000000000\r\n",
		"*1\r\n$2000000000\r\n0123456789",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$600000000\r\n" + strings.Repeat("v", 100000),
		"*-5\r\n",
		"*1\r\n$-3\r\n",
		"*abc\r\n",
		"*1\r\nx3\r\nfoo\r\n",
		strings.Repeat("a", 70*1024),
		"*" + strings.Repeat("9", 70*1024),
		"*1\r\n$" + strings.Repeat("9", 70*1024),
		"SET \"unbalanced\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\n\r\n",
		"*2\r\n$3\r\nGET\r\n",
		"\x00\x00\x00\r\n",
	}[rng.IntN(14)]
}
