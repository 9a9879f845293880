// Command redisbench runs redis-benchmark against GoRedis and a real
// redis-server side by side and prints a markdown table: throughput,
// latency, the goredis/redis ratio, CPU per request of each server, and
// memory per key after loading many small string keys; then a stream
// consumer-group worker loop and stream memory per entry (streams.go).
//
//	go run ./cmd/redisbench [-goredis bin/goredis] [-n 100000] [-rounds 2]
//
// It builds nothing: `make bench` builds bin/goredis first. Both servers
// listen on loopback only and are stopped at the end. Runs are interleaved
// (goredis, redis, goredis, redis...) so drift of a shared machine hits both
// alike.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goredis-dev/goredis/internal/testcerts"
)

type config struct {
	goredisBin  string
	redisBin    string
	benchBin    string
	goredisPort int
	redisPort   int
	n1, n16     int
	clients     int
	rounds      int
	keyspace    int
	memKeys     int
	tests       []string
	budget      time.Duration
	cpuprofile  string
	gflags      []string
	// appendfsync, when set, runs both servers with appendonly yes and
	// this fsync policy, each in a directory of its own.
	appendfsync string
	// maxmemory, when set, runs both servers at this memory limit with
	// maxmemoryPolicy, so that writes evict as they go; the table then says
	// how many keys each evicted.
	maxmemory, maxmemoryPolicy string
	evicted                    [2]string // evicted_keys of goredis, redis
	pipes                      []int
	pubsub                     bool
	// streamEntries is the size of the stream the worker-loop row drains
	// (0 skips it); streamMemEntries of the memory-per-entry row.
	streamEntries, streamMemEntries int
	// tls, when set, runs redis-benchmark over TLS: both servers get a
	// TLS port (their port + tlsPortOffset) with certificates made for
	// the run, and the plain port stays for setup.
	tls *testcerts.Files
}

// tlsPortOffset puts a server's TLS port beside its plain one.
const tlsPortOffset = 20

func main() {
	var c config
	var tests string
	flag.StringVar(&c.goredisBin, "goredis", "bin/goredis", "goredis binary")
	flag.StringVar(&c.redisBin, "redis-server", "redis-server", "redis-server binary")
	flag.StringVar(&c.benchBin, "redis-benchmark", "redis-benchmark", "redis-benchmark binary")
	flag.IntVar(&c.goredisPort, "goredis-port", 7107, "goredis port (loopback)")
	flag.IntVar(&c.redisPort, "redis-port", 7106, "redis-server port (loopback)")
	flag.IntVar(&c.n1, "n", 50000, "requests per run without pipelining (scaled down for slow tests)")
	flag.IntVar(&c.n16, "n16", 200000, "requests per run with -P 16")
	flag.IntVar(&c.clients, "c", 50, "parallel connections")
	flag.IntVar(&c.rounds, "rounds", 2, "interleaved goredis/redis pairs per test")
	flag.IntVar(&c.keyspace, "r", 100000, "random keyspace size (redis-benchmark -r)")
	flag.IntVar(&c.memKeys, "mem-keys", 1000000, "keys loaded for the memory row (0 skips it)")
	flag.StringVar(&tests, "t", "set,get,incr,mset,ping_inline,ping_mbulk,lpush,lpop,sadd,hset,zadd,lrange_100,lrange_600,setbit,bitcount_1mb,bitop_1mb,pfadd,pfcount_1,pfcount_3,geoadd,geosearch_100k,xadd,xrange_100,evalsha_incr,evalsha_loop100,fcall_incr", "tests")
	flag.DurationVar(&c.budget, "budget", 4*time.Minute, "after this, no round beyond the first starts")
	flag.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of goredis over the whole benchmark to this file")
	gflags := flag.String("goredis-flags", "", "extra goredis arguments, e.g. \"--io-threads 1\"")
	flag.StringVar(&c.appendfsync, "appendfsync", "", "run both servers with appendonly yes and this appendfsync policy (always, everysec, no)")
	flag.StringVar(&c.maxmemory, "maxmemory", "", "run both servers with this maxmemory (e.g. 16mb), evicting by -maxmemory-policy")
	flag.StringVar(&c.maxmemoryPolicy, "maxmemory-policy", "allkeys-lru", "the eviction policy with -maxmemory")
	pipes := flag.String("P", "1,16", "pipeline depths")
	flag.BoolVar(&c.pubsub, "pubsub", true, "measure the pub/sub fan-out row")
	flag.IntVar(&c.streamEntries, "stream-entries", 200000, "entries drained by the XREADGROUP+XACK worker row (0 skips it)")
	flag.IntVar(&c.streamMemEntries, "stream-mem-entries", 1000000, "entries appended for the stream memory row (0 skips it)")
	useTLS := flag.Bool("tls", false, "benchmark over TLS (redis-benchmark --tls) with certificates made for the run")
	flag.Parse()
	if *useTLS {
		dir, err := os.MkdirTemp("", "redisbench-tls-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "redisbench:", err)
			os.Exit(1)
		}
		defer os.RemoveAll(dir)
		f, err := testcerts.WriteDir(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "redisbench:", err)
			os.Exit(1)
		}
		c.tls = &f
	}
	for _, p := range strings.Split(*pipes, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(p)); err == nil && n > 0 {
			c.pipes = append(c.pipes, n)
		}
	}
	c.gflags = strings.Fields(*gflags)
	for _, t := range strings.Split(tests, ",") {
		if t = strings.TrimSpace(strings.ToLower(t)); t != "" {
			c.tests = append(c.tests, t)
		}
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "redisbench:", err)
		os.Exit(1)
	}
}

// server is one running server process.
type server struct {
	name   string
	port   int
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
}

func startServer(name, bin string, port int, extra ...string) (*server, error) {
	// A PING answered by some other process on the port would benchmark
	// the wrong server: insist that the port is free first.
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if ln, err := net.Listen("tcp", addr); err != nil {
		return nil, fmt.Errorf("port %d is busy (another server?): %w", port, err)
	} else {
		_ = ln.Close()
	}
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1"}, extra...)
	if name == "goredis" {
		// Only RESP is measured: no playground, and no clash with one
		// already serving on the default HTTP port.
		args = append([]string{"--http-port", "0"}, args...)
	}
	cmd := exec.Command(bin, args...)
	// the server's log, to see why it died if it does
	logf, err := os.Create(filepath.Join(os.TempDir(), fmt.Sprintf("redisbench-%s-%d.log", name, port)))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stdout = logf
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, port: port, cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("%s exited at start (log in %s)", name, logf.Name())
		default:
		}
		if r, err := roundTrip(port, "PING"); err == nil && r == "+PONG" {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s did not answer PING on port %d", name, port)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop asks the server to exit (SIGTERM, so goredis writes its profile)
// and waits for it.
func (s *server) stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// cpuTicks is utime+stime of the process (all threads), in clock ticks.
func (s *server) cpuTicks() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.pid()))
	if err != nil {
		return 0, err
	}
	// the command name (field 2) may contain spaces: skip past ")"
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad /proc stat for %d", s.pid())
	}
	return ut + st, nil
}

// memKB reads a "Vm...: N kB" line of /proc/<pid>/status.
func (s *server) memKB(field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid()))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			f := strings.Fields(l)
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, s.pid())
}

// clkTck is the unit of utime/stime; 100 on every Linux we run on
// (sysconf(_SC_CLK_TCK) is not reachable without cgo).
const clkTck = 100

// result is one CSV row of one run.
type result struct {
	rps, p50, p99 float64
	err           string
}

// sample is what one server gave for one test over the rounds.
type sample struct {
	rps, p50, p99 []float64
	cpuTicks      int64
	requests      int64
	err           string
}

type rowKey struct {
	test string
	pipe int
}

type row struct {
	key rowKey
	g   sample
	r   sample
}

func run(c config) error {
	for _, bin := range []string{c.goredisBin, c.redisBin, c.benchBin} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s not found (make bench builds bin/goredis; redis-server and redis-benchmark come from redis-tools)", bin)
		}
	}
	start := time.Now()
	// --save "" for both, as redis gets below: no background saves during
	// the runs, and no dump.rdb at exit for the next server to load.
	gextra := append([]string{"--save", ""}, c.gflags...)
	if c.cpuprofile != "" {
		p, _ := filepath.Abs(c.cpuprofile)
		gextra = append(gextra, "--cpuprofile", p)
	}
	rextra := []string{"--save", "", "--appendonly", "no"}
	if c.appendfsync != "" {
		aofArgs := func(name string) ([]string, error) {
			dir, err := os.MkdirTemp("", "redisbench-aof-"+name+"-")
			if err != nil {
				return nil, err
			}
			return []string{"--save", "", "--appendonly", "yes", "--appendfsync", c.appendfsync, "--dir", dir}, nil
		}
		ga, err := aofArgs("goredis")
		if err != nil {
			return err
		}
		ra, err := aofArgs("redis")
		if err != nil {
			return err
		}
		gextra, rextra = append(gextra, ga...), ra
		defer os.RemoveAll(ga[len(ga)-1])
		defer os.RemoveAll(ra[len(ra)-1])
		fmt.Fprintf(os.Stderr, "redisbench: both servers with appendonly yes, appendfsync %s\n", c.appendfsync)
	}
	if c.maxmemory != "" {
		mm := []string{"--maxmemory", c.maxmemory, "--maxmemory-policy", c.maxmemoryPolicy}
		gextra, rextra = append(gextra, mm...), append(rextra, mm...)
		fmt.Fprintf(os.Stderr, "redisbench: both servers with maxmemory %s, %s\n", c.maxmemory, c.maxmemoryPolicy)
	}
	if c.tls != nil {
		tlsArgs := func(port int) []string {
			return []string{"--tls-port", strconv.Itoa(port + tlsPortOffset), "--tls-cert-file", c.tls.ServerCert,
				"--tls-key-file", c.tls.ServerKey, "--tls-ca-cert-file", c.tls.CA}
		}
		gextra = append(gextra, tlsArgs(c.goredisPort)...)
		rextra = append(rextra, tlsArgs(c.redisPort)...)
		fmt.Fprintf(os.Stderr, "redisbench: over TLS (ports %d and %d)\n", c.goredisPort+tlsPortOffset, c.redisPort+tlsPortOffset)
	}
	g, err := startServer("goredis", c.goredisBin, c.goredisPort, gextra...)
	if err != nil {
		return err
	}
	defer g.stop()
	r, err := startServer("redis", c.redisBin, c.redisPort, rextra...)
	if err != nil {
		return err
	}
	defer r.stop()

	fmt.Fprintf(os.Stderr, "redisbench: goredis pid %d on :%d, redis pid %d on :%d, -c %d, %d round(s)\n",
		g.pid(), g.port, r.pid(), r.port, c.clients, c.rounds)
	var rows []*row
	for _, test := range c.tests {
		for _, pipe := range c.pipes {
			n := requestsFor(c, test, pipe)
			rw := &row{key: rowKey{strings.ToUpper(test), pipe}}
			for round := 0; round < c.rounds; round++ {
				if round > 0 && time.Since(start) > c.budget {
					break
				}
				for _, pair := range []struct {
					s  *server
					sm *sample
				}{{g, &rw.g}, {r, &rw.r}} {
					if pair.sm.err != "" {
						continue
					}
					res, ticks, err := benchOnce(c, pair.s, test, pipe, n)
					if err != nil {
						pair.sm.err = err.Error()
						continue
					}
					if res.err != "" {
						pair.sm.err = res.err
						continue
					}
					pair.sm.rps = append(pair.sm.rps, res.rps)
					pair.sm.p50 = append(pair.sm.p50, res.p50)
					pair.sm.p99 = append(pair.sm.p99, res.p99)
					pair.sm.cpuTicks += ticks
					pair.sm.requests += int64(n)
				}
			}
			fmt.Fprintf(os.Stderr, "  %-12s P%-2d n=%-7d goredis %s | redis %s\n", rw.key.test, pipe, n, brief(rw.g), brief(rw.r))
			rows = append(rows, rw)
		}
	}
	// Pub/sub fan-out: 1 publisher, 500 subscribers.
	var pg, pr pubsubResult
	if c.pubsub {
		pg, pr = pubsubRow(g, r, 500, 2000, 1024)
	}
	// Stream worker loop: 4 consumers of one group, 10 entries per read.
	const streamWorkers, streamCount = 4, 10
	var sg, sr streamWorkResult
	if c.streamEntries > 0 {
		sg = benchStreamWorkers(g, c.streamEntries, streamWorkers, streamCount)
		sr = benchStreamWorkers(r, c.streamEntries, streamWorkers, streamCount)
		fmt.Fprintf(os.Stderr, "  streams      goredis %.0f entries/s %s | redis %.0f entries/s %s\n", sg.entries, sg.err, sr.entries, sr.err)
	}
	if c.maxmemory != "" {
		c.evicted = [2]string{infoField(g.port, "stats", "evicted_keys"), infoField(r.port, "stats", "evicted_keys")}
	}
	g.stop()
	r.stop()

	var mem *memResult
	if c.memKeys > 0 {
		mem, err = measureMemory(c)
		if err != nil {
			fmt.Fprintln(os.Stderr, "redisbench: memory:", err)
		}
	}
	var smg, smr *streamMemResult
	if c.streamMemEntries > 0 {
		smg, smr, err = streamMemoryRow(c)
		if err != nil {
			fmt.Fprintln(os.Stderr, "redisbench: stream memory:", err)
		}
	}
	printTable(os.Stdout, c, rows, mem)
	if c.streamEntries > 0 || smg != nil {
		printStreams(c.streamEntries > 0, streamWorkers, streamCount, sg, sr, smg, smr)
	}
	if !c.pubsub {
		fmt.Fprintf(os.Stderr, "redisbench: done in %s\n", time.Since(start).Round(time.Second))
		return nil
	}
	fmt.Println()
	fmt.Println("Pub/sub: 1 publisher, 500 subscribers, 2,000 messages of 1 KB")
	fmt.Println("| pubsub | goredis | redis | ratio |")
	fmt.Println("|---|---|---|---|")
	ratio := "–"
	if pg.err == "" && pr.err == "" && pr.delivered > 0 {
		ratio = fmt.Sprintf("%.2f", pg.delivered/pr.delivered)
	}
	cell := func(p pubsubResult) string {
		if p.err != "" {
			return "error: " + shorten(p.err)
		}
		return fmt.Sprintf("%.0f msg/s", p.delivered)
	}
	fmt.Printf("| messages delivered/s | %s | %s | %s |\n", cell(pg), cell(pr), ratio)

	fmt.Fprintf(os.Stderr, "redisbench: done in %s\n", time.Since(start).Round(time.Second))
	return nil
}

func shorten(s string) string {
	if len(s) > 90 {
		return s[:90] + "..."
	}
	return s
}

func brief(s sample) string {
	if s.err != "" {
		return "error: " + shorten(s.err)
	}
	return fmt.Sprintf("%.0f rps", median(s.rps))
}

// requestsFor keeps every run around a second or two: slow commands get
// fewer requests.
func requestsFor(c config, test string, pipe int) int {
	n := c.n1
	if pipe > 1 {
		n = c.n16
	}
	if tb, ok := typeBenches()[test]; ok && tb.scale > 1 {
		n /= tb.scale
	}
	switch test {
	case "lrange_100":
		n /= 4
	case "lrange_600", "lrange_500":
		n /= 20
	case "mset":
		n /= 2
	}
	return max(n, 1000)
}

// benchCommand returns redis-benchmark's arguments for a test. The LRANGE
// tests run as explicit commands on a list loaded beforehand, so the CSV
// has exactly one row and the CPU measured is LRANGE's alone.
func benchCommand(test string) (args []string, prepare []string) {
	if tb, ok := typeBenches()[test]; ok {
		return tb.args, nil
	}
	switch test {
	case "lrange_100":
		return []string{"LRANGE", "mylist", "0", "99"}, []string{"LPUSH", "mylist"}
	case "lrange_300":
		return []string{"LRANGE", "mylist", "0", "299"}, []string{"LPUSH", "mylist"}
	case "lrange_500":
		return []string{"LRANGE", "mylist", "0", "499"}, []string{"LPUSH", "mylist"}
	case "lrange_600":
		return []string{"LRANGE", "mylist", "0", "599"}, []string{"LPUSH", "mylist"}
	}
	return []string{"-t", test}, nil
}

// benchOnce runs redis-benchmark once against s and returns the row and
// the server's CPU ticks over the run.
func benchOnce(c config, s *server, test string, pipe, n int) (result, int64, error) {
	cmdArgs, prepare := benchCommand(test)
	if prepare != nil {
		// a list of 600 elements, as redis-benchmark's own LRANGE setup
		cmd := append([]string{}, prepare...)
		for i := 0; i < 600; i++ {
			cmd = append(cmd, "xxx")
		}
		if _, err := roundTrip(s.port, "DEL", "mylist"); err != nil {
			return result{}, 0, err
		}
		reply, err := roundTrip(s.port, cmd...)
		if err != nil {
			return result{}, 0, err
		}
		if strings.HasPrefix(reply, "-") {
			return result{err: "setup LPUSH: " + reply[1:]}, 0, nil
		}
	}
	if tb, ok := typeBenches()[test]; ok {
		for _, cmd := range tb.setup() {
			reply, err := roundTrip(s.port, cmd...)
			if err != nil {
				return result{}, 0, err
			}
			if strings.HasPrefix(reply, "-") {
				return result{err: "setup " + cmd[0] + ": " + reply[1:]}, 0, nil
			}
		}
	}
	port := s.port
	var tlsArgs []string
	if c.tls != nil {
		port += tlsPortOffset
		tlsArgs = []string{"--tls", "--cacert", c.tls.CA, "--cert", c.tls.ClientCert, "--key", c.tls.ClientKey}
	}
	args := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-c", strconv.Itoa(c.clients),
		"-n", strconv.Itoa(n), "-P", strconv.Itoa(pipe), "-r", strconv.Itoa(c.keyspace), "--csv", "-q"}
	args = append(args, tlsArgs...)
	args = append(args, cmdArgs...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.benchBin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	before, err := s.cpuTicks()
	if err != nil {
		return result{}, 0, err
	}
	runErr := cmd.Run()
	after, err := s.cpuTicks()
	if err != nil {
		return result{}, 0, err
	}
	all := out.String() + errOut.String()
	if i := strings.Index(all, "Error from server: "); i >= 0 {
		msg := all[i+len("Error from server: "):]
		if j := strings.IndexByte(msg, '\n'); j >= 0 {
			msg = msg[:j]
		}
		return result{err: strings.TrimSpace(msg)}, after - before, nil
	}
	if ctx.Err() != nil {
		return result{err: "timed out"}, after - before, nil
	}
	if runErr != nil {
		return result{}, 0, fmt.Errorf("redis-benchmark %s: %w: %s", strings.Join(args, " "), runErr, strings.TrimSpace(all))
	}
	res, err := parseCSV(out.String())
	return res, after - before, err
}

// parseCSV reads redis-benchmark 7's --csv output: a header, then
// "test","rps","avg","min","p50","p95","p99","max".
func parseCSV(s string) (result, error) {
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		return result{}, fmt.Errorf("parse csv %q: %w", s, err)
	}
	for _, rec := range recs {
		if len(rec) < 8 || rec[0] == "test" {
			continue
		}
		var f [8]float64
		for i := 1; i < 8; i++ {
			f[i], err = strconv.ParseFloat(rec[i], 64)
			if err != nil {
				return result{}, fmt.Errorf("parse csv field %q: %w", rec[i], err)
			}
		}
		return result{rps: f[1], p50: f[4], p99: f[6]}, nil
	}
	return result{}, fmt.Errorf("no result row in %q", s)
}

// infoField reads one field of an INFO section, or "?" when it cannot.
func infoField(port int, section, field string) string {
	c, err := dialConn(port)
	if err != nil {
		return "?"
	}
	defer c.c.Close()
	v, err := c.do("INFO", section)
	if err != nil {
		return "?"
	}
	text, _ := v.(string)
	for _, line := range strings.Split(text, "\r\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			return rest
		}
	}
	return "?"
}

// roundTrip sends one command and returns the first line of its reply.
func roundTrip(port int, args ...string) (string, error) {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(appendCommand(nil, args...)); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

func appendCommand(b []byte, args ...string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

type memResult struct {
	keys                 int
	gBytes, rBytes       float64 // RSS growth per key
	gPeak, rPeak         float64 // peak RSS (VmHWM) growth per key
	gBefore, rBefore     int64   // kB
	gAfter, rAfter       int64   // kB
	gLoadTime, rLoadTime time.Duration
}

// measureMemory starts fresh servers, loads keys with 10-byte values into
// each over one pipelined connection, and reports RSS growth per key.
func measureMemory(c config) (*memResult, error) {
	m := &memResult{keys: c.memKeys}
	for _, which := range []string{"goredis", "redis"} {
		var s *server
		var err error
		if which == "goredis" {
			// --save "": a server that saves at exit leaves a dump.rdb that
			// the next server started here would load.
			s, err = startServer("goredis", c.goredisBin, c.goredisPort, append([]string{"--save", ""}, c.gflags...)...)
		} else {
			s, err = startServer("redis", c.redisBin, c.redisPort, "--save", "", "--appendonly", "no")
		}
		if err != nil {
			return nil, err
		}
		before, err := s.memKB("VmRSS")
		if err != nil {
			s.stop()
			return nil, err
		}
		t0 := time.Now()
		if err := loadKeys(s.port, c.memKeys); err != nil {
			s.stop()
			return nil, fmt.Errorf("%s: %w", which, err)
		}
		load := time.Since(t0)
		// let the allocator settle (Go's scavenger, jemalloc's purge)
		time.Sleep(2 * time.Second)
		after, err1 := s.memKB("VmRSS")
		peak, err2 := s.memKB("VmHWM")
		s.stop()
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		perKey := float64(after-before) * 1024 / float64(c.memKeys)
		perKeyPeak := float64(peak-before) * 1024 / float64(c.memKeys)
		if which == "goredis" {
			m.gBytes, m.gPeak, m.gBefore, m.gAfter, m.gLoadTime = perKey, perKeyPeak, before, after, load
		} else {
			m.rBytes, m.rPeak, m.rBefore, m.rAfter, m.rLoadTime = perKey, perKeyPeak, before, after, load
		}
	}
	return m, nil
}

// loadKeys writes SET key:<i> <10 bytes> for n distinct keys, pipelined in
// batches, and checks every reply is +OK.
func loadKeys(port, n int) error {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Minute))
	errc := make(chan error, 1)
	go func() {
		br := bufio.NewReaderSize(conn, 64*1024)
		for i := 0; i < n; i++ {
			line, err := br.ReadSlice('\n')
			if err != nil {
				errc <- err
				return
			}
			if string(line) != "+OK\r\n" {
				errc <- fmt.Errorf("SET reply %q", line)
				return
			}
		}
		errc <- nil
	}()
	const batch = 1000
	buf := make([]byte, 0, 64*1024)
	key := make([]byte, 0, 32)
	for i := 0; i < n; i += batch {
		buf = buf[:0]
		for j := i; j < min(i+batch, n); j++ {
			key = append(key[:0], "key:"...)
			key = strconv.AppendInt(key, int64(j), 10)
			buf = append(buf, "*3\r\n$3\r\nSET\r\n$"...)
			buf = strconv.AppendInt(buf, int64(len(key)), 10)
			buf = append(buf, '\r', '\n')
			buf = append(buf, key...)
			buf = append(buf, "\r\n$10\r\n"...)
			buf = fmt.Appendf(buf, "v%09d\r\n", j)
		}
		if _, err := conn.Write(buf); err != nil {
			return err
		}
	}
	return <-errc
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func cpuPerReq(s sample) string {
	if s.requests == 0 {
		return "–"
	}
	us := float64(s.cpuTicks) * 1e6 / clkTck / float64(s.requests)
	return fmt.Sprintf("%.2f", us)
}

func printTable(w io.Writer, c config, rows []*row, mem *memResult) {
	fmt.Fprintf(w, "\nredis-benchmark -c %d -r %d, %d interleaved round(s) per row (median); CPU = server utime+stime per request (µs)", c.clients, c.keyspace, c.rounds)
	if len(c.gflags) > 0 {
		fmt.Fprintf(w, "; goredis %s", strings.Join(c.gflags, " "))
	}
	if c.appendfsync != "" {
		fmt.Fprintf(w, "; both with appendonly yes, appendfsync %s", c.appendfsync)
	}
	if c.maxmemory != "" {
		fmt.Fprintf(w, "; both with maxmemory %s, %s (keys evicted: goredis %s, redis %s)", c.maxmemory, c.maxmemoryPolicy, c.evicted[0], c.evicted[1])
	}
	fmt.Fprint(w, "\n\n")
	fmt.Fprintln(w, "| test | -P | goredis req/s | redis req/s | ratio | goredis p50 ms | redis p50 ms | goredis p99 ms | redis p99 ms | goredis CPU µs/req | redis CPU µs/req |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, rw := range rows {
		cell := func(s sample, f func(sample) string) string {
			if s.err != "" {
				return "error"
			}
			return f(s)
		}
		rps := func(s sample) string { return fmt.Sprintf("%.0f", median(s.rps)) }
		p50 := func(s sample) string { return fmt.Sprintf("%.3f", median(s.p50)) }
		p99 := func(s sample) string { return fmt.Sprintf("%.3f", median(s.p99)) }
		ratio := "–"
		if rw.g.err == "" && rw.r.err == "" && median(rw.r.rps) > 0 {
			ratio = fmt.Sprintf("%.2f", median(rw.g.rps)/median(rw.r.rps))
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", rw.key.test, rw.key.pipe,
			cell(rw.g, rps), cell(rw.r, rps), ratio, cell(rw.g, p50), cell(rw.r, p50),
			cell(rw.g, p99), cell(rw.r, p99), cell(rw.g, cpuPerReq), cell(rw.r, cpuPerReq))
	}
	var errs []string
	for _, rw := range rows {
		if rw.key.pipe != 1 {
			continue
		}
		if rw.g.err != "" {
			errs = append(errs, fmt.Sprintf("goredis %s: %s", rw.key.test, shorten(rw.g.err)))
		}
		if rw.r.err != "" {
			errs = append(errs, fmt.Sprintf("redis %s: %s", rw.key.test, shorten(rw.r.err)))
		}
	}
	if mem != nil {
		fmt.Fprintf(w, "\nMemory: %d keys SET key:<i> with 10-byte values, RSS growth (VmRSS after − before) per key\n\n", mem.keys)
		fmt.Fprintln(w, "| memory | goredis | redis | ratio (target ≤ 1.5) |")
		fmt.Fprintln(w, "|---|--:|--:|--:|")
		fmt.Fprintf(w, "| RSS bytes/key | %.1f | %.1f | %.2f |\n", mem.gBytes, mem.rBytes, mem.gBytes/mem.rBytes)
		fmt.Fprintf(w, "| peak RSS (VmHWM) bytes/key | %.1f | %.1f | %.2f |\n", mem.gPeak, mem.rPeak, mem.gPeak/mem.rPeak)
		fmt.Fprintf(w, "| RSS before → after (MB) | %.1f → %.1f | %.1f → %.1f | |\n",
			float64(mem.gBefore)/1024, float64(mem.gAfter)/1024, float64(mem.rBefore)/1024, float64(mem.rAfter)/1024)
		fmt.Fprintf(w, "| load time (1 pipelined conn) | %s | %s | |\n", mem.gLoadTime.Round(time.Millisecond), mem.rLoadTime.Round(time.Millisecond))
	}
	if len(errs) > 0 {
		fmt.Fprintln(w, "\nErrors:")
		for _, e := range errs {
			fmt.Fprintln(w, "- "+e)
		}
	}
}
